//! The startup floor: write one line, exit.
#![no_std]
#![no_main]

use sys_layer_bench_raw::*;

floor_main!(run);

unsafe fn run(_: *const usize) -> i32 {
    write_out(b"hello\n");
    0
}
