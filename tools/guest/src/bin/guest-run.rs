//! guest-run: runs a program inside the booted guest whose agent listens at
//! ADDR, as if it ran here: arguments, environment, working directory,
//! standard descriptors, user and group, the limits in `LIMITS`; exits as
//! the program did (dies of the same signal). The signals a caller sends
//! to end or poke a program (`RELAYED`) are passed on to it; when a reader
//! of its relayed output goes away (a write here fails), the agent closes
//! the program's end too, so that it gets `EPIPE` or `SIGPIPE` as it would
//! here (`guest-run -- yes | head` ends).
//!
//! ```text
//! guest-run --to HOST:PORT -- PROGRAM [ARGS...]
//! guest-run --to HOST:PORT --hello       prints the guest's release and machine
//! guest-run --to HOST:PORT --shutdown    stops the agent (the guest powers off)
//! ```
//!
//! Standard input on a regular file, output on a file in append mode, and
//! any of them on `/dev/null`, `/dev/full` or `/dev/zero` are opened in the
//! guest under the same path (and offset): the guest shares the directories
//! the suite writes in. Anything else (pipes, sockets, output to a file at
//! an offset) is relayed over the connection.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::process::exit;
use std::sync::{Arc, Mutex};
use sys_layer_guest::{FrameError, LIMITS, Request, Run, Status, Stdio, frame, read_frame, tag};

/// Exit status when guest-run itself fails (as kernel-sim's).
const FAILURE: i32 = 125;

fn fail(what: &str) -> ! {
    eprintln!("guest-run: {what}");
    exit(FAILURE)
}

/// What the guest should do with descriptor `fd`.
fn stdio_of(fd: i32) -> Stdio {
    // SAFETY: fstat writes into the zeroed struct; a closed fd is an error.
    let st = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 {
            return Stdio::Relay;
        }
        st
    };
    let Ok(path) = std::fs::read_link(format!("/proc/self/fd/{fd}")) else { return Stdio::Relay };
    let kind = st.st_mode & libc::S_IFMT;
    let device = ["/dev/null", "/dev/full", "/dev/zero"].iter().any(|d| path.as_os_str() == *d);
    if !(kind == libc::S_IFREG || kind == libc::S_IFCHR && device) {
        return Stdio::Relay;
    }
    // SAFETY: lseek and fcntl take no pointers.
    let (offset, flags) = unsafe { (libc::lseek(fd, 0, libc::SEEK_CUR), libc::fcntl(fd, libc::F_GETFL)) };
    let append = flags != -1 && flags & libc::O_APPEND != 0;
    // Output to a file not in append mode is relayed and written here, so
    // that this side's offset moves as the program writes.
    if fd != 0 && kind == libc::S_IFREG && !append {
        return Stdio::Relay;
    }
    Stdio::Path { path: path.into_os_string().into_vec(), offset: offset.max(0) as u64, append }
}

fn run_request(command: Vec<OsString>) -> Request {
    let cwd = std::env::current_dir().unwrap_or_else(|e| fail(&format!("no working directory: {e}")));
    let limits = LIMITS
        .iter()
        .map(|&resource| {
            let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            // SAFETY: getrlimit writes into the struct.
            let r = unsafe { libc::getrlimit(resource as _, &mut l) };
            assert_eq!(r, 0);
            (resource, l.rlim_cur, l.rlim_max)
        })
        .collect();
    // SAFETY: getuid and getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    Request::Run(Box::new(Run {
        argv: command.into_iter().map(OsString::into_vec).collect(),
        env: std::env::vars_os().map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat()).collect(),
        cwd: cwd.into_os_string().into_vec(),
        stdio: [stdio_of(0), stdio_of(1), stdio_of(2)],
        uid,
        gid,
        limits,
    }))
}

/// The signals passed on to the program: those a caller sends to stop,
/// interrupt or poke it. (`SIGKILL` cannot be caught: the agent kills the
/// program when this side's connection ends.)
const RELAYED: [i32; 6] = [libc::SIGHUP, libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGUSR1, libc::SIGUSR2];

