//! Helpers for the integration suite: where the static programs are, and
//! how to run them.
//!
//! `SYS_LAYER_PROGRAMS` names the directory `ci/build-programs.sh` printed
//! (ci/test.sh sets it). Without it, the first test builds the programs
//! itself into `target/integration-programs`.

pub mod dns;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The directory of the built static programs.
pub fn programs_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("SYS_LAYER_PROGRAMS") {
            return PathBuf::from(dir);
        }
        let root = root();
        let out = Command::new("bash")
            .arg(root.join("ci/build-programs.sh"))
            .env("CARGO_TARGET_DIR", root.join("target/integration-programs"))
            .output()
            .expect("run ci/build-programs.sh");
        assert!(out.status.success(), "building the programs failed:\n{}", String::from_utf8_lossy(&out.stderr));
        PathBuf::from(String::from_utf8(out.stdout).expect("utf-8 path").trim())
    })
}

/// Path of the static program `name`.
pub fn program(name: &str) -> PathBuf {
    let p = programs_dir().join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

/// Copies test program `name` to `to` (with mode 0755), through `cp`: a
/// copy written by this process could not be executed while any other
/// test thread's child, between its `fork` and `exec`, still held the
/// descriptor it was written through (`ETXTBSY`); `cp`'s descriptor is
/// never in this process.
pub fn copy_program(name: &str, to: &Path) {
    let status = Command::new("cp").arg(program(name)).arg(to).status().expect("run cp");
    assert!(status.success(), "cp {name} {}: {status}", to.display());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Path of the unoptimised (dev profile) build of test program `name`.
pub fn debug_program(name: &str) -> PathBuf {
    let p = programs_dir().join("../debug").join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

/// The kernel version `SYS_LAYER_SIM_KERNEL` asks the suite to simulate:
/// every program then runs under `kernel-sim --kernel V` (the binary from
/// `SYS_LAYER_KERNEL_SIM`, or `target/debug/kernel-sim`).
pub fn simulated_kernel() -> Option<String> {
    std::env::var("SYS_LAYER_SIM_KERNEL").ok().filter(|v| !v.is_empty())
}

/// `SYS_LAYER_GUEST`: the address (`127.0.0.1:PORT`) of the agent of a
/// booted guest kernel (`ci/real-kernels.sh`): every program then runs
/// there, through `guest-run` (the binary from `SYS_LAYER_GUEST_RUN`, or
/// `target/debug/guest-run`), and kernel-sim, when the suite simulates a
/// kernel, runs there too (`SYS_LAYER_KERNEL_SIM` then names a static
/// build for the guest's architecture). The guest shares the workspace and
/// `TMPDIR` under the same paths.
pub fn guest() -> Option<String> {
    std::env::var("SYS_LAYER_GUEST").ok().filter(|v| !v.is_empty())
}

/// The address a program reaches a socket of this process's at `addr`
/// (a loopback address here) by: `addr` itself, or in a guest, qemu's
/// alias of this machine's IPv4 loopback (10.0.2.2, same port, UDP and
/// TCP); `None` when a program in the guest cannot reach it (qemu's user
/// network has no alias of the IPv6 loopback).
pub fn host_addr_for_programs(addr: SocketAddr) -> Option<SocketAddr> {
    if guest().is_none() {
        return Some(addr);
    }
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => Some(SocketAddr::new(Ipv4Addr::new(10, 0, 2, 2).into(), addr.port())),
        _ => None,
    }
}

/// The address this process connects to for the TCP server a program
/// listens with at `addr`: `addr` itself, or in a guest (where `addr` is
/// the guest's) a listener here, on the loopback of `addr`'s family,
/// whose connections the guest's agent carries on to `addr` inside the
/// guest (each direction's end passed on, so a server's close is seen
/// here as a read of 0). The listener's threads live as long as the test.
pub fn reach(addr: SocketAddr) -> SocketAddr {
    let Some(agent) = guest() else { return addr };
    let here: IpAddr = if addr.is_ipv6() { std::net::Ipv6Addr::LOCALHOST.into() } else { Ipv4Addr::LOCALHOST.into() };
    let listener = TcpListener::bind((here, 0)).expect("a listener for the guest's server");
    let local = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let client = client.expect("accept a client of the guest's server");
            // One connection to the agent at a time: qemu's user network
            // accepts the forwarded port's connections with a backlog of
            // one, and under load a burst of them overflows it (the
            // connections are then reset).
            match connect_in_guest(&agent, addr) {
                Ok(conn) => {
                    std::thread::spawn(move || relay(client, conn, addr));
                }
                // The client sees its connection closed, as by a server that is not there.
                Err(e) => eprintln!("reach: no connection to {addr} in the guest: {e}"),
            }
        }
    });
    local
}

