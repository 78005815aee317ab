//! sys-layer: a `no_std` runtime that replaces libc on Linux.
//!
//! A program that depends on this crate is a static executable with no C
//! library and no C toolchain behind it. Its system calls all go through a
//! *stub table* (see [`sys_layer_stubs`]) that the runtime's binder fills at
//! start-up with the syscall layer that fits the running kernel, then seals
//! read-only.
//!
//! # Writing a program
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use sys_layer::{CStrExt, env, println};
//!
//! sys_layer::main!(main);
//!
//! fn main(args: env::Args, _vars: env::Vars) -> i32 {
//!     for arg in args {
//!         println!("{}", arg.to_str_or_placeholder());
//!     }
//!     0
//! }
//! ```
//!
//! Build it for the target with the static-link flags (README.md shows the
//! one line of configuration).
//!
//! # Start-up
//!
//! `_start` → read argc/argv/envp/auxv → TLS for the main thread → detect the
//! kernel → bind and seal every stub table → `main` → flush stdout →
//! `exit_group`. [`rt::bind_report`] tells what the binder did.
#![cfg_attr(not(test), no_std)]

// The API, one module per subject.
pub mod alloc;
pub mod c;
pub mod env;
pub mod event;
pub mod fd;
pub mod fs;
pub mod io;
pub mod mm;
pub mod net;
pub mod path;
pub mod process;
pub mod rand;
pub mod rt;
pub mod signal;
pub mod stdio;
pub mod sync;
pub mod thread;
pub mod time;

// Internals: start-up and the binder, the syscall layers, and helpers.
mod dirent;
mod errno;
mod layer;
mod runtime;

pub use errno::Errno;

// The memory functions the compiler calls; linked into every program, left
// out of host unit tests, which have the C library's.
#[cfg(not(test))]
extern crate sys_layer_mem;

/// The errno-pointer API: every slot, taking an explicit `errno` pointer
/// (`unsafe fn read(fd, buf, count, errno: *mut c_int) -> isize`), through
/// the bound table. For porting C that wants to keep its own error handling.
/// Calling one links the slot's implementation into the program.
pub use layer::slots::raw_calls as raw;

pub use sys_layer_stubs as stubs;

/// Declares the program's `main`.
///
/// `$main` is a function `fn(env::Args, env::Vars) -> T` where `T` is a
/// [`process::Termination`] (`()`, `i32`, `u8`, or a `Result` of those with
/// an error that implements `Display`). Its value becomes the exit status,
/// after standard output is flushed.
#[macro_export]
macro_rules! main {
    ($main:path) => {
        #[unsafe(no_mangle)]
        fn __sys_layer_main(args: $crate::env::Args, vars: $crate::env::Vars) -> i32 {
            $crate::process::Termination::report($main(args, vars))
        }
    };
}

/// Extension for printing the C strings that arguments and environment
/// entries are.
pub trait CStrExt {
    /// The bytes as `&str` if they are UTF-8, else `"<not UTF-8>"`.
    fn to_str_or_placeholder(&self) -> &str;
}

impl CStrExt for core::ffi::CStr {
    fn to_str_or_placeholder(&self) -> &str {
        self.to_str().unwrap_or("<not UTF-8>")
    }
}

/// The architecture this program was built for (`x86_64`, `aarch64`,
/// `riscv64`, `i686`).
pub const ARCH: &str = sys_layer_arch::ARCH_NAME;
