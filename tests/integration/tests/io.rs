//! Files and process facts, compared with what the host's std and C library
//! report for the same input.
//!
//! Runs on every target and kernel: file_io, stat_dump.

use std::io::Write;
use std::path::Path;
use sys_layer_integration::*;

#[test]
fn reads_a_file_byte_for_byte_and_reports_uname() {
    let path = std::env::temp_dir().join(format!("sys-layer-io-{}", std::process::id()));
    let content: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::File::create(&path).unwrap().write_all(&content).unwrap();
    let out = run("file_io", &[path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "{}", stderr(&out));
    let (copied, rest) = out.stdout.split_at(content.len());
    assert_eq!(copied, &content[..]);
    let rest = String::from_utf8_lossy(rest);

    // SAFETY: uname fills the struct.
    let uts = unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        assert_eq!(libc::uname(&mut u), 0);
        u
    };
    let field = |f: &[libc::c_char]| {
        // SAFETY: the fields are NUL-terminated.
        unsafe { std::ffi::CStr::from_ptr(f.as_ptr()) }.to_str().unwrap().to_owned()
    };
    let release =
        if simulated_kernel().is_some() || guest().is_some() { kernel_release() } else { field(&uts.release) };
    assert!(rest.contains(&format!("release={release}\n")), "{rest}");
    // qemu-user reports the emulated machine; a native i686 process on an
    // x86_64 kernel sees the kernel's (the guest's, in a guest).
    let machine = match guest_uname() {
        _ if runner().is_some() => target_arch(),
        Some((_, machine)) => machine.clone(),
        None => field(&uts.machine),
    };
    assert!(rest.contains(&format!("machine={machine}\n")), "{rest}");
    assert!(rest.contains("sysname=Linux\n"), "{rest}");
    if runs_directly() {
        assert!(rest.contains(&format!("ppid={} ", std::process::id())), "{rest}");
    }
    assert!(rest.contains("write to read-only fd: Err(EBADF)"), "{rest}");
    assert!(rest.contains("stdin is a terminal: false"), "{rest}");
}

#[test]
fn a_missing_file_is_an_error_with_status_1() {
    let out = run("file_io", &["/nonexistent/sys-layer-test"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "Error: No such file or directory\n");
    assert!(out.stdout.is_empty());
}

/// `fs::lstat` against the host's `std::fs::symlink_metadata` (glibc's
/// `lstat`) on the same paths: a file, a directory, a symbolic link, a
/// device, a missing path.
#[test]
fn stat_fields_match_the_host_c_library() {
    use std::os::unix::fs::MetadataExt;
    let dir = std::env::temp_dir().join(format!("sys-layer-stat-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("file"), vec![7u8; 12345]).unwrap();
    std::os::unix::fs::symlink("file", dir.join("link")).unwrap();
    let mut paths: Vec<std::path::PathBuf> =
        vec![dir.join("file"), dir.clone(), dir.join("link"), "/dev/null".into(), dir.join("missing")];
    if guest().is_some() {
        // The guest's /dev/null is its own (another inode, time, device).
        paths.retain(|p| p != Path::new("/dev/null"));
    }
    let out = command("stat_dump").args(&paths).output().unwrap();
    let text = stdout(&out);
    for (path, line) in paths.iter().zip(text.lines()) {
        let want = match std::fs::symlink_metadata(path) {
            Ok(m) => {
                let (dev, rdev) = (m.dev(), m.rdev());
                let major = |d: u64| ((d >> 8) & 0xfff) | ((d >> 32) & !0xfff);
                let minor = |d: u64| (d & 0xff) | ((d >> 12) & !0xff);
                format!(
                    "{} mode={:o} size={} ino={} nlink={} uid={} gid={} blocks={} mtime={}.{} dev={}:{} rdev={}:{}",
                    path.display(),
                    m.mode(),
                    m.size(),
                    m.ino(),
                    m.nlink(),
                    m.uid(),
                    m.gid(),
                    m.blocks(),
                    m.mtime(),
                    m.mtime_nsec(),
                    major(dev),
                    minor(dev),
                    major(rdev),
                    minor(rdev)
                )
            }
            Err(_) => format!("{} error=ENOENT", path.display()),
        };
        assert_eq!(seen_here(line), seen_here(&want));
    }
    assert_eq!(text.lines().count(), paths.len());
    std::fs::remove_dir_all(&dir).ok();
}

/// A `stat_dump` line as this machine can compare it: in a guest, the
/// shared directory is a 9p mount, with its own device and inode numbers.
fn seen_here(line: &str) -> String {
    match guest() {
        Some(_) => {
            line.split(' ').filter(|f| !f.starts_with("ino=") && !f.starts_with("dev=")).collect::<Vec<_>>().join(" ")
        }
        None => line.to_owned(),
    }
}

/// Runs `program` with standard output on `/dev/full`; (stderr, status).
fn run_on_full_disk(program: &str, args: &[&str]) -> (String, Option<i32>) {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = command(program).args(args).stdin(std::process::Stdio::null()).stdout(full).output().unwrap();
    (stderr(&out), out.status.code())
}

#[test]
fn a_failed_write_of_standard_output_is_reported_at_exit() {
    // As GNU's close_stdout: the reason when the last write failed, status
    // 1 instead of 0, and a status main chose is kept.
    let full = "stdout_errors: write error: No space left on device\n";
    assert_eq!(run_on_full_disk("stdout_errors", &["print", "0"]), (full.to_owned(), Some(1)));
    assert_eq!(run_on_full_disk("stdout_errors", &["print", "3"]), (full.to_owned(), Some(3)));
    assert_eq!(run_on_full_disk("hello", &[]), ("hello: write error: No space left on device\n".to_owned(), Some(1)));
    // Only an earlier write failed: no reason, as GNU.
    assert_eq!(run_on_full_disk("stdout_errors", &["early"]), ("stdout_errors: write error\n".to_owned(), Some(1)));
}

#[test]
fn flush_gives_the_write_error_to_the_program_and_exit_does_not_repeat_it() {
    assert_eq!(run_on_full_disk("stdout_errors", &["flush"]), ("flush: No space left on device\n".to_owned(), Some(0)));
    // A later failure is reported again.
    assert_eq!(
        run_on_full_disk("stdout_errors", &["flush-then-print"]),
        ("flush: No space left on device\nstdout_errors: write error: No space left on device\n".to_owned(), Some(1))
    );
    let out = run("stdout_errors", &["flush-then-print"]);
    assert_eq!(
        (stdout(&out).as_str(), stderr(&out).as_str(), out.status.code()),
        ("a line for standard output\nanother line\n", "flush: ok\n", Some(0))
    );
}
