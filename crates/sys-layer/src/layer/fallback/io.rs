//! Reading and writing: `copy_file_range`, `preadv2`, `pwritev2` on
//! kernels before them.

use crate::layer::abi32;
use crate::layer::direct::{fail, ret_of};
use core::ffi::c_int;
use core::ffi::c_uint;
use linux_raw_sys::errno::{EINVAL, EOPNOTSUPP};
use linux_raw_sys::general as g;
use sys_layer_arch::sys;

// ---------------------------------------------------------- copy_file_range

/// `copy_file_range` before 4.5: a read/write loop through a 4 KiB buffer,
/// with `pread64`/`pwrite64` where an offset pointer is given (which is then
/// advanced). Returns the bytes copied; an error after some bytes were
/// copied ends the loop and reports the count. No reflinks, no server-side
/// copy, and no check that the ranges of one file overlap.
pub(crate) unsafe extern "C" fn copy_file_range(
    fd_in: c_int,
    off_in: *mut i64,
    fd_out: c_int,
    off_out: *mut i64,
    len: usize,
    flags: c_uint,
    errno: *mut c_int,
) -> isize {
    if flags != 0 {
        return fail(errno, EINVAL);
    }
    let mut buf = [0u8; 4096];
    let mut copied = 0usize;
    let len = len.min(isize::MAX as usize);
    while copied < len {
        let want = (len - copied).min(buf.len());
        // SAFETY: buf is writable for want bytes; off_in, when given, is
        // the caller's readable and writable offset.
        let got = unsafe {
            if off_in.is_null() {
                sys!(g::__NR_read, fd_in, buf.as_mut_ptr(), want)
            } else {
                abi32::pread_pwrite(false, fd_in, buf.as_mut_ptr(), want, *off_in)
            }
        };
        let got = match got {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if copied == 0 => return fail(errno, e as u32),
            Err(_) => break,
        };
        let mut written = 0;
        while written < got {
            // SAFETY: buf holds got bytes; off_out as off_in.
            let w = unsafe {
                if off_out.is_null() {
                    sys!(g::__NR_write, fd_out, buf.as_ptr().add(written), got - written)
                } else {
                    abi32::pread_pwrite(
                        true,
                        fd_out,
                        buf.as_ptr().add(written).cast_mut(),
                        got - written,
                        *off_out + written as i64,
                    )
                }
            };
            match w {
                Ok(0) => break,
                Ok(n) => written += n,
                Err(e) if copied + written == 0 => return fail(errno, e as u32),
                Err(_) => break,
            }
        }
        // SAFETY: the caller's offsets, advanced by what moved.
        unsafe {
            if !off_in.is_null() {
                *off_in += written as i64;
            }
            if !off_out.is_null() {
                *off_out += written as i64;
            }
        }
        copied += written;
        if written < got {
            break;
        }
    }
    copied as isize
}

// -------------------------------------------------------- preadv2, pwritev2

/// `preadv2` before 4.6: flags 0 only (others give `EOPNOTSUPP`, as the
/// kernel does for flags it lacks); offset -1 is `readv`, else `preadv`.
pub(crate) unsafe extern "C" fn preadv2(
    fd: c_int,
    iov: *const g::iovec,
    iovcnt: c_int,
    offset: i64,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller's contract is the slot's.
    unsafe { vectored(g::__NR_readv, g::__NR_preadv, fd, iov, iovcnt, offset, flags, errno) }
}

/// `pwritev2` before 4.6: as [`preadv2`], with `writev` and `pwritev`.
pub(crate) unsafe extern "C" fn pwritev2(
    fd: c_int,
    iov: *const g::iovec,
    iovcnt: c_int,
    offset: i64,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller's contract is the slot's.
    unsafe { vectored(g::__NR_writev, g::__NR_pwritev, fd, iov, iovcnt, offset, flags, errno) }
}

/// The body of both: `at_offset` (`preadv`/`pwritev`) or, for offset -1,
/// `at_file_offset` (`readv`/`writev`).
///
/// # Safety
/// As for the slots: a valid vector and a writable `errno`.
#[allow(clippy::too_many_arguments)] // the slot's six, and the two calls
unsafe fn vectored(
    at_file_offset: u32,
    at_offset: u32,
    fd: c_int,
    iov: *const g::iovec,
    iovcnt: c_int,
    offset: i64,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    if flags != 0 {
        return fail(errno, EOPNOTSUPP);
    }
    // SAFETY: the caller's vector and descriptor.
    let r = unsafe {
        if offset == -1 {
            sys!(at_file_offset, fd, iov, iovcnt)
        } else {
            let (lo, hi) = abi32::offset_words(offset);
            sys!(at_offset, fd, iov, iovcnt, lo, hi)
        }
    };
    ret_of(r, errno)
}
