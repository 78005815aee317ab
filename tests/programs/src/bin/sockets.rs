//! Sockets and readiness, checked from inside: TCP over IPv4 and IPv6
//! loopback, UDP, Unix-domain streams with descriptor passing, shutdown,
//! refused connections, `EPIPE` without `SIGPIPE`, non-blocking `EAGAIN`,
//! and `poll`, `epoll`, `eventfd` and `timerfd`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use sys_layer::event::{Epoll, EpollEvent, EpollFlags, EventFd, PollFd, PollFlags, TimerFd, poll};
use sys_layer::fd::{AsFd, OwnedFd};
use sys_layer::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket, UnixAddr, UnixListener, UnixStream};
use sys_layer::time::{Clock, Timespec};
use sys_layer::{Errno, env, io, thread};
use sys_layer_tests::Checks;

sys_layer::main!(main);

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0)))
}

/// A TCP echo of one message through a listener on `bind`.
fn tcp_round_trip(t: &mut Checks, name: &str, bind: &str) {
    let listener = match TcpListener::bind(addr(bind)) {
        Ok(l) => l,
        Err(e) => return t.check(name, false, format_args!("bind {bind}: {e:?}")),
    };
    let local = listener.local_addr();
    let Ok(local) = local else { return t.check(name, false, format_args!("local_addr {local:?}")) };
    let client = thread::spawn(move || -> Result<Vec<u8>, Errno> {
        let s = TcpStream::connect(local)?;
        s.set_nodelay(true)?;
        s.write_all(b"ping over tcp")?;
        s.shutdown(Shutdown::Write)?;
        let mut back = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            match s.read(&mut buf)? {
                0 => return Ok(back),
                n => back.extend_from_slice(&buf[..n]),
            }
        }
    });
    let served = listener.accept().and_then(|(s, peer)| {
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            match s.read(&mut buf)? {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            }
        }
        s.write_all(&got)?;
        Ok((got, peer.ip() == local.ip(), s.local_addr()? == local))
    });
    let back = client.map(|h| h.join());
    t.eq(name, (served, back), (Ok((b"ping over tcp".to_vec(), true, true)), Ok(Ok(b"ping over tcp".to_vec()))));
}

fn udp(t: &mut Checks) {
    let (Ok(a), Ok(b)) = (UdpSocket::bind(addr("127.0.0.1:0")), UdpSocket::bind(addr("127.0.0.1:0"))) else {
        return t.check("udp sockets", false, format_args!("bind"));
    };
    let (Ok(a_addr), Ok(b_addr)) = (a.local_addr(), b.local_addr()) else { return };
    let sent = a.send_to(b"datagram", b_addr);
    let mut buf = [0u8; 64];
    let got = b.recv_from(&mut buf).map(|(n, from)| (buf[..n].to_vec(), from));
    t.eq("udp send_to / recv_from", (sent, got), (Ok(8), Ok((b"datagram".to_vec(), a_addr))));
    let connected = b.connect(a_addr).and_then(|_| b.send(b"back"));
    let got = a.recv(&mut buf).map(|n| buf[..n].to_vec());
    t.eq("udp connect / send / recv", (connected, got), (Ok(4), Ok(b"back".to_vec())));
}

fn unix_and_descriptors(t: &mut Checks) {
    let Ok((a, b)) = UnixStream::pair() else { return t.check("socketpair", false, format_args!("")) };
    let Ok((pipe_r, pipe_w)) = sys_layer::fd::pipe() else { return };
    // The write end travels over the socket; the receiver writes into it.
    let sent = a.socket().send_with_fds(b"fd", &[pipe_w.as_fd()]);
    drop(pipe_w);
    let mut fds: Vec<OwnedFd> = Vec::new();
    let mut buf = [0u8; 8];
    let got = b.socket().recv_with_fds(&mut buf, &mut fds);
    let wrote = fds.first().map(|fd| io::write_all(fd, b"through a passed descriptor"));
    drop(fds);
    let mut back = [0u8; 64];
    let n = io::read(&pipe_r, &mut back).unwrap_or(0);
    t.eq(
        "SCM_RIGHTS passes a descriptor",
        (sent, got, wrote, &back[..n]),
        (Ok(2), Ok(2), Some(Ok(())), &b"through a passed descriptor"[..]),
    );

    // A listener on an abstract address (nothing in the filesystem).
    let name = alloc::format!("sys-layer-test-{}", sys_layer::process::getpid());
    let Ok(where_) = UnixAddr::abstract_name(name.as_bytes()) else { return };
    let listener = UnixListener::bind(&where_);
    let client = UnixStream::connect(&where_);
    let accepted = listener.as_ref().map_err(|e| *e).and_then(|l| l.accept());
    let talk = match (&client, &accepted) {
        (Ok(c), Ok(s)) => c.write(b"hi").and_then(|_| {
            let mut buf = [0u8; 4];
            s.read(&mut buf).map(|n| buf[..n].to_vec())
        }),
        _ => Err(Errno::EIO),
    };
    t.eq("unix listener on an abstract name", talk, Ok(b"hi".to_vec()));
}

