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

/// Reads into `buf` at `offset`, leaving the file offset alone.
///
/// `pread(2)`: <https://man7.org/linux/man-pages/man2/pread.2.html>
pub fn pread(fd: impl AsFd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: buf is writable for its length.
    call_slot(|e| unsafe { call::pread64(fd, buf.as_mut_ptr().cast(), buf.len(), offset as i64, e) })
}

/// Writes `buf` at `offset`, leaving the file offset alone.
///
/// `pwrite(2)`: <https://man7.org/linux/man-pages/man2/pwrite.2.html>
pub fn pwrite(fd: impl AsFd, buf: &[u8], offset: u64) -> Result<usize, Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: buf is readable for its length.
    call_slot(|e| unsafe { call::pwrite64(fd, buf.as_ptr().cast(), buf.len(), offset as i64, e) })
}

/// Reads into several buffers in order.
///
/// `readv(2)`: <https://man7.org/linux/man-pages/man2/readv.2.html>
pub fn readv(fd: impl AsFd, bufs: &mut [&mut [u8]]) -> Result<usize, Errno> {
    let fd = fd.as_raw_fd();
    let mut iov = [linux_raw_sys::general::iovec { iov_base: core::ptr::null_mut(), iov_len: 0 }; 16];
    let n = bufs.len().min(iov.len());
    for (v, b) in iov.iter_mut().zip(bufs.iter_mut()) {
        *v = linux_raw_sys::general::iovec { iov_base: b.as_mut_ptr().cast(), iov_len: b.len() as _ };
    }
    // SAFETY: every vector points at a writable buffer of its length.
    call_slot(|e| unsafe { call::readv(fd, iov.as_ptr(), n as c_int, e) })
}

/// Writes several buffers in order (up to 16 per call).
///
/// `writev(2)`: <https://man7.org/linux/man-pages/man2/writev.2.html>
pub fn writev(fd: impl AsFd, bufs: &[&[u8]]) -> Result<usize, Errno> {
    let fd = fd.as_raw_fd();
    let mut iov = [linux_raw_sys::general::iovec { iov_base: core::ptr::null_mut(), iov_len: 0 }; 16];
    let n = bufs.len().min(iov.len());
    for (v, b) in iov.iter_mut().zip(bufs.iter()) {
        *v = linux_raw_sys::general::iovec { iov_base: b.as_ptr() as *mut c_void, iov_len: b.len() as _ };
    }
    // SAFETY: every vector points at a readable buffer of its length.
    call_slot(|e| unsafe { call::writev(fd, iov.as_ptr(), n as c_int, e) })
}

/// Where [`seek`] counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekFrom {
    /// From the start of the file.
    Start(u64),
    /// From the current offset.
    Current(i64),
    /// From the end of the file.
    End(i64),
}

/// Moves the file offset; returns the new one.
///
/// `lseek(2)`: <https://man7.org/linux/man-pages/man2/lseek.2.html>
pub fn seek(fd: impl AsFd, to: SeekFrom) -> Result<u64, Errno> {
    use linux_raw_sys::general::{SEEK_CUR, SEEK_END, SEEK_SET};
    let fd = fd.as_raw_fd();
    let (offset, whence) = match to {
        SeekFrom::Start(o) => (o as i64, SEEK_SET),
        SeekFrom::Current(o) => (o, SEEK_CUR),
        SeekFrom::End(o) => (o, SEEK_END),
    };
    let mut result = 0u64;
    // SAFETY: result is writable.
    call_slot(|e| unsafe { call::llseek(fd, offset, whence as c_int, &mut result, e) })?;
    Ok(result)
}

/// The optional file offset of [`sendfile`] and [`splice`]: read from and
/// advanced in `offset` when given (the descriptor's own offset is then
/// left alone).
fn offset_pointer(offset: Option<&mut u64>) -> *mut i64 {
    offset.map_or(core::ptr::null_mut(), |o| (o as *mut u64).cast())
}

