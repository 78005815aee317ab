//! The README's quick start, tried as a new user would: a crate outside the
//! workspace, the `sys-layer` dependency, the documented block of
//! configuration, a plain `cargo build`. The crate uses `alloc` collections,
//! serde's derive (a proc macro) and dependencies with build scripts (serde,
//! serde_json).
//!
//! The program links with the toolchain's `rust-lld` alone. Build scripts
//! and proc macros are host programs: cargo links them with the host's C
//! linker, as for any Rust crate, and there is no way on stable Rust to
//! link a glibc host program without one. So `PATH` holds the Rust
//! toolchain and a `cc` that records what it links, and the test checks
//! that only host tools went through it, never the program.
//!
//! Runs once, on this machine: builds tests/user-crate for each target and runs the host build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use sys_layer_integration::root;

const CONFIG: &str = "tests/user-crate/.cargo/config.toml";

/// Arguments given to the program; one repeats, one needs escaping in JSON.
const ARGS: [&str; 3] = ["b", "a\"q", "b"];

#[test]
fn readme_documents_the_config_block_the_user_crate_uses() {
    let root = root();
    let block = std::fs::read_to_string(root.join(CONFIG)).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains(block.trim()), "README.md must show the block in {CONFIG}:\n{block}");
}

/// What the program prints for `ARGS`, computed here with std.
fn expected_output() -> String {
    let mut counts = BTreeMap::new();
    for a in ARGS {
        *counts.entry(a).or_insert(0usize) += 1;
    }
    let json: Vec<String> = counts
        .iter()
        .map(|(w, n)| format!("{{\"word\":\"{}\",\"n\":{n}}}", w.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("hello from a user crate, {} argument(s)\n{}\n[{}]\n", ARGS.len() + 1, ARGS.join(","), json.join(","))
}

fn target_dir() -> PathBuf {
    root().join("target/user-crate")
}

fn host_tuple() -> String {
    let rustc = Path::new(env!("CARGO")).with_file_name("rustc");
    let out = Command::new(rustc).args(["--print", "host-tuple"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A directory with a `cc` that appends each output it links to `cc.log`
/// and hands over to the host's `cc`.
fn recording_cc() -> (PathBuf, PathBuf) {
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("cc"))
        .find(|p| p.is_file())
        .expect("build scripts and proc macros need the host's C linker: no cc on PATH");
    let dir = target_dir().join("recording-cc");
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("cc.log");
    let script = format!(
        "#!/bin/sh\nprev=\nfor a in \"$@\"; do [ \"$prev\" = -o ] && echo \"$a\" >> '{}'; prev=$a; done\nexec '{}' \"$@\"\n",
        log.display(),
        real.display()
    );
    let cc = dir.join("cc");
    // Written beside and renamed, so a concurrent test never runs half a
    // file; the name is unique per call (tests run as threads of one
    // process, so the process ID alone is not).
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let tmp = dir.join(format!("cc.{}.{call}", std::process::id()));
    std::fs::write(&tmp, script).unwrap();
    std::fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::rename(&tmp, &cc).unwrap();
    (dir, log)
}

/// `cargo build` in the user crate, as a user runs it: the suite's own
/// flags removed, `PATH` the Rust toolchain and the recording `cc` only.
fn cargo_build(args: &[&str]) -> std::process::Output {
    let toolchain_bin = Path::new(env!("CARGO")).parent().unwrap();
    assert!(!toolchain_bin.join("cc").exists());
    let (cc_dir, _) = recording_cc();
    let mut build = Command::new(env!("CARGO"));
    build
        .arg("build")
        .arg("--quiet")
        .args(args)
        .current_dir(root().join("tests/user-crate"))
        .env("CARGO_TARGET_DIR", target_dir())
        .env("PATH", std::env::join_paths([toolchain_bin, &cc_dir]).unwrap());
    for (k, _) in std::env::vars() {
        if (k.starts_with("CARGO_TARGET_") && k != "CARGO_TARGET_DIR")
            || k == "RUSTFLAGS"
            || k == "CARGO_ENCODED_RUSTFLAGS"
            || k == "CARGO_BUILD_TARGET"
        {
            build.env_remove(k);
        }
    }
    build.output().unwrap()
}

/// Checks what only a real build leaves: serde_json's build script ran for
/// `triple`, serde_derive was built for the host, and the host's `cc`
/// never linked the program.
fn check_build_products(triple: &str, profile: &str) {
    let dir = target_dir();
    let ran = std::fs::read_dir(dir.join(triple).join(profile).join("build"))
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("serde_json-") && e.path().join("output").exists());
    assert!(ran, "{triple} {profile}: serde_json's build script did not run");
    let proc_macro = std::fs::read_dir(dir.join(profile).join("deps")).unwrap().flatten().any(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        n.starts_with("libserde_derive-") && n.ends_with(".so")
    });
    assert!(proc_macro, "{profile}: serde_derive was not built for the host");
    let log = std::fs::read_to_string(dir.join("recording-cc/cc.log")).unwrap_or_default();
    for line in log.lines() {
        let host_tool = line.contains("/build/") && line.contains("build_script_build") || line.ends_with(".so");
        assert!(host_tool, "the host's cc linked something other than a build script or proc macro: {line}");
        assert!(!line.contains("/deps/user_crate-"), "cc linked the program: {line}");
    }
}

/// Checks an executable: ELF, ET_EXEC, `machine`, no PT_INTERP or PT_DYNAMIC.
fn check_static_elf(exe: &Path, machine: u16, what: &str) {
    let data = std::fs::read(exe).unwrap();
    assert_eq!(&data[..4], b"\x7fELF");
    assert_eq!(u16::from_le_bytes([data[16], data[17]]), 2, "{what}: ET_EXEC");
    assert_eq!(u16::from_le_bytes([data[18], data[19]]), machine, "{what}: e_machine");
    // Program headers, 32- or 64-bit (EI_CLASS), little endian.
    let (phoff, phentsize, phnum) = if data[4] == 2 {
        (u64::from_le_bytes(data[32..40].try_into().unwrap()) as usize, 56, u16::from_le_bytes([data[56], data[57]]))
    } else {
        (u32::from_le_bytes(data[28..32].try_into().unwrap()) as usize, 32, u16::from_le_bytes([data[44], data[45]]))
    };
    for i in 0..phnum as usize {
        let at = phoff + i * phentsize;
        let p_type = u32::from_le_bytes(data[at..at + 4].try_into().unwrap());
        assert!(p_type != 3 && p_type != 2, "{what}: PT_INTERP or PT_DYNAMIC present");
    }
}

#[test]
fn a_user_crate_with_alloc_derive_and_build_scripts_builds_static() {
    let host = host_tuple();
    let machine = match std::env::consts::ARCH {
        "x86_64" => 62,
        "aarch64" => 183,
        "riscv64" => 243,
        other => panic!("no ELF machine known for {other}"),
    };
    for (profile, flag) in [("release", Some("--release")), ("debug", None)] {
        let out = cargo_build(flag.as_slice());
        assert!(out.status.success(), "{profile} build failed:\n{}", String::from_utf8_lossy(&out.stderr));
        // `build.target` puts even the host build under the triple.
        let exe = target_dir().join(&host).join(profile).join("user-crate");
        let run = Command::new(&exe).args(ARGS).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&run.stdout), expected_output(), "{profile}");
        assert!(run.status.success(), "{profile}: {:?}", run.status);
        check_static_elf(&exe, machine, profile);
        check_build_products(&host, profile);
    }
}

