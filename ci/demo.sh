#!/usr/bin/env bash
# The main job: build the demo as a static binary for this machine and run it
# on this machine's kernel. Extra arguments go to the demo.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
dir=$(bash "$(dirname "$0")/build-programs.sh" x86_64-unknown-linux-gnu)
echo "demo: $dir/hello ($(stat -c %s "$dir/hello") bytes, stripped, static)" >&2
"$dir/hello" "$@"
