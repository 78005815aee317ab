//! The C-style API: every slot, with the calling thread's `errno`.
//!
//! For code ported from C: each function has the slot's arguments without
//! the `errno` pointer, returns `-1` on failure and leaves the error number
//! in the thread's `errno` ([`errno`], [`set_errno`]), as libc does. The
//! safe API never touches the thread's `errno`.

use core::ffi::c_int;

/// The calling thread's `errno`.
pub fn errno() -> c_int {
    // SAFETY: the thread's ThreadData is live while the thread runs.
    unsafe { *sys_layer_tls::errno_location() }
}

/// Sets the calling thread's `errno`.
pub fn set_errno(value: c_int) {
    // SAFETY: as in errno.
    unsafe { *sys_layer_tls::errno_location() = value }
}

/// Address of the calling thread's `errno` (C's `__errno_location`).
pub fn errno_location() -> *mut c_int {
    sys_layer_tls::errno_location()
}

macro_rules! with_thread_errno {
    ($( $(#[$doc:meta])* $abi:literal $name:ident ( $($arg:ident : $ty:ty),* $(,)? ); )*) => {
        $(
            $(#[$doc])*
            ///
            /// Sets the thread's `errno` and returns `-1` on failure.
            ///
            /// # Safety
            /// The arguments must be valid for the system call.
            #[inline]
            pub unsafe fn $name($($arg: $ty),*) -> isize {
                // SAFETY: the caller vouches for the arguments; the errno
                // pointer is this thread's own.
                unsafe { crate::raw::$name($($arg,)* sys_layer_tls::errno_location()) }
            }
        )*
    };
}

sys_layer_stubs::for_each_slot!(with_thread_errno);
