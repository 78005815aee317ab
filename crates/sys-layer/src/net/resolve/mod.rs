//! Host names to addresses, as a C library's `getaddrinfo` finds them:
//! a numeric address as it is, else the hosts file, else DNS.
//!
//! - Numeric: IPv4 in every form `inet_aton(3)` reads (`127.1`), IPv6
//!   with an optional `%zone` (an interface's index or name).
//! - The hosts file (`/etc/hosts`, `hosts(5)`): every line that names the
//!   host, in the file's order. A name found there for the family asked
//!   is not asked of DNS (as with `hosts: files dns` in `nsswitch.conf`).
//! - DNS (RFC 1034/1035) to the servers of `/etc/resolv.conf`
//!   ([`ResolverConfig`]): A and AAAA queries over UDP, together, to one
//!   server at a time; TCP when an answer is truncated (RFC 7766); aliases
//!   (CNAME) followed within the answer. Each query has a random ID, and
//!   a reply counts only if it comes from the server asked (a connected
//!   socket), with that ID and the same question; anything else is
//!   ignored, so a spoofed or stray packet cannot end the wait.
//!
//! The addresses come in the order the source gives them; from DNS, the
//! IPv4 answers before the IPv6 ones. Unlike glibc there is no RFC 6724
//! reordering by the routes of this host.
//!
//! # Which names are asked
//!
//! As glibc's `res_search`: a name that ends with a dot is asked as it is.
//! Otherwise, one with at least `ndots` dots is asked as it is and then
//! with each `search` domain appended; one with fewer dots with the search
//! domains first, then as it is. The first candidate with addresses wins;
//! "no such name" and "no address" move on to the next candidate, and so
//! does a server failure; a timeout or any other failure ends the search.
//!
//! # Retries and timeouts
//!
//! Each round (`attempts` of them) asks the servers in turn (from a
//! different one each lookup with `rotate`); on the first round a server
//! gets `timeout` seconds, on round `i` (from 0) `timeout << i` divided
//! by the number of servers, at least one second, as in glibc. A server
//! that answers with an error, an unusable reply, or an ICMP "port
//! unreachable" is left at once for the next.
//!
//! # Configuration files, and the override for tests
//!
//! [`Resolver::system`] reads `/etc/resolv.conf` and uses `/etc/hosts`.
//! Two environment variables name other files instead:
//! `SYS_LAYER_RESOLV_CONF` and `SYS_LAYER_HOSTS`; as glibc's, so are
//! `LOCALDOMAIN` (a search list replacing the file's) and `RES_OPTIONS`
//! (options applied after the file's). All four are ignored in a
//! program started set-user-ID or otherwise privileged (`AT_SECURE`), as
//! `SYS_LAYER_ASSUME_KERNEL` is. A `nameserver` may carry a port
//! (`127.0.0.1:5353`, `[::1]:5353`; see [`ResolverConfig::parse`]): a
//! test points a program at its own responder with a file of its own and
//! `SYS_LAYER_RESOLV_CONF`, no namespace needed.

mod conf;
mod hosts;
mod literal;
mod message;
mod transport;

pub use conf::{DNS_PORT, MAX_NAMESERVERS, MAX_SEARCH, ResolverConfig};

extern crate alloc;

use crate::Errno;
use alloc::ffi::CString;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt;
use core::net::SocketAddr;
use message::Name;

/// Why a name has no addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveError {
    /// The name cannot be a host name: empty, an empty label (`a..b`), a
    /// label over 63 bytes, over 253 bytes in all, or bytes other than
    /// letters, digits, `-`, `_` and non-ASCII.
    BadName,
    /// No such name: not a number, not in the hosts file, and every DNS
    /// candidate answered NXDOMAIN (`EAI_NONAME`).
    NotFound,
    /// The name exists but has no address of the family asked
    /// (`EAI_NODATA`).
    NoData,
    /// The servers failed to answer (SERVFAIL, REFUSED, ...): perhaps
    /// later (`EAI_AGAIN`).
    ServerFailure,
    /// No server answered in time (`EAI_AGAIN`).
    Timeout,
    /// A server's reply to the question broke the DNS format (a hostile
    /// or broken server).
    BadReply,
    /// A system call failed (opening a socket, reading a file other than
    /// a missing one).
    Io(Errno),
}

