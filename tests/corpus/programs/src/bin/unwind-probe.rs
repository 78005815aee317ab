//! Not a crates.io program: calls the unwinder entry points that the
//! precompiled `core`/`alloc` reference (sys-layer defines them and does
//! not unwind). Prints what the defined answers are, then calls
//! `_Unwind_Resume`, which must end the process with a message.
#![no_std]
#![no_main]

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicI32, Ordering};
use sys_layer::println;

unsafe extern "C" {
    fn _Unwind_Backtrace(trace: *mut c_void, arg: *mut c_void) -> c_int;
    fn _Unwind_FindEnclosingFunction(pc: *mut c_void) -> *mut c_void;
    fn _Unwind_DeleteException(exception: *mut Exception);
    fn _Unwind_Resume(exception: *mut Exception) -> !;
}

/// `struct _Unwind_Exception`: class, cleanup, two private words.
#[repr(C)]
struct Exception {
    class: u64,
    cleanup: unsafe extern "C" fn(c_int, *mut Exception),
    private: [usize; 2],
}

static CLEANED: AtomicI32 = AtomicI32::new(-1);

unsafe extern "C" fn cleanup(reason: c_int, _exception: *mut Exception) {
    CLEANED.store(reason, Ordering::Relaxed);
}

sys_layer::main!(main);

fn main(_: sys_layer::env::Args, _: sys_layer::env::Vars) -> i32 {
    let mut exception = Exception { class: u64::from_be_bytes(*b"SYSLAYER"), cleanup, private: [0; 2] };
    // SAFETY: null trace function and argument: sys-layer calls neither.
    println!("backtrace: {}", unsafe { _Unwind_Backtrace(core::ptr::null_mut(), core::ptr::null_mut()) });
    // SAFETY: only the address is looked up.
    let enclosing = unsafe { _Unwind_FindEnclosingFunction(main as *mut c_void) };
    println!("enclosing function: {}", if enclosing.is_null() { "unknown" } else { "found" });
    // SAFETY: a valid exception header with a cleanup function.
    unsafe { _Unwind_DeleteException(&mut exception) };
    println!("cleanup reason: {}", CLEANED.load(Ordering::Relaxed));
    // SAFETY: ends the process (sys-layer does not unwind).
    unsafe { _Unwind_Resume(&mut exception) }
}
