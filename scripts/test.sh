#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what is missing, starts a throwaway
# Postgres, checks the generated code, runs the Swift tests (unit, service, end-to-end over the
# real executables), then the non-Swift gRPC client and the static Docker checks in Python.
#
#   scripts/test.sh              everything (what CI runs)
#   scripts/test.sh unit         pure logic only: no Postgres, seconds
#   scripts/test.sh service      one service at a time on the in-process transport, with Postgres
#   scripts/test.sh end-to-end   the six executables over loopback, then the Python client
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
kind=${1:-all}
case "$kind" in
  all) filter= ;;
  unit) filter=UnitTests ;;
  service) filter=ServiceTests ;;
  end-to-end) filter=EndToEndTests ;;
  *) echo "usage: scripts/test.sh [unit|service|end-to-end]" >&2; exit 2 ;;
esac
scripts/setup-debian.sh --tests

echo "== build"
set +e
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|swift-distributed-tracing|CMakeLists.txt'
build_status=${PIPESTATUS[0]}
set -e
[ "$build_status" -eq 0 ] || exit "$build_status"

echo "== generated protobuf code is current"
scripts/generate-protos.sh --check

echo "== formatting (swift format lint, .swift-format)"
scripts/format.sh --check

if [ "$kind" = unit ]; then
  echo "== swift test: unit"
  exec swift test --skip-build --filter UnitTests
fi

# The postgres user must reach the cluster folder, so it lives under /var/tmp, not the checkout.
pgdir=$(mktemp -d /var/tmp/sales-test-pg.XXXXXX)
chmod 755 "$pgdir"
# Below the stacks' port blocks (21000–31499) and the kernel's ephemeral ports.
pgport=$((20000 + RANDOM % 1000))
cleanup() {
  [ -n "${stack_pid:-}" ] && kill "$stack_pid" 2>/dev/null && wait "$stack_pid" 2>/dev/null
  scripts/test-postgres.sh stop "$pgdir/data"
  rm -rf "$pgdir"
}
trap cleanup EXIT
eval "$(scripts/test-postgres.sh start "$pgdir/data" "$pgport")"
export SALES_BIN_DIR="$root/.build/debug"

echo "== swift test${filter:+: $filter}"
set +e
swift test --skip-build ${filter:+--filter "$filter"} 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]'
status=${PIPESTATUS[0]}
set -e
if [ "$kind" = service ]; then exit "$status"; fi

echo "== python: a non-Swift gRPC client against the running stack, and the Docker files"
python3 -m venv "$pgdir/venv"
"$pgdir/venv/bin/pip" install -q -r Tests/python/requirements.txt
# A block of 30 ports below the kernel's ephemeral range (32768 and up), so no outgoing
# connection's local port can hold one of them; not the test Postgres's, and none listening.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
  stack_base=$((21000 + (RANDOM % 350) * 30))
  [ "$pgport" -ge "$stack_base" ] && [ "$pgport" -lt $((stack_base + 30)) ] && continue
  busy=0
  for port in $(seq "$stack_base" $((stack_base + 29))); do port_in_use "$port" && { busy=1; break; }; done
  [ "$busy" -eq 0 ] && break
done
"$root/.build/debug/salesctl" up --demo --data-dir "$pgdir/stack" --port-base "$stack_base" \
  --database-url "$SALES_TEST_ADMIN_URL" --database sales_pyclient > "$pgdir/stack.log" 2>&1 &
stack_pid=$!
for _ in $(seq 1 120); do
  grep -q "the stack is up" "$pgdir/stack.log" && break
  if ! kill -0 "$stack_pid" 2>/dev/null; then cat "$pgdir/stack.log"; tail -n 20 "$pgdir"/stack/logs/*.log; exit 1; fi
  sleep 1
done
grep -q "the stack is up" "$pgdir/stack.log" || { cat "$pgdir/stack.log"; tail -n 20 "$pgdir"/stack/logs/*.log; exit 1; }
py_status=0
SALES_PORT_BASE=$stack_base SALESCTL="$root/.build/debug/salesctl" SALES_DATA_DIR="$pgdir/stack" \
  "$pgdir/venv/bin/python" -m pytest -q Tests/python || py_status=$?
kill "$stack_pid"; wait "$stack_pid" 2>/dev/null || true; stack_pid=

if [ "$status" -ne 0 ] || [ "$py_status" -ne 0 ]; then
  echo "FAILED: swift test exit $status, pytest exit $py_status" >&2
  exit 1
fi