/// Copies up to `count` bytes from `input` to `output` inside the kernel;
/// the number copied (0 at the end of `input`). From `*offset` when given,
/// else from `input`'s file offset.
///
/// `sendfile(2)`: <https://man7.org/linux/man-pages/man2/sendfile.2.html>
pub fn sendfile(output: impl AsFd, input: impl AsFd, offset: Option<&mut u64>, count: usize) -> Result<usize, Errno> {
    let (out_fd, in_fd) = (output.as_raw_fd(), input.as_raw_fd());
    let offset = offset_pointer(offset);
    // SAFETY: offset is null or a writable 64-bit offset.
    call_slot(|e| unsafe { call::sendfile(out_fd, in_fd, offset, count, e) })
}

/// Moves up to `len` bytes from `input` to `output`, one of which is a
/// pipe, inside the kernel; the number moved (0 at the end of `input`).
/// `flags`: `SPLICE_F_*` (linux-raw-sys). An offset is given only for a
/// descriptor that is not a pipe, as for [`sendfile`].
///
/// `splice(2)`: <https://man7.org/linux/man-pages/man2/splice.2.html>
pub fn splice(
    input: impl AsFd,
    input_offset: Option<&mut u64>,
    output: impl AsFd,
    output_offset: Option<&mut u64>,
    len: usize,
    flags: u32,
) -> Result<usize, Errno> {
    let (in_fd, out_fd) = (input.as_raw_fd(), output.as_raw_fd());
    let (in_off, out_off) = (offset_pointer(input_offset), offset_pointer(output_offset));
    // SAFETY: each offset is null or a writable 64-bit offset.
    call_slot(|e| unsafe { call::splice(in_fd, in_off, out_fd, out_off, len, flags, e) })
}

/// Flushes the file's data and metadata to storage.
///
/// `fsync(2)`: <https://man7.org/linux/man-pages/man2/fsync.2.html>
pub fn fsync(fd: impl AsFd) -> Result<(), Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fsync(fd, e) }).map(drop)
}

/// Flushes the file's data (and the metadata needed to read it) to storage.
///
/// `fdatasync(2)`: <https://man7.org/linux/man-pages/man2/fdatasync.2.html>
pub fn fdatasync(fd: impl AsFd) -> Result<(), Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fdatasync(fd, e) }).map(drop)
}

/// Sets the file's length.
///
/// `ftruncate(2)`: <https://man7.org/linux/man-pages/man2/ftruncate.2.html>
pub fn ftruncate(fd: impl AsFd, length: u64) -> Result<(), Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::ftruncate(fd, length as i64, e) }).map(drop)
}

/// Allocates (`mode` 0) or manipulates file space.
///
/// `fallocate(2)`: <https://man7.org/linux/man-pages/man2/fallocate.2.html>
pub fn fallocate(fd: impl AsFd, mode: i32, offset: u64, len: u64) -> Result<(), Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fallocate(fd, mode, offset as i64, len as i64, e) }).map(drop)
}

/// Reads exactly `buf.len()` bytes, retrying short reads and `EINTR`.
/// Fails with `ENODATA` if the file ends first (what was read stays in
/// `buf`).
pub fn read_exact(fd: impl AsFd, buf: &mut [u8]) -> Result<(), Errno> {
    if read_full(fd, buf)? == buf.len() { Ok(()) } else { Err(Errno::ENODATA) }
}

/// The terminal's size in character cells: (rows, columns).
///
/// `ioctl_tty(2)`, `TIOCGWINSZ`: <https://man7.org/linux/man-pages/man2/TIOCGWINSZ.2const.html>
pub fn terminal_size(fd: impl AsFd) -> Result<(u16, u16), Errno> {
    let fd = fd.as_raw_fd();
    let mut ws = [0u16; 4];
    // SAFETY: TIOCGWINSZ writes one struct winsize (four u16).
    call_slot(|e| unsafe { call::ioctl(fd, linux_raw_sys::ioctl::TIOCGWINSZ as _, ws.as_mut_ptr().cast(), e) })?;
    Ok((ws[0], ws[1]))
}

/// Bytes ready to read without blocking (`FIONREAD`).
///
/// `ioctl(2)`: <https://man7.org/linux/man-pages/man2/ioctl.2.html>
pub fn bytes_readable(fd: impl AsFd) -> Result<usize, Errno> {
    let fd = fd.as_raw_fd();
    let mut n: c_int = 0;
    // SAFETY: FIONREAD writes one int.
    call_slot(|e| unsafe { call::ioctl(fd, linux_raw_sys::ioctl::FIONREAD as _, (&raw mut n).cast(), e) })?;
    Ok(n as usize)
}
