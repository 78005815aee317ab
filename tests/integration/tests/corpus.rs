//! The corpus (tests/corpus): programs on popular `no_std` + `alloc` crates
//! from crates.io (sha2, miniz_oxide with crc32fast, serde + serde_json with
//! derive, hashbrown, regex-automata, chrono), run on the kernel, emulator
//! or simulated kernel the suite targets. Each output is compared with the
//! same code built for the host with std (`corpus-reference`) and, where
//! one exists, with a system tool (`sha256sum`, `gzip`, `grep`, `date`) or
//! a computation here.
//!
//! Runs on every target and kernel: the corpus programs.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use sys_layer_integration::*;

/// Runs `cmd` with `input` on standard input.
fn pipe(mut cmd: Command, input: &[u8]) -> Output {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("LC_ALL", "C");
    let mut child = cmd.spawn().expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Corpus program `name` (built by ci/build-programs.sh as `corpus-NAME`).
fn corpus(name: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut cmd = command(&format!("corpus-{name}"));
    cmd.args(args);
    let out = pipe(cmd, input);
    assert!(out.status.success(), "corpus {name} {args:?}: {:?}\n{}", out.status, stderr(&out));
    out.stdout
}

/// The reference: the same logic on the host with std, built once.
fn reference(name: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    let exe = EXE.get_or_init(|| {
        let root = root();
        let target_dir = root.join("target/corpus");
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "--locked", "--release", "-p", "corpus-reference", "--manifest-path"]);
        build.arg(root.join("tests/corpus/Cargo.toml")).env("CARGO_TARGET_DIR", &target_dir);
        for (k, _) in std::env::vars() {
            if k.starts_with("CARGO_TARGET_") || k.contains("RUSTFLAGS") || k == "CARGO_BUILD_TARGET" {
                build.env_remove(k);
            }
        }
        let out = build.output().unwrap();
        assert!(out.status.success(), "building corpus-reference:\n{}", String::from_utf8_lossy(&out.stderr));
        target_dir.join("release/corpus-reference")
    });
    let mut cmd = Command::new(exe);
    cmd.arg(name).args(args);
    let out = pipe(cmd, input);
    assert!(out.status.success(), "reference {name}: {}", stderr(&out));
    out.stdout
}

/// A system tool's output for `input`.
fn tool(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    let out = pipe(cmd, input);
    assert!(out.status.success(), "{program} {args:?}: {}", stderr(&out));
    out.stdout
}

/// Deterministic text: words, numbers, identifiers with digits and ISO
/// dates, in lines, about `size` bytes.
fn text(size: usize) -> Vec<u8> {
    const WORDS: [&str; 12] =
        ["the", "kernel", "table", "stub", "binder", "a", "seal", "layer", "of", "é", "x86", "rust"];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::with_capacity(size + 64);
    while out.len() < size {
        let r = next();
        let word = match r % 7 {
            0 => format!("{}", r % 100_000),
            1 => format!("id{}", r % 997),
            2 => format!("{:04}-{:02}-{:02}", 1900 + r % 300, 1 + r % 12, 1 + r % 28),
            _ => WORDS[(r >> 8) as usize % WORDS.len()].to_owned(),
        };
        out.extend_from_slice(word.as_bytes());
        out.push(if r % 11 == 0 {
            b'\n'
        } else if r % 13 == 0 {
            b'\t'
        } else {
            b' '
        });
    }
    out.push(b'\n');
    out
}

#[test]
fn sha256_matches_sha256sum() {
    for input in [Vec::new(), b"abc".to_vec(), text(150_000)] {
        let got = corpus("sha256", &[], &input);
        assert_eq!(got, tool("sha256sum", &[], &input), "sha256 of {} bytes", input.len());
        assert_eq!(got, reference("sha256", &[], &input));
    }
}

#[test]
fn gzip_output_is_read_back_by_gzip() {
    for input in [Vec::new(), text(200_000)] {
        let compressed = corpus("gzip", &[], &input);
        assert!(compressed.len() < input.len() * 3 / 4 + 32, "compressed {} to {}", input.len(), compressed.len());
        assert_eq!(tool("gzip", &["-d", "-c"], &compressed), input, "gzip -d of {} bytes", input.len());
        assert_eq!(compressed, reference("gzip", &[], &input));
    }
}

