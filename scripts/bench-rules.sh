#!/usr/bin/env bash
# The rules engine benchmark (issue 3): evaluations per second of our engine against
# panzi-json-logic (pure Python) and jsonlogic-rs (Rust core behind Python), on the same 48
# routing rules and 2,000 leads, measured in the same run. Prints a table with the ratios.
#
#   scripts/bench-rules.sh
#
# Needs swift and python3 (with venv); installs the two peers from PyPI into a throwaway venv.
# SWIFT_PASSES (default 20) and PEER_PASSES (default 3) set how many timed passes each side
# makes; the best pass counts, after one warm-up pass.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-rules.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== build rules-benchmark (release)"
if ! swift build -c release --product rules-benchmark > "$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  exit 1
fi
bin="$(swift build -c release --show-bin-path)/rules-benchmark"

echo "== peers: panzi-json-logic and jsonlogic-rs in a venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check panzi-json-logic jsonlogic-rs

echo "== rules and leads (deterministic)"
python3 Benchmarks/rules/generate.py "$work"

echo "== measuring"
"$bin" "$work/rules.json" "$work/leads.json" "${SWIFT_PASSES:-20}" > "$work/results.jsonl"
"$work/venv/bin/python" Benchmarks/rules/peers.py "$work/rules.json" "$work/leads.json" "${PEER_PASSES:-3}" >> "$work/results.jsonl"
echo
python3 Benchmarks/rules/report.py "$work/results.jsonl"
