//! The unwinder's symbols, for a runtime that does not unwind.
//!
//! The precompiled `core` and `alloc` are built with `panic = "unwind"`:
//! their code has landing pads that call `_Unwind_Resume`, and their unwind
//! tables name `rust_eh_personality`. A program on this runtime builds with
//! `-Cpanic=abort`, but that does not rebuild those libraries, so as soon as
//! it uses `String`, `format!`, `Vec<String>` or `BTreeMap` the linker wants
//! `_Unwind_Resume` (and LTO does not remove the reference). This module
//! defines every symbol of the unwinder ABI (the Itanium C++ ABI, level I,
//! as libgcc_s exports it) that the precompiled `core`, `alloc`, `std` and
//! `panic_unwind` reference on the four targets, and the three further
//! entry points of that ABI, so that no precompiled library finds one
//! missing.
//!
//! Nothing here unwinds. A panic ends the process in the panic handler, so
//! no exception is ever raised and none of these functions is reached in a
//! correct program. If one is (foreign code raising an exception, a crate
//! built with `-Cpanic=unwind` calling `_Unwind_RaiseException`), it prints
//! `sys-layer: unwinding is not supported (panic = "abort" only): <name>`
//! on standard error and exits with status 101, as a panic does. Two have a
//! defined answer instead: `_Unwind_Backtrace` reports that it could not
//! walk the stack (`_URC_FATAL_PHASE1_ERROR`, no frame given to the
//! callback) and `_Unwind_FindEnclosingFunction` finds nothing (null);
//! `_Unwind_DeleteException` calls the exception's cleanup, as the ABI says.
//!
//! # Why not a real unwinder
//!
//! The `unwinding` crate (0.2.11) builds its unwinder on stable `no_std`
//! for x86_64, i686, aarch64 and riscv64 (features `unwinder`,
//! `fde-gnu-eh-frame-hdr`, `dwarf-expr`), but its Rust personality routine
//! and its `catch_unwind` need nightly (`lang_items`, `core_intrinsics`).
//! On stable it could only run destructors on the way up a panicking
//! thread, with nothing to stop the unwinding; the process would then end
//! exactly as it does now. It also needs the unwind tables kept and a
//! linker script that defines `__GNU_EH_FRAME_HDR` and `__etext` (rust-lld
//! does not). Measured on x86_64 (release, LTO, `opt-level = "s"`,
//! stripped, floor 2.6.32) with a program that uses `alloc` collections,
//! `format!` and serde derive: 30,584 B with these stubs and the
//! unwind-table trim, 34,944 B with these stubs and the tables kept,
//! 88,832 B with the `unwinding` unwinder linked instead (+54 KiB). These
//! stubs cost about 270 B of code (`_Unwind_Resume`, the personality, the
//! message) where something references them, and nothing in the demo:
//! nothing there calls them, so the linker drops them.
//!
//! The symbols are strong: a program that links another unwinder gets a
//! duplicate-symbol error rather than a silent choice.

use core::ffi::{c_int, c_void};

/// `_Unwind_Reason_Code::_URC_FATAL_PHASE1_ERROR`: the unwinder could not
/// walk the stack.
const URC_FATAL_PHASE1_ERROR: c_int = 3;

/// `_Unwind_Reason_Code::_URC_FOREIGN_EXCEPTION_CAUGHT`: what the cleanup
/// of a deleted exception is told.
const URC_FOREIGN_EXCEPTION_CAUGHT: c_int = 1;

/// The start of `struct _Unwind_Exception` (the ABI's exception header):
/// the class, then the cleanup function, at offset 8 on every target.
#[repr(C)]
struct UnwindException {
    class: u64,
    cleanup: Option<unsafe extern "C" fn(c_int, *mut UnwindException)>,
}

/// Ends the process: something asked the unwinder to do its work.
fn unsupported(name: &str) -> ! {
    super::fatal(format_args!("unwinding is not supported (panic = \"abort\" only): {name} called"))
}

/// The personality routine the unwind tables of the precompiled `core` and
/// `alloc` name. Only an unwinder calls it. (A std program has std's.)
#[cfg(not(feature = "c-main"))]
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() -> ! {
    unsupported("rust_eh_personality")
}

