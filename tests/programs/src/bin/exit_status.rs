//! Exits with the status given as its argument; `err` returns an error
//! from main instead.
#![no_std]
#![no_main]

use sys_layer::{Errno, env};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> Result<i32, Errno> {
    let arg = args.clone().nth(1).map_or(&b""[..], |a| a.to_bytes());
    if arg == b"err" {
        return Err(Errno::ENOENT);
    }
    let mut n: i32 = 0;
    for &b in arg {
        if !b.is_ascii_digit() {
            return Err(Errno::EINVAL);
        }
        n = n * 10 + (b - b'0') as i32;
    }
    Ok(n)
}
