//! Fallbacks: what a slot does on a kernel older than its system call,
//! one file per subject.
//!
//! Each has the slot's signature and the errno-pointer convention, and is
//! either exact, an emulation whose limits are written next to it, or an
//! honest error. Slots with no faithful emulation (`memfd_create`,
//! `pidfd_open`, `pidfd_send_signal`, `membarrier`) have no fallback: below
//! their kernel they are bound to the `ENOSYS` stub. A slot's row in `rows.rs` names its fallback;
//! `docs/kernels.md` lists them all.
//!
//! Fallbacks make their system calls with `sys!`, not through the table:
//! they are part of the layer. They depend on the contract crate (the slot
//! signatures), `direct` and `abi32`, and on nothing above them.

pub(crate) mod event;
pub(crate) mod fd;
pub(crate) mod fs;
pub(crate) mod io;
pub(crate) mod mm;
pub(crate) mod net;
pub(crate) mod process;
pub(crate) mod rand;
pub(crate) mod time;

use linux_raw_sys::general as g;
use sys_layer_arch::sys;

/// Closes a descriptor a fallback opened, keeping the caller's errno.
fn close_quietly(fd: usize) {
    // SAFETY: fd was opened by the fallback and is closed once.
    let _ = unsafe { sys!(g::__NR_close, fd) };
}

/// Whether a timeout is one the kernel accepts: seconds not negative,
/// nanoseconds below a second.
#[cfg_attr(target_arch = "x86", allow(dead_code))] // i686's recvmmsg goes through socketcall
fn valid_timeout(t: &g::__kernel_timespec) -> bool {
    t.tv_sec >= 0 && (0..1_000_000_000).contains(&t.tv_nsec)
}