/// A connection to `addr` in the guest, through its agent at `agent` (a
/// `Connect` request), ready to carry bytes.
fn connect_in_guest(agent: &str, addr: SocketAddr) -> Result<TcpStream, String> {
    use sys_layer_guest::{Request, frame, read_frame, tag};
    let mut conn = TcpStream::connect(agent).map_err(|e| format!("reaching the agent: {e}"))?;
    conn.set_nodelay(true).unwrap();
    conn.write_all(&frame(tag::REQUEST, &Request::Connect(addr).encode())).map_err(|e| format!("sending: {e}"))?;
    match read_frame(|b| (&conn).read(b)) {
        Ok(Some((tag::CONNECTED, _))) => Ok(conn),
        Ok(Some((tag::FAILED, why))) => Err(String::from_utf8_lossy(&why).into_owned()),
        other => Err(format!("the agent answered {other:?}")),
    }
}

/// Carries bytes between `client` and `conn` both ways; the end of one
/// direction is passed on as a `shutdown` of writing, an error ends both
/// (and is said: the client sees only an early end).
fn relay(client: TcpStream, conn: TcpStream, addr: SocketAddr) {
    client.set_nodelay(true).unwrap();
    let copy = |mut from: TcpStream, mut to: TcpStream, direction: &'static str| {
        move || {
            let mut buf = vec![0; 64 * 1024];
            loop {
                let failed = match from.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => to.write_all(&buf[..n]).err(),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => None,
                    Err(e) => Some(e),
                };
                if let Some(e) = failed {
                    eprintln!("reach: the connection to {addr} in the guest, {direction}: {e}");
                    let _ = from.shutdown(Shutdown::Both);
                    break;
                }
            }
            let _ = to.shutdown(Shutdown::Write);
        }
    };
    let back = std::thread::spawn(copy(conn.try_clone().unwrap(), client.try_clone().unwrap(), "from the guest"));
    copy(client, conn, "to the guest")();
    let _ = back.join();
}

fn guest_run() -> PathBuf {
    let p = std::env::var_os("SYS_LAYER_GUEST_RUN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/debug/guest-run"));
    assert!(p.exists(), "{} is missing: cargo build -p sys-layer-guest", p.display());
    p
}

/// `guest-run` toward the guest at `addr`, before its options.
fn guest_command(addr: &str) -> Command {
    let mut c = Command::new(guest_run());
    c.arg("--to").arg(addr);
    c
}

/// The guest's kernel release and machine (`uname -r`, `uname -m`), asked
/// of its agent once; `None` without a guest.
pub fn guest_uname() -> Option<&'static (String, String)> {
    static UNAME: OnceLock<(String, String)> = OnceLock::new();
    let addr = guest()?;
    Some(UNAME.get_or_init(|| {
        let out = guest_command(&addr).arg("--hello").output().expect("run guest-run");
        assert!(out.status.success(), "the guest at {addr} does not answer: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).expect("utf-8 uname");
        let mut lines = text.lines().map(str::to_owned);
        (lines.next().expect("release"), lines.next().expect("machine"))
    }))
}

/// The release of the real kernel the programs run on: the guest's, or
/// this machine's.
fn real_release() -> String {
    match guest_uname() {
        Some((release, _)) => release.clone(),
        None => std::fs::read_to_string("/proc/sys/kernel/osrelease").expect("osrelease").trim().to_owned(),
    }
}

/// The kernel the programs see: the simulated one, the guest's, or this
/// machine's.
pub fn kernel_version() -> (u32, u32, u32) {
    parse_version(&simulated_kernel().unwrap_or_else(real_release))
}

/// The real kernel under any simulation: the guest's, or this machine's
/// (whose vDSO the programs get, simulated or not).
pub fn real_kernel_version() -> (u32, u32, u32) {
    parse_version(&real_release())
}

