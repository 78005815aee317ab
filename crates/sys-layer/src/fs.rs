//! Files and directories: opening, file status (`statx`), directory
//! reading (`getdents64`), access checks, permissions, owners and times,
//! links, renaming, making and removing directories, and the current
//! directory.

extern crate alloc;

use crate::errno::{Errno, call_slot};
use crate::fd::{AsFd, AsRawFd, OwnedFd};
use crate::raw as call;
use alloc::vec::Vec;
use core::ffi::{CStr, c_int};
use linux_raw_sys::general as g;

bitflags::bitflags! {
    /// Flags for [`open`] and [`openat`] (`O_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct OFlags: u32 {
        /// `O_RDONLY` (0, the absence of `WRONLY` and `RDWR`): open for
        /// reading only, as rustix spells it.
        const RDONLY = g::O_RDONLY;
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

/// `O_RDONLY`, the absence of write flags: open for reading only (the same
/// as [`OFlags::RDONLY`]).
pub const RDONLY: OFlags = OFlags::RDONLY;

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

pub(crate) fn kernel_flags(flags: OFlags) -> c_int {
    let mut f = flags;
    if !f.contains(OFlags::INHERIT) {
        f |= OFlags::CLOEXEC;
    }
    f.remove(OFlags::INHERIT);
    // Offsets are 64-bit everywhere: on a 32-bit target, as a C library
    // with 64-bit offsets does, ask for files past 2 GiB too (a 64-bit
    // kernel implies it for 64-bit programs), else open says EOVERFLOW.
    let large_files = if cfg!(target_pointer_width = "32") { g::O_LARGEFILE } else { 0 };
    (f.bits() | large_files) as c_int
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

    #[test]
    fn rdonly_is_the_kernel_value_and_the_free_constant() {
        assert_eq!(OFlags::RDONLY.bits(), g::O_RDONLY);
        assert_eq!(OFlags::RDONLY, RDONLY);
        assert_eq!(kernel_flags(OFlags::RDONLY | OFlags::NOFOLLOW) as u32, g::O_NOFOLLOW | g::O_CLOEXEC);
        // A zero flag adds nothing to the others.
        assert_eq!(OFlags::RDONLY | OFlags::WRONLY, OFlags::WRONLY);
    }
}

/// What kind of file a directory entry or status names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A named pipe.
    Fifo,
    /// A socket.
    Socket,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Anything else (the kernel reported no type the API knows).
    Unknown,
}

impl FileType {
    /// The type in a mode's `S_IFMT` bits.
    pub const fn from_mode(mode: u32) -> FileType {
        match mode & g::S_IFMT {
            g::S_IFREG => FileType::Regular,
            g::S_IFDIR => FileType::Directory,
            g::S_IFLNK => FileType::Symlink,
            g::S_IFIFO => FileType::Fifo,
            g::S_IFSOCK => FileType::Socket,
            g::S_IFCHR => FileType::CharDevice,
            g::S_IFBLK => FileType::BlockDevice,
            _ => FileType::Unknown,
        }
    }

    /// The type a `getdents64` entry's `d_type` names; `None` for
    /// `DT_UNKNOWN` (some file systems do not fill it in).
    pub const fn from_dirent(d_type: u8) -> Option<FileType> {
        Some(match d_type as u32 {
            g::DT_REG => FileType::Regular,
            g::DT_DIR => FileType::Directory,
            g::DT_LNK => FileType::Symlink,
            g::DT_FIFO => FileType::Fifo,
            g::DT_SOCK => FileType::Socket,
            g::DT_CHR => FileType::CharDevice,
            g::DT_BLK => FileType::BlockDevice,
            _ => return None,
        })
    }
}

/// A file's status, from `statx` (or its fallback before Linux 4.11).
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    /// Type and permission bits (`st_mode`).
    pub mode: u32,
    /// Size in bytes.
    pub size: u64,
    /// Inode number.
    pub ino: u64,
    /// Number of hard links.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// 512-byte blocks allocated.
    pub blocks: u64,
    /// Preferred I/O size.
    pub blksize: u32,
    /// Device holding the file, (major, minor).
    pub dev: (u32, u32),
    /// Device the file is, for device files, (major, minor).
    pub rdev: (u32, u32),
    /// Last access.
    pub atime: crate::time::Timespec,
    /// Last modification.
    pub mtime: crate::time::Timespec,
    /// Last status change.
    pub ctime: crate::time::Timespec,
}

