//! GB/s of sys-layer's memcpy, memset, memcmp, strlen at one size, through
//! function pointers the compiler cannot see through.
#![no_std]
#![no_main]

use core::ffi::{c_char, c_int, c_void};
use core::hint::black_box;
use sys_layer::env;
use sys_layer_bench_programs::*;

sys_layer::main!(main);

static mut A: [u8; (1 << 20) + 64] = [b'x'; (1 << 20) + 64];
static mut B: [u8; (1 << 20) + 64] = [b'x'; (1 << 20) + 64];

fn main(args: env::Args, _: env::Vars) -> i32 {
    let op = { args }.nth(1).map_or(&b"memcpy"[..], |a| a.to_bytes());
    let size = (arg_num(args, 2, 256) as usize).min(1 << 20);
    let iters = match arg_num(args, 3, 0) {
        0 => 2_000_000_000 / (size as u64 + 64),
        n => n,
    };
    let (a, b) = (&raw mut A as *mut u8, &raw mut B as *mut u8);
    // SAFETY: both buffers hold size + 64 bytes.
    unsafe {
        *a.add(size) = 0;
        *b.add(size) = 0;
    }
    let memcpy: unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> *mut c_void =
        black_box(sys_layer_mem::memcpy);
    let memset: unsafe extern "C" fn(*mut c_void, c_int, usize) -> *mut c_void = black_box(sys_layer_mem::memset);
    let memcmp: unsafe extern "C" fn(*const c_void, *const c_void, usize) -> c_int = black_box(sys_layer_mem::memcmp);
    let strlen: unsafe extern "C" fn(*const c_char) -> usize = black_box(sys_layer_mem::strlen);
    let mut sink = 0usize;
    let t0 = now_ns();
    for i in 0..iters {
        // SAFETY: every call stays within the buffers.
        unsafe {
            sink = sink.wrapping_add(match op {
                b"memcpy" => memcpy(b.cast(), a.cast(), size) as usize,
                b"memset" => memset(b.cast(), i as c_int, size) as usize,
                b"memcmp" => memcmp(a.cast(), b.cast(), size) as usize,
                _ => strlen(a.cast()),
            });
        }
    }
    let t1 = now_ns();
    black_box(sink);
    print_ratio(size as u64 * iters, t1 - t0);
    0
}