/// Continues unwinding after a landing pad ran its cleanups: the call that
/// every landing pad in the precompiled `core` and `alloc` ends with.
#[unsafe(no_mangle)]
extern "C" fn _Unwind_Resume(_exception: *mut c_void) -> ! {
    unsupported("_Unwind_Resume")
}

/// Starts unwinding for an exception (what `panic = "unwind"` calls).
#[unsafe(no_mangle)]
extern "C" fn _Unwind_RaiseException(_exception: *mut c_void) -> c_int {
    unsupported("_Unwind_RaiseException")
}

/// Rethrows, or resumes, an exception.
#[unsafe(no_mangle)]
extern "C" fn _Unwind_Resume_or_Rethrow(_exception: *mut c_void) -> c_int {
    unsupported("_Unwind_Resume_or_Rethrow")
}

/// Unwinds under the control of a stop function.
#[unsafe(no_mangle)]
extern "C" fn _Unwind_ForcedUnwind(_exception: *mut c_void, _stop: *mut c_void, _arg: *mut c_void) -> c_int {
    unsupported("_Unwind_ForcedUnwind")
}

/// Frees an exception: calls its cleanup function, if it has one, as the
/// ABI requires.
///
/// # Safety
///
/// `exception` is null or points to a valid `_Unwind_Exception`.
#[unsafe(no_mangle)]
unsafe extern "C" fn _Unwind_DeleteException(exception: *mut c_void) {
    let exception = exception.cast::<UnwindException>();
    if exception.is_null() {
        return;
    }
    // SAFETY: the caller passes a valid exception, whose header starts
    // with the class and the cleanup function.
    if let Some(cleanup) = unsafe { (*exception).cleanup } {
        // SAFETY: the exception's own cleanup, called once with the
        // exception, as `_Unwind_DeleteException` does in every unwinder.
        unsafe { cleanup(URC_FOREIGN_EXCEPTION_CAUGHT, exception) }
    }
}

/// Walks the stack, calling `trace` for each frame. There is no unwinder
/// to walk it: no frame is reported and the walk fails at once.
#[unsafe(no_mangle)]
extern "C" fn _Unwind_Backtrace(_trace: *mut c_void, _arg: *mut c_void) -> c_int {
    URC_FATAL_PHASE1_ERROR
}

/// The start of the function holding `pc`: unknown without unwind tables
/// (null, as the ABI answers when it cannot tell).
#[unsafe(no_mangle)]
extern "C" fn _Unwind_FindEnclosingFunction(_pc: *mut c_void) -> *mut c_void {
    core::ptr::null_mut()
}

/// Defines context accessors: only an unwinder creates an
/// `_Unwind_Context` to pass them, so a call means one is running.
macro_rules! context_calls {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        $(#[$doc])*
        #[unsafe(no_mangle)]
        extern "C" fn $name(_context: *mut c_void $(, $arg: $ty)*) -> $ret {
            $(let _ = $arg;)*
            unsupported(stringify!($name))
        }
    )*};
}

context_calls! {
    /// The instruction pointer of a frame.
    fn _Unwind_GetIP() -> usize;
    /// The instruction pointer of a frame, and whether it is before the
    /// call instruction.
    fn _Unwind_GetIPInfo(before: *mut c_int) -> usize;
    /// Sets a frame's instruction pointer (where the landing pad is).
    fn _Unwind_SetIP(ip: usize) -> ();
    /// A general register of a frame.
    fn _Unwind_GetGR(index: c_int) -> usize;
    /// Sets a general register of a frame (the exception for the landing
    /// pad).
    fn _Unwind_SetGR(index: c_int, value: usize) -> ();
    /// The canonical frame address.
    fn _Unwind_GetCFA() -> usize;
    /// The language-specific data area of a frame's function.
    fn _Unwind_GetLanguageSpecificData() -> *mut c_void;
    /// The start of a frame's function.
    fn _Unwind_GetRegionStart() -> usize;
    /// The text base for `DW_EH_PE_textrel` encodings.
    fn _Unwind_GetTextRelBase() -> usize;
    /// The data base for `DW_EH_PE_datarel` encodings.
    fn _Unwind_GetDataRelBase() -> usize;
}
