//! DNS messages on the wire: queries built, replies parsed.
//!
//! RFC 1035 §4 (<https://www.rfc-editor.org/rfc/rfc1035#section-4>) with
//! AAAA (RFC 3596) and the EDNS(0) OPT record (RFC 6891). A reply comes
//! from the network, so it is read as hostile: every offset is checked,
//! nothing panics, and each compression pointer of a name must point
//! before the previous one's target, so that reading a name ends (no loop,
//! no recursion).

extern crate alloc;

use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Record type A: an IPv4 address.
pub(crate) const TYPE_A: u16 = 1;
/// Record type CNAME: the owner is an alias of the name in the data.
pub(crate) const TYPE_CNAME: u16 = 5;
/// Record type AAAA: an IPv6 address.
pub(crate) const TYPE_AAAA: u16 = 28;
/// Record type OPT (EDNS).
const TYPE_OPT: u16 = 41;
/// Class IN.
const CLASS_IN: u16 = 1;

/// The fixed header's size.
const HEADER: usize = 12;
/// The longest name in wire form, its final zero octet included.
const MAX_NAME: usize = 255;
/// The longest label.
const MAX_LABEL: usize = 63;
/// The most aliases followed from the question to the address records.
const MAX_CNAMES: usize = 16;

/// The UDP payload size announced with EDNS(0): what fits an unfragmented
/// IPv6 packet on most paths (the DNS Flag Day 2020 figure).
pub(crate) const EDNS_PAYLOAD: u16 = 1232;

/// Response codes (RFC 1035 §4.1.1).
pub(crate) mod rcode {
    /// No error.
    pub const NOERROR: u8 = 0;
    /// The server could not read the query (an OPT record, to a server
    /// from before EDNS).
    pub const FORMERR: u8 = 1;
    /// The server failed.
    #[cfg(test)]
    pub const SERVFAIL: u8 = 2;
    /// The name does not exist (NXDOMAIN).
    pub const NXDOMAIN: u8 = 3;
    /// The server does not do that kind of query.
    pub const NOTIMP: u8 = 4;
}

/// Why a name cannot be put in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadName;

/// Why a reply is unusable. Replies that do not answer our query (another
/// ID, another question) are [`Reply::Unrelated`] instead: those are
/// ignored, as a spoofed packet should be, while a malformed answer to our
/// question counts against the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// A name in wire form (length-prefixed labels, ending with the zero
/// label), with its letters as given: names compare with `==` as DNS
/// compares them, without regard to ASCII case (RFC 4343), while a query
/// carries the name as the program wrote it.
#[derive(Clone)]
pub(crate) struct Name {
    len: u8,
    bytes: [u8; MAX_NAME],
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // Length octets are at most 63, below every ASCII letter, so they
        // only match each other.
        self.wire().eq_ignore_ascii_case(other.wire())
    }
}

impl Eq for Name {}

impl core::fmt::Debug for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut dotted = Vec::new();
        self.write_dotted(&mut dotted);
        write!(f, "Name({:?})", core::str::from_utf8(&dotted).unwrap_or("<not UTF-8>"))
    }
}

impl Name {
    const fn empty() -> Name {
        Name { len: 0, bytes: [0; MAX_NAME] }
    }

