//! Syscall layers: the implementations the binder puts in the table.
//!
//! Each slot has a record ([`SlotImpl`]) in the section `sys_layer_impls`:
//! the implementation for kernels before its era and the one from its era
//! on (see `versions.rs`). The records are generated (`slots.rs`) from the
//! contract's slot list and the layer table (`rows.rs`, one row per slot);
//! the calls a program makes through `raw::*` (and so through
//! the safe and C-style APIs) tie each record to the code that calls it, so
//! the linker keeps the records, and the layer code behind them, of the
//! slots a program uses and drops the rest. A slot nobody calls stays
//! unlinked and is bound to an `ENOSYS` stub. The `all-slots` feature keeps
//! every record, for tables called from code that does not go through
//! `raw::*`.
//!
//! Stacked, this gives the layers of the design: the base Linux layer for
//! the floor, an era layer for each newer kernel the running one reaches,
//! and the vDSO over the slots it serves. Interposers come later.
//!
//! Imports run one way: the contract crate (slot signatures) and `arch`
//! (`sys!`) -> `direct` (the errno convention) -> `abi32` (32-bit forms)
//! -> `fallback/` and `vdso` -> `rows` (the table) -> `slots` -> this
//! module -> the binder. `versions` and `refusal` serve `slots`.

mod abi32;
mod direct;
mod fallback;
mod refusal;
mod rows;
pub(crate) mod slots;
pub(crate) mod vdso;
pub(crate) mod versions;

use sys_layer_stubs::SLOT_COUNT;
use versions::KernelVersion;

/// A slot implementation with its type erased, as the table stores it.
pub type ErasedFn = unsafe extern "C" fn();

/// What the program links for one slot.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SlotImpl {
    /// The slot index.
    pub slot: u16,
    /// The first kernel of the era implementation (0.0.0 when the slot is
    /// at or below the floor, so there is no era implementation).
    pub since: KernelVersion,
    /// The implementation before `since`: the system call itself for a slot
    /// at or below the floor, else the fallback (`None`: `ENOSYS`).
    pub base: Option<ErasedFn>,
    /// The implementation from `since` on.
    pub era: Option<ErasedFn>,
    /// The vDSO function that serves the slot better, where there is one.
    vdso: Option<&'static vdso::VdsoBinding>,
}

impl SlotImpl {
    /// The record for a slot whose system call arrived in `intro`: direct
    /// at or below the floor, else `fallback` below `intro` and `era_impl`
    /// from it on. Only the chosen functions end up in the program.
    pub const fn select(
        slot: usize,
        intro: KernelVersion,
        direct: ErasedFn,
        fallback: Option<ErasedFn>,
        era_impl: ErasedFn,
        vdso: Option<&'static vdso::VdsoBinding>,
    ) -> SlotImpl {
        if intro.at_most(versions::FLOOR) {
            SlotImpl { slot: slot as u16, since: KernelVersion::new(0, 0, 0), base: Some(direct), era: None, vdso }
        } else {
            SlotImpl { slot: slot as u16, since: intro, base: fallback, era: Some(era_impl), vdso }
        }
    }

    /// The implementation for the running kernel's version and whether it
    /// is the era one. On a kernel of unknown version (`None`) the era implementation is chosen: it tries
    /// the system call first and falls back if the kernel refuses it.
    #[cfg_attr(test, allow(dead_code))] // the binder's, which host tests do not build
    pub fn choose(&self, kernel: Option<KernelVersion>) -> (Option<ErasedFn>, bool) {
        match self.era {
            Some(era) if kernel.is_none_or(|v| v >= self.since) => (Some(era), true),
            _ => (self.base, false),
        }
    }
}

// Only the addresses of these are taken; nothing crosses a C boundary.
#[allow(improper_ctypes)]
unsafe extern "C" {
    static __start_sys_layer_impls: SlotImpl;
    static __stop_sys_layer_impls: SlotImpl;
}

/// Keeps the section (and so its bounds) in every program, whatever it calls.
#[used]
#[unsafe(link_section = "sys_layer_impls")]
static SECTION_ANCHOR: SlotImpl =
    SlotImpl { slot: u16::MAX, since: KernelVersion::new(0, 0, 0), base: None, era: None, vdso: None };

/// The records linked into this program (the anchor included: its slot is
/// out of range).
pub(crate) fn records() -> &'static [SlotImpl] {
    let start = &raw const __start_sys_layer_impls;
    let stop = &raw const __stop_sys_layer_impls;
    // SAFETY: the linker defines both bounds around the section, which only
    // holds SlotImpl records (every static placed there is one).
    unsafe { core::slice::from_raw_parts(start, stop.offset_from(start) as usize) }
}

