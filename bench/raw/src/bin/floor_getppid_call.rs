//! ns per getppid, the syscall in a function of its own (a direct call and
//! return around it): what any library call, glibc's included, cannot avoid.
#![no_std]
#![no_main]

use linux_raw_sys::general::__NR_getppid;
use sys_layer_bench_raw::*;

floor_main!(run);

#[inline(never)]
fn getppid() -> usize {
    // SAFETY: getppid takes no arguments.
    unsafe { sys_layer_arch::syscall0(__NR_getppid as usize) }
}

unsafe fn run(sp: *const usize) -> i32 {
    // SAFETY: the entry passes the kernel's stack pointer.
    let n = unsafe { arg1(sp, 1_000_000) };
    let mut sink = 0usize;
    let t0 = now_ns();
    for _ in 0..n {
        sink = sink.wrapping_add(core::hint::black_box(getppid)());
    }
    let t1 = now_ns();
    core::hint::black_box(sink);
    print_ratio(t1 - t0, n);
    0
}
