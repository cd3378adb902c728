#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints its superuser URL.
# Usage: eval "$(scripts/test-postgres.sh start DIR PORT)"; scripts/test-postgres.sh stop DIR
# SALES_PG_OPTIONS adds server options, e.g. pg_stat_statements for scripts/pg-statements.sh.
set -euo pipefail
action=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $action in
  start)
    port=$3
    password=test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    rm -rf "$dir" && mkdir -p "$dir"
    echo "$password" > "$dir.pw"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir" "$dir.pw"; fi
    as_owner "$bin/initdb" -D "$dir" -U postgres --pwfile="$dir.pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$dir.pw"
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off ${SALES_PG_OPTIONS:-}" start >/dev/null
    echo "export SALES_TEST_ADMIN_URL=postgres://postgres:$password@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
esac
