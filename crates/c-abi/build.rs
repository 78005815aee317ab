//! Empty stand-ins for the C libraries rustc names when it links a std
//! program for a `*-linux-gnu` target (`-lc -lm -lrt -lpthread -lutil -ldl
//! -lgcc_eh -lgcc`): every symbol std takes from them is this crate's, so
//! the linker must find the names and nothing behind them. The directory
//! goes on the library search path of whatever links this crate.

use std::path::PathBuf;

/// The libraries rustc passes for the gnu targets (`libc`'s and
/// `unwind`'s `#[link]` attributes, with `+crt-static`).
const LIBRARIES: &[&str] = &["c", "m", "rt", "pthread", "util", "dl", "gcc_eh", "gcc", "gcc_s", "resolv"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("stand-ins");
    std::fs::create_dir_all(&out).expect("creating OUT_DIR/stand-ins");
    for name in LIBRARIES {
        // An archive with no members: its magic string only.
        std::fs::write(out.join(format!("lib{name}.a")), b"!<arch>\n").expect("writing a stand-in archive");
    }
    println!("cargo::rustc-link-search=native={}", out.display());
    println!("cargo::rerun-if-changed=build.rs");
}
