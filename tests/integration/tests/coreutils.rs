//! The `cat`, `wc` and `ls` examples against GNU coreutils on the same
//! inputs: standard output byte for byte, standard error, and exit status.
//! The GNU tools run on this machine (`LC_ALL=C`); the examples run on the
//! kernel or emulator the suite targets.
//!
//! Runs on every target and kernel: cat, wc, ls.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
    dir
}

struct Outcome {
    stdout: Vec<u8>,
    stderr: String,
    status: Option<i32>,
}

fn run_with(mut cmd: Command, dir: &Path, stdin: Option<&str>) -> Outcome {
    cmd.current_dir(dir).env("LC_ALL", "C");
    cmd.stdin(match stdin {
        Some(f) => Stdio::from(std::fs::File::open(dir.join(f)).unwrap()),
        None => Stdio::null(),
    });
    let out = cmd.output().unwrap();
    Outcome { stdout: out.stdout, stderr: String::from_utf8_lossy(&out.stderr).into_owned(), status: out.status.code() }
}

/// Runs GNU `tool` and the example of the same name with `args` (and
/// `stdin`, a file of the fixture), and compares everything.
fn compare(dir: &Path, tool: &str, args: &[&str], stdin: Option<&str>) {
    let mut gnu = Command::new(tool);
    gnu.args(args);
    let want = run_with(gnu, dir, stdin);
    let mut ours = command(tool);
    ours.args(args);
    let got = run_with(ours, dir, stdin);
    let what = format!("{tool} {args:?} < {stdin:?}");
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
