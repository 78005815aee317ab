#!/usr/bin/env bash
# Installs what the benchmarks need (gcc, musl-gcc, valgrind) and runs them.
#   usage: bash bench/run.sh [--quick] [--write]
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v musl-gcc >/dev/null 2>&1 || need+=(musl-tools)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi
exec python3 bench/run.py "$@"
