//! The `cat`, `wc` and `ls` examples against GNU coreutils on the same
//! inputs: standard output byte for byte, standard error, and exit status.
//! The GNU tools run on this machine (`LC_ALL=C`); the examples run on the
//! kernel or emulator the suite targets.
//!
//! Runs on every target and kernel: cat, wc, ls.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use sys_layer_integration::*;

/// A directory of awkward inputs, made once per test.
fn fixture(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sys-layer-coreutils-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub/deeper")).unwrap();
    let write = |name: &str, data: &[u8]| std::fs::write(dir.join(name), data).unwrap();
    write("empty", b"");
    write("no-newline", b"last line without one");
    write("text", b"one two  three\n\tfour\x0bfive\x0csix\r\n\n  \nseven\n");
    write("controls", b"a b\x01c\td\n\x7f  e\xc3\xa9f\n\x00\x00 x");
    let binary: Vec<u8> = (0..70_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    write("binary", &binary);
    write(".hidden", b"dot\n");
    write("sub/inner", b"inner\n");
    for i in 0..300 {
        write(&format!("sub/entry-{i:03}-with-a-name-long-enough-to-need-several-reads"), b"");
    }
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"caf\xc3\xa9 and \xff")), b"bytes\n").unwrap();
    std::os::unix::fs::symlink("text", dir.join("link-to-text")).unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("dangling")).unwrap();
    std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
    dir
}

/// How long a case may run: far more than any needs, far less than
/// copying a file into itself or reading 5 GiB takes.
const DEADLINE: Duration = Duration::from_secs(20);

struct Outcome {
    stdout: Vec<u8>,
    stderr: String,
    status: Option<i32>,
}

/// Where a case's standard input and output come from and go.
#[derive(Clone, Copy)]
struct Redirect<'a> {
    /// A file of the fixture, or empty.
    stdin: Option<&'a str>,
    /// Standard input's offset in that file.
    stdin_offset: u64,
    /// A file standard output appends to (else a pipe that is read).
    stdout_append: Option<&'a str>,
    /// Standard output on `/dev/full`.
    stdout_full: bool,
    /// A command and arguments the program runs under (`strace ...`).
    wrapper: &'a [&'a str],
}

const PLAIN: Redirect<'static> =
    Redirect { stdin: None, stdin_offset: 0, stdout_append: None, stdout_full: false, wrapper: &[] };

fn run_with(cmd: Command, dir: &Path, redirect: Redirect<'_>) -> Outcome {
    let mut cmd = match redirect.wrapper.split_first() {
        Some((first, rest)) => {
            let mut wrapped = Command::new(first);
            wrapped.args(rest).arg(cmd.get_program()).args(cmd.get_args());
            wrapped
        }
        None => cmd,
    };
    cmd.current_dir(dir).env("LC_ALL", "C");
    cmd.stdin(match redirect.stdin {
        Some(f) => {
            let mut file = std::fs::File::open(dir.join(f)).unwrap();
            std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(redirect.stdin_offset)).unwrap();
            Stdio::from(file)
        }
        None => Stdio::null(),
    });
    if let Some(f) = redirect.stdout_append {
        cmd.stdout(std::fs::OpenOptions::new().append(true).open(dir.join(f)).unwrap());
    } else if redirect.stdout_full {
        cmd.stdout(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
    } else {
        cmd.stdout(Stdio::piped());
    }
    cmd.stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // A watchdog ends a case that runs past the deadline.
    let pid = child.id() as libc::pid_t;
    let finished = std::sync::Arc::new(std::sync::Mutex::new(false));
    let watchdog = {
        let finished = finished.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            while start.elapsed() < DEADLINE {
                std::thread::sleep(Duration::from_millis(10));
                if *finished.lock().unwrap() {
                    return false;
                }
            }
            let finished = finished.lock().unwrap();
            if !*finished {
                // SAFETY: kill takes no pointers; pid is our child, not yet
                // reaped (finished is set only after the wait, under the lock).
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            !*finished
        })
    };
    let out = child.wait_with_output().unwrap();
    *finished.lock().unwrap() = true;
    assert!(!watchdog.join().unwrap(), "{cmd:?} still running after {DEADLINE:?}: killed");
    Outcome { stdout: out.stdout, stderr: String::from_utf8_lossy(&out.stderr).into_owned(), status: out.status.code() }
}

/// Runs GNU `tool` and the example of the same name with `args` (and
/// `stdin`, a file of the fixture), and compares everything.
fn compare(dir: &Path, tool: &str, args: &[&str], stdin: Option<&str>) {
    compare_redirected(dir, tool, args, Redirect { stdin, ..PLAIN });
}

/// As [`compare`], with `args` as bytes (names that are not UTF-8).
fn compare_bytes(dir: &Path, tool: &str, args: &[&[u8]]) {
    let args: Vec<&OsStr> = args.iter().map(|a| OsStr::from_bytes(a)).collect();
    compare_os(dir, tool, &args, PLAIN);
}

