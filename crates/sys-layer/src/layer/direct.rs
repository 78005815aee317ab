//! Making a system call: argument words, the raw instruction, and the
//! errno-pointer convention on its result.

use core::ffi::c_int;

/// An argument as the machine word the kernel takes.
pub(crate) trait Word {
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
word_by_cast!(i32 => isize, u32 => usize, usize => usize, isize => isize);
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

/// Whether a raw return word is a negated errno.
#[inline(always)]
pub(crate) fn is_error(ret: usize) -> bool {
    ret > -4096isize as usize
}

/// Splits the kernel's return word into the errno-pointer convention.
#[inline(always)]
pub(crate) fn finish(ret: usize, errno: *mut c_int) -> isize {
    if is_error(ret) {
        // SAFETY: the convention makes errno a valid pointer.
        unsafe { errno.write(ret.wrapping_neg() as c_int) };
        -1
    } else {
        ret as isize
    }
}

/// The raw instruction for system call `$nr` with word arguments.
macro_rules! raw_syscall {
    ($nr:expr $(,)?) => { sys_layer_arch::syscall0($nr as usize) };
    ($nr:expr, $a:expr $(,)?) => { sys_layer_arch::syscall1($nr as usize, $a) };
    ($nr:expr, $a:expr, $b:expr $(,)?) => { sys_layer_arch::syscall2($nr as usize, $a, $b) };
    ($nr:expr, $a:expr, $b:expr, $c:expr $(,)?) => { sys_layer_arch::syscall3($nr as usize, $a, $b, $c) };
    ($nr:expr, $a:expr, $b:expr, $c:expr, $d:expr $(,)?) => { sys_layer_arch::syscall4($nr as usize, $a, $b, $c, $d) };
    ($nr:expr, $a:expr, $b:expr, $c:expr, $d:expr, $e:expr $(,)?) => {
        sys_layer_arch::syscall5($nr as usize, $a, $b, $c, $d, $e)
    };
    ($nr:expr, $a:expr, $b:expr, $c:expr, $d:expr, $e:expr, $f:expr $(,)?) => {
        sys_layer_arch::syscall6($nr as usize, $a, $b, $c, $d, $e, $f)
    };
}
pub(crate) use raw_syscall;

/// The raw word as `Result<word, errno>`.
#[inline(always)]
pub(crate) fn check(ret: usize) -> Result<usize, c_int> {
    if is_error(ret) { Err(ret.wrapping_neg() as c_int) } else { Ok(ret) }
}

/// A system call with `Word` arguments, as `Result<word, errno>`, for layer
/// code that makes several calls. It expands to calls of unsafe functions,
/// so it must stand in an `unsafe` block that says why the call is sound.
macro_rules! sys {
    ($nr:expr $(, $arg:expr)* $(,)?) => {
        $crate::layer::direct::check($crate::layer::direct::raw_syscall!(
            $nr $(, $crate::layer::direct::Word::word($arg))*
        ))
    };
}
pub(crate) use sys;
