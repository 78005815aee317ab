//! i686: system calls through the vDSO's `__kernel_vsyscall`, `%gs` as the
//! thread pointer, `_start`.
//!
//! Linux on i686 realises the seed's idea itself: it maps a vDSO whose
//! `__kernel_vsyscall` is the fastest way into the kernel on this CPU
//! (`sysenter` or `int $0x80`) and announces it in `AT_SYSINFO`. Every
//! system call here goes through one out-of-line routine,
//! `sys_layer_i386_syscall`, which loads the six argument registers (`ebx
//! ecx edx esi edi ebp`, several of them off limits to inline assembly) and
//! calls the entry in `sys_layer_table_syscall_entry`: `int $0x80` until start-up
//! calls [`use_syscall_entry`] with `AT_SYSINFO`.

use core::arch::{asm, global_asm};
use linux_raw_sys::general::{__NR_exit_group, __NR_set_thread_area};

/// The largest page size an i686 kernel uses (4 KiB).
pub const MAX_PAGE_SIZE: usize = 4096;

/// The architecture, as the demo and reports name it.
pub const ARCH_NAME: &str = "i686";

global_asm!(
    ".pushsection .text,\"ax\",@progbits",
    ".globl sys_layer_int80",
    ".hidden sys_layer_int80",
    ".type sys_layer_int80,@function",
    "sys_layer_int80:",
    "int $0x80",
    "ret",
    ".size sys_layer_int80, .-sys_layer_int80",
    // cdecl: (nr, a0, a1, a2, a3, a4, a5) on the stack, result in eax.
    ".globl sys_layer_i386_syscall",
    ".hidden sys_layer_i386_syscall",
    ".type sys_layer_i386_syscall,@function",
    "sys_layer_i386_syscall:",
    "push %ebp",
    "push %edi",
    "push %esi",
    "push %ebx",
    // The entry: a runtime word of the program's table (sealed with it),
    // or int $0x80 while it is 0.
    "mov sys_layer_table_syscall_entry, %ecx",
    "test %ecx, %ecx",
    "jnz 1f",
    "mov $sys_layer_int80, %ecx",
    "1:",
    "push %ecx",
    "mov 24(%esp), %eax",
    "mov 28(%esp), %ebx",
    "mov 32(%esp), %ecx",
    "mov 36(%esp), %edx",
    "mov 40(%esp), %esi",
    "mov 44(%esp), %edi",
    "mov 48(%esp), %ebp",
    "call *(%esp)",
    "add $4, %esp",
    "pop %ebx",
    "pop %esi",
    "pop %edi",
    "pop %ebp",
    "ret",
    ".size sys_layer_i386_syscall, .-sys_layer_i386_syscall",
    ".popsection",
    options(att_syntax)
);

unsafe extern "C" {
    fn sys_layer_i386_syscall(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize;
    /// The system-call entry among the runtime words of the program's stub
    /// table (sys-layer-stubs' `RuntimeWords::syscall_entry`).
    static mut sys_layer_table_syscall_entry: usize;
}

/// Makes system calls go through `entry` (`__kernel_vsyscall`, from
/// `AT_SYSINFO`) instead of `int $0x80`.
///
/// # Safety
/// `entry` must be the kernel's `__kernel_vsyscall`; call it before any
/// other thread exists.
pub unsafe fn use_syscall_entry(entry: usize) {
    // SAFETY: single-threaded start-up, before the table is sealed; the
    // entry preserves every register but eax, as sys_layer_i386_syscall
    // expects.
    unsafe { (&raw mut sys_layer_table_syscall_entry).write(entry) };
}

/// The instruction or routine system calls go through.
pub fn syscall_entry_name() -> &'static str {
    // SAFETY: written only during single-threaded start-up.
    let entry = unsafe { (&raw const sys_layer_table_syscall_entry).read() };
    if entry == 0 { "int $0x80" } else { "__kernel_vsyscall" }
}

/// Makes system call `nr` with up to six arguments (unused ones are 0).
///
/// # Safety
/// The call must be sound for the kernel to perform with these arguments.
#[inline(always)]
pub unsafe fn syscall6(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
    // SAFETY: the caller vouches for the call; the routine saves and
    // restores every callee-saved register it loads.
    unsafe { sys_layer_i386_syscall(nr, a0, a1, a2, a3, a4, a5) }
}

