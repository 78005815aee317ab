//! `ls -1a [PATH]...`: lists directories one name per line, `.` and `..`
//! included, sorted by bytes, as `LC_ALL=C ls -1a` does. Files named on the
//! command line are listed first; with several operands each directory
//! gets a `NAME:` heading and a blank line between. A missing operand is
//! reported on standard error and makes the exit status 2; an operand
//! that `stat` does not find (a dangling symbolic link) is listed as
//! itself, as GNU ls does with `lstat`. A directory that fails part-way
//! through is listed as far as it was read, then reported. Names are
//! written as the bytes they are (quoted as GNU quotes them in messages);
//! a write error of standard output makes the status 2, as GNU ls's.
#![no_std]
#![no_main]

extern crate alloc;

#[path = "shared/quote.rs"]
mod quote;

use alloc::vec::Vec;
use core::ffi::CStr;
use quote::{Quoting, complain};
use sys_layer::{Errno, env, eprintln, fs, println, stdio};

sys_layer::main!(main);

/// GNU ls's status for a serious trouble (an operand it cannot access, a
/// write error).
const SERIOUS_TROUBLE: i32 = 2;

fn main(args: env::Args, _: env::Vars) -> i32 {
    stdio::set_write_error_status(SERIOUS_TROUBLE);
    let mut operands: Vec<&'static CStr> = Vec::new();
    for arg in args.skip(1) {
        match arg.to_bytes() {
            b"-1a" | b"-a1" | b"-1" | b"-a" => {}
            b if b.first() == Some(&b'-') && b.len() > 1 => {
                eprintln!("ls: only -1 and -a are supported, not {}", arg.to_str().unwrap_or("?"));
                return 2;
            }
            _ => operands.push(arg),
        }
    }
    if operands.is_empty() {
        operands.push(c".");
    }
    let mut status = 0;
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    for name in &operands {
        // As GNU ls: a name stat does not find may be a symbolic link
        // that points nowhere, listed as itself.
        let st = match fs::stat(name) {
            Err(Errno::ENOENT) => fs::lstat(name),
            other => other,
        };
        match st {
            Ok(st) if st.file_type() == fs::FileType::Directory => dirs.push(*name),
            Ok(_) => files.push(*name),
            Err(e) => {
                complain("ls: cannot access ", name.to_bytes(), Quoting::Always, format_args!("{e}"));
                status = SERIOUS_TROUBLE;
            }
        }
    }
    files.sort_by(|a, b| a.to_bytes().cmp(b.to_bytes()));
    dirs.sort_by(|a, b| a.to_bytes().cmp(b.to_bytes()));
    for f in &files {
        line(f.to_bytes());
    }
    let headings = operands.len() > 1;
    // GNU ls: a blank line after the files if directories follow, and
    // before every heading but the first.
    if !files.is_empty() && !dirs.is_empty() {
        println!();
    }
    let mut first_heading = true;
    for dir in &dirs {
        let mut opened = match fs::Dir::open(dir) {
            Ok(d) => d,
            Err(e) => {
                complain("ls: cannot open directory ", dir.to_bytes(), Quoting::Always, format_args!("{e}"));
                status = SERIOUS_TROUBLE;
                continue;
            }
        };
        if headings {
            if !first_heading {
                println!();
            }
            first_heading = false;
            stdio::write_stdout(dir.to_bytes());
            println!(":");
        }
        let (mut names, failure) = read_names(&mut opened);
        if let Some(e) = failure {
            complain("ls: reading directory ", dir.to_bytes(), Quoting::Always, format_args!("{e}"));
            status = SERIOUS_TROUBLE;
        }
        names.sort_unstable();
        for n in &names {
            line(n);
        }
    }
    status
}

/// `name` and a newline on standard output.
fn line(name: &[u8]) {
    stdio::write_stdout(name);
    stdio::write_stdout(b"\n");
}

/// The names in `dir`, and the error that stopped the reading early, if
/// one did (the names read before it are kept, as GNU ls lists them).
fn read_names(dir: &mut fs::Dir) -> (Vec<Vec<u8>>, Option<Errno>) {
    let mut names = Vec::new();
    while let Some(entry) = dir.next_entry() {
        match entry {
            Ok(entry) => names.push(entry.name().to_bytes().to_vec()),
            Err(e) => return (names, Some(e)),
        }
    }
    (names, None)
}
