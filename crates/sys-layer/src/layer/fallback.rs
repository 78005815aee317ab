//! Fallbacks: what a slot does on a kernel older than its system call.
//!
//! Each has the slot's signature and the errno-pointer convention, and is
//! either exact, an emulation whose limits are written next to it, or an
//! honest error. Slots with no faithful emulation (`memfd_create`, `clone3`,
//! `pidfd_open`, `membarrier`) have no fallback here: below their kernel
//! they are bound to the `ENOSYS` stub. The table in `docs/kernels.md` lists
//! them all.
//!
//! Fallbacks make their system calls directly, not through the table: they
//! are part of the layer.

use super::compat;
use super::direct::sys;
use core::ffi::{c_char, c_int, c_uint, c_void};
use linux_raw_sys::errno::{E2BIG, EAGAIN, EBADF, EINVAL, ENOSYS, EOPNOTSUPP};
use linux_raw_sys::general as g;
#[cfg(not(target_arch = "x86"))]
use linux_raw_sys::net::mmsghdr;

/// Stores `e` and returns -1.
#[inline(always)]
fn fail(errno: *mut c_int, e: u32) -> isize {
    // SAFETY: the convention makes errno a valid pointer.
    unsafe { errno.write(e as c_int) };
    -1
}

/// The convention's return for a `Result` of layer calls.
#[inline(always)]
fn ret(result: Result<usize, c_int>, errno: *mut c_int) -> isize {
    match result {
        Ok(v) => v as isize,
        Err(e) => fail(errno, e as u32),
    }
}

/// Closes a descriptor this code opened, keeping the caller's errno.
fn close_quietly(fd: usize) {
    // SAFETY: fd was opened by the fallback and is closed once.
    let _ = unsafe { sys!(g::__NR_close, fd) };
}

// ---------------------------------------------------------------- getrandom

const GRND_NONBLOCK: c_uint = 1;
const GRND_RANDOM: c_uint = 2;
const GRND_INSECURE: c_uint = 4;

/// `getrandom` before 3.17: waits (unless `GRND_NONBLOCK`) until
/// `/dev/random` is readable, which is when the kernel's pool is
/// initialised, then reads `/dev/urandom` (or `/dev/random` for
/// `GRND_RANDOM`) once. Differs from the system call in needing `/dev`
/// and two descriptors while it runs.
pub unsafe extern "C" fn getrandom(buf: *mut c_void, len: usize, flags: c_uint, errno: *mut c_int) -> isize {
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_RANDOM | GRND_INSECURE) == GRND_RANDOM | GRND_INSECURE
    {
        return fail(errno, EINVAL);
    }
    let nonblock = if flags & GRND_NONBLOCK != 0 { g::O_NONBLOCK } else { 0 };
    if flags & GRND_INSECURE == 0 {
        // SAFETY: a NUL-terminated path; the descriptor is closed below.
        let random = match unsafe {
            sys!(g::__NR_openat, g::AT_FDCWD, c"/dev/random".as_ptr(), g::O_RDONLY | g::O_CLOEXEC | nonblock, 0u32)
        } {
            Ok(fd) => fd,
            Err(e) => return fail(errno, e as u32),
        };
        let ready = compat::wait_readable(random, nonblock != 0);
        close_quietly(random);
        match ready {
            Ok(false) => return fail(errno, EAGAIN),
            Ok(true) => {}
            Err(e) => return fail(errno, e as u32),
        }
    }
    let path = if flags & GRND_RANDOM != 0 { c"/dev/random" } else { c"/dev/urandom" };
    // SAFETY: a NUL-terminated path; the descriptor is closed below.
    let fd = match unsafe {
        sys!(g::__NR_openat, g::AT_FDCWD, path.as_ptr(), g::O_RDONLY | g::O_CLOEXEC | nonblock, 0u32)
    } {
        Ok(fd) => fd,
        Err(e) => return fail(errno, e as u32),
    };
    // SAFETY: the caller vouches that buf is writable for len bytes.
    let read = unsafe { sys!(g::__NR_read, fd, buf, len) };
    close_quietly(fd);
    ret(read, errno)
}

// -------------------------------------------------------------------- statx

/// Splits a kernel `dev_t` (as `stat` reports it) into major and minor.
fn dev_major_minor(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major as u32, minor as u32)
}

fn stamp((sec, nsec): (i64, u32)) -> g::statx_timestamp {
    g::statx_timestamp { tv_sec: sec, tv_nsec: nsec, __reserved: 0 }
}

