#![no_std]
#![no_main]

use sys_layer::{env, println};

sys_layer::main!(main);

fn main(args: env::Args, _vars: env::Vars) -> i32 {
    println!("hello from a user crate, {} argument(s)", args.len());
    0
}
