#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use sys_layer::{env, println};

sys_layer::main!(main);

/// How often a word appears among the arguments.
#[derive(serde::Serialize)]
struct Count<'a> {
    word: &'a str,
    n: usize,
}

fn main(args: env::Args, _vars: env::Vars) -> i32 {
    println!("hello from a user crate, {} argument(s)", args.len());
    let words: Vec<String> = args.skip(1).map(|a| String::from_utf8_lossy(a.to_bytes()).into_owned()).collect();
    let mut counts = BTreeMap::new();
    for word in &words {
        *counts.entry(word.as_str()).or_insert(0) += 1;
    }
    let counts: Vec<Count<'_>> = counts.into_iter().map(|(word, n)| Count { word, n }).collect();
    println!("{}", words.join(","));
    println!("{}", serde_json::to_string(&counts).expect("serialise"));
    0
}
