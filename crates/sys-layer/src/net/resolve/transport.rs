//! Asking the name servers: UDP datagrams, and TCP (RFC 7766) when an
//! answer is truncated or `use-vc` asks for it.
//!
//! The queries of one name (A and AAAA) go out together on one socket
//! connected to the server, so the kernel drops datagrams from any other
//! address; a reply must then carry a query's random ID and question
//! ([`message::parse_reply`]). Rounds, servers and timeouts as the
//! [module](super) documentation says.

extern crate alloc;

use super::ResolveError;
use super::conf::{DNS_PORT, ResolverConfig};
use super::message::{self, Malformed, Name, Reply, rcode};
use crate::Errno;
use crate::event::{PollFd, PollFlags, poll};
use crate::fd::AsFd;
use crate::net::{SockAddr, Socket, UdpSocket};
use crate::time::{Clock, Timespec, clock_gettime};
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use core::sync::atomic::{AtomicUsize, Ordering};
use linux_raw_sys::net as n;

/// Room for one datagram: more than `edns0` announces, so that a server
/// that sends more than it was allowed is read whole (and then refused by
/// the parser if it is broken) rather than cut.
const UDP_BUFFER: usize = 4096;

/// Where `rotate` starts the next lookup.
static NEXT_SERVER: AtomicUsize = AtomicUsize::new(0);

/// One query of a lookup and what has become of it.
struct Query {
    qtype: u16,
    /// The query as last sent.
    packet: Vec<u8>,
    /// An answer: the addresses (empty: no data), or `NotFound`.
    answer: Option<Result<Vec<SocketAddr>, ResolveError>>,
    /// The most telling failure so far, reported if no answer comes.
    failure: ResolveError,
    /// Sent to the current server, no reply yet.
    waiting: bool,
    /// Sent with an EDNS(0) OPT record (`edns0`, until a server refuses it).
    edns: bool,
}

impl Query {
    /// Keeps `e` if it says more than the failure kept: a server's error
    /// answer over a bad reply, over a system error, over silence.
    fn note(&mut self, e: ResolveError) {
        let rank = |e: &ResolveError| match e {
            ResolveError::ServerFailure => 3,
            ResolveError::BadReply => 2,
            ResolveError::Io(_) => 1,
            _ => 0,
        };
        if rank(&e) >= rank(&self.failure) {
            self.failure = e;
        }
    }

    /// Whether `reply` refuses the OPT record of the query: FORMERR or
    /// NOTIMP from a server from before EDNS (RFC 6891 §7), which is then
    /// asked without it.
    fn refuses_edns(&self, reply: &Reply) -> bool {
        self.edns && matches!(reply, Reply::Answer { rcode: rcode::FORMERR | rcode::NOTIMP, .. })
    }

    /// Takes a server's reply (or the failure to get one).
    fn settle(&mut self, reply: Result<Reply, ResolveError>) {
        self.waiting = false;
        if let Ok(r) = &reply
            && self.refuses_edns(r)
        {
            self.edns = false;
        }
        match reply {
            Ok(Reply::Answer { rcode: rcode::NOERROR, addrs }) => {
                self.answer = Some(Ok(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect()));
            }
            Ok(Reply::Answer { rcode: rcode::NXDOMAIN, .. }) => self.answer = Some(Err(ResolveError::NotFound)),
            // SERVFAIL, REFUSED, NOTIMP, FORMERR...: the next server may do better.
            Ok(Reply::Answer { .. }) => self.note(ResolveError::ServerFailure),
            Ok(Reply::Unrelated | Reply::Truncated) => self.note(ResolveError::BadReply),
            Err(e) => self.note(e),
        }
    }
}

/// Asks the servers of `conf` for `name`, one query per type in `types`;
/// one result per type, in that order: the addresses (port 0; empty when
/// the name has none of that type), `NotFound`, or why no server answered.
pub(super) fn query(conf: &ResolverConfig, name: &Name, types: &[u16]) -> Vec<Result<Vec<SocketAddr>, ResolveError>> {
    let mut queries: Vec<Query> = types
        .iter()
        .map(|&qtype| Query {
            qtype,
            packet: Vec::new(),
            answer: None,
            failure: ResolveError::Timeout,
            waiting: false,
            edns: conf.edns0,
        })
        .collect();
    let loopback = [SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DNS_PORT)];
    let servers = if conf.nameservers.is_empty() { &loopback[..] } else { &conf.nameservers[..] };
    let start = if conf.rotate { NEXT_SERVER.fetch_add(1, Ordering::Relaxed) } else { 0 };
    'rounds: for round in 0..conf.attempts.max(1) {
        let wait = try_timeout(conf.timeout, round, servers.len());
        for k in 0..servers.len() {
            if queries.iter().all(|q| q.answer.is_some()) {
                break 'rounds;
            }
            ask(conf, servers[(start + k) % servers.len()], name, &mut queries, wait);
        }
    }
    queries.into_iter().map(|q| q.answer.unwrap_or(Err(q.failure))).collect()
}

