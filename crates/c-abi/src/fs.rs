//! Files, status and directories.

use crate::malloc::{free, malloc};
use crate::{fail, ret_int};
use alloc::boxed::Box;
use core::ffi::{CStr, c_char, c_int, c_uint};
use core::ptr::null_mut;
use linux_raw_sys::general as g;
use sys_layer::{Errno, c};

const AT_FDCWD: c_int = g::AT_FDCWD;

/// `open64(2)`, variadic in C: the mode read as the third word (see the
/// crate's documentation), used by the kernel only with `O_CREAT` or
/// `O_TMPFILE`. No flag is added: C's descriptors are inherited unless
/// `O_CLOEXEC` is asked for.
///
/// # Safety
/// `path` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn open64(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::openat(AT_FDCWD, path, flags, mode) })
}

/// `open(2)`, for C callers not built with 64-bit offsets (the `libc`
/// crate's `open`, which `getrandom` and others call): the same as
/// [`open64`], as in musl, where every offset is 64-bit.
///
/// # Safety
/// `path` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn open(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { open64(path, flags, mode) }
}

/// `openat64(2)`, variadic in C as [`open64`].
///
/// # Safety
/// `path` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openat64(dir: c_int, path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::openat(dir, path, flags, mode) })
}

/// `statx(2)`: the slot (with its fallback before Linux 4.11).
///
/// # Safety
/// `path` is a C string, `buf` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn statx(
    dir: c_int,
    path: *const c_char,
    flags: c_int,
    mask: c_uint,
    buf: *mut g::statx,
) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::statx(dir, path, flags, mask, buf) })
}

/// glibc's `struct stat64`: the kernel's `struct stat` on the 64-bit
/// targets, its `struct stat64` on i686.
#[cfg(target_pointer_width = "64")]
type Stat64 = g::stat;
#[cfg(target_pointer_width = "32")]
type Stat64 = g::stat64;

/// glibc's `makedev`.
fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    ((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff)
}

/// `fstatat64(2)` on the `statx` slot (which has its fallback before
/// Linux 4.11), converted to `struct stat64`.
///
/// # Safety
/// `path` is a C string, `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fstatat64(dir: c_int, path: *const c_char, out: *mut Stat64, flags: c_int) -> c_int {
    let mut x = core::mem::MaybeUninit::<g::statx>::zeroed();
    // SAFETY: as the caller vouches; x is writable.
    if unsafe { c::statx(dir, path, flags, g::STATX_BASIC_STATS, x.as_mut_ptr()) } < 0 {
        return -1;
    }
    // SAFETY: zeroed, then filled by statx.
    let x = unsafe { x.assume_init() };
    // SAFETY: all-zero is a valid stat.
    let mut st: Stat64 = unsafe { core::mem::zeroed() };
    st.st_dev = makedev(x.stx_dev_major, x.stx_dev_minor) as _;
    st.st_ino = x.stx_ino as _;
    st.st_nlink = x.stx_nlink as _;
    st.st_mode = x.stx_mode as _;
    st.st_uid = x.stx_uid as _;
    st.st_gid = x.stx_gid as _;
    st.st_rdev = makedev(x.stx_rdev_major, x.stx_rdev_minor) as _;
    st.st_size = x.stx_size as _;
    st.st_blksize = x.stx_blksize as _;
    st.st_blocks = x.stx_blocks as _;
    st.st_atime = x.stx_atime.tv_sec as _;
    st.st_atime_nsec = x.stx_atime.tv_nsec as _;
    st.st_mtime = x.stx_mtime.tv_sec as _;
    st.st_mtime_nsec = x.stx_mtime.tv_nsec as _;
    st.st_ctime = x.stx_ctime.tv_sec as _;
    st.st_ctime_nsec = x.stx_ctime.tv_nsec as _;
    #[cfg(target_pointer_width = "32")]
    {
        st.__st_ino = x.stx_ino as _;
    }
    // SAFETY: as the caller vouches.
    unsafe { out.write(st) };
    0
}

/// `stat64(2)`.
///
/// # Safety
/// As [`fstatat64`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stat64(path: *const c_char, out: *mut Stat64) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { fstatat64(AT_FDCWD, path, out, 0) }
}

/// `lstat64(2)`.
///
/// # Safety
/// As [`fstatat64`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstat64(path: *const c_char, out: *mut Stat64) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { fstatat64(AT_FDCWD, path, out, g::AT_SYMLINK_NOFOLLOW as c_int) }
}

/// `fstat64(2)`.
///
/// # Safety
/// `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fstat64(fd: c_int, out: *mut Stat64) -> c_int {
    // SAFETY: as the caller vouches; the path is empty.
    unsafe { fstatat64(fd, c"".as_ptr(), out, g::AT_EMPTY_PATH as c_int) }
}

/// `readlink(2)`.
///
/// # Safety
/// `path` is a C string, `buf` writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readlink(path: *const c_char, buf: *mut c_char, size: usize) -> isize {
    // SAFETY: as the caller vouches.
    unsafe { c::readlinkat(AT_FDCWD, path, buf, size) }
}

