//! x86_64: `syscall`, `%fs` as the thread pointer, `_start`.
//!
//! System-call registers: number in `rax`, arguments in `rdi rsi rdx r10 r8
//! r9`; the instruction clobbers `rcx` and `r11`. The result comes back in
//! `rax`.

use core::arch::asm;

mod mem;
use linux_raw_sys::general::{__NR_arch_prctl, __NR_exit_group, ARCH_SET_FS};
pub use mem::memcmp_avx2;

/// The largest page size an x86_64 kernel uses (4 KiB; huge pages do not
/// apply to ordinary mappings).
pub const MAX_PAGE_SIZE: usize = 4096;

/// The architecture, as the demo and reports name it.
pub const ARCH_NAME: &str = "x86_64";

/// Makes system call `nr` with no arguments.
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the asm clobbers only what the
    // syscall instruction clobbers.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, lateout("rcx") _, lateout("r11") _,
             options(nostack, preserves_flags));
    }
    ret
}

/// Makes system call `nr` with one argument.
///
/// # Safety
/// As for [`syscall0`].
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    let ret;
    // SAFETY: as in syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Makes system call `nr` with two arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    let ret;
    // SAFETY: as in syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Makes system call `nr` with three arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    let ret;
    // SAFETY: as in syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1, in("rdx") a2,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Makes system call `nr` with four arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret;
    // SAFETY: as in syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1, in("rdx") a2,
             in("r10") a3, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Makes system call `nr` with five arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: as in syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1, in("rdx") a2,
             in("r10") a3, in("r8") a4, lateout("rcx") _, lateout("r11") _,
             options(nostack, preserves_flags));
    }
    ret
}

/// Makes system call `nr` with six arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline(always)]
pub unsafe fn syscall6(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
    let ret;
    // SAFETY: as in syscall0.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1, in("rdx") a2,
             in("r10") a3, in("r8") a4, in("r9") a5, lateout("rcx") _, lateout("r11") _,
             options(nostack, preserves_flags));
    }
    ret
}

/// The instruction system calls go through.
pub fn syscall_entry_name() -> &'static str {
    "syscall"
}

/// Ends every thread of the process with `code`. Never returns.
#[inline(always)]
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group takes no pointers and does not return.
    unsafe {
        asm!("syscall", in("rax") __NR_exit_group as usize, in("rdi") code as isize as usize,
             options(noreturn, nostack));
    }
}

/// Points `%fs` at `tp` with `arch_prctl(ARCH_SET_FS)`. Returns the kernel's
/// word (0, or a negated errno).
///
/// # Safety
/// `tp` must point at a thread control block whose first word holds `tp`
/// itself, and that stays valid for as long as this thread runs.
#[inline(always)]
pub unsafe fn set_thread_pointer(tp: *mut u8) -> usize {
    // SAFETY: the caller vouches for tp; arch_prctl only stores it.
    unsafe { syscall2(__NR_arch_prctl as usize, ARCH_SET_FS as usize, tp as usize) }
}

/// Reads the thread pointer: `%fs:0`, the self-pointer that the x86_64 ABI
/// (TLS variant II) keeps at the start of the thread control block.
///
/// Only meaningful after [`set_thread_pointer`] ran on this thread.
#[inline(always)]
pub fn thread_pointer() -> *mut u8 {
    let tp;
    // SAFETY: reads one word through %fs; the runtime sets %fs before any
    // caller can run.
    unsafe {
        asm!("mov %fs:0, {}", out(reg) tp, options(att_syntax, nostack, readonly, preserves_flags));
    }
    tp
}

