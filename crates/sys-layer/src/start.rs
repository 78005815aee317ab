//! The entry point: from the kernel's initial stack to `main` and `exit`.

use crate::auxv::{Auxv, StartupStack};
use crate::env::{Args, Vars};
use crate::image::Image;
use crate::layer::era::FLOOR;
use crate::rt::{STARTUP, Startup};
use crate::{binder, process, stdio};

sys_layer_arch::define_entry!(entry);

unsafe extern "Rust" {
    /// The program's main, defined by [`crate::main!`].
    fn __sys_layer_main(args: Args, vars: Vars) -> i32;
}

/// Exit status when the runtime itself cannot start.
pub const START_FAILURE_STATUS: i32 = 127;

/// Exit status when the kernel is older than the build's floor.
pub const BELOW_FLOOR_STATUS: i32 = 1;

/// Called by `_start` with the initial stack pointer.
///
/// # Safety
/// Only `_start` calls it, once, with the kernel's stack pointer.
unsafe extern "C" fn entry(sp: *const usize) -> ! {
    // SAFETY: sp is the kernel's initial stack pointer.
    let stack = unsafe { StartupStack::from_stack_pointer(sp) };
    // SAFETY: the stack's auxiliary vector ends with AT_NULL.
    let auxv = Auxv::from_pairs(unsafe { stack.auxv_pairs() });
    // SAFETY: auxv is this process's own.
    let image = unsafe { Image::from_auxv(&auxv) }.unwrap_or(Image::EMPTY);
    // SAFETY: AT_RANDOM, when present, points at 16 bytes the kernel keeps.
    let random = (auxv.random != 0).then(|| unsafe { &*(auxv.random as *const [u8; 16]) });

    // SAFETY: first thing on the only thread; the image is the running one.
    let tls = match unsafe { sys_layer_tls::init_main_thread(image.phdrs, image.load_bias, random) } {
        Ok(layout) => layout,
        Err(e) => fail("thread-local storage", e.message()),
    };

    let kernel = binder::detect_kernel();
    if let Some(running) = kernel.version
        && !FLOOR.at_most(running)
    {
        stdio::write_direct_stderr(format_args!(
            "sys-layer: this program needs Linux {FLOOR} or later (built with SYS_LAYER_MIN_KERNEL={FLOOR}), \
             but this kernel is {running}\n"
        ));
        sys_layer_arch::exit_group(BELOW_FLOOR_STATUS);
    }
    // SAFETY: still single-threaded, and nothing has called through a table.
    let bind = match unsafe { binder::bind(&image, kernel, auxv.pagesz) } {
        Ok(report) => report,
        Err(e) => fail("binding the syscall layer", e.message()),
    };

    // SAFETY: the one write, before main and any other thread.
    unsafe { STARTUP.set(Startup { stack, auxv, bind, tls }) };

    let args = Args::from_startup(&stack);
    let vars = Vars::from_startup(&stack);
    // SAFETY: main! defines this function with this signature.
    let status = unsafe { __sys_layer_main(args, vars) };
    process::exit(status)
}

/// Reports a start-up failure on stderr, bypassing the (possibly unbound)
/// table, and exits with [`START_FAILURE_STATUS`]. Plain strings only:
/// start-up links as little formatting code as it can.
fn fail(stage: &str, message: &str) -> ! {
    for part in ["sys-layer: cannot start: ", stage, ": ", message, "\n"] {
        stdio::write_direct_stderr_str(part);
    }
    sys_layer_arch::exit_group(START_FAILURE_STATUS)
}