/// `statx` before 4.11, from `newfstatat`: the basic fields
/// (`STATX_BASIC_STATS` in `stx_mask`), no birth time, no attributes, no
/// mount ID; the `AT_STATX_*` sync flags have no effect.
pub unsafe extern "C" fn statx(
    dirfd: c_int,
    path: *const c_char,
    flags: c_int,
    mask: c_uint,
    buf: *mut g::statx,
    errno: *mut c_int,
) -> isize {
    let passed = g::AT_SYMLINK_NOFOLLOW | g::AT_EMPTY_PATH | g::AT_NO_AUTOMOUNT;
    let flags = flags as u32;
    if flags & !(passed | g::AT_STATX_SYNC_TYPE) != 0
        || flags & g::AT_STATX_SYNC_TYPE == g::AT_STATX_SYNC_TYPE
        || mask & g::STATX__RESERVED != 0
    {
        return fail(errno, EINVAL);
    }
    // SAFETY: path and dirfd are the caller's.
    let st = match unsafe { compat::stat_at(dirfd, path, flags & passed) } {
        Ok(st) => st,
        Err(e) => return fail(errno, e as u32),
    };
    let (rdev_major, rdev_minor) = dev_major_minor(st.rdev);
    let (dev_major, dev_minor) = dev_major_minor(st.dev);
    // SAFETY: zero is a valid statx.
    let mut out: g::statx = unsafe { core::mem::zeroed() };
    out.stx_mask = g::STATX_BASIC_STATS;
    out.stx_blksize = st.blksize;
    out.stx_nlink = st.nlink;
    out.stx_uid = st.uid;
    out.stx_gid = st.gid;
    out.stx_mode = st.mode as u16;
    out.stx_ino = st.ino;
    out.stx_size = st.size as u64;
    out.stx_blocks = st.blocks;
    out.stx_atime = stamp(st.atime);
    out.stx_mtime = stamp(st.mtime);
    out.stx_ctime = stamp(st.ctime);
    out.stx_rdev_major = rdev_major;
    out.stx_rdev_minor = rdev_minor;
    out.stx_dev_major = dev_major;
    out.stx_dev_minor = dev_minor;
    // SAFETY: the caller vouches that buf is writable.
    unsafe { buf.write(out) };
    0
}

// ------------------------------------------------------------------ openat2

/// The open flags `openat2` accepts (it refuses unknown bits).
const VALID_OPEN_FLAGS: u64 = (g::O_RDONLY
    | g::O_WRONLY
    | g::O_RDWR
    | g::O_CREAT
    | g::O_EXCL
    | g::O_NOCTTY
    | g::O_TRUNC
    | g::O_APPEND
    | g::O_NONBLOCK
    | g::O_DSYNC
    | g::FASYNC
    | g::O_DIRECT
    | g::O_LARGEFILE
    | g::O_DIRECTORY
    | g::O_NOFOLLOW
    | g::O_NOATIME
    | g::O_CLOEXEC
    | g::O_PATH
    | g::__O_SYNC
    | g::__O_TMPFILE) as u64;

/// `openat2` before 5.6, as `openat` when `how` can be said that way: the
/// same checks on `how` (size, unknown flags, a mode without `O_CREAT` or
/// `O_TMPFILE`), then `openat`. Any `resolve` flag gives `ENOSYS`: the
/// path-resolution limits it asks for cannot be had from `openat`.
pub unsafe extern "C" fn openat2(
    dirfd: c_int,
    path: *const c_char,
    how: *mut g::open_how,
    size: usize,
    errno: *mut c_int,
) -> isize {
    let known = core::mem::size_of::<g::open_how>();
    if size < known {
        return fail(errno, EINVAL);
    }
    // A larger struct from a newer caller is fine if the extra bytes are 0.
    // SAFETY: the caller vouches that how is readable for size bytes.
    let extra = unsafe { core::slice::from_raw_parts(how.cast::<u8>().add(known), size - known) };
    if extra.iter().any(|&b| b != 0) {
        return fail(errno, E2BIG);
    }
    // SAFETY: as above.
    let h = unsafe { how.read() };
    let create = h.flags & (g::O_CREAT as u64 | g::__O_TMPFILE as u64) != 0;
    if h.flags & !VALID_OPEN_FLAGS != 0 || h.mode & !0o7777 != 0 || (h.mode != 0 && !create) {
        return fail(errno, EINVAL);
    }
    if h.resolve != 0 {
        return fail(errno, ENOSYS);
    }
    // SAFETY: the caller's path and descriptor.
    ret(unsafe { sys!(g::__NR_openat, dirfd, path, h.flags as u32, h.mode as u32) }, errno)
}

// ---------------------------------------------------------------- renameat2

/// `renameat2` before 3.15: flags 0 is `renameat`. `RENAME_NOREPLACE`,
/// `RENAME_EXCHANGE` and `RENAME_WHITEOUT` give `ENOSYS`: each needs the
/// atomicity only the kernel can give.
pub unsafe extern "C" fn renameat2(
    olddirfd: c_int,
    oldpath: *const c_char,
    newdirfd: c_int,
    newpath: *const c_char,
    flags: c_uint,
    errno: *mut c_int,
) -> isize {
    if flags != 0 {
        return fail(errno, ENOSYS);
    }
    // riscv64 has only renameat2, and started with it (4.15), so this
    // fallback is never bound there; flags 0 makes it plain renameat.
    #[cfg(target_arch = "riscv64")]
    // SAFETY: the caller's paths and descriptors.
    let r = unsafe { sys!(g::__NR_renameat2, olddirfd, oldpath, newdirfd, newpath, 0u32) };
    #[cfg(not(target_arch = "riscv64"))]
    // SAFETY: the caller's paths and descriptors.
    let r = unsafe { sys!(g::__NR_renameat, olddirfd, oldpath, newdirfd, newpath) };
    ret(r, errno)
}

