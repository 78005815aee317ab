//! The running kernel: its release string and the version parsed from it.

use core::fmt;

/// A kernel version, `major.minor.patch`, ordered as versions are.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KernelVersion {
    /// Major number (the 6 of 6.18.44).
    pub major: u16,
    /// Minor number (the 18 of 6.18.44).
    pub minor: u16,
    /// Patch level (the 44 of 6.18.44); 0 when the release omits it.
    pub patch: u16,
}

impl KernelVersion {
    /// The version `major.minor.patch`.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        KernelVersion { major, minor, patch }
    }

    /// Whether `self` is at most `other`, usable in constants.
    pub const fn at_most(self, other: KernelVersion) -> bool {
        if self.major != other.major {
            return self.major < other.major;
        }
        if self.minor != other.minor {
            return self.minor < other.minor;
        }
        self.patch <= other.patch
    }

    /// Parses the leading version of a kernel release string as `uname -r`
    /// prints it: `6.18.44-fc-v669`, `3.10.0-1160.el7.x86_64`,
    /// `4.4.0-19041-Microsoft`, `5.15.0-rc1`, `2.6.32`, `6.1`.
    ///
    /// At least `major.minor` must be there. Whatever follows the numbers
    /// after a `-`, `+`, `_` or end of string is ignored. Anything else
    /// (junk, empty, numbers too large) gives `None`: an unknown kernel,
    /// which the binder treats as the build's floor. Never panics.
    pub const fn parse(release: &[u8]) -> Option<KernelVersion> {
        let mut parts = [0u16; 3];
        let mut count = 0;
        let mut i = 0;
        let mut digits = 0;
        let mut value: u32 = 0;
        while i <= release.len() {
            let b = if i < release.len() { release[i] } else { 0 };
            if b.is_ascii_digit() {
                value = value * 10 + (b - b'0') as u32;
                digits += 1;
                if value > u16::MAX as u32 {
                    return None;
                }
            } else {
                if digits == 0 {
                    return None;
                }
                parts[count] = value as u16;
                count += 1;
                value = 0;
                digits = 0;
                // A dot continues the version only while it is followed by a
                // digit and fewer than three numbers were read.
                let more = b == b'.' && count < 3 && i + 1 < release.len() && release[i + 1].is_ascii_digit();
                if !more {
                    let ends_well = matches!(b, 0 | b'-' | b'+' | b'_' | b'.' | b'~' | b' ');
                    if count < 2 || !ends_well {
                        return None;
                    }
                    return Some(KernelVersion { major: parts[0], minor: parts[1], patch: parts[2] });
                }
            }
            i += 1;
        }
        None
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As u32: one integer formatter serves the whole runtime.
        write!(f, "{}.{}.{}", self.major as u32, self.minor as u32, self.patch as u32)
    }
}

/// What the binder learnt about the running kernel.
#[derive(Clone, Copy)]
pub struct Kernel {
    release: [u8; 65],
    release_len: usize,
    /// The parsed version; `None` when the release string could not be
    /// parsed (or uname failed).
    pub version: Option<KernelVersion>,
}

impl Kernel {
    /// A kernel whose `uname` release field is `field` (NUL-terminated or
    /// filling the array).
    pub fn from_release_field(field: &[u8]) -> Kernel {
        let mut release = [0u8; 65];
        let len = field.iter().position(|&b| b == 0).unwrap_or(field.len()).min(release.len());
        release[..len].copy_from_slice(&field[..len]);
        let version = KernelVersion::parse(&release[..len]);
        Kernel { release, release_len: len, version }
    }

    /// Nothing known (uname failed).
    pub const UNKNOWN: Kernel = Kernel { release: [0; 65], release_len: 0, version: None };

    /// The release string as `uname -r` prints it (empty if unknown;
    /// `"(not ASCII)"` for the odd kernel whose release is not ASCII).
    pub fn release(&self) -> &str {
        let bytes = &self.release[..self.release_len.min(self.release.len())];
        if bytes.is_ascii() {
            // SAFETY: ASCII is valid UTF-8.
            unsafe { core::str::from_utf8_unchecked(bytes) }
        } else {
            "(not ASCII)"
        }
    }

    /// Whether the kernel is known to be at least `v`. An unknown kernel is
    /// not.
    pub fn at_least(&self, v: KernelVersion) -> bool {
        self.version.is_some_and(|k| k >= v)
    }
}

impl fmt::Debug for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kernel").field("release", &self.release()).field("version", &self.version).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<(u16, u16, u16)> {
        KernelVersion::parse(s.as_bytes()).map(|v| (v.major, v.minor, v.patch))
    }

    #[test]
    fn real_release_strings() {
        assert_eq!(p("6.18.44-fc-v669"), Some((6, 18, 44)));
        assert_eq!(p("3.10.0-1160.el7.x86_64"), Some((3, 10, 0)));
        assert_eq!(p("4.4.0-19041-Microsoft"), Some((4, 4, 0)));
        assert_eq!(p("5.15.0-rc1"), Some((5, 15, 0)));
        assert_eq!(p("2.6.32"), Some((2, 6, 32)));
        assert_eq!(p("6.1"), Some((6, 1, 0)));
        assert_eq!(p("6.8.0+"), Some((6, 8, 0)));
        assert_eq!(p("4.9.337"), Some((4, 9, 337)));
        assert_eq!(p("2.6.32.27"), Some((2, 6, 32)));
        assert_eq!(p("6.6.0."), Some((6, 6, 0)));
    }

    #[test]
    fn junk_is_unknown_and_never_panics() {
        for junk in ["", "junk", "6", "6.", ".6.1", "a6.1", "6.x", "6..1", "99999999.1", "6.1junk", "-", "6.1.2x"] {
            assert_eq!(p(junk), None, "{junk:?}");
        }
        // Every prefix of every byte string of a few bytes: no panic.
        let alphabet = b"0123456789.-x";
        let mut buf = [0u8; 4];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        buf = [*a, *b, *c, *d];
                        let _ = KernelVersion::parse(&buf);
                    }
                }
            }
        }
        let _ = buf;
    }

    #[test]
    fn ordering_and_field() {
        assert!(KernelVersion::new(2, 6, 32) < KernelVersion::new(3, 2, 0));
        assert!(KernelVersion::new(6, 10, 0) > KernelVersion::new(6, 9, 12));
        let mut field = [0u8; 65];
        field[..6].copy_from_slice(b"6.10.2");
        let k = Kernel::from_release_field(&field);
        assert_eq!(k.release(), "6.10.2");
        assert!(k.at_least(KernelVersion::new(6, 10, 0)));
        assert!(!Kernel::UNKNOWN.at_least(KernelVersion::new(0, 0, 0)));
        let k = Kernel::from_release_field(&[b'7'; 65]);
        assert_eq!(k.release().len(), 65);
        assert_eq!(k.version, None);
    }
}
