//! GB/s of sys-layer's memcpy, memmove (overlapping), memset, memcmp,
//! strlen at one size, through function pointers the compiler cannot see
//! through; arguments and buffers as bench/c/mem.c's.
#![no_std]
#![no_main]

use core::ffi::{c_char, c_int, c_void};
use core::hint::black_box;
use sys_layer::env;
use sys_layer_bench_programs::*;

sys_layer::main!(main);

/// A buffer aligned as `aligned_alloc(64, ..)` gives the C programs.
#[repr(C, align(64))]
struct Buf([u8; (1 << 20) + 128]);

static mut A: Buf = Buf([b'x'; (1 << 20) + 128]);
static mut B: Buf = Buf([b'x'; (1 << 20) + 128]);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let op = { args }.nth(1).map_or(&b"memcpy"[..], |a| a.to_bytes());
    let size = (arg_num(args, 2, 256) as usize).min(1 << 20);
    let iters = match arg_num(args, 3, 0) {
        0 => 2_000_000_000 / (size as u64 + 64),
        n => n,
    };
    let (doff, soff) = (arg_num(args, 4, 0) as usize % 64, arg_num(args, 5, 0) as usize % 64);
    // SAFETY: the offsets leave size + 64 bytes in each buffer.
    let (a, b) = unsafe { ((&raw mut A as *mut u8).add(soff), (&raw mut B as *mut u8).add(doff)) };
    // SAFETY: both buffers hold size + 64 bytes.
    unsafe {
        *a.add(size) = 0;
        *b.add(size) = 0;
    }
    // As the C program: the operation chosen once, the function read
    // through a pointer the compiler cannot see, a volatile sink.
    type Copy = unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> *mut c_void;
    let which = match op {
        b"memcpy" => 0,
        b"memset" => 1,
        b"memcmp" => 2,
        b"memmove" => 4,
        _ => 3,
    };
    let memcpy: Copy = black_box(sys_layer_mem::memcpy);
    let memmove: Copy = black_box(sys_layer_mem::memmove);
    let memset: unsafe extern "C" fn(*mut c_void, c_int, usize) -> *mut c_void = black_box(sys_layer_mem::memset);
    let memcmp: unsafe extern "C" fn(*const c_void, *const c_void, usize) -> c_int = black_box(sys_layer_mem::memcmp);
    let strlen: unsafe extern "C" fn(*const c_char) -> usize = black_box(sys_layer_mem::strlen);
    let mut sink = 0usize;
    let t0 = now_ns();
    for i in 0..iters {
        // SAFETY: every call stays within the buffers.
        unsafe {
            let r = match which {
                0 => memcpy(b.cast(), a.cast(), size) as usize,
                1 => memset(b.cast(), i as c_int, size) as usize,
                2 => memcmp(a.cast(), b.cast(), size) as usize,
                4 => memmove(b.add(8).cast(), b.cast(), size) as usize,
                _ => strlen(a.cast()),
            };
            sink = core::ptr::read_volatile(&sink).wrapping_add(r);
            core::ptr::write_volatile(&mut sink, sink);
        }
    }
    let t1 = now_ns();
    black_box(sink);
    print_ratio(size as u64 * iters, t1 - t0);
    0
}
