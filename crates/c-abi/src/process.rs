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

/// `execvp(3)`: [`sys_layer::process::execvp`] with the current
/// `environ` (the lookup in `PATH`, `/bin:/usr/bin` without one, and
/// which error is reported, are its).
///
/// # Safety
/// `file` a C string; `argv` a null-terminated array of them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn execvp(file: *const c_char, argv: *const *const c_char) -> c_int {
    // SAFETY: environ is null or the process's null-terminated array of C
    // strings.
    let environ: *const *const c_char = unsafe { crate::env::environ }.cast_const().cast();
    let no_variables: &[*const c_char] = &[core::ptr::null()];
    // SAFETY: as above; argv is such an array, as the caller vouches.
    let (argv, envp) =
        unsafe { (up_to_null(argv), if environ.is_null() { no_variables } else { up_to_null(environ) }) };
    // SAFETY: as the caller vouches.
    let file = unsafe { CStr::from_ptr(file) };
    crate::fail(sys_layer::process::execvp(file, argv, envp))
}

/// A null-terminated array of pointers as a slice, its null included.
///
/// # Safety
/// `array` is null-terminated and outlives the slice.
unsafe fn up_to_null<'a>(array: *const *const c_char) -> &'a [*const c_char] {
    let mut n = 0;
    // SAFETY: as the caller vouches, a null comes.
    while !unsafe { *array.add(n) }.is_null() {
        n += 1;
    }
    // SAFETY: n + 1 readable pointers.
    unsafe { core::slice::from_raw_parts(array, n + 1) }
}
