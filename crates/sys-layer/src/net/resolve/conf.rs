//! The resolver's configuration: `resolv.conf` and its defaults.
//!
//! `resolv.conf(5)`: <https://man7.org/linux/man-pages/man5/resolv.conf.5.html>.

extern crate alloc;

use super::message::Name;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The most name servers used, as in C libraries (`MAXNS`); later
/// `nameserver` lines are ignored.
pub const MAX_NAMESERVERS: usize = 3;
/// The most search domains used (glibc's limit before 2.26, musl's in
/// effect); later ones are ignored.
pub const MAX_SEARCH: usize = 6;
const MAX_NDOTS: u8 = 15;
const MAX_TIMEOUT: u8 = 30;
const MAX_ATTEMPTS: u8 = 5;
/// The DNS port.
pub const DNS_PORT: u16 = 53;

/// How names are looked up in DNS: what `resolv.conf` says.
///
/// [`ResolverConfig::default`] is what a C library uses without the file:
/// a name server on 127.0.0.1, no search domains, `ndots:1 timeout:5
/// attempts:2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolverConfig {
    /// The servers, asked in this order (`nameserver`; port 53 unless
    /// given as a socket address, see [`ResolverConfig::parse`]).
    pub nameservers: Vec<SocketAddr>,
    /// Domains appended to a relative name (`search`, or `domain`): each
    /// without a trailing dot.
    pub search: Vec<Vec<u8>>,
    /// A name with at least this many dots is first tried as it is, one
    /// with fewer is first tried with the search domains (`ndots:N`,
    /// at most 15).
    pub ndots: u8,
    /// Seconds to wait for a server's answer on the first round
    /// (`timeout:N`, 1 to 30); later rounds wait longer (see
    /// [`super::Resolver`]).
    pub timeout: u8,
    /// Rounds over the servers before giving up (`attempts:N`, 1 to 5).
    pub attempts: u8,
    /// Start with another server each lookup (`rotate`), spreading load.
    pub rotate: bool,
    /// Announce a larger UDP payload with EDNS(0) (`edns0`, RFC 6891):
    /// fewer answers truncated. A server that answers FORMERR or NOTIMP
    /// is asked again without it.
    pub edns0: bool,
    /// Ask over TCP from the start (`use-vc`).
    pub use_tcp: bool,
}

impl Default for ResolverConfig {
    fn default() -> ResolverConfig {
        ResolverConfig {
            nameservers: Vec::new(),
            search: Vec::new(),
            ndots: 1,
            timeout: 5,
            attempts: 2,
            rotate: false,
            edns0: false,
            use_tcp: false,
        }
    }
}

impl ResolverConfig {
    /// Reads the text of a `resolv.conf`.
    ///
    /// Understood: `nameserver ADDR` (at most [`MAX_NAMESERVERS`], IPv4
    /// or IPv6 with an optional `%zone`), `domain NAME`, `search
    /// NAME...` (the last `domain` or `search` line wins; at most
    /// [`MAX_SEARCH`] names), and `options` with `ndots:N`, `timeout:N`,
    /// `attempts:N`, `rotate`, `edns0`, `use-vc` (out-of-range numbers are
    /// clamped, unknown options ignored). `#` and `;` start comments. A
    /// line that cannot be read is skipped, as C libraries skip it.
    ///
    /// Beyond C libraries: a `nameserver` may be a socket address,
    /// `127.0.0.1:5353` or `[::1]:5353`, to reach a server on another
    /// port (a test's own, a local cache); glibc and musl skip such a line.
    /// Without any usable `nameserver` line, the server is 127.0.0.1.
    pub fn parse(text: &[u8]) -> ResolverConfig {
        let mut conf = ResolverConfig::default();
        for line in text.split(|&b| b == b'\n') {
            let line = line.split(|&b| b == b'#' || b == b';').next().unwrap_or_default();
            let mut words = line.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty());
            match words.next() {
                Some(b"nameserver") => {
                    if let Some(server) = words.next().and_then(parse_nameserver)
                        && conf.nameservers.len() < MAX_NAMESERVERS
                    {
                        conf.nameservers.push(server);
                    }
                }
                Some(b"domain") => {
                    if let Some(domain) = words.next() {
                        conf.set_search([domain]);
                    }
                }
                Some(b"search") => conf.set_search(words),
                Some(b"options") => conf.apply_options(words),
                _ => {}
            }
        }
        conf.finish()
    }

    /// Fills what the file left unset: the name server on 127.0.0.1.
    pub(crate) fn finish(mut self) -> ResolverConfig {
        if self.nameservers.is_empty() {
            self.nameservers.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DNS_PORT));
        }
        self
    }

    /// Replaces the search list with the valid names of `domains` (the
    /// root, `.`, and names that could not be queried left out).
    pub fn set_search<'a>(&mut self, domains: impl IntoIterator<Item = &'a [u8]>) {
        self.search.clear();
        for domain in domains {
            let domain = domain.strip_suffix(b".").unwrap_or(domain);
            if self.search.len() < MAX_SEARCH && Name::from_dotted(domain).is_ok() {
                self.search.push(domain.to_vec());
            }
        }
    }

    /// Applies the words of an `options` line (or of `RES_OPTIONS`).
    pub fn apply_options<'a>(&mut self, words: impl IntoIterator<Item = &'a [u8]>) {
        for word in words {
            let number = |prefix: &[u8], max: u8| {
                let digits = word.strip_prefix(prefix)?;
                let value = digits.iter().try_fold(0u32, |acc, &b| {
                    b.is_ascii_digit().then(|| acc.saturating_mul(10).saturating_add(u32::from(b - b'0')))
                })?;
                (!digits.is_empty()).then(|| value.min(u32::from(max)) as u8)
            };
            match word {
                b"rotate" => self.rotate = true,
                b"edns0" => self.edns0 = true,
                b"use-vc" => self.use_tcp = true,
                _ => {
                    if let Some(n) = number(b"ndots:", MAX_NDOTS) {
                        self.ndots = n;
                    } else if let Some(n) = number(b"timeout:", MAX_TIMEOUT) {
                        self.timeout = n.max(1);
                    } else if let Some(n) = number(b"attempts:", MAX_ATTEMPTS) {
                        self.attempts = n.max(1);
                    }
                }
            }
        }
    }
}