impl Stat {
    /// The file's type.
    pub const fn file_type(&self) -> FileType {
        FileType::from_mode(self.mode)
    }

    /// The permission bits (and set-ID and sticky bits).
    pub const fn permissions(&self) -> Mode {
        Mode::from_bits_truncate(self.mode & 0o7777)
    }
}

fn stamp(t: g::statx_timestamp) -> crate::time::Timespec {
    crate::time::Timespec { sec: t.tv_sec, nsec: t.tv_nsec }
}

/// Status of `path` relative to `dir` (with `AT_*` `flags`, such as
/// `AT_SYMLINK_NOFOLLOW` or `AT_EMPTY_PATH`).
///
/// `statx(2)`: <https://man7.org/linux/man-pages/man2/statx.2.html>
pub fn statat(dir: impl AsFd, path: &CStr, flags: u32) -> Result<Stat, Errno> {
    let dir = dir.as_raw_fd();
    // SAFETY: zero is a valid statx.
    let mut st: g::statx = unsafe { core::mem::zeroed() };
    // SAFETY: st is writable; path is NUL-terminated.
    call_slot(|e| unsafe { call::statx(dir, path.as_ptr(), flags as c_int, g::STATX_BASIC_STATS, &mut st, e) })?;
    Ok(Stat {
        mode: st.stx_mode as u32,
        size: st.stx_size,
        ino: st.stx_ino,
        nlink: st.stx_nlink,
        uid: st.stx_uid,
        gid: st.stx_gid,
        blocks: st.stx_blocks,
        blksize: st.stx_blksize,
        dev: (st.stx_dev_major, st.stx_dev_minor),
        rdev: (st.stx_rdev_major, st.stx_rdev_minor),
        atime: stamp(st.stx_atime),
        mtime: stamp(st.stx_mtime),
        ctime: stamp(st.stx_ctime),
    })
}

/// Status of `path`, following symbolic links.
///
/// `stat(2)`: <https://man7.org/linux/man-pages/man2/stat.2.html>
pub fn stat(path: &CStr) -> Result<Stat, Errno> {
    statat(Cwd, path, 0)
}

/// Status of `path` itself, a symbolic link not followed.
///
/// `lstat(2)`: <https://man7.org/linux/man-pages/man2/lstat.2.html>
pub fn lstat(path: &CStr) -> Result<Stat, Errno> {
    statat(Cwd, path, g::AT_SYMLINK_NOFOLLOW)
}

/// Status of an open file.
///
/// `fstat(2)`: <https://man7.org/linux/man-pages/man2/fstat.2.html>
pub fn fstat(fd: impl AsFd) -> Result<Stat, Errno> {
    statat(fd, c"", g::AT_EMPTY_PATH)
}

/// An open directory, read entry by entry with `getdents64`.
pub struct Dir {
    fd: OwnedFd,
    buf: [u8; 4096],
    len: usize,
    pos: usize,
}

/// One directory entry, borrowed from the [`Dir`] until the next read.
#[derive(Debug, Clone, Copy)]
pub struct DirEntry<'a> {
    /// Inode number.
    pub ino: u64,
    d_type: u8,
    name: &'a CStr,
    dir: crate::fd::BorrowedFd<'a>,
}

impl DirEntry<'_> {
    /// The entry's name (`.` and `..` included).
    pub fn name(&self) -> &CStr {
        self.name
    }

    /// The type the directory reported, if it reported one (`DT_UNKNOWN`
    /// gives `None`: ask [`DirEntry::file_type`], which falls back to `statx`).
    pub fn reported_type(&self) -> Option<FileType> {
        FileType::from_dirent(self.d_type)
    }

    /// The entry's type: what `getdents64` reported, or (for `DT_UNKNOWN`,
    /// which some file systems give) from `statx` on the entry, without
    /// following a symbolic link.
    pub fn file_type(&self) -> Result<FileType, Errno> {
        match self.reported_type() {
            Some(t) => Ok(t),
            None => Ok(statat(self.dir, self.name, g::AT_SYMLINK_NOFOLLOW)?.file_type()),
        }
    }
}

