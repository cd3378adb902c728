#!/usr/bin/env bash
# Installs what the stack and the tests need on a fresh Debian machine, skipping what is there.
# Swift itself is expected on PATH (swift.org toolchain).
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v runuser >/dev/null || need+=(util-linux)
# ZIPFoundation (salesctl's .xlsx import) builds against zlib, found through pkg-config.
command -v pkg-config >/dev/null || need+=(pkg-config)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ "${1:-}" = "--tests" ]; then
  command -v protoc >/dev/null || need+=(protobuf-compiler)
  python3 -c 'import venv' 2>/dev/null || need+=(python3-venv)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