/// Defines the process entry point `_start` (a naked function: the compiler
/// emits its symbol, type and size), which clears the frame pointer,
/// aligns the stack and calls `$entry(initial_stack_pointer)`.
///
/// `$entry` must be `unsafe extern "C" fn(*const usize) -> !`. The pointer
/// it gets addresses `argc`, followed by `argv`, `envp` and the auxiliary
/// vector, as the kernel laid them out.
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
                "xor %ebp, %ebp",
                "mov %rsp, %rdi",
                "and $-16, %rsp",
                "call {entry}",
                "ud2",
                entry = sym $entry,
                options(att_syntax)
            )
        }
    };
}

/// Address of a thread-local symbol of the running thread, by a local-exec
/// access (`%fs:sym@tpoff`) whose offset the linker computes.
#[cfg(feature = "tls-probe")]
#[macro_export]
macro_rules! tls_local_exec_addr {
    ($sym:literal) => {{
        let v: usize;
        // SAFETY: reads the thread pointer and adds a link-time offset.
        unsafe {
            core::arch::asm!(
                "mov %fs:0, {0}",
                concat!("lea ", $sym, "@tpoff({0}), {0}"),
                out(reg) v,
                options(att_syntax, nostack, readonly, preserves_flags)
            );
        }
        v
    }};
}

/// Makes the code it stands in depend on `$sym` at link time, emitting no
/// instruction: an `R_X86_64_NONE` relocation. Garbage collection of
/// sections (and LTO) then keeps `$sym` exactly as long as this code.
#[macro_export]
macro_rules! keep_linked {
    ($sym:path) => {
        // SAFETY: a relocation with no effect on the bytes; no instruction.
        unsafe {
            core::arch::asm!(".reloc ., R_X86_64_NONE, {s}", s = sym $sym, options(nomem, nostack, preserves_flags));
        }
    };
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
    // rdi flags, rsi stack, rdx parent_tid, rcx child_tid, r8 tls, r9 entry,
    // 8(%rsp) arg. The kernel takes (flags, stack, parent_tid, child_tid,
    // tls) in rdi, rsi, rdx, r10, r8. entry and arg go on the new stack.
    core::arch::naked_asm!(
        "and $-16, %rsi",
        "sub $16, %rsi",
        "mov 8(%rsp), %rax",
        "mov %rax, 8(%rsi)",
        "mov %r9, 0(%rsi)",
        "mov %rcx, %r10",
        "mov ${nr}, %eax",
        "syscall",
        "test %rax, %rax",
        "jnz 2f",
        // The child, on the new stack (16-byte aligned again after the two
        // pops, so entry sees the ABI's alignment).
        "xor %ebp, %ebp",
        "pop %rax",
        "pop %rdi",
        "call *%rax",
        "ud2",
        "2:",
        "ret",
        nr = const linux_raw_sys::general::__NR_clone,
        options(att_syntax)
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
        // `syscall` keeps every register but rax, rcx and r11.
        "mov %rdi, %rdx",
        "xor %edi, %edi",
        "mov ${set_tid_address}, %eax",
        "syscall",
        "mov %rdx, %rdi",
        "mov ${munmap}, %eax",
        "syscall",
        "xor %edi, %edi",
        "mov ${exit}, %eax",
        "syscall",
        "ud2",
        set_tid_address = const linux_raw_sys::general::__NR_set_tid_address,
        munmap = const linux_raw_sys::general::__NR_munmap,
        exit = const linux_raw_sys::general::__NR_exit,
        options(att_syntax)
    )
}

/// The signal-return trampoline handlers return to (`SA_RESTORER`): x86_64
/// requires one. Never called directly.
#[unsafe(naked)]
unsafe extern "C" fn restore_rt() -> ! {
    core::arch::naked_asm!("mov ${nr}, %eax", "syscall", "ud2", nr = const linux_raw_sys::general::__NR_rt_sigreturn, options(att_syntax))
}

/// The `sa_restorer` to install with `SA_RESTORER`, where the architecture
/// needs one (x86): `None` where the kernel returns through the vDSO's own.
pub fn signal_restorer() -> Option<usize> {
    Some(restore_rt as *const () as usize)
}
