//! ELF properties of the static programs: no interpreter, no dynamic
//! section, the stub table in its own NOBITS section, and the note that
//! describes it.

use object::elf;
use object::read::elf::{ElfFile64, FileHeader, ProgramHeader, SectionHeader};
use object::{Endianness, Object, ObjectSection};
use sys_layer_integration::*;
use sys_layer_stubs::note::{Notes, TableNote};

fn load(name: &str) -> Vec<u8> {
    std::fs::read(program(name)).unwrap()
}

fn segment_types(data: &[u8]) -> Vec<u32> {
    let file = ElfFile64::<Endianness>::parse(data).unwrap();
    let e = file.endian();
    file.elf_program_headers().iter().map(|p| p.p_type(e)).collect()
}

#[test]
fn programs_are_static_executables() {
    for name in ["hello", "minimal", "errno_paths", "tls_values"] {
        let data = load(name);
        let file = ElfFile64::<Endianness>::parse(&*data).unwrap();
        let e = file.endian();
        assert_eq!(file.elf_header().e_type(e), elf::ET_EXEC, "{name}");
        let types = segment_types(&data);
        assert!(!types.contains(&elf::PT_INTERP), "{name} has PT_INTERP");
        assert!(!types.contains(&elf::PT_DYNAMIC), "{name} has PT_DYNAMIC");
        assert!(types.contains(&elf::PT_NOTE), "{name} has no PT_NOTE");
    }
}

#[test]
fn tls_segment_only_where_used() {
    assert!(segment_types(&load("tls_values")).contains(&elf::PT_TLS));
    assert!(!segment_types(&load("no_tls")).contains(&elf::PT_TLS));
}

#[test]
fn the_table_is_a_page_aligned_nobits_section_described_by_a_note() {
    let data = load("hello");
    let file = ElfFile64::<Endianness>::parse(&*data).unwrap();
    let e = file.endian();
    let section = file.section_by_name(sys_layer_stubs::TABLE_SECTION).expect("stub table section");
    let header = section.elf_section_header();
    assert_eq!(header.sh_type(e), elf::SHT_NOBITS);
    assert_eq!(header.sh_flags(e), u64::from(elf::SHF_ALLOC | elf::SHF_WRITE));
    assert_eq!(section.address() % 4096, 0);
    assert_eq!(section.size() % 4096, 0);

    let mut tables = Vec::new();
    for ph in file.elf_program_headers() {
        if ph.p_type(e) != elf::PT_NOTE {
            continue;
        }
        let bytes = ph.data(e, &*data).unwrap();
        for note in Notes::new(bytes, ph.p_align(e) as usize) {
            let note = note.unwrap();
            if let Some(t) = TableNote::from_note(&note) {
                let note_addr = ph.p_vaddr(e) as usize + note.offset;
                tables.push((t.unwrap(), note_addr));
            }
        }
    }
    assert_eq!(tables.len(), 1, "one table in the demo");
    let (t, note_addr) = tables[0];
    assert_eq!(t.abi, sys_layer_stubs::ABI_VERSION);
    assert_eq!(t.slot_count as usize, sys_layer_stubs::SLOT_COUNT);
    assert_eq!(t.table_addr(note_addr) as u64, section.address());
    assert_eq!(u64::from(t.table_bytes), section.size());
    // The argument-word counts the note points at are the contract's.
    let words_addr = t.arg_words_addr(note_addr) as u64;
    let words = file
        .sections()
        .find_map(|s| {
            let (start, end) = (s.address(), s.address() + s.size());
            (words_addr >= start && words_addr < end)
                .then(|| s.data().unwrap()[(words_addr - start) as usize..].to_vec())
        })
        .expect("argument words in a loaded section");
    assert_eq!(&words[..sys_layer_stubs::SLOT_COUNT], &sys_layer_stubs::SLOT_ARG_WORDS[..]);
}

#[test]
fn two_tables_two_notes() {
    let data = load("two_tables");
    let file = ElfFile64::<Endianness>::parse(&*data).unwrap();
    let e = file.endian();
    let mut abis = Vec::new();
    for ph in file.elf_program_headers() {
        if ph.p_type(e) == elf::PT_NOTE {
            for note in Notes::new(ph.data(e, &*data).unwrap(), ph.p_align(e) as usize) {
                if let Some(t) = TableNote::from_note(&note.unwrap()) {
                    abis.push(t.unwrap().abi);
                }
            }
        }
    }
    abis.sort();
    assert_eq!(abis, vec![1, sys_layer_stubs::ABI_VERSION]);
}

/// Acceptance: the stripped demo is at most 16 KiB.
#[test]
fn the_demo_is_at_most_16_kib() {
    let size = std::fs::metadata(program("hello")).unwrap().len();
    let data = load("hello");
    let file = ElfFile64::<Endianness>::parse(&*data).unwrap();
    assert!(file.section_by_name(".symtab").is_none(), "the demo is stripped");
    assert!(size <= 16 * 1024, "demo is {size} bytes");
}
