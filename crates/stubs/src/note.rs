//! Reading ELF notes, and the note that describes a stub table.
//!
//! The binder reads the notes of the running image, and an outside tool can
//! read them from the file: both go through [`Notes`], which checks every
//! size against the bytes it was given and never panics on bad input.
//!
//! A stub-table note has owner [`crate::NOTE_OWNER`], type
//! [`crate::NOTE_TYPE_TABLE`] and a 20-byte descriptor of five 32-bit words
//! in the target's byte order, see [`TableNote`].

use core::fmt;

/// One note: its place in the segment, owner name, type and descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note<'a> {
    /// Offset of the note's header from the start of the segment.
    pub offset: usize,
    /// Owner name without its terminating NUL.
    pub name: &'a [u8],
    /// Note type, meaningful per owner.
    pub note_type: u32,
    /// Descriptor bytes.
    pub desc: &'a [u8],
}

/// Why a run of notes or a table note could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteError {
    /// A header or its name/descriptor runs past the end of the segment.
    Truncated {
        /// Offset of the note that does not fit.
        offset: usize,
    },
    /// A stub-table descriptor is not 20 bytes long.
    BadTableDescriptor {
        /// Its length.
        len: usize,
    },
    /// A stub-table note claims more slots than its table has room for.
    TableTooSmall {
        /// Slots claimed.
        slots: u32,
        /// Bytes reserved.
        bytes: u32,
    },
}

impl NoteError {
    /// What went wrong, without the numbers (for start-up, which prints
    /// with as little formatting code as it can).
    pub const fn message(&self) -> &'static str {
        match self {
            NoteError::Truncated { .. } => "an ELF note runs past its segment",
            NoteError::BadTableDescriptor { .. } => "a stub-table note descriptor has the wrong size",
            NoteError::TableTooSmall { .. } => "a stub-table note claims more slots than its table holds",
        }
    }
}

impl fmt::Display for NoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        match *self {
            NoteError::Truncated { offset } => write!(f, " (at offset {offset})"),
            NoteError::BadTableDescriptor { len } => write!(f, " ({len} bytes, expected {TABLE_DESC_LEN})"),
            NoteError::TableTooSmall { slots, bytes } => write!(f, " ({slots} slots, {bytes} bytes)"),
        }
    }
}

/// Iterator over the notes of one `PT_NOTE` segment or `SHT_NOTE` section.
///
/// Yields `Err` once for malformed data, then stops.
#[derive(Debug, Clone)]
pub struct Notes<'a> {
    data: &'a [u8],
    pos: usize,
    align: usize,
    failed: bool,
}

impl<'a> Notes<'a> {
    /// Notes in `data`, a segment whose `p_align` is `align` (8 for the GNU
    /// property notes, otherwise 4; other values are read as 4).
    pub fn new(data: &'a [u8], align: usize) -> Self {
        Notes { data, pos: 0, align: if align == 8 { 8 } else { 4 }, failed: false }
    }

    fn word(&self, at: usize) -> Option<u32> {
        let bytes = self.data.get(at..at.checked_add(4)?)?;
        Some(u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn read_one(&self) -> Option<(Note<'a>, usize)> {
        let start = self.pos;
        let namesz = self.word(start)? as usize;
        let descsz = self.word(start + 4)? as usize;
        let note_type = self.word(start + 8)?;
        let name_at = start + 12;
        let desc_at = round_up(name_at.checked_add(namesz)?, self.align)?;
        let end = round_up(desc_at.checked_add(descsz)?, self.align)?;
        let name = self.data.get(name_at..name_at.checked_add(namesz)?)?;
        let desc = self.data.get(desc_at..desc_at.checked_add(descsz)?)?;
        let name = name.strip_suffix(&[0]).unwrap_or(name);
        // The last note's padding may be cut off by the segment's end.
        Some((Note { offset: start, name, note_type, desc }, end.min(self.data.len())))
    }
}

fn round_up(n: usize, align: usize) -> Option<usize> {
    Some(n.checked_add(align - 1)? & !(align - 1))
}

impl<'a> Iterator for Notes<'a> {
    type Item = Result<Note<'a>, NoteError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.data.len() {
            return None;
        }
        match self.read_one() {
            Some((note, next)) => {
                self.pos = next;
                Some(Ok(note))
            }
            None => {
                self.failed = true;
                Some(Err(NoteError::Truncated { offset: self.pos }))
            }
        }
    }
}

/// Length of a stub-table note's descriptor.
pub const TABLE_DESC_LEN: usize = 20;

/// The descriptor of a stub-table note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableNote {
    /// Table ABI version the table was built for.
    pub abi: u32,
    /// Slots in the table.
    pub slot_count: u32,
    /// Table address minus the note header's address.
    pub table_offset: i32,
    /// Bytes reserved for the table (whole pages).
    pub table_bytes: u32,
    /// Address of the per-slot argument-word counts minus the note's.
    pub arg_words_offset: i32,
}

impl TableNote {
    /// The table note in `note`: `None` if `note` is some other note,
    /// `Some(Err)` if it is a table note that does not make sense.
    pub fn from_note(note: &Note<'_>) -> Option<Result<TableNote, NoteError>> {
        if note.name != crate::NOTE_OWNER.as_bytes() || note.note_type != crate::NOTE_TYPE_TABLE {
            return None;
        }
        Some(Self::parse_desc(note.desc))
    }

