//! Socket addresses in the kernel's form: `sockaddr_in`, `sockaddr_in6`,
//! `sockaddr_un`, converted to and from `core::net`'s types.

use super::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use crate::Errno;
use linux_raw_sys::net as n;

/// Any socket address as the kernel takes and gives it: up to 128 bytes
/// (`sockaddr_storage`) and their length.
#[derive(Clone, Copy)]
#[repr(C, align(8))]
pub struct SockAddr {
    bytes: [u8; 128],
    len: n::socklen_t,
}

impl SockAddr {
    /// Room in a `SockAddr`, as the length argument of calls that fill one.
    pub(crate) const CAPACITY: n::socklen_t = 128;

    /// An empty address (family `AF_UNSPEC`), for a call to fill.
    pub(crate) const fn empty() -> SockAddr {
        SockAddr { bytes: [0; 128], len: 0 }
    }

    pub(crate) fn as_ptr(&self) -> *const n::sockaddr {
        self.bytes.as_ptr().cast()
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut n::sockaddr {
        self.bytes.as_mut_ptr().cast()
    }

    /// Keeps the length the kernel reported (at most the room there is:
    /// a longer one means the address was cut).
    pub(crate) fn set_len(&mut self, len: n::socklen_t) {
        self.len = len.min(Self::CAPACITY);
    }

    /// The address's length in bytes.
    pub fn len(&self) -> n::socklen_t {
        self.len
    }

    /// Whether it holds no address at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes of the address.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The address family (`AF_INET`, ...), 0 if none.
    pub fn family(&self) -> u32 {
        if self.len < 2 { 0 } else { u16::from_ne_bytes([self.bytes[0], self.bytes[1]]) as u32 }
    }

    /// The internet address, if it is one.
    pub fn as_inet(&self) -> Option<SocketAddr> {
        let b = &self.bytes;
        let port = u16::from_be_bytes([b[2], b[3]]);
        match self.family() {
            n::AF_INET if self.len >= 16 => {
                Some(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(b[4], b[5], b[6], b[7]), port)))
            }
            n::AF_INET6 if self.len >= 28 => {
                let flowinfo = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
                let mut ip = [0u8; 16];
                ip.copy_from_slice(&b[8..24]);
                let scope = u32::from_ne_bytes([b[24], b[25], b[26], b[27]]);
                Some(SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(ip), port, flowinfo, scope)))
            }
            _ => None,
        }
    }

    /// The Unix-domain address, if it is one.
    pub fn as_unix(&self) -> Option<UnixAddr> {
        if self.family() != n::AF_UNIX {
            return None;
        }
        let mut u = UnixAddr { path: [0; 108], len: 0 };
        let body = &self.bytes[2..self.len as usize];
        u.path[..body.len()].copy_from_slice(body);
        u.len = body.len();
        Some(u)
    }
}

impl From<SocketAddr> for SockAddr {
    fn from(addr: SocketAddr) -> SockAddr {
        let mut s = SockAddr::empty();
        let b = &mut s.bytes;
        match addr {
            SocketAddr::V4(a) => {
                b[..2].copy_from_slice(&(n::AF_INET as u16).to_ne_bytes());
                b[2..4].copy_from_slice(&a.port().to_be_bytes());
                b[4..8].copy_from_slice(&a.ip().octets());
                s.len = 16;
            }
            SocketAddr::V6(a) => {
                b[..2].copy_from_slice(&(n::AF_INET6 as u16).to_ne_bytes());
                b[2..4].copy_from_slice(&a.port().to_be_bytes());
                b[4..8].copy_from_slice(&a.flowinfo().to_be_bytes());
                b[8..24].copy_from_slice(&a.ip().octets());
                b[24..28].copy_from_slice(&a.scope_id().to_ne_bytes());
                s.len = 28;
            }
        }
        s
    }
}

impl From<&UnixAddr> for SockAddr {
    fn from(addr: &UnixAddr) -> SockAddr {
        let mut s = SockAddr::empty();
        s.bytes[..2].copy_from_slice(&(n::AF_UNIX as u16).to_ne_bytes());
        s.bytes[2..2 + addr.len].copy_from_slice(&addr.path[..addr.len]);
        s.len = (2 + addr.len) as n::socklen_t;
        s
    }
}