macro_rules! fewer_args {
    ($name:ident $(, $a:ident)*) => {
        /// Makes a system call with this many arguments.
        ///
        /// # Safety
        /// The call must be sound for the kernel to perform with these arguments.
        #[inline(always)]
        pub unsafe fn $name(nr: usize $(, $a: usize)*) -> usize {
            let args = [$($a,)* 0, 0, 0, 0, 0, 0];
            // SAFETY: as for syscall6; extra arguments are ignored by the kernel.
            unsafe { syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5]) }
        }
    };
}

fewer_args!(syscall0);
fewer_args!(syscall1, a0);
fewer_args!(syscall2, a0, a1);
fewer_args!(syscall3, a0, a1, a2);
fewer_args!(syscall4, a0, a1, a2, a3);
fewer_args!(syscall5, a0, a1, a2, a3, a4);

/// Ends every thread of the process with `code`. Never returns.
#[inline(always)]
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group takes no pointers and does not return.
    unsafe { syscall1(__NR_exit_group as usize, code as usize) };
    loop {
        core::hint::spin_loop();
    }
}

/// `struct user_desc` for `set_thread_area`.
#[repr(C)]
struct UserDesc {
    entry_number: u32,
    base_addr: u32,
    limit: u32,
    /// seg_32bit (bit 0), contents (1-2), read_exec_only (3),
    /// limit_in_pages (4), seg_not_present (5), useable (6).
    flags: u32,
}

/// Points `%gs` at `tp`: a TLS descriptor in the GDT from
/// `set_thread_area` (the kernel picks a free entry), then its selector in
/// `%gs`. Returns 0, or the kernel's negated errno.
///
/// # Safety
/// `tp` must point at a thread control block whose first word holds `tp`
/// itself, and that stays valid for as long as this thread runs.
pub unsafe fn set_thread_pointer(tp: *mut u8) -> usize {
    let mut desc =
        UserDesc { entry_number: u32::MAX, base_addr: tp as u32, limit: 0xfffff, flags: 1 | 1 << 4 | 1 << 6 };
    // SAFETY: desc is a valid user_desc the kernel reads and updates.
    let ret = unsafe { syscall1(__NR_set_thread_area as usize, (&raw mut desc) as usize) };
    if crate::is_error(ret) {
        return ret;
    }
    let selector = (desc.entry_number << 3 | 3) as u16;
    // SAFETY: the selector names the descriptor just installed.
    unsafe { asm!("mov {0:x}, %gs", in(reg) selector, options(att_syntax, nostack, preserves_flags)) };
    0
}

/// Reads the thread pointer: `%gs:0`, the self-pointer at the start of the
/// thread control block (TLS variant II).
#[inline(always)]
pub fn thread_pointer() -> *mut u8 {
    let tp;
    // SAFETY: reads one word through %gs, set before any caller runs.
    unsafe { asm!("mov %gs:0, {}", out(reg) tp, options(att_syntax, nostack, readonly, preserves_flags)) };
    tp
}

/// Defines the process entry point `_start` (a naked function: the compiler
/// emits its symbol, type and size), which clears the frame pointer,
/// aligns the stack and calls `$entry(initial_stack_pointer)` (cdecl).
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
                "mov %esp, %eax",
                "and $-16, %esp",
                "sub $12, %esp",
                "push %eax",
                "call {entry}",
                "ud2",
                entry = sym $entry,
                options(att_syntax)
            )
        }
    };
}

/// Makes the code it stands in depend on `$sym` at link time, emitting no
/// instruction: an `R_386_NONE` relocation.
#[macro_export]
macro_rules! keep_linked {
    ($sym:path) => {
        // SAFETY: a relocation with no effect on the bytes; no instruction.
        unsafe {
            core::arch::asm!(".reloc ., R_386_NONE, {s}", s = sym $sym, options(nomem, nostack, preserves_flags));
        }
    };
}

