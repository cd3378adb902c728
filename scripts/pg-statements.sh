#!/usr/bin/env bash
# Where a benchmark's database time went: the statements with the most planning plus execution
# time, from pg_stat_statements. The cluster must have been started with
#   SALES_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"
# Usage: scripts/pg-statements.sh DATABASE_URL [LIMIT]
set -euo pipefail
url=$1 limit=${2:-15}
psql -q "$url" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
psql "$url" -P pager=off -c "
  SELECT calls,
         round((total_plan_time / nullif(calls, 0))::numeric, 3) AS plan_ms,
         round((total_exec_time / nullif(calls, 0))::numeric, 3) AS exec_ms,
         round((total_plan_time + total_exec_time)::numeric) AS total_ms,
         left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
  FROM pg_stat_statements
  ORDER BY total_plan_time + total_exec_time DESC
  LIMIT $limit"