/// The longest path `getcwd` and `realpath` allocate for.
const PATH_MAX: usize = 4096;

/// `getcwd(3)`; with a null `buf`, allocates (`size` bytes, or as many as
/// the path needs when `size` is 0), as glibc does.
///
/// # Safety
/// `buf` is null or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getcwd(buf: *mut c_char, size: usize) -> *mut c_char {
    let (buf, size, owned) = if buf.is_null() {
        let size = if size == 0 { PATH_MAX } else { size };
        let p = malloc(size).cast::<c_char>();
        if p.is_null() {
            return null_mut();
        }
        (p, size, true)
    } else {
        (buf, size, false)
    };
    // SAFETY: buf is writable for size bytes.
    if unsafe { c::getcwd(buf, size) } < 0 {
        if owned {
            // SAFETY: allocated above.
            unsafe { free(buf.cast()) };
        }
        return null_mut();
    }
    buf
}

/// `realpath(3)`, as musl does it: open the path (`O_PATH`), read the
/// kernel's name for the descriptor from `/proc/self/fd`. Needs `/proc`
/// (`ENOENT` from there otherwise). With a null `resolved`, allocates.
///
/// # Safety
/// `path` is a C string; `resolved` null or writable for `PATH_MAX` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realpath(path: *const c_char, resolved: *mut c_char) -> *mut c_char {
    // SAFETY: as the caller vouches.
    let fd = unsafe { c::openat(AT_FDCWD, path, (g::O_PATH | g::O_CLOEXEC) as c_int, 0) };
    if fd < 0 {
        return null_mut();
    }
    let mut link = *b"/proc/self/fd/\0\0\0\0\0\0\0\0\0\0\0";
    let mut n = fd as u32;
    let digits = (n.checked_ilog10().unwrap_or(0) + 1) as usize;
    for i in (0..digits).rev() {
        link[14 + i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let mut buf = [0u8; PATH_MAX];
    // SAFETY: link is a C string, buf writable.
    let len = unsafe { c::readlinkat(AT_FDCWD, link.as_ptr().cast(), buf.as_mut_ptr().cast(), PATH_MAX - 1) };
    close_keeping_errno(fd as c_int);
    if len < 0 {
        return null_mut();
    }
    let len = len as usize;
    if len >= PATH_MAX - 1 {
        return fail::<isize>(Errno::ENAMETOOLONG) as usize as *mut c_char;
    }
    let out = if resolved.is_null() { malloc(len + 1).cast::<c_char>() } else { resolved };
    if out.is_null() {
        return null_mut();
    }
    // SAFETY: out holds at least len + 1 bytes (PATH_MAX, or allocated).
    unsafe {
        core::ptr::copy_nonoverlapping(buf.as_ptr().cast(), out, len);
        *out.add(len) = 0;
    }
    out
}

fn close_keeping_errno(fd: c_int) {
    let saved = c::errno();
    // SAFETY: our own descriptor.
    unsafe { c::close(fd) };
    c::set_errno(saved);
}

macro_rules! at_calls {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) => $slot:ident($($call:expr),*);)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// Path arguments are C strings.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> c_int {
            // SAFETY: as the caller vouches.
            ret_int(unsafe { c::$slot($($call),*) })
        }
    )*};
}

at_calls! {
    /// `mkdir(2)`.
    fn mkdir(path: *const c_char, mode: c_uint) => mkdirat(AT_FDCWD, path, mode);
    /// `rmdir(2)`.
    fn rmdir(path: *const c_char) => unlinkat(AT_FDCWD, path, g::AT_REMOVEDIR as c_int);
    /// `unlink(2)`.
    fn unlink(path: *const c_char) => unlinkat(AT_FDCWD, path, 0);
    /// `unlinkat(2)`.
    fn unlinkat(dir: c_int, path: *const c_char, flags: c_int) => unlinkat(dir, path, flags);
    /// `rename(2)`.
    fn rename(old: *const c_char, new: *const c_char) => renameat2(AT_FDCWD, old, AT_FDCWD, new, 0);
    /// `link(2)`.
    fn link(old: *const c_char, new: *const c_char) => linkat(AT_FDCWD, old, AT_FDCWD, new, 0);
    /// `linkat(2)`.
    fn linkat(od: c_int, old: *const c_char, nd: c_int, new: *const c_char, flags: c_int) => linkat(od, old, nd, new, flags);
    /// `symlink(2)`.
    fn symlink(target: *const c_char, path: *const c_char) => symlinkat(target, AT_FDCWD, path);
    /// `chmod(2)`.
    fn chmod(path: *const c_char, mode: c_uint) => fchmodat(AT_FDCWD, path, mode);
    /// `fchmod(2)`.
    fn fchmod(fd: c_int, mode: c_uint) => fchmod(fd, mode);
    /// `chdir(2)`.
    fn chdir(path: *const c_char) => chdir(path);
    /// `fchdir(2)`.
    fn fchdir(fd: c_int) => fchdir(fd);
    /// `chown(2)`.
    fn chown(path: *const c_char, uid: c_uint, gid: c_uint) => fchownat(AT_FDCWD, path, uid, gid, 0);
    /// `lchown(2)`.
    fn lchown(path: *const c_char, uid: c_uint, gid: c_uint) => fchownat(AT_FDCWD, path, uid, gid, g::AT_SYMLINK_NOFOLLOW as c_int);
    /// `access(2)`.
    fn access(path: *const c_char, mode: c_int) => faccessat2(AT_FDCWD, path, mode, 0);
}

