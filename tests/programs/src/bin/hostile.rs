//! What a hostile or unlucky environment does to a program, one mode per
//! case; the integration suite sets the environment up (strace fault
//! injection, a filter from kernel-sim, a set-id copy run as nobody) and
//! reads the lines printed.
//!
//! - `refusals DIR`: `renameat2(RENAME_NOREPLACE)` twice (`a` to `b`, `c`
//!   to `d`) and `openat2(".")` with `RESOLVE_BENEATH` twice, in `DIR`,
//!   printing each call's answer.
//! - `open-report PATH`: opens `PATH` for appending, prints the descriptor
//!   it got, then writes a line to standard error.
#![no_std]
#![no_main]

use core::ffi::{CStr, c_int};
use linux_raw_sys::general::{AT_FDCWD, O_CLOEXEC, O_RDONLY, RENAME_NOREPLACE, RESOLVE_BENEATH, open_how};
use sys_layer::path::CPath;
use sys_layer::{Errno, env, eprintln, fs, println, raw};

sys_layer::main!(main);

/// A call's answer as the suite reads it: `ok` or the errno's name.
fn answer(ret: isize, errno: c_int) -> &'static str {
    if ret >= 0 { "ok" } else { Errno::from_raw(errno).name().unwrap_or("unknown") }
}

/// `dir/name`.
fn path(dir: &CStr, name: &str) -> CPath {
    let mut bytes = [0u8; 512];
    let (dir, name) = (dir.to_bytes(), name.as_bytes());
    let len = dir.len() + 1 + name.len();
    assert!(len <= bytes.len(), "the directory's path is too long for this test");
    bytes[..dir.len()].copy_from_slice(dir);
    bytes[dir.len()] = b'/';
    bytes[dir.len() + 1..len].copy_from_slice(name);
    CPath::new(&bytes[..len]).expect("no NUL in the path")
}

fn refusals(dir: &CStr) -> i32 {
    for (i, (from, to)) in [("a", "b"), ("c", "d")].into_iter().enumerate() {
        let (from, to) = (path(dir, from), path(dir, to));
        let mut errno = 0;
        // SAFETY: NUL-terminated paths; errno is a local.
        let r = unsafe { raw::renameat2(AT_FDCWD, from.as_ptr(), AT_FDCWD, to.as_ptr(), RENAME_NOREPLACE, &mut errno) };
        println!("renameat2 {}: {}", i + 1, answer(r, errno));
    }
    for i in 1..=2 {
        let mut how = open_how { flags: (O_RDONLY | O_CLOEXEC) as u64, mode: 0, resolve: RESOLVE_BENEATH as u64 };
        let mut errno = 0;
        let dir_fd = fs::open(dir, fs::OFlags::DIRECTORY, fs::Mode::empty()).expect("open the directory");
        let fd = sys_layer::fd::AsRawFd::as_raw_fd(&dir_fd);
        // SAFETY: a NUL-terminated name, a readable open_how; errno is a local.
        let r = unsafe { raw::openat2(fd, c".".as_ptr(), &mut how, size_of::<open_how>(), &mut errno) };
        if r >= 0 {
            // SAFETY: the descriptor was just opened and is ours.
            unsafe { raw::close(r as c_int, &mut errno) };
        }
        println!("openat2 {i}: {}", answer(r, errno));
    }
    0
}

fn open_report(path: &CStr) -> i32 {
    let flags = fs::OFlags::WRONLY | fs::OFlags::APPEND | fs::OFlags::CREAT;
    // Kept open until the message is written.
    let file = fs::open(path, flags, fs::Mode::from_bits_retain(0o644));
    match &file {
        Ok(fd) => println!("opened fd {}", sys_layer::fd::AsRawFd::as_raw_fd(fd)),
        Err(e) => println!("open failed: {e}"),
    }
    eprintln!("a message for standard error");
    drop(file);
    0
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let mut args = args.skip(1);
    match (args.next().map(|a| a.to_bytes()), args.next()) {
        (Some(b"refusals"), Some(dir)) => refusals(dir),
        (Some(b"open-report"), Some(path)) => open_report(path),
        _ => {
            eprintln!("usage: hostile refusals DIR | hostile open-report PATH");
            2
        }
    }
}