impl ResolveError {
    /// Whether asking again later might succeed (`EAI_AGAIN`): a server
    /// failure, timeout, bad reply or I/O error, not an answer about the
    /// name.
    pub fn is_temporary(self) -> bool {
        !matches!(self, ResolveError::BadName | ResolveError::NotFound | ResolveError::NoData)
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::BadName => f.write_str("invalid host name"),
            ResolveError::NotFound => f.write_str("host not found"),
            ResolveError::NoData => f.write_str("no address associated with the host name"),
            ResolveError::ServerFailure => f.write_str("name server failure"),
            ResolveError::Timeout => f.write_str("no answer from the name servers"),
            ResolveError::BadReply => f.write_str("malformed reply from a name server"),
            ResolveError::Io(e) => write!(f, "name resolution: {e}"),
        }
    }
}

impl From<Errno> for ResolveError {
    fn from(e: Errno) -> ResolveError {
        ResolveError::Io(e)
    }
}

/// Which addresses a lookup wants (`ai_family` of `getaddrinfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpFamily {
    /// IPv4 and IPv6 (`AF_UNSPEC`).
    Any,
    /// IPv4 only (`AF_INET`): DNS is asked for A records.
    V4,
    /// IPv6 only (`AF_INET6`): DNS is asked for AAAA records.
    V6,
}

impl IpFamily {
    fn admits(self, addr: &SocketAddr) -> bool {
        match self {
            IpFamily::Any => true,
            IpFamily::V4 => addr.is_ipv4(),
            IpFamily::V6 => addr.is_ipv6(),
        }
    }
}

/// The default resolver configuration file.
pub const RESOLV_CONF: &CStr = c"/etc/resolv.conf";
/// The default hosts file.
pub const HOSTS: &CStr = c"/etc/hosts";

/// A name resolver: a DNS configuration and a hosts file.
///
/// ```ignore
/// let r = Resolver::new(ResolverConfig::parse(b"nameserver 127.0.0.1:5353\n"))
///     .with_hosts_file(None);
/// let addrs = r.lookup_host(b"example.test", 80)?;
/// ```
#[derive(Debug, Clone)]
pub struct Resolver {
    config: ResolverConfig,
    hosts: Option<CString>,
}

impl Resolver {
    /// A resolver with `config` and the system's hosts file (or the one
    /// `SYS_LAYER_HOSTS` names; see the [module](self) documentation).
    pub fn new(config: ResolverConfig) -> Resolver {
        let hosts = trusted_var(b"SYS_LAYER_HOSTS").unwrap_or(HOSTS);
        Resolver { config, hosts: Some(hosts.into()) }
    }

    /// The system's resolver: [`ResolverConfig::system`] and the system's
    /// hosts file, as a C library's `getaddrinfo` uses them.
    pub fn system() -> Resolver {
        Resolver::new(ResolverConfig::system())
    }

    /// Uses the hosts file at `path`, or none.
    pub fn with_hosts_file(mut self, path: Option<&CStr>) -> Resolver {
        self.hosts = path.map(CString::from);
        self
    }

    /// The DNS configuration.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// The addresses of host `name` with `port`, IPv4 and IPv6, as std's
    /// `ToSocketAddrs` gives them for `(name, port)`.
    pub fn lookup_host(&self, name: &[u8], port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
        self.lookup(name, port, IpFamily::Any)
    }

