//! Machine code for sys-layer, one module per architecture.
//!
//! Everything that has to be written in assembly lives under this folder:
//! the process entry point, the raw system-call instruction, reading and
//! setting the thread pointer, and the assembler directives that lay out the
//! stub table (a zero-filled `SHT_NOBITS` section, which a Rust `static` with
//! a custom section name cannot produce) and the ELF note that describes it.
//!
//! Each architecture module offers the same items:
//!
//! - `syscall0` … `syscall6`: the raw system call; returns the kernel's word
//!   (a value in `-4095..=-1` is a negated errno), which [`sys!`] checks;
//! - `exit_group(code) -> !`;
//! - `set_thread_pointer(tp)` and `thread_pointer()`;
//! - `MAX_PAGE_SIZE`: the largest page size the architecture's kernels use,
//!   which the stub table is aligned and padded to so it can be sealed alone;
//! - `ARCH_NAME`, and on x86 the `strlen`s that read whole aligned blocks
//!   (`strlen_sse2` for both x86 targets, `strlen_avx2` for i686) and
//!   `opaque_pointer`; on x86_64 the hand-laid `memcmp_avx2` and the naked
//!   entries of the memory functions (`define_memcpy_entry!`,
//!   `define_memset_entry!`, `define_memcmp_entry!`, `define_strlen_entry!`,
//!   `define_jump!`);
//! - the macros [`define_entry!`], [`keep_linked!`] and, with the
//!   `tls-probe` feature, `tls_local_exec_addr!`.
//!
//! [`define_stub_table!`], [`hot_section!`] (the section of start-up's
//! state, declared zero-filled by [`declare_hot_section!`]) and the TLS
//! probe are the same on every architecture and live here.
#![no_std]

cfg_if::cfg_if! {
    if #[cfg(target_arch = "x86_64")] {
        #[macro_use]
        #[path = "x86_64/mod.rs"]
        mod imp;
    } else if #[cfg(target_arch = "aarch64")] {
        #[macro_use]
        #[path = "aarch64/mod.rs"]
        mod imp;
    } else if #[cfg(target_arch = "riscv64")] {
        #[macro_use]
        #[path = "riscv64/mod.rs"]
        mod imp;
    } else if #[cfg(target_arch = "x86")] {
        #[macro_use]
        #[path = "x86/mod.rs"]
        mod imp;
    } else {
        compile_error!("sys-layer-arch: supported architectures are x86_64, aarch64, riscv64 and x86 (i686)");
    }
}

pub use imp::*;

mod checked;
pub use checked::{MAX_ERRNO, Word, check, is_error};

#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
#[path = "x86_common.rs"]
mod x86_common;
#[cfg(target_arch = "x86")]
pub use x86_common::strlen_avx2;
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub use x86_common::{opaque_pointer, strlen_sse2};

/// The `tls` argument of `clone_thread` for a thread whose thread pointer
/// is `tp`: the pointer itself (`%fs` base, `tpidr_el0`, `tp`); i686's own
/// version builds a `user_desc` in `scratch`, unused here.
#[cfg(not(target_arch = "x86"))]
pub fn thread_pointer_clone_arg(tp: *mut u8, scratch: &mut [u32; 4]) -> usize {
    let _ = scratch;
    tp as usize
}

/// The `sa_restorer` to install with `SA_RESTORER`: `None` on aarch64 and
/// riscv64, where the kernel returns from handlers through the vDSO's
/// `__kernel_rt_sigreturn`; the x86 modules have their own trampolines.
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
pub fn signal_restorer() -> Option<usize> {
    None
}

/// The name of the section (`SHT_NOBITS`) that holds the runtime's
/// start-up state: what start-up writes before `main` (the start-up facts,
/// the main thread's TLS area, a few flags). For
/// `#[unsafe(link_section = sys_layer_arch::hot_section!())]` on statics
/// that start as zero bytes.
///
/// [`define_stub_table!`] declares the section before its table, so the
/// linker places it right after the writable data in the file, before the
/// page-aligned table: on the page the kernel already dirtied when it
/// cleared the tail of the data segment. Start-up then writes its state
/// without a page fault of its own (each costs microseconds, more than
/// all of start-up's instructions); in `.bss` the same writes touched
/// three pages.
///
/// A static with a section attribute is `SHT_PROGBITS` (file bytes)
/// unless its object declares the section zero-filled first: every crate
/// that puts statics there invokes [`declare_hot_section!`] once (with
/// LTO one declaration serves all, but `#![no_builtins]` crates such as
/// the memory functions stay out of LTO).
#[macro_export]
macro_rules! hot_section {
    () => {
        "sys_layer_hot"
    };
}

/// Declares [`hot_section!`] zero-filled (`SHT_NOBITS`) in this crate's
/// object, ahead of the statics placed there.
#[macro_export]
macro_rules! declare_hot_section {
    () => {
        core::arch::global_asm!(concat!(".pushsection ", $crate::hot_section!(), ",\"aw\",@nobits"), ".popsection");
    };
}

