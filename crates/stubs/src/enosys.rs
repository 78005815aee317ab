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

const STUBS: [unsafe extern "C" fn(); MAX_ARG_WORDS as usize + 1] = [
    erased!(words0; 0),
    erased!(words1; 1),
    erased!(words2; 2),
    erased!(words3; 3),
    erased!(words4; 4),
    erased!(words5; 5),
    erased!(words6; 6),
    erased!(words7; 7),
    erased!(words8; 8),
];

/// The ENOSYS stubs, indexed by argument words: a table lookup instead of
/// a match when a binder fills many slots.
pub static STUB_BY_WORDS: [unsafe extern "C" fn(); MAX_ARG_WORDS as usize + 1] = STUBS;

// Every slot of this contract has a stub: its words are at most
// MAX_ARG_WORDS (checked here, at compile time).
const _: () = {
    let mut slot = 0;
    while slot < crate::SLOT_COUNT {
        assert!(crate::SLOT_ARG_WORDS_CONST[slot] <= MAX_ARG_WORDS, "a slot has more words than any stub takes");
        slot += 1;
    }
};

/// Writes every slot's ENOSYS stub into `table`, a table of this contract
/// (the program's own, before any layer is bound): one lookup and one
/// store per slot, from the one byte per slot the notes already carry (a
/// prepared image of the table would cost a word per slot in every
/// program's file).
pub fn fill_table(table: &mut [usize; crate::SLOT_COUNT]) {
    // SAFETY: checked above: every slot's words index STUB_BY_WORDS.
    let stub = |words: u8| unsafe { *STUB_BY_WORDS.get_unchecked(words as usize) } as usize;
    // Four slots a step: the loop's own instructions were a third of it.
    let mut words = crate::SLOT_ARG_WORDS.chunks_exact(4);
    let mut slots = table.chunks_exact_mut(4);
    for (w, t) in (&mut words).zip(&mut slots) {
        t.copy_from_slice(&[stub(w[0]), stub(w[1]), stub(w[2]), stub(w[3])]);
    }
    for (t, &w) in slots.into_remainder().iter_mut().zip(words.remainder()) {
        *t = stub(w);
    }
}

/// The ENOSYS stub of `slot` of this contract, as a table word.
pub fn stub_for_slot(slot: usize) -> Option<usize> {
    stub_for_arg_words(*crate::SLOT_ARG_WORDS.get(slot)?)
}

/// The most argument words a slot may have.
pub const MAX_ARG_WORDS: u8 = 8;

/// The ENOSYS stub for a slot with `words` argument words, as a table word;
/// `None` when `words` exceeds [`MAX_ARG_WORDS`].
pub fn stub_for_arg_words(words: u8) -> Option<usize> {
    STUB_BY_WORDS.get(words as usize).map(|f| *f as usize)
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
