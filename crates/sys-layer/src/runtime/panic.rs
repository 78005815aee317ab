//! The panic handler: flush stdout, print the message and location on
//! stderr, exit with status 101 (as a Rust program with std does).
//!
//! Programs on this runtime abort on panic; [`unwind`] provides the
//! unwinder's symbols that the precompiled `core` and `alloc` name.
//!
//! With the feature `c-main` (a Rust std program) the panic handler and
//! the personality routine are std's; the unwinder's symbols stay here,
//! where a C library's `libgcc_eh` would provide them, unless a real
//! unwinder does (feature `unwinder-elsewhere`).

// A std program with a real unwinder has std's panic handler and that
// unwinder's symbols: nothing here is used.
#![cfg_attr(all(feature = "c-main", feature = "unwinder-elsewhere"), allow(dead_code, unused_imports))]

#[cfg(not(feature = "unwinder-elsewhere"))]
mod unwind;

use crate::stdio::{FdWriter, try_flush_stdout};
use core::fmt::Write;
#[cfg(not(feature = "c-main"))]
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

/// Exit status after a panic.
pub const PANIC_STATUS: i32 = 101;

static PANICKING: AtomicBool = AtomicBool::new(false);

#[cfg(not(feature = "c-main"))]
#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    // A panic inside the panic handler (a Display impl that panics, say)
    // exits at once instead of recursing.
    if !PANICKING.swap(true, Ordering::Relaxed) {
        report(info);
    }
    // Direct, not through the table: a panic can happen before it is bound.
    sys_layer_arch::exit_group(PANIC_STATUS)
}

/// A writer to standard error that works before the table is bound (then
/// through the direct system call), flushing stdout first when it is.
fn stderr_writer() -> FdWriter {
    let bound = super::binder::is_bound();
    if bound {
        try_flush_stdout();
    }
    let write = if bound { crate::io::table_write } else { crate::layer::slots::write::DIRECT };
    FdWriter::new(2, write)
}

/// Prints `sys-layer: <message>` on standard error and exits with
/// [`PANIC_STATUS`]: for what cannot go on, such as a call into the
/// unwinder. Does not return; does not allocate.
fn fatal(message: core::fmt::Arguments<'_>) -> ! {
    if !PANICKING.swap(true, Ordering::Relaxed) {
        let mut w = stderr_writer();
        let _ = writeln!(w, "sys-layer: {message}");
        w.flush();
    }
    sys_layer_arch::exit_group(PANIC_STATUS)
}

#[cfg(not(feature = "c-main"))]
fn report(info: &PanicInfo<'_>) {
    let mut w = stderr_writer();
    let _ = match info.location() {
        Some(l) => write!(w, "panicked at {}:{}:{}:\n{}\n", l.file(), l.line(), l.column(), info.message()),
        None => write!(w, "panicked:\n{}\n", info.message()),
    };
    w.flush();
}
