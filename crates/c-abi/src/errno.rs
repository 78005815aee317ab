//! `errno`: the runtime's per-thread word, in the thread's data.

use core::ffi::c_int;

/// The address of the calling thread's `errno` (what `errno` expands to
/// in C).
#[unsafe(no_mangle)]
pub extern "C" fn __errno_location() -> *mut c_int {
    sys_layer::c::errno_location()
}
