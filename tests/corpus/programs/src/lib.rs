//! The corpus programs' shared frame on sys-layer: read all of standard
//! input, run the program from `corpus-logic`, write its output.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use corpus_logic::Program;
use sys_layer::fd::{STDIN, STDOUT};
use sys_layer::{Errno, env, eprintln, io};

/// Runs `program` with the arguments after the program name and all of
/// standard input; the exit status: 0, or 1 after a message on standard
/// error.
pub fn run(program: Program, args: env::Args) -> i32 {
    let args: Vec<&[u8]> = args.skip(1).map(|a| a.to_bytes()).collect();
    let input = match read_all() {
        Ok(input) => input,
        Err(e) => {
            eprintln!("reading standard input: {e}");
            return 1;
        }
    };
    match program(&args, &input) {
        Ok(out) => match io::write_all(STDOUT, &out) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("writing standard output: {e}");
                1
            }
        },
        Err(message) => {
            eprintln!("{message}");
            1
        }
    }
}

fn read_all() -> Result<Vec<u8>, Errno> {
    let mut data = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match io::read(STDIN, &mut buf) {
            Ok(0) => return Ok(data),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
}
