//! Child processes: `Command`, `fork`, `wait`, pidfds, checked by the
//! `processes` program from inside (see its header), on the kernel,
//! emulator or simulated kernel the suite targets.
//!
//! Runs on every target and kernel: processes.

use sys_layer_integration::*;

#[test]
fn commands_spawn_wait_and_report_exec_errors() {
    // qemu-user 7.2 has no execveat for riscv64 guests (see eras.rs).
    let riscv_qemu = runner().is_some_and(|r| r.contains("riscv64"));
    let text = assert_checks_pass("processes", if riscv_qemu { &["emulator-lacks-execveat"] } else { &[] });
    // Buffered output is written before fork, not again by the child.
    assert_eq!(text.matches("printed once before fork").count(), 1, "{text}");
}

/// Every `wait4` interrupted once (`EINTR`, as a signal handler would
/// cause): waiting retries, nothing is lost. Natively only (strace cannot
/// inject into an emulated program; kernel-sim's own waits would be hit).
#[test]
fn interrupted_waits_are_retried() {
    if !runs_directly() {
        eprintln!("skipped: strace injection runs on this machine's kernel only");
        return;
    }
    let out = std::process::Command::new("strace")
        .args(["-f", "-o", "/dev/null", "-e", "inject=wait4:error=EINTR:when=1+2"])
        .arg(program("processes"))
        .output()
        .expect("strace (ci/setup.sh installs it)");
    let text = stdout(&out);
    assert!(out.status.success() && text.contains(" passed, 0 failed"), "{text}\n{}", stderr(&out));
}
