#!/usr/bin/env bash
# Builds the demo and the static test programs for one target (release,
# and the test programs in the dev profile too, beside it in ../debug), and
# prints the release directory.
#   usage: ci/build-programs.sh [TARGET]     (default: x86_64-unknown-linux-gnu)
# Honours CARGO_TARGET_DIR. Cargo's own output goes to stderr.
set -euo pipefail
source "$(dirname "$0")/static-flags.sh"
target=${1:-x86_64-unknown-linux-gnu}
cd "$sys_layer_root"
export_static_rustflags "$target"
cargo build --release --target "$target" -p sys-layer --features examples --example hello >&2
cargo build --release --target "$target" -p sys-layer-test-programs --bins >&2
# Unoptimised builds take other code paths (mem function calls for every
# array and struct copy, no inlining): the suite runs them too, from ../debug.
cargo build --target "$target" -p sys-layer-test-programs --bins >&2
dir="${CARGO_TARGET_DIR:-$sys_layer_root/target}/$target/release"
cp "$dir/examples/hello" "$dir/hello"
printf '%s\n' "$dir"
