//! Standard output's write errors, run with standard output on `/dev/full`
//! (or a pipe). The first argument is the case:
//! - `print STATUS`: prints a line, returns STATUS (exit reports);
//! - `flush`: prints, calls `stdio::flush` and shows its answer on
//!   standard error (`flush: ok` or `flush: <error>`), returns 0;
//! - `flush-then-print`: as `flush`, then prints again;
//! - `early`: prints, writes it out with `flush_stdout`, returns 0.
#![no_std]
#![no_main]

use sys_layer::{env, eprintln, println, stdio};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let mut args = args.skip(1);
    let case = args.next().map_or(&b""[..], |a| a.to_bytes());
    println!("a line for standard output");
    match case {
        b"print" => args.next().map_or(0, |a| a.to_bytes().iter().fold(0, |n, &d| n * 10 + (d - b'0') as i32)),
        b"flush" | b"flush-then-print" => {
            match stdio::flush() {
                Ok(()) => eprintln!("flush: ok"),
                Err(e) => eprintln!("flush: {e}"),
            }
            if case == b"flush-then-print" {
                println!("another line");
            }
            0
        }
        b"early" => {
            stdio::flush_stdout();
            0
        }
        _ => {
            eprintln!("unknown case");
            2
        }
    }
}