    /// The addresses of host `name` of `family`, with `port`: a numeric
    /// address, else the hosts file's lines for it, else DNS (see the
    /// [module](self) documentation for the order and the rules).
    pub fn lookup(&self, name: &[u8], port: u16, family: IpFamily) -> Result<Vec<SocketAddr>, ResolveError> {
        let with_port = |mut addrs: Vec<SocketAddr>| {
            addrs.retain(|a| family.admits(a));
            addrs.iter_mut().for_each(|a| a.set_port(port));
            addrs
        };
        if let Some(addr) = literal::parse(name) {
            let addrs = with_port(alloc::vec![addr]);
            return if addrs.is_empty() { Err(ResolveError::NoData) } else { Ok(addrs) };
        }
        // Checked before any file is read: a bad name is never looked up.
        Name::from_dotted(name).map_err(|_| ResolveError::BadName)?;
        if let Some(path) = &self.hosts {
            match crate::fs::read(path) {
                Ok(text) => {
                    let addrs = with_port(hosts::lookup(&text, name));
                    if !addrs.is_empty() {
                        return Ok(addrs);
                    }
                }
                // As C libraries do: no hosts file is an empty one.
                Err(Errno::ENOENT) => {}
                Err(e) => return Err(ResolveError::Io(e)),
            }
        }
        let types: &[u16] = match family {
            IpFamily::Any => &[message::TYPE_A, message::TYPE_AAAA],
            IpFamily::V4 => &[message::TYPE_A],
            IpFamily::V6 => &[message::TYPE_AAAA],
        };
        let addrs = search(name, &self.config, |candidate| {
            let results = transport::query(&self.config, candidate, types);
            combine(results)
        })?;
        Ok(with_port(addrs))
    }
}

/// The addresses of host `name` with `port`, from the system's resolver
/// ([`Resolver::system`]): the configuration files are read on every call,
/// as C libraries do, so that a change to them is seen.
///
/// `getaddrinfo(3)`: <https://man7.org/linux/man-pages/man3/getaddrinfo.3.html>
pub fn lookup_host(name: &[u8], port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
    Resolver::system().lookup_host(name, port)
}

impl ResolverConfig {
    /// Reads the `resolv.conf` file at `path` ([`ResolverConfig::parse`]).
    pub fn from_file(path: &CStr) -> Result<ResolverConfig, Errno> {
        Ok(ResolverConfig::parse(&crate::fs::read(path)?))
    }

    /// The system's configuration: `/etc/resolv.conf` (or the file that
    /// `SYS_LAYER_RESOLV_CONF` names), the defaults if it cannot be read;
    /// without a `search` or `domain` line, the domain of this host's name
    /// (what follows its first dot), as glibc does; then `LOCALDOMAIN` and
    /// `RES_OPTIONS` from the environment (not under `AT_SECURE`).
    pub fn system() -> ResolverConfig {
        let path = trusted_var(b"SYS_LAYER_RESOLV_CONF").unwrap_or(RESOLV_CONF);
        let text = crate::fs::read(path).unwrap_or_default();
        let mut conf = ResolverConfig::parse(&text);
        if conf.search.is_empty()
            && let Ok(uts) = crate::process::uname()
            && let Some(dot) = uts.nodename().to_bytes().iter().position(|&b| b == b'.')
        {
            conf.set_search([&uts.nodename().to_bytes()[dot + 1..]]);
        }
        if let Some(domains) = trusted_var(b"LOCALDOMAIN") {
            conf.set_search(words(domains.to_bytes()));
        }
        if let Some(options) = trusted_var(b"RES_OPTIONS") {
            conf.apply_options(words(options.to_bytes()));
        }
        conf
    }
}

/// The blank-separated words of `text`.
fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty())
}

/// Environment variable `name`, unless the program runs with privileges
/// it did not get from its caller (`AT_SECURE`), whose environment must
/// not choose its files.
fn trusted_var(name: &[u8]) -> Option<&'static CStr> {
    if crate::rt::auxv().secure != 0 {
        return None;
    }
    crate::env::var(name)
}

/// The index of the network interface named `name`, for a zone given by
/// name ([`super::interface_index`]).
#[cfg(not(test))]
fn interface_index(name: &[u8]) -> Option<u32> {
    super::interface_index(name).ok()
}

/// The host tests' stand-in for the interface table (they have no
/// stub table to make system calls through): only the loopback, index 1.
#[cfg(test)]
fn interface_index(name: &[u8]) -> Option<u32> {
    (name == b"lo").then_some(1)
}

