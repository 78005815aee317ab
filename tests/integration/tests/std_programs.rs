//! Unchanged Rust std programs (tests/std-programs) on sys-layer's C layer
//! (crates/c-abi, through crates/std): output and exit status of std's
//! threads, thread-locals with destructors, `Mutex`/`Condvar`, channels,
//! `fs`, `env`, `process::exit`, `process::Command` with pipes, TCP and
//! UDP over loopback, host names through `getaddrinfo` (from a hosts file
//! of the test's own, and from its DNS responder), a panic with `panic = "abort"`, and with the
//! unwinder (`unwind` feature, `panic = "unwind"`): `catch_unwind`, a
//! thread's panic through `join`, backtraces, and std's test harness; and
//! each binary is static, names no C library symbol, and makes its system
//! calls only inside sys-layer's code.
//!
//! Runs on every target and kernel: the std programs.

use object::{Object, ObjectSymbol};
use std::process::{Command, Output, Stdio};
use sys_layer_integration::*;

const PROGRAMS: [&str; 7] =
    ["std-hello", "std-threads", "std-fs_env", "std-panics", "std-process_net", "std-unwind", "std-harness"];

fn run_with(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(name);
    cmd.args(args).stdin(Stdio::null()).env("RUST_BACKTRACE", "0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("spawn the program")
}

#[test]
fn readme_documents_the_configuration_the_std_programs_use() {
    let root = root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let config = std::fs::read_to_string(root.join("tests/std-programs/.cargo/config.toml")).unwrap();
    let block: String = config.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    assert!(readme.contains(&block), "README.md must show tests/std-programs/.cargo/config.toml:\n{block}");
    let manifest = std::fs::read_to_string(root.join("tests/std-programs/Cargo.toml")).unwrap();
    let dependency = manifest.lines().find(|l| l.starts_with("std = ")).unwrap();
    let documented = dependency.replace("../../crates/std", "../sys-layer/crates/std");
    assert!(readme.contains(&documented), "README.md must show the dependency line {documented}");
}

#[test]
fn hello() {
    let out = run_with("std-hello", &[], &[]);
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    assert_eq!(stdout(&out), "hello\n");
}

#[test]
fn threads_thread_locals_locks_and_channels() {
    let out = run_with("std-threads", &[], &[]);
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    assert_eq!(
        stdout(&out),
        "tls destructors: 36\nmutex: 40000\ncondvar: 5050\nscoped + channel: 36\npark: ok\n",
        "{}",
        stderr(&out)
    );
}

#[test]
fn files_directories_and_the_environment() {
    let out = run_with("std-fs_env", &["one", "two words"], &[("STD_PROGRAMS_VAR", "v=1")]);
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    let expected = "args: [\"one\", \"two words\"]\n\
                    STD_PROGRAMS_VAR=Ok(\"v=1\")\n\
                    in vars: 1\n\
                    set: Ok(\"set here\")\n\
                    removed: true\n\
                    a.txt: ay\n\
                    b.txt: 4 bytes\n\
                    read_dir: [\"a.txt\", \"b.txt\", \"d.txt\"]\n\
                    all files: true\n\
                    missing: NotFound\n\
                    canonical: true\n\
                    locked elsewhere: true\n\
                    after unlock: true\n\
                    cwd is absolute: true\n\
                    home from passwd: true\n";
    assert_eq!(stdout_without_simulator_env(&out), expected, "{}", stderr(&out));
}

#[test]
fn process_exit_codes() {
    for code in [0, 3, 42, 255] {
        let out = run_with("std-fs_env", &[&format!("exit={code}")], &[]);
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    }
}

#[test]
fn a_panic_prints_std_message_and_aborts() {
    use std::os::unix::process::ExitStatusExt;
    let out = run_with("std-panics", &["2", "x"], &[]);
    assert_eq!(stdout(&out), "before\n");
    assert!(
        stderr(&out).contains("panicked at src/bin/panics.rs:") && stderr(&out).contains("InvalidDigit"),
        "{}",
        stderr(&out)
    );
    // qemu-user dies of the signal itself; a status of 128 + 6 is a shell's.
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{:?}", out.status);
    let out = run_with("std-panics", &["2", "3"], &[]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "before\nsum 5\n");
}

#[test]
fn child_processes_sockets_sleep_and_copies() {
    let hosts = std::env::temp_dir().join(format!("std-programs-hosts-{}", std::process::id()));
    std::fs::write(&hosts, "# a hosts file of the test's own\n192.0.2.7 other std-programs.test\n").unwrap();
    let dns = sys_layer_integration::dns::Responder::start();
    let conf = std::env::temp_dir().join(format!("std-programs-resolv-{}", std::process::id()));
    std::fs::write(&conf, format!("{}options timeout:5 attempts:2\n", dns.nameserver())).unwrap();
    let out = run_with(
        "std-process_net",
        &[],
        &[("SYS_LAYER_HOSTS", hosts.to_str().unwrap()), ("SYS_LAYER_RESOLV_CONF", conf.to_str().unwrap())],
    );
    std::fs::remove_file(&hosts).unwrap();
    std::fs::remove_file(&conf).unwrap();
    assert!(dns.log().contains(&"udp A a.test".to_owned()), "the responder was asked: {:?}", dns.log());
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    let expected = "cat: through cat\n\
                    sh exit: Some(7)\n\
                    env and dir: from the parent\n/\n\
                    missing program: NotFound\n\
                    tcp: ping pong\n\
                    udp: datagram from self: true\n\
                    resolve: [192.0.2.7:80]\n\
                    dns: [192.0.2.1:80, [2001:db8::1]:80]\n\
                    slept: true\n\
                    parallelism: true\n\
                    copied: 100000 true\n\
                    into a pipe: 100000 100000\n\
                    removed: true\n";
    let other_user = if running_as_root() { "65534" } else { "PermissionDenied" };
    let expected = format!("{expected}child as 65534: {other_user}\n");
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
}

#[test]
fn stack_overflows_are_reported_as_std_does() {
    use std::os::unix::process::ExitStatusExt;
    for (mode, thread) in [("overflow-main", "main"), ("overflow-thread", "deep")] {
        let out = run_with("std-panics", &[mode], &[]);
        let message = format!("thread '{thread}' (");
        assert!(
            stderr(&out).contains(&message) && stderr(&out).contains("has overflowed its stack"),
            "{mode}: {:?}\n{}",
            out.status,
            stderr(&out)
        );
        assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{mode}: {:?}", out.status);
    }
}

#[test]
fn catch_unwind_thread_panics_and_backtraces() {
    let out = run_with("std-unwind", &[], &[]);
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    let expected = "drop checked\ncaught: too big: 5\n\
                    drop checked\nok: Ok(1)\n\
                    drop checked\nthread panicked: true\n\
                    backtrace captured: true\nnames main: true\n";
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
    assert!(stderr(&out).contains("panicked at src/bin/unwind.rs:"), "{}", stderr(&out));
}

#[test]
fn std_test_harness_runs_the_tests() {
    let out = run_with("std-harness", &["--test-threads=2"], &[]);
    assert_eq!(out.status.code(), Some(101), "one test fails on purpose: {:?}\n{}", out.status, stderr(&out));
    let report = stdout(&out);
    for line in [
        "test tests::adds ... ok",
        "test tests::fails_on_purpose ... FAILED",
        "test tests::should_panic - should panic ... ok",
        "test tests::output_is_captured ... ok",
        "test tests::threads_in_a_test ... ok",
        "test tests::float_math ... ok",
        "test tests::open_without_64 ... ok",
        "test tests::pthread_mutex_and_atfork ... ok",
        "test tests::posix_spawn_family ... ok",
        "test result: FAILED. 8 passed; 1 failed;",
    ] {
        assert!(report.contains(line), "missing {line:?} in:\n{report}");
    }
    assert!(!report.contains("captured output\n"), "a passing test's output is captured:\n{report}");
}

/// The instruction that enters the kernel, as `llvm-objdump` prints it.
fn system_call_instruction() -> &'static str {
    match target_arch().as_str() {
        "x86_64" => "syscall",
        "x86" | "i686" => "int\t$128",
        "aarch64" => "svc",
        "riscv64" => "ecall",
        other => panic!("no system call instruction known for {other}"),
    }
}