// --------------------------------------------------------------- faccessat2

/// `faccessat2` before 5.8. Flags 0 (or `AT_EACCESS` when real and
/// effective IDs agree) is `faccessat`. Otherwise it checks the mode bits
/// from `newfstatat` against the effective IDs and groups, as C libraries
/// do: ACLs and read-only mounts are not seen.
pub unsafe extern "C" fn faccessat2(
    dirfd: c_int,
    path: *const c_char,
    mode: c_int,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    let flags = flags as u32;
    let mode = mode as u32;
    if flags & !(g::AT_EACCESS | g::AT_SYMLINK_NOFOLLOW | g::AT_EMPTY_PATH) != 0
        || mode & !(g::R_OK | g::W_OK | g::X_OK) != 0
    {
        return fail(errno, EINVAL);
    }
    let (uid, euid, gid, egid) = compat::ids();
    let ids_agree = uid == euid && gid == egid;
    if flags == 0 || (flags == g::AT_EACCESS && ids_agree) {
        // SAFETY: the caller's path and descriptor.
        return ret(unsafe { sys!(g::__NR_faccessat, dirfd, path, mode) }, errno);
    }
    let stat_flags = flags & (g::AT_SYMLINK_NOFOLLOW | g::AT_EMPTY_PATH);
    // SAFETY: the caller's path and descriptor.
    let st = match unsafe { compat::stat_at(dirfd, path, stat_flags) } {
        Ok(st) => st,
        Err(e) => return fail(errno, e as u32),
    };
    if mode == 0 {
        return 0; // F_OK: it exists.
    }
    let (check_uid, check_gid) = if flags & g::AT_EACCESS != 0 { (euid, egid) } else { (uid, gid) };
    let file_mode = st.mode;
    let granted = if check_uid == 0 {
        // Root reads and writes anything, and executes what anyone may.
        let any_exec = file_mode & 0o111 != 0 || file_mode & g::S_IFMT == g::S_IFDIR;
        g::R_OK | g::W_OK | if any_exec { g::X_OK } else { 0 }
    } else if st.uid == check_uid {
        (file_mode >> 6) & 7
    } else if st.gid == check_gid || in_groups(st.gid) {
        (file_mode >> 3) & 7
    } else {
        file_mode & 7
    };
    if mode & !granted != 0 { fail(errno, linux_raw_sys::errno::EACCES) } else { 0 }
}

/// Whether `gid` is one of the caller's supplementary groups.
fn in_groups(gid: u32) -> bool {
    let mut groups = [0u32; 256];
    let n = compat::groups(&mut groups);
    groups[..n].contains(&gid)
}

// -------------------------------------------------------------- close_range

const CLOSE_RANGE_UNSHARE: c_uint = 1 << 1;
const CLOSE_RANGE_CLOEXEC: c_uint = 1 << 2;

/// `close_range` before 5.9: closes (or, with `CLOSE_RANGE_CLOEXEC`, marks
/// close-on-exec) each open descriptor in the range, found by listing
/// `/proc/self/fd`, or without `/proc` by trying every number up to the
/// `RLIMIT_NOFILE` soft limit. `CLOSE_RANGE_UNSHARE` unshares the table
/// first. Not atomic: a descriptor another thread opens meanwhile may be
/// missed.
pub unsafe extern "C" fn close_range(first: c_uint, last: c_uint, flags: c_uint, errno: *mut c_int) -> isize {
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return fail(errno, EINVAL);
    }
    if flags & CLOSE_RANGE_UNSHARE != 0 {
        // SAFETY: unshare of the descriptor table touches no memory.
        if let Err(e) = unsafe { sys!(g::__NR_unshare, g::CLONE_FILES) } {
            return fail(errno, e as u32);
        }
    }
    let act = |fd: u32| {
        if flags & CLOSE_RANGE_CLOEXEC != 0 {
            // SAFETY: descriptor flags only; EBADF for a closed one is fine.
            let _ = unsafe { sys!(g::__NR_fcntl, fd, g::F_SETFD, g::FD_CLOEXEC) };
        } else {
            // SAFETY: closing a descriptor the caller asked to close.
            let _ = unsafe { sys!(g::__NR_close, fd) };
        }
    };
    if for_each_open_fd(first, last, act).is_err() {
        let top = compat::getrlimit(g::RLIMIT_NOFILE).map_or(1024, |(cur, _)| cur.min(u32::MAX as u64) as u32);
        let mut fd = first;
        while fd <= last && fd < top {
            act(fd);
            fd += 1;
        }
    }
    0
}

