//! The one checked system call: argument words in, `Result` out.
//!
//! Every system call that does not go through a stub table (start-up, the
//! TLS set-up, the binder, and the layers' own implementations) is made
//! with [`sys!`], so the kernel's error range is decoded in one place,
//! [`check`].

use core::ffi::c_int;

/// An argument as the machine word the kernel takes.
///
/// Implemented for the integer and pointer types that fit one word; a
/// 64-bit integer on a 32-bit target has no implementation, because the
/// kernel takes it as two words whose order depends on the call.
pub trait Word {
    /// The value as a machine word.
    fn word(self) -> usize;
}

macro_rules! word_by_cast {
    ($($t:ty => $via:ty),* $(,)?) => {
        $(impl Word for $t {
            #[inline(always)]
            fn word(self) -> usize {
                self as $via as usize
            }
        })*
    };
}

// Signed types sign-extend, as the kernel expects of `int` arguments.
word_by_cast!(i32 => isize, u32 => usize, usize => usize, isize => isize, i16 => isize, u16 => usize, u8 => usize);
#[cfg(target_pointer_width = "64")]
word_by_cast!(i64 => isize, u64 => usize);

impl<T> Word for *const T {
    #[inline(always)]
    fn word(self) -> usize {
        self as usize
    }
}

impl<T> Word for *mut T {
    #[inline(always)]
    fn word(self) -> usize {
        self as usize
    }
}

/// The largest error number the kernel returns: a return word in
/// `-MAX_ERRNO..=-1` is a negated error number, anything else a value.
pub const MAX_ERRNO: usize = 4095;

/// Whether a raw return word is a negated error number.
#[inline(always)]
pub const fn is_error(ret: usize) -> bool {
    ret > MAX_ERRNO.wrapping_neg().wrapping_sub(1)
}

/// The kernel's return word as `Ok(value)` or `Err(errno)`.
#[inline(always)]
pub const fn check(ret: usize) -> Result<usize, c_int> {
    if is_error(ret) { Err(ret.wrapping_neg() as c_int) } else { Ok(ret) }
}

/// The raw instruction for system call `$nr` with machine-word arguments,
/// as the kernel's return word.
#[macro_export]
macro_rules! raw_syscall {
    ($nr:expr $(,)?) => { $crate::syscall0($nr as usize) };
    ($nr:expr, $a:expr $(,)?) => { $crate::syscall1($nr as usize, $a) };
    ($nr:expr, $a:expr, $b:expr $(,)?) => { $crate::syscall2($nr as usize, $a, $b) };
    ($nr:expr, $a:expr, $b:expr, $c:expr $(,)?) => { $crate::syscall3($nr as usize, $a, $b, $c) };
    ($nr:expr, $a:expr, $b:expr, $c:expr, $d:expr $(,)?) => { $crate::syscall4($nr as usize, $a, $b, $c, $d) };
    ($nr:expr, $a:expr, $b:expr, $c:expr, $d:expr, $e:expr $(,)?) => {
        $crate::syscall5($nr as usize, $a, $b, $c, $d, $e)
    };
    ($nr:expr, $a:expr, $b:expr, $c:expr, $d:expr, $e:expr, $f:expr $(,)?) => {
        $crate::syscall6($nr as usize, $a, $b, $c, $d, $e, $f)
    };
}

/// System call `$nr` with [`Word`] arguments, as `Result<usize, errno>`.
///
/// It expands to calls of unsafe functions, so it must stand in an
/// `unsafe` block that says why the call is sound.
#[macro_export]
macro_rules! sys {
    ($nr:expr $(, $arg:expr)* $(,)?) => {
        $crate::check($crate::raw_syscall!($nr $(, $crate::Word::word($arg))*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_range_is_the_last_4095_words() {
        assert_eq!(check(0), Ok(0));
        assert_eq!(check(usize::MAX - 4095), Ok(usize::MAX - 4095));
        assert_eq!(check(usize::MAX - 4094), Err(4095));
        assert_eq!(check(usize::MAX), Err(1));
        assert!(!is_error(-4096isize as usize));
        assert!(is_error(-4095isize as usize));
    }

    #[test]
    fn signed_arguments_sign_extend() {
        assert_eq!((-100i32).word(), -100isize as usize);
        assert_eq!(u32::MAX.word(), u32::MAX as usize);
    }
}