/// Reserves a stub table and writes the ELF note that describes it.
///
/// The table is `$bytes` of zeros in the `SHT_NOBITS` section `$section`,
/// aligned to `1 << $align_log2`, under the global hidden symbol `$symbol`.
/// The note (owner `$owner`, type `$note_type`) goes in a `SHT_NOTE` section,
/// so the linker puts it in a `PT_NOTE` segment; its descriptor is five
/// 32-bit words: ABI version, slot count, the table's address minus the
/// note's, the table's size in bytes, and the address of the per-slot
/// argument-word counts (`$arg_words`, a static `[u8; N]`) minus the note's.
/// Offsets are link-time constants, so the note needs no relocation at run
/// time. Labels are named after `$symbol`, so several tables can coexist.
///
/// The table's last `$runtime_bytes` bytes also get the global hidden symbol
/// `<$symbol>_runtime`: words the runtime that binds the table keeps there,
/// to be sealed with it. `<$symbol>_syscall_entry` names the word at
/// `$syscall_entry_at` bytes into them (i686's system-call entry, which the
/// assembly reads).
#[macro_export]
macro_rules! define_stub_table {
    (
        symbol: $symbol:literal,
        section: $section:literal,
        owner: $owner:literal,
        note_type: $note_type:expr,
        abi: $abi:expr,
        slots: $slots:expr,
        bytes: $bytes:expr,
        align_log2: $align_log2:expr,
        arg_words: $arg_words:path,
        runtime_bytes: $runtime_bytes:expr,
        syscall_entry_at: $syscall_entry_at:expr $(,)?
    ) => {
        core::arch::global_asm!(
            // The start-up state's section first (see hot_section!).
            concat!(".pushsection ", $crate::hot_section!(), ",\"aw\",@nobits"),
            ".popsection",
            concat!(".pushsection ", $section, ",\"aw\",@nobits"),
            ".p2align {align_log2}",
            concat!(".globl ", $symbol),
            concat!(".hidden ", $symbol),
            concat!(".type ", $symbol, ",@object"),
            concat!($symbol, ":"),
            ".zero {bytes}",
            concat!(".size ", $symbol, ", {bytes}"),
            concat!(".globl ", $symbol, "_runtime"),
            concat!(".hidden ", $symbol, "_runtime"),
            concat!(".set ", $symbol, "_runtime, ", $symbol, " + {runtime_at}"),
            concat!(".globl ", $symbol, "_syscall_entry"),
            concat!(".hidden ", $symbol, "_syscall_entry"),
            concat!(".set ", $symbol, "_syscall_entry, ", $symbol, " + {entry_at}"),
            ".popsection",
            ".pushsection .note.sys-layer,\"a\",@note",
            ".p2align 2",
            concat!(".Lsys_layer_note_", $symbol, ":"),
            concat!(".long .Lsys_layer_name_end_", $symbol, " - .Lsys_layer_name_", $symbol),
            concat!(".long .Lsys_layer_desc_end_", $symbol, " - .Lsys_layer_desc_", $symbol),
            ".long {note_type}",
            concat!(".Lsys_layer_name_", $symbol, ":"),
            concat!(".asciz \"", $owner, "\""),
            concat!(".Lsys_layer_name_end_", $symbol, ":"),
            ".p2align 2",
            concat!(".Lsys_layer_desc_", $symbol, ":"),
            ".long {abi}",
            ".long {slots}",
            concat!(".long ", $symbol, " - .Lsys_layer_note_", $symbol),
            ".long {bytes}",
            concat!(".long {arg_words} - .Lsys_layer_note_", $symbol),
            concat!(".Lsys_layer_desc_end_", $symbol, ":"),
            ".p2align 2",
            ".popsection",
            align_log2 = const $align_log2,
            bytes = const $bytes,
            note_type = const $note_type,
            abi = const $abi,
            slots = const $slots,
            arg_words = sym $arg_words,
            runtime_at = const $bytes - $runtime_bytes,
            entry_at = const $bytes - $runtime_bytes + $syscall_entry_at,
        );
    };
}

#[cfg(feature = "tls-probe")]
mod tls_probe {
    //! A `.tdata` word (64-byte aligned, so the layout's alignment handling
    //! is exercised) and a `.tbss` word, found with local-exec accesses
    //! whose offsets the linker computes.

    core::arch::global_asm!(
        ".pushsection .tdata,\"awT\",@progbits",
        ".p2align 6",
        ".globl sys_layer_tls_probe_data",
        ".hidden sys_layer_tls_probe_data",
        "sys_layer_tls_probe_data:",
        ".quad 0x1122334455667788",
        ".popsection",
        ".pushsection .tbss,\"awT\",@nobits",
        ".p2align 3",
        ".globl sys_layer_tls_probe_bss",
        ".hidden sys_layer_tls_probe_bss",
        "sys_layer_tls_probe_bss:",
        ".zero 8",
        ".popsection",
    );

    /// Address of the `.tdata` probe word in this thread's block.
    pub fn tls_probe_data_addr() -> usize {
        tls_local_exec_addr!("sys_layer_tls_probe_data")
    }

    /// Reads the `.tdata` probe word (initially `0x1122334455667788`).
    pub fn tls_probe_data() -> u64 {
        let addr = tls_probe_data_addr();
        // SAFETY: the word is this thread's, 8 bytes, aligned.
        unsafe { (addr as *const u64).read() }
    }

    fn tls_probe_bss_addr() -> usize {
        tls_local_exec_addr!("sys_layer_tls_probe_bss")
    }

    /// Reads the `.tbss` probe word (initially 0).
    pub fn tls_probe_bss() -> u64 {
        let addr = tls_probe_bss_addr();
        // SAFETY: as above.
        unsafe { (addr as *const u64).read() }
    }

    /// Writes the `.tbss` probe word.
    pub fn set_tls_probe_bss(v: u64) {
        let addr = tls_probe_bss_addr();
        // SAFETY: as above; the word is only this thread's.
        unsafe { (addr as *mut u64).write(v) }
    }
}
#[cfg(feature = "tls-probe")]
pub use tls_probe::*;
