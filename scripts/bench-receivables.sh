#!/usr/bin/env bash
# The receivables benchmark (issue 12), against the real stack (release build), in one run:
#  1. payment import: `salesctl import payments` of a generated 100,000-row bank file
#     (Benchmarks/receivables/generate.py) over 20,000 signed contracts, about 900 rows a call,
#     a contract's rows in one call (each call one transaction: instalments locked, oldest first,
#     credit, one event a payment); the
#     same file again (every row already recorded); and Postgres `\copy` of the same file into a
#     table of its columns. Prints rows/s, the machine's CPU per row and the ratio to COPY
#     (target >= 0.20). Before the import, the ceiling: Postgres's own set-based statements
#     recording the same file in the service's tables, staged by COPY and rolled back
#     (Benchmarks/receivables/set-based.sql), with its ratio to COPY.
#  2. the countdown board: a finance user's first page of open instalments over 200,000 of them,
#     4 callers for SECONDS_PER_PHASE seconds, against pgbench running the same statement with 4
#     clients. Prints p50/p99 of each and the ratio of their rates.
#
#   scripts/bench-receivables.sh            (ROWS=100000, SECONDS_PER_PHASE=10 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-build.sh
source scripts/lib-cpu.sh
rows=${ROWS:-100000}
seconds=${SECONDS_PER_PHASE:-10}
scripts/setup-debian.sh

echo "== build (release)"
build_release /tmp/bench-receivables-build.log opportunities-benchmark
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /var/tmp/bench-receivables.XXXXXX)
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

echo "== signed contracts: 20,000 to pay, and 200,000 instalments for the board"
sed "s|CONTRACTS_FILE|$work/contracts.txt|" Benchmarks/receivables/seed.sql > "$work/seed.sql"
psql -q "$admin_db" -f "$work/seed.sql"
sync

echo "== payment file: $rows rows (deterministic)"
sheet="$work/payments.csv"
python3 Benchmarks/receivables/generate.py "$work/contracts.txt" "$sheet" "$rows"