/// Calls `act` on each open descriptor in `first..=last`, listed from
/// `/proc/self/fd`. `Err` if the listing cannot be read.
///
/// Each pass lists the directory and keeps the smallest 64 numbers at or
/// above `lo`; acting on them after the pass (closing while listing would
/// change the listing under the reader), then going on above the largest.
fn for_each_open_fd(first: u32, last: u32, mut act: impl FnMut(u32)) -> Result<(), c_int> {
    // SAFETY: a NUL-terminated path; closed below.
    let dir = unsafe {
        sys!(g::__NR_openat, g::AT_FDCWD, c"/proc/self/fd".as_ptr(), g::O_RDONLY | g::O_DIRECTORY | g::O_CLOEXEC, 0u32)
    }?;
    let mut lo = first;
    let result = loop {
        let mut kept = [0u32; 64];
        let mut count = 0;
        let mut more = false;
        let pass = list_fds(dir, |fd| {
            if fd < lo || fd > last || fd == dir as u32 {
                return;
            }
            if count < kept.len() {
                kept[count] = fd;
                count += 1;
                return;
            }
            more = true;
            let (at, &max) = kept.iter().enumerate().max_by_key(|&(_, v)| *v).unwrap_or((0, &0));
            if fd < max {
                kept[at] = fd;
            }
        });
        if let Err(e) = pass {
            break Err(e);
        }
        for &fd in &kept[..count] {
            act(fd);
        }
        let top = kept[..count].iter().copied().max().unwrap_or(last);
        if !more || top >= last {
            break Ok(());
        }
        lo = top + 1;
    };
    close_quietly(dir);
    result
}

/// Reads the whole of the directory `dir` (from its start) and calls `each`
/// with every entry name that is a descriptor number.
fn list_fds(dir: usize, mut each: impl FnMut(u32)) -> Result<(), c_int> {
    // SAFETY: rewinds our own directory descriptor.
    unsafe { sys!(g::__NR_lseek, dir, 0usize, g::SEEK_SET) }?;
    let mut buf = [0u64; 256];
    loop {
        // SAFETY: buf is writable for its length; dir is ours.
        let n = unsafe { sys!(g::__NR_getdents64, dir, buf.as_mut_ptr(), core::mem::size_of_val(&buf)) }?;
        if n == 0 {
            return Ok(());
        }
        let bytes = buf.as_ptr().cast::<u8>();
        let mut at = 0;
        while at + 19 < n {
            // SAFETY: the kernel wrote n bytes of linux_dirent64 records:
            // d_reclen at offset 16, the NUL-terminated name from 19.
            let (reclen, name) = unsafe {
                let reclen = bytes.add(at + 16).cast::<u16>().read_unaligned() as usize;
                (reclen, core::ffi::CStr::from_ptr(bytes.add(at + 19).cast()))
            };
            if let Some(fd) = parse_fd(name.to_bytes()) {
                each(fd);
            }
            at += reclen.max(20);
        }
    }
}

fn parse_fd(name: &[u8]) -> Option<u32> {
    if name.is_empty() || name.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in name {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (b - b'0') as u64;
    }
    u32::try_from(n).ok()
}

// ---------------------------------------------------------- copy_file_range

/// `copy_file_range` before 4.5: a read/write loop through a 4 KiB buffer,
/// with `pread64`/`pwrite64` where an offset pointer is given (which is then
/// advanced). Returns the bytes copied; an error after some bytes were
/// copied ends the loop and reports the count. No reflinks, no server-side
/// copy, and no check that the ranges of one file overlap.
pub unsafe extern "C" fn copy_file_range(
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
                compat::pread(fd_in, buf.as_mut_ptr(), want, *off_in)
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
                    compat::pwrite(fd_out, buf.as_ptr().add(written), got - written, *off_out + written as i64)
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
pub unsafe extern "C" fn preadv2(
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
pub unsafe extern "C" fn pwritev2(
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
            let (lo, hi) = compat::offset_words(offset);
            sys!(at_offset, fd, iov, iovcnt, lo, hi)
        }
    };
    ret(r, errno)
}

// ----------------------------------------------------------------- execveat

