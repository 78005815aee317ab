//! Refusals: when a newer system call is answered as if the kernel lacked
//! it, the slot falls back, and remembers that.
//!
//! From a slot's first kernel on, its era implementation makes the system
//! call and falls back if the kernel refuses it with `ENOSYS` or `EPERM`
//! (a container's seccomp filter), remembering the outcome per slot.

use core::ffi::c_int;
use core::sync::atomic::{AtomicU8, Ordering};
use linux_raw_sys::errno::{ENOSYS, EPERM};

/// What a slot learnt about its newer system call: not yet tried, works,
/// or refused (so the fallback is used from then on).
pub(crate) struct FallbackState(AtomicU8);

const UNTRIED: u8 = 0;
const WORKS: u8 = 1;
const REFUSED: u8 = 2;

impl FallbackState {
    /// Not tried yet.
    pub(crate) const fn new() -> Self {
        FallbackState(AtomicU8::new(UNTRIED))
    }
}

impl Default for FallbackState {
    fn default() -> Self {
        Self::new()
    }
}

/// Calls `direct`; if the kernel refuses it with `ENOSYS`, or with `EPERM`
/// that the fallback does not give too, uses `fallback` instead and
/// remembers that. An `EPERM` that the fallback repeats is the answer to
/// this call, not a refusal of the system call, so nothing is remembered.
///
/// # Safety
/// `errno` must be writable; `direct` and `fallback` follow the convention.
#[inline(always)]
pub(crate) unsafe fn with_fallback(
    state: &FallbackState,
    errno: *mut c_int,
    direct: impl FnOnce(*mut c_int) -> isize,
    fallback: impl FnOnce(*mut c_int) -> isize,
) -> isize {
    let known = state.0.load(Ordering::Relaxed);
    if known == REFUSED {
        return fallback(errno);
    }
    let mut direct_errno = 0;
    let ret = direct(&mut direct_errno);
    if ret != -1 {
        if known == UNTRIED {
            state.0.store(WORKS, Ordering::Relaxed);
        }
        return ret;
    }
    let refused = known == UNTRIED && (direct_errno == ENOSYS as c_int || direct_errno == EPERM as c_int);
    if !refused {
        // SAFETY: the convention makes errno a valid pointer.
        unsafe { errno.write(direct_errno) };
        return -1;
    }
    let ret = fallback(errno);
    // SAFETY: as above; the fallback followed the convention.
    let fallback_errno = if ret == -1 { unsafe { errno.read() } } else { 0 };
    if direct_errno == ENOSYS as c_int || fallback_errno != EPERM as c_int {
        state.0.store(REFUSED, Ordering::Relaxed);
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf(
        s: &FallbackState,
        e: &mut c_int,
        direct: impl FnOnce(*mut c_int) -> isize,
        fallback: impl FnOnce(*mut c_int) -> isize,
    ) -> isize {
        // SAFETY: e is a test local.
        unsafe { with_fallback(s, e, direct, fallback) }
    }

    fn ok(_: *mut c_int) -> isize {
        7
    }
    fn fail_with(e: i32) -> impl FnOnce(*mut c_int) -> isize {
        move |p| {
            // SAFETY: p is a test local.
            unsafe { *p = e };
            -1
        }
    }

    #[test]
    fn enosys_falls_back_and_is_remembered() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, fail_with(ENOSYS as i32), ok), 7);
        // Remembered: direct is not even called.
        assert_eq!(wf(&s, &mut e, |_| panic!("direct called again"), ok), 7);
    }

    #[test]
    fn a_repeated_eperm_is_an_answer_not_a_refusal() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, fail_with(EPERM as i32), fail_with(EPERM as i32)), -1);
        assert_eq!(e, EPERM as i32);
        assert_eq!(wf(&s, &mut e, ok, |_| panic!("fallback used")), 7);
    }

    #[test]
    fn eperm_from_a_filter_falls_back() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, fail_with(EPERM as i32), ok), 7);
        assert_eq!(wf(&s, &mut e, |_| panic!("direct called again"), ok), 7);
    }

    #[test]
    fn other_errors_pass_through_and_working_calls_stay_direct() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, ok, |_| panic!("fallback used")), 7);
        assert_eq!(wf(&s, &mut e, fail_with(9), |_| panic!("fallback used")), -1);
        assert_eq!(e, 9);
        // Once the call worked, a later EPERM is the call's answer.
        assert_eq!(wf(&s, &mut e, fail_with(EPERM as i32), |_| panic!("fallback used")), -1);
    }
}
