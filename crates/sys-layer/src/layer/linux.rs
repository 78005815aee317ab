//! The base Linux layer: each slot makes the system call of the same name.

use super::Layer;
use core::ffi::c_int;
use sys_layer_stubs::StubTable;

/// System-call numbers of the slots, by slot name, for this architecture.
#[allow(non_upper_case_globals)]
mod nr {
    pub use linux_raw_sys::general::{
        __NR_clock_gettime as clock_gettime, __NR_close as close, __NR_exit_group as exit_group, __NR_getpid as getpid,
        __NR_getppid as getppid, __NR_gettid as gettid, __NR_ioctl as ioctl, __NR_lseek as lseek, __NR_mmap as mmap,
        __NR_mprotect as mprotect, __NR_munmap as munmap, __NR_openat as openat, __NR_read as read,
        __NR_uname as uname, __NR_write as write,
    };
}

/// An argument as the machine word the kernel takes.
trait Word {
    fn word(self) -> usize;
}

impl Word for i32 {
    #[inline(always)]
    fn word(self) -> usize {
        self as isize as usize
    }
}
impl Word for u32 {
    #[inline(always)]
    fn word(self) -> usize {
        self as usize
    }
}
impl Word for usize {
    #[inline(always)]
    fn word(self) -> usize {
        self
    }
}
#[cfg(target_pointer_width = "64")]
impl Word for i64 {
    #[inline(always)]
    fn word(self) -> usize {
        self as usize
    }
}
#[cfg(target_pointer_width = "64")]
impl Word for u64 {
    #[inline(always)]
    fn word(self) -> usize {
        self as usize
    }
}
impl<T> Word for *const T {
    #[inline(always)]
    fn word(self) -> usize {
        self as usize
    }
}
impl<T> Word for *mut T {
    #[inline(always)]
    fn word(self) -> usize {
        self as usize
    }
}

/// Splits the kernel's return word into the errno-pointer convention.
#[inline(always)]
fn finish(ret: usize, errno: *mut c_int) -> isize {
    if ret > -4096isize as usize {
        // SAFETY: the convention makes errno a valid pointer.
        unsafe { errno.write(ret.wrapping_neg() as c_int) };
        -1
    } else {
        ret as isize
    }
}

macro_rules! raw_syscall {
    ($nr:expr;) => {
        sys_layer_arch::syscall0($nr)
    };
    ($nr:expr; $a:expr) => {
        sys_layer_arch::syscall1($nr, $a)
    };
    ($nr:expr; $a:expr, $b:expr) => {
        sys_layer_arch::syscall2($nr, $a, $b)
    };
    ($nr:expr; $a:expr, $b:expr, $c:expr) => {
        sys_layer_arch::syscall3($nr, $a, $b, $c)
    };
    ($nr:expr; $a:expr, $b:expr, $c:expr, $d:expr) => {
        sys_layer_arch::syscall4($nr, $a, $b, $c, $d)
    };
    ($nr:expr; $a:expr, $b:expr, $c:expr, $d:expr, $e:expr) => {
        sys_layer_arch::syscall5($nr, $a, $b, $c, $d, $e)
    };
    ($nr:expr; $a:expr, $b:expr, $c:expr, $d:expr, $e:expr, $f:expr) => {
        sys_layer_arch::syscall6($nr, $a, $b, $c, $d, $e, $f)
    };
}

macro_rules! direct_syscalls {
    ($( $(#[$doc:meta])* $abi:literal $name:ident ( $($arg:ident : $ty:ty),* $(,)? ); )*) => {
        $(
            $(#[$doc])*
            ///
            /// The base layer's implementation: the system call itself.
            ///
            /// # Safety
            /// As for the slot: valid arguments and a writable `errno`.
            pub unsafe extern "C" fn $name($($arg: $ty,)* errno: *mut c_int) -> isize {
                // SAFETY: the slot's caller vouches for the arguments, which
                // go to the kernel unchanged.
                let ret = unsafe { raw_syscall!(nr::$name as usize; $($arg.word()),*) };
                finish(ret, errno)
            }
        )*

        /// The base layer: every slot as a direct system call.
        pub static BASE: Layer = Layer {
            name: "linux-base",
            slots: StubTable { $( $name: Some($name), )* },
        };
    };
}

sys_layer_stubs::for_each_slot!(direct_syscalls);
