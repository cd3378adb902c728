#!/usr/bin/env bash
# The opportunities benchmark (issue 11). A separate process drives AdvanceStage on the real
# opportunities executable (a gate with rules over the deal's activities and amount, the history,
# the outbox), then ListOpportunities as a manager over a tenant of 200,000 deals in 40 teams.
# In the same run pgbench does AdvanceStage's reads and writes directly
# (Benchmarks/opportunities/raw-move.sql) on copies of the moved deals. Prints moves/s, p50/p99,
# the ratio to the raw rate, and ListOpportunities' p50/p99 at 50 a page.
#
#   scripts/bench-opportunities.sh      (CONCURRENCY=16 SECONDS_PER_PHASE=10 DEALS=3000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-build.sh
concurrency=${CONCURRENCY:-16}
seconds=${SECONDS_PER_PHASE:-10}
deals=${DEALS:-3000}
scripts/setup-debian.sh
source scripts/lib-cpu.sh

echo "== build (release)"
build_release /tmp/bench-opportunities-build.log opportunities-benchmark
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /var/tmp/bench-opportunities.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -n "${stack_pid:-}" ] && kill "$stack_pid" 2>/dev/null && wait "$stack_pid" 2>/dev/null
  scripts/test-postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
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

echo "== 200,000 deals in 40 teams for the list phase"
psql -q "$admin_db" -f Benchmarks/opportunities/seed-list.sql
sync

echo "== AdvanceStage and ListOpportunities over gRPC from a separate process ($concurrency callers, ${seconds}s per phase)"
result=$("$bin/opportunities-benchmark" --port $((base + 2)) --secret "$secret" --concurrency "$concurrency" --seconds "$seconds" --deals "$deals")
echo "$result"
# With pg_stat_statements loaded (see scripts/pg-statements.sh), where the database's time went.
if [ -n "${SALES_PG_OPTIONS:-}" ]; then scripts/pg-statements.sh "$admin_db" 20; fi

echo "== the same reads and writes by pgbench directly ($concurrency clients, ${seconds}s)"
psql -q "$admin_db" -f Benchmarks/opportunities/setup-raw.sql
moved=$(psql -tA "$admin_db" -c "SELECT count(*) FROM bench.deal_ids")
busy_before=$(busy_ms)
raw=$(pgbench -n -M prepared -D deals="$moved" -f Benchmarks/opportunities/raw-move.sql -c "$concurrency" -j 2 -T "$seconds" "$admin_db" 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')
raw_cpu=$(cpu_ms_per_op "$busy_before" "$(busy_ms)" "$raw" "$seconds")
echo "raw_move_tps=$raw raw_cpu_ms_per_move=$raw_cpu"
psql -q "$admin_db" -c "DROP SCHEMA bench CASCADE" 2>/dev/null

python3 - "$result" "$raw" "$raw_cpu" <<'PY'
import sys
fields = dict(part.split("=") for part in sys.argv[1].split())
rate, raw = float(fields["moves_per_s"]), float(sys.argv[2])
print()
print(f"AdvanceStage: {rate:,.0f} moves/s (p50 {float(fields['move_p50_ms']):.1f} ms, p99 {float(fields['move_p99_ms']):.1f} ms), {fields['moves']} moves, {fields['failures']} failures")
print(f"raw reads and writes of the same moves: {raw:,.0f} per second")
print(f"ratio AdvanceStage / raw: {rate / raw:.2f} (target >= 0.50)")
cpu = [(k.removeprefix("cpu_ms_per_op_"), v) for k, v in fields.items() if k.startswith("cpu_ms_per_op_")]
print("CPU per move, ms: " + ", ".join(f"{k} {float(v):.2f}" for k, v in cpu) + f" (pgbench's raw move: {sys.argv[3]} in all)")
print(f"ListOpportunities, a manager of 50,000 of 200,000 deals, 50 a page: p50 {float(fields['list_p50_ms']):.1f} ms, p99 {float(fields['list_p99_ms']):.1f} ms ({fields['lists']} pages)")
PY
