//! The binder: finds every stub table, fills it with the layers that fit
//! the running kernel, and seals it.
//!
//! It plays the part of the loader in the seed design. Tables are found the
//! way a kernel loader would find them, by reading the notes in the image's
//! `PT_NOTE` segments, not by symbol name, so a table from code built
//! against an older contract is found and bound as well.

use super::image::Image;
use super::kernel::{Kernel, KernelVersion};
use crate::errno::Errno;
use crate::layer::{self, Binding, versions};
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};
use linux_raw_sys::general::{__NR_mprotect, __NR_mseal, PROT_READ};
use sys_layer_arch::sys;
use sys_layer_stubs::enosys::{self, MAX_ARG_WORDS, stub_for_arg_words};
use sys_layer_stubs::note::{NoteError, Notes, TableNote};
use sys_layer_stubs::{SLOT_COUNT, TABLE_ALIGN};

/// How a table's pages were protected after binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Read-only and sealed with `mseal(2)`: not even `mprotect` can undo
    /// it (checked: a second `mprotect` was refused).
    Sealed,
    /// Read-only; not sealed, for the reason given.
    ReadOnly(SealSkipped),
    /// `mprotect` failed, so the table would stay writable: start-up stops
    /// (a [`BindError::Unprotected`]) rather than run with it.
    Writable(Errno),
    /// The running page size is larger than the table's alignment, so its
    /// pages would take neighbouring data along: left writable.
    PagesTooLarge(usize),
}

/// Why a read-only table was not sealed. `mseal` is always tried: on a
/// kernel before 6.10 the cost is one refused system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealSkipped {
    /// The kernel refused `mseal` (`ENOSYS` before 6.10 or under a filter,
    /// `EPERM`, ...).
    Refused(Errno),
    /// `mseal` answered 0, yet `mprotect` still changes the pages (a filter
    /// that fakes success): not sealed, whatever `mseal` said.
    NotVerified,
}

impl fmt::Display for Protection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protection::Sealed => f.write_str("read-only, sealed (mseal)"),
            Protection::ReadOnly(SealSkipped::Refused(e)) => {
                write!(f, "read-only, not sealed (mseal refused: errno {})", e.raw())
            }
            Protection::ReadOnly(SealSkipped::NotVerified) => {
                f.write_str("read-only, not sealed (mseal answered 0 but mprotect still works)")
            }
            Protection::Writable(e) => write!(f, "writable (mprotect failed: errno {})", e.raw()),
            Protection::PagesTooLarge(p) => {
                write!(f, "writable (page size {p} exceeds the table's alignment)")
            }
        }
    }
}

/// What the binder did with one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableReport {
    /// Address of the table.
    pub address: usize,
    /// Table ABI version from its note.
    pub abi: u32,
    /// Slots in the table.
    pub slots: u32,
    /// Slots filled with an implementation.
    pub from_layers: u32,
    /// Slots filled with an ENOSYS stub: not linked into the program, or
    /// below their era with no fallback.
    pub enosys: u32,
    /// How its pages ended up.
    pub protection: Protection,
}

/// The most tables the report lists; more are bound but not listed.
pub const MAX_REPORTED_TABLES: usize = 8;

/// What the binder saw and did, kept for the program and for debugging.
#[derive(Debug, Clone, Copy)]
pub struct BindReport {
    /// The running kernel.
    pub kernel: Kernel,
    /// The lowest kernel this build supports (`SYS_LAYER_MIN_KERNEL`).
    pub floor: KernelVersion,
    /// The implementations chosen: eras bound, slots linked, slots below
    /// their era.
    pub binding: Binding,
    tables: [Option<TableReport>; MAX_REPORTED_TABLES],
    /// Tables bound, listed or not.
    pub tables_bound: usize,
    /// The page size used for protection (`AT_PAGESZ`).
    pub page_size: usize,
    /// How system calls enter the kernel: `syscall`, `svc #0`, `ecall`, or
    /// on i686 `__kernel_vsyscall` (or `int $0x80` without `AT_SYSINFO`).
    pub syscall_entry: &'static str,
}

impl BindReport {
    /// The eras whose implementations were bound above the base layer.
    pub fn eras(&self) -> impl Iterator<Item = KernelVersion> + '_ {
        self.binding.eras()
    }

    /// The tables bound, in the order their notes appear.
    pub fn tables(&self) -> impl Iterator<Item = &TableReport> {
        self.tables.iter().flatten()
    }
}