/// Blocks the `RELAYED` signals in this thread and those it starts after,
/// and starts one that takes them and sends them on through `to_guest`.
fn relay_signals(to_guest: Arc<Mutex<TcpStream>>) {
    // SAFETY: the set is initialised by sigemptyset before use; sigmask
    // changes only this thread's mask.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in RELAYED {
            libc::sigaddset(&mut set, s);
        }
        assert_eq!(libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()), 0);
        set
    };
    std::thread::spawn(move || {
        loop {
            let mut signal = 0;
            // SAFETY: sigwait reads the set and writes the signal number.
            if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
                continue;
            }
            let sent = to_guest.lock().unwrap().write_all(&frame(tag::SIGNAL, &(signal as u32).to_le_bytes()));
            if sent.is_err() {
                return;
            }
        }
    });
}

/// Ends this process as the program ended.
fn exit_as(status: Status) -> ! {
    match status {
        Status::Exited(code) => exit(i32::from(code)),
        Status::Signaled(signal) => {
            // SAFETY: resetting the disposition, limiting core dumps and
            // unblocking the signal take valid arguments; raise then ends
            // the process the way the program ended.
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
                let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
                libc::setrlimit(libc::RLIMIT_CORE, &none);
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, signal);
                libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::raise(signal);
            }
            exit(128 + signal)
        }
    }
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(to), Some(addr)) = (args.next(), args.next()) else { fail("usage: guest-run --to HOST:PORT ...") };
    if to != "--to" {
        fail("usage: guest-run --to HOST:PORT ...");
    }
    let addr = addr.into_string().unwrap_or_else(|_| fail("the address is not UTF-8"));
    let request = match args.next().as_ref().and_then(|a| a.to_str()) {
        Some("--hello") => Request::Hello,
        Some("--shutdown") => Request::Shutdown,
        Some("--") => {
            let command: Vec<OsString> = args.collect();
            if command.is_empty() {
                fail("no program to run");
            }
            run_request(command)
        }
        _ => fail("usage: guest-run --to HOST:PORT (--hello | --shutdown | -- PROGRAM [ARGS...])"),
    };
    let mut conn =
        TcpStream::connect(&addr).unwrap_or_else(|e| fail(&format!("cannot reach the guest at {addr}: {e}")));
    conn.set_nodelay(true).ok();
    conn.write_all(&frame(tag::REQUEST, &request.encode())).unwrap_or_else(|e| fail(&format!("sending: {e}")));
    let to_guest = Arc::new(Mutex::new(conn.try_clone().unwrap_or_else(|e| fail(&format!("{e}")))));
    if let Request::Run(run) = &request {
        relay_signals(to_guest.clone());
        if run.stdio[0] == Stdio::Relay {
            let to_guest = to_guest.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0; 64 * 1024];
                let mut stdin = std::io::stdin().lock();
                loop {
                    let n = match stdin.read(&mut buf) {
                        Ok(n) => n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => 0,
                    };
                    if to_guest.lock().unwrap().write_all(&frame(tag::STDIN, &buf[..n])).is_err() || n == 0 {
                        return;
                    }
                }
            });
        }
    }
    // Outputs whose reader here went away: the agent was told, the rest is dropped.
    let mut closed = [false; 2];
    let mut from_guest = std::io::BufReader::new(conn);
    loop {
        let next = read_frame(|b| {
            loop {
                match from_guest.read(b) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            }
        });
        let (kind, data) = match next {
            Ok(Some(f)) => f,
            Ok(None) => fail("the guest closed the connection before the program ended"),
            Err(FrameError::Io(e)) => fail(&format!("connection to the guest: {e}")),
            Err(FrameError::CutShort) => fail("connection to the guest: cut inside a frame"),
        };
        match kind {
            tag::STDOUT | tag::STDERR => {
                let index = usize::from(kind - tag::STDOUT);
                if closed[index] {
                    continue;
                }
                let written = if kind == tag::STDOUT {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&data).and_then(|()| out.flush())
                } else {
                    std::io::stderr().lock().write_all(&data)
                };
                if written.is_err() {
                    // As a write to a pipe whose reader is gone, or a full
                    // disk: the program's next writes fail there too.
                    closed[index] = true;
                    let _ = to_guest.lock().unwrap().write_all(&frame(tag::CLOSE, &[kind]));
                }
            }
            tag::HELLO => {
                let _ = std::io::stdout().lock().write_all(&data);
                exit(0)
            }
            tag::STATUS => exit_as(Status::decode(&data).unwrap_or_else(|e| fail(&format!("{e}")))),
            tag::FAILED => fail(&String::from_utf8_lossy(&data)),
            other => fail(&format!("unexpected frame {other}")),
        }
    }
}