/// A set of slot indices, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotSet([u64; SLOT_COUNT.div_ceil(64)]);

impl SlotSet {
    /// No slot.
    pub const EMPTY: SlotSet = SlotSet([0; SLOT_COUNT.div_ceil(64)]);

    /// Adds `slot` (an index out of range is ignored).
    pub fn insert(&mut self, slot: usize) {
        if let Some(word) = self.0.get_mut(slot / 64) {
            *word |= 1 << (slot % 64);
        }
    }

    /// Whether `slot` is in the set.
    pub fn contains(&self, slot: usize) -> bool {
        self.0.get(slot / 64).is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }
}

/// The implementations chosen for one kernel.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Slots bound to the implementation of their era.
    pub era_slots: SlotSet,
    /// Slots linked into the program.
    pub linked: u32,
    /// Linked slots bound below their era: to a fallback, or to `ENOSYS`
    /// where there is none.
    pub below_era: u32,
    /// Slots bound to a vDSO function.
    pub vdso: SlotSet,
}

impl Binding {
    /// Chooses an implementation for every linked slot, the vDSO's where it
    /// has one (`vdso_ehdr`: `AT_SYSINFO_EHDR`, 0 without a vDSO), and
    /// writes it into `words`, one per slot, which hold the slots' `ENOSYS`
    /// stubs: a linked slot with nothing chosen keeps its stub, and the
    /// work is one step per linked slot, none per unlinked one. Also
    /// returns how many slots it filled.
    #[cfg_attr(test, allow(dead_code))] // as above
    pub(crate) fn for_kernel(
        kernel: Option<KernelVersion>,
        records: &[SlotImpl],
        vdso_ehdr: usize,
        words: &mut [usize; SLOT_COUNT],
    ) -> (Binding, u32) {
        // Counters in locals (the loop calls the vDSO binder, so fields of
        // a struct would go through memory on every record).
        let (mut era_slots, mut vdso_slots) = (SlotSet::EMPTY, SlotSet::EMPTY);
        let (mut linked, mut below_era, mut filled) = (0, 0, 0);
        for record in records {
            let slot = record.slot as usize;
            let Some(word) = words.get_mut(slot) else { continue };
            // One record per slot: the slot's own module defines it.
            linked += 1;
            let (chosen, is_era) = record.choose(kernel);
            if is_era {
                era_slots.insert(slot);
            } else if record.era.is_some() {
                below_era += 1;
            }
            if let Some(f) = chosen {
                *word = f as usize;
                filled += 1;
            }
            if let Some(v) = record.vdso
                && vdso_ehdr != 0
                && (v.bind)(v, vdso_ehdr, word)
            {
                vdso_slots.insert(slot);
                filled += u32::from(chosen.is_none());
            }
        }
        (Binding { era_slots, linked, below_era, vdso: vdso_slots }, filled)
    }

    /// Names of the slots bound to the vDSO.
    pub fn vdso_slots(&self) -> impl Iterator<Item = &'static str> + '_ {
        (0..SLOT_COUNT).filter(|&i| self.vdso.contains(i)).map(|i| sys_layer_stubs::SLOT_NAMES[i])
    }

    /// The eras bound above the base layer, each once (in the order their
    /// slots' records are linked).
    pub fn eras(&self) -> impl Iterator<Item = KernelVersion> + '_ {
        let bound = |r: &&SlotImpl| self.era_slots.contains(r.slot as usize);
        let linked = records();
        linked.iter().enumerate().filter(move |(_, r)| bound(r)).filter_map(move |(i, r)| {
            let seen = linked[..i].iter().filter(bound).any(|earlier| earlier.since == r.since);
            (!seen).then_some(r.since)
        })
    }
}

#[cfg(test)]
mod slot_set_tests {
    use super::*;

    unsafe extern "C" fn nothing() {}

    #[test]
    fn an_unknown_kernel_tries_the_system_call_first() {
        let record = SlotImpl::select(0, KernelVersion::new(99, 0, 0), nothing, Some(nothing), nothing, None);
        assert!(record.choose(None).1, "the era implementation, which falls back if refused");
        assert!(!record.choose(Some(KernelVersion::new(3, 2, 0))).1);
    }

    #[test]
    fn holds_every_slot() {
        let mut s = SlotSet::EMPTY;
        for i in [0, 63, 64, SLOT_COUNT - 1] {
            assert!(!s.contains(i));
            s.insert(i);
            assert!(s.contains(i));
        }
        s.insert(usize::MAX);
        assert!(!s.contains(usize::MAX));
        assert!(!s.contains(1));
    }
}
