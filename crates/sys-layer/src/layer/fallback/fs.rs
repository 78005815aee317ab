//! Files and paths: `statx`, `openat2`, `renameat2`, `faccessat2` on
//! kernels before them, and i686's `utimensat` before 64-bit time.

use crate::layer::abi32;
use crate::layer::direct::{fail, ret_of};
use core::ffi::c_int;
use core::ffi::{c_char, c_uint};
use linux_raw_sys::errno::{E2BIG, EINVAL, ENOSYS};
use linux_raw_sys::general as g;
use sys_layer_arch::sys;

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
pub(crate) unsafe extern "C" fn statx(
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
    let st = match unsafe { abi32::stat_at(dirfd, path, flags & passed) } {
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
pub(crate) unsafe extern "C" fn openat2(
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
    ret_of(unsafe { sys!(g::__NR_openat, dirfd, path, h.flags as u32, h.mode as u32) }, errno)
}

// ---------------------------------------------------------------- renameat2

/// `renameat2` before 3.15: flags 0 is `renameat`. `RENAME_NOREPLACE`,
/// `RENAME_EXCHANGE` and `RENAME_WHITEOUT` give `ENOSYS`: each needs the
/// atomicity only the kernel can give.
pub(crate) unsafe extern "C" fn renameat2(
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
    ret_of(r, errno)
}

// --------------------------------------------------------------- faccessat2

/// `faccessat2` before 5.8. Flags 0 (or `AT_EACCESS` when real and
/// effective IDs agree) is `faccessat`. Otherwise it checks the mode bits
/// from `newfstatat` against the effective IDs and groups, as C libraries
/// do: ACLs and read-only mounts are not seen.
pub(crate) unsafe extern "C" fn faccessat2(
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
    let (uid, euid, gid, egid) = abi32::ids();
    let ids_agree = uid == euid && gid == egid;
    if flags == 0 || (flags == g::AT_EACCESS && ids_agree) {
        // SAFETY: the caller's path and descriptor.
        return ret_of(unsafe { sys!(g::__NR_faccessat, dirfd, path, mode) }, errno);
    }
    let stat_flags = flags & (g::AT_SYMLINK_NOFOLLOW | g::AT_EMPTY_PATH);
    // SAFETY: the caller's path and descriptor.
    let st = match unsafe { abi32::stat_at(dirfd, path, stat_flags) } {
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
    let n = abi32::groups(&mut groups);
    groups[..n].contains(&gid)
}

/// `utimensat` on i686 before 5.1: the 32-bit-time call (times to 2038;
/// `UTIME_NOW`/`UTIME_OMIT` pass through in `tv_nsec`).
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn utimensat32(
    dirfd: c_int,
    path: *const c_char,
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
            match abi32::narrow_timespec(unsafe { &*times.add(i) }) {
                Ok(t) => *slot = t,
                Err(e) => return fail(errno, e as u32),
            }
        }
        old.as_ptr()
    };
    // SAFETY: p is null or two 32-bit timespecs; the path is the caller's.
    ret_of(unsafe { sys!(g::__NR_utimensat, dirfd, path, p, flags) }, errno)
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
}