/// The unwinder is built without DWARF expressions (crates/c-abi's
/// Cargo.toml says why): the unwind tables of the programs that unwind
/// must need none.
#[test]
fn unwind_tables_hold_no_dwarf_expressions() {
    for name in ["std-unwind", "std-harness"] {
        let out = Command::new("llvm-dwarfdump").arg("--eh-frame").arg(program(name)).output();
        let tables = match out {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
            other => panic!("llvm-dwarfdump is needed (ci/setup.sh installs llvm): {other:?}"),
        };
        assert!(tables.contains("DW_CFA_def_cfa"), "{name}: no unwind tables read:\n{tables}");
        for rule in ["DW_CFA_def_cfa_expression", "DW_CFA_expression", "DW_CFA_val_expression"] {
            assert!(!tables.contains(rule), "{name}: its unwind tables use {rule}, which the unwinder cannot evaluate");
        }
    }
}

#[test]
fn static_without_c_library_symbols_and_system_calls_only_in_sys_layer() {
    for name in PROGRAMS {
        let path = program(name);
        let data = std::fs::read(&path).unwrap();
        let file = object::File::parse(&*data).unwrap();
        assert_eq!(file.kind(), object::ObjectKind::Executable, "{name}: not a static executable");
        let segments: Vec<u32> = match &file {
            object::File::Elf64(f) => f
                .elf_program_headers()
                .iter()
                .map(|p| object::read::elf::ProgramHeader::p_type(p, f.endian()))
                .collect(),
            object::File::Elf32(f) => f
                .elf_program_headers()
                .iter()
                .map(|p| object::read::elf::ProgramHeader::p_type(p, f.endian()))
                .collect(),
            _ => panic!("{name}: not ELF"),
        };
        assert!(!segments.contains(&object::elf::PT_INTERP), "{name} has PT_INTERP");
        assert!(!segments.contains(&object::elf::PT_DYNAMIC), "{name} has PT_DYNAMIC");
        for symbol in file.symbols() {
            let symbol_name = symbol.name().unwrap_or("");
            assert!(
                !symbol.is_undefined() || symbol_name.is_empty(),
                "{name}: undefined symbol {symbol_name} (a C library's, unresolved)"
            );
            // glibc's internals. (libgcc's names are compiler_builtins'
            // too; the archives rustc names for it are empty stand-ins.)
            for prefix in ["__libc_", "_IO_", "_dl_", "__GI_", "__nss_"] {
                assert!(!symbol_name.starts_with(prefix), "{name}: {symbol_name} is a C library's");
            }
            assert!(!symbol_name.contains("@GLIBC"), "{name}: {symbol_name} is a versioned glibc symbol");
        }
        // Every system call instruction lies in a function of sys-layer
        // (its crates, and its assembly's sys_layer_* symbols): std calls
        // the C layer, which calls the table.
        let disassembly = Command::new("llvm-objdump").args(["-d", "--no-show-raw-insn"]).arg(&path).output();
        let disassembly = match disassembly {
            Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
            other => panic!("llvm-objdump is needed (ci/setup.sh installs it): {other:?}"),
        };
        let instruction = system_call_instruction();
        let mut function = String::new();
        let mut sites = 0;
        for line in disassembly.lines() {
            if let Some(label) = line.split_once(" <").and_then(|(_, l)| l.strip_suffix(">:")) {
                // Local labels (.L*) are inside the function before them.
                if !label.starts_with(".L") {
                    function = label.to_owned();
                }
            } else if line.split_once(':').is_some_and(|(_, insn)| {
                let insn = insn.trim_start();
                insn.strip_prefix(instruction)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
            }) {
                sites += 1;
                assert!(function.contains("sys_layer"), "{name}: a system call instruction in {function}:\n{line}");
            }
        }
        assert!(sites > 0, "{name}: no {instruction} found: is the disassembly readable?");
    }
}
