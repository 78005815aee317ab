#!/usr/bin/env bash
# The whole test suite: formatting, lints, host unit tests, and the
# integration suite, which runs the static test programs
#   - on this machine's kernel and on simulated 2.6.32, 3.2, 3.10, 4.4 and 5.4
#     (x86_64 and i686: this kernel runs 32-bit programs),
#   - under qemu-user (aarch64, riscv64),
#   - on real kernels booted under qemu-system (Linux 6.1 for x86_64 with
#     i686 and aarch64, 6.12 for riscv64; simulated 3.10, 4.4, 5.4 inside
#     the aarch64 guest, 5.4 inside the riscv64 one): ci/real-kernels.sh,
#     for the targets named here. SYS_LAYER_REAL_KERNELS=0 leaves them out,
#     and says so.
#
#   usage: ci/test.sh [x86_64] [i686] [aarch64] [riscv64]   (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A TRIPLE=([x86_64]=x86_64-unknown-linux-gnu [i686]=i686-unknown-linux-gnu
    [aarch64]=aarch64-unknown-linux-gnu [riscv64]=riscv64gc-unknown-linux-gnu)
declare -A RUNNER=([aarch64]=qemu-aarch64-static [riscv64]=qemu-riscv64-static)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64 i686 aarch64 riscv64)
triples=""
for t in "${targets[@]}"; do
    [ -n "${TRIPLE[$t]:-}" ] || { echo "ci/test.sh: unknown target '$t' (x86_64, i686, aarch64, riscv64)" >&2; exit 2; }
    triples+=" ${TRIPLE[$t]}"
done
export SYS_LAYER_TARGETS="x86_64-unknown-linux-gnu$triples"
source ci/setup.sh

echo "== rustfmt" >&2
cargo fmt --all -- --check
echo "== clippy" >&2
cargo clippy --lib --bins --tests -q -- -D warnings
for triple in $SYS_LAYER_TARGETS; do
    (source ci/static-flags.sh && export_static_rustflags "$triple" &&
        cargo clippy -q --target "$triple" -p sys-layer-test-programs -p sys-layer-guest-init -p sys-layer --features sys-layer/examples \
            --bins --lib --examples -- -D warnings
        # The C layer for std programs, on its own: it turns on sys-layer's
        # c-main, which the no_std programs above must not get.
        cargo clippy -q --target "$triple" -p sys-layer-c-abi -p sys-layer-std -- -D warnings
        cargo clippy -q --target "$triple" -p sys-layer-c-abi -p sys-layer-std --features sys-layer-std/unwind -- -D warnings
        # The benchmark programs run on this machine only (bench/run.sh).
        if [ "$triple" = x86_64-unknown-linux-gnu ]; then
            cargo clippy -q --target "$triple" -p sys-layer-bench-programs -p sys-layer-bench-raw -- -D warnings
        fi)
done
echo "== rustfmt and clippy, corpus (tests/corpus, its own workspace)" >&2
cargo fmt --manifest-path tests/corpus/Cargo.toml --all -- --check
cargo clippy -q --locked --manifest-path tests/corpus/Cargo.toml --target-dir target/corpus --workspace --bins --lib \
    -- -D warnings
echo "== rustfmt and clippy, std programs (tests/std-programs, its own workspace)" >&2
cargo fmt --manifest-path tests/std-programs/Cargo.toml --all -- --check
(cd tests/std-programs && cargo clippy -q --locked --release --features unwind --bins --lib --tests --target-dir ../../target/std-programs-clippy -- -D warnings)
echo "== rustfmt and clippy, std benchmark programs (bench/std, its own workspace)" >&2
cargo fmt --manifest-path bench/std/Cargo.toml --all -- --check
(cd bench/std && cargo clippy -q --locked --release --features sys-layer --bins --target-dir ../../target/std-programs-clippy -- -D warnings)