impl Dir {
    /// Opens the directory `path`.
    ///
    /// `opendir(3)`: <https://man7.org/linux/man-pages/man3/opendir.3.html>
    pub fn open(path: &CStr) -> Result<Dir, Errno> {
        Ok(Dir::from_fd(open(path, OFlags::DIRECTORY, Mode::empty())?))
    }

    /// Reads the directory open as `fd` (from its current position), which
    /// the `Dir` now owns.
    ///
    /// `fdopendir(3)`: <https://man7.org/linux/man-pages/man3/fdopendir.3.html>
    pub fn from_fd(fd: OwnedFd) -> Dir {
        Dir { fd, buf: [0; 4096], len: 0, pos: 0 }
    }

    /// The next entry, `None` at the end.
    ///
    /// `getdents64(2)`: <https://man7.org/linux/man-pages/man2/getdents64.2.html>
    pub fn next_entry(&mut self) -> Option<Result<DirEntry<'_>, Errno>> {
        if self.pos >= self.len {
            let fd = self.fd.as_raw_fd();
            let buf = &mut self.buf;
            // SAFETY: buf is writable for its length.
            match call_slot(|e| unsafe { call::getdents64(fd, buf.as_mut_ptr().cast(), buf.len(), e) }) {
                Ok(0) => return None,
                Ok(n) => {
                    self.len = n;
                    self.pos = 0;
                }
                Err(e) => return Some(Err(e)),
            }
        }
        let record = match crate::dirent::first(self.buf.get(self.pos..self.len)?)? {
            Ok(record) => record,
            Err(_) => return Some(Err(Errno::EIO)),
        };
        self.pos += record.len;
        let (ino, d_type, name) = (record.ino, record.d_type, record.name);
        Some(Ok(DirEntry { ino, d_type, name, dir: self.fd.as_fd() }))
    }
}

impl AsFd for Dir {
    fn as_fd(&self) -> crate::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Whether `path` allows the accesses in `mode` (`R_OK | W_OK | X_OK`, or
/// 0 for existence), for the real IDs.
///
/// `access(2)`: <https://man7.org/linux/man-pages/man2/access.2.html>
pub fn access(path: &CStr, mode: u32) -> Result<(), Errno> {
    // SAFETY: path is NUL-terminated.
    call_slot(|e| unsafe { call::faccessat2(g::AT_FDCWD, path.as_ptr(), mode as c_int, 0, e) }).map(drop)
}

/// Changes the permission bits of `path`.
///
/// `chmod(2)`: <https://man7.org/linux/man-pages/man2/chmod.2.html>
pub fn chmod(path: &CStr, mode: Mode) -> Result<(), Errno> {
    // SAFETY: path is NUL-terminated.
    call_slot(|e| unsafe { call::fchmodat(g::AT_FDCWD, path.as_ptr(), mode.bits(), e) }).map(drop)
}

/// Changes the permission bits of an open file.
///
/// `fchmod(2)`: <https://man7.org/linux/man-pages/man2/fchmod.2.html>
pub fn fchmod(fd: impl AsFd, mode: Mode) -> Result<(), Errno> {
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fchmod(fd, mode.bits(), e) }).map(drop)
}

/// Changes the owner and group of `path` (`None` leaves one as it is).
///
/// `chown(2)`: <https://man7.org/linux/man-pages/man2/chown.2.html>
pub fn chown(path: &CStr, owner: Option<u32>, group: Option<u32>) -> Result<(), Errno> {
    let (o, g_) = (owner.unwrap_or(u32::MAX), group.unwrap_or(u32::MAX));
    // SAFETY: path is NUL-terminated.
    call_slot(|e| unsafe { call::fchownat(g::AT_FDCWD, path.as_ptr(), o, g_, 0, e) }).map(drop)
}

/// What to set a file time to, for [`set_times`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// This time.
    At(crate::time::Timespec),
    /// Now (`UTIME_NOW`).
    Now,
    /// Leave it (`UTIME_OMIT`).
    Omit,
}

fn kernel_time(t: TimeSpec) -> g::__kernel_timespec {
    match t {
        TimeSpec::At(t) => g::__kernel_timespec { tv_sec: t.sec, tv_nsec: t.nsec as _ },
        TimeSpec::Now => g::__kernel_timespec { tv_sec: 0, tv_nsec: g::UTIME_NOW as _ },
        TimeSpec::Omit => g::__kernel_timespec { tv_sec: 0, tv_nsec: g::UTIME_OMIT as _ },
    }
}

