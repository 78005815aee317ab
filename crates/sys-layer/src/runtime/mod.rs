//! The runtime: start-up, the binder, and what they read (the image, the
//! auxiliary vector, the kernel). Private: programs see what it learnt
//! through [`crate::rt`].

// Host unit tests build neither the entry point nor the panic handler,
// which are what call the binder and read the image.
#[cfg_attr(test, allow(dead_code))]
pub(crate) mod auxv;
#[cfg_attr(test, allow(dead_code))]
pub(crate) mod binder;
#[cfg_attr(test, allow(dead_code))]
pub(crate) mod image;
#[cfg_attr(test, allow(dead_code))]
pub(crate) mod kernel;
// Without the report only its stack size is used (by threads).
#[cfg_attr(any(test, not(feature = "stack-overflow-report")), allow(dead_code))]
pub(crate) mod overflow;
#[cfg(not(test))]
mod panic;
#[cfg(not(test))]
mod start;

use auxv::{Auxv, StartupStack};
use binder::BindReport;
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use sys_layer_tls::Layout;

sys_layer_arch::declare_hot_section!();

/// Start-up facts, written once before `main`.
#[derive(Clone, Copy)]
pub(crate) struct Startup {
    pub stack: StartupStack,
    pub auxv: Auxv,
    pub bind: BindReport,
    pub tls: Layout,
}

/// A value written once by start-up (in place, through `as_mut_ptr`),
/// before `main` and before any other thread exists, and only read
/// afterwards.
pub(crate) struct WriteOnce<T>(UnsafeCell<MaybeUninit<T>>);

// SAFETY: the single write happens before any other thread can exist; after
// it the value is only read. Its pointers address the start-up stack, which
// nothing writes after the kernel laid it out.
unsafe impl Sync for WriteOnce<Startup> {}

impl<T> WriteOnce<T> {
    pub const fn new() -> Self {
        WriteOnce(UnsafeCell::new(MaybeUninit::uninit()))
    }

    /// The value's place, for start-up to fill in field by field.
    #[cfg_attr(test, allow(dead_code))] // the entry point is not built for host tests
    pub fn as_mut_ptr(&self) -> *mut T {
        // SAFETY: only the pointer is made; the caller writes through it
        // while single-threaded.
        unsafe { (*self.0.get()).as_mut_ptr() }
    }

    /// # Safety
    /// Every field must have been written through `as_mut_ptr`.
    pub unsafe fn get(&self) -> &T {
        // SAFETY: set initialised the value and nothing writes it again.
        unsafe { (*self.0.get()).assume_init_ref() }
    }
}

#[unsafe(link_section = sys_layer_arch::hot_section!())]
pub(crate) static STARTUP: WriteOnce<Startup> = WriteOnce::new();

/// Start-up facts. Only user code calls this, and it runs after start-up.
pub(crate) fn startup() -> &'static Startup {
    // SAFETY: the entry point sets STARTUP before it calls main, and every
    // caller is reached from main.
    unsafe { STARTUP.get() }
}
