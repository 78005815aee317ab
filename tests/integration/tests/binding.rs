//! The stub table: the errno-pointer convention, binding several tables,
//! and the protection after binding.
//!
//! Runs on every target and kernel: errno_paths, hello, sealed_write, two_tables.

use std::os::unix::process::ExitStatusExt;
use sys_layer_integration::*;

#[test]
fn errno_goes_through_the_pointer() {
    assert_checks_pass("errno_paths", &[]);
}

#[test]
fn a_second_table_of_an_older_abi_is_bound_on_its_own() {
    assert_checks_pass("two_tables", &[]);
}

fn kernel_has_mseal() -> bool {
    kernel_version() >= (6, 10, 0)
}

#[test]
fn the_table_is_sealed_where_the_kernel_can() {
    let out = run("sealed_write", &["no-write"]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(!text.contains("FAIL"), "{text}");
    if runner().is_some() {
        // qemu-user 7.2 answers mseal with ENOSYS whatever the host has.
        assert!(text.contains("protection: read-only"), "{text}");
    } else if kernel_has_mseal() {
        assert!(text.contains("protection: read-only, sealed (mseal)"), "{text}");
        assert!(text.contains("ok mprotect refused on a sealed table"), "{text}");
    } else {
        assert!(text.contains("protection: read-only, not sealed"), "{text}");
    }
}

#[test]
fn writing_to_the_runtime_words_faults_too() {
    let out = run("sealed_write", &["runtime"]);
    assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "{}\n{}", stdout(&out), stderr(&out));
}

#[test]
fn writing_to_the_bound_table_faults() {
    let out = run("sealed_write", &[]);
    assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("writing to the table"));
    assert!(!stdout(&out).contains("did not fault"));
}

#[test]
fn the_demo_reports_what_the_binder_did() {
    let out = run("hello", &["tester"]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(text.starts_with("Hello, tester! "), "{text}");
    assert!(text.contains(&format!("kernel: {} (read as ", kernel_release())), "{text}");
    assert!(text.contains("layers bound: linux-base (floor "), "{text}");
    // The demo calls write, ioctl (is stdout a terminal), getpid, getppid and
    // exit_group, and futex (stdout's lock, when contended); the
    // stack-overflow report (a default feature) adds sigaltstack,
    // rt_sigaction, rt_sigprocmask, gettid, tgkill, openat, read and close.
    // Only those are linked; the rest of the table is ENOSYS.
    let linked = 6 + 8;
    // On i686, futex is futex_time64 (5.1), with the 32-bit call below it.
    let below = usize::from(target_arch() == "i686" && kernel_version() < (5, 1, 0));
    assert!(text.contains(&format!("; {linked} slots linked, {below} below their era")), "{text}");
    let abi = sys_layer_stubs::ABI_VERSION;
    let slots = sys_layer_stubs::SLOT_COUNT;
    assert!(
        text.contains(&format!(": ABI {abi}, {slots} slots ({linked} bound, {} ENOSYS)", slots - linked)),
        "{text}"
    );
    let entry = match target_arch().as_str() {
        "x86_64" => "syscall",
        "aarch64" => "svc #0",
        "riscv64" => "ecall",
        // i686 binds the vDSO's entry, which every x86 kernel here offers.
        _ => "__kernel_vsyscall",
    };
    assert!(text.contains(&format!("architecture: {}, system calls through {entry}\n", target_arch())), "{text}");
}
