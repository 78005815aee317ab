//! The library API, each function on a success path and an error path (the
//! `api` test program), on the kernel or emulator the suite targets.
//!
//! Runs on every target and kernel: api.

use sys_layer_integration::*;

#[test]
fn every_api_function_succeeds_and_fails_as_documented() {
    let dir = program_dir("api", &[]);
    assert_checks_pass("api", &[dir.to_str().unwrap()]);
    remove_program_dir(&dir);
}

#[test]
fn api_unoptimised() {
    let dir = program_dir("api-debug", &[]);
    let out = command_for(&debug_program("api")).arg(&dir).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success() && !text.contains("FAIL"), "{text}\n{}", stderr(&out));
    remove_program_dir(&dir);
}

/// The permission errors, run as `nobody` on a directory only root may
/// write (the suite itself runs as root, which the kernel lets through).
#[test]
fn permission_denied_as_another_user() {
    use std::os::unix::process::CommandExt;
    if !running_as_root() {
        return; // needs root to switch users
    }
    let dir = program_dir("denied", &[]);
    let mut cmd = command("api");
    cmd.arg("denied").arg(&dir).uid(65534).gid(65534);
    let out = cmd.output().unwrap();
    remove_program_dir(&dir);
    let text = stdout(&out);
    assert!(out.status.success() && !text.contains("FAIL"), "{text}\n{}", stderr(&out));
}
