//! `syscall(2)`: std makes some system calls by number (`futex` for its
//! locks, and `statx`, `getrandom`, `copy_file_range`, ... when `dlsym`
//! does not find the function). Each number std uses is sent to its slot
//! of the table; any other number fails with `ENOSYS`, so that no system
//! call leaves the table.

use crate::fail;
use core::ffi::{c_int, c_long};
use linux_raw_sys::general as g;
use sys_layer::{Errno, c};

/// `syscall(2)`, variadic in C: the number and six words (see the crate's
/// documentation); a call reads only the words its system call takes.
///
/// # Safety
/// The arguments are what the system call expects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn syscall(
    number: c_long,
    a: usize,
    b: usize,
    cc: usize,
    d: usize,
    e: usize,
    f: usize,
) -> c_long {
    // SAFETY: as the caller vouches; each arm passes the words in the
    // slot's types.
    let r = unsafe {
        match number as u32 {
            #[cfg(target_pointer_width = "64")]
            g::__NR_futex => c::futex(a as *mut u32, b as c_int, cc as u32, d as *const _, e as *mut u32, f as u32),
            // 32-bit targets: std calls futex_time64 first (64-bit time,
            // the slot's form); the 32-bit-time futex is left ENOSYS.
            #[cfg(target_pointer_width = "32")]
            g::__NR_futex_time64 => {
                c::futex(a as *mut u32, b as c_int, cc as u32, d as *const _, e as *mut u32, f as u32)
            }
            g::__NR_statx => c::statx(a as c_int, b as *const _, cc as c_int, d as u32, e as *mut _),
            g::__NR_getrandom => c::getrandom(a as *mut _, b, cc as u32),
            g::__NR_copy_file_range => {
                c::copy_file_range(a as c_int, b as *mut i64, cc as c_int, d as *mut i64, e, f as u32)
            }
            g::__NR_gettid => c::gettid(),
            g::__NR_pidfd_open => c::pidfd_open(a as c_int, b as u32),
            g::__NR_pidfd_send_signal => c::pidfd_send_signal(a as c_int, b as c_int, cc as *mut _, d as u32),
            _ => return fail(Errno::ENOSYS),
        }
    };
    r as c_long
}
