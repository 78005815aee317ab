//! The demo: greets, then reports what the binder did at start-up.
//!
//! Run with `bash ci/demo.sh` (which builds it static for this machine).
#![no_std]
#![no_main]

use sys_layer::{env, print, println, process, rt, stdio};

sys_layer::main!(main);

fn main(args: env::Args, _vars: env::Vars) -> i32 {
    // The name is printed as the bytes it is, as a C program would.
    let name = args.clone().nth(1).map_or(&b"world"[..], |a| a.to_bytes());
    print!("Hello, ");
    stdio::write_stdout(name);
    println!("! This is sys-layer, with no libc underneath.");
    println!("  pid {} (parent {}), {} argument(s)", process::getpid(), process::getppid(), args.len());

    let report = rt::bind_report();
    let kernel = &report.kernel;
    match kernel.version {
        Some(v) => println!("  kernel: {} (read as {v}, from {})", kernel.release(), kernel.source.describe()),
        None => println!("  kernel: \"{}\" (version unknown: each newer call is tried first)", kernel.release()),
    }
    println!("  architecture: {}, system calls through {}", sys_layer::ARCH, report.syscall_entry);
    print_layers(report);
    for t in report.tables() {
        println!(
            "  table at {:#x}: ABI {}, {} slots ({} bound, {} ENOSYS), {}",
            t.address, t.abi, t.slots, t.from_layers, t.enosys, t.protection
        );
    }
    0
}

fn print_layers(report: &sys_layer::rt::BindReport) {
    print!("  layers bound: linux-base (floor {})", report.floor);
    for era in report.eras() {
        print!(", era {era}");
    }
    let b = &report.binding;
    println!("; {} slots linked, {} below their era", b.linked, b.below_era);
}
