//! Descriptors and memory mappings: the system calls std makes by their C
//! names, each one slot of the table (`sys_layer::c`, the thread's
//! `errno`).

use crate::{fail, ret_int};
use core::ffi::{c_int, c_long, c_uint, c_ulong, c_void};
use linux_raw_sys::general as g;
use sys_layer::{Errno, c};

/// C's `struct iovec` is the kernel's.
type Iovec = g::iovec;

/// `read(2)`.
///
/// # Safety
/// `buf` is writable for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn read(fd: c_int, buf: *mut c_void, count: usize) -> isize {
    // SAFETY: as the caller vouches.
    unsafe { c::read(fd, buf, count) }
}

/// `write(2)`.
///
/// # Safety
/// `buf` is readable for `count` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn write(fd: c_int, buf: *const c_void, count: usize) -> isize {
    // SAFETY: as the caller vouches.
    unsafe { c::write(fd, buf, count) }
}

/// `readv(2)`.
///
/// # Safety
/// `iov` holds `count` valid buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readv(fd: c_int, iov: *const Iovec, count: c_int) -> isize {
    // SAFETY: as the caller vouches.
    unsafe { c::readv(fd, iov, count) }
}

/// `writev(2)`.
///
/// # Safety
/// `iov` holds `count` valid buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn writev(fd: c_int, iov: *const Iovec, count: c_int) -> isize {
    // SAFETY: as the caller vouches.
    unsafe { c::writev(fd, iov, count) }
}

/// `pread64(2)`.
///
/// # Safety
/// As [`read`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pread64(fd: c_int, buf: *mut c_void, count: usize, offset: i64) -> isize {
    // SAFETY: as the caller vouches.
    unsafe { c::pread64(fd, buf, count, offset) }
}

/// `pwrite64(2)`.
///
/// # Safety
/// As [`write`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pwrite64(fd: c_int, buf: *const c_void, count: usize, offset: i64) -> isize {
    // SAFETY: as the caller vouches.
    unsafe { c::pwrite64(fd, buf, count, offset) }
}

/// `close(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn close(fd: c_int) -> c_int {
    // SAFETY: closing a number touches no memory of ours.
    ret_int(unsafe { c::close(fd) })
}

/// `lseek64(2)`: the `llseek` slot, whose result is whole on i686 too.
#[unsafe(no_mangle)]
pub extern "C" fn lseek64(fd: c_int, offset: i64, whence: c_int) -> i64 {
    let mut result = 0u64;
    // SAFETY: result is writable.
    if unsafe { c::llseek(fd, offset, whence, &mut result) } == -1 {
        return -1;
    }
    result as i64
}

/// `dup(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn dup(fd: c_int) -> c_int {
    // SAFETY: no memory.
    ret_int(unsafe { c::dup(fd) })
}

/// `dup2(2)`: `dup3` with no flags, except that the same number twice is
/// checked and returned, as `dup2` does.
#[unsafe(no_mangle)]
pub extern "C" fn dup2(old: c_int, new: c_int) -> c_int {
    if old == new {
        // SAFETY: F_GETFD reads flags; no memory.
        return if unsafe { c::fcntl(old, g::F_GETFD as c_int, 0) } < 0 { -1 } else { new };
    }
    // SAFETY: no memory.
    ret_int(unsafe { c::dup3(old, new, 0) })
}

/// `fcntl(2)`, variadic in C: the third argument read as one word (see
/// the crate's documentation). Every command takes an integer or a
/// pointer, or nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fcntl(fd: c_int, cmd: c_int, arg: usize) -> c_int {
    // SAFETY: the caller passes what the command needs.
    ret_int(unsafe { c::fcntl(fd, cmd, arg) })
}

/// `fcntl64`: glibc's name for [`fcntl`] with 64-bit locks (the same call
/// on 64-bit targets; on 32-bit ones the slot's call is `fcntl64`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fcntl64(fd: c_int, cmd: c_int, arg: usize) -> c_int {
    // SAFETY: as for fcntl.
    unsafe { fcntl(fd, cmd, arg) }
}

/// `ioctl(2)`, variadic in C: the third argument read as one word.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ioctl(fd: c_int, request: c_ulong, arg: usize) -> c_int {
    // SAFETY: the caller passes what the request needs.
    ret_int(unsafe { c::ioctl(fd, request, arg as *mut c_void) })
}

/// `isatty(3)`: 1 for a terminal, else 0 with `errno` (`ENOTTY`).
#[unsafe(no_mangle)]
pub extern "C" fn isatty(fd: c_int) -> c_int {
    let mut termios = core::mem::MaybeUninit::<g::termios>::uninit();
    // SAFETY: TCGETS writes a termios.
    let r = unsafe { c::ioctl(fd, linux_raw_sys::ioctl::TCGETS as c_ulong, termios.as_mut_ptr().cast()) };
    (r == 0) as c_int
}

