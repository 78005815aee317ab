//! Signals: `sigaction`, `signal`, `sigaltstack`, masks and sets, over
//! [`sys_layer::signal`].

use crate::{fail, ret_int};
use core::ffi::{c_int, c_ulong};
use linux_raw_sys::general as g;
use sys_layer::Errno;
use sys_layer::signal::{self, RawAction, SigSet};

/// glibc's `sigset_t`: 1024 bits, of which the kernel's 64 come first.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SigsetT([c_ulong; 1024 / WORD_BITS]);

/// Bits in one word of a `sigset_t`.
const WORD_BITS: usize = c_ulong::BITS as usize;

/// The word of a set that holds signal `sig` (1 up), and its bit there.
fn locate(sig: u32) -> (usize, c_ulong) {
    let bit = (sig - 1) as usize;
    (bit / WORD_BITS, 1 << (bit % WORD_BITS))
}

/// glibc's `struct sigaction` (the same field order on the four targets).
#[repr(C)]
pub struct Sigaction {
    handler: usize,
    mask: SigsetT,
    flags: c_int,
    restorer: usize,
}

/// The kernel's 64 signals of a C set: its first 64 bits, which have the
/// kernel's layout.
#[allow(clippy::unnecessary_cast, reason = "the words are u32 on i686")]
pub(crate) fn to_kernel(set: &SigsetT) -> SigSet {
    let bits = (0..64 / WORD_BITS).fold(0u64, |bits, w| bits | (set.0[w] as u64) << (w * WORD_BITS));
    SigSet::from_bits(bits)
}

/// A C set holding the kernel set's signals.
pub(crate) fn from_kernel(k: &SigSet) -> SigsetT {
    let mut set = SigsetT([0; _]);
    for (w, word) in set.0.iter_mut().take(64 / WORD_BITS).enumerate() {
        *word = (k.bits() >> (w * WORD_BITS)) as c_ulong;
    }
    set
}

fn member(set: &SigsetT, sig: u32) -> bool {
    let (word, bit) = locate(sig);
    set.0[word] & bit != 0
}

/// `sigaction(2)`.
///
/// # Safety
/// `new` and `old` are null or valid; the handler is sound to run when the
/// signal arrives.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigaction(sig: c_int, new: *const Sigaction, old: *mut Sigaction) -> c_int {
    // SAFETY: as the caller vouches.
    let new = unsafe { new.as_ref() }.map(|a| RawAction {
        handler: a.handler,
        flags: a.flags as u32,
        mask: to_kernel(&a.mask),
    });
    // SAFETY: as the caller vouches.
    match unsafe { signal::exchange_raw_action(sig as u32, new) } {
        Ok(before) => {
            if !old.is_null() {
                let a = Sigaction {
                    handler: before.handler,
                    mask: from_kernel(&before.mask),
                    flags: before.flags as c_int,
                    restorer: 0,
                };
                // SAFETY: as the caller vouches.
                unsafe { old.write(a) };
            }
            0
        }
        Err(e) => fail(e),
    }
}

/// `signal(2)`, with BSD semantics as glibc's (`SA_RESTART`, the handler
/// stays): the previous handler, or `SIG_ERR` (`-1`).
///
/// # Safety
/// As [`sigaction`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signal(sig: c_int, handler: usize) -> usize {
    let new = RawAction { handler, flags: g::SA_RESTART, mask: SigSet::empty() };
    // SAFETY: as the caller vouches.
    match unsafe { signal::exchange_raw_action(sig as u32, Some(new)) } {
        Ok(before) => before.handler,
        Err(e) => fail::<isize>(e) as usize,
    }
}

/// `sigaltstack(2)`: C's `stack_t` is the kernel's.
///
/// # Safety
/// `new` and `old` are null or valid; the new stack stays usable while it
/// is the thread's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigaltstack(new: *const g::stack_t, old: *mut g::stack_t) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { sys_layer::c::sigaltstack(new, old) })
}

