//! Processes: `execveat` before 3.19, `prlimit64` before 2.6.36,
//! fork-like `clone3` before 5.3.

use crate::layer::abi32;
use crate::layer::direct::{fail, ret_of};
use core::ffi::c_int;
use core::ffi::{c_char, c_uint};
use linux_raw_sys::errno::{EBADF, EINVAL, ENOSYS};
use linux_raw_sys::general as g;
use sys_layer_arch::sys;

// ----------------------------------------------------------------- execveat

/// `execveat` before 3.19, through `execve`: an absolute path, or a path
/// relative to `AT_FDCWD`, as is; an empty path with `AT_EMPTY_PATH` as
/// `/proc/self/fd/N` (as `fexecve` does); another relative path as
/// `/proc/self/fd/N/path`. `AT_SYMLINK_NOFOLLOW` is checked with
/// `newfstatat` first (`ELOOP` on a link), which leaves a window a rename
/// could slip through. Needs `/proc` for the descriptor forms.
pub(crate) unsafe extern "C" fn execveat(
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
        match unsafe { abi32::stat_at(dirfd, path, g::AT_SYMLINK_NOFOLLOW) } {
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
    ret_of(unsafe { sys!(g::__NR_execve, target, argv, envp) }, errno)
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

// ---------------------------------------------------------------- prlimit64

/// `prlimit64` before 2.6.36, for the calling process only (pid 0 or its
/// own): `getrlimit` then `setrlimit`. Another process gives `ENOSYS`.
pub(crate) unsafe extern "C" fn prlimit64(
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
        let (cur, max) = match abi32::getrlimit(resource) {
            Ok(v) => v,
            Err(e) => return fail(errno, e as u32),
        };
        // SAFETY: the caller vouches that old_limit is writable.
        unsafe { old_limit.write(g::rlimit64 { rlim_cur: cur, rlim_max: max }) };
    }
    if !new_limit.is_null() {
        // SAFETY: the caller vouches that new_limit is readable.
        let new = unsafe { new_limit.read() };
        if let Err(e) = abi32::setrlimit(resource, new.rlim_cur, new.rlim_max) {
            return fail(errno, e as u32);
        }
    }
    0
}

// ------------------------------------------------------------------- clone3

/// `clone3` before 5.3 (or where a filter refuses it, as container
/// runtimes do so that C libraries fall back): a fork-like request as
/// `clone` with the same flags and exit signal. What only `clone3` can do
/// (`CLONE_PIDFD` into its own field, `set_tid`, `CLONE_INTO_CGROUP`,
/// `CLONE_CLEAR_SIGHAND`) gives `ENOSYS`; a stack gives `EINVAL`, as the
/// table's `clone3` does on every kernel.
pub(crate) unsafe extern "C" fn clone3(args: *mut g::clone_args, size: usize, errno: *mut c_int) -> isize {
    /// `CLONE_ARGS_SIZE_VER0`: the first version's size, the least the kernel takes.
    const SIZE_VER0: usize = 64;
    /// The flags only `clone3` understands, above the 32 `clone` has.
    const CLONE3_ONLY: u64 = g::CLONE_PIDFD as u64 | !0xffff_ffff;
    if args.is_null() || size < SIZE_VER0 {
        return fail(errno, EINVAL);
    }
    // The fields the caller's version has; later ones stay 0.
    // SAFETY: clone_args is plain integers; all zeros is valid.
    let mut a: g::clone_args = unsafe { core::mem::zeroed() };
    // SAFETY: the caller vouches that args is readable for size bytes; at
    // most the struct's own size is copied into it.
    unsafe {
        core::ptr::copy_nonoverlapping(
            args.cast::<u8>(),
            (&raw mut a).cast::<u8>(),
            size.min(core::mem::size_of::<g::clone_args>()),
        )
    };
    if a.stack != 0 || a.exit_signal > 0xff || a.flags & 0xff != 0 {
        return fail(errno, EINVAL);
    }
    if a.flags & CLONE3_ONLY != 0 || a.set_tid_size != 0 {
        return fail(errno, ENOSYS);
    }
    let flags = (a.flags | a.exit_signal) as usize;
    let (parent_tid, child_tid, tls) = (a.parent_tid as usize, a.child_tid as usize, a.tls as usize);
    // SAFETY: fork-like (no stack): the child returns here on a copy of this
    // stack. The kernel's argument order differs by architecture.
    let r = unsafe {
        if cfg!(target_arch = "x86_64") {
            sys!(g::__NR_clone, flags, 0usize, parent_tid, child_tid, tls)
        } else {
            sys!(g::__NR_clone, flags, 0usize, parent_tid, tls, child_tid)
        }
    };
    ret_of(r, errno)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
