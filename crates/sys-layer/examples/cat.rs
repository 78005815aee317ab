//! `cat [FILE]...`: copies files (or standard input, for none or `-`) to
//! standard output, as GNU cat does. An unreadable file is reported on
//! standard error and makes the exit status 1; the rest are still copied.
#![no_std]
#![no_main]

use core::ffi::CStr;
use sys_layer::fd::{AsFd, STDIN, STDOUT};
use sys_layer::{Errno, env, eprintln, fs, io};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let mut status = 0;
    let mut files = args.skip(1).peekable();
    if files.peek().is_none() {
        return report(c"-", copy(STDIN));
    }
    for name in files {
        if name.to_bytes() == b"-" {
            status |= report(name, copy(STDIN));
            continue;
        }
        match fs::open(name, fs::RDONLY, fs::Mode::empty()) {
            Ok(file) => status |= report(name, copy(&file)),
            Err(e) => status |= report(name, Err(e)),
        }
    }
    status
}

/// Copies everything from `from` to standard output.
fn copy(from: impl AsFd) -> Result<(), Errno> {
    let mut buf = [0u8; 64 * 1024];
    loop {
        match io::read(&from, &mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => io::write_all(STDOUT, &buf[..n])?,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
}

/// `cat: NAME: message` for an error; the exit status it makes.
fn report(name: &CStr, result: Result<(), Errno>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cat: {}: {e}", name.to_str().unwrap_or("?"));
            1
        }
    }
}
