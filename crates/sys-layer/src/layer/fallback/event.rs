//! Readiness: `epoll_pwait2` before 5.11.

use super::valid_timeout;
use crate::layer::direct::{fail, ret_of};
use core::ffi::c_int;
use linux_raw_sys::errno::EINVAL;
use linux_raw_sys::general as g;
use sys_layer_arch::sys;

// ------------------------------------------------------------- epoll_pwait2

/// `epoll_pwait2` before 5.11, as `epoll_pwait` with the timeout rounded up
/// to whole milliseconds (so it never wakes early); a null timeout waits
/// for ever.
pub(crate) unsafe extern "C" fn epoll_pwait2(
    epfd: c_int,
    events: *mut g::epoll_event,
    maxevents: c_int,
    timeout: *const g::__kernel_timespec,
    sigmask: *const g::kernel_sigset_t,
    sigsetsize: usize,
    errno: *mut c_int,
) -> isize {
    let ms: i32 = if timeout.is_null() {
        -1
    } else {
        // SAFETY: the caller vouches for a readable timespec.
        let t = unsafe { timeout.read() };
        if !valid_timeout(&t) {
            return fail(errno, EINVAL);
        }
        let total = (t.tv_sec as u128) * 1000 + (t.tv_nsec as u128).div_ceil(1_000_000);
        total.min(i32::MAX as u128) as i32
    };
    // SAFETY: the caller's buffers and descriptor.
    ret_of(unsafe { sys!(g::__NR_epoll_pwait, epfd, events, maxevents, ms, sigmask, sigsetsize) }, errno)
}
