//! The panic handler: flush stdout, print the message and location on
//! stderr, exit with status 101 (as a Rust program with std does).

use crate::stdio::{FdWriter, try_flush_stdout};
use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

/// Exit status after a panic.
pub const PANIC_STATUS: i32 = 101;

static PANICKING: AtomicBool = AtomicBool::new(false);

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

fn report(info: &PanicInfo<'_>) {
    let bound = super::binder::is_bound();
    if bound {
        try_flush_stdout();
    }
    let write = if bound { crate::io::table_write } else { crate::layer::slots::write::DIRECT };
    let mut w = FdWriter::new(2, write);
    let _ = match info.location() {
        Some(l) => write!(w, "panicked at {}:{}:{}:\n{}\n", l.file(), l.line(), l.column(), info.message()),
        None => write!(w, "panicked:\n{}\n", info.message()),
    };
    w.flush();
}

/// The personality routine that the precompiled `core` library's unwind
/// tables name. Programs built on this runtime abort on panic and carry no
/// unwinder, so nothing ever calls it; without LTO the linker still wants
/// the symbol. Should anything call it, the process ends.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() -> ! {
    sys_layer_arch::exit_group(PANIC_STATUS)
}