    /// The wire form.
    pub(crate) fn wire(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// From dotted text (`www.example.com`, one trailing dot allowed).
    /// Empty labels, labels over 63 bytes, names over 255 bytes on the
    /// wire, and bytes that do not belong in a host name are refused.
    pub(crate) fn from_dotted(text: &[u8]) -> Result<Name, BadName> {
        let text = text.strip_suffix(b".").unwrap_or(text);
        if text.is_empty() {
            return Err(BadName);
        }
        let mut name = Name::empty();
        for label in text.split(|&b| b == b'.') {
            if !valid_host_label(label) {
                return Err(BadName);
            }
            name.push_label(label).map_err(|Malformed| BadName)?;
        }
        name.finish().map_err(|Malformed| BadName)?;
        Ok(name)
    }

    /// The name as dotted text, without the trailing dot.
    pub(crate) fn write_dotted(&self, out: &mut Vec<u8>) {
        let mut rest = self.wire();
        while let [len, tail @ ..] = rest {
            let len = usize::from(*len);
            if len == 0 || len > tail.len() {
                break;
            }
            if !out.is_empty() {
                out.push(b'.');
            }
            out.extend_from_slice(&tail[..len]);
            rest = &tail[len..];
        }
    }

    fn push_label(&mut self, label: &[u8]) -> Result<(), Malformed> {
        let at = usize::from(self.len);
        // The label, its length octet, and the final zero octet must fit.
        if label.is_empty() || label.len() > MAX_LABEL || at + 1 + label.len() + 1 > MAX_NAME {
            return Err(Malformed);
        }
        self.bytes[at] = label.len() as u8;
        self.bytes[at + 1..at + 1 + label.len()].copy_from_slice(label);
        self.len += 1 + label.len() as u8;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Malformed> {
        let at = usize::from(self.len);
        if at >= MAX_NAME {
            return Err(Malformed);
        }
        self.bytes[at] = 0;
        self.len += 1;
        Ok(())
    }
}

/// Whether `label` is one a host name may have: letters, digits, `-` and
/// `_` (used by service names), and bytes from 0x80 up (names already in
/// some 8-bit form). Spaces, control bytes and punctuation are refused, as
/// musl's `getaddrinfo` does, so that nothing odd reaches a server.
fn valid_host_label(label: &[u8]) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL
        && label.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80)
}

/// A cursor over a message: big-endian reads that fail past the end.
struct Reader<'m> {
    msg: &'m [u8],
    pos: usize,
}

impl<'m> Reader<'m> {
    fn u8(&mut self) -> Result<u8, Malformed> {
        let b = *self.msg.get(self.pos).ok_or(Malformed)?;
        self.pos += 1;
        Ok(b)
    }

    fn u16(&mut self) -> Result<u16, Malformed> {
        Ok(u16::from_be_bytes([self.u8()?, self.u8()?]))
    }

    fn u32(&mut self) -> Result<u32, Malformed> {
        Ok(u32::from_be_bytes([self.u8()?, self.u8()?, self.u8()?, self.u8()?]))
    }

    fn bytes(&mut self, n: usize) -> Result<&'m [u8], Malformed> {
        let end = self.pos.checked_add(n).ok_or(Malformed)?;
        let b = self.msg.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(b)
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4). The cursor
    /// moves past the name as it stands here (up to and including the
    /// first pointer). A pointer must point before itself and before the
    /// previous pointer's target: the targets then fall at every jump, so
    /// reading ends, whatever the bytes (RFC 9267 §2 lists what happens
    /// otherwise).
    fn name(&mut self) -> Result<Name, Malformed> {
        let mut name = Name::empty();
        let mut at = self.pos;
        let mut resume = None;
        let mut floor = usize::MAX;
        loop {
            let len = *self.msg.get(at).ok_or(Malformed)?;
            match len >> 6 {
                0 if len == 0 => {
                    name.finish()?;
                    self.pos = resume.unwrap_or(at + 1);
                    return Ok(name);
                }
                0 => {
                    let label = self.msg.get(at + 1..at + 1 + usize::from(len)).ok_or(Malformed)?;
                    name.push_label(label)?;
                    at += 1 + usize::from(len);
                }
                0b11 => {
                    let low = *self.msg.get(at + 1).ok_or(Malformed)?;
                    let target = usize::from(u16::from_be_bytes([len & 0x3f, low]));
                    if target >= at.min(floor) {
                        return Err(Malformed);
                    }
                    resume.get_or_insert(at + 2);
                    (at, floor) = (target, target);
                }
                // 0b01 (extended label types, RFC 6891 retired them) and
                // 0b10 (reserved).
                _ => return Err(Malformed),
            }
        }
    }
}

