//! Paths for the system calls: NUL-terminated, checked, never truncated.

use crate::Errno;
use core::ffi::CStr;

/// The longest path the kernel takes (`PATH_MAX`, with its NUL).
pub const PATH_MAX: usize = linux_raw_sys::general::PATH_MAX as usize;

/// A path built from bytes on the stack, NUL-terminated for the kernel.
///
/// `CPath::new(b"dir/file")` fails with `EINVAL` for a NUL inside the bytes
/// (which C would silently cut the path at) and `ENAMETOOLONG` for more than
/// [`PATH_MAX`] bytes: a path is never shortened.
pub struct CPath {
    buf: [u8; PATH_MAX],
    len: usize,
}

impl CPath {
    /// The path `bytes`.
    pub fn new(bytes: &[u8]) -> Result<CPath, Errno> {
        if bytes.contains(&0) {
            return Err(Errno::EINVAL);
        }
        if bytes.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let mut p = CPath { buf: [0; PATH_MAX], len: bytes.len() };
        p.buf[..bytes.len()].copy_from_slice(bytes);
        Ok(p)
    }

    /// As a C string.
    pub fn as_c_str(&self) -> &CStr {
        // The constructor checked: no NUL inside, one after.
        CStr::from_bytes_with_nul(&self.buf[..=self.len]).unwrap_or(c"")
    }
}

impl core::ops::Deref for CPath {
    type Target = CStr;
    fn deref(&self) -> &CStr {
        self.as_c_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_rather_than_truncates() {
        assert_eq!(CPath::new(b"a/b").unwrap().to_bytes(), b"a/b");
        assert_eq!(CPath::new(b"").unwrap().to_bytes(), b"");
        assert_eq!(CPath::new(b"a\0b").err(), Some(Errno::EINVAL));
        assert_eq!(CPath::new(&[b'x'; PATH_MAX]).err(), Some(Errno::ENAMETOOLONG));
        assert_eq!(CPath::new(&[b'x'; PATH_MAX - 1]).unwrap().to_bytes().len(), PATH_MAX - 1);
    }
}
