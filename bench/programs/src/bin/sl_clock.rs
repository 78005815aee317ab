//! ns per clock_gettime(CLOCK_MONOTONIC) through the stub table (vDSO).
#![no_std]
#![no_main]

use sys_layer::env;
use sys_layer::time::{self, Clock};
use sys_layer_bench_programs::*;

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let n = arg_num(args, 1, 1_000_000);
    let mut sink = 0u32;
    let t0 = now_ns();
    for _ in 0..n {
        sink = sink.wrapping_add(time::clock_gettime(Clock::Monotonic).map_or(0, |t| t.nsec));
    }
    let t1 = now_ns();
    core::hint::black_box(sink);
    print_ratio(t1 - t0, n);
    0
}
