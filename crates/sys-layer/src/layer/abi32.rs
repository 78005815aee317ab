//! Where the kernel's argument words differ from a slot's, all in one
//! place: 64-bit offsets split in two words on 32-bit targets, `_llseek`,
//! `mmap2`, 32-bit time (narrowed and widened), `stat64` and the `*32` IDs,
//! plus the two forms every target needs (`preadv2`'s split offset, `time`
//! where there is no `time(2)`) and fork-only `clone3`.
//!
//! The *forms* (`pub(crate) unsafe extern "C" fn` with a slot's signature)
//! are named by the slot's row in `rows.rs` and become the slot's direct
//! implementation. The helpers below them serve the fallbacks.

#[cfg(target_arch = "x86")]
use super::direct::finish;
use super::direct::{fail, ret_of};
use core::ffi::{c_char, c_int, c_void};
use linux_raw_sys::errno::{EINVAL, EOVERFLOW};
use linux_raw_sys::general as g;
use sys_layer_arch::{raw_syscall, sys};

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

/// `pread64` (`write: false`) or `pwrite64` into or from `buf`.
///
/// # Safety
/// `buf` valid for `len` bytes in the direction of the call.
pub(crate) unsafe fn pread_pwrite(
    write: bool,
    fd: c_int,
    buf: *mut u8,
    len: usize,
    offset: i64,
) -> Result<usize, c_int> {
    let nr = if write { g::__NR_pwrite64 } else { g::__NR_pread64 };
    // SAFETY: the caller vouches for buf.
    sys_layer_arch::check(unsafe { offset_call(nr, fd, buf.cast(), len, offset) })
}

