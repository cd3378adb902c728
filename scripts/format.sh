#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's swift-format and the project's .swift-format;
# `--check` changes nothing and fails on any difference (CI runs it). Generated code is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find Package.swift Services Shared Tools Tests Benchmarks -name '*.swift' -not -path '*/Generated/*' | sort)
if [ "${1:-}" = "--check" ]; then
  swift format lint --strict --configuration .swift-format "${files[@]}" || {
    echo "formatting differs from .swift-format: run scripts/format.sh and commit the result" >&2
    exit 1
  }
else
  swift format format --in-place --configuration .swift-format "${files[@]}"
fi