/// As [`compare`], with standard input and output as `redirect` says.
fn compare_redirected(dir: &Path, tool: &str, args: &[&str], redirect: Redirect<'_>) {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    compare_os(dir, tool, &args, redirect);
}

fn compare_os(dir: &Path, tool: &str, args: &[&OsStr], redirect: Redirect<'_>) {
    let mut gnu = Command::new(tool);
    gnu.args(args);
    let want = run_with(gnu, dir, redirect);
    let mut ours = command(tool);
    ours.args(args);
    let got = run_with(ours, dir, redirect);
    let what = format!(
        "{tool} {args:?} < {:?} at {} > {:?}{} under {:?}",
        redirect.stdin,
        redirect.stdin_offset,
        redirect.stdout_append,
        if redirect.stdout_full { " /dev/full" } else { "" },
        redirect.wrapper
    );
    assert!(
        got.stdout == want.stdout,
        "{what}: stdout\n--- GNU\n{}\n--- ours\n{}",
        lossy(&want.stdout),
        lossy(&got.stdout)
    );
    assert_eq!(got.stderr, want.stderr, "{what}: stderr");
    assert_eq!(got.status, want.status, "{what}: exit status");
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(2000)]).into_owned()
}

#[test]
fn cat_behaves_like_gnu_cat() {
    let dir = fixture("cat");
    for (args, stdin) in [
        (&["text", "no-newline", "empty", "binary"][..], None),
        (&[][..], Some("controls")),
        (&["-"][..], Some("text")),
        (&["no-newline", "-", "text"][..], Some("controls")),
        (&["missing", "text"][..], None),
        (&["sub", "text", "missing-too"][..], None),
        (&["link-to-text"][..], None),
    ] {
        compare(&dir, "cat", args, stdin);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn wc_behaves_like_gnu_wc() {
    let dir = fixture("wc");
    for (args, stdin) in [
        (&["text"][..], None),
        (&["-l", "text"][..], None),
        (&["-w", "controls"][..], None),
        (&["-c", "binary"][..], None),
        (&["-lw", "text", "controls"][..], None),
        (&["text", "no-newline", "empty", "binary", "controls"][..], None),
        (&[][..], Some("text")),
        (&["-l"][..], Some("binary")),
        (&["-", "text"][..], Some("controls")),
        (&["missing"][..], None),
        (&["text", "missing", "controls"][..], None),
        (&["-lc", "sub"][..], None),
        (&["sub", "text"][..], None),
        (&["--", "text"][..], None),
    ] {
        compare(&dir, "wc", args, stdin);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ls_behaves_like_gnu_ls() {
    let dir = fixture("ls");
    for args in [
        &["-1a"][..],
        &["-1a", "."][..],
        &["-1a", "sub"][..],
        &["-1a", "sub/deeper"][..],
        &["-1a", "sub", "text", "."][..],
        &["-1a", "missing"][..],
        &["-1a", "missing", "sub/deeper"][..],
    ] {
        compare(&dir, "ls", args, None);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `strace` arguments that make the `when`-th call of `syscall` fail with
/// `EIO`, or `None` (with the reason printed) where that cannot work.
fn inject_eio(syscall: &str, when: u32) -> Option<Vec<String>> {
    if let Some(r) = runner() {
        eprintln!("skipped: strace cannot inject into the system calls of a program {r} emulates");
        return None;
    }
    if guest().is_some() {
        eprintln!("skipped: strace here cannot inject into the system calls of a program in a guest");
        return None;
    }
    assert!(
        Command::new("strace").arg("-V").output().is_ok_and(|o| o.status.success()),
        "strace is missing (ci/setup.sh installs it)"
    );
    Some(
        ["strace", "-f", "-o", "/dev/null", "-e", &format!("inject={syscall}:error=EIO:when={when}")]
            .map(String::from)
            .to_vec(),
    )
}

#[test]
fn write_errors_are_reported_as_gnu_reports_them() {
    let dir = fixture("write-errors");
    let full = Redirect { stdout_full: true, ..PLAIN };
    for (tool, args) in [
        ("cat", &["text", "binary"][..]),
        ("cat", &["text", "missing", "binary"][..]),
        ("wc", &["text"][..]),
        ("wc", &["text", "binary", "controls"][..]),
        ("wc", &["missing", "text"][..]),
        ("ls", &["-1a", "sub"][..]),
        ("ls", &["-1a", "sub/deeper"][..]),
        ("ls", &["-1a", "missing", "sub/deeper"][..]),
    ] {
        compare_redirected(&dir, tool, args, full);
    }
    if let Some(strace) = inject_eio("write", 1) {
        let strace: Vec<&str> = strace.iter().map(String::as_str).collect();
        let injected = Redirect { wrapper: &strace, ..PLAIN };
        compare_redirected(&dir, "wc", &[], Redirect { stdin: Some("text"), ..injected });
        compare_redirected(&dir, "ls", &["-1a", "sub/deeper"], injected);
        compare_redirected(&dir, "cat", &["text", "controls"], injected);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_small_stack_is_enough() {
    let dir = fixture("small-stack");
    let small_stack = Redirect { wrapper: &["sh", "-c", "ulimit -s 64 && exec \"$@\"", "sh"], ..PLAIN };
    compare_redirected(&dir, "cat", &["binary", "text"], small_stack);
    compare_redirected(&dir, "wc", &["binary", "text"], small_stack);
    compare_redirected(&dir, "ls", &["-1a", "sub"], small_stack);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cat_refuses_to_copy_a_file_into_itself() {
    let dir = fixture("cat-self");
    // A file-size limit bounds what a cat that copies anyway could write.
    let limited: &[&str] = &["sh", "-c", "ulimit -f 1024 && exec \"$@\"", "sh"];
    let before = std::fs::read(dir.join("text")).unwrap();
    let appended = std::fs::read(dir.join("no-newline")).unwrap();
    for (args, stdin, output) in [
        (&["text"][..], None, "text"),
        (&["-"][..], Some("text"), "text"),
        (&["no-newline", "text", "empty"][..], None, "text"),
        (&["empty"][..], None, "empty"),
        (&["text"][..], None, "no-newline"),
    ] {
        compare_redirected(
            &dir,
            "cat",
            args,
            Redirect { stdin, stdout_append: Some(output), wrapper: limited, ..PLAIN },
        );
    }
    // GNU cat and ours each appended no-newline to text, and nothing else.
    let expected = [&before[..], &appended, &appended].concat();
    assert!(std::fs::read(dir.join("text")).unwrap() == expected, "text was copied into itself");
    // Standard input already at the end: nothing left to copy, no refusal.
    let end = before.len() as u64;
    compare_redirected(
        &dir,
        "cat",
        &["-"],
        Redirect { stdin: Some("text"), stdin_offset: end, stdout_append: Some("text"), wrapper: limited, ..PLAIN },
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn names_are_bytes_and_quoted_as_gnu_quotes_them() {
    let dir = fixture("names");
    let odd: &[u8] = b"f\xff\xfe";
    std::fs::write(dir.join(OsStr::from_bytes(odd)), b"odd name\n").unwrap();
    let named: &[u8] = b"caf\xc3\xa9 and \xff";
    compare_bytes(&dir, "wc", &[odd]);
    compare_bytes(&dir, "wc", &[b"-c", odd, named]);
    compare_bytes(&dir, "cat", &[odd, named]);
    compare_bytes(&dir, "ls", &[b"-1a", odd, named, b"."]);
    for missing in [&b"missing\xff"[..], b"\xffa", b"it's", b"a b", b"x:y", b"a\nb\tc", b"a{b'", b"#x", b"{", b"ok@"] {
        compare_bytes(&dir, "cat", &[missing]);
        compare_bytes(&dir, "wc", &[missing]);
        compare_bytes(&dir, "ls", &[b"-1a", missing]);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ls_lists_links_it_cannot_follow_and_what_it_read_before_an_error() {
    let dir = fixture("ls-links");
    compare(&dir, "ls", &["-1a", "dangling"], None);
    compare(&dir, "ls", &["-1a", "loop", "dangling", "missing", "sub/deeper"], None);
    if let Some(strace) = inject_eio("getdents64", 2) {
        let strace: Vec<&str> = strace.iter().map(String::as_str).collect();
        let injected = Redirect { wrapper: &strace, ..PLAIN };
        compare_redirected(&dir, "ls", &["-1a", "sub/deeper"], injected);
        compare_redirected(&dir, "ls", &["-1a", "text", "sub/deeper"], injected);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn wc_c_answers_from_the_size_of_a_regular_file() {
    let dir = fixture("wc-size");
    // Sparse: reading them would take minutes, past the deadline.
    let huge = 64u64 << 30;
    for (name, size) in [("huge", huge), ("huge-plus-one", huge + 1)] {
        std::fs::File::create(dir.join(name)).unwrap().set_len(size).unwrap();
    }
    compare(&dir, "wc", &["-c", "huge-plus-one", "huge", "text"], None);
    compare(&dir, "wc", &["-c"], Some("huge-plus-one"));
    // From an offset: the bytes after it.
    for (file, offset) in [("huge-plus-one", 1000), ("huge", 1000), ("text", 5), ("text", 1000)] {
        compare_redirected(&dir, "wc", &["-c"], Redirect { stdin: Some(file), stdin_offset: offset, ..PLAIN });
    }
    std::fs::remove_dir_all(&dir).ok();
}