/// How long a server gets in round `round` (from 0): glibc's rule,
/// `timeout` at first, then `timeout << round` shared among the servers,
/// at least a second.
fn try_timeout(timeout: u8, round: u8, servers: usize) -> Timespec {
    let secs = if round == 0 { u64::from(timeout) } else { (u64::from(timeout) << round) / servers as u64 };
    Timespec::from_secs(secs.max(1) as i64)
}

/// The monotonic clock in nanoseconds.
fn now() -> i128 {
    clock_gettime(Clock::Monotonic).unwrap_or_default().as_nanos()
}

/// The time left until `deadline` (nanoseconds of [`now`]), if any.
fn left(deadline: i128) -> Option<Timespec> {
    let rest = deadline - now();
    (rest > 0).then_some(Timespec { sec: (rest / 1_000_000_000) as i64, nsec: (rest % 1_000_000_000) as u32 })
}

/// Waits until `fd` is ready for `events` or `deadline` passes.
fn wait_for(fd: &impl AsFd, events: PollFlags, deadline: i128) -> Result<(), ResolveError> {
    loop {
        let rest = left(deadline).ok_or(ResolveError::Timeout)?;
        match poll(&mut [PollFd::new(fd.as_fd(), events)], Some(rest)) {
            Ok(0) => return Err(ResolveError::Timeout),
            Ok(_) => return Ok(()),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(ResolveError::Io(e)),
        }
    }
}

/// A fresh query for `q` with a new random ID.
fn build(name: &Name, q: &mut Query) -> Result<(), ResolveError> {
    let mut id = [0u8; 2];
    crate::rand::fill(&mut id)?;
    q.packet = message::build_query(u16::from_ne_bytes(id), name, q.qtype, q.edns);
    Ok(())
}

/// Asks `server` the unanswered queries, waiting `wait` for its replies.
fn ask(conf: &ResolverConfig, server: SocketAddr, name: &Name, queries: &mut [Query], wait: Timespec) {
    let wait = wait.as_nanos();
    let unanswered = queries.iter_mut().filter(|q| q.answer.is_none());
    if conf.use_tcp {
        for q in unanswered {
            let reply = build(name, q).and_then(|()| over_tcp(server, &q.packet, now() + wait));
            q.settle(reply);
        }
        return;
    }
    let socket = match udp_to(server) {
        Ok(s) => s,
        Err(e) => return unanswered.for_each(|q| q.note(ResolveError::Io(e))),
    };
    for q in unanswered {
        if let Err(e) = build(name, q).and_then(|()| socket.send(&q.packet).map_err(ResolveError::Io)) {
            // ECONNREFUSED here is the ICMP error of an earlier query: the
            // server is not there for any of them.
            queries.iter_mut().filter(|q| q.answer.is_none()).for_each(|q| q.settle(Err(e)));
            return;
        }
        q.waiting = true;
    }
    let deadline = now() + wait;
    let mut buf = alloc::vec![0u8; UDP_BUFFER];
    while queries.iter().any(|q| q.waiting) {
        let got = wait_for(&socket, PollFlags::IN, deadline).and_then(|()| match socket.recv(&mut buf) {
            Ok(n) => Ok(Some(n)),
            Err(Errno::EAGAIN | Errno::EINTR) => Ok(None),
            // ECONNREFUSED: an ICMP "port unreachable" came back.
            Err(e) => Err(ResolveError::Io(e)),
        });
        let n = match got {
            Ok(Some(n)) => n,
            Ok(None) => continue,
            Err(e) => {
                queries.iter_mut().filter(|q| q.waiting).for_each(|q| q.settle(Err(e)));
                return;
            }
        };
        for q in queries.iter_mut().filter(|q| q.waiting) {
            match message::parse_reply(&buf[..n], &q.packet) {
                Ok(Reply::Unrelated) => continue,
                Ok(Reply::Truncated) => {
                    let reply = over_tcp(server, &q.packet, now() + wait);
                    q.settle(reply);
                }
                Ok(reply) => {
                    let again = q.refuses_edns(&reply);
                    q.settle(Ok(reply));
                    if again {
                        match build(name, q).and_then(|()| socket.send(&q.packet).map_err(ResolveError::Io)) {
                            Ok(_) => q.waiting = true,
                            Err(e) => q.note(e),
                        }
                    }
                }
                Err(Malformed) => q.settle(Err(ResolveError::BadReply)),
            }
            break;
        }
    }
}