/// `pthread_sigmask(3)`: returns the error number.
///
/// # Safety
/// `set` and `old` are null or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_sigmask(how: c_int, set: *const SigsetT, old: *mut SigsetT) -> c_int {
    // SAFETY: as the caller vouches.
    let set = unsafe { set.as_ref() }.map(to_kernel);
    let mut before = SigSet::empty();
    let setp = set.as_ref().map_or(core::ptr::null(), |s| s as *const SigSet);
    // SAFETY: SigSet is the kernel's set (repr(transparent)); both valid.
    let r = unsafe {
        sys_layer::raw::rt_sigprocmask(how, setp.cast(), (&raw mut before).cast(), 8, sys_layer::c::errno_location())
    };
    if r < 0 {
        return sys_layer::c::errno();
    }
    if !old.is_null() {
        // SAFETY: as the caller vouches.
        unsafe { old.write(from_kernel(&before)) };
    }
    0
}

/// `sigprocmask(2)`: [`pthread_sigmask`] with `errno`.
///
/// # Safety
/// As [`pthread_sigmask`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigprocmask(how: c_int, set: *const SigsetT, old: *mut SigsetT) -> c_int {
    // SAFETY: as the caller vouches.
    match unsafe { pthread_sigmask(how, set, old) } {
        0 => 0,
        e => fail(Errno::from_raw(e)),
    }
}

/// `sigemptyset(3)`.
///
/// # Safety
/// `set` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigemptyset(set: *mut SigsetT) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { set.write(SigsetT([0; _])) };
    0
}

/// `sigfillset(3)`.
///
/// # Safety
/// `set` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigfillset(set: *mut SigsetT) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { set.write(SigsetT([!0; _])) };
    0
}

/// `sigaddset(3)` and `sigdelset(3)`'s work.
///
/// # Safety
/// `set` is writable.
unsafe fn change(set: *mut SigsetT, sig: c_int, on: bool) -> c_int {
    if sig <= 0 || sig as usize > signal::NSIG {
        return fail(Errno::EINVAL);
    }
    let (word, bit) = locate(sig as u32);
    // SAFETY: as the caller vouches.
    let word = unsafe { &mut (*set).0[word] };
    if on {
        *word |= bit;
    } else {
        *word &= !bit;
    }
    0
}

/// `sigaddset(3)`.
///
/// # Safety
/// `set` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigaddset(set: *mut SigsetT, sig: c_int) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { change(set, sig, true) }
}

/// `sigdelset(3)`.
///
/// # Safety
/// `set` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigdelset(set: *mut SigsetT, sig: c_int) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { change(set, sig, false) }
}

/// `sigismember(3)`.
///
/// # Safety
/// `set` is readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigismember(set: *const SigsetT, sig: c_int) -> c_int {
    if sig <= 0 || sig as usize > signal::NSIG {
        return fail(Errno::EINVAL);
    }
    // SAFETY: as the caller vouches.
    member(unsafe { &*set }, sig as u32) as c_int
}

/// `raise(3)`: to the calling thread.
#[unsafe(no_mangle)]
pub extern "C" fn raise(sig: c_int) -> c_int {
    match signal::raise(sig as u32) {
        Ok(()) => 0,
        Err(e) => fail(e),
    }
}

/// `kill(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn kill(pid: c_int, sig: c_int) -> c_int {
    match signal::kill(pid, sig as u32) {
        Ok(()) => 0,
        Err(e) => fail(e),
    }
}

/// `pause(2)`: waits for a signal (`ppoll` on no descriptor, no timeout);
/// always `-1` with `EINTR`.
#[unsafe(no_mangle)]
pub extern "C" fn pause() -> c_int {
    // SAFETY: no descriptors, no timeout, no mask.
    ret_int(unsafe { sys_layer::c::ppoll(core::ptr::null_mut(), 0, core::ptr::null(), core::ptr::null(), 8) })
}
