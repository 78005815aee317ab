//! Numeric host addresses, as `getaddrinfo` reads them before asking any
//! source: IPv4 in the forms `inet_aton(3)` accepts, IPv6 as `inet_pton`
//! does, with a `%zone`.

use core::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// `text` as a numeric address (port 0), or `None` if it is not one.
///
/// IPv4 takes one to four parts, each decimal, octal (leading `0`) or
/// hexadecimal (`0x`); the last part fills the bytes left, so `127.1` is
/// 127.0.0.1 and `0x7f000001` too (`inet_aton(3)`:
/// <https://man7.org/linux/man-pages/man3/inet_aton.3.html>). IPv6 is the
/// text form of RFC 4291 §2.2, optionally followed by a zone (RFC 4007
/// §11): `%N`, an interface index, or `%NAME`, an interface's name
/// (`fe80::1%eth0`), looked up as `if_nametoindex(3)` does.
pub(crate) fn parse(text: &[u8]) -> Option<SocketAddr> {
    if let Some(v4) = parse_v4(text) {
        return Some(SocketAddr::V4(SocketAddrV4::new(v4, 0)));
    }
    let (addr, scope) = match text.iter().position(|&b| b == b'%') {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let ip: Ipv6Addr = core::str::from_utf8(addr).ok()?.parse().ok()?;
    let scope_id = match scope {
        Some(s) if !s.is_empty() && s.iter().all(u8::is_ascii_digit) => core::str::from_utf8(s).ok()?.parse().ok()?,
        Some(name) => super::interface_index(name)?,
        None => 0,
    };
    Some(SocketAddr::V6(SocketAddrV6::new(ip, 0, 0, scope_id)))
}

/// The IPv4 forms of `inet_aton`.
fn parse_v4(text: &[u8]) -> Option<Ipv4Addr> {
    let mut parts = [0u32; 4];
    let mut count = 0;
    for part in text.split(|&b| b == b'.') {
        *parts.get_mut(count)? = parse_number(part)?;
        count += 1;
    }
    // Each part but the last is one byte; the last fills what is left.
    let (last, leading) = (parts[count - 1], &parts[..count - 1]);
    let room = 32 - 8 * leading.len() as u32;
    if leading.iter().any(|&p| p > 0xff) || (room < 32 && last >> room != 0) {
        return None;
    }
    let high = leading.iter().enumerate().fold(0u32, |acc, (i, &p)| acc | p << (24 - 8 * i as u32));
    Some(Ipv4Addr::from(high | last))
}

/// One part of an `inet_aton` address: decimal, `0` octal or `0x` hex,
/// at most 32 bits.
fn parse_number(part: &[u8]) -> Option<u32> {
    let (digits, radix) = match part {
        [b'0', b'x' | b'X', rest @ ..] => (rest, 16),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (part, 10),
    };
    // `0x` alone is 0, as inet_aton reads it; other empty parts are not.
    if digits.is_empty() && radix != 16 {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &b| {
        let d = char::from(b).to_digit(radix)?;
        acc.checked_mul(radix)?.checked_add(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Option<[u8; 4]> {
        match parse(s.as_bytes())? {
            SocketAddr::V4(a) => Some(a.ip().octets()),
            SocketAddr::V6(_) => None,
        }
    }

    #[test]
    fn ipv4_in_inet_aton_forms() {
        assert_eq!(v4("192.0.2.1"), Some([192, 0, 2, 1]));
        assert_eq!(v4("127.1"), Some([127, 0, 0, 1]));
        assert_eq!(v4("10.1.258"), Some([10, 1, 1, 2]));
        assert_eq!(v4("0x7f000001"), Some([127, 0, 0, 1]));
        assert_eq!(v4("2130706433"), Some([127, 0, 0, 1]));
        assert_eq!(v4("0177.0.0.01"), Some([127, 0, 0, 1]));
        assert_eq!(v4("0xff.0"), Some([255, 0, 0, 0]));
        assert_eq!(v4("0"), Some([0, 0, 0, 0]));
        assert_eq!(v4("255.255.255.255"), Some([255; 4]));
        for bad in
            ["", ".", "1.", ".1", "1..2", "256.0.0.1", "1.2.3.4.5", "1.16777216", "08", "0x1g", "4294967296", "a.b"]
        {
            assert_eq!(parse(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn ipv6_with_zones() {
        let a = parse(b"2001:db8::1").unwrap();
        assert_eq!(a, SocketAddr::V6(SocketAddrV6::new("2001:db8::1".parse().unwrap(), 0, 0, 0)));
        let a = parse(b"fe80::1%3").unwrap();
        assert_eq!(a, SocketAddr::V6(SocketAddrV6::new("fe80::1".parse().unwrap(), 0, 0, 3)));
        // The host tests' stand-in for the interface table knows "lo".
        let a = parse(b"fe80::1%lo").unwrap();
        assert_eq!(a, SocketAddr::V6(SocketAddrV6::new("fe80::1".parse().unwrap(), 0, 0, 1)));
        assert_eq!(parse(b"::ffff:1.2.3.4").map(|a| a.is_ipv6()), Some(true));
        for bad in [
            "fe80::1%",
            "fe80::1%nosuch0",
            "fe80::1%-1",
            "fe80::1%99999999999",
            "1.2.3.4%1",
            "1::2::3",
            "[::1]",
            "::1 ",
        ] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad:?}");
        }
    }
}