/// A UDP socket connected to `server`.
fn udp_to(server: SocketAddr) -> Result<UdpSocket, Errno> {
    let any = match server {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0))?;
    socket.connect(server)?;
    Ok(socket)
}

/// Asks `server` the query `packet` over TCP: a connection, the query and
/// the reply each after its two-byte length (RFC 1035 §4.2.2). The
/// connection is non-blocking so that `deadline` bounds the connecting
/// too.
fn over_tcp(server: SocketAddr, packet: &[u8], deadline: i128) -> Result<Reply, ResolveError> {
    let family = if server.is_ipv4() { n::AF_INET } else { n::AF_INET6 };
    let s = Socket::new(family, n::SOCK_STREAM, 0)?;
    s.set_nonblocking(true)?;
    match s.connect(&SockAddr::from(server)) {
        Ok(()) => {}
        Err(Errno::EINPROGRESS) => {
            wait_for(&s, PollFlags::OUT, deadline)?;
            if let Some(e) = s.take_error()? {
                return Err(ResolveError::Io(e));
            }
        }
        Err(e) => return Err(ResolveError::Io(e)),
    }
    let mut framed = Vec::with_capacity(2 + packet.len());
    framed.extend_from_slice(&(packet.len() as u16).to_be_bytes());
    framed.extend_from_slice(packet);
    let mut sent = 0;
    while sent < framed.len() {
        wait_for(&s, PollFlags::OUT, deadline)?;
        match s.send(&framed[sent..]) {
            Ok(k) => sent += k,
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(e) => return Err(ResolveError::Io(e)),
        }
    }
    let mut len = [0u8; 2];
    read_exact(&s, &mut len, deadline)?;
    let mut reply = alloc::vec![0u8; usize::from(u16::from_be_bytes(len))];
    read_exact(&s, &mut reply, deadline)?;
    match message::parse_reply(&reply, packet) {
        Ok(answer @ Reply::Answer { .. }) => Ok(answer),
        // Over TCP the one reply must answer the query, whole.
        Ok(Reply::Unrelated | Reply::Truncated) | Err(Malformed) => Err(ResolveError::BadReply),
    }
}

/// Fills `buf` from the stream `s` by `deadline`.
fn read_exact(s: &Socket, buf: &mut [u8], deadline: i128) -> Result<(), ResolveError> {
    let mut got = 0;
    while got < buf.len() {
        wait_for(s, PollFlags::IN, deadline)?;
        match s.recv(&mut buf[got..]) {
            // The server closed the connection before the whole reply.
            Ok(0) => return Err(ResolveError::Io(Errno::ECONNRESET)),
            Ok(k) => got += k,
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(e) => return Err(ResolveError::Io(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_grow_as_glibcs() {
        assert_eq!(try_timeout(5, 0, 3), Timespec::from_secs(5));
        assert_eq!(try_timeout(5, 1, 3), Timespec::from_secs(3));
        assert_eq!(try_timeout(5, 2, 3), Timespec::from_secs(6));
        assert_eq!(try_timeout(1, 1, 3), Timespec::from_secs(1));
        assert_eq!(try_timeout(30, 4, 1), Timespec::from_secs(480));
    }

    #[test]
    fn failures_keep_the_most_telling() {
        let mut q = Query {
            qtype: 1,
            packet: Vec::new(),
            answer: None,
            failure: ResolveError::Timeout,
            waiting: true,
            edns: true,
        };
        q.note(ResolveError::Io(Errno::ECONNREFUSED));
        q.note(ResolveError::Timeout);
        assert_eq!(q.failure, ResolveError::Io(Errno::ECONNREFUSED));
        q.settle(Ok(Reply::Answer { rcode: 5, addrs: Vec::new() }));
        assert!(q.edns, "REFUSED says nothing of EDNS");
        q.settle(Ok(Reply::Answer { rcode: rcode::FORMERR, addrs: Vec::new() }));
        assert!(!q.edns, "FORMERR: the next try goes without EDNS");
        q.note(ResolveError::BadReply);
        assert_eq!((q.failure, q.waiting, q.answer.is_none()), (ResolveError::ServerFailure, false, true));
        q.settle(Ok(Reply::Answer { rcode: rcode::NXDOMAIN, addrs: Vec::new() }));
        assert_eq!(q.answer, Some(Err(ResolveError::NotFound)));
    }
}
