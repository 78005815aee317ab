//! Clocks, sleeping and yielding.
//!
//! On the 64-bit targets C's `struct timespec` is the kernel's 64-bit
//! `__kernel_timespec`, which the slots take. On i686, glibc's (what std
//! is built against there) has a 32-bit `time_t`: the values are widened
//! for the slots and narrowed back, `EOVERFLOW` past 2038.

use crate::ret_int;
use core::ffi::c_int;
use linux_raw_sys::general as g;
use sys_layer::c;

/// C's `struct timespec` on the 64-bit targets.
#[cfg(target_pointer_width = "64")]
type Timespec = g::__kernel_timespec;

/// glibc's `struct timespec` on i686 (32-bit `time_t`).
#[cfg(target_pointer_width = "32")]
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Timespec {
    tv_sec: i32,
    tv_nsec: i32,
}

/// The slots' 64-bit form.
#[cfg(target_pointer_width = "32")]
fn widen(t: Timespec) -> g::__kernel_timespec {
    g::__kernel_timespec { tv_sec: t.tv_sec as i64, tv_nsec: t.tv_nsec as i64 }
}

/// Back to C's form; `None` past 2038.
#[cfg(target_pointer_width = "32")]
fn narrow(t: g::__kernel_timespec) -> Option<Timespec> {
    Some(Timespec { tv_sec: i32::try_from(t.tv_sec).ok()?, tv_nsec: t.tv_nsec as i32 })
}

/// `clock_gettime(2)` with a 32-bit `time_t` (i686).
///
/// # Safety
/// `tp` is writable.
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_gettime(clock: c_int, tp: *mut Timespec) -> c_int {
    let mut t = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: t is writable.
    if unsafe { c::clock_gettime(clock, &mut t) } < 0 {
        return -1;
    }
    match narrow(t) {
        // SAFETY: as the caller vouches.
        Some(t) => unsafe { tp.write(t) },
        None => return crate::fail(sys_layer::Errno::EOVERFLOW),
    }
    0
}

/// `__clock_gettime64`: glibc's `clock_gettime` with a 64-bit `time_t` on
/// i686, which std uses when the C library has it (the slot's own form).
///
/// # Safety
/// `tp` is writable.
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __clock_gettime64(clock: c_int, tp: *mut g::__kernel_timespec) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::clock_gettime(clock, tp) })
}

/// `nanosleep(2)` with a 32-bit `time_t` (i686): see the 64-bit targets'.
///
/// # Safety
/// `req` is readable; `rem` null or writable.
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nanosleep(req: *const Timespec, rem: *mut Timespec) -> c_int {
    // SAFETY: as the caller vouches.
    let req = widen(unsafe { req.read() });
    let mut left = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: both live across the call.
    let r = unsafe { c::clock_nanosleep(g::CLOCK_REALTIME as c_int, 0, &req, &mut left) };
    if r < 0 && !rem.is_null() {
        // The time left is at most the time asked for: it fits.
        // SAFETY: as the caller vouches.
        unsafe { rem.write(narrow(left).unwrap_or(Timespec { tv_sec: i32::MAX, tv_nsec: 0 })) };
    }
    ret_int(r)
}

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

/// `clock_nanosleep(2)` with a 32-bit `time_t` (i686): returns the error
/// number, as C's does (not `errno`).
///
/// # Safety
/// `req` readable; `rem` null or writable.
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_nanosleep(
    clock: c_int,
    flags: c_int,
    req: *const Timespec,
    rem: *mut Timespec,
) -> c_int {
    // SAFETY: as the caller vouches.
    let req = widen(unsafe { req.read() });
    let mut left = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    let mut e = 0;
    // SAFETY: both live across the call.
    if unsafe { sys_layer::raw::clock_nanosleep(clock, flags, &req, &mut left, &mut e) } < 0 {
        if !rem.is_null() {
            // SAFETY: as the caller vouches.
            unsafe { rem.write(narrow(left).unwrap_or(Timespec { tv_sec: i32::MAX, tv_nsec: 0 })) };
        }
        return e;
    }
    0
}

/// `__clock_nanosleep_time64`: [`clock_nanosleep`] with a 64-bit `time_t`
/// on i686 (the slot's own form).
///
/// # Safety
/// `req` readable; `rem` null or writable.
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __clock_nanosleep_time64(
    clock: c_int,
    flags: c_int,
    req: *const g::__kernel_timespec,
    rem: *mut g::__kernel_timespec,
) -> c_int {
    let mut e = 0;
    // SAFETY: as the caller vouches; e is this call's errno.
    if unsafe { sys_layer::raw::clock_nanosleep(clock, flags, req, rem, &mut e) } < 0 { e } else { 0 }
}

/// `utimensat(2)` with a 32-bit `time_t` (i686); `UTIME_NOW` and
/// `UTIME_OMIT` pass through in `tv_nsec`.
///
/// # Safety
/// `path` null or a C string; `times` null or two timespecs.
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn utimensat(
    dir: c_int,
    path: *const core::ffi::c_char,
    times: *const Timespec,
    flags: c_int,
) -> c_int {
    let wide;
    let tp = if times.is_null() {
        core::ptr::null()
    } else {
        // SAFETY: as the caller vouches: two timespecs.
        wide = unsafe { [widen(times.read()), widen(times.add(1).read())] };
        wide.as_ptr()
    };
    // SAFETY: as the caller vouches; wide lives across the call.
    ret_int(unsafe { c::utimensat(dir, path, tp, flags) })
}

/// `futimens(3)` with a 32-bit `time_t` (i686).
///
/// # Safety
/// `times` null or two timespecs.
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn futimens(fd: c_int, times: *const Timespec) -> c_int {
    // SAFETY: a null path names the descriptor; as the caller vouches.
    unsafe { utimensat(fd, core::ptr::null(), times, 0) }
}

/// `__utimensat64`: [`utimensat`] with a 64-bit `time_t` on i686.
///
/// # Safety
/// As [`utimensat`].
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __utimensat64(
    dir: c_int,
    path: *const core::ffi::c_char,
    times: *const g::__kernel_timespec,
    flags: c_int,
) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::utimensat(dir, path, times, flags) })
}

/// `__futimens64`: [`futimens`] with a 64-bit `time_t` on i686.
///
/// # Safety
/// As [`futimens`].
#[cfg(target_pointer_width = "32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __futimens64(fd: c_int, times: *const g::__kernel_timespec) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::utimensat(fd, core::ptr::null(), times, 0) })
}
