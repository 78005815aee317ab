//! guest-agent: the guest's end of `guest-run`. Listens on `AGENT_PORT`
//! and, for each connection, starts the program described, relays its
//! standard descriptors and reports how it ended. Built as a static program
//! for the guest's architecture; the guest's init starts it and powers the
//! machine off when it returns (after a `Shutdown` request).

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use sys_layer_guest::{AGENT_PORT, Request, Run, Status, Stdio, read_frame, tag, write_frame};

fn main() {
    let listener = TcpListener::bind(("0.0.0.0", AGENT_PORT)).unwrap_or_else(|e| {
        eprintln!("guest-agent: cannot listen on port {AGENT_PORT}: {e}");
        std::process::exit(1)
    });
    eprintln!("guest-agent: listening on port {AGENT_PORT}");
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        std::thread::spawn(move || {
            if let Err(e) = serve(conn) {
                eprintln!("guest-agent: {e}");
            }
        });
    }
}

fn serve(mut conn: TcpStream) -> std::io::Result<()> {
    conn.set_nodelay(true).ok();
    let Some((tag::REQUEST, data)) = read_frame(&mut conn)? else {
        return Err(std::io::Error::other("the connection did not start with a request"));
    };
    match Request::decode(&data)? {
        Request::Hello => {
            // SAFETY: uname fills the zeroed struct; its fields are NUL-terminated.
            let text = unsafe {
                let mut u: libc::utsname = std::mem::zeroed();
                libc::uname(&mut u);
                let field = |f: &[libc::c_char]| std::ffi::CStr::from_ptr(f.as_ptr()).to_string_lossy().into_owned();
                format!("{}\n{}\n", field(&u.release), field(&u.machine))
            };
            write_frame(&mut conn, tag::HELLO, text.as_bytes())
        }
        Request::Shutdown => {
            write_frame(&mut conn, tag::STATUS, &Status::Exited(0).encode())?;
            std::process::exit(0)
        }
        Request::Run(run) => match spawn(&run) {
            Ok(child) => relay(conn, child),
            Err(e) => {
                let what = format!("cannot run {} in the guest: {e}", String::from_utf8_lossy(&run.argv[0]));
                write_frame(&mut conn, tag::FAILED, what.as_bytes())
            }
        },
    }
}

/// Opens a descriptor's file in the guest, where the host had it.
fn open(stdio: &Stdio, fd: i32) -> std::io::Result<Option<File>> {
    let Stdio::Path { path, offset, append } = stdio else { return Ok(None) };
    let mut options = OpenOptions::new();
    if fd == 0 {
        options.read(true);
    } else {
        options.write(true).append(*append);
    }
    let mut file = options.custom_flags(libc::O_NOCTTY).open(OsStr::from_bytes(path))?;
    if *offset != 0 && !*append {
        file.seek(SeekFrom::Start(*offset))?;
    }
    Ok(Some(file))
}

fn spawn(run: &Run) -> std::io::Result<Child> {
    let program = OsStr::from_bytes(&run.argv[0]);
    let mut cmd = Command::new(program);
    cmd.args(run.argv[1..].iter().map(|a| OsStr::from_bytes(a)));
    cmd.env_clear();
    for entry in &run.env {
        if let Some(eq) = entry.iter().position(|&b| b == b'=') {
            cmd.env(OsStr::from_bytes(&entry[..eq]), OsStr::from_bytes(&entry[eq + 1..]));
        }
    }
    cmd.current_dir(OsStr::from_bytes(&run.cwd));
    let [stdin, stdout, stderr] = &run.stdio;
    let pick = |s: &Stdio, fd| -> std::io::Result<std::process::Stdio> {
        Ok(open(s, fd)?.map_or_else(std::process::Stdio::piped, std::process::Stdio::from))
    };
    cmd.stdin(pick(stdin, 0)?).stdout(pick(stdout, 1)?).stderr(pick(stderr, 2)?);
    let (limits, uid, gid) = (run.limits.clone(), run.uid, run.gid);
    // SAFETY: the closure only calls setrlimit, setgroups, setgid and
    // setuid, which are async-signal-safe. The limits come first: raising
    // one needs root.
    unsafe {
        cmd.pre_exec(move || {
            let check = |r: libc::c_int| if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) };
            for &(resource, soft, hard) in &limits {
                let l = libc::rlimit { rlim_cur: soft as _, rlim_max: hard as _ };
                check(libc::setrlimit(resource as _, &l))?;
            }
            if gid != 0 || uid != 0 {
                check(libc::setgroups(0, std::ptr::null()))?;
                check(libc::setgid(gid))?;
                check(libc::setuid(uid))?;
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Relays the child's standard descriptors and reports its end.
fn relay(conn: TcpStream, mut child: Child) -> std::io::Result<()> {
    let writer = Arc::new(Mutex::new(conn.try_clone()?));
    let done = Arc::new(AtomicBool::new(false));
    let pid = child.id() as libc::pid_t;
    // Standard input from the host; the connection's end before the
    // program's means the host side is gone (killed): so is the program.
    let mut stdin = child.stdin.take();
    let mut reader = conn;
    let input = {
        let done = done.clone();
        std::thread::spawn(move || {
            loop {
                match read_frame(&mut reader) {
                    Ok(Some((tag::STDIN, data))) if data.is_empty() => stdin = None,
                    Ok(Some((tag::STDIN, data))) => {
                        if let Some(s) = stdin.as_mut() {
                            // The program may have stopped reading; the rest is dropped.
                            let _ = s.write_all(&data);
                        }
                    }
                    _ => break,
                }
            }
            if !done.load(Ordering::SeqCst) {
                // SAFETY: kill takes no pointers; the child is not reaped yet.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        })
    };
    let outputs: Vec<_> = [(child.stdout.take().map(|o| Box::new(o) as Box<dyn Read + Send>), tag::STDOUT)]
        .into_iter()
        .chain([(child.stderr.take().map(|o| Box::new(o) as Box<dyn Read + Send>), tag::STDERR)])
        .filter_map(|(pipe, kind)| pipe.map(|p| (p, kind)))
        .map(|(mut pipe, kind)| {
            let writer = writer.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0; 64 * 1024];
                while let Ok(n @ 1..) = pipe.read(&mut buf) {
                    if write_frame(&mut *writer.lock().unwrap(), kind, &buf[..n]).is_err() {
                        break;
                    }
                }
            })
        })
        .collect();
    let status = child.wait()?;
    done.store(true, Ordering::SeqCst);
    for o in outputs {
        let _ = o.join();
    }
    let status = match (status.code(), status.signal()) {
        (Some(code), _) => Status::Exited(code as u8),
        (None, Some(signal)) => Status::Signaled(signal),
        _ => Status::Exited(255),
    };
    write_frame(&mut *writer.lock().unwrap(), tag::STATUS, &status.encode())?;
    drop(input);
    Ok(())
}
