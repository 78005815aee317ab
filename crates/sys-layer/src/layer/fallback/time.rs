//! Clocks, timers and timed waits on i686 before 64-bit time (5.1): the
//! 32-bit-time calls, with times narrowed and widened in `abi32` (exact
//! until 2038).

#![cfg(target_arch = "x86")]

use crate::layer::abi32::{narrow_timespec, widen_timespec};
use crate::layer::direct::{fail, ret_of};
use core::ffi::c_int;
use linux_raw_sys::general as g;
use sys_layer_arch::sys;

/// A timeout that may be null (wait for ever), narrowed to 32-bit time.
///
/// # Safety
/// `timeout` must be null or point at a readable timespec.
unsafe fn narrow_optional(timeout: *const g::__kernel_timespec) -> Result<Option<[i32; 2]>, c_int> {
    if timeout.is_null() {
        return Ok(None);
    }
    // SAFETY: not null, and the caller vouches for it.
    narrow_timespec(unsafe { &*timeout }).map(Some)
}

/// `clock_gettime` before 5.1: the 32-bit-time call, widened.
pub(crate) unsafe extern "C" fn clock_gettime(clock: c_int, tp: *mut g::__kernel_timespec, errno: *mut c_int) -> isize {
    let mut old = [0i32; 2];
    // SAFETY: old is writable for one 32-bit timespec.
    if let Err(e) = unsafe { sys!(g::__NR_clock_gettime, clock, old.as_mut_ptr()) } {
        return fail(errno, e as u32);
    }
    // SAFETY: the caller vouches that tp is writable.
    unsafe { tp.write(widen_timespec(old)) };
    0
}

/// `clock_getres` before 5.1: the 32-bit-time call, widened.
pub(crate) unsafe extern "C" fn clock_getres(clock: c_int, res: *mut g::__kernel_timespec, errno: *mut c_int) -> isize {
    let mut old = [0i32; 2];
    // SAFETY: old is writable for one 32-bit timespec.
    if let Err(e) = unsafe { sys!(g::__NR_clock_getres, clock, old.as_mut_ptr()) } {
        return fail(errno, e as u32);
    }
    if !res.is_null() {
        // SAFETY: the caller vouches that a non-null res is writable.
        unsafe { res.write(widen_timespec(old)) };
    }
    0
}

/// `clock_nanosleep` before 5.1: the 32-bit-time call (sleeps to 2038).
pub(crate) unsafe extern "C" fn clock_nanosleep(
    clock: c_int,
    flags: c_int,
    req: *const g::__kernel_timespec,
    rem: *mut g::__kernel_timespec,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller vouches for a readable request.
    let request = match narrow_timespec(unsafe { &*req }) {
        Ok(r) => r,
        Err(e) => return fail(errno, e as u32),
    };
    let mut left = [0i32; 2];
    let out = if rem.is_null() { core::ptr::null_mut() } else { left.as_mut_ptr() };
    // SAFETY: request and left are one 32-bit timespec each.
    let r = unsafe { sys!(g::__NR_clock_nanosleep, clock, flags, request.as_ptr(), out) };
    if r == Err(linux_raw_sys::errno::EINTR as c_int) && !rem.is_null() {
        // SAFETY: the caller vouches that a non-null rem is writable.
        unsafe { rem.write(widen_timespec(left)) };
    }
    ret_of(r, errno)
}

/// `futex` before 5.1: the 32-bit-time call. The fourth argument is a
/// timeout only for the waiting operations, narrowed there; the others
/// (`FUTEX_REQUEUE`, `FUTEX_WAKE_OP`, ...) read it as the integer `val2`,
/// passed on unchanged.
pub(crate) unsafe extern "C" fn futex(
    uaddr: *mut u32,
    op: c_int,
    val: u32,
    timeout: *const g::__kernel_timespec,
    uaddr2: *mut u32,
    val3: u32,
    errno: *mut c_int,
) -> isize {
    let takes_timeout = matches!(
        (op & g::FUTEX_CMD_MASK) as u32,
        g::FUTEX_WAIT | g::FUTEX_WAIT_BITSET | g::FUTEX_LOCK_PI | g::FUTEX_LOCK_PI2 | g::FUTEX_WAIT_REQUEUE_PI
    );
    let narrowed = if takes_timeout && !timeout.is_null() {
        // SAFETY: the caller vouches for a readable timespec.
        match narrow_timespec(unsafe { &*timeout }) {
            Ok(t) => Some(t),
            Err(e) => return fail(errno, e as u32),
        }
    } else {
        None
    };
    let fourth = match &narrowed {
        Some(t) => t.as_ptr() as usize,
        None => timeout as usize,
    };
    // SAFETY: the caller vouches for the words; `fourth` is null, the
    // caller's val2, or one 32-bit timespec.
    ret_of(unsafe { sys!(g::__NR_futex, uaddr, op, val, fourth, uaddr2, val3) }, errno)
}