/// A call of `(fd, buf, count, offset)` whose 64-bit offset is one word on
/// 64-bit targets and two (low, high) on i686, as the kernel's word.
///
/// # Safety
/// The caller vouches for the arguments.
unsafe fn offset_call(nr: u32, fd: c_int, buf: *mut c_void, count: usize, offset: i64) -> usize {
    let (lo, hi) = offset_words(offset);
    // SAFETY: the caller vouches for the arguments.
    unsafe {
        if cfg!(target_pointer_width = "64") {
            raw_syscall!(nr, fd as usize, buf as usize, count, lo)
        } else {
            raw_syscall!(nr, fd as usize, buf as usize, count, lo, hi)
        }
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

/// A 64-bit `timespec` as the two 32-bit words older i686 calls take
/// (`EOVERFLOW` past 2038).
#[cfg_attr(not(target_arch = "x86"), allow(dead_code))] // i686's fallbacks, and the unit tests
pub(crate) fn narrow_timespec(t: &g::__kernel_timespec) -> Result<[i32; 2], c_int> {
    let sec = i32::try_from(t.tv_sec).map_err(|_| EOVERFLOW as c_int)?;
    Ok([sec, t.tv_nsec as i32])
}

/// The two 32-bit words of an old i686 `timespec` as a 64-bit one.
#[cfg_attr(not(target_arch = "x86"), allow(dead_code))] // as above
pub(crate) fn widen_timespec(t: [i32; 2]) -> g::__kernel_timespec {
    g::__kernel_timespec { tv_sec: t[0] as i64, tv_nsec: t[1] as i64 }
}

// ------------------------------------------------------------------ forms

/// `lseek` on i686: [`llseek_result`], the offset returned when it fits.
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn llseek(fd: c_int, offset: i64, whence: c_int, errno: *mut c_int) -> isize {
    let mut result: u64 = 0;
    // SAFETY: result is writable; errno as the caller vouches.
    if unsafe { llseek_result(fd, offset, whence, &raw mut result, errno) } == -1 {
        return -1;
    }
    // As the kernel's own 32-bit lseek: an offset the return value cannot
    // hold is EOVERFLOW, not a truncated number (the llseek slot has it whole).
    match isize::try_from(result) {
        Ok(offset) => offset,
        Err(_) => fail(errno, EOVERFLOW),
    }
}

/// `llseek` on i686: `_llseek`, the new offset stored whole in `result`.
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn llseek_result(
    fd: c_int,
    offset: i64,
    whence: c_int,
    result: *mut u64,
    errno: *mut c_int,
) -> isize {
    let (lo, hi) = offset_words(offset);
    // SAFETY: the caller vouches that result is writable.
    ret_of(unsafe { sys!(g::__NR__llseek, fd, hi, lo, result, whence) }, errno)
}

/// `llseek` on 64-bit targets: `lseek`, whose return value holds every
/// offset, stored in `result`.
#[cfg(not(target_arch = "x86"))]
pub(crate) unsafe extern "C" fn lseek_result(
    fd: c_int,
    offset: i64,
    whence: c_int,
    result: *mut u64,
    errno: *mut c_int,
) -> isize {
    // SAFETY: no pointers.
    let ret = ret_of(unsafe { sys!(g::__NR_lseek, fd, offset, whence) }, errno);
    if ret == -1 {
        return -1;
    }
    // SAFETY: the caller vouches that result is writable.
    unsafe { result.write(ret as u64) };
    0
}

/// `mmap` on i686: `mmap2`, which takes the offset in pages.
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn mmap2(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    offset: i64,
    errno: *mut c_int,
) -> isize {
    if offset & 4095 != 0 || offset < 0 || (offset >> 12) > u32::MAX as i64 {
        return fail(errno, EINVAL);
    }
    let pages = (offset >> 12) as usize;
    // SAFETY: the caller vouches for the mapping request.
    ret_of(unsafe { sys!(g::__NR_mmap2, addr, len, prot, flags, fd, pages) }, errno)
}

/// `pread64` on i686: the offset in two words.
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn pread64(
    fd: c_int,
    buf: *mut c_void,
    count: usize,
    offset: i64,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller vouches for the arguments.
    finish(unsafe { offset_call(g::__NR_pread64, fd, buf, count, offset) }, errno)
}

/// `pwrite64` on i686: the offset in two words.
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn pwrite64(
    fd: c_int,
    buf: *const c_void,
    count: usize,
    offset: i64,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller vouches for the arguments; the kernel only reads buf.
    finish(unsafe { offset_call(g::__NR_pwrite64, fd, buf.cast_mut(), count, offset) }, errno)
}

/// `ftruncate` on i686: `ftruncate64`, the length in two words.
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn ftruncate64(fd: c_int, length: i64, errno: *mut c_int) -> isize {
    let (lo, hi) = offset_words(length);
    // SAFETY: no pointers.
    ret_of(unsafe { sys!(g::__NR_ftruncate64, fd, lo, hi) }, errno)
}

/// `fallocate` on i686: both 64-bit arguments in two words.
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn fallocate(fd: c_int, mode: c_int, offset: i64, len: i64, errno: *mut c_int) -> isize {
    let ((ol, oh), (ll, lh)) = (offset_words(offset), offset_words(len));
    // SAFETY: no pointers.
    ret_of(unsafe { sys!(g::__NR_fallocate, fd, mode, ol, oh, ll, lh) }, errno)
}

/// `preadv2` on every target: the kernel takes the offset as (low, high).
pub(crate) unsafe extern "C" fn preadv2(
    fd: c_int,
    iov: *const g::iovec,
    iovcnt: c_int,
    offset: i64,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller's contract is the slot's.
    unsafe { vectored_split(g::__NR_preadv2, fd, iov, iovcnt, offset, flags, errno) }
}

/// `pwritev2` on every target, as [`preadv2`].
pub(crate) unsafe extern "C" fn pwritev2(
    fd: c_int,
    iov: *const g::iovec,
    iovcnt: c_int,
    offset: i64,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    // SAFETY: the caller's contract is the slot's.
    unsafe { vectored_split(g::__NR_pwritev2, fd, iov, iovcnt, offset, flags, errno) }
}

/// The body of both: `nr` with the offset as (low, high) words.
///
/// # Safety
/// As for the slots: a valid vector and a writable `errno`.
unsafe fn vectored_split(
    nr: u32,
    fd: c_int,
    iov: *const g::iovec,
    iovcnt: c_int,
    offset: i64,
    flags: c_int,
    errno: *mut c_int,
) -> isize {
    let (lo, hi) = offset_words(offset);
    // SAFETY: the caller vouches for the vector.
    ret_of(unsafe { sys!(nr, fd, iov, iovcnt, lo, hi, flags) }, errno)
}

/// `time`: `time(2)` where it exists (x86), else the seconds of
/// `CLOCK_REALTIME`; 64-bit either way.
pub(crate) unsafe extern "C" fn time(tloc: *mut i64, errno: *mut c_int) -> isize {
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    // SAFETY: no pointer is passed; the result is stored below.
    let r = unsafe { sys!(g::__NR_time, 0usize) };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
    let r = {
        let mut ts = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: ts is writable.
        unsafe { sys!(g::__NR_clock_gettime, g::CLOCK_REALTIME, &raw mut ts) }.map(|_| ts.tv_sec as usize)
    };
    let ret = ret_of(r, errno);
    // i686's time(2) answers 32-bit seconds (until 2038).
    let seconds = if cfg!(target_pointer_width = "32") { ret as u32 as i64 } else { ret as i64 };
    if ret != -1 && !tloc.is_null() {
        // SAFETY: the caller vouches that a non-null tloc is writable.
        unsafe { tloc.write(seconds) };
    }
    ret
}

/// `gettimeofday` on i686: the 32-bit call, widened (so until 2038).
#[cfg(target_arch = "x86")]
pub(crate) unsafe extern "C" fn gettimeofday(
    tv: *mut sys_layer_stubs::ty::timeval64,
    tz: *mut g::timezone,
    errno: *mut c_int,
) -> isize {
    let mut old = [0i32; 2];
    // SAFETY: old is one 32-bit timeval; tz is the caller's.
    let r = ret_of(unsafe { sys!(g::__NR_gettimeofday, old.as_mut_ptr(), tz) }, errno);
    if r == 0 && !tv.is_null() {
        // SAFETY: the caller vouches that a non-null tv is writable.
        unsafe { tv.write(sys_layer_stubs::ty::timeval64 { tv_sec: old[0] as i64, tv_usec: old[1] as i64 }) };
    }
    r
}

/// `clone3`, fork-like only: a child that starts on another stack cannot
/// return through this function, so a request with a stack is `EINVAL`.
pub(crate) unsafe extern "C" fn clone3(args: *mut g::clone_args, size: usize, errno: *mut c_int) -> isize {
    // SAFETY: the caller vouches that args is readable for size bytes.
    if size >= 48 && !args.is_null() && unsafe { (*args).stack } != 0 {
        return fail(errno, EINVAL);
    }
    // SAFETY: fork-like: the child returns here on a copy of this stack.
    ret_of(unsafe { sys!(g::__NR_clone3, args, size) }, errno)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_split_low_then_high() {
        let (lo, hi) = offset_words(0x1_2345_6789);
        if cfg!(target_pointer_width = "64") {
            assert_eq!((lo as u64, hi), (0x1_2345_6789, 0));
        } else {
            assert_eq!((lo, hi), (0x2345_6789, 1));
        }
    }

    #[test]
    fn timespecs_narrow_until_2038_and_widen_back() {
        let t = g::__kernel_timespec { tv_sec: 1_700_000_000, tv_nsec: 5 };
        let n = narrow_timespec(&t).unwrap();
        assert_eq!(n, [1_700_000_000, 5]);
        let w = widen_timespec(n);
        assert_eq!((w.tv_sec, w.tv_nsec), (1_700_000_000, 5));
        let late = g::__kernel_timespec { tv_sec: 1 << 31, tv_nsec: 0 };
        assert_eq!(narrow_timespec(&late), Err(EOVERFLOW as c_int));
    }
}