/// Builds a query for `name` (from [`Name::from_dotted`]) and `qtype`,
/// recursion desired, with an EDNS(0) OPT record announcing
/// [`EDNS_PAYLOAD`] when `edns` is set (`options edns0`).
pub(crate) fn build_query(id: u16, name: &Name, qtype: u16, edns: bool) -> Vec<u8> {
    let mut q = Vec::with_capacity(HEADER + usize::from(name.len) + 4 + 11);
    q.extend_from_slice(&id.to_be_bytes());
    // QR=0, opcode QUERY, RD=1.
    q.extend_from_slice(&0x0100u16.to_be_bytes());
    // One question, no answers or authority, an additional record for EDNS.
    for count in [1, 0, 0, u16::from(edns)] {
        q.extend_from_slice(&count.to_be_bytes());
    }
    q.extend_from_slice(name.wire());
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&CLASS_IN.to_be_bytes());
    if edns {
        // Root owner, type OPT, the payload size in the class field, TTL
        // (extended rcode, version 0, flags) zero, no options.
        q.push(0);
        q.extend_from_slice(&TYPE_OPT.to_be_bytes());
        q.extend_from_slice(&EDNS_PAYLOAD.to_be_bytes());
        q.extend_from_slice(&[0; 6]);
    }
    q
}

/// What a reply said about the query it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// Not an answer to this query (another ID or question, or not a
    /// response): ignore it and keep waiting.
    Unrelated,
    /// The TC bit: the answer did not fit; ask again over TCP.
    Truncated,
    /// An answer: its response code and the addresses of the asked type
    /// that belong to the name or the aliases it leads to, in the
    /// answer's order.
    Answer {
        /// The response code (see [`rcode`]).
        rcode: u8,
        /// The addresses.
        addrs: Vec<IpAddr>,
    },
}

