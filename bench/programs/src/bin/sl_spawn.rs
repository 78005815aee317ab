//! ns per spawn + wait of a program through `process::Command`, its
//! standard output on /dev/null (as bench/c/spawn_wait.c with
//! `posix_spawn`).
#![no_std]
#![no_main]

use sys_layer::process::{Command, Stdio};
use sys_layer::{env, eprintln};
use sys_layer_bench_programs::*;

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let Some(program) = args.clone().nth(1) else { return 2 };
    let n = arg_num(args, 2, 1000);
    let mut command = Command::new(program.to_bytes());
    let t0 = now_ns();
    for _ in 0..n {
        match command.stdout(Stdio::Null).status() {
            Ok(s) if s.success() => {}
            other => {
                eprintln!("sl_spawn: {other:?}");
                return 1;
            }
        }
    }
    let t1 = now_ns();
    print_ratio(t1 - t0, n);
    0
}
