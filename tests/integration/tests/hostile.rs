//! Hostile or unlucky environments, as a user's would create them: an
//! `EPERM` the kernel means, an `EPERM` filter, a filter that fakes
//! `mseal`, a refused `mprotect`, a faked `uname`, and a set-id program
//! started with standard error closed.
//!
//! Runs on every target and kernel: hostile, hello.

use std::path::PathBuf;
use std::process::{Command, Output};
use sys_layer_integration::*;

/// A scratch directory holding empty files `a` and `c`.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sys-layer-hostile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a", "c"] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    dir
}

fn output(mut cmd: Command) -> Output {
    cmd.stdin(std::process::Stdio::null()).output().expect("spawn")
}

fn has(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success())
}

#[test]
fn an_eperm_the_kernel_means_reaches_the_caller_and_the_call_stays() {
    if !runs_directly() || !has("strace") {
        eprintln!("skipped: strace injects faults into programs run directly on this kernel");
        return;
    }
    let dir = scratch("eperm");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-o", "/dev/null", "-e", "inject=renameat2:error=EPERM:when=1"])
        .args(["-e", "inject=openat2:error=EPERM:when=1"])
        .arg(program("hostile"))
        .arg("refusals")
        .arg(&dir);
    let out = output(cmd);
    let text = stdout(&out);
    // A single EPERM (as from a sticky directory) is the call's answer; the
    // next call still reaches the kernel, with its flags, instead of a
    // fallback that cannot honour them.
    let (new_renames, new_opens) = {
        let (a, b, _) = kernel_version();
        ((a, b) >= (3, 15), (a, b) >= (5, 6))
    };
    if new_renames {
        assert!(text.contains("renameat2 1: EPERM\nrenameat2 2: ok\n"), "{text}{}", stderr(&out));
    }
    if new_opens {
        assert!(text.contains("openat2 1: EPERM\nopenat2 2: ok\n"), "{text}{}", stderr(&out));
    }
}

#[test]
fn an_eperm_filter_turns_slots_to_their_fallbacks() {
    let Some(mut cmd) = filtered_command("hostile", &["renameat2=EPERM", "openat2=EPERM"]) else {
        eprintln!("skipped: kernel-sim filters x86 programs only");
        return;
    };
    let dir = scratch("filter");
    cmd.arg("refusals").arg(&dir);
    let out = output(cmd);
    let text = stdout(&out);
    // The fallbacks cannot honour RENAME_NOREPLACE or RESOLVE_BENEATH, and
    // say so rather than drop them.
    assert_eq!(
        text,
        "renameat2 1: ENOSYS\nrenameat2 2: ENOSYS\nopenat2 1: ENOSYS\nopenat2 2: ENOSYS\n",
        "{}",
        stderr(&out)
    );
    assert!(dir.join("a").exists() && !dir.join("b").exists());
}

#[test]
fn a_faked_mseal_is_not_reported_as_sealed() {
    let Some(cmd) = filtered_command("hello", &["mseal=0"]) else {
        eprintln!("skipped: kernel-sim filters x86 programs only");
        return;
    };
    let out = output(cmd);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("read-only, not sealed (mseal answered 0 but mprotect still works)"), "{text}");
}

#[test]
fn a_table_that_cannot_be_made_read_only_stops_the_program() {
    let Some(cmd) = filtered_command("hello", &["mprotect=EPERM"]) else {
        eprintln!("skipped: kernel-sim filters x86 programs only");
        return;
    };
    let out = output(cmd);
    assert_eq!(out.status.code(), Some(127), "{}", stdout(&out));
    assert!(out.stdout.is_empty(), "main ran: {}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "sys-layer: cannot start: binding the syscall layer: a stub table could not be made read-only \
         (mprotect failed)\n"
    );
}

#[test]
fn a_faked_uname_does_not_change_the_kernel_version() {
    if !runs_directly() || !has("setarch") {
        eprintln!("skipped: setarch changes the personality of programs run directly on this kernel");
        return;
    }
    let plain = stdout(&output(command("hello")));
    if !plain.contains("from the vDSO's version note") {
        eprintln!("skipped: this kernel's vDSO has no version note");
        return;
    }
    let mut cmd = Command::new("setarch");
    cmd.args([std::env::consts::ARCH, "--uname-2.6"]).arg(program("hello"));
    let out = output(cmd);
    let faked = stdout(&out);
    assert!(out.status.success(), "{faked}{}", stderr(&out));
    let version = |text: &str| text.lines().find_map(|l| l.split("(read as ").nth(1)).map(str::to_owned);
    assert!(faked.contains("  kernel: 2.6."), "the personality did not change uname: {faked}");
    assert_eq!(version(&faked), version(&plain));
    // mseal is tried whatever the version: the protection is the same.
    let protection =
        |text: &str| text.lines().find(|l| l.contains("table at")).map(|l| l.rsplit(", ").next().map(str::to_owned));
    assert_eq!(protection(&faked), protection(&plain));
}

#[test]
fn a_set_id_program_started_with_stderr_closed_keeps_it_closed_to_its_files() {
    if !runs_directly() || !running_as_root() || !has("setpriv") {
        eprintln!("skipped: needs root, setpriv, and programs run directly on this kernel");
        return;
    }
    let dir = scratch("setid");
    let copy = dir.join("hostile-setuid");
    copy_program("hostile", &copy);
    let log = dir.join("root-owned.log");
    std::fs::write(&log, b"").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let script = r#"exec "$0" open-report "$1" 2>&-"#;

    // Set-id (AT_SECURE), run as nobody: descriptor 2 is /dev/null before
    // main, so the file gets the next number and none of its messages.
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", script]).arg(&copy).arg(&log);
    let out = output(cmd);
    assert_eq!(stdout(&out), "opened fd 3\n", "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "");

    // Not set-id: as with any C library, the caller's closed descriptor is
    // the program's business.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script]).arg(program("hostile")).arg(&log);
    let out = output(cmd);
    assert_eq!(stdout(&out), "opened fd 2\n", "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "a message for standard error\n");
}
