//! Refusals: when a newer system call is answered as if the kernel lacked
//! it, the slot falls back, and remembers that.
//!
//! From a slot's first kernel on, its era implementation makes the system
//! call and falls back if the kernel refuses it, remembering the outcome
//! per slot. `ENOSYS` is a refusal. `EPERM` is ambiguous: a container's
//! seccomp filter answers it for calls it forbids, but the kernel means it
//! too (`renameat2(RENAME_NOREPLACE)` in a sticky directory, raising a hard
//! limit). So the first `EPERM` is put to a probe: the same system call
//! with arguments that cannot legitimately give `EPERM`. If the probe is
//! refused too, the call is refused whatever its arguments (a filter); if
//! not, the `EPERM` was the kernel's answer, goes to the caller, and the
//! slot keeps its system call.

use core::ffi::c_int;
use core::sync::atomic::{AtomicU8, Ordering};
use linux_raw_sys::errno::{ENOSYS, EPERM};
use sys_layer_arch::sys;

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

/// Calls `direct`; if the kernel refuses it (`ENOSYS`, or `EPERM` that
/// `refused_anyway` confirms), uses `fallback` instead and remembers that.
/// An `EPERM` the probe does not confirm is this call's answer: it goes to
/// the caller and the system call is remembered as working.
///
/// # Safety
/// `errno` must be writable; `direct` and `fallback` follow the convention.
#[inline(always)]
pub(crate) unsafe fn with_fallback(
    state: &FallbackState,
    errno: *mut c_int,
    direct: impl FnOnce(*mut c_int) -> isize,
    fallback: impl FnOnce(*mut c_int) -> isize,
    refused_anyway: impl FnOnce() -> bool,
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
    let refused =
        known == UNTRIED && (direct_errno == ENOSYS as c_int || (direct_errno == EPERM as c_int && refused_anyway()));
    if !refused {
        if known == UNTRIED && direct_errno == EPERM as c_int {
            state.0.store(WORKS, Ordering::Relaxed);
        }
        // SAFETY: the convention makes errno a valid pointer.
        unsafe { errno.write(direct_errno) };
        return -1;
    }
    state.0.store(REFUSED, Ordering::Relaxed);
    fallback(errno)
}

/// Whether system call `nr` is refused (`EPERM` or `ENOSYS`) even with
/// arguments that cannot legitimately give `EPERM`: the first argument -1
/// (an invalid descriptor, process or clock), the others 0 (null pointers,
/// zero lengths and flags). For every slot with a fallback these fail with
/// `EBADF`, `EFAULT`, `EINVAL` or `ESRCH`, or do nothing (a zero length),
/// so the probe has no effect. A call without a number is refused.
pub(crate) fn refused_whatever_the_arguments(nr: Option<u32>) -> bool {
    let Some(nr) = nr else { return true };
    // SAFETY: see above: with these arguments no slot's call acts on
    // anything; null pointers are never dereferenced by a call that fails
    // on its first argument, and zero lengths touch no memory.
    let r = unsafe { sys!(nr, usize::MAX, 0usize, 0usize, 0usize, 0usize, 0usize) };
    matches!(r, Err(e) if e == EPERM as c_int || e == ENOSYS as c_int)
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
        unsafe { with_fallback(s, e, direct, fallback, || panic!("probe run")) }
    }

    fn wf_probed(
        s: &FallbackState,
        e: &mut c_int,
        direct: impl FnOnce(*mut c_int) -> isize,
        fallback: impl FnOnce(*mut c_int) -> isize,
        filtered: bool,
    ) -> isize {
        // SAFETY: e is a test local.
        unsafe { with_fallback(s, e, direct, fallback, || filtered) }
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
    fn an_eperm_the_probe_does_not_confirm_is_the_kernels_answer() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf_probed(&s, &mut e, fail_with(EPERM as i32), |_| panic!("fallback used"), false), -1);
        assert_eq!(e, EPERM as i32);
        // The slot keeps its system call, and no second probe is made.
        assert_eq!(wf(&s, &mut e, ok, |_| panic!("fallback used")), 7);
        assert_eq!(wf(&s, &mut e, fail_with(EPERM as i32), |_| panic!("fallback used")), -1);
    }

    #[test]
    fn eperm_from_a_filter_falls_back() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf_probed(&s, &mut e, fail_with(EPERM as i32), ok, true), 7);
        assert_eq!(wf(&s, &mut e, |_| panic!("direct called again"), ok), 7);
    }

    #[test]
    fn the_probe_of_a_working_call_is_not_refused() {
        // getrandom with length 0 answers 0; an unknown number is ENOSYS.
        assert!(!refused_whatever_the_arguments(Some(linux_raw_sys::general::__NR_getrandom)));
        assert!(!refused_whatever_the_arguments(Some(linux_raw_sys::general::__NR_renameat2)));
        assert!(refused_whatever_the_arguments(Some(5000)));
        assert!(refused_whatever_the_arguments(None));
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