/// Why binding failed; the runtime cannot start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindError {
    /// A note segment could not be read, or a table note is malformed.
    Note(NoteError),
    /// A table is not aligned to the page size the stubs crate promises.
    Misaligned {
        /// The table's address.
        address: usize,
    },
    /// A slot claims more argument words than any ENOSYS stub takes.
    TooManyArgWords {
        /// The slot index.
        slot: usize,
        /// Its claimed words.
        words: u8,
    },
    /// No stub table was found: the program was not linked with sys-layer's
    /// stubs, or its notes were stripped.
    NoTable,
    /// The program's own table has no note among the image's notes, so it
    /// was filled but would not be protected: the program does not run
    /// with it writable.
    OwnTableWithoutNote,
    /// A table could not be made read-only (`mprotect` failed): the program
    /// does not run with a writable table, as a C library does not run
    /// when it cannot apply RELRO.
    Unprotected {
        /// The table's address.
        address: usize,
        /// `mprotect`'s error.
        errno: Errno,
    },
}

impl BindError {
    /// What went wrong, without the numbers.
    pub const fn message(&self) -> &'static str {
        match self {
            BindError::Note(e) => e.message(),
            BindError::Misaligned { .. } => "a stub table is not page-aligned",
            BindError::TooManyArgWords { .. } => "a slot has more argument words than any ENOSYS stub takes",
            BindError::NoTable => "no stub table note found in the program's PT_NOTE segments",
            BindError::OwnTableWithoutNote => "the program's own stub table has no note in its PT_NOTE segments",
            BindError::Unprotected { .. } => "a stub table could not be made read-only (mprotect failed)",
        }
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BindError::Note(e) => write!(f, "{e}"),
            BindError::Misaligned { address } => write!(f, "{} (at {address:#x})", self.message()),
            BindError::TooManyArgWords { slot, words } => {
                write!(f, "{} (slot {slot}: {} words, at most {})", self.message(), words, MAX_ARG_WORDS)
            }
            BindError::NoTable | BindError::OwnTableWithoutNote => f.write_str(self.message()),
            BindError::Unprotected { address, errno } => {
                write!(f, "{} (at {address:#x}: {errno:?})", self.message())
            }
        }
    }
}

#[unsafe(link_section = sys_layer_arch::hot_section!())]
static BOUND: AtomicBool = AtomicBool::new(false);

/// Whether the binder has filled the program's tables (calls through them
/// are valid).
pub(crate) fn is_bound() -> bool {
    BOUND.load(Ordering::Acquire)
}

/// Binds every stub table of `image` for `kernel` (and the vDSO at
/// `vdso_ehdr`, 0 for none), then protects it, writing what it did to
/// `out` field by field (start-up keeps the report in a static and copies
/// nothing).
///
/// # Safety
/// Call once, before any call through a table, with the running image; no
/// other thread may exist. `out` must be writable; its contents are not read.
pub(crate) unsafe fn bind(
    image: &Image,
    kernel: Kernel,
    page_size: usize,
    vdso_ehdr: usize,
    out: *mut BindReport,
) -> Result<(), BindError> {
    // The program's own table first: every slot's ENOSYS stub, then the
    // slots the program links. Its note is checked below, and it is sealed
    // with the others.
    let own = sys_layer_stubs::table_words();
    // SAFETY: the program's own table, writable until it is protected
    // below; the caller guarantees nothing calls through it yet and no
    // other thread exists.
    let own_words = unsafe { &mut *own };
    enosys::fill_table(own_words);
    let (binding, own_filled) = Binding::for_kernel(kernel.version, layer::records(), vdso_ehdr, own_words);
    // SAFETY: the caller gives a writable report; each field is written
    // whole before anything reads it.
    unsafe {
        (&raw mut (*out).kernel).write(kernel);
        (&raw mut (*out).floor).write(versions::FLOOR);
        (&raw mut (*out).binding).write(binding);
        (&raw mut (*out).page_size).write(page_size);
        (&raw mut (*out).syscall_entry).write(sys_layer_arch::syscall_entry_name());
    }
    let own = Own { address: own as usize, words: own_words, filled: own_filled };
    let mut bound = 0;
    let mut own_bound = false;
    for (segment_addr, bytes, align) in image.note_segments() {
        for note in Notes::new(bytes, align) {
            let note = note.map_err(BindError::Note)?;
            let Some(table) = TableNote::from_note(&note) else {
                continue;
            };
            let table = table.map_err(BindError::Note)?;
            let note_addr = segment_addr + note.offset;
            // SAFETY: the note describes a table reserved in this image; the
            // caller guarantees nothing calls through it yet.
            let t = unsafe { bind_table(&table, note_addr, &own, page_size)? };
            if let Protection::Writable(errno) = t.protection {
                return Err(BindError::Unprotected { address: t.address, errno });
            }
            own_bound |= t.address == own.address;
            if bound < MAX_REPORTED_TABLES {
                // SAFETY: the report is writable; bound is in range.
                unsafe { (&raw mut (*out).tables[bound]).write(Some(t)) };
            }
            bound += 1;
        }
    }
    // SAFETY: as above; the entries not written in the loop, one by one
    // (a `None` is one word, the whole array a copy of 320 bytes).
    unsafe {
        for i in bound.min(MAX_REPORTED_TABLES)..MAX_REPORTED_TABLES {
            (&raw mut (*out).tables[i]).write(None);
        }
        (&raw mut (*out).tables_bound).write(bound);
    }
    if bound == 0 {
        return Err(BindError::NoTable);
    }
    // Filled but never protected: refuse to run with it, as with any table
    // that cannot be made read-only.
    if !own_bound {
        return Err(BindError::OwnTableWithoutNote);
    }
    BOUND.store(true, Ordering::Release);
    Ok(())
}