impl core::fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if let Some(a) = self.as_inet() {
            return write!(f, "{a}");
        }
        if let Some(u) = self.as_unix() {
            return write!(f, "{u:?}");
        }
        write!(f, "SockAddr(family {}, {} bytes)", self.family(), self.len)
    }
}

/// A Unix-domain socket address: a path, an abstract name (Linux: a name
/// in no filesystem, starting with a NUL byte), or unnamed.
#[derive(Clone, Copy)]
pub struct UnixAddr {
    /// `sun_path` as far as `len`: a path with its NUL, or NUL and a name.
    path: [u8; 108],
    len: usize,
}

impl UnixAddr {
    /// The address of the socket file at `path` (at most 107 bytes, no NUL).
    pub fn new(path: &[u8]) -> Result<UnixAddr, Errno> {
        if path.is_empty() || path.len() > 107 || path.contains(&0) {
            return Err(Errno::EINVAL);
        }
        let mut u = UnixAddr { path: [0; 108], len: path.len() + 1 };
        u.path[..path.len()].copy_from_slice(path);
        Ok(u)
    }

    /// An abstract address (at most 107 bytes).
    pub fn abstract_name(name: &[u8]) -> Result<UnixAddr, Errno> {
        if name.len() > 107 {
            return Err(Errno::EINVAL);
        }
        let mut u = UnixAddr { path: [0; 108], len: name.len() + 1 };
        u.path[1..=name.len()].copy_from_slice(name);
        Ok(u)
    }

    /// The path, for a path address.
    pub fn path(&self) -> Option<&[u8]> {
        let body = &self.path[..self.len];
        match body.first() {
            Some(0) | None => None,
            Some(_) => Some(body.split(|&b| b == 0).next().unwrap_or(body)),
        }
    }

    /// The name, for an abstract address.
    pub fn as_abstract_name(&self) -> Option<&[u8]> {
        let body = &self.path[..self.len];
        match body.first() {
            Some(0) => Some(&body[1..]),
            _ => None,
        }
    }

    /// Whether it is unnamed (as an unbound socket's peer is).
    pub fn is_unnamed(&self) -> bool {
        self.len == 0
    }
}

impl core::fmt::Debug for UnixAddr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if let Some(p) = self.path() {
            write!(f, "\"{}\" (pathname)", p.escape_ascii())
        } else if let Some(name) = self.as_abstract_name() {
            write!(f, "\"{}\" (abstract)", name.escape_ascii())
        } else {
            f.write_str("(unnamed)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_addresses_round_trip() {
        for text in ["127.0.0.1:80", "[::1]:8080", "[fe80::1%3]:53", "0.0.0.0:0"] {
            let a: SocketAddr = text.parse().unwrap();
            let k = SockAddr::from(a);
            assert_eq!(k.as_inet(), Some(a), "{text}");
            assert!(k.as_unix().is_none());
        }
        assert_eq!(
            SockAddr::from("1.2.3.4:258".parse::<SocketAddr>().unwrap()).as_bytes()[..8],
            [2, 0, 1, 2, 1, 2, 3, 4]
        );
    }

    #[test]
    fn unix_addresses() {
        let p = UnixAddr::new(b"/tmp/sock").unwrap();
        let k = SockAddr::from(&p);
        assert_eq!(k.len() as usize, 2 + 10);
        assert_eq!(k.as_unix().unwrap().path(), Some(&b"/tmp/sock"[..]));
        let a = UnixAddr::abstract_name(b"name").unwrap();
        assert_eq!(SockAddr::from(&a).as_unix().unwrap().as_abstract_name(), Some(&b"name"[..]));
        assert!(UnixAddr::new(&[b'a'; 108]).is_err());
        assert!(UnixAddr::new(b"a\0b").is_err());
        let mut unnamed = SockAddr::empty();
        unnamed.bytes[0] = n::AF_UNIX as u8;
        unnamed.set_len(2);
        assert!(unnamed.as_unix().unwrap().is_unnamed());
        assert!(SockAddr::empty().as_inet().is_none());
    }
}