/// `rt_sigtimedwait` before 5.1: the 32-bit-time call (waits to 2038).
pub(crate) unsafe extern "C" fn rt_sigtimedwait(
    set: *const g::kernel_sigset_t,
    info: *mut g::siginfo_t,
    timeout: *const g::__kernel_timespec,
    sigsetsize: usize,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller vouches for a null or readable timespec.
    let narrowed = match unsafe { narrow_optional(timeout) } {
        Ok(t) => t,
        Err(e) => return fail(errno, e as u32),
    };
    let old = narrowed.as_ref().map_or(core::ptr::null(), |t| t.as_ptr());
    // SAFETY: the caller's set and info; old is null or one 32-bit timespec.
    ret_of(unsafe { sys!(g::__NR_rt_sigtimedwait, set, info, old, sigsetsize) }, errno)
}

/// `ppoll` before 5.1: the 32-bit-time call (waits to 2038). The slot's
/// timeout is read-only, so the time left is not written back.
pub(crate) unsafe extern "C" fn ppoll(
    fds: *mut g::pollfd,
    nfds: core::ffi::c_uint,
    timeout: *const g::__kernel_timespec,
    sigmask: *const g::kernel_sigset_t,
    sigsetsize: usize,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller vouches for a null or readable timespec.
    let narrowed = match unsafe { narrow_optional(timeout) } {
        Ok(t) => t,
        Err(e) => return fail(errno, e as u32),
    };
    let old = narrowed.as_ref().map_or(core::ptr::null(), |t| t.as_ptr());
    // SAFETY: the caller's descriptors and mask; old is null or one 32-bit timespec.
    ret_of(unsafe { sys!(g::__NR_ppoll, fds, nfds, old, sigmask, sigsetsize) }, errno)
}

/// An `itimerspec` in 32-bit time: interval, then value.
type ItimerspecNarrow = [[i32; 2]; 2];

fn widen_itimerspec(t: ItimerspecNarrow) -> g::__kernel_itimerspec {
    g::__kernel_itimerspec { it_interval: widen_timespec(t[0]), it_value: widen_timespec(t[1]) }
}

/// `timerfd_settime` before 5.1: the 32-bit-time call (times to 2038).
pub(crate) unsafe extern "C" fn timerfd_settime(
    fd: c_int,
    flags: c_int,
    new: *const g::__kernel_itimerspec,
    old: *mut g::__kernel_itimerspec,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller vouches for a readable itimerspec.
    let new = unsafe { &*new };
    let narrowed: ItimerspecNarrow = match (narrow_timespec(&new.it_interval), narrow_timespec(&new.it_value)) {
        (Ok(interval), Ok(value)) => [interval, value],
        (Err(e), _) | (_, Err(e)) => return fail(errno, e as u32),
    };
    let mut previous: ItimerspecNarrow = [[0; 2]; 2];
    let out = if old.is_null() { core::ptr::null_mut() } else { previous.as_mut_ptr() };
    // SAFETY: narrowed and previous are one 32-bit itimerspec each.
    let r = unsafe { sys!(g::__NR_timerfd_settime, fd, flags, narrowed.as_ptr(), out) };
    if r.is_ok() && !old.is_null() {
        // SAFETY: the caller vouches that a non-null old is writable.
        unsafe { old.write(widen_itimerspec(previous)) };
    }
    ret_of(r, errno)
}

/// `timerfd_gettime` before 5.1: the 32-bit-time call, widened.
pub(crate) unsafe extern "C" fn timerfd_gettime(
    fd: c_int,
    current: *mut g::__kernel_itimerspec,
    errno: *mut c_int,
) -> isize {
    let mut now: ItimerspecNarrow = [[0; 2]; 2];
    // SAFETY: now is writable for one 32-bit itimerspec.
    if let Err(e) = unsafe { sys!(g::__NR_timerfd_gettime, fd, now.as_mut_ptr()) } {
        return fail(errno, e as u32);
    }
    // SAFETY: the caller vouches that current is writable.
    unsafe { current.write(widen_itimerspec(now)) };
    0
}
