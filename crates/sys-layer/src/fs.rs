//! Opening files.

use crate::errno::{Errno, call_slot};
use crate::fd::{AsFd, AsRawFd, OwnedFd};
use crate::raw as call;
use core::ffi::{CStr, c_int};
use linux_raw_sys::general as g;

bitflags::bitflags! {
    /// Flags for [`open`] and [`openat`] (`O_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct OFlags: u32 {
        /// `O_WRONLY`: open for writing only.
        const WRONLY = g::O_WRONLY;
        /// `O_RDWR`: open for reading and writing.
        const RDWR = g::O_RDWR;
        /// `O_CREAT`: create the file if it does not exist.
        const CREAT = g::O_CREAT;
        /// `O_EXCL`: with `CREAT`, fail if the file exists.
        const EXCL = g::O_EXCL;
        /// `O_NOCTTY`: do not make a terminal the controlling one.
        const NOCTTY = g::O_NOCTTY;
        /// `O_TRUNC`: truncate to length 0.
        const TRUNC = g::O_TRUNC;
        /// `O_APPEND`: every write goes to the end.
        const APPEND = g::O_APPEND;
        /// `O_NONBLOCK`: non-blocking I/O.
        const NONBLOCK = g::O_NONBLOCK;
        /// `O_DIRECTORY`: fail unless the path is a directory.
        const DIRECTORY = g::O_DIRECTORY;
        /// `O_NOFOLLOW`: fail if the last component is a symbolic link.
        const NOFOLLOW = g::O_NOFOLLOW;
        /// `O_CLOEXEC`: close on exec. [`open`] adds it unless
        /// [`OFlags::INHERIT`] is given.
        const CLOEXEC = g::O_CLOEXEC;
        /// `O_PATH`: a descriptor for the path only.
        const PATH = g::O_PATH;
        /// Not a kernel flag: ask [`open`] not to add `O_CLOEXEC`, so the
        /// descriptor survives `execve`.
        const INHERIT = 1 << 31;
    }
}

/// `O_RDONLY`, the absence of write flags: open for reading only.
pub const RDONLY: OFlags = OFlags::empty();

bitflags::bitflags! {
    /// Permission bits for a created file (`S_I*`), filtered by the umask.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Mode: u32 {
        /// Read by owner.
        const RUSR = g::S_IRUSR;
        /// Write by owner.
        const WUSR = g::S_IWUSR;
        /// Execute by owner.
        const XUSR = g::S_IXUSR;
        /// Read by group.
        const RGRP = g::S_IRGRP;
        /// Write by group.
        const WGRP = g::S_IWGRP;
        /// Execute by group.
        const XGRP = g::S_IXGRP;
        /// Read by others.
        const ROTH = g::S_IROTH;
        /// Write by others.
        const WOTH = g::S_IWOTH;
        /// Execute by others.
        const XOTH = g::S_IXOTH;
        /// Set user ID on execution.
        const SUID = g::S_ISUID;
        /// Set group ID on execution.
        const SGID = g::S_ISGID;
        /// Sticky bit.
        const SVTX = g::S_ISVTX;
    }
}

impl Mode {
    /// `0o644`: owner reads and writes, others read.
    pub const FILE_DEFAULT: Mode = Mode::from_bits_truncate(0o644);
}

/// The directory that relative paths start from: `AT_FDCWD`.
#[derive(Debug, Clone, Copy)]
pub struct Cwd;

impl AsFd for Cwd {
    fn as_fd(&self) -> crate::fd::BorrowedFd<'_> {
        // SAFETY: AT_FDCWD is not a descriptor that can be closed; the
        // kernel reads it as "the current directory".
        unsafe { crate::fd::BorrowedFd::borrow_raw(g::AT_FDCWD) }
    }
}

fn kernel_flags(flags: OFlags) -> c_int {
    let mut f = flags;
    if !f.contains(OFlags::INHERIT) {
        f |= OFlags::CLOEXEC;
    }
    f.remove(OFlags::INHERIT);
    f.bits() as c_int
}

/// Opens `path` relative to the directory `dir` (use [`Cwd`] for the
/// current one). Adds `O_CLOEXEC` unless `flags` has [`OFlags::INHERIT`].
///
/// `openat(2)`: <https://man7.org/linux/man-pages/man2/openat.2.html>
pub fn openat(dir: impl AsFd, path: &CStr, flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
    let dir = dir.as_raw_fd();
    // SAFETY: path is NUL-terminated; errno is call_slot's local.
    let fd = call_slot(|e| unsafe { call::openat(dir, path.as_ptr(), kernel_flags(flags), mode.bits(), e) })?;
    // SAFETY: the kernel just gave us this descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as c_int) })
}

/// Opens `path` (relative to the current directory if not absolute). Adds
/// `O_CLOEXEC` unless `flags` has [`OFlags::INHERIT`].
///
/// `open(2)`: <https://man7.org/linux/man-pages/man2/open.2.html>
pub fn open(path: &CStr, flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
    openat(Cwd, path, flags, mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloexec_by_default() {
        assert_eq!(kernel_flags(RDONLY) as u32, g::O_CLOEXEC);
        assert_eq!(kernel_flags(OFlags::INHERIT | OFlags::WRONLY) as u32, g::O_WRONLY);
        assert_eq!(kernel_flags(OFlags::CREAT) as u32, g::O_CREAT | g::O_CLOEXEC);
    }
}
