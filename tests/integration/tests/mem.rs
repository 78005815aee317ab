//! The memory functions on the target itself (its own paths: SSE2 and AVX2
//! on x86, the portable ones on aarch64 and riscv64): every size 0..=1100,
//! every alignment pair, overlapping moves, ranges next to unmapped pages,
//! against a byte-at-a-time reference.
//!
//! Runs on every target and kernel: mem_functions.

use sys_layer_integration::*;

#[test]
fn every_mem_function_agrees_with_the_reference() {
    let text = assert_checks_pass("mem_functions", &[]);
    let cases: u64 = text.lines().find_map(|l| l.strip_prefix("cases: ")).expect("cases line").parse().unwrap();
    // copies, overlapping moves, fills, compares, lengths: over a million.
    assert!(cases > 1_000_000, "only {cases} cases ran");
}