: > target/test-output.txt
# The integration tests that run programs on every target and kernel: each
# test file says so in a line "//! Runs on every target and kernel: ..."
# (the others, "//! Runs once ..." or "//! Runs nothing ...", read files or
# build the host crate, once). A file with neither line stops the suite.
RUNNING=()
for file in tests/integration/tests/*.rs; do
    if grep -q '^//! Runs on every target and kernel: ' "$file"; then
        RUNNING+=(--test "$(basename "$file" .rs)")
    elif ! grep -qE '^//! Runs (once|nothing)' "$file"; then
        echo "ci/test.sh: $file does not say what it runs ('//! Runs on every target and kernel: PROGRAMS')" >&2
        exit 2
    fi
done

echo "== static programs for x86_64 (also the reference for the others)" >&2
reference=$(bash ci/build-programs.sh x86_64-unknown-linux-gnu)
cargo build -q -p sys-layer-kernel-sim
export SYS_LAYER_KERNEL_SIM=$PWD/target/debug/kernel-sim SYS_LAYER_REFERENCE_PROGRAMS=$reference

for t in "${targets[@]}"; do
    dir=$(bash ci/build-programs.sh "${TRIPLE[$t]}")
    export SYS_LAYER_PROGRAMS=$dir SYS_LAYER_ARCH=$t SYS_LAYER_RUNNER=${RUNNER[$t]:-}
    if [ "$t" = x86_64 ]; then
        echo "== unit tests and the whole integration suite, x86_64, on this machine's kernel" >&2
        cargo test 2>&1 | tee -a target/test-output.txt
        # A build with AVX2 and BMI1 chooses the memory functions' paths at
        # compile time (crates/mem/src/x86.rs, BUILT_WITH_AVX2): its unit
        # tests, where this CPU can run them.
        if grep -qw avx2 /proc/cpuinfo && grep -qw bmi1 /proc/cpuinfo; then
            echo "== sys-layer-mem's unit tests built with +avx2,+bmi1" >&2
            RUSTFLAGS="-Ctarget-feature=+avx2,+bmi1" cargo test -p sys-layer-mem --target-dir target/mem-avx2 2>&1 |
                tee -a target/test-output.txt
        else
            echo "== sys-layer-mem built with +avx2,+bmi1: NOT RUN (this CPU lacks AVX2 or BMI1)" |
                tee -a target/test-output.txt >&2
        fi
    else
        echo "== integration suite, $t${SYS_LAYER_RUNNER:+ under $SYS_LAYER_RUNNER}" >&2
        cargo test -p sys-layer-integration "${RUNNING[@]}" --test elf 2>&1 | tee -a target/test-output.txt
    fi
    if [ -z "$SYS_LAYER_RUNNER" ]; then
        for kernel in 2.6.32 3.2 3.10 4.4 5.4; do
            echo "== integration suite, $t, on a simulated Linux $kernel" >&2
            SYS_LAYER_SIM_KERNEL=$kernel cargo test -p sys-layer-integration "${RUNNING[@]}" 2>&1 |
                tee -a target/test-output.txt
        done
    fi
done

if [ "${SYS_LAYER_REAL_KERNELS:-1}" = 0 ]; then
    echo "== real kernels: NOT RUN (SYS_LAYER_REAL_KERNELS=0)" | tee -a target/test-output.txt >&2
else
    echo "== integration suite on real kernels under qemu-system: ${targets[*]}" >&2
    set +e
    bash ci/real-kernels.sh "${targets[@]}" 2>&1 | tee -a target/test-output.txt
    real_status=${PIPESTATUS[0]}
    set -e
    if [ "$real_status" = 3 ]; then
        # The images could not be had: said above (UNAVAILABLE), and counted.
        echo "== real kernels: UNAVAILABLE, see above; 1 failed" | tee -a target/test-output.txt >&2
    elif [ "$real_status" = 4 ]; then
        echo "== real kernels: a guest did not start, see above; 1 failed" | tee -a target/test-output.txt >&2
    fi
fi

passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' target/test-output.txt | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' target/test-output.txt | awk '{s+=$1} END {print s+0}')
echo "total: $passed passed, $failed failed"
