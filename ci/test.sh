#!/usr/bin/env bash
# The whole test suite: formatting, lints, host unit tests, and the
# integration suite, which runs the static test programs on this kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/setup.sh

echo "== rustfmt" >&2
cargo fmt --all -- --check
echo "== clippy" >&2
cargo clippy --lib --bins --tests -q -- -D warnings
(source ci/static-flags.sh && export_static_rustflags x86_64-unknown-linux-gnu &&
    cargo clippy -q --target x86_64-unknown-linux-gnu -p sys-layer-test-programs -p sys-layer --features sys-layer/examples --bins --lib --examples -- -D warnings)

echo "== static programs" >&2
SYS_LAYER_PROGRAMS=$(bash ci/build-programs.sh x86_64-unknown-linux-gnu)
export SYS_LAYER_PROGRAMS

echo "== unit and integration tests, on this machine's kernel" >&2
cargo build -q -p sys-layer-kernel-sim
export SYS_LAYER_KERNEL_SIM=$PWD/target/debug/kernel-sim
cargo test 2>&1 | tee target/test-output.txt

# The programs (built with floor 2.6.32) again, on simulated older kernels.
for kernel in 2.6.32 3.2 3.10 4.4 5.4; do
    echo "== integration tests on a simulated Linux $kernel" >&2
    SYS_LAYER_SIM_KERNEL=$kernel cargo test -p sys-layer-integration \
        --test startup --test binding --test tls --test io --test eras --test debug_builds 2>&1 |
        tee -a target/test-output.txt
done
passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' target/test-output.txt | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' target/test-output.txt | awk '{s+=$1} END {print s+0}')
echo "total: $passed passed, $failed failed"
