#!/usr/bin/env bash
# Runs the whole platform locally: installs Postgres if missing, builds, and starts a throwaway
# cluster plus the six services with the demo tenant. Ctrl-C stops everything.
# Extra arguments go to `salesctl up` (e.g. --port-base 51050, --database-url URL).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
swift build
exec .build/debug/salesctl up --demo "$@"
