//! The `echo_server` example under load (50 connections, 10,000 messages
//! of mixed sizes, every byte checked, then `SIGTERM` and a clean exit),
//! and the `pipeline` example (`producer | consumer` through
//! `process::Command`).
//!
//! Runs on every target and kernel: echo_server, pipeline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};
use sys_layer_integration::*;

const CONNECTIONS: usize = 50;
const MESSAGES: usize = 10_000;

/// Message `i`'s size: mostly small, some up to 64 KiB (a deterministic
/// mix, so a failure repeats).
fn size_of_message(i: usize) -> usize {
    let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
    match x % 10 {
        0 => 1 + (x as usize % 65_536),
        1..=3 => 1 + (x as usize % 4096),
        _ => 1 + (x as usize % 200),
    }
}

/// Starts the server on `bind`; returns it and the address this process
/// reaches it at (the one it reported, or in a guest, see [`reach`]).
fn start_server(bind: &str) -> (std::process::Child, SocketAddr) {
    let mut child = command("echo_server")
        .arg(bind)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start echo_server");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).expect("read its first line");
    let addr = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("first line: {line:?}"));
    (child, reach(addr.parse().expect("an address")))
}

/// One client: its share of the messages, each sent whole and read back.
fn client(addr: SocketAddr, id: usize) -> usize {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s.set_nodelay(true).unwrap();
    let mut checked = 0;
    let mut back = Vec::new();
    for i in (id..MESSAGES).step_by(CONNECTIONS) {
        let msg: Vec<u8> = (0..size_of_message(i)).map(|k| (k * 31 + i) as u8).collect();
        s.write_all(&msg).expect("send");
        back.resize(msg.len(), 0);
        s.read_exact(&mut back).expect("echo");
        assert!(back == msg, "connection {id}, message {i}: bytes differ");
        checked += 1;
    }
    checked
}

#[test]
fn echo_server_echoes_every_byte_for_50_connections_and_stops_on_sigterm() {
    let (mut server, addr) = start_server("127.0.0.1:0");
    let started = Instant::now();
    let clients: Vec<_> = (0..CONNECTIONS).map(|id| std::thread::spawn(move || client(addr, id))).collect();
    let checked: usize = clients.into_iter().map(|c| c.join().expect("client")).sum();
    assert_eq!(checked, MESSAGES);
    let took = started.elapsed();

    // A connection left open when the signal comes is closed by the server.
    // One byte there and back first: the server has it (in a guest, the
    // connection goes through the agent).
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    idle.write_all(b"x").unwrap();
    let mut back = [0u8; 1];
    idle.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"x");
    // SAFETY: signals our own child.
    assert_eq!(unsafe { libc::kill(server.id() as i32, libc::SIGTERM) }, 0);
    let status = server.wait().unwrap();
    let mut err = String::new();
    server.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(
        err.contains("stopped by SIGTERM after 51 connections (1 still open, closed)"),
        "stderr: {err} (load took {took:?})"
    );
    let mut buf = [0u8; 1];
    assert_eq!((&idle).read(&mut buf).unwrap(), 0, "the idle connection was closed");
}

/// Interrupted waits and accepts (`EINTR` on every other `epoll_pwait` and
/// `accept4`) do not stop the server or lose a byte. Natively only.
#[test]
fn echo_server_survives_interrupted_calls() {
    if !runs_directly() {
        eprintln!("skipped: strace injection runs on this machine's kernel only");
        return;
    }
    let mut server = std::process::Command::new("strace")
        .args(["-o", "/dev/null", "-e", "inject=epoll_pwait,accept4:error=EINTR:when=1+2"])
        .arg(program("echo_server"))
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strace (ci/setup.sh installs it)");
    let mut line = String::new();
    BufReader::new(server.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let addr: SocketAddr = line.trim().strip_prefix("listening on ").expect("address line").parse().unwrap();
    let clients: Vec<_> = (0..4).map(|id| std::thread::spawn(move || client(addr, id))).collect();
    let checked: usize = clients.into_iter().map(|c| c.join().expect("client")).sum();
    assert_eq!(checked, 4 * MESSAGES / CONNECTIONS);
    // The server is strace's child; a signal to strace would not reach it.
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", server.id())).unwrap();
    let pid: i32 = children.split_whitespace().next().expect("strace's child").parse().unwrap();
    // SAFETY: signals the server this test started.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    assert!(server.wait().unwrap().success());
}

#[test]
fn echo_server_serves_ipv6() {
    let (mut server, addr) = start_server("[::1]:0");
    // (reach keeps the family.)
    assert!(addr.is_ipv6());
    assert_eq!(client(addr, 0), MESSAGES / CONNECTIONS);
    // SAFETY: signals our own child.
    unsafe { libc::kill(server.id() as i32, libc::SIGINT) };
    let status = server.wait().unwrap();
    let mut err = String::new();
    server.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(err.contains("stopped by SIGINT after 1 connections"), "stderr: {err}");
}

#[test]
fn echo_server_reports_a_bad_address() {
    let out = command("echo_server").arg("not-an-address").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not an address with a port"), "{}", stderr(&out));
}

#[test]
fn pipeline_carries_every_byte_from_producer_to_consumer() {
    let mut args = vec!["8388608".to_string()];
    // Without binfmt_misc, an emulated program's children need the emulator too.
    if let Some(r) = runner() {
        args.extend(["--run-with".to_string(), r]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run("pipeline", &args);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("consumer read 8388608 ") && stdout(&out).contains("every byte arrived"));
}

/// A producer whose reader goes away dies of `SIGPIPE` (its default), as
/// `yes | head` ends: natively, and through a guest, where the agent is
/// told to close the program's pipe.
#[test]
fn a_producer_whose_reader_went_away_dies_of_sigpipe() {
    let mut producer = command("pipeline")
        .args(["produce", "1000000000000"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the producer");
    let mut some = vec![0u8; 100_000];
    producer.stdout.as_mut().unwrap().read_exact(&mut some).expect("the producer's first bytes");
    drop(producer.stdout.take());
    // A hang is the failure: after a minute the producer is killed and the test fails.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = producer.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = producer.kill();
            panic!("the producer still writes a minute after its reader went away");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGPIPE), "{status:?}");
}
