//! Process exit and identity.

use core::ffi::{CStr, c_char, c_int};

/// `exit(3)`: the runtime's exit (the calling thread's TLS destructors,
/// then `exit_group`). No `atexit` handlers: nothing registers any
/// (`atexit` is not provided).
#[unsafe(no_mangle)]
pub extern "C" fn exit(status: c_int) -> ! {
    sys_layer::process::exit(status)
}

/// `_exit(2)`: at once, nothing run.
#[unsafe(no_mangle)]
pub extern "C" fn _exit(status: c_int) -> ! {
    exit_group(status)
}

/// `exit_group` through the table, again should an interposed layer
/// return.
fn exit_group(status: c_int) -> ! {
    loop {
        // SAFETY: no memory.
        unsafe { sys_layer::c::exit_group(status) };
    }
}

/// `abort(3)`: `SIGABRT` with its default action (ending the process with
/// a core dump where enabled), as C's does; should the signal be caught
/// and the handler return, the default action is restored and it is
/// raised again.
#[unsafe(no_mangle)]
pub extern "C" fn abort() -> ! {
    use sys_layer::signal::{self, MaskHow, SigSet};
    let sig = linux_raw_sys::general::SIGABRT;
    let _ = signal::thread_mask(MaskHow::Unblock, &SigSet::of(&[sig]));
    let _ = signal::raise(sig);
    let _ = signal::set_action(sig, signal::Action::Default);
    let _ = signal::raise(sig);
    exit_group(127)
}

/// `getpid(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn getpid() -> c_int {
    sys_layer::process::getpid()
}

/// `gettid(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn gettid() -> c_int {
    sys_layer::thread::current_id() as c_int
}

/// `getuid(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn getuid() -> u32 {
    sys_layer::process::getuid()
}

/// `geteuid(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn geteuid() -> u32 {
    sys_layer::process::geteuid()
}

/// `getgid(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn getgid() -> u32 {
    sys_layer::process::getgid()
}

/// `getegid(2)`.
#[unsafe(no_mangle)]
pub extern "C" fn getegid() -> u32 {
    sys_layer::process::getegid()
}

/// `fork(2)`: [`sys_layer::process::fork`] (the allocator and the thread
/// cache are held across it, so the child's copies are whole), with the
/// `pthread_atfork` handlers around it.
#[unsafe(no_mangle)]
pub extern "C" fn fork() -> c_int {
    use sys_layer::process::Fork;
    let (handlers, count) = crate::pthread::fork_handlers();
    let handlers = &handlers[..count];
    for prepare in handlers.iter().rev().filter_map(|h| h.0) {
        prepare();
    }
    // SAFETY: C's contract for fork: the child of a threaded process
    // calls only what is safe there (std's child calls dup2, chdir,
    // signal functions and exec).
    let r = unsafe { sys_layer::process::fork() };
    let child = matches!(r, Ok(Fork::Child));
    for after in handlers.iter().filter_map(|h| if child { h.2 } else { h.1 }) {
        after();
    }
    // errno last, past what the handlers did.
    match r {
        Ok(Fork::Parent(pid)) => pid,
        Ok(Fork::Child) => 0,
        Err(e) => crate::fail(e),
    }
}

/// `waitpid(2)`, on the `wait4` slot.
///
/// # Safety
/// `status` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int {
    // SAFETY: as the caller vouches; no rusage.
    crate::ret_int(unsafe { sys_layer::c::wait4(pid, status, options, core::ptr::null_mut()) })
}

/// `waitid(2)`.
///
/// # Safety
/// `info` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn waitid(
    idtype: c_int,
    id: c_int,
    info: *mut linux_raw_sys::general::siginfo_t,
    options: c_int,
) -> c_int {
    // SAFETY: as the caller vouches; no rusage.
    crate::ret_int(unsafe { sys_layer::c::waitid(idtype, id, info, options, core::ptr::null_mut()) })
}

/// `execve(2)`.
///
/// # Safety
/// `path` a C string; `argv` and `envp` null-terminated arrays of them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn execve(path: *const c_char, argv: *const *const c_char, envp: *const *const c_char) -> c_int {
    // SAFETY: as the caller vouches.
    crate::ret_int(unsafe { sys_layer::c::execve(path, argv, envp) })
}

/// `execvp(3)`: `execve` with the current `environ`, the file looked up in
/// `PATH` (glibc's default `/bin:/usr/bin` without one) unless its name
/// has a `/`. Like glibc: an `EACCES` on the way is reported if no entry
/// runs; an entry that does not exist or is not a directory is skipped.
/// (A file the kernel cannot run, `ENOEXEC`, is not handed to `/bin/sh`.)
///
/// # Safety
/// `file` a C string; `argv` a null-terminated array of them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn execvp(file: *const c_char, argv: *const *const c_char) -> c_int {
    use sys_layer::Errno;
    // SAFETY: environ is the process's array of C strings.
    let envp = unsafe { crate::env::environ }.cast_const().cast::<*const c_char>();
    // SAFETY: as the caller vouches.
    let name = unsafe { CStr::from_ptr(file) }.to_bytes();
    if name.is_empty() {
        return crate::fail(Errno::ENOENT);
    }
    if name.contains(&b'/') {
        // SAFETY: as the caller vouches.
        return unsafe { execve(file, argv, envp) };
    }
    // SAFETY: a C string, as above.
    let path = unsafe { crate::env::getenv(c"PATH".as_ptr()) };
    let path = if path.is_null() {
        &b"/bin:/usr/bin"[..]
    } else {
        // SAFETY: getenv gives a C string of the environment.
        unsafe { CStr::from_ptr(path) }.to_bytes()
    };
    let mut saw_eacces = false;
    let mut buf = [0u8; 4096];
    for dir in path.split(|&b| b == b':') {
        // An empty entry is the current directory.
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        let len = dir.len() + 1 + name.len();
        if len + 1 > buf.len() {
            continue;
        }
        buf[..dir.len()].copy_from_slice(dir);
        buf[dir.len()] = b'/';
        buf[dir.len() + 1..len].copy_from_slice(name);
        buf[len] = 0;
        // SAFETY: buf holds a C string; argv and envp as above.
        unsafe { execve(buf.as_ptr().cast(), argv, envp) };
        match sys_layer::c::errno() {
            e if e == Errno::EACCES.raw() => saw_eacces = true,
            e if e == Errno::ENOENT.raw() || e == Errno::ENOTDIR.raw() => {}
            _ => return -1,
        }
    }
    crate::fail(if saw_eacces { Errno::EACCES } else { Errno::ENOENT })
}
