//! The vDSO as a layer: functions the kernel maps into every process, bound
//! over the system calls of the slots a program links.
//!
//! A slot's row in `rows.rs` names the vDSO symbol that serves it on each
//! architecture; the slot generator (`slots.rs`) makes the wrapper (the
//! slot's signature, calling the vDSO function) and the [`VdsoBinding`] in
//! the slot's record. The binder looks the symbol up (through
//! `AT_SYSINFO_EHDR`) only for slots the program links, so a program that
//! reads no clock links no vDSO reader. No vDSO (`vdso=0`, some emulators)
//! leaves the system calls bound.
//!
//! The vDSO functions answer like system calls (0 or a negated errno). A
//! clock the vDSO cannot serve normally makes it do the system call itself;
//! should it answer `ENOSYS` instead, the wrapper calls what the slot was
//! bound to without the vDSO.
//!
//! `getrandom` in the vDSO (6.11+) is left to the system call: it needs
//! per-thread state allocated with `vgetrandom_alloc` and made fork-safe
//! (`MADV_WIPEONFORK`), which waits for this runtime's threads.
//!
//! The addresses the wrappers call live in the runtime words of the
//! program's stub table ([`sys_layer_stubs::RuntimeWords::vdso`], at the
//! index the rows give each vDSO function), so they are sealed with it.

use super::ErasedFn;
use core::ffi::{c_int, c_long};
use linux_raw_sys::errno::ENOSYS;
use sys_layer_stubs::VdsoWords;

/// A vDSO function a slot can be bound to.
#[derive(Debug)]
pub struct VdsoBinding {
    /// The symbol (`__vdso_clock_gettime`, ...), at [`VERSION`].
    pub symbol: &'static str,
    /// The slot-signature wrapper that calls it.
    pub wrapper: ErasedFn,
    /// The function's entry in the runtime words' `vdso` array.
    pub index: usize,
    /// Binds the slot to the vDSO (see [`bind`]); reached through the
    /// record, so a program that links no such slot links none of this.
    #[cfg_attr(test, allow(dead_code))] // the binder calls it; host tests do not build it
    pub bind: fn(&VdsoBinding, usize, &mut usize) -> bool,
}

/// The vDSO symbol for this architecture among `(architecture, symbol)`
/// pairs of a row (`ARCH_NAME`s: `x86_64`, `i686`, `aarch64`, `riscv64`).
pub(crate) const fn symbol_for_arch(pairs: &[(&'static str, &'static str)]) -> Option<&'static str> {
    let mut i = 0;
    while i < pairs.len() {
        if same_bytes(pairs[i].0.as_bytes(), sys_layer_arch::ARCH_NAME.as_bytes()) {
            return Some(pairs[i].1);
        }
        i += 1;
    }
    None
}

const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Looks `binding`'s symbol up in the vDSO at `ehdr` (`AT_SYSINFO_EHDR`);
/// if it is there, keeps the address and the slot's current `slot_word`
/// (its binding without the vDSO, or its `ENOSYS` stub: for `ENOSYS`
/// answers) in the runtime words, and puts the wrapper in `slot_word`.
/// Whether it bound.
pub(crate) fn bind(binding: &VdsoBinding, ehdr: usize, slot_word: &mut usize) -> bool {
    let Some(function) = lookup(ehdr, binding.symbol) else { return false };
    let without = *slot_word;
    // SAFETY: only the binder calls this, single-threaded, before sealing;
    // the index is in range (rows.rs checks its count against VDSO_CAPACITY).
    unsafe { (*sys_layer_stubs::runtime_words()).vdso[binding.index] = VdsoWords { function, without } };
    *slot_word = binding.wrapper as usize;
    true
}

/// The words of vDSO function `index`, for its wrapper.
///
/// # Safety
/// Call only from a wrapper the binder bound: it wrote the words first.
#[inline(always)]
pub(crate) unsafe fn words(index: usize) -> VdsoWords {
    // SAFETY: written before the table was sealed, read-only after.
    unsafe { (*sys_layer_stubs::runtime_words()).vdso[index] }
}

/// The symbol version of the vDSO's functions on this architecture.
pub const VERSION: &str = if cfg!(target_arch = "aarch64") {
    "LINUX_2.6.39"
} else if cfg!(target_arch = "riscv64") {
    "LINUX_4.15"
} else {
    "LINUX_2.6"
};

fn lookup(ehdr: usize, symbol: &str) -> Option<usize> {
    // SAFETY: the binder passes AT_SYSINFO_EHDR, the kernel's mapped vDSO.
    let vdso = unsafe { sys_layer_vdso::Vdso::from_address(ehdr) }.ok()?;
    vdso.lookup(symbol, VERSION).map(|offset| ehdr + offset)
}

/// The convention from a vDSO answer (a value or a negated errno); `ENOSYS`
/// runs `without` (the slot's binding without the vDSO) instead.
#[inline(always)]
pub(crate) fn answer(ret: c_long, errno: *mut c_int, without: impl FnOnce() -> isize) -> isize {
    if ret >= 0 {
        return ret as isize;
    }
    if ret == -(ENOSYS as c_long) {
        return without();
    }
    // SAFETY: the convention makes errno a valid pointer.
    unsafe { errno.write(-ret as c_int) };
    -1
}
