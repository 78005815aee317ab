//! Threads and locks on sys-layer, the same workloads as bench/c/threads.c
//! (see there); prints ns per operation.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::alloc::{alloc, dealloc};
use core::alloc::Layout;
use core::sync::atomic::{AtomicU64, Ordering};
use sys_layer::sync::Mutex;
use sys_layer::{env, thread};
use sys_layer_bench_programs::*;

sys_layer::main!(main);

static LOCK: Mutex<u64> = Mutex::new(0);
static PER_THREAD: AtomicU64 = AtomicU64::new(0);

fn contend() {
    for _ in 0..PER_THREAD.load(Ordering::Relaxed) {
        *LOCK.lock() += 1;
    }
}

fn churn() {
    let mut live: [(*mut u8, usize); 8] = [(core::ptr::null_mut(), 0); 8];
    for i in 0..PER_THREAD.load(Ordering::Relaxed) {
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

fn two_threads(f: fn(), n: u64) -> u64 {
    PER_THREAD.store(n, Ordering::Relaxed);
    let t0 = now_ns();
    let a = thread::spawn(f).expect("spawn");
    let b = thread::spawn(f).expect("spawn");
    a.join();
    b.join();
    now_ns() - t0
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let mode = { args }.nth(1).map(|a| a.to_bytes()).unwrap_or(b"spawn");
    let n = arg_num(args, 2, 10_000);
    let (ns, ops) = match mode {
        b"spawn" => {
            let t0 = now_ns();
            for _ in 0..n {
                thread::spawn(|| ()).expect("spawn").join();
            }
            (now_ns() - t0, n)
        }
        b"mutex" => {
            let t0 = now_ns();
            for _ in 0..n {
                *LOCK.lock() += 1;
            }
            (now_ns() - t0, n)
        }
        b"contended" => (two_threads(contend, n), 2 * n),
        b"malloc2" => (two_threads(churn, n), 2 * n),
        _ => return 2,
    };
    print_ratio(ns, ops);
    0
}
