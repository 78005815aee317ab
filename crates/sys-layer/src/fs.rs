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
}

impl DirEntry<'_> {
    /// The entry's name (`.` and `..` included).
    pub fn name(&self) -> &CStr {
        self.name
    }

    /// The type the directory reported, if it reported one (`DT_UNKNOWN`
    /// gives `None`: ask [`Dir::file_type`], which falls back to `statx`).
    pub fn reported_type(&self) -> Option<FileType> {
        FileType::from_dirent(self.d_type)
    }
}

impl Dir {
    /// Opens the directory `path`.
    ///
    /// `opendir(3)`: <https://man7.org/linux/man-pages/man3/opendir.3.html>
    pub fn open(path: &CStr) -> Result<Dir, Errno> {
        let fd = open(path, OFlags::DIRECTORY, Mode::empty())?;
        Ok(Dir { fd, buf: [0; 4096], len: 0, pos: 0 })
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
        // linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1),
        // then the NUL-terminated name. The kernel wrote whole records.
        let record = self.buf.get(self.pos..self.len)?;
        let reclen = u16::from_ne_bytes([*record.get(16)?, *record.get(17)?]) as usize;
        if reclen < 20 || reclen > record.len() {
            return Some(Err(Errno::EIO));
        }
        let ino = u64::from_ne_bytes(record[..8].try_into().ok()?);
        let d_type = record[18];
        let name = match CStr::from_bytes_until_nul(&record[19..reclen]) {
            Ok(name) => name,
            Err(_) => return Some(Err(Errno::EIO)),
        };
        self.pos += reclen;
        Some(Ok(DirEntry { ino, d_type, name }))
    }

    /// The type of the entry named `name` in this directory: what
    /// `getdents64` reported, or (for `DT_UNKNOWN`) from `statx`, without
    /// following a symbolic link.
    pub fn file_type(&self, entry: &DirEntry<'_>) -> Result<FileType, Errno> {
        match entry.reported_type() {
            Some(t) => Ok(t),
            None => Ok(statat(&self.fd, entry.name, g::AT_SYMLINK_NOFOLLOW)?.file_type()),
        }
    }
}

impl AsFd for Dir {
    fn as_fd(&self) -> crate::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
