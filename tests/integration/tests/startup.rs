//! Start-up: arguments, environment, exit status, panics, and what happens
//! before main.
//!
//! Runs on every target and kernel: args_env, exit_status, minimal, panics, sealed_write.

use std::ffi::CString;
use std::os::unix::process::ExitStatusExt;
use sys_layer_integration::*;

#[test]
fn arguments_round_trip() {
    let args = ["plain", "with space", "", "ünïcödé", "--flag=x"];
    let out = command("args_env").args(args).env_clear().env("SYS_LAYER_PROBE", "a=b=c").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = stdout_without_simulator_env(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("argc={}", args.len() + 1));
    assert_eq!(lines[1], format!("arg={}", program("args_env").display()), "argv[0] is the path run");
    for (i, a) in args.iter().enumerate() {
        assert_eq!(lines[2 + i], format!("arg={a}"));
    }
    assert_eq!(lines[2 + args.len()], "env=SYS_LAYER_PROBE=a=b=c");
    assert_eq!(lines[3 + args.len()], "probe=a=b=c", "a value may itself hold '='");
}

#[test]
fn empty_environment() {
    let out = command("args_env").env_clear().output().unwrap();
    assert!(out.status.success());
    let text = stdout_without_simulator_env(&out);
    assert_eq!(text, format!("argc=1\narg={}\nprobe unset\n", program("args_env").display()));
}

#[test]
fn environment_order_and_lookup() {
    let out =
        command("args_env").env_clear().env("A", "1").env("SYS_LAYER_PROBEX", "no").env("B", "").output().unwrap();
    let text = stdout_without_simulator_env(&out);
    let envs: Vec<&str> = text.lines().filter(|l| l.starts_with("env=")).collect();
    assert_eq!(envs.len(), 3);
    assert!(envs.contains(&"env=A=1") && envs.contains(&"env=B="));
    assert!(text.contains("probe unset"), "a longer name must not match: {text}");
}

/// `execve` with an empty argv. Kernels from 5.18 on substitute `[""]`;
/// older ones really start the program with argc = 0. Either way it must
/// start and report what it got. (The argc = 0 stack itself is covered by
/// the host unit tests of `auxv`.)
#[test]
fn empty_argv_survives() {
    if !runs_directly() {
        return; // spawned directly: a property of the real kernel's execve
    }
    let path = CString::new(program("args_env").to_str().unwrap()).unwrap();
    let out_path = std::env::temp_dir().join(format!("sys-layer-argc0-{}", std::process::id()));
    let out_c = CString::new(out_path.to_str().unwrap()).unwrap();
    let argv: [*mut libc::c_char; 1] = [std::ptr::null_mut()];
    let envp: [*mut libc::c_char; 1] = [std::ptr::null_mut()];
    let mut pid = 0;
    // SAFETY: all pointers are valid for the calls; posix_spawn copies what it needs.
    unsafe {
        let mut fa = std::mem::zeroed();
        assert_eq!(libc::posix_spawn_file_actions_init(&mut fa), 0);
        libc::posix_spawn_file_actions_addopen(
            &mut fa,
            1,
            out_c.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC,
            0o600,
        );
        assert_eq!(libc::posix_spawn(&mut pid, path.as_ptr(), &fa, std::ptr::null(), argv.as_ptr(), envp.as_ptr()), 0);
        let mut status = 0;
        assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "status {status:#x}");
        libc::posix_spawn_file_actions_destroy(&mut fa);
    }
    let text = std::fs::read_to_string(&out_path).unwrap();
    std::fs::remove_file(&out_path).ok();
    assert!(text == "argc=0\nprobe unset\n" || text == "argc=1\narg=\nprobe unset\n", "got {text:?}");
}

#[test]
fn exit_status_comes_from_main() {
    for (arg, code) in [("0", 0), ("3", 3), ("255", 255), ("256", 0)] {
        let out = run("exit_status", &[arg]);
        assert_eq!(out.status.code(), Some(code), "exit_status {arg}");
    }
}

#[test]
fn an_error_from_main_is_printed_and_exits_1() {
    let out = run("exit_status", &["err"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "Error: No such file or directory\n");
}

#[test]
fn panic_flushes_stdout_prints_location_and_exits_101() {
    let out = run("panics", &["x", "y"]);
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(stdout(&out), "before the panic");
    assert_eq!(stderr(&out), "panicked at tests/programs/src/bin/panics.rs:13:5:\nboom 44\n");
}

/// Runs `minimal` under strace and counts the system calls before main:
/// everything but `exit_group`, `execve` included.
#[test]
fn at_most_8_syscalls_before_main() {
    if !runs_directly() {
        return; // strace would count kernel-sim's or the emulator's own calls
    }
    let log = std::env::temp_dir().join(format!("sys-layer-strace-{}", std::process::id()));
    let status = std::process::Command::new("strace")
        .arg("-o")
        .arg(&log)
        .arg(program("minimal"))
        .status()
        .expect("strace (ci/setup.sh installs it)");
    assert!(status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).ok();
    let calls: Vec<&str> = text.lines().filter(|l| !l.starts_with("+++") && !l.starts_with("exit_group")).collect();
    assert!(calls.len() <= 8, "{} calls before main:\n{text}", calls.len());
    assert!(calls[0].starts_with("execve("), "{text}");
    assert!(!text.contains("cpuid"), "never CPUID at start-up");
}

#[test]
fn killed_by_a_signal_is_reported_as_such() {
    // The harness itself must tell a signal from an exit code: the sealed
    // table test depends on it.
    let out = run("sealed_write", &[]);
    assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "{out:?}");
}
