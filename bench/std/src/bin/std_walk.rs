//! The std workload benchmark: walk a directory tree, read every regular
//! file and hash its bytes, as a file indexer or a deduplicating copy tool
//! does. `std_walk DIR ROUNDS` walks DIR ROUNDS times and prints the mean
//! time of one walk in microseconds; the files, bytes and hash of the tree
//! go to standard error, so the three builds can be checked to agree.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;
use std::time::Instant;

/// What one walk found.
#[derive(Default, PartialEq, Debug)]
struct Totals {
    files: u64,
    bytes: u64,
    hash: u64,
}

/// FNV-1a over 8-byte words: cheap enough that the walk's system calls
/// and allocations, not the hash, set the time.
fn hash_into(hash: &mut u64, bytes: &[u8]) {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        *hash = (*hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for &byte in words.remainder() {
        *hash = (*hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
}

/// Walks `dir` depth first in name order (so the hash does not depend on
/// the order `read_dir` returns), hashing each file's name and contents.
fn walk(dir: &Path, buf: &mut Vec<u8>, totals: &mut Totals) -> io::Result<()> {
    let mut entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, buf, totals)?;
        } else if kind.is_file() {
            let mut file = File::open(&path)?;
            let len = file.metadata()?.len();
            buf.clear();
            file.read_to_end(buf)?;
            assert_eq!(buf.len() as u64, len, "{} changed while read", path.display());
            hash_into(&mut totals.hash, entry.file_name().as_encoded_bytes());
            hash_into(&mut totals.hash, buf);
            totals.files += 1;
            totals.bytes += len;
        }
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(rounds)) = (args.next(), args.next()) else {
        eprintln!("usage: std_walk DIR ROUNDS");
        std::process::exit(2);
    };
    let rounds: u32 = rounds.parse().expect("ROUNDS is a number");
    let mut buf = Vec::new();
    let mut first = None;
    let start = Instant::now();
    for _ in 0..rounds {
        let mut totals = Totals { hash: 0xcbf2_9ce4_8422_2325, ..Totals::default() };
        walk(Path::new(&dir), &mut buf, &mut totals)?;
        match &first {
            None => first = Some(totals),
            Some(first) => assert_eq!(first, &totals, "the tree changed between walks"),
        }
    }
    let per_walk = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds.max(1));
    if let Some(totals) = first {
        eprintln!("{} files, {} bytes, hash {:016x}", totals.files, totals.bytes, totals.hash);
    }
    println!("{per_walk:.1}");
    Ok(())
}
