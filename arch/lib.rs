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
//! - `syscall0` … `syscall6`: the raw instruction; returns the kernel's word
//!   (a value in `-4095..=-1` is a negated errno);
//! - `exit_group(code) -> !`;
//! - `set_thread_pointer(tp)` and `thread_pointer()`;
//! - `MAX_PAGE_SIZE`: the largest page size the architecture's kernels use,
//!   which the stub table is aligned and padded to so it can be sealed alone;
//! - the macros [`define_entry!`], [`define_stub_table!`] and [`keep_linked!`].
#![no_std]

cfg_if::cfg_if! {
    if #[cfg(target_arch = "x86_64")] {
        #[path = "x86_64/mod.rs"]
        mod imp;
    } else {
        compile_error!("sys-layer-arch: this architecture is not supported yet (x86_64 is)");
    }
}

pub use imp::*;
