//! Process exit and identity.

use core::ffi::c_int;

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
