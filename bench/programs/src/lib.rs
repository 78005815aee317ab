//! Shared by the sys-layer benchmark programs.
#![no_std]

extern crate alloc;

use sys_layer::time::{self, Clock};

/// Monotonic nanoseconds.
pub fn now_ns() -> u64 {
    let t = time::clock_gettime(Clock::Monotonic).expect("CLOCK_MONOTONIC");
    t.sec as u64 * 1_000_000_000 + t.nsec as u64
}

/// The `i`th argument as a number, or `default`.
pub fn arg_num(args: sys_layer::env::Args, i: usize, default: u64) -> u64 {
    args.clone().nth(i).and_then(|a| core::str::from_utf8(a.to_bytes()).ok()?.parse().ok()).unwrap_or(default)
}

/// Prints `num / den` with three decimals.
pub fn print_ratio(num: u64, den: u64) {
    let milli = num * 1000 / den.max(1);
    sys_layer::println!("{}.{:03}", milli / 1000, milli % 1000);
}

/// The malloc benchmark's pattern: `n` allocation/free pairs of 16 to 256
/// bytes, sizes varying, eight blocks live at a time (as bench/c/malloc.c),
/// through the global allocator; the last eight are freed at the end.
pub fn churn(n: u64) {
    use alloc::alloc::{alloc, dealloc};
    use core::alloc::Layout;
    let mut live: [(*mut u8, usize); 8] = [(core::ptr::null_mut(), 0); 8];
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
    for (p, s) in live {
        if !p.is_null() {
            // SAFETY: as above.
            unsafe { dealloc(p, Layout::from_size_align_unchecked(s, 8)) };
        }
    }
}
