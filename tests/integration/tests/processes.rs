//! Child processes: `Command`, `fork`, `wait`, pidfds, checked by the
//! `processes` program from inside (see its header), on the kernel,
//! emulator or simulated kernel the suite targets.
//!
//! Runs on every target and kernel: processes.

use sys_layer_integration::*;

#[test]
fn commands_spawn_wait_and_report_exec_errors() {
    let text = assert_checks_pass("processes", &[]);
    // Buffered output is written before fork, not again by the child.
    assert_eq!(text.matches("printed once before fork").count(), 1, "{text}");
}