/// The names to ask DNS for `name`, in order (see the [module](self)
/// documentation). Candidates too long to query are left out.
fn candidates(name: &[u8], conf: &ResolverConfig) -> Vec<Name> {
    let Ok(as_is) = Name::from_dotted(name) else { return Vec::new() };
    if name.ends_with(b".") {
        return alloc::vec![as_is];
    }
    let searched = conf.search.iter().filter_map(|domain| {
        let mut full = Vec::with_capacity(name.len() + 1 + domain.len());
        full.extend_from_slice(name);
        full.push(b'.');
        full.extend_from_slice(domain);
        Name::from_dotted(&full).ok()
    });
    let dots = name.iter().filter(|&&b| b == b'.').count();
    let mut list = Vec::new();
    if dots >= usize::from(conf.ndots) {
        list.push(as_is);
        list.extend(searched);
    } else {
        list.extend(searched);
        list.push(as_is);
    }
    list
}

/// Asks `ask` for each candidate of `name` until one has addresses (see
/// the [module](self) documentation for when the search stops). The error,
/// if none has: "no address" if a candidate exists, else a server failure
/// if there was one, else "no such name".
fn search(
    name: &[u8],
    conf: &ResolverConfig,
    mut ask: impl FnMut(&Name) -> Result<Vec<SocketAddr>, ResolveError>,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let list = candidates(name, conf);
    if list.is_empty() {
        return Err(ResolveError::BadName);
    }
    let (mut no_data, mut server_failure) = (false, false);
    for candidate in &list {
        match ask(candidate) {
            Ok(addrs) if !addrs.is_empty() => return Ok(addrs),
            Ok(_) | Err(ResolveError::NoData) => no_data = true,
            Err(ResolveError::NotFound) => {}
            Err(ResolveError::ServerFailure) => server_failure = true,
            Err(e) => return Err(e),
        }
    }
    Err(if no_data {
        ResolveError::NoData
    } else if server_failure {
        ResolveError::ServerFailure
    } else {
        ResolveError::NotFound
    })
}

