//! Era layers: every slot newer than some supported kernel, run on the
//! kernel the suite targets (real, or simulated with kernel-sim), compared
//! with the real calls on this machine's kernel.
//!
//! Runs on every target and kernel: eras, eras-floor-5.4, exit_status.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use sys_layer_integration::*;

/// A scratch directory with the `data` file the program reads, where the
/// program runs (see [`program_dir`]).
fn scratch(tag: &str) -> PathBuf {
    let data: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    program_dir(&format!("eras-{tag}"), &[("data", &data)])
}

fn lines(out: &std::process::Output, kind: &str) -> BTreeMap<String, String> {
    stdout(out)
        .lines()
        .filter_map(|l| l.strip_prefix(kind)?.strip_prefix(' ')?.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Outcome expected of a `kernel` line: below the call's first kernel, and
/// from it on (`*` is any non-error value).
type Version = (u32, u32, u32);

/// (line, first kernel, outcome below it, outcome from it on).
const KERNEL_LINES: &[(&str, Version, &str, &str)] = &[
    ("openat2 resolve", (5, 6, 0), "ENOSYS", "fd"),
    ("renameat2 noreplace", (3, 15, 0), "ENOSYS", "EEXIST"),
    ("memfd_create", (3, 17, 0), "ENOSYS", "fd"),
    ("pidfd_open", (5, 3, 0), "ENOSYS", "fd"),
    ("membarrier query", (4, 3, 0), "ENOSYS", "*"),
    ("mlock2 onfault", (4, 4, 0), "EINVAL", "0"),
    ("prlimit64 other process", (2, 6, 36), "ENOSYS", "0"),
    // Below 5.3 a fork-like clone3 is clone (layer/fallback/process.rs).
    ("clone3", (5, 3, 0), "child exited 5", "child exited 5"),
];

/// qemu-user 7.2 (Debian 12's) does not implement preadv2, pwritev2 and
/// mlock2 for riscv64 guests, which have them from their first kernel on
/// (so no fallback applies): those lines may read ENOSYS there.
fn emulator_lacks(line: &str) -> bool {
    runner().is_some_and(|r| r.contains("riscv64"))
        && (line.starts_with("preadv2") || line.starts_with("pwritev2") || line.starts_with("mlock2"))
}

#[test]
fn fallbacks_agree_with_the_real_calls() {
    let dir = scratch("agree");
    // The reference: real calls on a real kernel, on the same file: this
    // machine's build here, or in a guest the program itself on the
    // guest's kernel (not simulated).
    let mut native = match guest() {
        Some(_) => real_kernel_command(&program("eras")),
        None => Command::new(reference_program("eras")),
    };
    let native = native.arg(&dir).arg("native").output().unwrap();
    let here = command("eras").arg(&dir).arg("here").output().unwrap();
    remove_program_dir(&dir);
    assert!(native.status.success(), "native run failed: {}", stderr(&native));
    assert!(here.status.success(), "run on {:?} failed: {}", kernel_version(), stderr(&here));
    let (want, got) = (lines(&native, "same"), lines(&here, "same"));
    assert!(want.len() >= 50, "too few lines: {}", stdout(&native));
    for (what, value) in &want {
        if emulator_lacks(what) && got.get(what).is_some_and(|v| v.contains("ENOSYS") || v.contains("[0, 0")) {
            continue;
        }
        assert_eq!(got.get(what), Some(value), "`{what}` on kernel {:?}", kernel_version());
    }
    assert_eq!(want.len(), got.len());

    let kernel = lines(&here, "kernel");
    let running = kernel_version();
    for &(what, first, below, from) in KERNEL_LINES {
        let value = kernel.get(what).unwrap_or_else(|| panic!("no `kernel {what}` line"));
        let expected = if running < first { below } else { from };
        // qemu-user lacks some newer calls (openat2, clone3, ...): there the
        // fallback's answer is right too.
        if runner().is_some() && value == below || emulator_lacks(what) && value == "ENOSYS" {
            continue;
        }
        if expected == "*" {
            assert!(!value.starts_with('E'), "`{what}` on {running:?}: {value}");
        } else {
            assert_eq!(value, expected, "`{what}` on {running:?} (first kernel {first:?})");
        }
    }
}

#[test]
fn execveat_by_path_and_by_descriptor() {
    if runner().is_some() {
        // Under qemu-user the new image would be exec'd by the host kernel,
        // which cannot run another architecture without binfmt_misc.
        return;
    }
    for mode in ["exec", "exec-fd"] {
        let out = command("eras").arg(mode).arg(program("exit_status")).output().unwrap();
        assert_eq!(out.status.code(), Some(7), "{mode}: {}{}", stdout(&out), stderr(&out));
    }
}

#[test]
fn a_floor_5_4_build_is_smaller_and_refuses_older_kernels() {
    let low = std::fs::metadata(program("eras")).unwrap().len();
    let high = std::fs::metadata(program("eras-floor-5.4")).unwrap().len();
    if target_arch() == "riscv64" {
        // riscv64 starts at 4.15: between it and 5.4 no slot has a fallback.
        assert!(high <= low, "floor 5.4: {high} bytes, floor 2.6.32 (= 4.15): {low} bytes");
    } else {
        assert!(high < low, "floor 5.4: {high} bytes, floor 2.6.32: {low} bytes");
    }

    let dir = scratch("floor");
    let out = command_for(&program("eras-floor-5.4")).arg(&dir).arg("floor").output().unwrap();
    remove_program_dir(&dir);
    let (a, b, c) = kernel_version();
    if (a, b, c) < (5, 4, 0) {
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(out.stdout.is_empty(), "nothing runs before the check");
        assert_eq!(
            stderr(&out),
            format!(
                "sys-layer: this program needs Linux 5.4.0 or later (built with SYS_LAYER_MIN_KERNEL=5.4.0), \
                 but this kernel is {a}.{b}.{c}\n"
            )
        );
    } else {
        assert!(out.status.success(), "{}", stderr(&out));
    }
}
