//! ns per clock_gettime(CLOCK_MONOTONIC) as a system call (no vDSO).
#![no_std]
#![no_main]

use sys_layer_bench_raw::*;

floor_main!(run);

unsafe fn run(sp: *const usize) -> i32 {
    // SAFETY: the entry passes the kernel's stack pointer.
    let n = unsafe { arg1(sp, 1_000_000) };
    let mut sink = 0u64;
    let t0 = now_ns();
    for _ in 0..n {
        sink = sink.wrapping_add(now_ns());
    }
    let t1 = now_ns();
    core::hint::black_box(sink);
    print_ratio(t1 - t0, n);
    0
}
