//! A pipeline built with `process::Command`: `producer | consumer`, both
//! this program again, checked byte for byte.
//!
//! ```text
//! pipeline [BYTES] [--run-with EMULATOR]
//! ```
//!
//! The producer writes BYTES (default 4 MiB) of a known sequence; the
//! consumer, reading the producer's output through a pipe, prints how many
//! bytes it read and their FNV-1a hash; this program compares both with
//! the sequence's and exits 0 if they match. The two children are
//! `/proc/self/exe` with the roles `produce` and `consume`; with
//! `--run-with EMULATOR` they run as `EMULATOR /proc/self/exe ...`, for
//! runs under qemu-user on a machine with no binfmt_misc entry for the
//! architecture.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use sys_layer::process::{Command, Stdio};
use sys_layer::{Errno, env, eprintln, fd, io, println};

sys_layer::main!(main);

/// Byte `i` of the producer's sequence.
fn sequence_byte(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// FNV-1a, 64-bit: a hash that notices a lost, added or changed byte.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn produce(total: u64) -> Result<(), Errno> {
    let mut buf = [0u8; 16 * 1024];
    let mut i = 0;
    while i < total {
        let n = (total - i).min(buf.len() as u64) as usize;
        for (k, b) in buf[..n].iter_mut().enumerate() {
            *b = sequence_byte(i + k as u64);
        }
        io::write_all(fd::STDOUT, &buf[..n])?;
        i += n as u64;
    }
    Ok(())
}

fn consume() -> Result<(), Errno> {
    let mut buf = [0u8; 16 * 1024];
    let (mut count, mut hash) = (0u64, Fnv::new());
    loop {
        match io::read(fd::STDIN, &mut buf) {
            Ok(0) => break,
            Ok(n) => {
                count += n as u64;
                hash.update(&buf[..n]);
            }
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    println!("{count} {:016x}", hash.0);
    Ok(())
}

/// `this program ROLE ARGS`, through the emulator if one is given.
fn role(this: &[u8], emulator: Option<&[u8]>, role_args: &[&str]) -> Command {
    let mut c = match emulator {
        Some(e) => {
            let mut c = Command::new(e);
            c.arg(this);
            c
        }
        None => Command::new(this),
    };
    c.args(role_args);
    c
}

fn run(total: u64, emulator: Option<&[u8]>) -> Result<bool, Errno> {
    // The path itself: an emulator's child would read its own /proc/self/exe.
    let mut buf = [0u8; 4096];
    let this = sys_layer::fs::readlink(c"/proc/self/exe", &mut buf)?.to_vec();
    let role = |emulator, args: &[&str]| role(&this, emulator, args);
    let total_text = alloc::format!("{total}");
    let mut producer = role(emulator, &["produce", &total_text]).stdout(Stdio::Piped).spawn()?;
    let between = producer.stdout.take().ok_or(Errno::EBADF)?;
    let consumer = role(emulator, &["consume"]).stdin(Stdio::Fd(between)).stdout(Stdio::Piped).spawn()?;
    let out = consumer.wait_with_output()?;
    let produced = producer.wait()?;

    let mut expect = Fnv::new();
    let mut chunk = Vec::with_capacity(64 * 1024);
    let mut i = 0;
    while i < total {
        chunk.clear();
        let n = (total - i).min(64 * 1024);
        chunk.extend((i..i + n).map(sequence_byte));
        expect.update(&chunk);
        i += n;
    }
    let want = alloc::format!("{total} {:016x}\n", expect.0);
    let got = String::from_utf8_lossy(&out.stdout);
    let ok = produced.success() && out.status.success() && got == want;
    println!(
        "pipeline: producer {produced}, consumer {}; consumer read {}; {}",
        out.status,
        got.trim_end(),
        if ok { "every byte arrived" } else { "MISMATCH" }
    );
    if !ok {
        eprintln!("pipeline: expected {}", want.trim_end());
    }
    Ok(ok)
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let args: Vec<&[u8]> = args.skip(1).map(|a| a.to_bytes()).collect();
    let number = |a: Option<&&[u8]>| a.and_then(|a| core::str::from_utf8(a).ok()?.parse::<u64>().ok());
    let result = match args.first().copied() {
        Some(b"produce") => produce(number(args.get(1)).unwrap_or(0)).map(|_| true),
        Some(b"consume") => consume().map(|_| true),
        _ => {
            let mut total = 4 << 20;
            let mut emulator = None;
            let mut i = 0;
            while i < args.len() {
                match args[i] {
                    b"--run-with" if i + 1 < args.len() => {
                        emulator = Some(args[i + 1]);
                        i += 1;
                    }
                    a => match number(Some(&a)) {
                        Some(n) => total = n,
                        None => {
                            eprintln!("usage: pipeline [BYTES] [--run-with EMULATOR]");
                            return 2;
                        }
                    },
                }
                i += 1;
            }
            run(total, emulator)
        }
    };
    match result {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("pipeline: {e}");
            1
        }
    }
}
