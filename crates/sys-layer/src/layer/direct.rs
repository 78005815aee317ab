//! The errno-pointer convention over the one checked system call
//! (`sys_layer_arch::sys!`): what every layer function returns.

use core::ffi::c_int;
use sys_layer_arch::Word;

/// The kernel's return word in the convention: the value, or `-1` with
/// `*errno` set.
#[inline(always)]
pub(crate) fn finish(ret: usize, errno: *mut c_int) -> isize {
    ret_of(sys_layer_arch::check(ret), errno)
}

/// Stores `e` and returns -1.
#[inline(always)]
pub(crate) fn fail(errno: *mut c_int, e: u32) -> isize {
    // SAFETY: the convention makes errno a valid pointer.
    unsafe { errno.write(e as c_int) };
    -1
}

/// A `Result` of layer calls in the convention.
#[inline(always)]
pub(crate) fn ret_of(result: Result<usize, c_int>, errno: *mut c_int) -> isize {
    match result {
        Ok(v) => v as isize,
        Err(e) => fail(errno, e as u32),
    }
}

/// A slot argument as the word the kernel takes, for the slots whose
/// arguments go to their system call as they are.
///
/// The one difference from [`Word`]: a 64-bit integer on a 32-bit target
/// converts too. It never does at run time: the layer table refuses, at
/// compile time, a slot with a two-word argument that has no form of its
/// own (see `rows.rs`).
pub(crate) trait SlotWord {
    fn slot_word(self) -> usize;
}

macro_rules! slot_word_is_word {
    ($($t:ty),*) => {
        $(impl SlotWord for $t {
            #[inline(always)]
            fn slot_word(self) -> usize {
                Word::word(self)
            }
        })*
    };
}

slot_word_is_word!(i32, u32, usize, isize);
#[cfg(target_pointer_width = "64")]
slot_word_is_word!(i64, u64);

#[cfg(target_pointer_width = "32")]
impl SlotWord for i64 {
    #[inline(always)]
    fn slot_word(self) -> usize {
        // Unreachable in a bound program: see the trait.
        self as usize
    }
}

impl<T> SlotWord for *const T {
    #[inline(always)]
    fn slot_word(self) -> usize {
        self as usize
    }
}

impl<T> SlotWord for *mut T {
    #[inline(always)]
    fn slot_word(self) -> usize {
        self as usize
    }
}