/// `poll(2)`, on the `ppoll` slot (a timeout in milliseconds, negative for
/// none).
///
/// # Safety
/// `fds` holds `nfds` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn poll(fds: *mut g::pollfd, nfds: c_ulong, timeout: c_int) -> c_int {
    let ts = g::__kernel_timespec { tv_sec: (timeout / 1000) as _, tv_nsec: ((timeout % 1000) * 1_000_000) as _ };
    let tp = if timeout < 0 { core::ptr::null() } else { &raw const ts };
    // SAFETY: as the caller vouches; the timeout lives across the call.
    ret_int(unsafe { c::ppoll(fds, nfds as c_uint, tp, core::ptr::null(), 8) })
}

/// `fsync(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn fsync(fd: c_int) -> c_int {
    // SAFETY: no memory.
    ret_int(unsafe { c::fsync(fd) })
}

/// `fdatasync(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn fdatasync(fd: c_int) -> c_int {
    // SAFETY: no memory.
    ret_int(unsafe { c::fdatasync(fd) })
}

/// `ftruncate64(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn ftruncate64(fd: c_int, length: i64) -> c_int {
    // SAFETY: no memory.
    ret_int(unsafe { c::ftruncate(fd, length) })
}

/// `mmap64(2)`: `MAP_FAILED` (`-1`) and `errno` on failure.
///
/// # Safety
/// As `mmap`: a fixed mapping replaces what was there.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mmap64(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    offset: i64,
) -> *mut c_void {
    // SAFETY: as the caller vouches.
    unsafe { c::mmap(addr, len, prot, flags, fd, offset) as *mut c_void }
}

/// `munmap(2)`.
///
/// # Safety
/// Nothing uses the range afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn munmap(addr: *mut c_void, len: usize) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::munmap(addr, len) })
}

/// `mprotect(2)`.
///
/// # Safety
/// The range's users expect the new protection.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mprotect(addr: *mut c_void, len: usize, prot: c_int) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::mprotect(addr, len, prot) })
}

/// `madvise(2)`.
///
/// # Safety
/// `MADV_DONTNEED` and the like discard the range's contents.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::madvise(addr, len, advice) })
}

/// `sysconf(3)`: the page size, clock ticks, the descriptor limit, the
/// buffer-size limit std asks for, the smallest thread stack, and the
/// processor counts (from `/sys/devices/system/cpu/online`, as glibc reads
/// them; `-1` with the error without `/sys`); `-1` with `EINVAL` for any
/// other name.
#[unsafe(no_mangle)]
pub extern "C" fn sysconf(name: c_int) -> c_long {
    // glibc's numbering (<bits/confname.h>), the ABI std was built for.
    const SC_CLK_TCK: c_int = 2;
    const SC_OPEN_MAX: c_int = 4;
    const SC_PAGESIZE: c_int = 30;
    const SC_GETPW_R_SIZE_MAX: c_int = 70;
    const SC_THREAD_STACK_MIN: c_int = 75;
    const SC_NPROCESSORS_CONF: c_int = 83;
    const SC_NPROCESSORS_ONLN: c_int = 84;
    match name {
        SC_PAGESIZE => sys_layer::rt::auxv().pagesz as c_long,
        SC_CLK_TCK => 100,
        SC_OPEN_MAX => sys_layer::process::getrlimit(g::RLIMIT_NOFILE).map_or(-1, |(soft, _)| soft as c_long),
        // No limit: the caller grows its buffer (ERANGE) as it needs.
        SC_GETPW_R_SIZE_MAX => -1,
        SC_THREAD_STACK_MIN => sys_layer::thread::MIN_STACK_SIZE as c_long,
        SC_NPROCESSORS_CONF | SC_NPROCESSORS_ONLN => match online_cpus() {
            Ok(n) => n as c_long,
            Err(e) => fail(e),
        },
        _ => fail(Errno::EINVAL),
    }
}

/// The number of processors in `/sys/devices/system/cpu/online`, a list of
/// ranges such as `0-3,8-11`.
fn online_cpus() -> Result<usize, Errno> {
    use sys_layer::fs::{self, Mode, OFlags};
    let fd = fs::open(c"/sys/devices/system/cpu/online", OFlags::RDONLY, Mode::empty())?;
    let mut buf = [0u8; 512];
    let n = sys_layer::io::read_full(&fd, &mut buf)?;
    let number = |s: &[u8]| -> Result<usize, Errno> {
        core::str::from_utf8(s).ok().and_then(|s| s.parse().ok()).ok_or(Errno::EINVAL)
    };
    let mut count = 0;
    for range in buf[..n].trim_ascii().split(|&b| b == b',') {
        count += match range.iter().position(|&b| b == b'-') {
            Some(dash) => number(&range[dash + 1..])?.checked_sub(number(&range[..dash])?).ok_or(Errno::EINVAL)? + 1,
            None => number(range).map(|_| 1)?,
        };
    }
    if count == 0 { Err(Errno::EINVAL) } else { Ok(count) }
}