/// glibc's `struct dirent64`.
#[repr(C)]
pub struct Dirent64 {
    d_ino: u64,
    d_off: i64,
    d_reclen: u16,
    d_type: u8,
    d_name: [u8; 256],
}

/// A `DIR`: the runtime's [`sys_layer::fs::Dir`] and the entry `readdir64`
/// last returned.
pub struct DirStream {
    dir: sys_layer::fs::Dir,
    entry: Dirent64,
}

/// `opendir(3)`.
///
/// # Safety
/// `path` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opendir(path: *const c_char) -> *mut DirStream {
    // SAFETY: as the caller vouches.
    let path = unsafe { CStr::from_ptr(path) };
    match sys_layer::fs::Dir::open(path) {
        Ok(dir) => Box::into_raw(Box::new(DirStream {
            dir,
            entry: Dirent64 { d_ino: 0, d_off: 0, d_reclen: 0, d_type: 0, d_name: [0; 256] },
        })),
        Err(e) => {
            c::set_errno(e.raw());
            null_mut()
        }
    }
}

/// `readdir64(3)`: the next entry, or null at the end (`errno` untouched)
/// or on an error (`errno` set).
///
/// # Safety
/// `dir` came from [`opendir`] and is not closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readdir64(dir: *mut DirStream) -> *mut Dirent64 {
    // SAFETY: as the caller vouches.
    let stream = unsafe { &mut *dir };
    match stream.dir.next_entry() {
        None => null_mut(),
        Some(Err(e)) => {
            c::set_errno(e.raw());
            null_mut()
        }
        Some(Ok(entry)) => {
            use sys_layer::fs::FileType as T;
            let name = entry.name().to_bytes_with_nul();
            let d_type = match entry.reported_type() {
                None | Some(T::Unknown) => g::DT_UNKNOWN,
                Some(T::Regular) => g::DT_REG,
                Some(T::Directory) => g::DT_DIR,
                Some(T::Symlink) => g::DT_LNK,
                Some(T::Fifo) => g::DT_FIFO,
                Some(T::Socket) => g::DT_SOCK,
                Some(T::CharDevice) => g::DT_CHR,
                Some(T::BlockDevice) => g::DT_BLK,
            };
            let ino = entry.ino;
            let e = &mut stream.entry;
            // A name is at most 255 bytes and its NUL (NAME_MAX).
            let n = name.len().min(256);
            e.d_name[..n].copy_from_slice(&name[..n]);
            e.d_ino = ino;
            e.d_type = d_type as u8;
            e.d_reclen = size_of::<Dirent64>() as u16;
            &raw mut stream.entry
        }
    }
}

/// `closedir(3)`.
///
/// # Safety
/// `dir` came from [`opendir`] and is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn closedir(dir: *mut DirStream) -> c_int {
    // SAFETY: as the caller vouches.
    drop(unsafe { Box::from_raw(dir) });
    0
}

/// `dirfd(3)`.
///
/// # Safety
/// `dir` came from [`opendir`] and is not closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dirfd(dir: *mut DirStream) -> c_int {
    use sys_layer::fd::{AsFd, AsRawFd};
    // SAFETY: as the caller vouches.
    unsafe { (*dir).dir.as_fd().as_raw_fd() }
}

/// `fdopendir(3)`: the directory open as `fd`, which the stream now owns
/// (`closedir` closes it). `ENOTDIR` if it is not one.
#[unsafe(no_mangle)]
pub extern "C" fn fdopendir(fd: c_int) -> *mut DirStream {
    let mut st = core::mem::MaybeUninit::<Stat64>::uninit();
    // SAFETY: st is writable.
    if unsafe { fstat64(fd, st.as_mut_ptr()) } < 0 {
        return null_mut();
    }
    // SAFETY: filled by fstat64.
    let mode = unsafe { st.assume_init() }.st_mode;
    #[allow(clippy::unnecessary_cast)] // st_mode's type differs per target
    if mode as u32 & g::S_IFMT != g::S_IFDIR {
        c::set_errno(Errno::ENOTDIR.raw());
        return null_mut();
    }
    // SAFETY: C's contract: the descriptor is given to the stream.
    let fd = unsafe { sys_layer::fd::OwnedFd::from_raw_fd(fd) };
    Box::into_raw(Box::new(DirStream {
        dir: sys_layer::fs::Dir::from_fd(fd),
        entry: Dirent64 { d_ino: 0, d_off: 0, d_reclen: 0, d_type: 0, d_name: [0; 256] },
    }))
}
