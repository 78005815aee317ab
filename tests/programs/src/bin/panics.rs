//! Prints to stdout without a newline, then panics: stdout must be flushed
//! before the message, and the exit status must be 101.
#![no_std]
#![no_main]

use sys_layer::{env, print};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    print!("before the panic");
    let n = args.len() + 41;
    panic!("boom {n}");
}
