//! Compiles the memory benchmark's timed loop (bench/c/mem_loop.c) with
//! the C compiler, for `sl_mem`: bench/run.py compiles the same file with
//! the same compiler and flags for the glibc and musl builds, so every row
//! runs the same loop around a different library's function.

use std::path::PathBuf;
use std::process::Command;

/// The flags bench/run.py uses too (`MEM_LOOP_FLAGS` there).
const FLAGS: &[&str] = &["-O2", "-ffreestanding", "-fno-builtin", "-c"];

fn main() {
    let source = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("../c/mem_loop.c");
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-env-changed=CC");
    let target = std::env::var("TARGET").unwrap();
    assert!(
        target == "x86_64-unknown-linux-gnu",
        "the benchmark programs are built for x86_64-unknown-linux-gnu only (bench/run.py), not {target}"
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("mem_loop.o");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let status = Command::new(&cc)
        .args(FLAGS)
        .arg(&source)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cc}: {e}"));
    assert!(status.success(), "{cc} {} failed: {status}", source.display());
    println!("cargo:rustc-link-arg-bin=sl_mem={}", out.display());
}
