//! An echo server: every byte a client sends comes back to it.
//!
//! ```text
//! echo_server 127.0.0.1:PORT      (or [::1]:PORT; port 0 picks a free one)
//! ```
//!
//! One thread serves every connection through epoll: sockets are
//! non-blocking, each connection keeps what it could not write back yet
//! and stops reading until that is out (so a client that does not read
//! cannot make the server buffer without bound). It prints
//! `listening on ADDRESS` once ready. `SIGTERM` or `SIGINT` (read through a
//! signalfd in the same epoll set) stops it cleanly: it closes every
//! connection, prints what it served on standard error, and exits 0.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use sys_layer::event::{Epoll, EpollEvent, EpollFlags};
use sys_layer::fd::{AsFd, OwnedFd};
use sys_layer::net::{SocketAddr, TcpListener, TcpStream};
use sys_layer::signal::{self, MaskHow, SigSet};
use sys_layer::{Errno, env, eprintln, io, println, stdio};

sys_layer::main!(main);

/// The epoll data word of the listener and of the signalfd; connections
/// get the numbers above.
const LISTENER: u64 = 0;
const SIGNALS: u64 = 1;

struct Connection {
    stream: TcpStream,
    /// Bytes read but not yet written back.
    pending: Vec<u8>,
}

struct Server {
    epoll: Epoll,
    listener: TcpListener,
    connections: BTreeMap<u64, Connection>,
    next_id: u64,
    served: u64,
    bytes: u64,
}

impl Server {
    fn accept_all(&mut self) -> Result<(), Errno> {
        loop {
            let (stream, _) = match self.listener.accept() {
                Ok(c) => c,
                Err(Errno::EAGAIN) => return Ok(()),
                // The client gave up before we took it, or its connection
                // carries a network error Linux reports from accept(2)
                // itself (the man page's list for TCP, but the obsolete
                // ENONET): not the server's problem, take the next.
                Err(
                    Errno::ECONNABORTED
                    | Errno::EPROTO
                    | Errno::ENETDOWN
                    | Errno::ENOPROTOOPT
                    | Errno::EHOSTDOWN
                    | Errno::EHOSTUNREACH
                    | Errno::EOPNOTSUPP
                    | Errno::ENETUNREACH,
                ) => continue,
                // Out of descriptors: leave the rest queued until some close.
                Err(Errno::EMFILE | Errno::ENFILE) => return Ok(()),
                Err(e) => return Err(e),
            };
            stream.set_nonblocking(true)?;
            let _ = stream.set_nodelay(true);
            let id = self.next_id;
            self.next_id += 1;
            self.epoll.add(&stream, EpollFlags::IN | EpollFlags::RDHUP, id)?;
            self.connections.insert(id, Connection { stream, pending: Vec::new() });
            self.served += 1;
        }
    }

    /// Reads and echoes on connection `id`; returns whether it stays open.
    fn serve(&mut self, id: u64, buf: &mut [u8]) -> bool {
        let Some(c) = self.connections.get_mut(&id) else { return false };
        if !c.pending.is_empty() {
            // Writable again: send what is left, then read again.
            match write_some(&c.stream, &mut c.pending) {
                Err(_) => return false,
                Ok(()) if c.pending.is_empty() => {
                    return self.epoll.modify(&c.stream, EpollFlags::IN | EpollFlags::RDHUP, id).is_ok();
                }
                Ok(()) => return true,
            }
        }
        loop {
            match c.stream.read(buf) {
                Ok(0) => return false,
                Ok(n) => {
                    self.bytes += n as u64;
                    // Straight back from the read buffer; only what the
                    // socket does not take now is kept.
                    let sent = match send_now(&c.stream, &buf[..n]) {
                        Ok(sent) => sent,
                        Err(_) => return false,
                    };
                    if sent < n {
                        c.pending.extend_from_slice(&buf[sent..n]);
                        // The client is not reading: wait until it does.
                        return self.epoll.modify(&c.stream, EpollFlags::OUT, id).is_ok();
                    }
                }
                Err(Errno::EAGAIN) => return true,
                Err(Errno::EINTR) => {}
                Err(_) => return false,
            }
        }
    }
}

/// Writes as much of `bytes` as the socket takes now; returns how much.
fn send_now(stream: &TcpStream, bytes: &[u8]) -> Result<usize, Errno> {
    let mut sent = 0;
    while sent < bytes.len() {
        match stream.write(&bytes[sent..]) {
            Ok(n) => sent += n,
            Err(Errno::EAGAIN) => break,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(sent)
}

/// Writes as much of `pending` as the socket takes now, keeping the rest.
fn write_some(stream: &TcpStream, pending: &mut Vec<u8>) -> Result<(), Errno> {
    let sent = send_now(stream, pending)?;
    pending.drain(..sent);
    Ok(())
}

fn run(addr: SocketAddr) -> Result<(), Errno> {
    // SIGTERM and SIGINT arrive through the signalfd, not as handlers.
    let stop = SigSet::of(&[signal::SIGTERM, signal::SIGINT]);
    signal::thread_mask(MaskHow::Block, &stop)?;
    let signals: OwnedFd = signal::signalfd(&stop, true)?;

    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let epoll = Epoll::new()?;
    epoll.add(&listener, EpollFlags::IN, LISTENER)?;
    epoll.add(&signals, EpollFlags::IN, SIGNALS)?;
    println!("listening on {}", listener.local_addr()?);
    let _ = stdio::flush();

    let mut server = Server { epoll, listener, connections: BTreeMap::new(), next_id: 2, served: 0, bytes: 0 };
    let mut events = [EpollEvent::empty(); 64];
    let mut buf = alloc::vec![0u8; 64 * 1024];
    let signo = 'serve: loop {
        let n = match server.epoll.wait(&mut events, None) {
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        };
        for event in &events[..n] {
            match event.data() {
                LISTENER => server.accept_all()?,
                SIGNALS => {
                    let mut record = [0u8; signal::SIGNALFD_RECORD_SIZE];
                    if let Ok(got) = io::read(signals.as_fd(), &mut record) {
                        break 'serve signal::signalfd_signo(&record[..got]).unwrap_or(0);
                    }
                }
                id => {
                    if !server.serve(id, &mut buf)
                        && let Some(c) = server.connections.remove(&id)
                    {
                        let _ = server.epoll.delete(&c.stream);
                    }
                }
            }
        }
    };
    let open = server.connections.len();
    server.connections.clear();
    eprintln!(
        "echo_server: stopped by {} after {} connections ({} still open, closed), {} bytes echoed",
        signal::name(signo).unwrap_or("a signal"),
        server.served,
        open,
        server.bytes
    );
    Ok(())
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let Some(arg) = args.clone().nth(1) else {
        eprintln!("usage: echo_server ADDRESS:PORT   (for example 127.0.0.1:7000 or [::1]:0)");
        return 2;
    };
    let Some(addr) = arg.to_str().ok().and_then(|s| s.parse::<SocketAddr>().ok()) else {
        eprintln!("echo_server: not an address with a port: {:?}", arg);
        return 2;
    };
    match run(addr) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("echo_server: {addr}: {e}");
            1
        }
    }
}