/// `execveat` before 3.19, through `execve`: an absolute path, or a path
/// relative to `AT_FDCWD`, as is; an empty path with `AT_EMPTY_PATH` as
/// `/proc/self/fd/N` (as `fexecve` does); another relative path as
/// `/proc/self/fd/N/path`. `AT_SYMLINK_NOFOLLOW` is checked with
/// `newfstatat` first (`ELOOP` on a link), which leaves a window a rename
/// could slip through. Needs `/proc` for the descriptor forms.
pub unsafe extern "C" fn execveat(
    dirfd: c_int,
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    let flags = flags as u32;
    if flags & !(g::AT_EMPTY_PATH | g::AT_SYMLINK_NOFOLLOW) != 0 {
        return fail(errno, EINVAL);
    }
    // SAFETY: the caller vouches for a NUL-terminated path.
    let name = unsafe { core::ffi::CStr::from_ptr(path) }.to_bytes();
    if flags & g::AT_SYMLINK_NOFOLLOW != 0 && !name.is_empty() {
        // SAFETY: the caller's path and descriptor.
        match unsafe { compat::stat_at(dirfd, path, g::AT_SYMLINK_NOFOLLOW) } {
            Err(e) => return fail(errno, e as u32),
            Ok(st) if st.mode & g::S_IFMT == g::S_IFLNK => return fail(errno, linux_raw_sys::errno::ELOOP),
            Ok(_) => {}
        }
    }
    let mut buf = [0u8; 4096 + 32];
    let target: *const c_char = if name.first() == Some(&b'/') || (dirfd == g::AT_FDCWD && !name.is_empty()) {
        path
    } else if name.is_empty() && flags & g::AT_EMPTY_PATH == 0 {
        return fail(errno, linux_raw_sys::errno::ENOENT);
    } else if dirfd < 0 {
        return fail(errno, EBADF);
    } else {
        match proc_fd_path(&mut buf, dirfd as u32, name) {
            Some(p) => p,
            None => return fail(errno, linux_raw_sys::errno::ENAMETOOLONG),
        }
    };
    // SAFETY: target is NUL-terminated; argv and envp are the caller's.
    ret(unsafe { sys!(g::__NR_execve, target, argv, envp) }, errno)
}

/// Writes `/proc/self/fd/N` (plus `/name` if `name` is not empty) and a NUL
/// into `buf`.
fn proc_fd_path(buf: &mut [u8], fd: u32, name: &[u8]) -> Option<*const c_char> {
    let mut len = 0;
    let mut push = |bytes: &[u8]| -> Option<()> {
        buf.get_mut(len..len + bytes.len())?.copy_from_slice(bytes);
        len += bytes.len();
        Some(())
    };
    push(b"/proc/self/fd/")?;
    let mut digits = [0u8; 10];
    let mut n = fd;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    push(&digits[i..])?;
    if !name.is_empty() {
        push(b"/")?;
        push(name)?;
    }
    push(b"\0")?;
    Some(buf.as_ptr().cast())
}

// ------------------------------------------------------------------- mlock2

/// `mlock2` before 4.4: flags 0 is `mlock`; `MLOCK_ONFAULT` gives `EINVAL`
/// (locking pages only as they fault in has no older equivalent).
pub unsafe extern "C" fn mlock2(addr: *const c_void, len: usize, flags: c_uint, errno: *mut c_int) -> isize {
    if flags != 0 {
        return fail(errno, EINVAL);
    }
    // SAFETY: the caller's range.
    ret(unsafe { sys!(g::__NR_mlock, addr, len) }, errno)
}

// ------------------------------------------------------------- epoll_pwait2

/// `epoll_pwait2` before 5.11, as `epoll_pwait` with the timeout rounded up
/// to whole milliseconds (so it never wakes early); a null timeout waits
/// for ever.
pub unsafe extern "C" fn epoll_pwait2(
    epfd: c_int,
    events: *mut g::epoll_event,
    maxevents: c_int,
    timeout: *const g::__kernel_timespec,
    sigmask: *const g::kernel_sigset_t,
    sigsetsize: usize,
    errno: *mut c_int,
) -> isize {
    let ms: i32 = if timeout.is_null() {
        -1
    } else {
        // SAFETY: the caller vouches for a readable timespec.
        let t = unsafe { timeout.read() };
        if !valid_timeout(&t) {
            return fail(errno, EINVAL);
        }
        let total = (t.tv_sec as u128) * 1000 + (t.tv_nsec as u128).div_ceil(1_000_000);
        total.min(i32::MAX as u128) as i32
    };
    // SAFETY: the caller's buffers and descriptor.
    ret(unsafe { sys!(g::__NR_epoll_pwait, epfd, events, maxevents, ms, sigmask, sigsetsize) }, errno)
}

// ---------------------------------------------------------------- prlimit64

/// `prlimit64` before 2.6.36, for the calling process only (pid 0 or its
/// own): `getrlimit` then `setrlimit`. Another process gives `ENOSYS`.
pub unsafe extern "C" fn prlimit64(
    pid: c_int,
    resource: c_uint,
    new_limit: *const g::rlimit64,
    old_limit: *mut g::rlimit64,
    errno: *mut c_int,
) -> isize {
    // SAFETY: getpid takes nothing and cannot fail.
    let own = pid == 0 || unsafe { sys!(g::__NR_getpid) } == Ok(pid as usize);
    if !own {
        return fail(errno, ENOSYS);
    }
    if !old_limit.is_null() {
        let (cur, max) = match compat::getrlimit(resource) {
            Ok(v) => v,
            Err(e) => return fail(errno, e as u32),
        };
        // SAFETY: the caller vouches that old_limit is writable.
        unsafe { old_limit.write(g::rlimit64 { rlim_cur: cur, rlim_max: max }) };
    }
    if !new_limit.is_null() {
        // SAFETY: the caller vouches that new_limit is readable.
        let new = unsafe { new_limit.read() };
        if let Err(e) = compat::setrlimit(resource, new.rlim_cur, new.rlim_max) {
            return fail(errno, e as u32);
        }
    }
    0
}

