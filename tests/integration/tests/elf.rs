//! ELF properties of the static programs: no interpreter, no dynamic
//! section, the stub table in its own NOBITS section, and the note that
//! describes it. For 64- and 32-bit targets alike.
//!
//! Runs nothing: reads the programs' ELF files, per target.

use object::elf;
use object::read::elf::{ElfFile, FileHeader, ProgramHeader, SectionHeader};
use object::{Endianness, FileKind, Object, ObjectSection};
use sys_layer_integration::*;
use sys_layer_stubs::note::{Notes, TableNote};

fn load(name: &str) -> Vec<u8> {
    std::fs::read(program(name)).unwrap()
}

/// What the tests read of one ELF file.
struct Facts {
    e_type: u16,
    segments: Vec<u32>,
    /// (address, size, type, flags) of the stub-table section.
    table_section: Option<(u64, u64, u32, u64)>,
    /// Table notes with their note address.
    tables: Vec<(TableNote, usize)>,
    stripped: bool,
    /// Bytes at an address inside a loaded section.
    words_at: Box<dyn Fn(u64, usize) -> Option<Vec<u8>>>,
    /// (address, size, type) of the start-up state's section.
    hot_section: Option<(u64, u64, u32)>,
    /// End address of the file bytes of the writable `PT_LOAD`.
    writable_file_end: Option<u64>,
}

fn facts(data: &'static [u8]) -> Facts {
    match FileKind::parse(data).unwrap() {
        FileKind::Elf64 => facts_of::<elf::FileHeader64<Endianness>>(data),
        FileKind::Elf32 => facts_of::<elf::FileHeader32<Endianness>>(data),
        other => panic!("not ELF: {other:?}"),
    }
}

fn facts_of<Elf: FileHeader<Endian = Endianness>>(data: &'static [u8]) -> Facts {
    let file = ElfFile::<Elf>::parse(data).unwrap();
    let e = file.endian();
    let mut tables = Vec::new();
    for ph in file.elf_program_headers() {
        if ph.p_type(e) != elf::PT_NOTE {
            continue;
        }
        let bytes = ph.data(e, data).unwrap();
        let align: u64 = ph.p_align(e).into();
        for note in Notes::new(bytes, align as usize) {
            let note = note.unwrap();
            if let Some(t) = TableNote::from_note(&note) {
                let vaddr: u64 = ph.p_vaddr(e).into();
                tables.push((t.unwrap(), vaddr as usize + note.offset));
            }
        }
    }
    let table_section = file.section_by_name(sys_layer_stubs::TABLE_SECTION).map(|s| {
        let h = s.elf_section_header();
        (s.address(), s.size(), h.sh_type(e), h.sh_flags(e).into())
    });
    let sections: Vec<(u64, u64, Vec<u8>)> =
        file.sections().filter_map(|s| Some((s.address(), s.size(), s.data().ok()?.to_vec()))).collect();
    let hot_section = file.section_by_name(sys_layer_arch::hot_section!()).map(|s| {
        let h = s.elf_section_header();
        (s.address(), s.size(), h.sh_type(e))
    });
    let writable_file_end = file
        .elf_program_headers()
        .iter()
        .find(|p| p.p_type(e) == elf::PT_LOAD && p.p_flags(e) & elf::PF_W != 0)
        .map(|p| p.p_vaddr(e).into() + p.p_filesz(e).into());
    Facts {
        hot_section,
        writable_file_end,
        e_type: file.elf_header().e_type(e),
        segments: file.elf_program_headers().iter().map(|p| p.p_type(e)).collect(),
        table_section,
        tables,
        stripped: file.section_by_name(".symtab").is_none(),
        words_at: Box::new(move |addr, len| {
            sections.iter().find_map(|(start, size, bytes)| {
                (addr >= *start && addr + len as u64 <= start + size && !bytes.is_empty())
                    .then(|| bytes[(addr - start) as usize..][..len].to_vec())
            })
        }),
    }
}

fn facts_for(name: &str) -> Facts {
    facts(Box::leak(load(name).into_boxed_slice()))
}

#[test]
fn programs_are_static_executables() {
    for name in ["hello", "minimal", "errno_paths", "tls_values"] {
        let f = facts_for(name);
        assert_eq!(f.e_type, elf::ET_EXEC, "{name}");
        assert!(!f.segments.contains(&elf::PT_INTERP), "{name} has PT_INTERP");
        assert!(!f.segments.contains(&elf::PT_DYNAMIC), "{name} has PT_DYNAMIC");
        assert!(f.segments.contains(&elf::PT_NOTE), "{name} has no PT_NOTE");
    }
}

