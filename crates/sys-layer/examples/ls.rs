//! `ls -1a [PATH]...`: lists directories one name per line, `.` and `..`
//! included, sorted by bytes, as `LC_ALL=C ls -1a` does. Files named on the
//! command line are listed first; with several operands each directory
//! gets a `NAME:` heading and a blank line between. A missing operand is
//! reported on standard error and makes the exit status 2.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::ffi::CStr;
use sys_layer::{env, eprintln, fs, println, stdio};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
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
        match fs::stat(name) {
            Ok(st) if st.file_type() == fs::FileType::Directory => dirs.push(*name),
            Ok(_) => files.push(*name),
            Err(e) => {
                eprintln!("ls: cannot access '{}': {e}", name.to_str().unwrap_or("?"));
                status = 2;
            }
        }
    }
    files.sort_by(|a, b| a.to_bytes().cmp(b.to_bytes()));
    dirs.sort_by(|a, b| a.to_bytes().cmp(b.to_bytes()));
    for f in &files {
        line(f.to_bytes());
    }
    let headings = operands.len() > 1;
    for (i, dir) in dirs.iter().enumerate() {
        if i > 0 || !files.is_empty() {
            println!();
        }
        if headings {
            stdio::write_stdout(dir.to_bytes());
            println!(":");
        }
        match list(dir) {
            Ok(mut names) => {
                names.sort_unstable();
                for n in &names {
                    line(n);
                }
            }
            Err(e) => {
                stdio::flush_stdout();
                eprintln!("ls: cannot open directory '{}': {e}", dir.to_str().unwrap_or("?"));
                status = 2;
            }
        }
    }
    status
}

fn line(name: &[u8]) {
    stdio::write_stdout(name);
    stdio::write_stdout(b"\n");
}

fn list(path: &CStr) -> Result<Vec<Vec<u8>>, sys_layer::Errno> {
    let mut dir = fs::Dir::open(path)?;
    let mut names = Vec::new();
    while let Some(entry) = dir.next_entry() {
        names.push(entry?.name().to_bytes().to_vec());
    }
    Ok(names)
}
