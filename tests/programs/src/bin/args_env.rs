//! Prints its arguments and environment, one per line, so the suite can
//! compare them with what it passed. `argc=N` first.
#![no_std]
#![no_main]

use sys_layer::{env, println, stdio};

sys_layer::main!(main);

fn main(args: env::Args, vars: env::Vars) -> i32 {
    println!("argc={}", args.len());
    for a in args {
        stdio::write_stdout(b"arg=");
        stdio::write_stdout(a.to_bytes());
        stdio::write_stdout(b"\n");
    }
    for v in vars {
        stdio::write_stdout(b"env=");
        stdio::write_stdout(v.to_bytes());
        stdio::write_stdout(b"\n");
    }
    match env::var(b"SYS_LAYER_PROBE") {
        Some(v) => {
            stdio::write_stdout(b"probe=");
            stdio::write_stdout(v.to_bytes());
            stdio::write_stdout(b"\n");
        }
        None => println!("probe unset"),
    }
    // env::args() and the argument main got must agree.
    if env::args().len() != args.len() {
        return 2;
    }
    0
}
