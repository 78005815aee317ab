//! The few system calls whose form differs between 64-bit and 32-bit
//! architectures (64-bit offsets split in two words, `stat64`, `*32` IDs),
//! behind one signature for the fallbacks.

use super::direct::sys;
use core::ffi::{c_char, c_int};
use linux_raw_sys::general as g;

/// The fields of a file status the fallbacks use.
pub(crate) struct Stat {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: i64,
    pub blksize: u32,
    pub blocks: u64,
    pub atime: (i64, u32),
    pub mtime: (i64, u32),
    pub ctime: (i64, u32),
}

/// `fstatat` (`newfstatat` on 64-bit, `fstatat64` on i686).
///
/// # Safety
/// `path` must be NUL-terminated (or empty with `AT_EMPTY_PATH`).
#[allow(clippy::unnecessary_cast)] // the field types differ by architecture
pub(crate) unsafe fn stat_at(dirfd: c_int, path: *const c_char, flags: u32) -> Result<Stat, c_int> {
    #[cfg(target_pointer_width = "64")]
    let (nr, mut st) = (g::__NR_newfstatat, core::mem::MaybeUninit::<g::stat>::zeroed());
    #[cfg(target_arch = "x86")]
    let (nr, mut st) = (g::__NR_fstatat64, core::mem::MaybeUninit::<g::stat64>::zeroed());
    // SAFETY: st is writable and of the call's type; the caller vouches for path.
    unsafe { sys!(nr, dirfd, path, st.as_mut_ptr(), flags) }?;
    // SAFETY: zeroed, then filled by the kernel.
    let st = unsafe { st.assume_init() };
    Ok(Stat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        mode: st.st_mode as u32,
        nlink: st.st_nlink as u32,
        uid: st.st_uid as u32,
        gid: st.st_gid as u32,
        rdev: st.st_rdev as u64,
        size: st.st_size as i64,
        blksize: st.st_blksize as u32,
        blocks: st.st_blocks as u64,
        atime: (st.st_atime as i64, st.st_atime_nsec as u32),
        mtime: (st.st_mtime as i64, st.st_mtime_nsec as u32),
        ctime: (st.st_ctime as i64, st.st_ctime_nsec as u32),
    })
}

/// Real and effective user and group IDs: `(uid, euid, gid, egid)`.
pub(crate) fn ids() -> (u32, u32, u32, u32) {
    #[cfg(target_arch = "x86")]
    let nrs = [g::__NR_getuid32, g::__NR_geteuid32, g::__NR_getgid32, g::__NR_getegid32];
    #[cfg(not(target_arch = "x86"))]
    let nrs = [g::__NR_getuid, g::__NR_geteuid, g::__NR_getgid, g::__NR_getegid];
    // SAFETY: these take no arguments and cannot fail.
    let id = |nr: u32| unsafe { sys!(nr) }.unwrap_or(0) as u32;
    (id(nrs[0]), id(nrs[1]), id(nrs[2]), id(nrs[3]))
}

/// The caller's supplementary groups, into `buf`; how many.
pub(crate) fn groups(buf: &mut [u32]) -> usize {
    #[cfg(target_arch = "x86")]
    let nr = g::__NR_getgroups32;
    #[cfg(not(target_arch = "x86"))]
    let nr = g::__NR_getgroups;
    // SAFETY: buf has room for its length in IDs.
    unsafe { sys!(nr, buf.len() as u32, buf.as_mut_ptr()) }.map_or(0, |n| n.min(buf.len()))
}

/// A 64-bit offset as the kernel's (low, high) argument words: on 64-bit
/// the whole offset and 0.
pub(crate) fn offset_words(offset: i64) -> (usize, usize) {
    #[cfg(target_pointer_width = "64")]
    return (offset as usize, 0);
    #[cfg(target_pointer_width = "32")]
    return (offset as u32 as usize, ((offset as u64) >> 32) as usize);
}

