#!/usr/bin/env bash
# The lead import benchmark: `salesctl import leads` on a generated 100,000-row CSV
# (Benchmarks/import/generate.py) against the real stack (release build), streamed to ImportLeads
# in 500-row batches (each one transaction through CreateLead's checks, rules and dedupe); the
# same import run again (every row already imported); and in the same run Postgres `\copy` of the
# same file into a scratch table of the file's columns (Benchmarks/import/setup.sql). Prints rows/s,
# the whole machine's CPU per row of each phase, and the ratio to COPY.
#
#   scripts/bench-import.sh            (ROWS=100000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-build.sh
source scripts/lib-cpu.sh
rows=${ROWS:-100000}
scripts/setup-debian.sh

echo "== build (release)"
build_release /tmp/bench-import-build.log
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /var/tmp/bench-import.XXXXXX)
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

echo "== sheet: $rows leads (deterministic)"
sheet="$work/leads.csv"
python3 Benchmarks/import/generate.py "$sheet" "$rows"

echo "== stack (release executables) on ports from $base"
"$bin/salesctl" up --data-dir "$work/stack" --port-base "$base" --bin-dir "$bin" \
  --database-url "$SALES_TEST_ADMIN_URL" --database sales > "$work/stack.log" 2>&1 &
stack_pid=$!
for _ in $(seq 1 120); do grep -q "the stack is up" "$work/stack.log" && break; sleep 1; done
grep -q "the stack is up" "$work/stack.log" || { cat "$work/stack.log"; exit 1; }

seconds_since() { python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$1" "$(date +%s.%N)"; }
import_leads() {
  "$bin/salesctl" import leads "$sheet" --data-dir "$work/stack" --port-base "$base" \
    --tenant bench-import --user bench.rep --role rep --org-path /east/sh | tee "$work/import.log"
  grep -q "^$rows of $rows rows imported" "$work/import.log" || { echo "not every row was imported" >&2; exit 1; }
}

echo "== salesctl import leads ($rows rows through ImportLeads)"
busy=$(busy_ms); started=$(date +%s.%N)
import_leads
import_seconds=$(seconds_since "$started"); import_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$rows" 1)

echo "== the same import again (every row already imported)"
busy=$(busy_ms); started=$(date +%s.%N)
import_leads
rerun_seconds=$(seconds_since "$started"); rerun_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$rows" 1)

echo "== psql \\copy of the same file into a scratch table"
admin_db=${SALES_TEST_ADMIN_URL%/postgres}/sales
psql -q "$admin_db" -f Benchmarks/import/setup.sql
busy=$(busy_ms); started=$(date +%s.%N)
psql -q "$admin_db" -c "\\copy bench.import_copy (contact_name, phone, company_name, channel, city, inquiry) FROM '$sheet' WITH (FORMAT csv, HEADER true)"
copy_seconds=$(seconds_since "$started"); copy_cpu=$(cpu_ms_per_op "$busy" "$(busy_ms)" "$rows" 1)
copied=$(psql -qtA "$admin_db" -c "SELECT count(*) FROM bench.import_copy")
[ "$copied" = "$rows" ] || { echo "COPY loaded $copied rows, expected $rows" >&2; exit 1; }

python3 - "$rows" "$import_seconds" "$rerun_seconds" "$copy_seconds" "$import_cpu" "$rerun_cpu" "$copy_cpu" <<'PY'
import sys
rows = int(sys.argv[1])
imported, rerun, copied = map(float, sys.argv[2:5])
cpu_import, cpu_rerun, cpu_copy = map(float, sys.argv[5:8])
print()
print(f"salesctl import leads: {rows:,} rows in {imported:.1f} s, {rows / imported:,.0f} rows/s, CPU {cpu_import * 1000:.0f} µs a row")
print(f"the same import again: {rows:,} rows in {rerun:.1f} s, {rows / rerun:,.0f} rows/s, CPU {cpu_rerun * 1000:.0f} µs a row")
print(f"psql \\copy:            {rows:,} rows in {copied:.2f} s, {rows / copied:,.0f} rows/s, CPU {cpu_copy * 1000:.1f} µs a row")
print(f"ratio import / COPY: {copied / imported:.4f} (COPY is {imported / copied:,.0f}x faster)")
PY
