//! The C library that Rust's std links against, as a layer over sys-layer.
//!
//! A Rust std program for `*-linux-gnu` imports C symbols (`write`,
//! `malloc`, `pthread_create`, `__errno_location`, ...) that glibc would
//! provide. This crate defines them over sys-layer's API, so that an
//! unchanged std program builds as a static binary whose every system
//! call goes through sys-layer's table: no glibc, no libgcc, no C
//! toolchain. It turns on sys-layer's `c-main` feature (start-up calls
//! the program's C `main(argc, argv, envp)`, std's) and its build script
//! puts empty stand-ins for `libc.a`, `libgcc_eh.a` and the rest on the
//! library search path (see README, "std programs").
//!
//! The unwinder's `_Unwind_*` functions are sys-layer's, which end the
//! process (`panic = "abort"` programs), or, with the feature `unwind`,
//! the `unwinding` crate's: a real unwinder under std's own personality
//! routine, which finds the unwind tables through `dl_iterate_phdr`
//! (`dl.rs`).
//!
//! Every function keeps C's conventions: `-1` (or null) and the thread's
//! `errno` on failure, or the error number returned (`pthread_*`). A
//! function whose work is not done yet says so: `ENOSYS` (listed in
//! README), never a pretended success.
//!
//! # Variadic functions on stable Rust
//!
//! Stable Rust cannot define a C function with `...`. `open64`, `openat64`,
//! `fcntl`, `ioctl`, `syscall` and `prctl` are variadic in C, and std (and
//! C code) calls them with integer and pointer arguments only. They are
//! defined here with a fixed number of word-sized integer parameters, as
//! many as the most any caller passes. That is sound on the four targets
//! because, for integer and pointer arguments, a variadic call passes them
//! exactly where a call with that many fixed parameters of the same types
//! would:
//!
//! - x86_64 (System V psABI): the first six integer arguments in `rdi`,
//!   `rsi`, `rdx`, `rcx`, `r8`, `r9`, the rest on the stack in order, for
//!   fixed and variadic arguments alike; `al` (the number of vector
//!   registers used) is extra information that a non-variadic callee
//!   ignores.
//! - i686 (System V i386 ABI, cdecl): every argument on the stack, in
//!   order, fixed or variadic, each integer or pointer in one 4-byte slot.
//! - aarch64 (Linux AAPCS64; not Apple's ABI, which puts variadic
//!   arguments on the stack): variadic arguments are assigned to `x0`-`x7`
//!   and then the stack just as fixed ones are.
//! - riscv64 (LP64D): variadic integer arguments go in `a0`-`a7` and then
//!   the stack as fixed ones do (the only difference, for 2×XLEN-aligned
//!   arguments, concerns 128-bit values, which none of these take).
//!
//! A caller that passes fewer arguments than the definition names leaves
//! the rest as whatever the registers or its stack slots hold: the
//! function reads them as plain integers (a stack slot past the caller's
//! arguments is inside the caller's frame, which is mapped) and uses them
//! only where the C interface says the argument is there (`O_CREAT`'s
//! mode, a `syscall` number's own arguments).
#![no_std]

extern crate alloc;

// The unwinder's `_Unwind_*` symbols (feature `unwind`).
#[cfg(feature = "unwind")]
use unwinding as _;

/// Defines C functions that are one slot call each.
macro_rules! slot_calls {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty => $slot:ident($($call:expr),*);)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// Pointer arguments are valid as the call's manual page says.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
            // SAFETY: as the caller vouches.
            unsafe { sys_layer::c::$slot($($call),*) as $ret }
        }
    )*};
}

mod dl;
mod env;
mod errno;
mod fs;
mod io;
mod malloc;
mod math;
mod misc;
mod net;
mod process;
mod pthread;
mod signal;
mod spawn;
mod string;
mod syscall;
mod time;

use core::ffi::c_int;
use sys_layer::Errno;

/// Stores `e` in the thread's `errno` and returns C's failure value `-1`.
fn fail<T: From<i8>>(e: Errno) -> T {
    sys_layer::c::set_errno(e.raw());
    T::from(-1)
}

/// The C return value of a slot call: the value, or `-1` with `errno` set
/// (the slot has set it).
fn ret_int(r: isize) -> c_int {
    r as c_int
}
