//! The process: IDs, the kernel's names, and exit.

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

/// Flushes standard output and ends the process with `status`.
///
/// `exit_group(2)`: <https://man7.org/linux/man-pages/man2/exit_group.2.html>
pub fn exit(status: i32) -> ! {
    crate::stdio::flush_stdout();
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