/// One candidate's answers to its queries (A, AAAA) as one: the addresses
/// of both if either has some; else "no such name" if a server said so
/// (the name's answer, whatever became of the other query); else the
/// other query's failure; else "no address".
fn combine(results: Vec<Result<Vec<SocketAddr>, ResolveError>>) -> Result<Vec<SocketAddr>, ResolveError> {
    let mut addrs = Vec::new();
    let mut failure = None;
    let mut not_found = false;
    for result in results {
        match result {
            Ok(found) => addrs.extend(found),
            Err(ResolveError::NotFound) => not_found = true,
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if !addrs.is_empty() {
        return Ok(addrs);
    }
    if not_found {
        return Err(ResolveError::NotFound);
    }
    failure.map_or(Err(ResolveError::NoData), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec;

    /// Deterministic noise for the parsers' hostile-input tests
    /// (xorshift32).
    pub(super) fn noise(mut state: u32) -> impl Iterator<Item = u32> {
        core::iter::repeat_with(move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        })
    }

    /// Random bytes drawn mostly from `alphabet`: text that looks like the
    /// files and names the parsers read.
    pub(super) fn garbage(noise: &mut impl Iterator<Item = u32>, alphabet: &[u8], len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                let x = noise.next().unwrap();
                if x.is_multiple_of(8) { (x >> 8) as u8 } else { alphabet[(x >> 8) as usize % alphabet.len()] }
            })
            .collect()
    }

    fn conf(text: &str) -> ResolverConfig {
        ResolverConfig::parse(text.as_bytes())
    }

    fn dotted(names: Vec<Name>) -> Vec<String> {
        names
            .iter()
            .map(|n| {
                let mut d = Vec::new();
                n.write_dotted(&mut d);
                String::from_utf8(d).unwrap()
            })
            .collect()
    }

    #[test]
    fn candidates_follow_ndots() {
        let c = conf("search corp.test example.test\n");
        assert_eq!(dotted(candidates(b"www", &c)), ["www.corp.test", "www.example.test", "www"]);
        assert_eq!(dotted(candidates(b"a.b", &c)), ["a.b", "a.b.corp.test", "a.b.example.test"]);
        assert_eq!(dotted(candidates(b"www.", &c)), ["www"]);
        let c = conf("search corp.test\noptions ndots:2\n");
        assert_eq!(dotted(candidates(b"a.b", &c)), ["a.b.corp.test", "a.b"]);
        assert_eq!(dotted(candidates(b"a.b.c", &c)), ["a.b.c", "a.b.c.corp.test"]);
        let c = conf("options ndots:0\nsearch s\n");
        assert_eq!(dotted(candidates(b"host", &c)), ["host", "host.s"]);
        // A candidate that would be too long is skipped, not an error.
        let long = "x".repeat(63);
        let name = format!("{long}.{long}.{long}.{}", "y".repeat(50));
        let c = conf(&format!("search {}\n", "z".repeat(20)));
        assert_eq!(dotted(candidates(name.as_bytes(), &c)), [name]);
        assert!(candidates(b"bad..name", &c).is_empty());
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn search_stops_at_addresses_or_a_timeout() {
        let c = conf("search one two\n");
        let mut asked = Vec::new();
        let got = search(b"h", &c, |n| {
            asked.push(dotted(vec![n.clone()]).remove(0));
            match asked.len() {
                1 => Err(ResolveError::NotFound),
                _ => Ok(vec![addr("192.0.2.1:0")]),
            }
        });
        assert_eq!(got, Ok(vec![addr("192.0.2.1:0")]));
        assert_eq!(asked, ["h.one", "h.two"]);

        let mut count = 0;
        let got = search(b"h", &c, |_| {
            count += 1;
            Err(ResolveError::Timeout)
        });
        assert_eq!((got, count), (Err(ResolveError::Timeout), 1));
    }

    #[test]
    fn search_reports_the_most_telling_failure() {
        let c = conf("search one two\n");
        let run = |answers: [Result<Vec<SocketAddr>, ResolveError>; 3]| {
            let mut it = answers.into_iter();
            search(b"h", &c, |_| it.next().unwrap())
        };
        use ResolveError::*;
        assert_eq!(run([Err(NotFound), Err(NotFound), Err(NotFound)]), Err(NotFound));
        assert_eq!(run([Err(NotFound), Ok(vec![]), Err(ServerFailure)]), Err(NoData));
        assert_eq!(run([Err(ServerFailure), Err(NotFound), Err(NotFound)]), Err(ServerFailure));
        assert_eq!(run([Err(ServerFailure), Err(BadReply), Err(NotFound)]), Err(BadReply));
        assert_eq!(search(b"", &c, |_| unreachable!()), Err(BadName));
    }

    #[test]
    fn both_queries_combine() {
        use ResolveError::*;
        let a = || Ok(vec![addr("192.0.2.1:0")]);
        let aaaa = || Ok(vec![addr("[2001:db8::1]:0")]);
        assert_eq!(combine(vec![a(), aaaa()]), Ok(vec![addr("192.0.2.1:0"), addr("[2001:db8::1]:0")]));
        assert_eq!(combine(vec![Err(Timeout), aaaa()]), aaaa());
        assert_eq!(combine(vec![Ok(vec![]), Ok(vec![])]), Err(NoData));
        assert_eq!(combine(vec![Ok(vec![]), Err(Timeout)]), Err(Timeout));
        assert_eq!(combine(vec![Err(NotFound), Err(ServerFailure)]), Err(NotFound));
        assert_eq!(combine(vec![Err(ServerFailure), Err(Timeout)]), Err(ServerFailure));
    }

    #[test]
    fn errors_say_what_happened() {
        assert_eq!(ResolveError::NotFound.to_string(), "host not found");
        assert_eq!(ResolveError::Io(Errno::EACCES).to_string(), "name resolution: Permission denied");
        assert!(ResolveError::Timeout.is_temporary() && !ResolveError::NoData.is_temporary());
    }
}
