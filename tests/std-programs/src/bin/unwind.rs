//! `panic = "unwind"` with sys-layer-std's `unwind` feature: catch_unwind
//! runs the destructors on the way and returns the panic; a thread's panic
//! reaches `join`; a backtrace is captured and symbolised.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::panic;

struct Guard(&'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        println!("drop {}", self.0);
    }
}

#[inline(never)]
fn checked(n: u32) -> u32 {
    let _guard = Guard("checked");
    if n > 2 {
        panic!("too big: {n}");
    }
    n
}

fn main() {
    let caught = panic::catch_unwind(|| checked(5)).unwrap_err();
    println!("caught: {}", caught.downcast_ref::<String>().unwrap());
    println!("ok: {:?}", panic::catch_unwind(|| checked(1)));
    let joined = std::thread::spawn(|| checked(9)).join();
    println!("thread panicked: {}", joined.is_err());
    let backtrace = Backtrace::force_capture();
    println!("backtrace captured: {}", backtrace.status() == BacktraceStatus::Captured);
    println!("names main: {}", backtrace.to_string().contains("unwind::main"));
}
