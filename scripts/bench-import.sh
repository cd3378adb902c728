#!/usr/bin/env bash
# The lead import benchmark: `salesctl import leads` on a generated 100,000-row CSV
# (Benchmarks/import/generate.py) against the real stack (release build), every row through
# CreateLead; and in the same run Postgres `\copy` of the same file into a scratch table of the
# file's columns (Benchmarks/import/setup.sql). Prints rows/s for both and the ratio.
#
#   scripts/bench-import.sh            (ROWS=100000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-100000}
scripts/setup-debian.sh

echo "== build (release)"
swift build -c release > /tmp/bench-import-build.log 2>&1 || { tail -40 /tmp/bench-import-build.log; exit 1; }
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

echo "== salesctl import leads ($rows rows through CreateLead)"
started=$(date +%s.%N)
"$bin/salesctl" import leads "$sheet" --data-dir "$work/stack" --port-base "$base" \
  --tenant bench-import --user bench.rep --role rep --org-path /east/sh | tee "$work/import.log"
import_seconds=$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$started" "$(date +%s.%N)")
grep -q "^$rows of $rows rows imported" "$work/import.log" || { echo "not every row was imported" >&2; exit 1; }

echo "== psql \\copy of the same file into a scratch table"
admin_db=${SALES_TEST_ADMIN_URL%/postgres}/sales
psql -q "$admin_db" -f Benchmarks/import/setup.sql
started=$(date +%s.%N)
psql -q "$admin_db" -c "\\copy bench.import_copy (contact_name, phone, company_name, channel, city, inquiry) FROM '$sheet' WITH (FORMAT csv, HEADER true)"
copy_seconds=$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$started" "$(date +%s.%N)")
copied=$(psql -qtA "$admin_db" -c "SELECT count(*) FROM bench.import_copy")
[ "$copied" = "$rows" ] || { echo "COPY loaded $copied rows, expected $rows" >&2; exit 1; }

python3 - "$rows" "$import_seconds" "$copy_seconds" <<'PY'
import sys
rows, imported, copied = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print()
print(f"salesctl import leads: {rows:,} rows in {imported:.1f} s, {rows / imported:,.0f} rows/s")
print(f"psql \\copy:            {rows:,} rows in {copied:.2f} s, {rows / copied:,.0f} rows/s")
print(f"ratio import / COPY: {copied / imported:.4f} (COPY is {imported / copied:,.0f}x faster)")
PY
