//! Error messages.

use core::ffi::{c_char, c_int};
use sys_layer::Errno;

/// `__xpg_strerror_r` (POSIX `strerror_r`): the message of `errnum` into
/// `buf` (`Unknown error N` for a number without one); `ERANGE` if it
/// does not fit (truncated, NUL-terminated).
///
/// # Safety
/// `buf` is writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __xpg_strerror_r(errnum: c_int, buf: *mut c_char, len: usize) -> c_int {
    use core::fmt::Write;
    struct Fill<'a>(&'a mut [u8], usize);
    impl Write for Fill<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            for &b in s.as_bytes() {
                if self.1 + 1 >= self.0.len() {
                    return Err(core::fmt::Error);
                }
                self.0[self.1] = b;
                self.1 += 1;
            }
            Ok(())
        }
    }
    if len == 0 {
        return Errno::ERANGE.raw();
    }
    // SAFETY: as the caller vouches.
    let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
    let mut fill = Fill(out, 0);
    let message = if errnum > 0 { Errno::from_raw(errnum).message() } else { None };
    let fitted = match message {
        Some(m) => fill.write_str(m),
        None => write!(fill, "Unknown error {errnum}"),
    };
    let end = fill.1;
    out[end] = 0;
    if fitted.is_ok() { 0 } else { Errno::ERANGE.raw() }
}
