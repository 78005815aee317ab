//! File descriptors: owned ones close on drop, borrowed ones cannot outlive
//! their owner.

use crate::errno::{Errno, call_slot};
use crate::raw as call;
use core::ffi::c_int;
use core::marker::PhantomData;
use linux_raw_sys::general as g;

/// A raw file descriptor number.
pub type RawFd = c_int;

/// A file descriptor this value owns: closed when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct OwnedFd {
    fd: RawFd,
}

impl OwnedFd {
    /// Takes ownership of `fd`.
    ///
    /// # Safety
    /// `fd` must be open and owned by nobody else.
    pub unsafe fn from_raw_fd(fd: RawFd) -> OwnedFd {
        OwnedFd { fd }
    }

    /// Gives up ownership without closing.
    pub fn into_raw_fd(self) -> RawFd {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }

    /// Closes the descriptor and reports the error that `drop` would ignore.
    ///
    /// `close(2)`: <https://man7.org/linux/man-pages/man2/close.2.html>
    pub fn close(self) -> Result<(), crate::Errno> {
        let fd = self.into_raw_fd();
        // SAFETY: fd was ours; errno is a local of call_slot.
        crate::errno::call_slot(|e| unsafe { call::close(fd, e) }).map(drop)
    }
}

impl Drop for OwnedFd {
    fn drop(&mut self) {
        let mut errno = 0;
        // SAFETY: the descriptor is ours; errors are ignored as with std.
        unsafe { call::close(self.fd, &mut errno) };
    }
}

/// A file descriptor borrowed for `'a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BorrowedFd<'a> {
    fd: RawFd,
    _owner: PhantomData<&'a OwnedFd>,
}

impl BorrowedFd<'_> {
    /// Borrows `fd`.
    ///
    /// # Safety
    /// `fd` must stay open for the borrow's lifetime.
    pub const unsafe fn borrow_raw(fd: RawFd) -> Self {
        BorrowedFd { fd, _owner: PhantomData }
    }
}

/// Anything that can lend a file descriptor.
pub trait AsFd {
    /// Borrows the descriptor.
    fn as_fd(&self) -> BorrowedFd<'_>;
}

/// Gives the raw number of a descriptor.
pub trait AsRawFd {
    /// The raw number.
    fn as_raw_fd(&self) -> RawFd;
}

impl AsFd for OwnedFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the borrow cannot outlive self, which keeps fd open.
        unsafe { BorrowedFd::borrow_raw(self.fd) }
    }
}

impl AsFd for BorrowedFd<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        *self
    }
}

impl<T: AsFd + ?Sized> AsFd for &T {
    fn as_fd(&self) -> BorrowedFd<'_> {
        (**self).as_fd()
    }
}

impl<T: AsFd> AsRawFd for T {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().fd
    }
}

/// Standard input, descriptor 0.
pub const STDIN: BorrowedFd<'static> = {
    // SAFETY: descriptor 0 belongs to the process as a whole; a program that
    // closes it accepts that later uses fail with EBADF.
    unsafe { BorrowedFd::borrow_raw(0) }
};
/// Standard output, descriptor 1.
pub const STDOUT: BorrowedFd<'static> = {
    // SAFETY: as for STDIN.
    unsafe { BorrowedFd::borrow_raw(1) }
};
/// Standard error, descriptor 2.
pub const STDERR: BorrowedFd<'static> = {
    // SAFETY: as for STDIN.
    unsafe { BorrowedFd::borrow_raw(2) }
};

/// A new descriptor for the same open file, at the lowest free number,
/// close-on-exec.
///
/// `fcntl(2)`, `F_DUPFD_CLOEXEC`: <https://man7.org/linux/man-pages/man2/fcntl.2.html>
pub fn dup(fd: impl AsFd) -> Result<OwnedFd, Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    let new = call_slot(|e| unsafe { call::fcntl(fd, g::F_DUPFD_CLOEXEC as c_int, 0, e) })?;
    // SAFETY: the kernel just gave us this descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(new as RawFd) })
}

