//! Random bytes: `getrandom` before 3.17.

use super::close_quietly;
use crate::layer::abi32;
use crate::layer::direct::{fail, ret_of};
use core::ffi::c_int;
use core::ffi::{c_uint, c_void};
use linux_raw_sys::errno::{EAGAIN, EINVAL};
use linux_raw_sys::general as g;
use linux_raw_sys::general::{GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM};
use sys_layer_arch::sys;

/// `getrandom` before 3.17: waits (unless `GRND_NONBLOCK`) until
/// `/dev/random` is readable, which is when the kernel's pool is
/// initialised, then reads `/dev/urandom` (or `/dev/random` for
/// `GRND_RANDOM`) once. Differs from the system call in needing `/dev`
/// and two descriptors while it runs.
pub(crate) unsafe extern "C" fn getrandom(buf: *mut c_void, len: usize, flags: c_uint, errno: *mut c_int) -> isize {
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_RANDOM | GRND_INSECURE) == GRND_RANDOM | GRND_INSECURE
    {
        return fail(errno, EINVAL);
    }
    let nonblock = if flags & GRND_NONBLOCK != 0 { g::O_NONBLOCK } else { 0 };
    if flags & GRND_INSECURE == 0 {
        // SAFETY: a NUL-terminated path; the descriptor is closed below.
        let random = match unsafe {
            sys!(g::__NR_openat, g::AT_FDCWD, c"/dev/random".as_ptr(), g::O_RDONLY | g::O_CLOEXEC | nonblock, 0u32)
        } {
            Ok(fd) => fd,
            Err(e) => return fail(errno, e as u32),
        };
        let ready = abi32::wait_readable(random, nonblock != 0);
        close_quietly(random);
        match ready {
            Ok(false) => return fail(errno, EAGAIN),
            Ok(true) => {}
            Err(e) => return fail(errno, e as u32),
        }
    }
    let path = if flags & GRND_RANDOM != 0 { c"/dev/random" } else { c"/dev/urandom" };
    // SAFETY: a NUL-terminated path; the descriptor is closed below.
    let fd = match unsafe {
        sys!(g::__NR_openat, g::AT_FDCWD, path.as_ptr(), g::O_RDONLY | g::O_CLOEXEC | nonblock, 0u32)
    } {
        Ok(fd) => fd,
        Err(e) => return fail(errno, e as u32),
    };
    // SAFETY: the caller vouches that buf is writable for len bytes.
    let read = unsafe { sys!(g::__NR_read, fd, buf, len) };
    close_quietly(fd);
    ret_of(read, errno)
}
