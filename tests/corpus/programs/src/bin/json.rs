//! `corpus_logic::json` on sys-layer.
#![no_std]
#![no_main]

sys_layer::main!(main);

fn main(args: sys_layer::env::Args, _: sys_layer::env::Vars) -> i32 {
    corpus_programs::run(corpus_logic::json, args)
}