/// `pread64`.
///
/// # Safety
/// `buf` writable for `len` bytes.
pub(crate) unsafe fn pread(fd: c_int, buf: *mut u8, len: usize, offset: i64) -> Result<usize, c_int> {
    #[cfg(target_pointer_width = "64")]
    // SAFETY: the caller vouches for buf.
    return unsafe { sys!(g::__NR_pread64, fd, buf, len, offset as usize) };
    #[cfg(target_arch = "x86")]
    {
        let (lo, hi) = offset_words(offset);
        // SAFETY: the caller vouches for buf; i386 takes the offset as two words.
        unsafe { sys!(g::__NR_pread64, fd, buf, len, lo, hi) }
    }
}

/// `pwrite64`.
///
/// # Safety
/// `buf` readable for `len` bytes.
pub(crate) unsafe fn pwrite(fd: c_int, buf: *const u8, len: usize, offset: i64) -> Result<usize, c_int> {
    #[cfg(target_pointer_width = "64")]
    // SAFETY: the caller vouches for buf.
    return unsafe { sys!(g::__NR_pwrite64, fd, buf, len, offset as usize) };
    #[cfg(target_arch = "x86")]
    {
        let (lo, hi) = offset_words(offset);
        // SAFETY: the caller vouches for buf; i386 takes the offset as two words.
        unsafe { sys!(g::__NR_pwrite64, fd, buf, len, lo, hi) }
    }
}

/// `getrlimit` as 64-bit values (`ugetrlimit` on i686).
#[allow(clippy::unnecessary_cast)] // rlim_t is 32-bit on i686
pub(crate) fn getrlimit(resource: u32) -> Result<(u64, u64), c_int> {
    #[cfg(target_arch = "x86")]
    let nr = g::__NR_ugetrlimit;
    #[cfg(not(target_arch = "x86"))]
    let nr = g::__NR_getrlimit;
    let mut limit = g::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: limit is writable.
    unsafe { sys!(nr, resource, &raw mut limit) }?;
    let widen = |v| if v == !0 { u64::MAX } else { v as u64 };
    Ok((widen(limit.rlim_cur), widen(limit.rlim_max)))
}

/// `setrlimit` from 64-bit values (clamped to "infinity" on 32-bit).
#[allow(clippy::unnecessary_cast)] // rlim_t is 32-bit on i686
pub(crate) fn setrlimit(resource: u32, cur: u64, max: u64) -> Result<(), c_int> {
    let narrow = |v: u64| if v > (!0 as g::__kernel_ulong_t) as u64 { !0 } else { v as g::__kernel_ulong_t };
    let limit = g::rlimit { rlim_cur: narrow(cur), rlim_max: narrow(max) };
    // SAFETY: limit is readable.
    unsafe { sys!(g::__NR_setrlimit, resource, &raw const limit) }.map(drop)
}

/// Waits until `fd` is readable; with `nonblock`, only checks. `Ok(false)`:
/// not readable (`nonblock` only).
pub(crate) fn wait_readable(fd: usize, nonblock: bool) -> Result<bool, c_int> {
    let mut pfd = g::pollfd { fd: fd as c_int, events: g::POLLIN as i16, revents: 0 };
    // ppoll's timeout is the architecture's own timespec: zero words either way.
    let zero = [0usize; 2];
    let timeout: *const usize = if nonblock { zero.as_ptr() } else { core::ptr::null() };
    // SAFETY: one pollfd, a valid or null timeout, no signal mask.
    let ready = unsafe { sys!(g::__NR_ppoll, &raw mut pfd, 1usize, timeout, core::ptr::null::<u8>(), 8usize) }?;
    Ok(ready > 0)
}

/// `CLOCK_MONOTONIC` in nanoseconds.
#[cfg(not(target_arch = "x86"))]
pub(crate) fn monotonic_ns() -> u128 {
    // The architecture's own timespec: two words (32-bit seconds on i686,
    // enough for a monotonic clock).
    let mut t = [0usize; 2];
    // SAFETY: t is writable for one timespec.
    let _ = unsafe { sys!(g::__NR_clock_gettime, g::CLOCK_MONOTONIC, t.as_mut_ptr()) };
    t[0] as u128 * 1_000_000_000 + t[1] as u128
}