// -------------------------------------------------------- sendmmsg, recvmmsg

/// The fallback of `sendmmsg` on this architecture.
#[cfg(not(target_arch = "x86"))]
pub const SENDMMSG: Option<super::slots::sendmmsg::Fn> = Some(sendmmsg);
/// The fallback of `recvmmsg` on this architecture.
#[cfg(not(target_arch = "x86"))]
pub const RECVMMSG: Option<super::slots::recvmmsg::Fn> = Some(recvmmsg);
/// `accept4` needs no fallback off i686: it is older than the lowest floor.
#[cfg(not(target_arch = "x86"))]
pub const ACCEPT4: Option<super::slots::accept4::Fn> = None;
/// `clock_gettime` needs no fallback off i686.
#[cfg(not(target_arch = "x86"))]
pub const CLOCK_GETTIME: Option<super::slots::clock_gettime::Fn> = None;
/// `clock_getres` needs no fallback off i686.
#[cfg(not(target_arch = "x86"))]
pub const CLOCK_GETRES: Option<super::slots::clock_getres::Fn> = None;
/// `clock_nanosleep` needs no fallback off i686.
#[cfg(not(target_arch = "x86"))]
pub const CLOCK_NANOSLEEP: Option<super::slots::clock_nanosleep::Fn> = None;
/// `utimensat` needs no fallback off i686.
#[cfg(not(target_arch = "x86"))]
pub const UTIMENSAT: Option<super::slots::utimensat::Fn> = None;

/// `sendmmsg` before 3.0: `sendmsg` per message, storing each count in
/// `msg_len`. Returns how many were sent; an error on the first one is the
/// call's error.
#[cfg(not(target_arch = "x86"))]
pub unsafe extern "C" fn sendmmsg(
    fd: c_int,
    msgvec: *mut mmsghdr,
    vlen: c_uint,
    flags: c_uint,
    errno: *mut c_int,
) -> isize {
    let mut done = 0;
    while done < vlen.min(1024) {
        // SAFETY: the caller vouches for vlen entries.
        match unsafe { one_message(g::__NR_sendmsg, fd, msgvec.add(done as usize), flags) } {
            Ok(()) => done += 1,
            Err(e) if done == 0 => return fail(errno, e as u32),
            Err(_) => break,
        }
    }
    done as isize
}

/// `sendmsg` or `recvmsg` (`nr`) of one `mmsghdr`, storing the count in its
/// `msg_len`.
///
/// # Safety
/// `m` must point at a valid `mmsghdr` whose buffers the call may use.
#[cfg(not(target_arch = "x86"))]
unsafe fn one_message(nr: u32, fd: c_int, m: *mut mmsghdr, flags: c_uint) -> Result<(), c_int> {
    // SAFETY: the caller vouches for the header and its buffers.
    unsafe {
        let n = sys!(nr, fd, &raw mut (*m).msg_hdr, flags)?;
        (*m).msg_len = n as c_uint;
    }
    Ok(())
}

/// Whether a timeout is one the kernel accepts: seconds not negative,
/// nanoseconds below a second.
fn valid_timeout(t: &g::__kernel_timespec) -> bool {
    t.tv_sec >= 0 && (0..1_000_000_000).contains(&t.tv_nsec)
}

/// `recvmmsg` before 2.6.33: `recvmsg` per message. `MSG_WAITFORONE` makes
/// every message after the first non-blocking; the timeout, as in the
/// kernel, is only checked after each message, against `CLOCK_MONOTONIC`.
#[cfg(not(target_arch = "x86"))]
pub unsafe extern "C" fn recvmmsg(
    fd: c_int,
    msgvec: *mut mmsghdr,
    vlen: c_uint,
    flags: c_uint,
    timeout: *mut g::__kernel_timespec,
    errno: *mut c_int,
) -> isize {
    const MSG_WAITFORONE: c_uint = 0x10000;
    const MSG_DONTWAIT: c_uint = 0x40;
    let deadline = if timeout.is_null() {
        None
    } else {
        // SAFETY: the caller vouches for a readable timespec.
        let t = unsafe { timeout.read() };
        if !valid_timeout(&t) {
            return fail(errno, EINVAL);
        }
        Some(compat::monotonic_ns().saturating_add(t.tv_sec as u128 * 1_000_000_000 + t.tv_nsec as u128))
    };
    let mut done = 0;
    let mut call_flags = flags & !MSG_WAITFORONE;
    while done < vlen.min(1024) {
        // SAFETY: the caller vouches for vlen entries.
        match unsafe { one_message(g::__NR_recvmsg, fd, msgvec.add(done as usize), call_flags) } {
            Ok(()) => done += 1,
            Err(e) if done == 0 => return fail(errno, e as u32),
            Err(_) => break,
        }
        if flags & MSG_WAITFORONE != 0 {
            call_flags |= MSG_DONTWAIT;
        }
        if deadline.is_some_and(|d| compat::monotonic_ns() >= d) {
            break;
        }
    }
    done as isize
}

