//! ns per allocation/free pair of 16 to 256 bytes through sys-layer's
//! global allocator, the same pattern as bench/c/malloc.c.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::alloc::{alloc, dealloc};
use core::alloc::Layout;
use sys_layer::env;
use sys_layer_bench_programs::*;

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let n = arg_num(args, 1, 1_000_000);
    let mut live: [(*mut u8, usize); 8] = [(core::ptr::null_mut(), 0); 8];
    let t0 = now_ns();
    for i in 0..n {
        let size = 16 + ((i * 37) % 241) as usize;
        let slot = (i & 7) as usize;
        let (p, s) = live[slot];
        if !p.is_null() {
            // SAFETY: p came from alloc with this layout.
            unsafe { dealloc(p, Layout::from_size_align_unchecked(s, 8)) };
        }
        // SAFETY: a non-zero size.
        let q = unsafe { alloc(Layout::from_size_align_unchecked(size, 8)) };
        // SAFETY: q holds at least one byte.
        unsafe { q.write_volatile(i as u8) };
        live[slot] = (q, size);
    }
    let t1 = now_ns();
    print_ratio(t1 - t0, n);
    0
}
