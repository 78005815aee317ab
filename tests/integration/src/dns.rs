//! A DNS responder of the tests' own (UDP and TCP on one port of this
//! machine, std threads), serving a small zone: the `resolve` tests and the
//! std programs' `ToSocketAddrs` ask it. Nothing leaves this machine.
//!
//! The zone ([`answer`]): `a.test` A 192.0.2.1 and AAAA 2001:db8::1,
//! aliases, search-domain names, names that fail (SERVFAIL, NXDOMAIN), a
//! truncated answer that TCP completes, and hostile replies.

use crate::host_addr_for_programs;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the responder was asked: `udp A a.test`, `tcp AAAA big.test`.
pub type Log = Arc<Mutex<Vec<String>>>;

/// A DNS responder on 127.0.0.1, UDP and TCP on the same port, serving
/// the zone of [`answer`].
pub struct Responder {
    /// Where it listens (UDP and TCP).
    pub addr: SocketAddr,
    log: Log,
}

impl Responder {
    /// A responder on 127.0.0.1.
    pub fn start() -> Responder {
        Responder::start_on(Ipv4Addr::LOCALHOST.into()).expect("a responder on 127.0.0.1")
    }

    /// A responder on `ip`, if this machine has that address.
    pub fn start_on(ip: IpAddr) -> Option<Responder> {
        // The TCP port must be free too: try kernel-chosen UDP ports until
        // one is.
        let (udp, tcp) = (0..100).find_map(|_| {
            let udp = UdpSocket::bind((ip, 0)).ok()?;
            let port = udp.local_addr().unwrap().port();
            TcpListener::bind((ip, port)).ok().map(|tcp| (udp, tcp))
        })?;
        let addr = udp.local_addr().unwrap();
        let log: Log = Arc::default();
        let udp_log = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while let Ok((n, from)) = udp.recv_from(&mut buf) {
                if let Some(reply) = answer(&buf[..n], false, &udp_log) {
                    let _ = udp.send_to(&reply, from);
                }
            }
        });
        let tcp_log = log.clone();
        std::thread::spawn(move || {
            for conn in tcp.incoming() {
                let Ok(mut conn) = conn else { continue };
                let _ = serve_tcp(&mut conn, &tcp_log);
            }
        });
        Some(Responder { addr, log })
    }

    /// Its resolv.conf line, as the program reaches it.
    pub fn nameserver(&self) -> String {
        nameserver(&self.addr)
    }

    /// What it was asked so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// The resolv.conf line for a server of this process's at `addr`, as the
/// program reaches it.
pub fn nameserver(addr: &SocketAddr) -> String {
    let seen = host_addr_for_programs(*addr).expect("a server the program can reach");
    format!("nameserver {seen}\n")
}

/// Queries on one connection, each after its two-byte length.
fn serve_tcp(conn: &mut TcpStream, log: &Log) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    loop {
        let mut len = [0u8; 2];
        conn.read_exact(&mut len)?;
        let mut query = vec![0u8; u16::from_be_bytes(len) as usize];
        conn.read_exact(&mut query)?;
        if let Some(reply) = answer(&query, true, log) {
            conn.write_all(&(reply.len() as u16).to_be_bytes())?;
            conn.write_all(&reply)?;
        }
    }
}

const A: u16 = 1;
const CNAME: u16 = 5;
const AAAA: u16 = 28;

/// The query's ID, name (dotted, lower case), type, and the end of its
/// question; `None` for what is not a one-question query.
pub fn parse_query(q: &[u8]) -> Option<(u16, String, u16, usize)> {
    if q.len() < 12 || q[4..6] != [0, 1] {
        return None;
    }
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = *q.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(q.get(at..at + len)?).to_lowercase());
        at += len;
    }
    let qtype = u16::from_be_bytes([*q.get(at)?, *q.get(at + 1)?]);
    Some((u16::from_be_bytes([q[0], q[1]]), labels.join("."), qtype, at + 4))
}

/// A reply: the query's header and question, flags QR RD RA plus
/// `flags`, then the records (each: owner bytes, type, data).
fn reply(query: &[u8], question_end: usize, flags: u16, records: &[(Vec<u8>, u16, Vec<u8>)]) -> Vec<u8> {
    let mut r = query[..question_end].to_vec();
    r[2..4].copy_from_slice(&(0x8180 | flags).to_be_bytes());
    r[6..8].copy_from_slice(&(records.len() as u16).to_be_bytes());
    r[8..12].fill(0);
    for (owner, rtype, data) in records {
        r.extend_from_slice(owner);
        r.extend_from_slice(&rtype.to_be_bytes());
        r.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(data);
    }
    r
}

/// A pointer to the question's name.
const QNAME: [u8; 2] = [0xc0, 12];

/// The zone. Unknown names are NXDOMAIN.
fn answer(query: &[u8], tcp: bool, log: &Log) -> Option<Vec<u8>> {
    let (id, name, qtype, end) = parse_query(query)?;
    let type_name = match qtype {
        A => "A",
        AAAA => "AAAA",
        _ => "other",
    };
    log.lock().unwrap().push(format!("{} {type_name} {name}", if tcp { "tcp" } else { "udp" }));
    let addr = |v4: [u8; 4], v6: &str| match qtype {
        A => vec![(QNAME.to_vec(), A, v4.to_vec())],
        AAAA => vec![(QNAME.to_vec(), AAAA, v6.parse::<Ipv6Addr>().unwrap().octets().to_vec())],
        _ => vec![],
    };
    Some(match name.as_str() {
        "a.test" => reply(query, end, 0, &addr([192, 0, 2, 1], "2001:db8::1")),
        "v4only.test" if qtype == A => reply(query, end, 0, &addr([192, 0, 2, 4], "::")),
        "v4only.test" => reply(query, end, 0, &[]),
        "host.other.test" => reply(query, end, 0, &addr([192, 0, 2, 8], "2001:db8::8")),
        "alias.test" => {
            // alias.test CNAME target.test (its last label compressed to the
            // question's), then target.test's address, owned through a
            // pointer to the CNAME's data.
            let target_at = end + 2 + 10;
            let mut records = vec![(QNAME.to_vec(), CNAME, b"\x06target\xc0\x12".to_vec())];
            let owner = vec![0xc0, target_at as u8];
            records.extend(addr([192, 0, 2, 7], "2001:db8::7").into_iter().map(|(_, t, d)| (owner.clone(), t, d)));
            reply(query, end, 0, &records)
        }
        "big.test" if !tcp => reply(query, end, 0x0200, &[]),
        "big.test" if qtype == A => {
            let records: Vec<_> = (1..=40).map(|i| (QNAME.to_vec(), A, vec![198, 51, 100, i])).collect();
            reply(query, end, 0, &records)
        }
        "big.test" => reply(query, end, 0, &[]),
        "servfail.test" => reply(query, end, 2, &[]),
        // A server from before EDNS: FORMERR to a query with an OPT record.
        "noedns.test" if query[10..12] != [0, 0] => {
            log.lock().unwrap().push("formerr noedns.test".into());
            reply(query, end, 1, &[])
        }
        "noedns.test" => reply(query, end, 0, &addr([192, 0, 2, 9], "2001:db8::9")),
        "loop.test" => {
            // The record's owner is a pointer to itself.
            let here = end as u8;
            reply(query, end, 0, &[(vec![0xc0, here], A, vec![1, 2, 3, 4])])
        }
        "garbage.test" => {
            let mut junk = vec![0xde; 40];
            junk[..2].copy_from_slice(&(!id).to_be_bytes());
            junk
        }
        _ => reply(query, end, 3, &[]),
    })
}
