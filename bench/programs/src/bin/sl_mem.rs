//! GB/s of sys-layer's memcpy, memmove (overlapping), memset, memcmp,
//! strlen at one size, called by the same C loop as the glibc and musl
//! builds' (bench/c/mem_loop.c, linked by build.rs); arguments and buffers
//! as bench/c/mem.c's.
#![no_std]
#![no_main]

use core::ffi::{c_char, c_int, c_void};
use core::hint::black_box;
use sys_layer::env;
use sys_layer_bench_programs::*;

sys_layer::main!(main);

type Copy = unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> *mut c_void;
type Set = unsafe extern "C" fn(*mut c_void, c_int, usize) -> *mut c_void;
type Compare = unsafe extern "C" fn(*const c_void, *const c_void, usize) -> c_int;
type Length = unsafe extern "C" fn(*const c_char) -> usize;

unsafe extern "C" {
    /// bench/c/mem_loop.c's buffers, placed the same for every build.
    fn bench_mem_buffers(size: usize, doff: usize, soff: usize, a: *mut *mut u8, b: *mut *mut u8) -> c_int;
    /// bench/c/mem_loop.c, which the glibc and musl builds run too.
    fn bench_mem_loop(
        which: c_int,
        function: unsafe extern "C" fn(),
        a: *mut u8,
        b: *mut u8,
        size: usize,
        iters: core::ffi::c_long,
    ) -> u64;
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let op = { args }.nth(1).map_or(&b"memcpy"[..], |a| a.to_bytes());
    let size = arg_num(args, 2, 256) as usize;
    let iters = match arg_num(args, 3, 0) {
        0 => 2_000_000_000 / (size as u64 + 64),
        n => n,
    };
    let (doff, soff) = (arg_num(args, 4, 0) as usize % 64, arg_num(args, 5, 0) as usize % 64);
    let (mut a, mut b) = (core::ptr::null_mut(), core::ptr::null_mut());
    // SAFETY: the function writes the two pointers and its own buffers.
    if unsafe { bench_mem_buffers(size, doff, soff, &mut a, &mut b) } != 0 {
        sys_layer::eprintln!("sl_mem: size {size} is above the benchmark's 1 MiB");
        return 2;
    }
    let which = match op {
        b"memcpy" => 0,
        b"memset" => 1,
        b"memcmp" => 2,
        b"memmove" => 4,
        _ => 3,
    };
    let address = match which {
        0 => sys_layer_mem::memcpy as Copy as *const (),
        1 => sys_layer_mem::memset as Set as *const (),
        2 => sys_layer_mem::memcmp as Compare as *const (),
        4 => sys_layer_mem::memmove as Copy as *const (),
        _ => sys_layer_mem::strlen as Length as *const (),
    };
    // SAFETY: a function's address as a function pointer; the loop calls
    // it through its own type again (`which` says which).
    let function = unsafe { core::mem::transmute::<*const (), unsafe extern "C" fn()>(address) };
    let t0 = now_ns();
    // SAFETY: every call the loop makes stays within the buffers.
    let sink = unsafe { bench_mem_loop(which, function, a, b, size, iters as core::ffi::c_long) };
    let t1 = now_ns();
    black_box(sink);
    print_ratio(size as u64 * iters, t1 - t0);
    0
}
