//! File descriptors: owned ones close on drop, borrowed ones cannot outlive
//! their owner.

use crate::raw as call;
use core::ffi::c_int;
use core::marker::PhantomData;

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
