//! guest-agent: the guest's end of `guest-run` (tools/guest). Listens on
//! `AGENT_PORT` and, for each connection, starts the program described,
//! relays its standard descriptors and reports how it ended. A static
//! sys-layer program for the guest's architecture; `guest-init` starts it
//! and powers the machine off when it exits (after a `Shutdown` request).
//!
//! Per connection one thread, which starts the program and waits for it,
//! one that writes standard input from the host's frames, passes on the
//! host's signals and closes (and kills the program when the host side
//! goes away first), and one per relayed output. A `Connect` connection:
//! one thread per direction.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use alloc::{format, vec};
use core::net::{Ipv4Addr, SocketAddr};
use core::sync::atomic::{AtomicBool, Ordering};
use sys_layer::fs::{self, Mode, OFlags};
use sys_layer::net::{Shutdown, TcpListener, TcpStream};
use sys_layer::path::CPath;
use sys_layer::process::{self, Child, Command, Stdio as ChildStdio};
use sys_layer::signal::{self, Action};
use sys_layer::sync::Mutex;
use sys_layer::{Errno, eprintln, io, thread};
use sys_layer_guest::{AGENT_PORT, FrameError, Request, Run, Status, Stdio, frame, read_frame, tag};

sys_layer::main!(main);

fn main(_: sys_layer::env::Args, _: sys_layer::env::Vars) -> i32 {
    // A write to a pipe whose program has ended must fail with EPIPE, not
    // end the agent. A handler rather than SIG_IGN: the children get the
    // default back (Command resets caught signals), an ignored one they
    // would inherit.
    if let Err(e) = signal::set_action(signal::SIGPIPE, Action::handler(|_, _| {})) {
        eprintln!("guest-agent: SIGPIPE: {e:?}");
        return 1;
    }
    let listener = match TcpListener::bind(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), AGENT_PORT)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("guest-agent: cannot listen on port {AGENT_PORT}: {e:?}");
            return 1;
        }
    };
    eprintln!("guest-agent: listening on port {AGENT_PORT}");
    loop {
        let conn = match listener.accept() {
            Ok((conn, _)) => conn,
            Err(_) => continue,
        };
        let started = thread::spawn(move || {
            if let Err(e) = serve(Arc::new(conn)) {
                eprintln!("guest-agent: {e}");
            }
        });
        match started {
            Ok(handle) => handle.detach(),
            Err(e) => eprintln!("guest-agent: no thread for a connection: {e:?}"),
        }
    }
}

/// Reads one frame from the connection.
fn next_frame(conn: &TcpStream) -> Result<Option<(u8, Vec<u8>)>, FrameError<Errno>> {
    read_frame(|buf| {
        loop {
            match conn.read(buf) {
                Err(Errno::EINTR) => continue,
                other => return other,
            }
        }
    })
}

fn serve(conn: Arc<TcpStream>) -> Result<(), String> {
    let _ = conn.set_nodelay(true);
    let request = match next_frame(&conn) {
        Ok(Some((tag::REQUEST, data))) => Request::decode(&data).map_err(|e| format!("{e}"))?,
        other => return Err(format!("the connection did not start with a request: {other:?}")),
    };
    let send = |kind: u8, data: &[u8]| conn.write_all(&frame(kind, data)).map_err(|e| format!("sending: {e:?}"));
    match request {
        Request::Hello => {
            let u = process::uname().map_err(|e| format!("uname: {e:?}"))?;
            let mut text = Vec::new();
            for field in [u.release(), u.machine()] {
                text.extend_from_slice(field.to_bytes());
                text.push(b'\n');
            }
            send(tag::HELLO, &text)
        }
        Request::Shutdown => {
            send(tag::STATUS, &Status::Exited(0).encode())?;
            process::exit(0)
        }
        Request::Connect(addr) => match TcpStream::connect(addr) {
            Ok(target) => {
                send(tag::CONNECTED, &[])?;
                connect_relay(conn, Arc::new(target))
            }
            Err(e) => send(tag::FAILED, format!("cannot connect to {addr} in the guest: {e:?}").as_bytes()),
        },
        Request::Run(run) => match spawn(&run) {
            Ok(child) => relay(conn, child),
            Err(e) => {
                let program = String::from_utf8_lossy(&run.argv[0]).into_owned();
                send(tag::FAILED, format!("cannot run {program} in the guest: {e:?}").as_bytes())
            }
        },
    }
}

/// Opens a descriptor's file in the guest, where the host had it.
fn open(stdio: &Stdio, fd: i32) -> Result<ChildStdio, Errno> {
    let Stdio::Path { path, offset, append } = stdio else { return Ok(ChildStdio::Piped) };
    let mut flags = OFlags::NOCTTY;
    if fd == 0 {
        flags |= OFlags::RDONLY;
    } else {
        flags |= OFlags::WRONLY;
        if *append {
            flags |= OFlags::APPEND;
        }
    }
    let path = CPath::new(path)?;
    let file = fs::open(path.as_c_str(), flags, Mode::empty())?;
    if *offset != 0 && !*append {
        io::seek(&file, io::SeekFrom::Start(*offset))?;
    }
    Ok(ChildStdio::Fd(file))
}

fn spawn(run: &Run) -> Result<Child, Errno> {
    let (program, args) = run.argv.split_first().ok_or(Errno::EINVAL)?;
    let mut cmd = Command::new(program);
    cmd.args(args).env_clear();
    for entry in &run.env {
        if let Some(eq) = entry.iter().position(|&b| b == b'=') {
            cmd.env(&entry[..eq], &entry[eq + 1..]);
        }
    }
    cmd.current_dir(&run.cwd);
    let [stdin, stdout, stderr] = &run.stdio;
    cmd.stdin(open(stdin, 0)?).stdout(open(stdout, 1)?).stderr(open(stderr, 2)?);
    for &(resource, soft, hard) in &run.limits {
        cmd.rlimit(resource, soft, hard);
    }
    if run.uid != 0 || run.gid != 0 {
        cmd.uid(run.uid).gid(run.gid);
    }
    cmd.spawn()
}

