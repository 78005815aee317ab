//! The floor the benchmarks compare against: the system-call instruction
//! inline, no stub table, no TLS, no runtime. Each program defines its
//! entry with [`floor_main!`].
#![no_std]

use linux_raw_sys::general::{__NR_clock_gettime, __NR_write, __kernel_timespec, CLOCK_MONOTONIC};

/// Monotonic nanoseconds, by the system call (the floor has no vDSO).
pub fn now_ns() -> u64 {
    let mut ts = __kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is writable.
    unsafe { sys_layer_arch::syscall2(__NR_clock_gettime as usize, CLOCK_MONOTONIC as usize, (&raw mut ts) as usize) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Writes bytes to standard output.
pub fn write_out(bytes: &[u8]) {
    // SAFETY: bytes is readable for its length.
    unsafe { sys_layer_arch::syscall3(__NR_write as usize, 1, bytes.as_ptr() as usize, bytes.len()) };
}

/// Prints `num / den` with three decimals and a newline.
pub fn print_ratio(num: u64, den: u64) {
    let milli = num * 1000 / den.max(1);
    let mut buf = [0u8; 32];
    let mut i = buf.len();
    buf[i - 1] = b'\n';
    i -= 1;
    for k in 0..3 {
        i -= 1;
        buf[i] = b'0' + ((milli / 10u64.pow(k)) % 10) as u8;
    }
    i -= 1;
    buf[i] = b'.';
    let mut whole = milli / 1000;
    loop {
        i -= 1;
        buf[i] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    write_out(&buf[i..]);
}

/// The first argument as a number, from the initial stack pointer.
///
/// # Safety
/// `sp` must be the kernel's initial stack pointer.
pub unsafe fn arg1(sp: *const usize, default: u64) -> u64 {
    // SAFETY: argc, then argv, as the kernel laid them out.
    unsafe {
        if *sp < 2 {
            return default;
        }
        let mut p = *sp.add(2) as *const u8;
        let mut n = 0u64;
        while (*p).is_ascii_digit() {
            n = n * 10 + (*p - b'0') as u64;
            p = p.add(1);
        }
        n
    }
}

/// Defines `_start` calling `$body(sp) -> i32`, then `exit_group`.
#[macro_export]
macro_rules! floor_main {
    ($body:path) => {
        unsafe extern "C" fn __floor_entry(sp: *const usize) -> ! {
            // SAFETY: sp is the kernel's initial stack pointer.
            let code = unsafe { $body(sp) };
            sys_layer_arch::exit_group(code)
        }
        sys_layer_arch::define_entry!(__floor_entry);

        #[panic_handler]
        fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
            sys_layer_arch::exit_group(101)
        }

        /// Named by the precompiled `core`; never called (panics abort).
        #[unsafe(no_mangle)]
        extern "C" fn rust_eh_personality() {}
    };
}
