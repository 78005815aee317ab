//! `wc [-lwc] [FILE]...`: counts lines, words and bytes as GNU wc does in
//! the C locale: a word is a run of characters between white space that
//! holds at least one printable character; counts are right-aligned to the
//! width of the total size of the regular files (7 if any input is not a
//! regular file; 1 for one count of one input); several inputs get a
//! `total` line. Exit status 1 if any input could not be read. With `-c`
//! alone, a regular file's size answers as far as it can (GNU's rule, in
//! [`skip_to_end`]). Each line is written as it is complete, and names are
//! written as the bytes they are (quoted as GNU quotes them in messages).
#![no_std]
#![no_main]

extern crate alloc;

#[path = "shared/quote.rs"]
mod quote;

use alloc::vec;
use alloc::vec::Vec;
use core::ffi::CStr;
use quote::{Quoting, complain};
use sys_layer::fd::{AsFd, STDIN};
use sys_layer::{Errno, env, eprintln, fs, io, print, println, rt, stdio};

/// The size of the read buffer, on the heap: a 64 KiB stack frame would
/// not fit a small stack (`ulimit -s 64`).
const BUFFER_SIZE: usize = 64 * 1024;

sys_layer::main!(main);

#[derive(Default, Clone, Copy)]
struct Counts {
    lines: u64,
    words: u64,
    bytes: u64,
}

struct Show {
    lines: bool,
    words: bool,
    bytes: bool,
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let mut show = Show { lines: false, words: false, bytes: false };
    let mut names: Vec<&'static CStr> = Vec::new();
    let mut options_done = false;
    for arg in args.skip(1) {
        let b = arg.to_bytes();
        if !options_done && b == b"--" {
            options_done = true;
        } else if !options_done && b.len() > 1 && b[0] == b'-' {
            for &c in &b[1..] {
                match c {
                    b'l' => show.lines = true,
                    b'w' => show.words = true,
                    b'c' => show.bytes = true,
                    _ => {
                        eprintln!("wc: invalid option -- '{}'", c as char);
                        return 1;
                    }
                }
            }
        } else {
            names.push(arg);
        }
    }
    if !(show.lines || show.words || show.bytes) {
        show = Show { lines: true, words: true, bytes: true };
    }
    let shown = show.lines as usize + show.words as usize + show.bytes as usize;
    let implicit_stdin = names.is_empty();

    // The width: from the sizes of the regular inputs, as GNU wc does.
    let inputs = names.len().max(1);
    let width = if inputs == 1 && shown == 1 {
        1
    } else {
        let (mut total, mut minimum) = (0u64, 1);
        let stats = |name: Option<&CStr>| match name {
            Some(n) if n.to_bytes() != b"-" => fs::stat(n),
            _ => fs::fstat(STDIN),
        };
        for i in 0..inputs {
            if let Ok(st) = stats(names.get(i).copied()) {
                if st.file_type() == fs::FileType::Regular {
                    total += st.size;
                } else {
                    minimum = 7;
                }
            }
        }
        digits(total).max(minimum)
    };

    let only_bytes = show.bytes && !show.lines && !show.words;
    let mut buf = vec![0u8; BUFFER_SIZE];
    let mut status = 0;
    let mut total = Counts::default();
    for i in 0..inputs {
        let name = names.get(i).copied();
        let shown_name = if implicit_stdin { None } else { name };
        let complain =
            |e: Errno| complain("wc: ", name.map_or(b"-", |n| n.to_bytes()), Quoting::WhenNeeded, format_args!("{e}"));
        let opened = match name {
            Some(n) if n.to_bytes() != b"-" => fs::open(n, fs::RDONLY, fs::Mode::empty()).map(Some),
            _ => Ok(None),
        };
        // A file that cannot be opened gets no line; one that fails while
        // being read (a directory) gets its counts so far, as GNU wc does.
        let (c, failure) = match opened {
            Ok(Some(file)) => count(&file, only_bytes, &mut buf),
            Ok(None) => count(STDIN, only_bytes, &mut buf),
            Err(e) => {
                complain(e);
                status = 1;
                continue;
            }
        };
        if let Some(e) = failure {
            complain(e);
            status = 1;
        }
        total.lines += c.lines;
        total.words += c.words;
        total.bytes += c.bytes;
        print_counts(&c, &show, width, shown_name);
    }
    if inputs > 1 {
        print_counts(&total, &show, width, Some(c"total"));
    }
    status
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

fn print_counts(c: &Counts, show: &Show, width: usize, name: Option<&CStr>) {
    let mut first = true;
    for (on, value) in [(show.lines, c.lines), (show.words, c.words), (show.bytes, c.bytes)] {
        if on {
            if !first {
                print!(" ");
            }
            print!("{value:>width$}");
            first = false;
        }
    }
    if let Some(n) = name {
        print!(" ");
        stdio::write_stdout(n.to_bytes());
    }
    println!();
    // GNU wc writes each line as it is complete.
    stdio::flush_stdout();
}

/// For `-c` alone, GNU wc's shortcut: on a regular file whose size is not
/// a multiple of the page size, the bytes from the offset to the size,
/// without reading them (the offset moves there). A size that is a
/// multiple of the page size may be approximate (as in `/proc`): all but
/// its last block (of `st_blksize + 1` bytes) are skipped, and the rest is
/// read. Returns the bytes skipped, and whether reading is still needed.
fn skip_to_end(from: impl AsFd) -> (u64, bool) {
    let Ok(st) = fs::fstat(&from) else { return (0, true) };
    if st.file_type() != fs::FileType::Regular {
        return (0, true);
    }
    // An offset that cannot be read counts as -1, as lseek's answer in C.
    let current = io::seek(&from, io::SeekFrom::Current(0)).map_or(-1, |o| o as i64);
    let end = st.size as i64;
    let page = rt::auxv().pagesz.max(1) as i64;
    if end % page != 0 {
        let bytes = if end < current { 0 } else { end - current };
        if bytes != 0 && io::seek(&from, io::SeekFrom::Current(bytes)).is_ok() {
            return (bytes as u64, false);
        }
        (0, true)
    } else {
        let high = end - end % (st.blksize as i64 + 1);
        // Relative to the offset, as GNU wc seeks.
        if 0 <= current && current < high && io::seek(&from, io::SeekFrom::Current(high)).is_ok() {
            return ((high - current) as u64, true);
        }
        (0, true)
    }
}

/// The counts of everything `from` gives, and the error that stopped the
/// reading early, if one did. With `only_bytes`, a regular file's size
/// may answer instead of its contents ([`skip_to_end`]).
fn count(from: impl AsFd, only_bytes: bool, buf: &mut [u8]) -> (Counts, Option<Errno>) {
    let mut c = Counts::default();
    if only_bytes {
        let (skipped, read_rest) = skip_to_end(&from);
        c.bytes = skipped;
        if !read_rest {
            return (c, None);
        }
    }
    let mut in_word = false;
    loop {
        let n = match io::read(&from, buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(e) => {
                c.words += in_word as u64;
                return (c, Some(e));
            }
        };
        c.bytes += n as u64;
        for &b in &buf[..n] {
            match b {
                b'\n' => {
                    c.lines += 1;
                    c.words += in_word as u64;
                    in_word = false;
                }
                b' ' | b'\t' | 0x0b | 0x0c | b'\r' => {
                    c.words += in_word as u64;
                    in_word = false;
                }
                0x21..=0x7e => in_word = true,
                // Not printable: neither starts nor ends a word.
                _ => {}
            }
        }
    }
    c.words += in_word as u64;
    (c, None)
}
