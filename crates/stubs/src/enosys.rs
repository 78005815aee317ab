//! Stubs for slots that no layer fills: they store `ENOSYS` and return `-1`.
//!
//! They take only machine words, so one stub per argument count serves every
//! slot with that many words before `errno`: the binder picks one from the
//! count in the table's note ([`crate::SLOT_ARG_WORDS`]), even for a slot
//! whose signature it does not know (a table from a newer ABI).

use crate::ty::c_int;
use linux_raw_sys::errno::ENOSYS;

/// A stub as `unsafe extern "C" fn()`: its `n` word arguments forgotten.
macro_rules! erased {
    ($f:ident; $n:tt) => {{
        let f: erased!(@ty $n) = $f;
        // SAFETY: function pointers of any signature have the same size;
        // only the type is forgotten (callers use the slot's).
        unsafe { core::mem::transmute::<erased!(@ty $n), unsafe extern "C" fn()>(f) }
    }};
    (@ty 0) => { unsafe extern "C" fn(*mut c_int) -> isize };
    (@ty 1) => { unsafe extern "C" fn(usize, *mut c_int) -> isize };
    (@ty 2) => { unsafe extern "C" fn(usize, usize, *mut c_int) -> isize };
    (@ty 3) => { unsafe extern "C" fn(usize, usize, usize, *mut c_int) -> isize };
    (@ty 4) => { unsafe extern "C" fn(usize, usize, usize, usize, *mut c_int) -> isize };
    (@ty 5) => { unsafe extern "C" fn(usize, usize, usize, usize, usize, *mut c_int) -> isize };
    (@ty 6) => { unsafe extern "C" fn(usize, usize, usize, usize, usize, usize, *mut c_int) -> isize };
    (@ty 7) => { unsafe extern "C" fn(usize, usize, usize, usize, usize, usize, usize, *mut c_int) -> isize };
    (@ty 8) => { unsafe extern "C" fn(usize, usize, usize, usize, usize, usize, usize, usize, *mut c_int) -> isize };
}

macro_rules! enosys_stubs {
    ($( $name:ident ( $($a:ident),* ); )*) => {
        $(
            #[doc = concat!("The ENOSYS stub for slots with ", stringify!($($a)*), " argument words (none if empty).")]
            ///
            /// # Safety
            /// `errno` must be writable.
            pub unsafe extern "C" fn $name($($a: usize,)* errno: *mut c_int) -> isize {
                $( let _ = $a; )*
                // SAFETY: the convention makes errno a valid pointer.
                unsafe { errno.write(ENOSYS as c_int) };
                -1
            }
        )*
    };
}

enosys_stubs! {
    words0();
    words1(a0);
    words2(a0, a1);
    words3(a0, a1, a2);
    words4(a0, a1, a2, a3);
    words5(a0, a1, a2, a3, a4);
    words6(a0, a1, a2, a3, a4, a5);
    words7(a0, a1, a2, a3, a4, a5, a6);
    words8(a0, a1, a2, a3, a4, a5, a6, a7);
}

/// The ENOSYS stub of each slot of this contract, by slot index, decided at
/// compile time (so binding a table is a copy, not a search per slot).
pub static STUB_BY_SLOT: [unsafe extern "C" fn(); crate::SLOT_COUNT] = {
    let mut out: [unsafe extern "C" fn(); crate::SLOT_COUNT] = [erased!(words0; 0); crate::SLOT_COUNT];
    let mut i = 0;
    while i < crate::SLOT_COUNT {
        out[i] = match crate::SLOT_ARG_WORDS_CONST[i] {
            0 => erased!(words0; 0),
            1 => erased!(words1; 1),
            2 => erased!(words2; 2),
            3 => erased!(words3; 3),
            4 => erased!(words4; 4),
            5 => erased!(words5; 5),
            6 => erased!(words6; 6),
            7 => erased!(words7; 7),
            _ => erased!(words8; 8),
        };
        i += 1;
    }
    out
};

/// The most argument words a slot may have.
pub const MAX_ARG_WORDS: u8 = 8;

/// The ENOSYS stub for a slot with `words` argument words, as a table word;
/// `None` when `words` exceeds [`MAX_ARG_WORDS`].
pub fn stub_for_arg_words(words: u8) -> Option<usize> {
    let f = match words {
        0 => words0 as *const () as usize,
        1 => words1 as *const () as usize,
        2 => words2 as *const () as usize,
        3 => words3 as *const () as usize,
        4 => words4 as *const () as usize,
        5 => words5 as *const () as usize,
        6 => words6 as *const () as usize,
        7 => words7 as *const () as usize,
        8 => words8 as *const () as usize,
        _ => return None,
    };
    Some(f)
}

const _: () = {
    let mut i = 0;
    while i < crate::SLOT_COUNT {
        assert!(
            crate::SLOT_ARG_WORDS_CONST[i] <= MAX_ARG_WORDS,
            "a slot has more argument words than the ENOSYS stubs cover"
        );
        i += 1;
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stubs_store_enosys_and_return_minus_one() {
        let mut errno = 0;
        // SAFETY: errno is a local.
        let r = unsafe { words3(1, 2, 3, &mut errno) };
        assert_eq!((r, errno), (-1, ENOSYS as c_int));
        assert!(stub_for_arg_words(MAX_ARG_WORDS).is_some());
        assert!(stub_for_arg_words(MAX_ARG_WORDS + 1).is_none());
    }
}