/// The program's own table, bound before the notes are read.
struct Own<'a> {
    address: usize,
    words: &'a [usize; SLOT_COUNT],
    /// Its slots filled from the layers (the others hold ENOSYS stubs).
    filled: u32,
}

/// Fills one table and protects its pages. The program's own table is
/// filled already; another one (code built against another contract)
/// takes the own table's word for each slot both know (the same slot in
/// every ABI version), and an ENOSYS stub by the note's argument words
/// for a slot only it has.
///
/// # Safety
/// `note` must be a table note of the running image at `note_addr`.
unsafe fn bind_table(
    note: &TableNote,
    note_addr: usize,
    own: &Own,
    page_size: usize,
) -> Result<TableReport, BindError> {
    let address = note.table_addr(note_addr);
    if !address.is_multiple_of(TABLE_ALIGN) {
        return Err(BindError::Misaligned { address });
    }
    let slots = note.slot_count as usize;
    let table = address as *mut usize;
    let arg_words = note.arg_words_addr(note_addr) as *const u8;
    let shared = slots.min(SLOT_COUNT);
    let mut from_layers = 0;
    if address == own.address {
        from_layers = own.filled;
    } else {
        for (slot, &word) in own.words.iter().enumerate().take(shared) {
            from_layers += u32::from(Some(word) != enosys::stub_for_slot(slot));
            // SAFETY: the table has room for `slots` words (checked when
            // the note was parsed) and is still writable.
            unsafe { table.add(slot).write_volatile(word) };
        }
    }
    for slot in shared..slots {
        // SAFETY: the note's argument-word array has one byte per slot.
        let words = unsafe { *arg_words.add(slot) };
        let stub = stub_for_arg_words(words).ok_or(BindError::TooManyArgWords { slot, words })?;
        // SAFETY: as above.
        unsafe { table.add(slot).write_volatile(stub) };
    }
    let protection = protect(address, note.table_bytes as usize, page_size);
    Ok(TableReport {
        address,
        abi: note.abi,
        slots: note.slot_count,
        from_layers,
        enosys: note.slot_count - from_layers,
        protection,
    })
}

/// Makes `len` bytes at `addr` read-only, then seals them where the kernel
/// can, and reports only what it checked. The range is whole pages of
/// [`TABLE_ALIGN`]; when the running page size is larger, the pages would
/// take neighbours along, so the table stays writable rather than break
/// the program (and says so).
fn protect(addr: usize, len: usize, page_size: usize) -> Protection {
    if page_size > TABLE_ALIGN {
        return Protection::PagesTooLarge(page_size);
    }
    // SAFETY: the range is the table's own pages, which hold nothing else.
    if let Err(e) = unsafe { sys!(__NR_mprotect, addr, len, PROT_READ) } {
        return Protection::Writable(Errno::from_raw(e));
    }
    // Tried on every kernel: before 6.10 the answer is ENOSYS, and the
    // version may be misreported anyway.
    // SAFETY: sealing changes no contents; the range is the table's pages.
    if let Err(e) = unsafe { sys!(__NR_mseal, addr, len, 0usize) } {
        return Protection::ReadOnly(SealSkipped::Refused(Errno::from_raw(e)));
    }
    // A sealed range refuses mprotect (EPERM), even to the same protection.
    // SAFETY: as above; asks for what the pages already have.
    match unsafe { sys!(__NR_mprotect, addr, len, PROT_READ) } {
        Err(e) if e == linux_raw_sys::errno::EPERM as i32 => Protection::Sealed,
        _ => Protection::ReadOnly(SealSkipped::NotVerified),
    }
}
