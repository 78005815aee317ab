//! The records `getdents64(2)` writes (`struct linux_dirent64`), read with
//! bounds checks: one parser for the directory reader (`fs::Dir`) and the
//! layer's descriptor lister (`close_range`'s fallback).

use core::ffi::CStr;

/// One directory entry, borrowed from the buffer it was read into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    /// Inode number.
    pub ino: u64,
    /// `DT_*` type, `DT_UNKNOWN` (0) where the file system does not say.
    pub d_type: u8,
    /// The entry's name.
    pub name: &'a CStr,
    /// Bytes the record takes in the buffer.
    pub len: usize,
}

/// A record the kernel would never write: too short, past the buffer's end,
/// or a name without its NUL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Offsets in `struct linux_dirent64`: `d_ino` (8 bytes), `d_off` (8),
/// `d_reclen` (2), `d_type` (1), then the NUL-terminated name.
const RECLEN_AT: usize = 16;
const TYPE_AT: usize = 18;
const NAME_AT: usize = 19;

/// The record at the start of `bytes` (what is left of a buffer the kernel
/// filled); `None` when nothing is left.
pub(crate) fn first(bytes: &[u8]) -> Option<Result<Record<'_>, Malformed>> {
    if bytes.is_empty() {
        return None;
    }
    Some(parse(bytes))
}

fn parse(bytes: &[u8]) -> Result<Record<'_>, Malformed> {
    let reclen = match bytes.get(RECLEN_AT..RECLEN_AT + 2) {
        Some(b) => u16::from_ne_bytes([b[0], b[1]]) as usize,
        None => return Err(Malformed),
    };
    if reclen <= NAME_AT || reclen > bytes.len() {
        return Err(Malformed);
    }
    let ino = u64::from_ne_bytes(bytes[..8].try_into().map_err(|_| Malformed)?);
    let name = CStr::from_bytes_until_nul(&bytes[NAME_AT..reclen]).map_err(|_| Malformed)?;
    Ok(Record { ino, d_type: bytes[TYPE_AT], name, len: reclen })
}

/// Every record of a filled buffer, in order; stops at the first malformed
/// one (reported once).
pub(crate) fn records(mut bytes: &[u8]) -> impl Iterator<Item = Result<Record<'_>, Malformed>> {
    core::iter::from_fn(move || {
        let r = first(bytes)?;
        match r {
            Ok(rec) => bytes = &bytes[rec.len..],
            Err(_) => bytes = &[],
        }
        Some(r)
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn record(ino: u64, d_type: u8, name: &[u8]) -> Vec<u8> {
        let len = (NAME_AT + name.len() + 1).next_multiple_of(8);
        let mut r = Vec::with_capacity(len);
        r.extend_from_slice(&ino.to_ne_bytes());
        r.extend_from_slice(&0u64.to_ne_bytes());
        r.extend_from_slice(&(len as u16).to_ne_bytes());
        r.push(d_type);
        r.extend_from_slice(name);
        r.resize(len, 0);
        r
    }

    #[test]
    fn reads_every_record() {
        let mut buf = record(1, 4, b".");
        buf.extend(record(2, 8, b"a-longer-name"));
        let got: Vec<_> = records(&buf).map(|r| r.unwrap()).map(|r| (r.ino, r.d_type, r.name.to_bytes())).collect();
        assert_eq!(got, [(1, 4, &b"."[..]), (2, 8, &b"a-longer-name"[..])]);
    }

    #[test]
    fn malformed_records_are_errors_not_panics() {
        let good = record(7, 4, b"x");
        assert_eq!(first(&good[..10]), Some(Err(Malformed)));
        let mut long = good.clone();
        long[RECLEN_AT] = 200;
        assert_eq!(first(&long), Some(Err(Malformed)));
        let mut no_nul = good.clone();
        for b in &mut no_nul[NAME_AT..] {
            *b = b'y';
        }
        assert_eq!(first(&no_nul), Some(Err(Malformed)));
        assert_eq!(records(&no_nul).count(), 1);
        assert_eq!(first(&[]), None);
        // Every truncation of a good buffer: no panic.
        for n in 0..good.len() {
            let _ = records(&good[..n]).count();
        }
    }
}