/// A `nameserver` value: a numeric address (as a host name's, so
/// `inet_aton` forms too, as glibc reads it) on port 53, or a socket
/// address (never also a numeric address: the port needs a `:` after a
/// dotted IPv4 address, or brackets around IPv6).
fn parse_nameserver(word: &[u8]) -> Option<SocketAddr> {
    if let Some(mut addr) = super::literal::parse(word) {
        addr.set_port(DNS_PORT);
        return Some(addr);
    }
    let addr: SocketAddr = core::str::from_utf8(word).ok()?.parse().ok()?;
    (addr.port() != 0).then_some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn servers(c: &ResolverConfig) -> Vec<std::string::String> {
        c.nameservers.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_typical_file() {
        let c = ResolverConfig::parse(
            b"# generated\n\
              ; another comment\n\
              nameserver 192.0.2.53\n\
              nameserver\t2001:db8::53 # trailing comment\n\
              search corp.example.  example.test\n\
              options ndots:2 timeout:3  attempts:4 rotate edns0 use-vc inet6 debug\n",
        );
        assert_eq!(servers(&c), ["192.0.2.53:53", "[2001:db8::53]:53"]);
        assert_eq!(c.search, [b"corp.example".to_vec(), b"example.test".to_vec()]);
        assert_eq!((c.ndots, c.timeout, c.attempts, c.rotate, c.edns0, c.use_tcp), (2, 3, 4, true, true, true));
    }

    #[test]
    fn defaults_limits_and_the_last_search_line() {
        let c = ResolverConfig::parse(b"");
        assert_eq!(servers(&c), ["127.0.0.1:53"]);
        assert_eq!(c, ResolverConfig { nameservers: c.nameservers.clone(), ..ResolverConfig::default() });

        let c = ResolverConfig::parse(
            b"nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n\
              search a b c d e f g h\ndomain only.one\n\
              options ndots:99 timeout:0 attempts:1000000000000 ndots: timeout:x\n",
        );
        assert_eq!(servers(&c), ["10.0.0.1:53", "10.0.0.2:53", "10.0.0.3:53"]);
        assert_eq!(c.search, [b"only.one".to_vec()]);
        assert_eq!((c.ndots, c.timeout, c.attempts), (15, 1, 5));

        let c = ResolverConfig::parse(b"domain x\nsearch a b c d e f g h\n");
        assert_eq!(c.search.len(), MAX_SEARCH);
        let c = ResolverConfig::parse(b"search . bad..name ok\n");
        assert_eq!(c.search, [b"ok".to_vec()]);
    }

    #[test]
    fn socket_addresses_and_bad_lines() {
        let c = ResolverConfig::parse(
            b"nameserver 127.0.0.1:5353\nnameserver [::1]:5354\nnameserver fe80::1%2\n\
              nameserver 1.2.3.4:0\nnameserver\nnameserverx 1.1.1.1\nnameserver example.com\n",
        );
        assert_eq!(servers(&c), ["127.0.0.1:5353", "[::1]:5354", "[fe80::1%2]:53"]);
        // Nothing usable: the default server.
        let c = ResolverConfig::parse(b"nameserver 10.1");
        assert_eq!(servers(&c), ["10.0.0.1:53"]);
        let c = ResolverConfig::parse(b"nameserver \xff\xfe\nnameserver ::1::2\nnameserver 10.0.0.1:\n\0\0\0");
        assert_eq!(servers(&c), ["127.0.0.1:53"]);
    }

    /// Random text of the file's words and punctuation: never a panic, and
    /// the limits hold whatever the file says.
    #[test]
    fn garbage_in_limits_kept() {
        use super::super::tests::{garbage, noise};
        let mut noise = noise(0x9e3779b9);
        let alphabet = b"nameserver search domain options ndots:timeout:attempts:rotate 0123456789.:[]%#;\n\t ";
        for _ in 0..3000 {
            let text = garbage(&mut noise, alphabet, 200);
            let c = ResolverConfig::parse(&text);
            assert!((1..=MAX_NAMESERVERS).contains(&c.nameservers.len()));
            assert!(c.search.len() <= MAX_SEARCH && c.ndots <= 15);
            assert!((1..=30).contains(&c.timeout) && (1..=5).contains(&c.attempts));
        }
    }
}
