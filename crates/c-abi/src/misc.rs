//! The rest of std's imports that are one slot each, a few from other
//! sources (`gethostname` from `uname`, `getpwuid_r` from `/etc/passwd`),
//! (the `posix_spawn` family is in `spawn.rs`).

use crate::{fail, ret_int};
use core::ffi::{c_char, c_int, c_uint, c_void};
use linux_raw_sys::general as g;
use sys_layer::{Errno, c};

slot_calls! {
    /// `getppid(2)`.
    fn getppid() -> c_int => getppid();
    /// `pipe2(2)`.
    fn pipe2(fds: *mut c_int, flags: c_int) -> c_int => pipe2(fds, flags);
    /// `getrandom(2)` (from `/dev/urandom` before Linux 3.17).
    fn getrandom(buf: *mut c_void, len: usize, flags: c_uint) -> isize => getrandom(buf, len, flags);
    /// `copy_file_range(2)` (the slot's fallback copies before Linux 4.5).
    fn copy_file_range(fd_in: c_int, off_in: *mut i64, fd_out: c_int, off_out: *mut i64, len: usize, flags: c_uint) -> isize
        => copy_file_range(fd_in, off_in, fd_out, off_out, len, flags);
    /// `preadv(2)`: `preadv2` with no flags.
    fn preadv(fd: c_int, iov: *const g::iovec, count: c_int, offset: i64) -> isize => preadv2(fd, iov, count, offset, 0);
    /// `pwritev(2)`: `pwritev2` with no flags.
    fn pwritev(fd: c_int, iov: *const g::iovec, count: c_int, offset: i64) -> isize => pwritev2(fd, iov, count, offset, 0);
    /// `fchown(2)`.
    fn fchown(fd: c_int, uid: c_uint, gid: c_uint) -> c_int => fchownat(fd, c"".as_ptr(), uid, gid, g::AT_EMPTY_PATH as c_int);
    /// `setsid(2)`.
    fn setsid() -> c_int => setsid();
    /// `setpgid(2)`.
    fn setpgid(pid: c_int, pgid: c_int) -> c_int => setpgid(pid, pgid);
}

/// `utimensat(2)`, for the 64-bit targets (C's `timespec` is the slot's).
///
/// # Safety
/// `path` null or a C string; `times` null or two timespecs.
#[cfg(target_pointer_width = "64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn utimensat(
    dir: c_int,
    path: *const c_char,
    times: *const g::__kernel_timespec,
    flags: c_int,
) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::utimensat(dir, path, times, flags) })
}

/// `futimens(3)`: `utimensat` on the descriptor itself.
///
/// # Safety
/// `times` null or two timespecs.
#[cfg(target_pointer_width = "64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn futimens(fd: c_int, times: *const g::__kernel_timespec) -> c_int {
    // SAFETY: a null path names the descriptor; as the caller vouches.
    ret_int(unsafe { c::utimensat(fd, core::ptr::null(), times, 0) })
}

/// `clock_nanosleep(2)`: returns the error number, as C's does (not
/// `errno`).
///
/// # Safety
/// `req` readable; `rem` null or writable.
#[cfg(target_pointer_width = "64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_nanosleep(
    clock: c_int,
    flags: c_int,
    req: *const g::__kernel_timespec,
    rem: *mut g::__kernel_timespec,
) -> c_int {
    let mut e = 0;
    // SAFETY: as the caller vouches; e is this call's own errno.
    let r = unsafe { sys_layer::raw::clock_nanosleep(clock, flags, req, rem, &mut e) };
    if r < 0 { e } else { 0 }
}

/// `prctl(2)`, variadic in C: four words after the option (see the
/// crate's documentation).
///
/// # Safety
/// The arguments are what the option expects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn prctl(option: c_int, a2: usize, a3: usize, a4: usize, a5: usize) -> c_int {
    // SAFETY: as the caller vouches.
    ret_int(unsafe { c::prctl(option, a2, a3, a4, a5) })
}

/// `strnlen(3)`.
///
/// # Safety
/// `s` is readable up to its NUL or `max` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strnlen(s: *const c_char, max: usize) -> usize {
    let mut n = 0;
    // SAFETY: as the caller vouches: every byte read is before the NUL or
    // within max.
    while n < max && unsafe { *s.add(n) } != 0 {
        n += 1;
    }
    n
}

/// `gethostname(2)`: the node name from `uname`; `ENAMETOOLONG` if it
/// does not fit with its NUL.
///
/// # Safety
/// `buf` is writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gethostname(buf: *mut c_char, len: usize) -> c_int {
    let name = match sys_layer::process::uname() {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let bytes = name.nodename().to_bytes_with_nul();
    if bytes.len() > len {
        return fail(Errno::ENAMETOOLONG);
    }
    // SAFETY: as the caller vouches; bytes fit.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), buf, bytes.len()) };
    0
}

