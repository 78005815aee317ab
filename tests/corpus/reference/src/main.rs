//! `corpus-reference NAME [ARGS]... < INPUT`: runs corpus program `NAME`
//! on the host with std, as the expected output of the static program.

use std::io::{Read, Write};

fn main() {
    let args: Vec<Vec<u8>> = std::env::args_os().skip(1).map(|a| a.into_encoded_bytes()).collect();
    let Some((name, rest)) = args.split_first() else {
        eprintln!("usage: corpus-reference NAME [ARGS]... < INPUT");
        std::process::exit(2);
    };
    let name = String::from_utf8_lossy(name);
    let Some(program) = corpus_logic::program(&name) else {
        eprintln!("no program {name}");
        std::process::exit(2);
    };
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).expect("read standard input");
    let rest: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
    match program(&rest, &input) {
        Ok(out) => std::io::stdout().write_all(&out).expect("write standard output"),
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(1);
        }
    }
}