#[test]
fn tls_segment_only_where_used() {
    assert!(facts_for("tls_values").segments.contains(&elf::PT_TLS));
    assert!(!facts_for("no_tls").segments.contains(&elf::PT_TLS));
}

#[test]
fn the_table_is_a_page_aligned_nobits_section_described_by_a_note() {
    let f = facts_for("hello");
    let (address, size, kind, flags) = f.table_section.expect("stub table section");
    assert_eq!(kind, elf::SHT_NOBITS);
    assert_eq!(flags, u64::from(elf::SHF_ALLOC | elf::SHF_WRITE));
    let page = sys_layer_stubs_page(&target_arch());
    assert_eq!(address % page, 0);
    assert_eq!(size % page, 0);
    assert_eq!(f.tables.len(), 1, "one table in the demo");
    let (t, note_addr) = f.tables[0];
    assert_eq!(t.abi, sys_layer_stubs::ABI_VERSION);
    assert_eq!(t.slot_count as usize, sys_layer_stubs::SLOT_COUNT);
    assert_eq!(t.table_addr(note_addr) as u64, address);
    assert_eq!(u64::from(t.table_bytes), size);
    // The argument-word counts the note points at: the contract's, except
    // that 64-bit arguments take two words on a 32-bit target.
    let words = (f.words_at)(t.arg_words_addr(note_addr) as u64, sys_layer_stubs::SLOT_COUNT).expect("arg words");
    let mmap = sys_layer_stubs::slot::mmap;
    let wide = if target_arch() == "i686" { 7 } else { 6 };
    assert_eq!(words[mmap], wide, "mmap's argument words");
    assert_eq!(words[sys_layer_stubs::slot::read], 3);
}

/// The start-up state (`sys_layer_arch::hot_section!`) costs no file bytes
/// and begins where the writable segment's file bytes end (rounded up to
/// its alignment): on the page the kernel dirties when it clears their
/// tail, so start-up's writes there fault no page in, unless the file
/// bytes end just short of a page end. Before the table. Optimised
/// builds; the unoptimised ones (several objects per crate) may get it as
/// file bytes.
#[test]
fn the_start_up_state_is_zero_filled_on_the_data_segment_s_last_page() {
    for name in ["hello", "minimal", "tls_values", "threads"] {
        let f = facts_for(name);
        let (address, size, kind) = f.hot_section.unwrap_or_else(|| panic!("{name}: no start-up state section"));
        assert_eq!(kind, elf::SHT_NOBITS, "{name}");
        let file_end = f.writable_file_end.expect("a writable PT_LOAD");
        assert_eq!(address, file_end.next_multiple_of(64), "{name}: right after the file bytes");
        let (table, _, _, _) = f.table_section.expect("stub table section");
        assert!(address + size <= table, "{name}: before the table");
    }
}

/// The page size the stub table is aligned to for an architecture.
fn sys_layer_stubs_page(arch: &str) -> u64 {
    if arch == "aarch64" { 65536 } else { 4096 }
}

#[test]
fn two_tables_two_notes() {
    let f = facts_for("two_tables");
    let mut abis: Vec<u32> = f.tables.iter().map(|(t, _)| t.abi).collect();
    abis.sort();
    assert_eq!(abis, vec![1, sys_layer_stubs::ABI_VERSION]);
}

/// Acceptance: the stripped x86_64 demo is at most 25 KiB. It was
/// 16,080 B before three things every program now gets by default:
/// reporting a write error of standard output at exit, with its message
/// (the messages are 2 KiB of text; 19,336 B), a hardened start-up (the
/// kernel's version from the vDSO's note, 776 B; set-id start-up and
/// `SYS_LAYER_ASSUME_KERNEL`, 584 B) and the stack-overflow report (about
/// 2.3 KiB, feature `stack-overflow-report`; without it a program is that
/// much smaller). Then 1 KiB more for the memory functions' AVX2 paths
/// and the CPU choice (23,888 B to 25,184 B); 24,872 B after start-up's
/// rework, 25,344 B after the std work, 25,496 B with x86_64's hand-laid
/// memory-function entries (bench/RESULTS.md). Other targets' sizes are in README.md.
#[test]
fn the_demo_is_stripped_and_at_most_25_kib_on_x86_64() {
    let size = std::fs::metadata(program("hello")).unwrap().len();
    assert!(facts_for("hello").stripped, "the demo is stripped");
    if target_arch() == "x86_64" {
        assert!(size <= 25 * 1024, "demo is {size} bytes");
    }
}