fn parse_version(text: &str) -> (u32, u32, u32) {
    let mut parts = text.trim().split(|c: char| !c.is_ascii_digit()).map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The release string the programs see.
pub fn kernel_release() -> String {
    if simulated_kernel().is_some() {
        // kernel-sim's default release: the version in full, then a tag.
        let (a, b, c) = kernel_version();
        format!("{a}.{b}.{c}-kernel-sim")
    } else {
        real_release()
    }
}

fn kernel_sim() -> PathBuf {
    let p = std::env::var_os("SYS_LAYER_KERNEL_SIM")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/debug/kernel-sim"));
    assert!(p.exists(), "{} is missing: cargo build -p sys-layer-kernel-sim", p.display());
    p
}

/// A command that runs program `name` (under kernel-sim when the suite
/// simulates a kernel).
pub fn command(name: &str) -> Command {
    command_for(&program(name))
}

/// Whether the suite runs as root (some checks need it, or expect
/// `EPERM` without it; the programs run as the same user).
pub fn running_as_root() -> bool {
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `SYS_LAYER_RUNNER`: the emulator the programs of another architecture
/// run under (`qemu-aarch64-static`, ...).
pub fn runner() -> Option<String> {
    std::env::var("SYS_LAYER_RUNNER").ok().filter(|v| !v.is_empty())
}

/// Whether programs run straight on this machine's kernel (no simulator,
/// no emulator, no guest), so properties of the real kernel and process
/// can be seen.
pub fn runs_directly() -> bool {
    simulated_kernel().is_none() && runner().is_none() && guest().is_none()
}

/// The architecture the programs are built for (`SYS_LAYER_ARCH`, as the
/// runtime names it), by default this machine's.
pub fn target_arch() -> String {
    std::env::var("SYS_LAYER_ARCH").unwrap_or_else(|_| std::env::consts::ARCH.to_owned())
}

/// The same program built for this machine (`SYS_LAYER_REFERENCE_PROGRAMS`,
/// by default the programs under test): what other builds are compared with.
pub fn reference_program(name: &str) -> PathBuf {
    let dir = std::env::var_os("SYS_LAYER_REFERENCE_PROGRAMS").map(PathBuf::from);
    let p = dir.as_deref().unwrap_or(programs_dir()).join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

/// A command that runs the program at `path`, as [`command`] does (in the
/// guest, under the emulator, or kernel-sim, when the suite asks for one).
pub fn command_for(path: &Path) -> Command {
    if let Some(addr) = guest() {
        let mut c = guest_command(&addr);
        c.arg("--");
        if let Some(v) = simulated_kernel() {
            c.arg(kernel_sim()).arg("--kernel").arg(v).arg("--");
        }
        c.arg(path);
        return c;
    }
    if let Some(r) = runner() {
        let mut c = Command::new(r);
        c.arg(path);
        return c;
    }
    match simulated_kernel() {
        Some(v) => {
            let mut c = Command::new(kernel_sim());
            c.arg("--kernel").arg(v).arg("--").arg(path);
            c
        }
        None => Command::new(path),
    }
}

/// A command that runs the program at `path` on the real kernel: the
/// guest's, or this machine's (no simulator).
pub fn real_kernel_command(path: &Path) -> Command {
    match guest() {
        Some(addr) => {
            let mut c = guest_command(&addr);
            c.arg("--").arg(path);
            c
        }
        None => Command::new(path),
    }
}

/// A command that runs program `name` under a seccomp filter that answers
/// the system calls in `answers` itself (`NAME=ERRNO`, errno 0 faking
/// success), as a container's filter would: kernel-sim, at the simulated
/// kernel or the real one (in the guest, if there is one). `None` under an
/// emulator and for other architectures (kernel-sim filters x86 programs
/// only).
pub fn filtered_command(name: &str, answers: &[&str]) -> Option<Command> {
    if runner().is_some() || !matches!(target_arch().as_str(), "x86_64" | "i686") {
        return None;
    }
    let (a, b, c) = kernel_version();
    let mut cmd = match guest() {
        Some(addr) => {
            let mut c = guest_command(&addr);
            c.arg("--").arg(kernel_sim());
            c
        }
        None => Command::new(kernel_sim()),
    };
    cmd.arg("--kernel").arg(format!("{a}.{b}.{c}"));
    for answer in answers {
        cmd.arg("--answer").arg(answer);
    }
    cmd.arg("--").arg(program(name));
    Some(cmd)
}

/// A new directory for a program to work in, named after `tag`, holding
/// `files` (name, content): in the temporary directory here, or, with a
/// guest, in the guest's own `tmpfs` (its `/tmp`, made with its busybox),
/// where the program has a local filesystem as here: the shared directory
/// is 9p, which has no `fallocate` and keeps no nanoseconds.
pub fn program_dir(tag: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let name = format!("sys-layer-{tag}-{}", std::process::id());
    let Some(addr) = guest() else {
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, content) in files {
            std::fs::write(dir.join(file), content).unwrap();
        }
        // The programs compare getcwd with the path they were given: no symlinks.
        return dir.canonicalize().unwrap();
    };
    let dir = Path::new("/tmp").join(name);
    let in_guest = |script: &str, file: &str, input: &[u8]| {
        let mut cmd = guest_command(&addr);
        cmd.args(["--", "/bin/sh", "-c", script, "sh"]).arg(&dir).arg(file);
        cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run guest-run");
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{script} in the guest: {}", stderr(&out));
    };
    in_guest(r#"rm -rf "$1" && mkdir -p "$1""#, "", b"");
    for (file, content) in files {
        in_guest(r#"cat > "$1/$2""#, file, content);
    }
    dir
}

/// Removes a directory of [`program_dir`].
pub fn remove_program_dir(dir: &Path) {
    match guest() {
        Some(addr) => {
            let _ = guest_command(&addr).args(["--", "/bin/rm", "-rf"]).arg(dir).output();
        }
        None => {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs program `name` with `args` and an empty standard input.
pub fn run(name: &str, args: &[&str]) -> Output {
    command(name).args(args).stdin(std::process::Stdio::null()).output().expect("spawn the program")
}

/// Standard output as text, without the line `args_env` prints for the
/// variable kernel-sim adds (`SYS_LAYER_ASSUME_KERNEL`, which tells the
/// program the simulated version): what the caller passed, and only that.
pub fn stdout_without_simulator_env(out: &Output) -> String {
    stdout(out).lines().filter(|l| !l.starts_with("env=SYS_LAYER_ASSUME_KERNEL=")).map(|l| format!("{l}\n")).collect()
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that a check-list program (see tests/programs/src/lib.rs)
/// passed every check and exited 0, printing its output otherwise.
pub fn assert_checks_pass(name: &str, args: &[&str]) -> String {
    let out = run(name, args);
    let text = stdout(&out);
    assert!(
        out.status.success() && !text.contains("FAIL") && text.contains(" passed, 0 failed"),
        "{name} failed ({:?}):\n{text}\n{}",
        out.status,
        stderr(&out)
    );
    text
}

#[cfg(test)]
mod suite_tests {
    use super::root;

    /// ci/test.sh runs on every target and simulated kernel the test files
    /// that say "Runs on every target and kernel: ..." (and stops at a file
    /// that says neither that nor "Runs once"/"Runs nothing"); the programs
    /// named must be ones the suite builds.
    #[test]
    fn every_test_file_says_what_it_runs() {
        let programs: Vec<String> = std::fs::read_dir(root().join("tests/programs/src/bin"))
            .unwrap()
            .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
            .chain(["hello", "cat", "wc", "ls", "echo_server", "pipeline", "eras-floor-5.4"].map(String::from))
            .collect();
        let mut running = 0;
        for entry in std::fs::read_dir(root().join("tests/integration/tests")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let every = text.lines().find_map(|l| l.strip_prefix("//! Runs on every target and kernel: "));
            let elsewhere = text.lines().any(|l| l.starts_with("//! Runs once") || l.starts_with("//! Runs nothing"));
            assert!(every.is_some() != elsewhere, "{}: say once what it runs", path.display());
            if let Some(list) = every {
                running += 1;
                for name in list.trim_end_matches('.').split(", ") {
                    assert!(
                        name.starts_with("the ") || programs.iter().any(|p| p == name),
                        "{}: runs {name:?}, which the suite does not build",
                        path.display()
                    );
                }
            }
        }
        assert!(running >= 9, "only {running} test files run programs");
    }
}