/// Sets the access and modification times of `path`.
///
/// `utimensat(2)`: <https://man7.org/linux/man-pages/man2/utimensat.2.html>
pub fn set_times(path: &CStr, access: TimeSpec, modification: TimeSpec) -> Result<(), Errno> {
    let times = [kernel_time(access), kernel_time(modification)];
    // SAFETY: path is NUL-terminated; times holds two timespecs.
    call_slot(|e| unsafe { call::utimensat(g::AT_FDCWD, path.as_ptr(), times.as_ptr(), 0, e) }).map(drop)
}

/// Reads the target of the symbolic link `path` into `buf`; the target's
/// bytes (`ENAMETOOLONG` if `buf` is too small to know it is whole).
///
/// `readlink(2)`: <https://man7.org/linux/man-pages/man2/readlink.2.html>
pub fn readlink<'b>(path: &CStr, buf: &'b mut [u8]) -> Result<&'b [u8], Errno> {
    // SAFETY: path is NUL-terminated; buf is writable for its length.
    let n =
        call_slot(|e| unsafe { call::readlinkat(g::AT_FDCWD, path.as_ptr(), buf.as_mut_ptr().cast(), buf.len(), e) })?;
    if n == buf.len() {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(&buf[..n])
}

macro_rules! path_calls {
    ($( $(#[$doc:meta])* $name:ident($($p:ident),*) $(+ $extra:ident: $ty:ty)? => |$e:ident| $call:expr; )*) => {
        $(
            $(#[$doc])*
            pub fn $name($($p: &CStr,)* $($extra: $ty)?) -> Result<(), Errno> {
                // SAFETY: every path is NUL-terminated; the other arguments are plain values.
                call_slot(|$e| unsafe { $call }).map(drop)
            }
        )*
    };
}

path_calls! {
    /// Makes the directory `path`.
    ///
    /// `mkdir(2)`: <https://man7.org/linux/man-pages/man2/mkdir.2.html>
    mkdir(path) + mode: Mode => |e| call::mkdirat(g::AT_FDCWD, path.as_ptr(), mode.bits(), e);
    /// Removes the empty directory `path`.
    ///
    /// `rmdir(2)`: <https://man7.org/linux/man-pages/man2/rmdir.2.html>
    rmdir(path) => |e| call::unlinkat(g::AT_FDCWD, path.as_ptr(), g::AT_REMOVEDIR as c_int, e);
    /// Removes the name `path` (not a directory).
    ///
    /// `unlink(2)`: <https://man7.org/linux/man-pages/man2/unlink.2.html>
    unlink(path) => |e| call::unlinkat(g::AT_FDCWD, path.as_ptr(), 0, e);
    /// Renames `from` to `to`, replacing `to` if it exists.
    ///
    /// `rename(2)`: <https://man7.org/linux/man-pages/man2/rename.2.html>
    rename(from, to) => |e| call::renameat2(g::AT_FDCWD, from.as_ptr(), g::AT_FDCWD, to.as_ptr(), 0, e);
    /// Renames `from` to `to`, failing with `EEXIST` if `to` exists
    /// (`ENOSYS` before Linux 3.15; see docs/kernels.md).
    ///
    /// `renameat2(2)`: <https://man7.org/linux/man-pages/man2/renameat2.2.html>
    rename_noreplace(from, to) => |e| call::renameat2(g::AT_FDCWD, from.as_ptr(), g::AT_FDCWD, to.as_ptr(), g::RENAME_NOREPLACE, e);
    /// Makes `link` a new name for `existing`.
    ///
    /// `link(2)`: <https://man7.org/linux/man-pages/man2/link.2.html>
    hard_link(existing, link) => |e| call::linkat(g::AT_FDCWD, existing.as_ptr(), g::AT_FDCWD, link.as_ptr(), 0, e);
    /// Makes `link` a symbolic link to `target`.
    ///
    /// `symlink(2)`: <https://man7.org/linux/man-pages/man2/symlink.2.html>
    symlink(target, link) => |e| call::symlinkat(target.as_ptr(), g::AT_FDCWD, link.as_ptr(), e);
    /// Makes `path` the current directory.
    ///
    /// `chdir(2)`: <https://man7.org/linux/man-pages/man2/chdir.2.html>
    chdir(path) => |e| call::chdir(path.as_ptr(), e);
    /// Makes the FIFO (named pipe) `path`.
    ///
    /// `mkfifo(3)`: <https://man7.org/linux/man-pages/man3/mkfifo.3.html>
    mkfifo(path) + mode: Mode => |e| call::mknodat(g::AT_FDCWD, path.as_ptr(), g::S_IFIFO | mode.bits(), 0, e);
    /// Makes `path` the root directory of the process (privileged).
    ///
    /// `chroot(2)`: <https://man7.org/linux/man-pages/man2/chroot.2.html>
    chroot(path) => |e| call::chroot(path.as_ptr(), e);
}

/// Makes the filesystem node `path`: `mode` holds its type (`S_IFIFO`,
/// `S_IFCHR`, `S_IFBLK`, `S_IFREG`, `S_IFSOCK`) and permission bits; `dev`
/// is a device number as `makedev` makes it (`EINVAL` if it does not fit
/// the kernel's 32 bits: majors below 4096, minors below 2^20).
///
/// `mknod(2)`: <https://man7.org/linux/man-pages/man2/mknod.2.html>
pub fn mknod(path: &CStr, mode: u32, dev: u64) -> Result<(), Errno> {
    let dev = u32::try_from(dev).map_err(|_| Errno::EINVAL)?;
    // SAFETY: path is NUL-terminated.
    call_slot(|e| unsafe { call::mknodat(g::AT_FDCWD, path.as_ptr(), mode, dev, e) }).map(drop)
}

/// What [`flock`] does to a file's advisory lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlockOperation {
    /// Takes a shared lock, waiting while another holds an exclusive one.
    LockShared,
    /// Takes an exclusive lock, waiting while another holds any.
    LockExclusive,
    /// Takes a shared lock, or fails at once with `EWOULDBLOCK`.
    TryLockShared,
    /// Takes an exclusive lock, or fails at once with `EWOULDBLOCK`.
    TryLockExclusive,
    /// Releases the lock this open file description holds.
    Unlock,
}

/// Applies `operation` to the advisory lock of the open file `fd` (locks
/// belong to the open file description: duplicates share them).
///
/// `flock(2)`: <https://man7.org/linux/man-pages/man2/flock.2.html>
pub fn flock(fd: impl AsFd, operation: FlockOperation) -> Result<(), Errno> {
    let op = match operation {
        FlockOperation::LockShared => g::LOCK_SH,
        FlockOperation::LockExclusive => g::LOCK_EX,
        FlockOperation::TryLockShared => g::LOCK_SH | g::LOCK_NB,
        FlockOperation::TryLockExclusive => g::LOCK_EX | g::LOCK_NB,
        FlockOperation::Unlock => g::LOCK_UN,
    };
    let fd = fd.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::flock(fd, op as c_int, e) }).map(drop)
}

/// The whole contents of the file at `path` (reads retried on `EINTR`).
pub fn read(path: &CStr) -> Result<Vec<u8>, Errno> {
    let fd = open(path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
    let mut contents = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match crate::io::read(&fd, &mut chunk) {
            Ok(0) => return Ok(contents),
            Ok(n) => contents.extend_from_slice(&chunk[..n]),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Makes an open directory the current one.
///
/// `fchdir(2)`: <https://man7.org/linux/man-pages/man2/fchdir.2.html>
pub fn fchdir(dir: impl AsFd) -> Result<(), Errno> {
    let fd = dir.as_raw_fd();
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::fchdir(fd, e) }).map(drop)
}

/// The current directory, into `buf` (`ERANGE` if it does not fit).
///
/// `getcwd(3)`: <https://man7.org/linux/man-pages/man3/getcwd.3.html>
pub fn getcwd(buf: &mut [u8]) -> Result<&CStr, Errno> {
    // SAFETY: buf is writable for its length.
    let n = call_slot(|e| unsafe { call::getcwd(buf.as_mut_ptr().cast(), buf.len(), e) })?;
    // The system call returns the length with the NUL.
    CStr::from_bytes_with_nul(&buf[..n]).map_err(|_| Errno::EIO)
}