    fn parse_desc(desc: &[u8]) -> Result<TableNote, NoteError> {
        if desc.len() != TABLE_DESC_LEN {
            return Err(NoteError::BadTableDescriptor { len: desc.len() });
        }
        let word = |i: usize| u32::from_ne_bytes([desc[i * 4], desc[i * 4 + 1], desc[i * 4 + 2], desc[i * 4 + 3]]);
        let note = TableNote {
            abi: word(0),
            slot_count: word(1),
            table_offset: word(2) as i32,
            table_bytes: word(3),
            arg_words_offset: word(4) as i32,
        };
        let needed = (note.slot_count as u64) * core::mem::size_of::<usize>() as u64;
        if needed > note.table_bytes as u64 {
            return Err(NoteError::TableTooSmall { slots: note.slot_count, bytes: note.table_bytes });
        }
        Ok(note)
    }

    /// The table's address, given the address of the note's header.
    pub fn table_addr(&self, note_addr: usize) -> usize {
        note_addr.wrapping_add_signed(self.table_offset as isize)
    }

    /// The address of the argument-word counts, given the note's address.
    pub fn arg_words_addr(&self, note_addr: usize) -> usize {
        note_addr.wrapping_add_signed(self.arg_words_offset as isize)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn push_note(out: &mut Vec<u8>, name: &[u8], ty: u32, desc: &[u8], align: usize) {
        out.extend_from_slice(&(name.len() as u32 + 1).to_ne_bytes());
        out.extend_from_slice(&(desc.len() as u32).to_ne_bytes());
        out.extend_from_slice(&ty.to_ne_bytes());
        out.extend_from_slice(name);
        out.push(0);
        while !out.len().is_multiple_of(align) {
            out.push(0);
        }
        out.extend_from_slice(desc);
        while !out.len().is_multiple_of(align) {
            out.push(0);
        }
    }

    fn table_desc(abi: u32, slots: u32, off: i32, bytes: u32, words_off: i32) -> Vec<u8> {
        [abi, slots, off as u32, bytes, words_off as u32].iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    #[test]
    fn reads_a_gnu_note_then_a_table_note() {
        let mut seg = Vec::new();
        push_note(&mut seg, b"GNU", 3, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 4);
        let table_at = seg.len();
        push_note(&mut seg, b"sys-layer", crate::NOTE_TYPE_TABLE, &table_desc(2, 15, 4096, 4096, -64), 4);
        let notes: Vec<_> = Notes::new(&seg, 4).collect::<Result<_, _>>().unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].name, b"GNU");
        assert!(TableNote::from_note(&notes[0]).is_none());
        assert_eq!(notes[1].offset, table_at);
        let t = TableNote::from_note(&notes[1]).unwrap().unwrap();
        assert_eq!((t.abi, t.slot_count, t.table_bytes), (2, 15, 4096));
        assert_eq!(t.table_addr(0x1000), 0x2000);
        assert_eq!(t.arg_words_addr(0x1000), 0x1000 - 64);
    }

    #[test]
    fn truncated_notes_are_an_error_not_a_panic() {
        let mut seg = Vec::new();
        push_note(&mut seg, b"sys-layer", crate::NOTE_TYPE_TABLE, &table_desc(1, 8, 0, 4096, 0), 4);
        for cut in 1..seg.len() - 1 {
            let mut it = Notes::new(&seg[..cut], 4);
            assert!(matches!(it.next(), Some(Err(NoteError::Truncated { offset: 0 }))), "cut at {cut}");
            assert!(it.next().is_none());
        }
        // Huge sizes must not overflow.
        let mut bad = Vec::new();
        bad.extend_from_slice(&u32::MAX.to_ne_bytes());
        bad.extend_from_slice(&u32::MAX.to_ne_bytes());
        bad.extend_from_slice(&0u32.to_ne_bytes());
        assert!(matches!(Notes::new(&bad, 8).next(), Some(Err(_))));
    }

    #[test]
    fn eight_byte_aligned_segments() {
        let mut seg = Vec::new();
        push_note(&mut seg, b"GNU", 5, &[0; 12], 8);
        push_note(&mut seg, b"sys-layer", crate::NOTE_TYPE_TABLE, &table_desc(1, 8, 0, 4096, 0), 8);
        let notes: Vec<_> = Notes::new(&seg, 8).collect::<Result<_, _>>().unwrap();
        assert_eq!(notes.len(), 2);
        assert!(TableNote::from_note(&notes[1]).unwrap().is_ok());
    }

    #[test]
    fn bad_table_descriptors_are_rejected() {
        let mut seg = Vec::new();
        push_note(&mut seg, b"sys-layer", crate::NOTE_TYPE_TABLE, &[0; 12], 4);
        let n = Notes::new(&seg, 4).next().unwrap().unwrap();
        assert_eq!(TableNote::from_note(&n), Some(Err(NoteError::BadTableDescriptor { len: 12 })));
        let mut seg = Vec::new();
        push_note(&mut seg, b"sys-layer", crate::NOTE_TYPE_TABLE, &table_desc(1, 1000, 0, 4096, 0), 4);
        let n = Notes::new(&seg, 4).next().unwrap().unwrap();
        assert!(matches!(TableNote::from_note(&n), Some(Err(NoteError::TableTooSmall { .. }))));
    }
}
