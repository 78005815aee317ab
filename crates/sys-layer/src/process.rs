//! The process: IDs, the kernel's names, exit, and child processes
//! ([`Command`], [`fork`], [`execve`], [`execvp`], [`fexecve`]), and the user
//! database ([`user_by_id`]).
//!
//! [`exit`] (which returning from `main` calls) writes out standard output
//! first; a write error of standard output that the program was not given
//! through [`crate::stdio::flush`] is reported there, on standard error,
//! and turns an exit status of 0 into 1 (see [`crate::stdio`]).

mod command;
mod user;

pub use command::{
    Child, ChildStep, Command, ExitStatus, Fork, Output, Program, SpawnOptions, Stdio, execve, execvp, fexecve, fork,
    pidfd_open, pidfd_pid, spawn, wait_pid,
};
pub use user::{User, user_by_id, user_by_name};

use crate::errno::{Errno, call_slot};
use crate::raw as call;
use core::ffi::CStr;

/// The caller's process ID.
///
/// `getpid(2)`: <https://man7.org/linux/man-pages/man2/getpid.2.html>
pub fn getpid() -> i32 {
    // SAFETY: getpid takes no pointers and cannot fail.
    call_slot(|e| unsafe { call::getpid(e) }).unwrap_or(0) as i32
}

/// The parent's process ID.
///
/// `getppid(2)`: <https://man7.org/linux/man-pages/man2/getppid.2.html>
pub fn getppid() -> i32 {
    // SAFETY: as for getpid.
    call_slot(|e| unsafe { call::getppid(e) }).unwrap_or(0) as i32
}

/// The caller's thread ID.
///
/// `gettid(2)`: <https://man7.org/linux/man-pages/man2/gettid.2.html>
pub fn gettid() -> i32 {
    // SAFETY: as for getpid.
    call_slot(|e| unsafe { call::gettid(e) }).unwrap_or(0) as i32
}

/// The kernel's names, as `uname(2)` reports them.
#[derive(Clone, Copy)]
pub struct Uname(linux_raw_sys::system::new_utsname);

impl Uname {
    fn field(bytes: &[core::ffi::c_char]) -> &CStr {
        // SAFETY: c_char and u8 have the same size and alignment.
        let bytes = unsafe { core::slice::from_raw_parts(bytes.as_ptr().cast::<u8>(), bytes.len()) };
        // The kernel NUL-terminates each field; a missing NUL gives "".
        CStr::from_bytes_until_nul(bytes).unwrap_or_default()
    }

    /// Operating system name (`Linux`).
    pub fn sysname(&self) -> &CStr {
        Self::field(&self.0.sysname)
    }
    /// Host name.
    pub fn nodename(&self) -> &CStr {
        Self::field(&self.0.nodename)
    }
    /// Kernel release (`6.18.44-...`).
    pub fn release(&self) -> &CStr {
        Self::field(&self.0.release)
    }
    /// Kernel version (build description).
    pub fn version(&self) -> &CStr {
        Self::field(&self.0.version)
    }
    /// Hardware name (`x86_64`).
    pub fn machine(&self) -> &CStr {
        Self::field(&self.0.machine)
    }
    /// NIS domain name.
    pub fn domainname(&self) -> &CStr {
        Self::field(&self.0.domainname)
    }
}

/// The kernel's names.
///
/// `uname(2)`: <https://man7.org/linux/man-pages/man2/uname.2.html>
pub fn uname() -> Result<Uname, Errno> {
    let mut uts = core::mem::MaybeUninit::<linux_raw_sys::system::new_utsname>::zeroed();
    // SAFETY: uts is writable and of the kernel's type.
    call_slot(|e| unsafe { call::uname(uts.as_mut_ptr(), e) })?;
    // SAFETY: zeroed, then filled by the kernel.
    Ok(Uname(unsafe { uts.assume_init() }))
}

/// Flushes standard output and ends the process with `status`, or with 1
/// if `status` is 0 and standard output has a write error to report (the
/// rule is in [`crate::stdio`]).
///
/// `exit_group(2)`: <https://man7.org/linux/man-pages/man2/exit_group.2.html>
pub fn exit(status: i32) -> ! {
    crate::thread::run_tls_destructors();
    let status = crate::stdio::finish_stdout(status);
    let mut errno = 0;
    // SAFETY: exit_group takes no pointers.
    unsafe { call::exit_group(status, &mut errno) };
    // Only an interposed layer could return here; end the process anyway.
    sys_layer_arch::exit_group(status)
}

