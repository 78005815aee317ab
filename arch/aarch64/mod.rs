//! aarch64: `svc #0`, `tpidr_el0` as the thread pointer, `_start`.
//!
//! System-call registers: number in `x8`, arguments in `x0`..`x5`, result
//! in `x0`. The thread pointer is a system register, set without a system
//! call.

use core::arch::asm;
use linux_raw_sys::general::__NR_exit_group;

/// The largest page size an aarch64 kernel may use (64 KiB pages).
pub const MAX_PAGE_SIZE: usize = 65536;

/// The architecture, as the demo and reports name it.
pub const ARCH_NAME: &str = "aarch64";

/// Makes system call `nr` with 0 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe { asm!("svc #0", in("x8") nr, lateout("x0") ret, options(nostack, preserves_flags)) };
    ret
}

/// Makes system call `nr` with 1 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe { asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, options(nostack, preserves_flags)) };
    ret
}

/// Makes system call `nr` with 2 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe { asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, in("x1") a1, options(nostack, preserves_flags)) };
    ret
}

/// Makes system call `nr` with 3 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe {
        asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2, options(nostack, preserves_flags))
    };
    ret
}

/// Makes system call `nr` with 4 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe {
        asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2, in("x3") a3, options(nostack, preserves_flags))
    };
    ret
}

/// Makes system call `nr` with 5 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe {
        asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2, in("x3") a3, in("x4") a4, options(nostack, preserves_flags))
    };
    ret
}

/// Makes system call `nr` with 6 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall6(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe {
        asm!("svc #0", in("x8") nr, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2, in("x3") a3, in("x4") a4, in("x5") a5, options(nostack, preserves_flags))
    };
    ret
}

/// The instruction system calls go through.
pub fn syscall_entry_name() -> &'static str {
    "svc #0"
}

/// Ends every thread of the process with `code`. Never returns.
#[inline(always)]
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group takes no pointers and does not return.
    unsafe {
        asm!("svc #0", in("x8") __NR_exit_group as usize, in("x0") code as isize as usize, options(noreturn, nostack));
    }
}

/// Sets `tpidr_el0` to `tp`. Returns 0 (no system call is needed).
///
/// # Safety
/// `tp` must point at the thread control block laid out for variant I and
/// stay valid for as long as this thread runs.
#[inline(always)]
pub unsafe fn set_thread_pointer(tp: *mut u8) -> usize {
    // SAFETY: the caller vouches for tp; only this thread's register changes.
    unsafe { asm!("msr tpidr_el0, {}", in(reg) tp, options(nostack, preserves_flags)) };
    0
}

/// Reads the thread pointer (`tpidr_el0`).
#[inline(always)]
pub fn thread_pointer() -> *mut u8 {
    let tp;
    // SAFETY: reads a register.
    unsafe { asm!("mrs {}, tpidr_el0", out(reg) tp, options(nostack, nomem, preserves_flags)) };
    tp
}

/// Defines the process entry point `_start`, which clears the frame and
/// link registers and calls `$entry(initial_stack_pointer)` (the stack is
/// 16-byte aligned at entry on aarch64).
#[macro_export]
macro_rules! define_entry {
    ($entry:path) => {
        /// The process entry point, where the kernel starts the program.
        ///
        /// # Safety
        /// Only the kernel enters it, with the initial stack.
        #[unsafe(naked)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn _start() -> ! {
            core::arch::naked_asm!(
                "mov x29, xzr",
                "mov x30, xzr",
                "mov x0, sp",
                "bl {entry}",
                "brk #0",
                entry = sym $entry,
            )
        }
    };
}

/// Makes the code it stands in depend on `$sym` at link time, emitting no
/// instruction: an `R_AARCH64_NONE` relocation.
#[macro_export]
macro_rules! keep_linked {
    ($sym:path) => {
        // SAFETY: a relocation with no effect on the bytes; no instruction.
        unsafe {
            core::arch::asm!(".reloc ., R_AARCH64_NONE, {s}", s = sym $sym, options(nomem, nostack, preserves_flags));
        }
    };
}

/// Address of a thread-local symbol of the running thread, by a local-exec
/// access whose offset the linker computes.
#[cfg(feature = "tls-probe")]
#[macro_export]
macro_rules! tls_local_exec_addr {
    ($sym:literal) => {{
        let v: usize;
        // SAFETY: reads the thread pointer and adds a link-time offset.
        unsafe {
            core::arch::asm!(
                "mrs {0}, tpidr_el0",
                concat!("add {0}, {0}, #:tprel_hi12:", $sym, ", lsl #12"),
                concat!("add {0}, {0}, #:tprel_lo12_nc:", $sym),
                out(reg) v,
                options(nostack, nomem, preserves_flags)
            );
        }
        v
    }};
}

/// Starts a thread: `clone(flags)` with the child on `stack_top` (aligned
/// down to 16 bytes here); the child calls `entry(arg)`, which must never
/// return. The parent gets the kernel's word: the child's thread ID, or a
/// negated errno. `tls` is what `CLONE_SETTLS` takes on this architecture
/// (see [`crate::thread_pointer_clone_arg`]).
///
/// The system call is made here, not through a stub table or (on i686)
/// `__kernel_vsyscall`: the child starts on another stack and cannot
/// return through a function.
///
/// # Safety
/// The flags, stack, IDs and TLS must make a sound thread; `entry` must not
/// return and must not touch the parent's stack.
#[unsafe(naked)]
pub unsafe extern "C" fn clone_thread(
    flags: usize,
    stack_top: *mut u8,
    parent_tid: *mut u32,
    child_tid: *mut u32,
    tls: usize,
    entry: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> usize {
    // x0 flags, x1 stack, x2 parent_tid, x3 child_tid, x4 tls, x5 entry,
    // x6 arg. The kernel takes (flags, stack, parent_tid, tls, child_tid)
    // and keeps every register but x0 in the child: entry and arg ride in
    // x9 and x10.
    core::arch::naked_asm!(
        "and x1, x1, #-16",
        "mov x9, x5",
        "mov x10, x6",
        "mov x11, x3",
        "mov x3, x4",
        "mov x4, x11",
        "mov x8, #{nr}",
        "svc #0",
        "cbnz x0, 2f",
        "mov x29, xzr",
        "mov x30, xzr",
        "mov x0, x10",
        "blr x9",
        "brk #0",
        "2:",
        "ret",
        nr = const linux_raw_sys::general::__NR_clone,
    )
}

/// Unmaps `len` bytes at `base` (the calling thread's own stack) and ends
/// the thread, touching no memory in between. It first takes back the ID
/// word the kernel would clear at the exit (`set_tid_address(NULL)`):
/// that word lies in the range, and between the `munmap` and the `exit`
/// another thread may map something there, which the clear would zero.
///
/// # Safety
/// The caller runs on that stack and has blocked every signal: nothing may
/// run on it once it is gone.
#[unsafe(naked)]
pub unsafe extern "C" fn exit_thread_unmapping(base: *mut u8, len: usize) -> ! {
    core::arch::naked_asm!(
        // `svc` keeps every register but x0.
        "mov x9, x0",
        "mov x0, #0",
        "mov x8, #{set_tid_address}",
        "svc #0",
        "mov x0, x9",
        "mov x8, #{munmap}",
        "svc #0",
        "mov x0, #0",
        "mov x8, #{exit}",
        "svc #0",
        "brk #0",
        set_tid_address = const linux_raw_sys::general::__NR_set_tid_address,
        munmap = const linux_raw_sys::general::__NR_munmap,
        exit = const linux_raw_sys::general::__NR_exit,
    )
}
