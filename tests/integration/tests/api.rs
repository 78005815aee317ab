//! The library API, each function on a success path and an error path (the
//! `api` test program), on the kernel or emulator the suite targets.
//!
//! Runs on every target and kernel: api.

use sys_layer_integration::*;

#[test]
fn every_api_function_succeeds_and_fails_as_documented() {
    let dir = std::env::temp_dir().join(format!("sys-layer-api-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The program compares getcwd with the path it was given: no symlinks.
    let dir = dir.canonicalize().unwrap();
    assert_checks_pass("api", &[dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn api_unoptimised() {
    let dir = std::env::temp_dir().join(format!("sys-layer-api-debug-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let out = command_for(&debug_program("api")).arg(&dir).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success() && !text.contains("FAIL"), "{text}\n{}", stderr(&out));
    std::fs::remove_dir_all(&dir).ok();
}

/// The permission errors, run as `nobody` on a directory only root may
/// write (the suite itself runs as root, which the kernel lets through).
#[test]
fn permission_denied_as_another_user() {
    use std::os::unix::process::CommandExt;
    if unsafe_geteuid() != 0 {
        return; // needs root to switch users
    }
    let dir = std::env::temp_dir().join(format!("sys-layer-denied-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = command("api");
    cmd.arg("denied").arg(&dir).uid(65534).gid(65534);
    let out = cmd.output().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let text = stdout(&out);
    assert!(out.status.success() && !text.contains("FAIL"), "{text}\n{}", stderr(&out));
}

fn unsafe_geteuid() -> u32 {
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { libc::geteuid() }
}
