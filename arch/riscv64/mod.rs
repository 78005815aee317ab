//! riscv64: `ecall`, `tp` as the thread pointer, `_start`.
//!
//! System-call registers: number in `a7`, arguments in `a0`..`a5`, result
//! in `a0`. The thread pointer is the `tp` register, set without a system
//! call. `gp` is not set up: lld does not relax to it by default, and Rust
//! code does not use it.

use core::arch::asm;
use linux_raw_sys::general::__NR_exit_group;

/// The largest page size a riscv64 kernel uses (4 KiB).
pub const MAX_PAGE_SIZE: usize = 4096;

/// The architecture, as the demo and reports name it.
pub const ARCH_NAME: &str = "riscv64";

/// Makes system call `nr` with 0 argument(s).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the instruction clobbers
    // nothing but the result register.
    unsafe { asm!("ecall", in("a7") nr, lateout("a0") ret, options(nostack, preserves_flags)) };
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
    unsafe { asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, options(nostack, preserves_flags)) };
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
    unsafe { asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, options(nostack, preserves_flags)) };
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
        asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2, options(nostack, preserves_flags))
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
        asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2, in("a3") a3, options(nostack, preserves_flags))
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
        asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2, in("a3") a3, in("a4") a4, options(nostack, preserves_flags))
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
        asm!("ecall", in("a7") nr, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2, in("a3") a3, in("a4") a4, in("a5") a5, options(nostack, preserves_flags))
    };
    ret
}

/// The instruction system calls go through.
pub fn syscall_entry_name() -> &'static str {
    "ecall"
}

/// Ends every thread of the process with `code`. Never returns.
#[inline(always)]
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group takes no pointers and does not return.
    unsafe {
        asm!("ecall", in("a7") __NR_exit_group as usize, in("a0") code as isize as usize, options(noreturn, nostack));
    }
}

/// Sets `tp`. Returns 0 (no system call is needed).
///
/// # Safety
/// `tp` must point just past the thread data, at the TLS block (variant I
/// with no header), and stay valid for as long as this thread runs.
#[inline(always)]
pub unsafe fn set_thread_pointer(tp: *mut u8) -> usize {
    // SAFETY: the caller vouches for tp; only this thread's register changes.
    unsafe { asm!("mv tp, {}", in(reg) tp, options(nostack, preserves_flags)) };
    0
}

/// Reads the thread pointer (`tp`).
#[inline(always)]
pub fn thread_pointer() -> *mut u8 {
    let tp;
    // SAFETY: reads a register.
    unsafe { asm!("mv {}, tp", out(reg) tp, options(nostack, nomem, preserves_flags)) };
    tp
}

/// Defines the process entry point `_start`, which clears the return
/// address, aligns the stack and calls `$entry(initial_stack_pointer)`.
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
                "li ra, 0",
                "mv a0, sp",
                "andi sp, sp, -16",
                "call {entry}",
                "unimp",
                entry = sym $entry,
            )
        }
    };
}

/// Makes the code it stands in depend on `$sym` at link time, emitting no
/// instruction: an `R_RISCV_NONE` relocation.
#[macro_export]
macro_rules! keep_linked {
    ($sym:path) => {
        // SAFETY: a relocation with no effect on the bytes; no instruction.
        unsafe {
            core::arch::asm!(".reloc ., R_RISCV_NONE, {s}", s = sym $sym, options(nomem, nostack, preserves_flags));
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
        // SAFETY: adds a link-time offset to the thread pointer.
        unsafe {
            core::arch::asm!(
                concat!("lui {0}, %tprel_hi(", $sym, ")"),
                concat!("add {0}, {0}, tp, %tprel_add(", $sym, ")"),
                concat!("addi {0}, {0}, %tprel_lo(", $sym, ")"),
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
    // a0 flags, a1 stack, a2 parent_tid, a3 child_tid, a4 tls, a5 entry,
    // a6 arg. The kernel takes (flags, stack, parent_tid, tls, child_tid)
    // and keeps every register but a0 in the child: entry and arg ride in
    // t0 and t1.
    core::arch::naked_asm!(
        "andi a1, a1, -16",
        "mv t0, a5",
        "mv t1, a6",
        "mv t2, a3",
        "mv a3, a4",
        "mv a4, t2",
        "li a7, {nr}",
        "ecall",
        "bnez a0, 2f",
        "li ra, 0",
        "li s0, 0",
        "mv a0, t1",
        "jalr t0",
        "unimp",
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
        // `ecall` keeps every register but a0.
        "mv t0, a0",
        "li a0, 0",
        "li a7, {set_tid_address}",
        "ecall",
        "mv a0, t0",
        "li a7, {munmap}",
        "ecall",
        "li a0, 0",
        "li a7, {exit}",
        "ecall",
        "unimp",
        set_tid_address = const linux_raw_sys::general::__NR_set_tid_address,
        munmap = const linux_raw_sys::general::__NR_munmap,
        exit = const linux_raw_sys::general::__NR_exit,
    )
}