/// Makes `new` refer to `old`'s open file (closing what `new` was), with
/// `O_CLOEXEC` in `flags` if asked. `old == new` is `EINVAL`, as for
/// `dup3`; `dup2` semantics are [`dup2`].
///
/// `dup3(2)`: <https://man7.org/linux/man-pages/man2/dup3.2.html>
///
/// # Safety
/// `new` is closed first if open: nothing else may own it.
pub unsafe fn dup3(old: impl AsFd, new: RawFd, flags: u32) -> Result<OwnedFd, Errno> {
    let old = old.as_raw_fd();
    // SAFETY: no pointers; the caller owns `new`.
    let fd = call_slot(|e| unsafe { call::dup3(old, new, flags as c_int, e) })?;
    // SAFETY: the kernel installed the descriptor at `new` for us.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// As [`dup3`] without flags, but `old == new` checks `old` and returns it.
///
/// `dup2(2)`: <https://man7.org/linux/man-pages/man2/dup2.2.html>
///
/// # Safety
/// As for [`dup3`].
pub unsafe fn dup2(old: impl AsFd, new: RawFd) -> Result<RawFd, Errno> {
    let raw = old.as_raw_fd();
    if raw == new {
        // SAFETY: F_GETFD only checks that the descriptor is open.
        return call_slot(|e| unsafe { call::fcntl(raw, g::F_GETFD as c_int, 0, e) }).map(|_| new);
    }
    // SAFETY: the caller's contract is dup3's.
    unsafe { dup3(old, new, 0) }.map(OwnedFd::into_raw_fd)
}

/// Whether the descriptor is closed by `execve`.
///
/// `fcntl(2)`, `F_GETFD`: <https://man7.org/linux/man-pages/man2/fcntl.2.html>
pub fn is_cloexec(fd: impl AsFd) -> Result<bool, Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    let flags = call_slot(|e| unsafe { call::fcntl(fd, g::F_GETFD as c_int, 0, e) })?;
    Ok(flags & g::FD_CLOEXEC as usize != 0)
}

/// Sets whether the descriptor is closed by `execve`.
///
/// `fcntl(2)`, `F_SETFD`: <https://man7.org/linux/man-pages/man2/fcntl.2.html>
pub fn set_cloexec(fd: impl AsFd, on: bool) -> Result<(), Errno> {
    let fd = fd.as_raw_fd();
    let value = if on { g::FD_CLOEXEC as usize } else { 0 };
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fcntl(fd, g::F_SETFD as c_int, value, e) }).map(drop)
}

/// The open file's status flags (`O_APPEND`, `O_NONBLOCK`, access mode).
///
/// `fcntl(2)`, `F_GETFL`: <https://man7.org/linux/man-pages/man2/fcntl.2.html>
pub fn status_flags(fd: impl AsFd) -> Result<u32, Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fcntl(fd, g::F_GETFL as c_int, 0, e) }).map(|f| f as u32)
}

/// Sets the status flags the kernel lets change (`O_APPEND`, `O_NONBLOCK`, ...).
///
/// `fcntl(2)`, `F_SETFL`: <https://man7.org/linux/man-pages/man2/fcntl.2.html>
pub fn set_status_flags(fd: impl AsFd, flags: u32) -> Result<(), Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fcntl(fd, g::F_SETFL as c_int, flags as usize, e) }).map(drop)
}

/// A pipe: (read end, write end), both close-on-exec.
///
/// `pipe2(2)`: <https://man7.org/linux/man-pages/man2/pipe2.2.html>
pub fn pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: fds has room for two descriptors.
    call_slot(|e| unsafe { call::pipe2(fds.as_mut_ptr(), g::O_CLOEXEC as c_int, e) })?;
    // SAFETY: the kernel just gave us both.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}
