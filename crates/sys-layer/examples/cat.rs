//! `cat [FILE]...`: copies files (or standard input, for none or `-`) to
//! standard output, as GNU cat does. An unreadable file is reported on
//! standard error and makes the exit status 1; the rest are still copied.
//! A nonempty regular file that is also standard output, read from before
//! its end, is refused (`input file is output file`) instead of copied
//! into itself without end. A failed write ends the program
//! (`cat: write error: ...`, status 1). Names in messages are quoted as
//! GNU quotes them, byte for byte.
#![no_std]
#![no_main]

extern crate alloc;

#[path = "shared/quote.rs"]
mod quote;

use alloc::vec;
use core::ffi::CStr;
use quote::{Quoting, complain};
use sys_layer::fd::{AsFd, STDIN, STDOUT};
use sys_layer::{Errno, env, eprintln, fs, io};

sys_layer::main!(main);

/// The size of the copy buffer, on the heap: a 64 KiB stack frame would
/// not fit a small stack (`ulimit -s 64`).
const BUFFER_SIZE: usize = 64 * 1024;

/// Why copying one input stopped.
enum CopyError {
    /// Reading the input failed: reported with its name, and the next
    /// input is copied.
    Read(Errno),
    /// Writing standard output failed: the end of the program.
    Write(Errno),
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let output = match fs::fstat(STDOUT) {
        Ok(st) => st,
        Err(e) => {
            eprintln!("cat: standard output: {e}");
            return 1;
        }
    };
    let mut buf = vec![0u8; BUFFER_SIZE];
    let mut status = 0;
    let mut names = args.skip(1).peekable();
    let stdin_only = [c"-"];
    let names: &mut dyn Iterator<Item = &CStr> =
        if names.peek().is_none() { &mut stdin_only.into_iter() } else { &mut names };
    for name in names {
        let opened;
        let input = if name.to_bytes() == b"-" {
            STDIN
        } else {
            match fs::open(name, fs::RDONLY, fs::Mode::empty()) {
                Ok(file) => {
                    opened = file;
                    opened.as_fd()
                }
                Err(e) => {
                    complain("cat: ", name.to_bytes(), Quoting::WhenNeeded, format_args!("{e}"));
                    status = 1;
                    continue;
                }
            }
        };
        let copied = match fs::fstat(input) {
            Ok(st) if is_output_file(&st, &output, input) => {
                complain("cat: ", name.to_bytes(), Quoting::WhenNeeded, format_args!("input file is output file"));
                status = 1;
                continue;
            }
            Ok(_) => copy(input, &mut buf),
            Err(e) => Err(CopyError::Read(e)),
        };
        match copied {
            Ok(()) => {}
            Err(CopyError::Read(e)) => {
                complain("cat: ", name.to_bytes(), Quoting::WhenNeeded, format_args!("{e}"));
                status = 1;
            }
            Err(CopyError::Write(e)) => {
                eprintln!("cat: write error: {e}");
                return 1;
            }
        }
    }
    status
}

/// GNU cat's rule: the output is a regular file, the input is that same
/// file (device and inode), and the input's offset is before its size, so
/// copying would never reach the end.
fn is_output_file(input: &fs::Stat, output: &fs::Stat, fd: impl AsFd) -> bool {
    if output.file_type() != fs::FileType::Regular || (input.dev, input.ino) != (output.dev, output.ino) {
        return false;
    }
    // An offset that cannot be read counts as -1, as lseek's answer does in C.
    let offset = io::seek(fd, io::SeekFrom::Current(0)).map_or(-1, |o| o as i64);
    offset < input.size as i64
}

/// Copies everything from `from` to standard output.
fn copy(from: impl AsFd, buf: &mut [u8]) -> Result<(), CopyError> {
    loop {
        match io::read(&from, buf) {
            Ok(0) => return Ok(()),
            Ok(n) => io::write_all(STDOUT, &buf[..n]).map_err(CopyError::Write)?,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(CopyError::Read(e)),
        }
    }
}
