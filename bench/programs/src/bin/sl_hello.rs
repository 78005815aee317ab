//! The startup benchmark's program on sys-layer: one line, exit.
#![no_std]
#![no_main]

use sys_layer::{env, fd, io};

sys_layer::main!(main);

fn main(_: env::Args, _: env::Vars) -> i32 {
    let _ = io::write(fd::STDOUT, b"hello\n");
    0
}
