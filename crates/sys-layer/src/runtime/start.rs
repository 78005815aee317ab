//! The entry point: from the kernel's initial stack to `main` and `exit`.

use super::STARTUP;
use super::auxv::{Auxv, StartupStack};
use super::binder;
use super::image::Image;
use super::kernel::{Kernel, KernelVersion};
#[cfg(not(feature = "c-main"))]
use crate::env::Args;
use crate::env::Vars;
use crate::layer::versions::FLOOR;
use crate::{process, stdio};

sys_layer_arch::define_entry!(entry);

#[cfg(not(feature = "c-main"))]
unsafe extern "Rust" {
    /// The program's main, defined by [`crate::main!`].
    fn __sys_layer_main(args: Args, vars: Vars) -> i32;
}

#[cfg(feature = "c-main")]
unsafe extern "C" {
    /// The program's C `main`: a Rust std program's, which std's start-up
    /// code (`lang_start`) runs behind.
    fn main(argc: core::ffi::c_int, argv: *const *const u8, envp: *const *const u8) -> core::ffi::c_int;
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
    // Start-up facts go straight to their static, field by field: they are
    // large, and copying them would be much of start-up's work.
    let startup = STARTUP.as_mut_ptr();
    // SAFETY: sp is the kernel's initial stack pointer, whose auxiliary
    // vector ends with AT_NULL; still single-threaded, and nothing has
    // called through a table: these fields are written before anything
    // reads them.
    let (stack, auxv) = unsafe {
        let stack = &raw mut (*startup).stack;
        stack.write(StartupStack::from_stack_pointer(sp));
        let auxv = &raw mut (*startup).auxv;
        Auxv::read_vector((*stack).auxv, auxv);
        (&*stack, &*auxv)
    };
    super::auxv::remember(stack.auxv);
    // i686: every system call from here on goes through the vDSO's
    // __kernel_vsyscall when the kernel offers it.
    #[cfg(target_arch = "x86")]
    if auxv.sysinfo != 0 {
        // SAFETY: AT_SYSINFO is the kernel's entry; still single-threaded.
        unsafe { sys_layer_arch::use_syscall_entry(auxv.sysinfo) };
    }
    // A set-id program must not write its messages into whatever file its
    // caller lets it open as descriptor 2: before anything can open a file.
    if auxv.secure != 0 && reopen_closed_standard_fds().is_err() {
        fail("set-id start-up", "cannot open /dev/null for a closed standard descriptor");
    }
    // SAFETY: auxv is this process's own.
    let image = unsafe { Image::from_auxv(auxv) }.unwrap_or(Image::EMPTY);
    // SAFETY: AT_RANDOM, when present, points at 16 bytes the kernel keeps.
    let random = (auxv.random != 0).then(|| unsafe { &*(auxv.random as *const [u8; 16]) });

    // SAFETY: first thing on the only thread; the image is the running one.
    match unsafe { sys_layer_tls::init_main_thread(image.phdrs, image.load_bias, random) } {
        // SAFETY: as for the fields above.
        Ok(layout) => unsafe { (&raw mut (*startup).tls).write(layout) },
        Err(e) => fail("thread-local storage", e.message()),
    }

    // Ignored when set-id.
    let assumed = if auxv.secure == 0 {
        Vars::from_startup(stack).get(b"SYS_LAYER_ASSUME_KERNEL").and_then(|v| KernelVersion::parse(v.to_bytes()))
    } else {
        None
    };
    // SAFETY: AT_SYSINFO_EHDR is the kernel's (or 0).
    let kernel = unsafe { Kernel::detect(auxv.sysinfo_ehdr, assumed) };
    if let Some(running) = kernel.version
        && !FLOOR.at_most(running)
    {
        stdio::write_direct_stderr(format_args!(
            "sys-layer: this program needs Linux {FLOOR} or later (built with SYS_LAYER_MIN_KERNEL={FLOOR}), \
             but this kernel is {running}\n"
        ));
        sys_layer_arch::exit_group(BELOW_FLOOR_STATUS);
    }
    // SAFETY: as for the fields above.
    if let Err(e) = unsafe { binder::bind(&image, kernel, auxv.pagesz, auxv.sysinfo_ehdr, &raw mut (*startup).bind) } {
        fail("binding the syscall layer", e.message());
    }

    #[cfg(feature = "stack-overflow-report")]
    super::overflow::install();

    // SAFETY: start-up is complete; constructors run once, before main.
    unsafe { run_constructors(stack) };

    #[cfg(not(feature = "c-main"))]
    let status = {
        let args = Args::from_startup(stack);
        let vars = Vars::from_startup(stack);
        // SAFETY: main! defines this function with this signature.
        unsafe { __sys_layer_main(args, vars) }
    };
    // SAFETY: the C main of the program (std's), with the kernel's argc,
    // argv and envp, as a C library calls it.
    #[cfg(feature = "c-main")]
    let status = unsafe { main(stack.argc as core::ffi::c_int, stack.argv, stack.envp) };
    process::exit(status)
}

/// For a set-id program (`AT_SECURE`), as C libraries do: each of the
/// descriptors 0, 1 and 2 that is closed is opened on `/dev/null`, so the
/// program's first `open` cannot become its standard error. `Err` when one
/// cannot be (the caller stops the program).
fn reopen_closed_standard_fds() -> Result<(), ()> {
    use linux_raw_sys::general::{__NR_fcntl, __NR_openat, AT_FDCWD, F_GETFD, O_RDWR};
    for fd in 0..3u32 {
        // SAFETY: F_GETFD reads a descriptor's flags; no memory.
        if unsafe { sys_layer_arch::sys!(__NR_fcntl, fd, F_GETFD) } != Err(linux_raw_sys::errno::EBADF as i32) {
            continue;
        }
        // SAFETY: a NUL-terminated path; the lowest free number is fd.
        let opened = unsafe { sys_layer_arch::sys!(__NR_openat, AT_FDCWD, c"/dev/null".as_ptr(), O_RDWR, 0u32) };
        if opened != Ok(fd as usize) {
            return Err(());
        }
    }
    Ok(())
}

type Constructor = unsafe extern "C" fn(i32, *const *const u8, *const *const u8);

unsafe extern "C" {
    static __preinit_array_start: Constructor;
    static __preinit_array_end: Constructor;
    static __init_array_start: Constructor;
    static __init_array_end: Constructor;
}

/// Runs `.preinit_array` then `.init_array` with `(argc, argv, envp)`, as a
/// C library does: precompiled code registers constructors there (the
/// toolchain's `compiler_builtins` does on aarch64, to detect LSE atomics).
///
/// # Safety
/// Once, after start-up, before main.
unsafe fn run_constructors(stack: &StartupStack) {
    let ranges = [
        (&raw const __preinit_array_start, &raw const __preinit_array_end),
        (&raw const __init_array_start, &raw const __init_array_end),
    ];
    for (mut f, end) in ranges {
        while f < end {
            // SAFETY: the linker bounds the arrays, which hold constructor
            // pointers; they get what a C runtime passes.
            unsafe {
                (*f)(stack.argc as i32, stack.argv, stack.envp);
                f = f.add(1);
            }
        }
    }
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
