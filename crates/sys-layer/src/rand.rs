//! Random bytes from the kernel.
//!
//! `getrandom(2)` where the kernel has it (3.17), else the emulation in
//! docs/kernels.md (`/dev/urandom` once the pool is ready).

use crate::errno::{Errno, call_slot};
use crate::raw as call;

/// Fills `buf` with random bytes, waiting until the kernel's pool is ready
/// (only ever early in boot). Loops on short reads and `EINTR`.
///
/// `getrandom(2)`: <https://man7.org/linux/man-pages/man2/getrandom.2.html>
pub fn fill(buf: &mut [u8]) -> Result<(), Errno> {
    fill_with(buf, 0)
}

/// As [`fill`], but fails with `EAGAIN` instead of waiting for the pool.
pub fn fill_nonblocking(buf: &mut [u8]) -> Result<(), Errno> {
    fill_with(buf, linux_raw_sys::general::GRND_NONBLOCK)
}

fn fill_with(buf: &mut [u8], flags: u32) -> Result<(), Errno> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: rest is writable for its length.
        match call_slot(|e| unsafe { call::getrandom(rest.as_mut_ptr().cast(), rest.len(), flags, e) }) {
            Ok(n) => done += n,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
