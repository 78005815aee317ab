#!/usr/bin/env bash
# Builds the demo, the static test programs and the corpus for one target
# (release, and the test programs in the dev profile too, beside it in
# ../debug), and prints the release directory.
#   usage: ci/build-programs.sh [TARGET]     (default: x86_64-unknown-linux-gnu)
#
# Floor: SYS_LAYER_MIN_KERNEL, default 2.6.32 here (the lowest), so every
# fallback is built in and the suite can run them under kernel-sim. The
# `eras` program is also built with floor 5.4, as `eras-floor-5.4`, for the
# size comparison and the below-floor message.
# Honours CARGO_TARGET_DIR. Cargo's own output goes to stderr.
set -euo pipefail
source "$(dirname "$0")/static-flags.sh"
target=${1:-x86_64-unknown-linux-gnu}
cd "$sys_layer_root"
export_static_rustflags "$target"
export SYS_LAYER_MIN_KERNEL=${SYS_LAYER_MIN_KERNEL:-2.6.32}
target_dir=${CARGO_TARGET_DIR:-$sys_layer_root/target}
cargo build --release --target "$target" -p sys-layer --features examples --examples >&2
cargo build --release --target "$target" -p sys-layer-test-programs --bins >&2
# Unoptimised builds take other code paths (mem function calls for every
# array and struct copy, no inlining): the suite runs them too, from ../debug.
cargo build --target "$target" -p sys-layer-test-programs --bins >&2
SYS_LAYER_MIN_KERNEL=5.4 cargo build --release --target "$target" -p sys-layer-test-programs --bin eras \
    --target-dir "$target_dir/floor-5.4" >&2
dir="$target_dir/$target/release"
# The corpus (tests/corpus): programs on crates.io crates, release only, at
# the versions its Cargo.lock pins; copied beside the others as corpus-NAME.
cargo build --locked --release --target "$target" --manifest-path tests/corpus/Cargo.toml -p corpus-programs \
    --target-dir "$target_dir/corpus" >&2
for program in sha256 gzip gunzip json words grep dates unwind-probe; do
    cp "$target_dir/corpus/$target/release/$program" "$dir/corpus-$program"
done
for example in hello cat wc ls echo_server pipeline; do cp "$dir/examples/$example" "$dir/$example"; done
cp "$target_dir/floor-5.4/$target/release/eras" "$dir/eras-floor-5.4"
printf '%s\n' "$dir"