/// Address of a thread-local symbol of the running thread, by a local-exec
/// access (`sym@ntpoff` from `%gs:0`) whose offset the linker computes.
#[cfg(feature = "tls-probe")]
#[macro_export]
macro_rules! tls_local_exec_addr {
    ($sym:literal) => {{
        let v: usize;
        // SAFETY: reads the thread pointer and adds a link-time offset.
        unsafe {
            core::arch::asm!(
                "mov %gs:0, {0}",
                concat!("lea ", $sym, "@ntpoff({0}), {0}"),
                out(reg) v,
                options(att_syntax, nostack, readonly, preserves_flags)
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
    // cdecl: the arguments at 4(%esp)... i386's clone takes (flags, stack,
    // parent_tid, tls, child_tid) in ebx, ecx, edx, esi, edi; ebp is free
    // and, like every register but eax, the child's copy keeps its value:
    // it carries entry. arg goes on the new stack, where entry finds it.
    // Through int $0x80: __kernel_vsyscall would return on the parent's
    // stack in the child.
    core::arch::naked_asm!(
        "push %ebp",
        "push %ebx",
        "push %esi",
        "push %edi",
        "mov 20(%esp), %ebx",
        "mov 24(%esp), %ecx",
        "mov 28(%esp), %edx",
        "mov 32(%esp), %edi",
        "mov 36(%esp), %esi",
        "mov 44(%esp), %eax",
        "and $-16, %ecx",
        "sub $16, %ecx",
        "mov %eax, 0(%ecx)",
        "mov 40(%esp), %ebp",
        "mov ${nr}, %eax",
        "int $0x80",
        "test %eax, %eax",
        "jnz 2f",
        // The child: esp is the new stack, 16-byte aligned, arg on top.
        "mov %ebp, %eax",
        "xor %ebp, %ebp",
        "call *%eax",
        "ud2",
        "2:",
        "pop %edi",
        "pop %esi",
        "pop %ebx",
        "pop %ebp",
        "ret",
        nr = const linux_raw_sys::general::__NR_clone,
        options(att_syntax)
    )
}

/// The `tls` argument of [`clone_thread`] for a thread whose thread pointer
/// is `tp`: on i686 a `struct user_desc` (in `scratch`, which must outlive
/// the call) for the GDT entry this thread's `%gs` selects, with the new
/// base. The child keeps the parent's `%gs` selector, so it reads its own
/// descriptor.
pub fn thread_pointer_clone_arg(tp: *mut u8, scratch: &mut [u32; 4]) -> usize {
    let selector: u32;
    // SAFETY: reads the %gs selector; no memory.
    unsafe { asm!("mov %gs, {0:e}", out(reg) selector, options(att_syntax, nostack, nomem, preserves_flags)) };
    *scratch = [selector >> 3, tp as u32, 0xfffff, 1 | 1 << 4 | 1 << 6];
    scratch.as_mut_ptr() as usize
}

/// Unmaps `len` bytes at `base` (the calling thread's own stack) and ends
/// the thread, touching no memory in between (the arguments are read from
/// the stack before the `munmap`). It first takes back the ID
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
        "xor %ebx, %ebx",
        "mov ${set_tid_address}, %eax",
        "int $0x80",
        "mov 4(%esp), %ebx",
        "mov 8(%esp), %ecx",
        "mov ${munmap}, %eax",
        "int $0x80",
        "xor %ebx, %ebx",
        "mov ${exit}, %eax",
        "int $0x80",
        "ud2",
        set_tid_address = const linux_raw_sys::general::__NR_set_tid_address,
        munmap = const linux_raw_sys::general::__NR_munmap,
        exit = const linux_raw_sys::general::__NR_exit,
        options(att_syntax)
    )
}

/// The signal-return trampoline handlers return to (`SA_RESTORER`), so that
/// no code is ever needed on the signal stack. Never called directly.
#[unsafe(naked)]
unsafe extern "C" fn restore_rt() -> ! {
    core::arch::naked_asm!("mov ${nr}, %eax", "int $0x80", "ud2", nr = const linux_raw_sys::general::__NR_rt_sigreturn, options(att_syntax))
}

/// The `sa_restorer` to install with `SA_RESTORER`, where the architecture
/// needs one (x86): `None` where the kernel returns through the vDSO's own.
pub fn signal_restorer() -> Option<usize> {
    Some(restore_rt as *const () as usize)
}
