//! The library API, each function on a success path and an error path (the
//! `api` test program), on the kernel or emulator the suite targets.

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
