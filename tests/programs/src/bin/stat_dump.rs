//! Prints `fs::lstat` of each argument, one line each, for the suite to
//! compare with what the host's std (glibc) reports.
#![no_std]
#![no_main]

use sys_layer::{env, fs, println, stdio};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    for path in args.skip(1) {
        stdio::write_stdout(path.to_bytes());
        match fs::lstat(path) {
            Ok(s) => println!(
                " mode={:o} size={} ino={} nlink={} uid={} gid={} blocks={} mtime={}.{} dev={}:{} rdev={}:{}",
                s.mode,
                s.size,
                s.ino,
                s.nlink,
                s.uid,
                s.gid,
                s.blocks,
                s.mtime.sec,
                s.mtime.nsec,
                s.dev.0,
                s.dev.1,
                s.rdev.0,
                s.rdev.1
            ),
            Err(e) => println!(" error={e:?}"),
        }
    }
    0
}