fn errors(t: &mut Checks) {
    // A port nobody listens on: bind one, note it, close it.
    let port = TcpListener::bind(addr("127.0.0.1:0")).and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(1);
    let refused = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).map(drop);
    t.eq("connect to a closed port", refused, Err(Errno::ECONNREFUSED));

    // Writing to a closed peer: EPIPE, and no SIGPIPE ends the process.
    if let Ok((a, b)) = UnixStream::pair() {
        drop(b);
        t.eq("EPIPE instead of SIGPIPE", a.write(b"x"), Err(Errno::EPIPE));
    }
    if let Ok((a, _b)) = UnixStream::pair() {
        let nb = a.set_nonblocking(true);
        let mut buf = [0u8; 4];
        t.eq("non-blocking read gives EAGAIN", (nb, a.read(&mut buf)), (Ok(()), Err(Errno::EAGAIN)));
    }
}

fn readiness(t: &mut Checks) {
    let Ok((a, b)) = UnixStream::pair() else { return };
    let mut fds = [PollFd::new(b.as_fd(), PollFlags::IN)];
    let idle = poll(&mut fds, Some(Timespec::from_millis(10)));
    let _ = a.write(b"!");
    let mut fds = [PollFd::new(b.as_fd(), PollFlags::IN)];
    let ready = poll(&mut fds, Some(Timespec::from_secs(5)));
    t.eq("poll times out, then sees data", (idle, ready, fds[0].revents()), (Ok(0), Ok(1), PollFlags::IN));

    let epoll = Epoll::new();
    let counters: Vec<EventFd> = (0..3).filter_map(|_| EventFd::new(0, true).ok()).collect();
    if let (Ok(epoll), 3) = (&epoll, counters.len()) {
        let added: Result<(), Errno> =
            counters.iter().enumerate().try_for_each(|(i, c)| epoll.add(c, EpollFlags::IN, 100 + i as u64));
        let mut events = [EpollEvent::empty(); 4];
        let none = epoll.wait(&mut events, Some(Timespec::from_millis(5)));
        let _ = counters[1].add(3);
        let _ = counters[1].add(4);
        let one = epoll.wait(&mut events, Some(Timespec::from_secs(5)));
        let which = (events[0].data(), events[0].flags());
        t.eq(
            "epoll reports the eventfd that fired",
            (added, none, one, which),
            (Ok(()), Ok(0), Ok(1), (101, EpollFlags::IN)),
        );
        t.eq("eventfd sums its adds", counters[1].read(), Ok(7));
        t.eq("a drained non-blocking eventfd gives EAGAIN", counters[1].read(), Err(Errno::EAGAIN));
    } else {
        t.check("epoll and eventfds", false, format_args!("{epoll:?}"));
    }

    match TimerFd::new(Clock::Monotonic, false) {
        Ok(timer) => {
            let set = timer.set(Timespec::from_millis(20), Timespec::default());
            let left = timer.get().map(|(value, interval)| (value <= Timespec::from_millis(20), interval));
            let fired = timer.read();
            t.eq("timerfd", (set, left, fired.map(|n| n >= 1)), (Ok(()), Ok((true, Timespec::default())), Ok(true)));
        }
        Err(e) => t.check("timerfd", false, format_args!("{e:?}")),
    }
}

fn main(_: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();
    tcp_round_trip(&mut t, "tcp over 127.0.0.1", "127.0.0.1:0");
    tcp_round_trip(&mut t, "tcp over ::1", "[::1]:0");
    udp(&mut t);
    unix_and_descriptors(&mut t);
    errors(&mut t);
    readiness(&mut t);
    // The loopback is the first interface of every network namespace.
    t.eq(
        "interface_index",
        (sys_layer::net::interface_index(b"lo"), sys_layer::net::interface_index(b"no-such-if0")),
        (Ok(1), Err(Errno::ENODEV)),
    );
    t.finish()
}