/// The same crate cross-compiled, as a user on x86_64 would: `cargo build
/// --target ...` with nothing but `rustup target add` (no cross gcc, no
/// sysroot), for each target `ci/setup.sh` prepared (`SYS_LAYER_TARGETS`).
#[test]
fn cross_compiles_with_only_rustup_targets() {
    let targets = std::env::var("SYS_LAYER_TARGETS").unwrap_or_default();
    // (triple, ELF machine, how to run it here)
    let known: [(&str, u16, Option<&str>); 3] = [
        ("i686-unknown-linux-gnu", 3, None),
        ("aarch64-unknown-linux-gnu", 183, Some("qemu-aarch64-static")),
        ("riscv64gc-unknown-linux-gnu", 243, Some("qemu-riscv64-static")),
    ];
    for (triple, machine, runner) in known {
        if !targets.split_whitespace().any(|t| t == triple) {
            continue;
        }
        let out = cargo_build(&["--release", "--target", triple]);
        assert!(out.status.success(), "{triple}: {}", String::from_utf8_lossy(&out.stderr));
        let exe = target_dir().join(triple).join("release/user-crate");
        check_static_elf(&exe, machine, triple);
        check_build_products(triple, "release");
        let mut run = match runner {
            Some(r) => {
                let mut c = Command::new(r);
                c.arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let ran = run.args(ARGS).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&ran.stdout), expected_output(), "{triple}");
    }
}
