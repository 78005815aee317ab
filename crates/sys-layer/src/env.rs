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
    ///
    /// Compares each entry's first bytes with `name` where they lie, without
    /// measuring the entry: start-up asks for one variable, and measuring
    /// every entry was a fifth of its instructions.
    pub fn get(self, name: &[u8]) -> Option<&'static CStr> {
        let mut envp = self.envp;
        // An empty name matches an entry that starts with `=`, as before.
        let first = name.first().copied().unwrap_or(b'=');
        // SAFETY: envp is a null-terminated array of pointers to
        // NUL-terminated strings that live as long as the process; each
        // entry is read only up to its NUL (a name byte that is not NUL
        // stops the comparison at the entry's NUL at the latest).
        unsafe {
            while !(*envp).is_null() {
                let entry = *envp;
                envp = envp.add(1);
                // Most entries differ in their first byte: one compare each.
                if *entry != first {
                    continue;
                }
                if name.iter().enumerate().all(|(i, &c)| c != 0 && *entry.add(i) == c) && *entry.add(name.len()) == b'='
                {
                    return Some(CStr::from_ptr(entry.add(name.len() + 1).cast()));
                }
            }
        }
        None
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_finds_the_first_entry_of_that_name_only() {
        let entries: [*const u8; 6] = [
            c"SYS".as_ptr().cast(),
            c"SYS_LAYER=x".as_ptr().cast(),
            c"SYS_LAYER_ASSUME_KERNELX=1".as_ptr().cast(),
            c"SYS_LAYER_ASSUME_KERNEL=4.4".as_ptr().cast(),
            c"SYS_LAYER_ASSUME_KERNEL=5.4".as_ptr().cast(),
            core::ptr::null(),
        ];
        let vars = Vars { envp: entries.as_ptr() };
        assert_eq!(vars.get(b"SYS_LAYER_ASSUME_KERNEL"), Some(c"4.4"));
        assert_eq!(vars.get(b"SYS_LAYER"), Some(c"x"));
        assert_eq!(vars.get(b"SYS"), None);
        assert_eq!(vars.get(b"SYS\0"), None);
        assert_eq!(vars.get(b"HOME"), None);
        assert_eq!(vars.get(b""), None);
    }
}
