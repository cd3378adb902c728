#!/usr/bin/env bash
# The CreateLead benchmark (issue 4): a separate process drives CreateLead on the real leads
# executable (routing over 50 rules, dedupe, persist, outbox), and in the same run pgbench inserts
# the equivalent rows directly (Benchmarks/leads/raw-insert.sql: prepared statements, no outbox
# lock, so the database's own limit), once before CreateLead and once
# after: the baseline is their mean, so neither side alone runs while Postgres is still vacuuming
# what the other wrote. Prints leads/s, p50/p99, the p99 at half the maximum rate, and the ratio
# to the raw insert rate.
#
#   scripts/bench-leads.sh            (CONCURRENCY=16 SECONDS=10 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-build.sh
root=$(pwd)
concurrency=${CONCURRENCY:-16}
seconds=${SECONDS_PER_PHASE:-10}
scripts/setup-debian.sh
source scripts/lib-cpu.sh

echo "== build (release)"
build_release /tmp/bench-leads-build.log leads-benchmark
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /var/tmp/bench-leads.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -n "${stack_pid:-}" ] && kill "$stack_pid" 2>/dev/null && wait "$stack_pid" 2>/dev/null
  scripts/test-postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
# Below the stack's block, both below the kernel's ephemeral ports (as in scripts/test.sh).
pgport=$((20000 + RANDOM % 1000))
eval "$(scripts/test-postgres.sh start "$work/pg" "$pgport")"
base=$((21000 + (RANDOM % 350) * 30))

echo "== stack (release executables) on ports from $base"
"$bin/salesctl" up --data-dir "$work/stack" --port-base "$base" --bin-dir "$bin" \
  --database-url "$SALES_TEST_ADMIN_URL" --database sales > "$work/stack.log" 2>&1 &
stack_pid=$!
for _ in $(seq 1 120); do grep -q "the stack is up" "$work/stack.log" && break; sleep 1; done
grep -q "the stack is up" "$work/stack.log" || { cat "$work/stack.log"; exit 1; }
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jwtSecret"])' "$work/stack/secrets.json")

admin_db=${SALES_TEST_ADMIN_URL%/postgres}/sales
raw_insert() {
  psql -q "$admin_db" -f Benchmarks/leads/setup.sql 2>/dev/null
  local before tps
  before=$(busy_ms)
  tps=$(pgbench -n -M prepared -f Benchmarks/leads/raw-insert.sql -c "$concurrency" -j 2 -T "$seconds" "$admin_db" 2>/dev/null \
    | awk '/^tps/ {print $3; exit}')
  # The rate, then the machine's CPU milliseconds per insert.
  echo "$tps $(cpu_ms_per_op "$before" "$(busy_ms)" "$tps" "$seconds")"
  psql -q "$admin_db" -c "DROP SCHEMA bench CASCADE" 2>/dev/null
}

echo "== the same rows inserted directly by pgbench ($concurrency clients, ${seconds}s), before"
read -r raw_before raw_cpu_before <<< "$(raw_insert)"
echo "raw_insert_tps=$raw_before raw_cpu_ms_per_insert=$raw_cpu_before"

echo "== CreateLead over gRPC from a separate process ($concurrency callers, ${seconds}s per phase)"
result=$("$bin/leads-benchmark" --port $((base + 1)) --secret "$secret" --concurrency "$concurrency" --seconds "$seconds" --rules 50)
echo "$result"
# With pg_stat_statements loaded (see scripts/pg-statements.sh), where the database's time went.
if [ -n "${SALES_PG_OPTIONS:-}" ]; then scripts/pg-statements.sh "$admin_db" 20; fi

echo "== the same rows inserted directly by pgbench, after"
read -r raw_after raw_cpu_after <<< "$(raw_insert)"
echo "raw_insert_tps=$raw_after raw_cpu_ms_per_insert=$raw_cpu_after"

python3 - "$result" "$raw_before" "$raw_after" "$raw_cpu_before" "$raw_cpu_after" <<'PY'
import sys
fields = dict(part.split("=") for part in sys.argv[1].split())
before, after = float(sys.argv[2]), float(sys.argv[3])
rate, raw = float(fields["max_rate_leads_per_s"]), (before + after) / 2
print()
print(f"CreateLead: {rate:,.0f} leads/s (p50 {float(fields['max_p50_ms']):.1f} ms, p99 {float(fields['max_p99_ms']):.1f} ms at the maximum rate)")
print(f"at half the maximum rate ({float(fields['half_rate']):,.0f}/s): p50 {float(fields['half_p50_ms']):.1f} ms, p99 {float(fields['half_p99_ms']):.1f} ms (target < 25 ms)")
print(f"raw insert of the same rows: {raw:,.0f} per second (mean of {before:,.0f} before and {after:,.0f} after)")
cpu = [(k.removeprefix("cpu_ms_per_op_"), v) for k, v in fields.items() if k.startswith("cpu_ms_per_op_")]
print("CPU per lead at the maximum rate, ms: " + ", ".join(f"{k} {float(v):.2f}" for k, v in cpu)
      + f" (pgbench's raw insert: {(float(sys.argv[4]) + float(sys.argv[5])) / 2:.2f} in all)")
print(f"ratio CreateLead / raw insert: {rate / raw:.2f} (target >= 0.50)")
PY