/// Reads `msg` as a reply to `query` (as [`build_query`] made it).
///
/// A reply with another ID, without the QR bit, or with another question
/// is [`Reply::Unrelated`]. An error response may carry no question (a
/// server that could not parse ours); one with the right ID is taken.
/// Record data that breaks the format is [`Malformed`].
pub(crate) fn parse_reply(msg: &[u8], query: &[u8]) -> Result<Reply, Malformed> {
    let (Some(reply_head), Some(query_head)) = (msg.get(..HEADER), query.get(..HEADER)) else {
        return Ok(Reply::Unrelated);
    };
    let flags = u16::from_be_bytes([reply_head[2], reply_head[3]]);
    let is_response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    if reply_head[..2] != query_head[..2] || !is_response || opcode != 0 {
        return Ok(Reply::Unrelated);
    }
    let rc = (flags & 0xf) as u8;
    let count = |i: usize| u16::from_be_bytes([reply_head[4 + 2 * i], reply_head[5 + 2 * i]]);
    let (qdcount, ancount) = (count(0), count(1));

    let mut q = Reader { msg: query, pos: HEADER };
    let (qname, qtype, qclass) = (q.name()?, q.u16()?, q.u16()?);
    let mut r = Reader { msg, pos: HEADER };
    if qdcount == 0 && rc != rcode::NOERROR && rc != rcode::NXDOMAIN {
        return Ok(Reply::Answer { rcode: rc, addrs: Vec::new() });
    }
    if qdcount != 1 {
        return Ok(Reply::Unrelated);
    }
    let (Ok(name), Ok(rtype), Ok(rclass)) = (r.name(), r.u16(), r.u16()) else {
        return Ok(Reply::Unrelated);
    };
    if name != qname || rtype != qtype || rclass != qclass {
        return Ok(Reply::Unrelated);
    }
    if flags & 0x0200 != 0 {
        return Ok(Reply::Truncated);
    }
    if rc != rcode::NOERROR {
        return Ok(Reply::Answer { rcode: rc, addrs: Vec::new() });
    }

    // The answer section, kept as (owner, type, data position, length).
    let mut records = Vec::new();
    for _ in 0..ancount {
        let owner = r.name()?;
        let (rtype, rclass, _ttl, rdlen) = (r.u16()?, r.u16()?, r.u32()?, r.u16()?);
        let start = r.pos;
        r.bytes(usize::from(rdlen))?;
        if rclass == CLASS_IN {
            records.push((owner, rtype, start, usize::from(rdlen)));
        }
    }

    // Follow the aliases from the question's name: each CNAME whose owner
    // is the current name moves on to its target (RFC 1034 §3.6.2).
    let mut chain: Vec<Name> = Vec::new();
    chain.push(qname);
    while chain.len() <= MAX_CNAMES {
        let current = &chain[chain.len() - 1];
        let Some(&(_, _, start, len)) = records.iter().find(|(o, t, ..)| *t == TYPE_CNAME && o == current) else {
            break;
        };
        let mut d = Reader { msg: &msg[..start + len], pos: start };
        let target = d.name()?;
        if d.pos != start + len {
            return Err(Malformed);
        }
        if chain.contains(&target) {
            break;
        }
        chain.push(target);
    }

    let mut addrs = Vec::new();
    for (owner, rtype, start, len) in &records {
        if *rtype != qtype || !chain.contains(owner) {
            continue;
        }
        let data = &msg[*start..*start + *len];
        let addr = match (*rtype, data.len()) {
            (TYPE_A, 4) => IpAddr::V4(Ipv4Addr::new(data[0], data[1], data[2], data[3])),
            (TYPE_AAAA, 16) => {
                let mut b = [0u8; 16];
                b.copy_from_slice(data);
                IpAddr::V6(Ipv6Addr::from(b))
            }
            _ => return Err(Malformed),
        };
        addrs.push(addr);
    }
    Ok(Reply::Answer { rcode: rc, addrs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    fn name(s: &str) -> Name {
        Name::from_dotted(s.as_bytes()).unwrap()
    }

    /// A reply header for `query`: same ID and question, QR and RA set.
    fn reply_to(query: &[u8], flags_low: u16, ancount: u16) -> Vec<u8> {
        let mut r = query.to_vec();
        // Drop the query's OPT record, if any: the tests write bare replies.
        r[10] = 0;
        r[11] = 0;
        let qend = HEADER + Reader { msg: query, pos: HEADER }.name().unwrap().wire().len() + 4;
        r.truncate(qend);
        r[2..4].copy_from_slice(&(0x8180 | flags_low).to_be_bytes());
        r[6..8].copy_from_slice(&ancount.to_be_bytes());
        r
    }

    fn record(r: &mut Vec<u8>, owner: &[u8], rtype: u16, data: &[u8]) {
        r.extend_from_slice(owner);
        r.extend_from_slice(&rtype.to_be_bytes());
        r.extend_from_slice(&CLASS_IN.to_be_bytes());
        r.extend_from_slice(&300u32.to_be_bytes());
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(data);
    }

    /// A pointer to the question's name (offset 12).
    const QNAME: &[u8] = &[0xc0, 12];

    #[test]
    fn names_from_text() {
        assert_eq!(name("www.Example.COM").wire(), b"\x03www\x07Example\x03COM\x00");
        assert_eq!(name("www.Example.COM"), name("WWW.example.com"));
        assert_ne!(name("a.b"), name("ab"));
        assert_eq!(name("a.").wire(), b"\x01a\x00");
        for bad in ["", ".", "a..b", ".a", "a b", "a\0b", "a/b", "a\\.b"] {
            assert_eq!(Name::from_dotted(bad.as_bytes()), Err(BadName), "{bad:?}");
        }
        let label63 = "x".repeat(63);
        assert!(Name::from_dotted(label63.as_bytes()).is_ok());
        assert!(Name::from_dotted("x".repeat(64).as_bytes()).is_err());
        // 4 labels of 63: 4 * 64 + 1 = 257 octets on the wire, too long;
        // 3 of 63 and one of 61: 255, the most.
        let l = format!("{label63}.{label63}.{label63}");
        assert!(Name::from_dotted(format!("{l}.{label63}").as_bytes()).is_err());
        assert!(Name::from_dotted(format!("{l}.{}", "y".repeat(61)).as_bytes()).is_ok());
        assert!(Name::from_dotted(format!("{l}.{}", "y".repeat(62)).as_bytes()).is_err());
        let mut dotted = Vec::new();
        name("Mixed.Case.").write_dotted(&mut dotted);
        assert_eq!(dotted, b"Mixed.Case");
    }

    #[test]
    fn query_layout() {
        let q = build_query(0xabcd, &name("example.org"), TYPE_AAAA, false);
        assert_eq!(
            q,
            b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03org\x00\x00\x1c\x00\x01".to_vec()
        );
        let q = build_query(1, &name("a"), TYPE_A, true);
        assert_eq!(&q[10..12], &[0, 1]);
        assert_eq!(&q[q.len() - 11..], b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00");
    }

    #[test]
    fn answers_and_aliases() {
        let q = build_query(7, &name("www.example.com"), TYPE_A, true);
        let mut r = reply_to(&q, 0, 4);
        // www -> web (pointer into the question), web -> 2 addresses, plus
        // an A record for an unrelated name that must be left out.
        record(&mut r, QNAME, TYPE_CNAME, b"\x03web\xc0\x10");
        let web = r.len() - 6;
        let ptr = [0xc0, web as u8];
        record(&mut r, &ptr, TYPE_A, &[192, 0, 2, 1]);
        record(&mut r, b"\x05other\x00", TYPE_A, &[192, 0, 2, 99]);
        record(&mut r, &ptr, TYPE_A, &[192, 0, 2, 2]);
        let addrs = vec![IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2])];
        assert_eq!(parse_reply(&r, &q), Ok(Reply::Answer { rcode: 0, addrs }));

        // Case differs between question and reply: still ours.
        let q6 = build_query(9, &name("v6.test"), TYPE_AAAA, false);
        let mut r = reply_to(&q6, 0, 1);
        r[13..15].copy_from_slice(b"V6");
        record(&mut r, QNAME, TYPE_AAAA, &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let want = vec![IpAddr::V6("2001:db8::1".parse().unwrap())];
        assert_eq!(parse_reply(&r, &q6), Ok(Reply::Answer { rcode: 0, addrs: want }));
    }

    #[test]
    fn codes_truncation_and_strangers() {
        let q = build_query(0x1234, &name("x.test"), TYPE_A, false);
        let nx = reply_to(&q, 3, 0);
        assert_eq!(parse_reply(&nx, &q), Ok(Reply::Answer { rcode: rcode::NXDOMAIN, addrs: vec![] }));
        assert_eq!(parse_reply(&reply_to(&q, 0x0200, 0), &q), Ok(Reply::Truncated));

        let mut other_id = nx.clone();
        other_id[1] ^= 1;
        let mut not_response = nx.clone();
        not_response[2] &= 0x7f;
        let mut other_name = nx.clone();
        other_name[13] = b'y';
        let mut other_type = nx.clone();
        let at = other_type.len() - 3;
        other_type[at] = 28;
        for stranger in [other_id, not_response, other_name, other_type, vec![], nx[..11].to_vec()] {
            assert_eq!(parse_reply(&stranger, &q), Ok(Reply::Unrelated));
        }

        // SERVFAIL with the question left out.
        let mut bare = nx[..HEADER].to_vec();
        bare[3] = 0x82;
        bare[5] = 0;
        assert_eq!(parse_reply(&bare, &q), Ok(Reply::Answer { rcode: rcode::SERVFAIL, addrs: vec![] }));
    }

    #[test]
    fn compression_loops_and_forward_pointers_are_refused() {
        let q = build_query(5, &name("loop.test"), TYPE_A, false);
        let base = reply_to(&q, 0, 1);
        let here = base.len() as u8;
        // A pointer to itself, to the byte after, and a two-step loop
        // (a label, then a pointer back to that label's start).
        for owner in [vec![0xc0, here], vec![0xc0, here + 2], vec![1, b'a', 0xc0, here]] {
            let mut r = base.clone();
            record(&mut r, &owner, TYPE_A, &[1, 2, 3, 4]);
            assert_eq!(parse_reply(&r, &q), Err(Malformed), "{owner:?}");
        }
        // A CNAME whose target points at itself.
        let mut r = base.clone();
        let data_at = (r.len() + 2 + 10) as u8;
        record(&mut r, QNAME, TYPE_CNAME, &[0xc0, data_at]);
        assert_eq!(parse_reply(&r, &q), Err(Malformed));
        // Aliases that loop between two names end without an address.
        let mut r = reply_to(&q, 0, 2);
        record(&mut r, QNAME, TYPE_CNAME, b"\x01b\x00");
        let b_at = r.len() - 3;
        record(&mut r, &[0xc0, b_at as u8], TYPE_CNAME, QNAME);
        assert_eq!(parse_reply(&r, &q), Ok(Reply::Answer { rcode: 0, addrs: vec![] }));
    }

    #[test]
    fn bad_record_data_is_refused() {
        let q = build_query(5, &name("a.test"), TYPE_A, false);
        let mut short = reply_to(&q, 0, 1);
        record(&mut short, QNAME, TYPE_A, &[1, 2, 3]);
        let mut past_end = reply_to(&q, 0, 1);
        record(&mut past_end, QNAME, TYPE_A, &[1, 2, 3, 4]);
        past_end.truncate(past_end.len() - 1);
        let mut too_many = reply_to(&q, 0, 2);
        record(&mut too_many, QNAME, TYPE_A, &[1, 2, 3, 4]);
        let mut cname_overrun = reply_to(&q, 0, 1);
        record(&mut cname_overrun, QNAME, TYPE_CNAME, b"\x01b\x00\x00");
        let mut reserved_label = reply_to(&q, 0, 1);
        record(&mut reserved_label, &[0x80, 0], TYPE_A, &[1, 2, 3, 4]);
        for r in [short, past_end, too_many, cname_overrun, reserved_label] {
            assert_eq!(parse_reply(&r, &q), Err(Malformed));
        }
    }

    /// No prefix of a reply passes for the whole, and corruptions of it
    /// parse to some result without panicking: both refused and accepted
    /// ones (the parser neither trusts nor refuses everything).
    #[test]
    fn hostile_bytes_never_panic() {
        let q = build_query(5, &name("www.example.com"), TYPE_A, false);
        let mut r = reply_to(&q, 0, 2);
        record(&mut r, QNAME, TYPE_CNAME, b"\x03web\xc0\x10");
        let web = r.len() - 6;
        record(&mut r, &[0xc0, web as u8], TYPE_A, &[192, 0, 2, 1]);
        assert!(matches!(parse_reply(&r, &q), Ok(Reply::Answer { .. })));
        for n in 0..r.len() {
            assert!(matches!(parse_reply(&r[..n], &q), Ok(Reply::Unrelated) | Err(Malformed)), "{n}");
        }
        let mut noise = super::super::tests::noise(0x2545f491);
        let (mut refused, mut accepted) = (0, 0);
        for _ in 0..20000 {
            let mut m = r.clone();
            for _ in 0..3 {
                let x = noise.next().unwrap();
                let at = HEADER + x as usize % (m.len() - HEADER);
                m[at] = (x >> 8) as u8;
            }
            match parse_reply(&m, &q) {
                Err(Malformed) => refused += 1,
                Ok(Reply::Answer { .. }) => accepted += 1,
                Ok(_) => {}
            }
        }
        assert!(refused > 1000 && accepted > 1000, "{refused} refused, {accepted} accepted");
    }
}
