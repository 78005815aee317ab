//! Memory: `mlock2` before 4.4.

use crate::layer::direct::{fail, ret_of};
use core::ffi::c_int;
use core::ffi::{c_uint, c_void};
use linux_raw_sys::errno::EINVAL;
use linux_raw_sys::general as g;
use sys_layer_arch::sys;

// ------------------------------------------------------------------- mlock2

/// `mlock2` before 4.4: flags 0 is `mlock`; `MLOCK_ONFAULT` gives `EINVAL`
/// (locking pages only as they fault in has no older equivalent).
pub(crate) unsafe extern "C" fn mlock2(addr: *const c_void, len: usize, flags: c_uint, errno: *mut c_int) -> isize {
    if flags != 0 {
        return fail(errno, EINVAL);
    }
    // SAFETY: the caller's range.
    ret_of(unsafe { sys!(g::__NR_mlock, addr, len) }, errno)
}
