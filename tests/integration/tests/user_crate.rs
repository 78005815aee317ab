//! The README's quick start, tried as a new user would: a crate outside the
//! workspace, the `sys-layer` dependency, the one documented line of
//! configuration, a plain `cargo build`.
//!
//! Runs once, on this machine: builds tests/user-crate for each target and runs the host build.

use std::process::Command;
use sys_layer_integration::root;

const CONFIG: &str = "tests/user-crate/.cargo/config.toml";

#[test]
fn readme_documents_the_config_line_the_user_crate_uses() {
    let root = root();
    let line = std::fs::read_to_string(root.join(CONFIG)).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains(line.trim()), "README.md must show the line in {CONFIG}:\n{line}");
}

#[test]
fn a_user_crate_builds_static_with_one_line_of_config() {
    let root = root();
    let dir = root.join("tests/user-crate");
    for (profile, flag) in [("release", Some("--release")), ("debug", None)] {
        let mut build = Command::new(env!("CARGO"));
        build.arg("build").arg("--quiet").current_dir(&dir).env("CARGO_TARGET_DIR", root.join("target/user-crate"));
        // The suite's own flags must not leak into the user's build.
        for (k, _) in std::env::vars() {
            if (k.starts_with("CARGO_TARGET_") && k != "CARGO_TARGET_DIR")
                || k == "RUSTFLAGS"
                || k == "CARGO_ENCODED_RUSTFLAGS"
            {
                build.env_remove(k);
            }
        }
        // No C toolchain: PATH holds only the Rust toolchain's own bin
        // directory, so there is no `cc` or `ld` to fall back on.
        let toolchain_bin = std::path::Path::new(env!("CARGO")).parent().unwrap();
        assert!(!toolchain_bin.join("cc").exists());
        build.env("PATH", toolchain_bin);
        build.args(flag);
        let out = build.output().unwrap();
        assert!(out.status.success(), "{profile} build failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let exe = root.join("target/user-crate").join(profile).join("user-crate");
        let run = Command::new(&exe).arg("x").output().unwrap();
        assert_eq!(String::from_utf8_lossy(&run.stdout), "hello from a user crate, 2 argument(s)\n", "{profile}");
        let data = std::fs::read(&exe).unwrap();
        assert_eq!(&data[..4], b"\x7fELF");
        // ET_EXEC and no PT_INTERP: checked on the raw bytes, little endian.
        assert_eq!(u16::from_le_bytes([data[16], data[17]]), 2, "{profile}: ET_EXEC");
        let phoff = u64::from_le_bytes(data[32..40].try_into().unwrap()) as usize;
        let phnum = u16::from_le_bytes([data[56], data[57]]) as usize;
        for i in 0..phnum {
            let p_type = u32::from_le_bytes(data[phoff + i * 56..phoff + i * 56 + 4].try_into().unwrap());
            assert!(p_type != 3 && p_type != 2, "{profile}: PT_INTERP or PT_DYNAMIC present");
        }
    }
}

/// The same crate cross-compiled, as a user on x86_64 would: `cargo build
/// --target ...` with nothing but `rustup target add` (no cross gcc, no
/// sysroot), for each target `ci/setup.sh` prepared (`SYS_LAYER_TARGETS`).
#[test]
fn cross_compiles_with_only_rustup_targets() {
    let root = root();
    let dir = root.join("tests/user-crate");
    let toolchain_bin = std::path::Path::new(env!("CARGO")).parent().unwrap().to_owned();
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
        let mut build = Command::new(env!("CARGO"));
        build
            .args(["build", "--quiet", "--release", "--target", triple])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", root.join("target/user-crate"))
            .env("PATH", &toolchain_bin);
        for (k, _) in std::env::vars() {
            if (k.starts_with("CARGO_TARGET_") && k != "CARGO_TARGET_DIR")
                || k == "RUSTFLAGS"
                || k == "CARGO_ENCODED_RUSTFLAGS"
            {
                build.env_remove(k);
            }
        }
        let out = build.output().unwrap();
        assert!(out.status.success(), "{triple}: {}", String::from_utf8_lossy(&out.stderr));
        let exe = root.join("target/user-crate").join(triple).join("release/user-crate");
        let data = std::fs::read(&exe).unwrap();
        assert_eq!(u16::from_le_bytes([data[18], data[19]]), machine, "{triple}: e_machine");
        let mut run = match runner {
            Some(r) => {
                let mut c = Command::new(r);
                c.arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let ran = run.arg("x").output().unwrap();
        assert_eq!(String::from_utf8_lossy(&ran.stdout), "hello from a user crate, 2 argument(s)\n", "{triple}");
    }
}
