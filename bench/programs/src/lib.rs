//! Shared by the sys-layer benchmark programs.
#![no_std]

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
