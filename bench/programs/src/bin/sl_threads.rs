//! Threads and locks on sys-layer, the same workloads as bench/c/threads.c
//! (see there); prints ns per operation.
#![no_std]
#![no_main]

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

fn churn_per_thread() {
    churn(PER_THREAD.load(Ordering::Relaxed));
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
        b"malloc2" => (two_threads(churn_per_thread, n), 2 * n),
        _ => return 2,
    };
    print_ratio(ns, ops);
    0
}