#[test]
fn gunzip_reads_what_gzip_writes() {
    let input = text(120_000);
    for level in ["-1", "-9"] {
        let compressed = tool("gzip", &["-c", level], &input);
        assert_eq!(corpus("gunzip", &[], &compressed), input, "gzip {level}");
    }
    // A named file: the header carries its name (FNAME).
    let dir = std::env::temp_dir().join(format!("sys-layer-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("named.txt");
    std::fs::write(&file, &input).unwrap();
    let named = Command::new("gzip").arg("-c").arg(&file).output().unwrap().stdout;
    assert_ne!(named[3] & 8, 0, "gzip wrote no file name");
    assert_eq!(corpus("gunzip", &[], &named), input);
    let _ = std::fs::remove_dir_all(&dir);
    // Corrupt data is refused, as by the reference.
    let mut bad = tool("gzip", &["-c"], &input);
    let n = bad.len();
    bad[n - 6] ^= 1;
    let out = pipe(command("corpus-gunzip"), &bad);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("CRC-32"), "{}", stderr(&out));
}

#[test]
fn json_with_derive_matches_the_host() {
    let customers = ["Ada", "Grace \"Amazing\" H.", "Linus", "Zoë"];
    let mut orders = Vec::new();
    let mut cents: HashMap<&str, u64> = HashMap::new();
    for id in 0..400u64 {
        let customer = customers[(id * 7 % 4) as usize];
        let items: Vec<String> = (0..1 + id % 4)
            .map(|k| {
                let (qty, price) = (1 + (id + k) % 5, 99 + (id * 31 + k * 17) % 5000);
                *cents.entry(customer).or_default() += qty * price;
                format!(r#"{{"sku":"S-{id}-{k}","qty":{qty},"price_cents":{price}}}"#)
            })
            .collect();
        let note = if id % 9 == 0 { format!(r#","note":"call before {id}\n""#) } else { String::new() };
        let name = customer.replace('"', "\\\"");
        orders.push(format!(r#"{{"id":{id},"customerName":"{name}","items":[{}]{note}}}"#, items.join(",")));
    }
    let input = format!("[\n{}\n]", orders.join(",\n")).into_bytes();
    let got = corpus("json", &[], &input);
    assert_eq!(got, reference("json", &[], &input));
    let text = String::from_utf8(got).unwrap();
    for (customer, total) in cents {
        let name = customer.replace('"', "\\\"");
        let at = text.find(&format!("\"{name}\": {{")).unwrap_or_else(|| panic!("{customer} missing:\n{text}"));
        assert!(text[at..].contains(&format!("\"cents\": {total},")), "{customer}: {total} cents\n{text}");
    }
    // Malformed input: an error message, status 1.
    let out = pipe(command("corpus-json"), b"[{\"id\": 1,");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("parse: "), "{}", stderr(&out));
}

#[test]
fn word_counts_in_hashbrown_match_std() {
    let input = text(100_000);
    let mut counts: HashMap<&[u8], usize> = HashMap::new();
    for w in input.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()) {
        *counts.entry(w).or_default() += 1;
    }
    let mut list: Vec<_> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut want = Vec::new();
    for (w, n) in list {
        want.extend_from_slice(format!("{n} ").as_bytes());
        want.extend_from_slice(w);
        want.push(b'\n');
    }
    let got = corpus("words", &[], &input);
    assert_eq!(got, want);
    assert_eq!(got, reference("words", &[], &input));
}

#[test]
fn regex_matches_grep() {
    let input = text(80_000);
    for pattern in ["[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}", "id[0-9]+", "[a-z]+[0-9][0-9]*", "(kernel|table) [a-z]+"] {
        let got = corpus("grep", &[pattern], &input);
        assert!(!got.is_empty(), "{pattern}: no match");
        assert_eq!(got, tool("grep", &["-oE", pattern], &input), "{pattern}");
        assert_eq!(got, reference("grep", &[pattern], &input), "{pattern}");
    }
}

#[test]
fn date_arithmetic_matches_gnu_date() {
    // (time, seconds to add): leap days, the epoch, before it, far ahead,
    // ISO weeks that belong to the year before or after.
    let cases: [(i64, i64); 10] = [
        (951_782_400, 86_400),    // 2000-02-29
        (1_709_164_799, 1),       // 2024-02-28T23:59:59
        (0, -1),                  // to 1969
        (-2_208_988_800, 3_600),  // 1900-01-01
        (4_107_542_400, -86_400), // 2100-03-01, 2100 is no leap year
        (1_735_603_200, 172_800), // 2024-12-31 into 2025, ISO week 1
        (1_609_459_200, 0),       // 2021-01-01, ISO week 53 of 2020
        (253_402_300_799, -59),   // 9999-12-31T23:59:59
        (1_234_567_890, 987_654_321),
        (-1_000_000_000, -123_456_789),
    ];
    let at = |t: i64| format!("@{t}\n");
    let starts: String = cases.iter().map(|&(t, _)| at(t)).collect();
    let starts = tool("date", &["-u", "-f", "-", "+%Y-%m-%dT%H:%M:%SZ"], starts.as_bytes());
    let input: String =
        String::from_utf8(starts).unwrap().lines().zip(cases).map(|(s, (_, d))| format!("{s} {d}\n")).collect();
    let ends: String = cases.iter().map(|&(t, d)| at(t + d)).collect();
    let want = tool("date", &["-u", "-f", "-", "+%Y-%m-%dT%H:%M:%SZ %A %j %G-W%V"], ends.as_bytes());
    let got = corpus("dates", &[], input.as_bytes());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "input:\n{input}");
    assert_eq!(got, reference("dates", &[], input.as_bytes()));
}

/// The runtime's unwinder symbols: the defined answers, then
/// `_Unwind_Resume` ends the process with a message and status 101.
#[test]
fn unwinder_symbols_answer_or_end_the_process() {
    let out = pipe(command("corpus-unwind-probe"), b"");
    assert_eq!(stdout(&out), "backtrace: 3\nenclosing function: unknown\ncleanup reason: 1\n");
    assert_eq!(stderr(&out), "sys-layer: unwinding is not supported (panic = \"abort\" only): _Unwind_Resume called\n");
    assert_eq!(out.status.code(), Some(101));
}