slot_calls! {
    /// `sendfile64(2)`.
    fn sendfile64(out_fd: c_int, in_fd: c_int, offset: *mut i64, count: usize) -> isize
        => sendfile(out_fd, in_fd, offset, count);
    /// `splice(2)`.
    fn splice(fd_in: c_int, off_in: *mut i64, fd_out: c_int, off_out: *mut i64, len: usize, flags: c_uint) -> isize
        => splice(fd_in, off_in, fd_out, off_out, len, flags);
    /// `mkfifo(3)`: `mknodat` with `S_IFIFO`.
    fn mkfifo(path: *const c_char, mode: c_uint) -> c_int
        => mknodat(g::AT_FDCWD, path, g::S_IFIFO | (mode & 0o7777), 0);
    /// `flock(2)`.
    fn flock(fd: c_int, op: c_int) -> c_int => flock(fd, op);
    /// `chroot(2)`.
    fn chroot(path: *const c_char) -> c_int => chroot(path);
    /// `setuid(2)`. The kernel changes the calling thread's IDs only (glibc
    /// makes every thread do it); std calls it in a child before `execve`.
    fn setuid(uid: c_uint) -> c_int => setuid(uid);
    /// `setgid(2)` (the calling thread's, as `setuid`).
    fn setgid(gid: c_uint) -> c_int => setgid(gid);
    /// `setgroups(2)` (the calling thread's, as `setuid`).
    fn setgroups(count: usize, groups: *const c_uint) -> c_int => setgroups(count, groups);
}

/// `sched_getaffinity(3)`: C's returns 0 and zeroes the mask past the
/// bytes the kernel writes (the system call returns their number).
///
/// # Safety
/// `set` is writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sched_getaffinity(pid: c_int, size: usize, set: *mut c_void) -> c_int {
    // SAFETY: as the caller vouches.
    let written = unsafe { c::sched_getaffinity(pid, size, set.cast()) };
    if written < 0 {
        return -1;
    }
    let written = (written as usize).min(size);
    // SAFETY: the rest of the caller's mask, inside its size.
    unsafe { core::ptr::write_bytes(set.cast::<u8>().add(written), 0, size - written) };
    0
}

/// C's `struct passwd` (the same layout on the four targets).
#[repr(C)]
pub struct Passwd {
    name: *mut c_char,
    password: *mut c_char,
    uid: c_uint,
    gid: c_uint,
    gecos: *mut c_char,
    home: *mut c_char,
    shell: *mut c_char,
}

/// `getpwuid_r(3)`: the `/etc/passwd` entry ([`sys_layer::process::user_by_id`]:
/// the file only, no NSS), its strings in `buf` (`ERANGE` if they do not
/// fit); 0 and a null result when there is none (or no file), as C's.
///
/// # Safety
/// `pwd` and `result` are writable, `buf` for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getpwuid_r(
    uid: c_uint,
    pwd: *mut Passwd,
    buf: *mut c_char,
    len: usize,
    result: *mut *mut Passwd,
) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { *result = core::ptr::null_mut() };
    let user = match sys_layer::process::user_by_id(uid) {
        Ok(Some(user)) => user,
        Ok(None) | Err(Errno::ENOENT) => return 0,
        Err(e) => return e.raw(),
    };
    let fields = [user.name(), user.password(), user.gecos(), user.home(), user.shell()];
    if fields.iter().map(|f| f.len() + 1).sum::<usize>() > len {
        return Errno::ERANGE.raw();
    }
    let mut strings = [core::ptr::null_mut(); 5];
    let mut at = buf;
    for (field, string) in fields.iter().zip(&mut strings) {
        *string = at;
        // SAFETY: the fields and their NULs fit in buf (checked above).
        unsafe {
            core::ptr::copy_nonoverlapping(field.as_ptr().cast(), at, field.len());
            at.add(field.len()).write(0);
            at = at.add(field.len() + 1);
        }
    }
    let [name, password, gecos, home, shell] = strings;
    // SAFETY: as the caller vouches.
    unsafe {
        pwd.write(Passwd { name, password, uid: user.uid(), gid: user.gid(), gecos, home, shell });
        *result = pwd;
    }
    0
}

/// `pidfd_getpid(3)`: [`sys_layer::process::pidfd_pid`] (from
/// `/proc/self/fdinfo`, as C's).
#[unsafe(no_mangle)]
pub extern "C" fn pidfd_getpid(pidfd: c_int) -> c_int {
    // SAFETY: only its number is used, to name its fdinfo file.
    let fd = unsafe { sys_layer::fd::BorrowedFd::borrow_raw(pidfd) };
    sys_layer::process::pidfd_pid(fd).unwrap_or_else(fail)
}
