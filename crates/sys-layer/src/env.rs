//! Arguments and environment, as the kernel passed them.

use crate::runtime::auxv::StartupStack;
use core::ffi::CStr;

/// The command-line arguments, `argv[0]` first. Empty when `argc` is 0.
#[derive(Debug, Clone, Copy)]
pub struct Args {
    argv: *const *const u8,
    next: usize,
    end: usize,
}

impl Args {
    pub(crate) fn from_startup(stack: &StartupStack) -> Args {
        Args { argv: stack.argv, next: 0, end: stack.argc }
    }
}

impl Iterator for Args {
    type Item = &'static CStr;

    fn next(&mut self) -> Option<&'static CStr> {
        if self.next >= self.end {
            return None;
        }
        // SAFETY: argv holds argc pointers to NUL-terminated strings that
        // live as long as the process.
        let arg = unsafe { CStr::from_ptr((*self.argv.add(self.next)).cast()) };
        self.next += 1;
        Some(arg)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Args {}

/// The environment's `NAME=value` entries, in order.
#[derive(Debug, Clone, Copy)]
pub struct Vars {
    envp: *const *const u8,
}

impl Vars {
    pub(crate) fn from_startup(stack: &StartupStack) -> Vars {
        Vars { envp: stack.envp }
    }

    /// The null-terminated array of `NAME=value` pointers, as `execve`
    /// takes it.
    pub(crate) fn as_ptr(self) -> *const *const u8 {
        self.envp
    }

    /// The value of the first entry named `name`, if any.
    pub fn get(self, name: &[u8]) -> Option<&'static CStr> {
        self.into_iter().find_map(|entry| {
            let bytes = entry.to_bytes_with_nul();
            let rest = bytes.strip_prefix(name)?.strip_prefix(b"=")?;
            // `rest` ends with the entry's own NUL.
            CStr::from_bytes_with_nul(rest).ok()
        })
    }
}

impl Iterator for Vars {
    type Item = &'static CStr;

    fn next(&mut self) -> Option<&'static CStr> {
        // SAFETY: envp is a null-terminated array of pointers to
        // NUL-terminated strings that live as long as the process.
        unsafe {
            let entry = *self.envp;
            if entry.is_null() {
                return None;
            }
            self.envp = self.envp.add(1);
            Some(CStr::from_ptr(entry.cast()))
        }
    }
}

/// The command-line arguments.
pub fn args() -> Args {
    Args::from_startup(&crate::runtime::startup().stack)
}

/// The environment.
pub fn vars() -> Vars {
    Vars::from_startup(&crate::runtime::startup().stack)
}

/// The value of environment variable `name`.
pub fn var(name: &[u8]) -> Option<&'static CStr> {
    vars().get(name)
}

/// `argv[0]`, if the program got one.
pub fn program_name() -> Option<&'static CStr> {
    args().next()
}
