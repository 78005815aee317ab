//! ns per allocation/free pair of 16 to 256 bytes through sys-layer's
//! global allocator, the same pattern as bench/c/malloc.c.
#![no_std]
#![no_main]

use sys_layer::env;
use sys_layer_bench_programs::*;

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let n = arg_num(args, 1, 1_000_000);
    let t0 = now_ns();
    churn(n);
    let t1 = now_ns();
    print_ratio(t1 - t0, n);
    0
}
