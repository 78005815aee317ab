//! Clocks, sleeping and yielding.
//!
//! On the 64-bit targets C's `struct timespec` is the kernel's 64-bit
//! `__kernel_timespec`, which the slots take.

use crate::ret_int;
use core::ffi::c_int;
use linux_raw_sys::general as g;
use sys_layer::c;

/// C's `struct timespec` on the 64-bit targets.
#[cfg(target_pointer_width = "64")]
type Timespec = g::__kernel_timespec;

/// `clock_gettime(2)` (the vDSO's where the kernel has it).
///
/// # Safety
/// `tp` is writable.
#[cfg(target_pointer_width = "64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_gettime(clock: c_int, tp: *mut Timespec) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::clock_gettime(clock, tp) })
}

/// `nanosleep(2)`, on `clock_nanosleep` (`CLOCK_REALTIME`, relative, as
/// the kernel's `nanosleep` is): `-1`, `EINTR` and the time left in `rem`
/// when a signal handler interrupts.
///
/// # Safety
/// `req` is readable; `rem` null or writable.
#[cfg(target_pointer_width = "64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nanosleep(req: *const Timespec, rem: *mut Timespec) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::clock_nanosleep(g::CLOCK_REALTIME as c_int, 0, req, rem) })
}

/// `sched_yield(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn sched_yield() -> c_int {
    // SAFETY: no memory.
    ret_int(unsafe { c::sched_yield() })
}