seconds_since() { python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$1" "$(date +%s.%N)"; }
import_payments() {
  "$bin/salesctl" import payments "$sheet" --data-dir "$work/stack" --port-base "$base" \
    --tenant bench-pay --user bench.cw --role finance --org-path /finance | tee "$work/import.log"
  grep -q "$1" "$work/import.log" || { echo "expected \"$1\"" >&2; exit 1; }
}

echo "== the ceiling: Postgres's own set-based statements recording the file in the service's tables (rolled back)"
busy=$(busy_ms); started=$(date +%s.%N)
ceiling=$(sed "s|PAYMENTS_FILE|$sheet|" Benchmarks/receivables/set-based.sql | psql -qtA "$admin_db" -f -)
ceiling_seconds=$(seconds_since "$started"); ceiling_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$rows" 1)
[ "$ceiling" = "$rows true" ] || { echo "the set-based statements wrote \"$ceiling\", expected \"$rows true\"" >&2; exit 1; }
psql -q "$admin_db" -c "VACUUM ANALYZE opportunities.payments, opportunities.payment_allocations, opportunities.instalments, opportunities.outbox"

echo "== salesctl import payments ($rows rows through ImportPayments)"
busy=$(busy_ms); started=$(date +%s.%N)
import_payments "^$rows of $rows rows recorded"
import_seconds=$(seconds_since "$started"); import_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$rows" 1)

echo "== the same file again (every row already recorded)"
busy=$(busy_ms); started=$(date +%s.%N)
import_payments "^0 of $rows rows recorded, $rows recorded before"
rerun_seconds=$(seconds_since "$started"); rerun_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$rows" 1)
# With pg_stat_statements loaded (see scripts/pg-statements.sh), where the database's time went.
if [ -n "${SALES_PG_OPTIONS:-}" ]; then scripts/pg-statements.sh "$admin_db" 12; fi

echo "== psql \\copy of the same file into a table of its columns"
psql -q "$admin_db" -f Benchmarks/receivables/setup.sql
busy=$(busy_ms); started=$(date +%s.%N)
psql -q "$admin_db" -c "\\copy bench.payments_copy FROM '$sheet' WITH (FORMAT csv, HEADER true)"
copy_seconds=$(seconds_since "$started"); copy_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$rows" 1)
copied=$(psql -qtA "$admin_db" -c "SELECT count(*) FROM bench.payments_copy")
[ "$copied" = "$rows" ] || { echo "COPY loaded $copied rows, expected $rows" >&2; exit 1; }
# Every fen of the file is on an instalment or kept as credit.
psql -qtA "$admin_db" -c "
  SELECT (SELECT sum(amount * 100)::bigint FROM bench.payments_copy)
       = (SELECT sum(paid_minor) FROM opportunities.instalments WHERE tenant_id = 'bench-pay')
       + (SELECT sum(credit_minor) FROM opportunities.payments WHERE tenant_id = 'bench-pay')" | grep -qx t \
  || { echo "the imported fen do not add up to the file's" >&2; exit 1; }
psql -q "$admin_db" -c "DROP SCHEMA bench CASCADE" 2>/dev/null

echo "== the countdown board: a finance user's first page over 200,000 instalments (4 callers, ${seconds}s)"
board=$("$bin/opportunities-benchmark" --phase board --port $((base + 2)) --secret "$secret" --seconds "$seconds")
echo "$board"
echo "== the same statement by pgbench (4 clients, ${seconds}s)"
raw=$(pgbench -n -M prepared -f Benchmarks/receivables/raw-board.sql -c 4 -j 2 -T "$seconds" -r "$admin_db" 2>/dev/null)
raw_tps=$(awk '/^tps/ {print $3; exit}' <<<"$raw")
raw_ms=$(awk '/^latency average/ {print $4; exit}' <<<"$raw")

python3 - "$rows" "$import_seconds" "$rerun_seconds" "$copy_seconds" "$import_cpu" "$rerun_cpu" "$copy_cpu" "$board" "$raw_tps" "$raw_ms" \
  "$ceiling_seconds" "$ceiling_cpu" <<'PY'
import sys
rows = int(sys.argv[1])
imported, rerun, copied = map(float, sys.argv[2:5])
cpu_import, cpu_rerun, cpu_copy = map(float, sys.argv[5:8])
board = dict(part.split("=") for part in sys.argv[8].split())
raw_tps, raw_ms = float(sys.argv[9]), float(sys.argv[10])
ceiling, cpu_ceiling = float(sys.argv[11]), float(sys.argv[12])
print()
print(f"salesctl import payments: {rows:,} rows in {imported:.1f} s, {rows / imported:,.0f} rows/s, CPU {cpu_import * 1000:.0f} µs a row")
print(f"the same file again:      {rows:,} rows in {rerun:.1f} s, {rows / rerun:,.0f} rows/s, CPU {cpu_rerun * 1000:.0f} µs a row")
print(f"psql \\copy:               {rows:,} rows in {copied:.2f} s, {rows / copied:,.0f} rows/s, CPU {cpu_copy * 1000:.1f} µs a row")
print(f"Postgres set-based:       {rows:,} rows in {ceiling:.1f} s, {rows / ceiling:,.0f} rows/s, CPU {cpu_ceiling * 1000:.0f} µs a row")
print(f"ratio import / COPY: {copied / imported:.3f} (target >= 0.20)")
print(f"ratio set-based / COPY: {copied / ceiling:.3f} (the most any design writing these tables could reach)")
print(f"ratio import / set-based: {ceiling / imported:.3f}")
print(f"board (finance, 200,000 instalments, 50 a page): {float(board['boards_per_s']):,.0f} pages/s, p50 {float(board['board_p50_ms']):.1f} ms, "
      f"p99 {float(board['board_p99_ms']):.1f} ms, {board['failures']} failures")
print(f"the same statement by pgbench: {raw_tps:,.0f} per second, average {raw_ms:.2f} ms")
print(f"ratio board / pgbench: {float(board['boards_per_s']) / raw_tps:.2f}")
PY
