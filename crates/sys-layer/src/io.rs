//! Reading and writing file descriptors.

use crate::errno::{Errno, call_slot};
use crate::fd::{AsFd, AsRawFd};
use crate::raw as call;
use core::ffi::{c_int, c_void};

/// Reads into `buf`; returns the bytes read, 0 at end of file.
///
/// `read(2)`: <https://man7.org/linux/man-pages/man2/read.2.html>
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> Result<usize, Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: buf is writable for its length.
    call_slot(|e| unsafe { call::read(fd, buf.as_mut_ptr().cast(), buf.len(), e) })
}

/// Writes from `buf`; returns the bytes written, which may be fewer.
///
/// `write(2)`: <https://man7.org/linux/man-pages/man2/write.2.html>
pub fn write(fd: impl AsFd, buf: &[u8]) -> Result<usize, Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: buf is readable for its length.
    call_slot(|e| unsafe { call::write(fd, buf.as_ptr().cast(), buf.len(), e) })
}

/// Writes all of `buf`, retrying short writes and `EINTR`. A write that
/// makes no progress fails with `EIO` rather than loop.
pub fn write_all(fd: impl AsFd, buf: &[u8]) -> Result<(), Errno> {
    write_all_raw(table_write, fd.as_raw_fd(), buf)
}

/// A function with the `write` slot's signature.
pub(crate) type SlotWrite = unsafe extern "C" fn(c_int, *const c_void, usize, *mut c_int) -> isize;

/// The `write` slot of the bound table, as a [`SlotWrite`].
pub(crate) unsafe extern "C" fn table_write(fd: c_int, buf: *const c_void, len: usize, errno: *mut c_int) -> isize {
    // SAFETY: the caller keeps the write slot's contract.
    unsafe { call::write(fd, buf, len, errno) }
}

/// The loop behind [`write_all`], over any implementation of `write`.
pub(crate) fn write_all_raw(write: SlotWrite, fd: c_int, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        // SAFETY: buf is readable for its length; write keeps the slot's contract.
        match call_slot(|e| unsafe { write(fd, buf.as_ptr().cast(), buf.len(), e) }) {
            Ok(0) => return Err(Errno::EIO),
            Ok(n) => buf = &buf[n..],
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads until `buf` is full, retrying short reads and `EINTR`; returns the
/// bytes read, fewer than `buf.len()` only at end of file.
pub fn read_full(fd: impl AsFd, buf: &mut [u8]) -> Result<usize, Errno> {
    let fd = fd.as_fd();
    let mut done = 0;
    while done < buf.len() {
        match read(fd, &mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Whether `fd` refers to a terminal (`ioctl(TCGETS)` succeeds).
///
/// `isatty(3)`: <https://man7.org/linux/man-pages/man3/isatty.3.html>
pub fn is_terminal(fd: impl AsFd) -> bool {
    let fd = fd.as_raw_fd();
    let mut termios = core::mem::MaybeUninit::<linux_raw_sys::general::termios>::uninit();
    // SAFETY: TCGETS writes one termios into the buffer.
    call_slot(|e| unsafe { call::ioctl(fd, linux_raw_sys::ioctl::TCGETS as _, termios.as_mut_ptr().cast(), e) }).is_ok()
}