// --------------------------------------------------------------------- i686

#[cfg(target_arch = "x86")]
pub use i686::{ACCEPT4, CLOCK_GETRES, CLOCK_GETTIME, CLOCK_NANOSLEEP, RECVMMSG, SENDMMSG, UTIMENSAT};

/// i686 got direct socket calls (`accept4`, `sendmmsg`, ...) only in 4.3,
/// and 64-bit time (`clock_gettime64`, `recvmmsg_time64`) in 5.1. Below,
/// the same operations go through `socketcall` and the 32-bit-time calls:
/// exact (until 2038, for the times).
#[cfg(target_arch = "x86")]
mod i686 {
    use super::{fail, ret, sys};
    use core::ffi::{c_int, c_uint};
    use linux_raw_sys::errno::EOVERFLOW;
    use linux_raw_sys::general as g;
    use linux_raw_sys::net::{SYS_ACCEPT4, SYS_RECVMMSG, SYS_SENDMMSG, mmsghdr, sockaddr, socklen_t};

    pub const ACCEPT4: Option<crate::layer::slots::accept4::Fn> = Some(accept4);
    pub const SENDMMSG: Option<crate::layer::slots::sendmmsg::Fn> = Some(sendmmsg);
    pub const RECVMMSG: Option<crate::layer::slots::recvmmsg::Fn> = Some(recvmmsg);
    pub const CLOCK_GETTIME: Option<crate::layer::slots::clock_gettime::Fn> = Some(clock_gettime);
    pub const CLOCK_GETRES: Option<crate::layer::slots::clock_getres::Fn> = Some(clock_getres);
    pub const CLOCK_NANOSLEEP: Option<crate::layer::slots::clock_nanosleep::Fn> = Some(clock_nanosleep);
    pub const UTIMENSAT: Option<crate::layer::slots::utimensat::Fn> = Some(utimensat);

    /// A 64-bit timespec as the 32-bit one older i686 calls take.
    fn narrow(t: &g::__kernel_timespec) -> Result<[i32; 2], c_int> {
        let sec = i32::try_from(t.tv_sec).map_err(|_| EOVERFLOW as c_int)?;
        Ok([sec, t.tv_nsec as i32])
    }

    /// `clock_nanosleep` before 5.1: the 32-bit-time call (sleeps to 2038).
    pub unsafe extern "C" fn clock_nanosleep(
        clock: c_int,
        flags: c_int,
        req: *const g::__kernel_timespec,
        rem: *mut g::__kernel_timespec,
        errno: *mut c_int,
    ) -> isize {
        // SAFETY: the caller vouches for a readable request.
        let request = match narrow(unsafe { &*req }) {
            Ok(r) => r,
            Err(e) => return fail(errno, e as u32),
        };
        let mut left = [0i32; 2];
        let out = if rem.is_null() { core::ptr::null_mut() } else { left.as_mut_ptr() };
        // SAFETY: request and left are one 32-bit timespec each.
        let r = unsafe { sys!(g::__NR_clock_nanosleep, clock, flags, request.as_ptr(), out) };
        if r == Err(linux_raw_sys::errno::EINTR as c_int) && !rem.is_null() {
            // SAFETY: the caller vouches that a non-null rem is writable.
            unsafe { rem.write(g::__kernel_timespec { tv_sec: left[0] as i64, tv_nsec: left[1] as i64 }) };
        }
        ret(r, errno)
    }

    /// `utimensat` before 5.1: the 32-bit-time call (times to 2038;
    /// `UTIME_NOW`/`UTIME_OMIT` pass through in `tv_nsec`).
    pub unsafe extern "C" fn utimensat(
        dirfd: c_int,
        path: *const core::ffi::c_char,
        times: *const g::__kernel_timespec,
        flags: c_int,
        errno: *mut c_int,
    ) -> isize {
        let mut old = [[0i32; 2]; 2];
        let p = if times.is_null() {
            core::ptr::null()
        } else {
            for (i, slot) in old.iter_mut().enumerate() {
                // SAFETY: the caller vouches for two readable timespecs.
                match narrow(unsafe { &*times.add(i) }) {
                    Ok(t) => *slot = t,
                    Err(e) => return fail(errno, e as u32),
                }
            }
            old.as_ptr()
        };
        // SAFETY: p is null or two 32-bit timespecs; the path is the caller's.
        ret(unsafe { sys!(g::__NR_utimensat, dirfd, path, p, flags) }, errno)
    }

    /// `clock_getres` before 5.1: the 32-bit-time call, widened.
    pub unsafe extern "C" fn clock_getres(clock: c_int, res: *mut g::__kernel_timespec, errno: *mut c_int) -> isize {
        let mut old = [0i32; 2];
        // SAFETY: old is writable for one 32-bit timespec.
        if let Err(e) = unsafe { sys!(g::__NR_clock_getres, clock, old.as_mut_ptr()) } {
            return fail(errno, e as u32);
        }
        if !res.is_null() {
            // SAFETY: the caller vouches that a non-null res is writable.
            unsafe { res.write(g::__kernel_timespec { tv_sec: old[0] as i64, tv_nsec: old[1] as i64 }) };
        }
        0
    }