/// What `main` may return: turned into the exit status.
pub trait Termination {
    /// The exit status; may print (an error, say) first.
    fn report(self) -> i32;
}

impl Termination for () {
    fn report(self) -> i32 {
        0
    }
}

impl Termination for i32 {
    fn report(self) -> i32 {
        self
    }
}

impl Termination for u8 {
    fn report(self) -> i32 {
        self as i32
    }
}

impl<T: Termination, E: core::fmt::Display> Termination for Result<T, E> {
    /// `Ok` reports its value; `Err` prints `Error: {e}` on stderr and gives 1.
    fn report(self) -> i32 {
        match self {
            Ok(v) => v.report(),
            Err(e) => {
                crate::eprintln!("Error: {e}");
                1
            }
        }
    }
}

macro_rules! ids {
    ($( $(#[$doc:meta])* $name:ident; )*) => {
        $(
            $(#[$doc])*
            pub fn $name() -> u32 {
                // SAFETY: takes nothing, cannot fail.
                call_slot(|e| unsafe { call::$name(e) }).unwrap_or(0) as u32
            }
        )*
    };
}

ids! {
    /// The real user ID. `getuid(2)`: <https://man7.org/linux/man-pages/man2/getuid.2.html>
    getuid;
    /// The effective user ID. `geteuid(2)`: <https://man7.org/linux/man-pages/man2/geteuid.2.html>
    geteuid;
    /// The real group ID. `getgid(2)`: <https://man7.org/linux/man-pages/man2/getgid.2.html>
    getgid;
    /// The effective group ID. `getegid(2)`: <https://man7.org/linux/man-pages/man2/getegid.2.html>
    getegid;
}

/// Sets the user ID: real, effective and saved when the caller is
/// privileged, else the effective one only (to the real or saved ID).
///
/// The kernel changes the calling thread's IDs only (C libraries make
/// every thread do it): call it before starting threads, or in a child.
///
/// `setuid(2)`: <https://man7.org/linux/man-pages/man2/setuid.2.html>
pub fn setuid(uid: u32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::setuid(uid, e) }).map(drop)
}

/// Sets the group ID, as [`setuid`] the user ID (the calling thread's).
///
/// `setgid(2)`: <https://man7.org/linux/man-pages/man2/setgid.2.html>
pub fn setgid(gid: u32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    call_slot(|e| unsafe { call::setgid(gid, e) }).map(drop)
}

/// Sets the supplementary group IDs (privileged; the calling thread's, as
/// [`setuid`]).
///
/// `setgroups(2)`: <https://man7.org/linux/man-pages/man2/setgroups.2.html>
pub fn setgroups(groups: &[u32]) -> Result<(), Errno> {
    // SAFETY: groups is readable for its length.
    call_slot(|e| unsafe { call::setgroups(groups.len(), groups.as_ptr(), e) }).map(drop)
}

/// Sets the file-creation mask; returns the old one.
///
/// `umask(2)`: <https://man7.org/linux/man-pages/man2/umask.2.html>
pub fn umask(mask: u32) -> u32 {
    // SAFETY: no pointers; cannot fail.
    call_slot(|e| unsafe { call::umask(mask & 0o777, e) }).unwrap_or(0) as u32
}

/// A resource limit: (soft, hard), `u64::MAX` for no limit.
///
/// `getrlimit(2)`: <https://man7.org/linux/man-pages/man2/getrlimit.2.html>
pub fn getrlimit(resource: u32) -> Result<(u64, u64), Errno> {
    let mut old = linux_raw_sys::general::rlimit64 { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: old is writable.
    call_slot(|e| unsafe { call::prlimit64(0, resource, core::ptr::null(), &mut old, e) })?;
    Ok((old.rlim_cur, old.rlim_max))
}

/// Sets a resource limit (soft, hard).
///
/// `setrlimit(2)`: <https://man7.org/linux/man-pages/man2/setrlimit.2.html>
pub fn setrlimit(resource: u32, soft: u64, hard: u64) -> Result<(), Errno> {
    let new = linux_raw_sys::general::rlimit64 { rlim_cur: soft, rlim_max: hard };
    // SAFETY: new is readable.
    call_slot(|e| unsafe { call::prlimit64(0, resource, &new, core::ptr::null_mut(), e) }).map(drop)
}
