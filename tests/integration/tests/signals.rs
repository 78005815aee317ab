//! Signals, checked by the `signals` program from inside (handlers and
//! errno, masks, waiting, signalfd, the alternate stack, interrupted reads
//! and joins), and the stack-overflow report for the main thread and a
//! spawned one, on the kernel, emulator or simulated kernel the suite
//! targets.
//!
//! Runs on every target and kernel: signals.

use std::os::unix::process::ExitStatusExt;
use sys_layer_integration::*;

#[test]
fn handlers_masks_and_waits_work() {
    assert_checks_pass("signals", &[]);
}

fn assert_overflow_report(mode: &str, name: &str) {
    let out = run("signals", &[mode]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "\nthread '{name}' has overflowed its stack\nfatal runtime error: stack overflow, aborting\n"
        )),
        "{mode}: {err}"
    );
    // Aborted: the emulator and the simulator die of the same signal.
    assert_eq!(out.status.signal(), Some(6), "{mode}: {:?}", out.status);
}

#[test]
fn the_main_threads_overflow_is_reported() {
    assert_overflow_report("overflow-main", "main");
}

#[test]
fn a_spawned_threads_overflow_is_reported() {
    assert_overflow_report("overflow-thread", "deep-diver");
}
