//! One module per slot, generated from the contract's slot list and the
//! slot's row in the layer table (`rows.rs`): the direct implementation,
//! the era implementation that falls back when the kernel refuses, the vDSO
//! wrapper, the record that tells the binder what to bind, and `call`, the
//! typed call through the table that `raw::*` re-exports.

use super::direct::{SlotWord, finish};
use super::refusal::{self, FallbackState};
use super::vdso::{self, VdsoBinding};
use super::versions::{self, KernelVersion};
use super::{ErasedFn, SlotImpl, rows};
use core::ffi::{c_int, c_long};
use sys_layer_stubs::{SLOT_ARG_WORDS_CONST, SLOT_ARGS, sig, slot};

macro_rules! generate_slots {
    ($( $(#[$doc:meta])* $abi:literal $name:ident ( $($arg:ident : $ty:ty),* $(,)? ); )*) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` slot.")]
            pub(crate) mod $name {
                use super::*;
                /// The slot's row: a slot without a row fails here.
                use super::rows::$name as row;

                type Fn = sig::$name;

                /// The first kernel with this slot's system call on this
                /// architecture.
                pub(crate) const INTRO: KernelVersion = versions::first_kernel(row::SYSCALL);

                const _: () = assert!(row::SLOT == slot::$name);
                const _: () = assert!(
                    row::FORM.is_some()
                        || (row::NR.is_some() && SLOT_ARGS[slot::$name] == SLOT_ARG_WORDS_CONST[slot::$name]),
                    concat!(
                        "the row of `", stringify!($name), "` needs a form: it has no system call, ",
                        "or an argument takes two words on this target"
                    )
                );

                /// The system call with the slot's arguments as they are
                /// (used when the row names no form).
                unsafe extern "C" fn plain($($arg: $ty,)* errno: *mut c_int) -> isize {
                    let nr = match row::NR { Some(nr) => nr, None => 0 };
                    // SAFETY: the caller vouches for the arguments, which go
                    // to the kernel unchanged.
                    finish(unsafe { sys_layer_arch::raw_syscall!(nr $(, SlotWord::slot_word($arg))*) }, errno)
                }

                /// The system call itself, with no fallback.
                pub(crate) const DIRECT: Fn = match row::FORM { Some(f) => f, None => plain };

                /// From [`INTRO`] on: the system call, falling back where the
                /// kernel refuses it.
                unsafe extern "C" fn era_impl($($arg: $ty,)* errno: *mut c_int) -> isize {
                    static STATE: FallbackState = FallbackState::new();
                    match row::FALLBACK {
                        // SAFETY: the caller's contract is the slot's.
                        None => unsafe { DIRECT($($arg,)* errno) },
                        // SAFETY: errno is the caller's; both functions keep
                        // the convention.
                        Some(fallback) => unsafe {
                            refusal::with_fallback(
                                &STATE,
                                errno,
                                |e| DIRECT($($arg,)* e),
                                |e| fallback($($arg,)* e),
                                || refusal::refused_whatever_the_arguments(row::NR),
                            )
                        },
                    }
                }

                /// The vDSO function in place of the system call; what the
                /// slot was bound to without it where the vDSO says `ENOSYS`.
                unsafe extern "C" fn vdso_wrapper($($arg: $ty,)* errno: *mut c_int) -> isize {
                    type VdsoFn = unsafe extern "C" fn($($ty),*) -> c_long;
                    // SAFETY: bound only after the binder stored both words:
                    // the vDSO's function of the slot's arguments, and a
                    // function of the slot's signature.
                    let function = unsafe {
                        core::mem::transmute::<usize, VdsoFn>(vdso::words(rows::vdso_index(slot::$name)).function)
                    };
                    // The arguments, for the rare answers that need them
                    // after the call (an error's errno, ENOSYS's retry): in
                    // this frame, whose address escapes, rather than in
                    // callee-saved registers that every call would save and
                    // restore (glibc's wrapper has no such work either).
                    let mut kept = ($($arg,)* errno,);
                    core::hint::black_box(&mut kept);
                    // SAFETY: the caller's arguments go to the kernel's
                    // function unchanged.
                    let ret = unsafe { function($($arg),*) };
                    if ret >= 0 {
                        return ret as isize;
                    }
                    let ($($arg,)* errno,) = kept;
                    vdso::answer(ret, errno, || {
                        // SAFETY: as above; the slot's binding without the
                        // vDSO, with the caller's arguments.
                        unsafe {
                            let without = vdso::words(rows::vdso_index(slot::$name)).without;
                            core::mem::transmute::<usize, Fn>(without)($($arg,)* errno)
                        }
                    })
                }

                static VDSO_BINDING: VdsoBinding = VdsoBinding {
                    symbol: match row::VDSO_SYMBOL { Some(s) => s, None => "" },
                    wrapper: erase(vdso_wrapper),
                    index: rows::vdso_index(slot::$name),
                    bind: vdso::bind,
                };

                const fn erase(f: Fn) -> ErasedFn {
                    // SAFETY: only the type is forgotten; the binder stores the
                    // address and callers call it with the slot's signature.
                    unsafe { core::mem::transmute::<Fn, ErasedFn>(f) }
                }

                /// What the binder binds for this slot.
                #[unsafe(link_section = "sys_layer_impls")]
                pub(crate) static RECORD: SlotImpl = SlotImpl::select(
                    slot::$name,
                    INTRO,
                    erase(DIRECT),
                    match row::FALLBACK { Some(f) => Some(erase(f)), None => None },
                    erase(era_impl),
                    match row::VDSO_SYMBOL { Some(_) => Some(&VDSO_BINDING), None => None },
                );

                $(#[$doc])*
                ///
                /// Calls through the program's bound table, with an explicit
                /// `errno` pointer: `-1` and `*errno` set on failure.
                ///
                /// # Safety
                /// The arguments must be valid for the system call and `errno`
                /// writable.
                #[inline(always)]
                pub unsafe fn call($($arg: $ty,)* errno: *mut c_int) -> isize {
                    sys_layer_arch::keep_linked!(RECORD);
                    // SAFETY: the caller vouches for the arguments; the table
                    // is bound before main.
                    unsafe { sys_layer_stubs::call::$name($($arg,)* errno) }
                }
            }
        )*

        /// The errno-pointer API: every slot, through the bound table.
        pub mod raw_calls {
            $( pub use super::$name::call as $name; )*
        }

        /// The first kernel of every slot's system call, in slot order.
        #[cfg_attr(not(test), allow(dead_code))] // read by the docs test
        pub(crate) const INTROS: [KernelVersion; sys_layer_stubs::SLOT_COUNT] = [$( $name::INTRO, )*];

        /// With the `all-slots` feature, every record stays linked.
        #[cfg(feature = "all-slots")]
        #[used]
        static ALL_SLOTS: [&SlotImpl; sys_layer_stubs::SLOT_COUNT] = [$( &$name::RECORD, )*];
    };
}

sys_layer_stubs::for_each_slot!(generate_slots);
