//! The hosts file: addresses for names, before DNS is asked.
//!
//! `hosts(5)`: <https://man7.org/linux/man-pages/man5/hosts.5.html>. Each
//! line is an address, then its canonical name and aliases, separated by
//! blanks; `#` starts a comment. Names compare without regard to ASCII
//! case; a line whose address does not parse is skipped, as C libraries
//! skip it.

extern crate alloc;

use super::literal;
use alloc::vec::Vec;
use core::net::SocketAddr;

/// The addresses (port 0) of every line that names `name`, in the file's
/// order. `name` may end with one dot (an absolute name).
pub(crate) fn lookup(file: &[u8], name: &[u8]) -> Vec<SocketAddr> {
    let name = name.strip_suffix(b".").unwrap_or(name);
    let mut found = Vec::new();
    if name.is_empty() {
        return found;
    }
    for line in file.split(|&b| b == b'\n') {
        let line = line.split(|&b| b == b'#').next().unwrap_or_default();
        let mut fields = line.split(|b| b.is_ascii_whitespace()).filter(|f| !f.is_empty());
        let Some(addr) = fields.next() else { continue };
        if !fields.any(|f| f.eq_ignore_ascii_case(name)) {
            continue;
        }
        if let Some(addr) = literal::parse(addr) {
            found.push(addr);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTS: &[u8] = b"# The usual start\n\
        127.0.0.1\tlocalhost\n\
        ::1 localhost ip6-localhost ip6-loopback\n\
        \n\
        192.0.2.10   web.example.test  web   # the web server\n\
        not-an-address web\n\
        192.0.2.11 Web.Example.Test\r\n\
        # 192.0.2.12 web\n\
        fe80::1%2 linklocal\n\
        198.51.100.1";

    fn ips(name: &str) -> Vec<String> {
        lookup(HOSTS, name.as_bytes()).iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn names_and_aliases_in_file_order() {
        assert_eq!(ips("localhost"), ["127.0.0.1:0", "[::1]:0"]);
        assert_eq!(ips("ip6-loopback"), ["[::1]:0"]);
        assert_eq!(ips("WEB"), ["192.0.2.10:0"]);
        assert_eq!(ips("web.example.test."), ["192.0.2.10:0", "192.0.2.11:0"]);
        assert_eq!(ips("linklocal"), ["[fe80::1%2]:0"]);
    }

    #[test]
    fn comments_partial_names_and_oddities_match_nothing() {
        for name in ["", ".", "the", "usual", "server", "web.example", "example.test", "198.51.100.1", "#"] {
            assert!(ips(name).is_empty(), "{name:?}");
        }
        assert!(lookup(b"\0\xff\n\t\t\n#\n", b"x").is_empty());
    }

    /// Random text of addresses, names and separators: never a panic, and
    /// only addresses from lines that name the host.
    #[test]
    fn garbage_in_no_panic() {
        use super::super::tests::{garbage, noise};
        let mut noise = noise(0x1b873593);
        let tokens: [&[u8]; 12] =
            [b"127.0.0.1", b"::1", b"fe80::1%1", b"0x7f.1", b"1.2.3.", b"xy", b"XY", b"xyz", b"#", b" ", b"\t", b"\n"];
        let mut found = 0;
        for _ in 0..3000 {
            let mut file = Vec::new();
            for _ in 0..30 {
                let x = noise.next().unwrap() as usize;
                match tokens.get(x % 16) {
                    Some(token) => file.extend_from_slice(token),
                    None => file.extend(garbage(&mut noise, b"0123456789abcdef.:%x \n", 3)),
                }
            }
            for addr in lookup(&file, b"xy") {
                found += 1;
                let line = file.split(|&b| b == b'\n').find(|l| {
                    let l = l.split(|&b| b == b'#').next().unwrap();
                    l.split(|b| b.is_ascii_whitespace())
                        .filter(|w| !w.is_empty())
                        .skip(1)
                        .any(|w| w.eq_ignore_ascii_case(b"xy"))
                });
                assert!(line.is_some(), "{addr} from {:?}", String::from_utf8_lossy(&file));
            }
        }
        assert!(found > 0, "the noise never made a matching line: the test tests nothing");
    }
}