    /// `socketcall(call, args)`: the arguments as an array of words.
    fn socketcall(call: u32, args: &[usize]) -> Result<usize, c_int> {
        // SAFETY: args is readable for the words the call reads; the caller's
        // pointers inside it are the caller's promise.
        unsafe { sys!(g::__NR_socketcall, call, args.as_ptr()) }
    }

    /// `accept4` before 4.3, through `socketcall(SYS_ACCEPT4)`.
    pub unsafe extern "C" fn accept4(
        fd: c_int,
        addr: *mut sockaddr,
        len: *mut socklen_t,
        flags: c_int,
        errno: *mut c_int,
    ) -> isize {
        ret(socketcall(SYS_ACCEPT4, &[fd as usize, addr as usize, len as usize, flags as usize]), errno)
    }

    /// `sendmmsg` before 4.3, through `socketcall(SYS_SENDMMSG)`.
    pub unsafe extern "C" fn sendmmsg(
        fd: c_int,
        msgvec: *mut mmsghdr,
        vlen: c_uint,
        flags: c_uint,
        errno: *mut c_int,
    ) -> isize {
        ret(socketcall(SYS_SENDMMSG, &[fd as usize, msgvec as usize, vlen as usize, flags as usize]), errno)
    }

    /// `recvmmsg` before 5.1, through `socketcall(SYS_RECVMMSG)` with the
    /// timeout in 32-bit time.
    pub unsafe extern "C" fn recvmmsg(
        fd: c_int,
        msgvec: *mut mmsghdr,
        vlen: c_uint,
        flags: c_uint,
        timeout: *mut g::__kernel_timespec,
        errno: *mut c_int,
    ) -> isize {
        let mut old = [0i32; 2];
        let old_ptr = if timeout.is_null() {
            core::ptr::null_mut()
        } else {
            // SAFETY: the caller vouches for a readable timespec.
            let t = unsafe { timeout.read() };
            let Ok(sec) = i32::try_from(t.tv_sec) else { return fail(errno, EOVERFLOW) };
            old = [sec, t.tv_nsec as i32];
            old.as_mut_ptr()
        };
        let r =
            socketcall(SYS_RECVMMSG, &[fd as usize, msgvec as usize, vlen as usize, flags as usize, old_ptr as usize]);
        if !timeout.is_null() && r.is_ok() {
            // SAFETY: as above; the kernel updated the remaining time.
            unsafe { timeout.write(g::__kernel_timespec { tv_sec: old[0] as i64, tv_nsec: old[1] as i64 }) };
        }
        ret(r, errno)
    }

    /// `clock_gettime` before 5.1: the 32-bit-time call, widened.
    pub unsafe extern "C" fn clock_gettime(clock: c_int, tp: *mut g::__kernel_timespec, errno: *mut c_int) -> isize {
        let mut old = [0i32; 2];
        // SAFETY: old is writable for one 32-bit timespec.
        if let Err(e) = unsafe { sys!(g::__NR_clock_gettime, clock, old.as_mut_ptr()) } {
            return fail(errno, e as u32);
        }
        // SAFETY: the caller vouches that tp is writable.
        unsafe { tp.write(g::__kernel_timespec { tv_sec: old[0] as i64, tv_nsec: old[1] as i64 }) };
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_numbers_split_like_the_kernel() {
        // makedev(8, 1) and makedev(259, 70000) in glibc's encoding.
        let mk = |ma: u64, mi: u64| ((ma & 0xfff) << 8) | ((ma & !0xfff) << 32) | (mi & 0xff) | ((mi & !0xff) << 12);
        assert_eq!(dev_major_minor(mk(8, 1)), (8, 1));
        assert_eq!(dev_major_minor(mk(259, 70000)), (259, 70000));
        assert_eq!(dev_major_minor(mk(0x12345, 0xabcdef)), (0x12345, 0xabcdef));
    }

    #[test]
    fn proc_paths() {
        let mut buf = [0u8; 64];
        let p = proc_fd_path(&mut buf, 17, b"bin/x").unwrap();
        // SAFETY: proc_fd_path NUL-terminated it.
        assert_eq!(unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes(), b"/proc/self/fd/17/bin/x");
        let p = proc_fd_path(&mut buf, 0, b"").unwrap();
        // SAFETY: as above.
        assert_eq!(unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes(), b"/proc/self/fd/0");
        assert!(proc_fd_path(&mut [0u8; 16], 5, b"long-name").is_none());
    }

    #[test]
    fn fd_names() {
        assert_eq!(parse_fd(b"0"), Some(0));
        assert_eq!(parse_fd(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_fd(b"4294967296"), None);
        assert_eq!(parse_fd(b"."), None);
        assert_eq!(parse_fd(b""), None);
    }
}
