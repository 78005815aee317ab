//! Does nothing: every system call it makes is start-up's or exit's.
#![no_std]
#![no_main]

sys_layer::main!(main);

fn main(_: sys_layer::env::Args, _: sys_layer::env::Vars) {}