/// Relays the child's standard descriptors and reports its end.
fn relay(conn: Arc<TcpStream>, mut child: Child) -> Result<(), String> {
    // Frames from several threads: one at a time on the connection.
    let writing = Arc::new(Mutex::new(()));
    let done = Arc::new(AtomicBool::new(false));
    // Outputs whose reader on the host side went away ([`tag::CLOSE`]).
    let closed = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
    let pid = child.id();
    // Standard input from the host; the connection's end before the
    // program's means the host side is gone (killed): so is the program.
    let input = {
        let (conn, done, closed) = (conn.clone(), done.clone(), closed.clone());
        let mut stdin = child.stdin.take();
        thread::spawn(move || {
            loop {
                match next_frame(&conn) {
                    Ok(Some((tag::STDIN, data))) if data.is_empty() => stdin = None,
                    Ok(Some((tag::STDIN, data))) => {
                        if let Some(s) = stdin.as_ref() {
                            // The program may have stopped reading; the rest is dropped.
                            let _ = io::write_all(s, &data);
                        }
                    }
                    Ok(Some((tag::SIGNAL, data))) => {
                        let signal = data.get(..4).map(|b| u32::from_le_bytes(b.try_into().unwrap()));
                        if let Some(signal) = signal
                            && !done.load(Ordering::SeqCst)
                        {
                            // Not reaped yet: still our child.
                            let _ = signal::kill(pid, signal);
                        }
                    }
                    Ok(Some((tag::CLOSE, data))) => {
                        if let Some(c) = data.first().and_then(|&fd| closed.get(usize::from(fd).wrapping_sub(1))) {
                            c.store(true, Ordering::SeqCst);
                        }
                    }
                    _ => break,
                }
            }
            if !done.load(Ordering::SeqCst) {
                // Not reaped yet (done is set after the wait): still our child.
                let _ = signal::kill(pid, signal::SIGKILL);
            }
        })
    };
    let mut outputs = Vec::new();
    for (pipe, kind) in [(child.stdout.take(), tag::STDOUT), (child.stderr.take(), tag::STDERR)] {
        let Some(pipe) = pipe else { continue };
        let (conn, writing, closed) = (conn.clone(), writing.clone(), closed.clone());
        outputs.push(thread::spawn(move || {
            // The pipe is dropped when the host's reader went away: the
            // program's next writes fail.
            let reader = &closed[usize::from(kind - tag::STDOUT)];
            pump(
                |buf| io::read(&pipe, buf),
                |data| {
                    let _held = writing.lock();
                    !reader.load(Ordering::SeqCst) && conn.write_all(&frame(kind, data)).is_ok()
                },
            );
        }));
    }
    // A relay that could not start would lose the program's input or
    // output: the program is stopped and the host told.
    let started = input.is_ok() && outputs.iter().all(Result::is_ok);
    if !started {
        let _ = child.kill();
    }
    let status = child.wait();
    done.store(true, Ordering::SeqCst);
    for o in outputs.into_iter().flatten() {
        o.join();
    }
    if let Ok(i) = input {
        // It ends when the host closes the connection, after the status.
        i.detach();
    }
    let status = match status {
        _ if !started => return Err("no thread for relaying the program's descriptors".into()),
        Ok(s) => match (s.code(), s.signal()) {
            (Some(code), _) => Status::Exited(code as u8),
            (None, Some(signal)) => Status::Signaled(signal as i32),
            _ => Status::Exited(255),
        },
        Err(e) => return Err(format!("waiting for the program: {e:?}")),
    };
    let _held = writing.lock();
    conn.write_all(&frame(tag::STATUS, &status.encode())).map_err(|e| format!("sending: {e:?}"))
}

/// Copies what `read` (a `read(2)`) gives to `write` until the end of the
/// input, a read error, or `write` answers false.
fn pump(mut read: impl FnMut(&mut [u8]) -> Result<usize, Errno>, mut write: impl FnMut(&[u8]) -> bool) {
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(_) => break,
        };
        if !write(&buf[..n]) {
            break;
        }
    }
}

/// Relays a `Connect` connection: the host's bytes to `target` and
/// back, each direction's end passed on as a `shutdown` of writing; an
/// error in one direction ends both.
fn connect_relay(conn: Arc<TcpStream>, target: Arc<TcpStream>) -> Result<(), String> {
    let _ = target.set_nodelay(true);
    let copy = |from: Arc<TcpStream>, to: Arc<TcpStream>| {
        move || {
            let failed = core::cell::Cell::new(None);
            pump(
                |buf| {
                    from.read(buf).inspect_err(|&e| {
                        if e != Errno::EINTR {
                            failed.set(Some(e))
                        }
                    })
                },
                |data| {
                    failed.set(to.write_all(data).err());
                    failed.get().is_none()
                },
            );
            let _ = to.shutdown(Shutdown::Write);
            if let Some(e) = failed.get() {
                eprintln!("guest-agent: a relayed connection: {e:?}");
                let _ = from.shutdown(Shutdown::Both);
            }
        }
    };
    let back = thread::spawn(copy(target.clone(), conn.clone())).map_err(|e| format!("no thread: {e:?}"))?;
    copy(conn, target)();
    back.join();
    Ok(())
}
