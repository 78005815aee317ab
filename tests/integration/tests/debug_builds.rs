//! The same programs built unoptimised: start-up must not depend on
//! inlining, and the mem functions must not recurse into themselves when
//! the compiler calls them for every copy.
//!
//! Runs on every target and kernel: the unoptimised test programs.

use sys_layer_integration::*;

fn run_debug(name: &str) -> std::process::Output {
    command_for(&debug_program(name)).stdin(std::process::Stdio::null()).output().unwrap()
}

#[test]
fn check_programs_pass_unoptimised() {
    for name in ["errno_paths", "tls_values", "no_tls", "two_tables", "threads", "signals"] {
        let out = run_debug(name);
        let text = stdout(&out);
        assert!(out.status.success() && !text.contains("FAIL"), "{name}: {:?}\n{text}\n{}", out.status, stderr(&out));
    }
}

#[test]
fn panics_unoptimised() {
    let out = run_debug("panics");
    assert_eq!(out.status.code(), Some(101));
    assert!(stderr(&out).starts_with("panicked at tests/programs/src/bin/panics.rs:"), "{}", stderr(&out));
}
