#!/usr/bin/env bash
# The store-sales benchmark (issue 14), against the real stack (release build), in one run:
#  1. POS ingest: `salesctl import receipts` of a generated POS export (Benchmarks/store-sales/
#     generate.py; LINES lines, receipts of 1-3 lines over 50 stores, 60% with a member, half
#     naming the cashier) through ImportReceipts: each receipt checked, its store, SKUs, clerk
#     (the till's or the member's scan) and member found, written once with its lines and its
#     event. Against psql running plain INSERTs of the same receipts and lines (1,000 lines a
#     transaction): target >= 0.50.
#  2. The same file against psql `\copy` into a table of its columns: target >= 0.20. Before the
#     import, the ceiling: Postgres's own set-based statements writing the same receipts, lines
#     and events into the service's tables, staged by COPY and rolled back
#     (Benchmarks/store-sales/set-based.sql), with its ratio to COPY.
# The product and member files go in first through `salesctl import products|members`.
#
#   scripts/bench-store-sales.sh            (LINES=1000000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-build.sh
source scripts/lib-cpu.sh
lines=${LINES:-1000000}
scripts/setup-debian.sh

echo "== build (release)"
build_release /tmp/bench-store-sales-build.log
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /var/tmp/bench-store-sales.XXXXXX)
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
admin_db=${SALES_TEST_ADMIN_URL%/postgres}/sales

echo "== the chain: 50 stores, 250 clerks; files: $lines POS lines (deterministic)"
psql -q "$admin_db" -f Benchmarks/store-sales/seed.sql
python3 Benchmarks/store-sales/generate.py "$work" "$lines"
sync

seconds_since() { python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$1" "$(date +%s.%N)"; }
salesctl_import() {
  "$bin/salesctl" import "$1" "$work/$1.csv" --data-dir "$work/stack" --port-base "$base" \
    --tenant bench-store --user bench.admin --role admin --org-path /hq | tee "$work/$1.log"
  grep -q "0 refused" "$work/$1.log" || { echo "rows of $1.csv were refused" >&2; exit 1; }
}
salesctl_import products
salesctl_import members

echo "== the ceiling: Postgres's own set-based statements writing the file into the service's tables (rolled back)"
busy=$(busy_ms); started=$(date +%s.%N)
ceiling=$(sed "s|POS_FILE|$work/receipts.csv|" Benchmarks/store-sales/set-based.sql | psql -qtA "$admin_db" -f -)
ceiling_seconds=$(seconds_since "$started"); ceiling_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$lines" 1)
read -r ceiling_receipts ceiling_lines ceiling_events <<<"$ceiling"
[ "$ceiling_lines" = "$lines" ] && [ "$ceiling_events" = "$ceiling_receipts" ] \
  || { echo "the set-based statements wrote \"$ceiling\" (receipts, lines, events)" >&2; exit 1; }
psql -q "$admin_db" -c "VACUUM ANALYZE store_sales.receipts, store_sales.receipt_items, store_sales.outbox"

echo "== salesctl import receipts ($lines lines through ImportReceipts)"
busy=$(busy_ms); started=$(date +%s.%N)
salesctl_import receipts
import_seconds=$(seconds_since "$started"); import_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$lines" 1)
receipts=$(psql -qtA "$admin_db" -c "SELECT count(*) FROM store_sales.receipts WHERE tenant_id = 'bench-store'")
attributed=$(psql -qtA "$admin_db" -c "SELECT count(*) FROM store_sales.receipts WHERE tenant_id = 'bench-store' AND member_id IS NOT NULL")
events=$(psql -qtA "$admin_db" -c "SELECT count(*) FROM store_sales.outbox WHERE tenant_id = 'bench-store' AND event_type LIKE '%ReceiptRecorded'")
[ "$events" = "$receipts" ] || { echo "$events events for $receipts receipts" >&2; exit 1; }
[ "$receipts" = "$ceiling_receipts" ] || { echo "$receipts receipts imported, the set-based statements wrote $ceiling_receipts" >&2; exit 1; }

echo "== psql: the same receipts and lines as plain INSERTs"
psql -q "$admin_db" -f Benchmarks/store-sales/setup.sql
busy=$(busy_ms); started=$(date +%s.%N)
psql -q "$admin_db" -f "$work/inserts.sql" > /dev/null
insert_seconds=$(seconds_since "$started"); insert_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$lines" 1)

echo "== psql \\copy of the same file into a table of its columns"
busy=$(busy_ms); started=$(date +%s.%N)
psql -q "$admin_db" -c "\\copy bench.pos_copy FROM '$work/receipts.csv' WITH (FORMAT csv, HEADER true)"
copy_seconds=$(seconds_since "$started"); copy_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$lines" 1)
copied=$(psql -qtA "$admin_db" -c "SELECT count(*) FROM bench.pos_copy")
[ "$copied" = "$lines" ] || { echo "COPY loaded $copied lines, expected $lines" >&2; exit 1; }
psql -q "$admin_db" -c "DROP SCHEMA bench CASCADE" 2>/dev/null

python3 - "$lines" "$receipts" "$attributed" "$import_seconds" "$insert_seconds" "$copy_seconds" "$import_cpu" "$insert_cpu" "$copy_cpu" \
  "$ceiling_seconds" "$ceiling_cpu" <<'PY'
import sys
lines, receipts, attributed = map(int, sys.argv[1:4])
imported, inserted, copied = map(float, sys.argv[4:7])
cpu_import, cpu_insert, cpu_copy = map(float, sys.argv[7:10])
ceiling, cpu_ceiling = map(float, sys.argv[10:12])
print()
print(f"salesctl import receipts: {lines:,} lines ({receipts:,} receipts, {attributed:,} with a member) in {imported:.1f} s, "
      f"{lines / imported:,.0f} lines/s, CPU {cpu_import * 1000:.0f} µs a line")
print(f"psql plain INSERTs:       {lines:,} lines in {inserted:.1f} s, {lines / inserted:,.0f} lines/s, CPU {cpu_insert * 1000:.0f} µs a line")
print(f"psql \\copy:               {lines:,} lines in {copied:.2f} s, {lines / copied:,.0f} lines/s, CPU {cpu_copy * 1000:.1f} µs a line")
print(f"ratio ingest / INSERTs: {inserted / imported:.3f} (target >= 0.50)")
print(f"Postgres set-based:       {lines:,} lines in {ceiling:.1f} s, {lines / ceiling:,.0f} lines/s, CPU {cpu_ceiling * 1000:.0f} µs a line")
print(f"ratio ingest / COPY:    {copied / imported:.3f} (target >= 0.20)")
print(f"ratio set-based / COPY: {copied / ceiling:.3f} (the most any design writing these tables could reach)")
print(f"ratio ingest / set-based: {ceiling / imported:.3f}")
PY
