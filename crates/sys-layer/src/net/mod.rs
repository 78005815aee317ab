//! Sockets: [`TcpListener`], [`TcpStream`], [`UdpSocket`], [`UnixStream`],
//! [`UnixListener`], and the general [`Socket`] under them.
//!
//! Internet addresses are `core::net`'s ([`SocketAddr`] and friends): they
//! parse and print exactly as std's do. [`SockAddr`] is the kernel's form
//! of any address (internet or Unix-domain), as the system calls take it.
//! Every socket is made close-on-exec; a non-blocking one answers
//! [`Errno::EAGAIN`] when it would block. Writes pass `MSG_NOSIGNAL`, so a
//! closed peer gives `EPIPE` rather than a `SIGPIPE` that ends the process
//! (as std does).
//!
//! On i686 kernels before 4.3, which had no direct socket calls, the table
//! reaches them through `socketcall(2)` (see `docs/kernels.md`).

extern crate alloc;

mod addr;
pub mod resolve;

pub use addr::{SockAddr, UnixAddr};
pub use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
pub use resolve::{IpFamily, ResolveError, Resolver, ResolverConfig, lookup_host};

use crate::Errno;
use crate::errno::call_slot;
use crate::event::{PollFd, PollFlags, poll};
use crate::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use crate::raw;
use alloc::vec::Vec;
use core::ffi::c_int;
use linux_raw_sys::general as g;
use linux_raw_sys::net as n;

/// `SOCK_CLOEXEC`: the kernel defines it as `O_CLOEXEC` on every
/// architecture (linux-raw-sys does not export it).
const SOCK_CLOEXEC: u32 = g::O_CLOEXEC;

/// Which way(s) [`Socket::shutdown`] closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// No more receiving.
    Read,
    /// No more sending: the peer reads end of file.
    Write,
    /// Both.
    Both,
}

/// A socket of any family and type: the calls of `socket(7)` on one
/// descriptor. The typed sockets below are this with fewer choices.
#[derive(Debug)]
pub struct Socket(OwnedFd);

impl Socket {
    /// A new socket (`AF_*`, `SOCK_*` and protocol numbers as in
    /// `socket(2)`), close-on-exec.
    ///
    /// `socket(2)`: <https://man7.org/linux/man-pages/man2/socket.2.html>
    pub fn new(domain: u32, ty: u32, protocol: u32) -> Result<Socket, Errno> {
        // SAFETY: no pointers.
        let fd =
            call_slot(|e| unsafe { raw::socket(domain as c_int, (ty | SOCK_CLOEXEC) as c_int, protocol as c_int, e) })?;
        // SAFETY: the kernel just gave it to us.
        Ok(Socket(unsafe { OwnedFd::from_raw_fd(fd as RawFd) }))
    }

    /// Two connected sockets (`AF_UNIX`), close-on-exec.
    ///
    /// `socketpair(2)`: <https://man7.org/linux/man-pages/man2/socketpair.2.html>
    pub fn pair(ty: u32) -> Result<(Socket, Socket), Errno> {
        let mut fds = [0 as c_int; 2];
        // SAFETY: fds has room for two descriptors.
        call_slot(|e| unsafe {
            raw::socketpair(n::AF_UNIX as c_int, (ty | SOCK_CLOEXEC) as c_int, 0, fds.as_mut_ptr(), e)
        })?;
        // SAFETY: the kernel just gave us both.
        Ok(unsafe { (Socket(OwnedFd::from_raw_fd(fds[0])), Socket(OwnedFd::from_raw_fd(fds[1]))) })
    }

    /// Takes a descriptor that is a socket.
    pub fn from_fd(fd: OwnedFd) -> Socket {
        Socket(fd)
    }

    /// The descriptor.
    pub fn into_fd(self) -> OwnedFd {
        self.0
    }

    fn raw(&self) -> c_int {
        self.0.as_raw_fd()
    }

    /// Gives the socket its local address.
    ///
    /// `bind(2)`: <https://man7.org/linux/man-pages/man2/bind.2.html>
    pub fn bind(&self, addr: &SockAddr) -> Result<(), Errno> {
        // SAFETY: addr is a valid address of its length.
        call_slot(|e| unsafe { raw::bind(self.raw(), addr.as_ptr(), addr.len(), e) }).map(drop)
    }

    /// Accepts connections, with a queue of `backlog`.
    ///
    /// `listen(2)`: <https://man7.org/linux/man-pages/man2/listen.2.html>
    pub fn listen(&self, backlog: i32) -> Result<(), Errno> {
        // SAFETY: no pointers.
        call_slot(|e| unsafe { raw::listen(self.raw(), backlog, e) }).map(drop)
    }

    /// Takes a connection: the new socket (close-on-exec) and the peer's
    /// address. Retries on `EINTR`.
    ///
    /// `accept4(2)`: <https://man7.org/linux/man-pages/man2/accept4.2.html>
    pub fn accept(&self) -> Result<(Socket, SockAddr), Errno> {
        let mut addr = SockAddr::empty();
        loop {
            let mut len = SockAddr::CAPACITY;
            // SAFETY: addr has room for len bytes.
            match call_slot(|e| unsafe {
                raw::accept4(self.raw(), addr.as_mut_ptr(), &mut len, SOCK_CLOEXEC as c_int, e)
            }) {
                Ok(fd) => {
                    addr.set_len(len);
                    // SAFETY: the kernel just gave it to us.
                    return Ok((Socket(unsafe { OwnedFd::from_raw_fd(fd as RawFd) }), addr));
                }
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Connects to `addr`. A signal that interrupts a blocking connect does
    /// not stop it: this waits for it to finish, as the connection goes on
    /// in the kernel.
    ///
    /// `connect(2)`: <https://man7.org/linux/man-pages/man2/connect.2.html>
    pub fn connect(&self, addr: &SockAddr) -> Result<(), Errno> {
        // SAFETY: addr is a valid address of its length.
        match call_slot(|e| unsafe { raw::connect(self.raw(), addr.as_ptr(), addr.len(), e) }) {
            Ok(_) => Ok(()),
            Err(Errno::EINTR) => loop {
                let mut fds = [PollFd::new(self.0.as_fd(), PollFlags::OUT)];
                match poll(&mut fds, None) {
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(e),
                    Ok(_) => return self.take_error()?.map_or(Ok(()), Err),
                }
            },
            Err(e) => Err(e),
        }
    }

    /// Sends bytes; returns how many went.
    ///
    /// `send(2)`: <https://man7.org/linux/man-pages/man2/send.2.html>
    pub fn send(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.send_to_raw(buf, None)
    }

    /// Sends a datagram to `addr`.
    pub fn send_to(&self, buf: &[u8], addr: &SockAddr) -> Result<usize, Errno> {
        self.send_to_raw(buf, Some(addr))
    }

    fn send_to_raw(&self, buf: &[u8], addr: Option<&SockAddr>) -> Result<usize, Errno> {
        let (p, l) = addr.map_or((core::ptr::null(), 0), |a| (a.as_ptr(), a.len()));
        // SAFETY: buf is readable; p is null or a valid address of length l.
        call_slot(|e| unsafe {
            raw::sendto(self.raw(), buf.as_ptr().cast(), buf.len(), n::MSG_NOSIGNAL as c_int, p, l, e)
        })
    }

    /// Receives bytes; 0 is end of file on a stream.
    ///
    /// `recv(2)`: <https://man7.org/linux/man-pages/man2/recv.2.html>
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        // SAFETY: buf is writable; no address asked for.
        call_slot(|e| unsafe {
            raw::recvfrom(
                self.raw(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                e,
            )
        })
    }

    /// Receives a datagram and its sender's address.
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, SockAddr), Errno> {
        let mut addr = SockAddr::empty();
        let mut len = SockAddr::CAPACITY;
        // SAFETY: buf is writable; addr has room for len bytes.
        let got = call_slot(|e| unsafe {
            raw::recvfrom(self.raw(), buf.as_mut_ptr().cast(), buf.len(), 0, addr.as_mut_ptr(), &mut len, e)
        })?;
        addr.set_len(len);
        Ok((got, addr))
    }

    /// Sends `buf` with the descriptors `fds` (`SCM_RIGHTS`): the peer
    /// receives copies of them. Up to [`MAX_FDS`] descriptors.
    ///
    /// `sendmsg(2)`, `unix(7)`: <https://man7.org/linux/man-pages/man7/unix.7.html>
    pub fn send_with_fds(&self, buf: &[u8], fds: &[BorrowedFd<'_>]) -> Result<usize, Errno> {
        if fds.len() > MAX_FDS {
            return Err(Errno::EINVAL);
        }
        let mut control = ControlBuffer::new();
        let control_len = if fds.is_empty() { 0 } else { control.put_fds(fds) };
        let mut iov = g::iovec { iov_base: buf.as_ptr().cast_mut().cast(), iov_len: buf.len() as _ };
        let msg = n::msghdr {
            msg_name: core::ptr::null_mut(),
            msg_namelen: 0,
            msg_iov: (&raw mut iov).cast(),
            msg_iovlen: 1,
            msg_control: if control_len == 0 { core::ptr::null_mut() } else { control.as_mut_ptr() },
            msg_controllen: control_len as _,
            msg_flags: 0,
        };
        // SAFETY: msg points at iov and control, alive for the call.
        call_slot(|e| unsafe { raw::sendmsg(self.raw(), &msg, n::MSG_NOSIGNAL as c_int, e) })
    }

    /// Receives into `buf`, and any descriptors that came with it
    /// (close-on-exec) into `fds`. Returns the byte count. Descriptors
    /// beyond [`MAX_FDS`] are closed by the kernel (`MSG_CTRUNC`); `fds`
    /// gets the ones that arrived.
    pub fn recv_with_fds(&self, buf: &mut [u8], fds: &mut Vec<OwnedFd>) -> Result<usize, Errno> {
        let mut control = ControlBuffer::new();
        let mut iov = g::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() as _ };
        let mut msg = n::msghdr {
            msg_name: core::ptr::null_mut(),
            msg_namelen: 0,
            msg_iov: (&raw mut iov).cast(),
            msg_iovlen: 1,
            msg_control: control.as_mut_ptr(),
            msg_controllen: ControlBuffer::SIZE as _,
            msg_flags: 0,
        };
        // SAFETY: msg points at iov and control, alive for the call.
        let got = call_slot(|e| unsafe { raw::recvmsg(self.raw(), &mut msg, n::MSG_CMSG_CLOEXEC as c_int, e) })?;
        control.take_fds(msg.msg_controllen as usize, fds);
        Ok(got)
    }

    /// Closes one or both directions.
    ///
    /// `shutdown(2)`: <https://man7.org/linux/man-pages/man2/shutdown.2.html>
    pub fn shutdown(&self, how: Shutdown) -> Result<(), Errno> {
        let how = match how {
            Shutdown::Read => n::SHUT_RD,
            Shutdown::Write => n::SHUT_WR,
            Shutdown::Both => n::SHUT_RDWR,
        };
        // SAFETY: no pointers.
        call_slot(|e| unsafe { raw::shutdown(self.raw(), how as c_int, e) }).map(drop)
    }

    /// The local address.
    ///
    /// `getsockname(2)`: <https://man7.org/linux/man-pages/man2/getsockname.2.html>
    pub fn local_addr(&self) -> Result<SockAddr, Errno> {
        self.name_of(raw::getsockname)
    }

    /// The peer's address.
    ///
    /// `getpeername(2)`: <https://man7.org/linux/man-pages/man2/getpeername.2.html>
    pub fn peer_addr(&self) -> Result<SockAddr, Errno> {
        self.name_of(raw::getpeername)
    }

    fn name_of(
        &self,
        f: unsafe fn(c_int, *mut n::sockaddr, *mut n::socklen_t, *mut c_int) -> isize,
    ) -> Result<SockAddr, Errno> {
        let mut addr = SockAddr::empty();
        let mut len = SockAddr::CAPACITY;
        // SAFETY: addr has room for len bytes.
        call_slot(|e| unsafe { f(self.raw(), addr.as_mut_ptr(), &mut len, e) })?;
        addr.set_len(len);
        Ok(addr)
    }

    /// Sets an integer socket option.
    ///
    /// `setsockopt(2)`: <https://man7.org/linux/man-pages/man2/setsockopt.2.html>
    pub fn set_option(&self, level: u32, name: u32, value: i32) -> Result<(), Errno> {
        // SAFETY: value is a readable int.
        call_slot(|e| unsafe {
            raw::setsockopt(self.raw(), level as c_int, name as c_int, (&raw const value).cast(), 4, e)
        })
        .map(drop)
    }

    /// Reads an integer socket option.
    ///
    /// `getsockopt(2)`: <https://man7.org/linux/man-pages/man2/getsockopt.2.html>
    pub fn option(&self, level: u32, name: u32) -> Result<i32, Errno> {
        let mut value: i32 = 0;
        let mut len: n::socklen_t = 4;
        // SAFETY: value is a writable int of len bytes.
        call_slot(|e| unsafe {
            raw::getsockopt(self.raw(), level as c_int, name as c_int, (&raw mut value).cast(), &mut len, e)
        })?;
        Ok(value)
    }

    /// The socket's pending error (`SO_ERROR`), cleared by reading it.
    pub fn take_error(&self) -> Result<Option<Errno>, Errno> {
        let v = self.option(n::SOL_SOCKET, n::SO_ERROR)?;
        Ok((v != 0).then(|| Errno::from_raw(v)))
    }

    /// Makes calls return `EAGAIN` instead of waiting (or wait again).
    pub fn set_nonblocking(&self, on: bool) -> Result<(), Errno> {
        let flags = crate::fd::status_flags(&self.0)?;
        let flags = if on { flags | g::O_NONBLOCK } else { flags & !g::O_NONBLOCK };
        crate::fd::set_status_flags(&self.0, flags)
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// The index of the network interface named `name` (`if_nametoindex(3)`:
/// the `SIOCGIFINDEX` request on a socket); `ENODEV` if there is none,
/// `EINVAL` for a name that cannot be one (empty, 16 bytes or more, NUL).
///
/// `netdevice(7)`: <https://man7.org/linux/man-pages/man7/netdevice.7.html>
pub fn interface_index(name: &[u8]) -> Result<u32, Errno> {
    // IFNAMSIZ: the name and its NUL.
    if name.is_empty() || name.len() >= 16 || name.contains(&0) {
        return Err(Errno::EINVAL);
    }
    let socket = Socket::new(n::AF_INET, n::SOCK_DGRAM, 0)?;
    // SAFETY: ifreq is plain data, for which all zeroes is valid.
    let mut req: n::ifreq = unsafe { core::mem::zeroed() };
    // SAFETY: ifrn_name is the union's only field.
    let slot = unsafe { &mut req.ifr_ifrn.ifrn_name };
    for (dst, &b) in slot.iter_mut().zip(name) {
        *dst = b as _;
    }
    let request = linux_raw_sys::ioctl::SIOCGIFINDEX as _;
    // SAFETY: SIOCGIFINDEX reads the name from and writes the index into
    // the ifreq, which lives across the call.
    call_slot(|e| unsafe { raw::ioctl(socket.raw(), request, (&raw mut req).cast(), e) })?;
    // SAFETY: the kernel filled the index, a c_int of the union.
    let index = unsafe { req.ifr_ifru.ifru_ivalue };
    u32::try_from(index).ok().filter(|&i| i != 0).ok_or(Errno::ENODEV)
}

/// The most descriptors [`Socket::send_with_fds`] sends and
/// [`Socket::recv_with_fds`] takes at once.
pub const MAX_FDS: usize = 16;

/// Room for one `SCM_RIGHTS` control message of [`MAX_FDS`] descriptors,
/// aligned as `cmsghdr` needs.
#[repr(C, align(8))]
struct ControlBuffer([u8; ControlBuffer::SIZE]);

impl ControlBuffer {
    const HEADER: usize = core::mem::size_of::<n::cmsghdr>();
    /// `CMSG_SPACE(MAX_FDS * 4)`: the header, the descriptors, padding to a word.
    const SIZE: usize = Self::HEADER + (MAX_FDS * 4).next_multiple_of(core::mem::size_of::<usize>());

    fn new() -> ControlBuffer {
        ControlBuffer([0; Self::SIZE])
    }

    fn as_mut_ptr(&mut self) -> *mut core::ffi::c_void {
        self.0.as_mut_ptr().cast()
    }

    /// Writes one `SCM_RIGHTS` message; returns its `CMSG_SPACE`.
    fn put_fds(&mut self, fds: &[BorrowedFd<'_>]) -> usize {
        let data_len = fds.len() * 4;
        let header = n::cmsghdr {
            cmsg_len: (Self::HEADER + data_len) as _,
            cmsg_level: n::SOL_SOCKET as c_int,
            cmsg_type: n::SCM_RIGHTS as c_int,
        };
        // SAFETY: the buffer is aligned for cmsghdr and larger than it.
        unsafe { self.0.as_mut_ptr().cast::<n::cmsghdr>().write(header) };
        for (i, fd) in fds.iter().enumerate() {
            let at = Self::HEADER + i * 4;
            self.0[at..at + 4].copy_from_slice(&fd.as_raw_fd().to_ne_bytes());
        }
        Self::HEADER + data_len.next_multiple_of(core::mem::size_of::<usize>())
    }

    /// Takes the descriptors of every `SCM_RIGHTS` message in the first
    /// `len` bytes, as the kernel filled them.
    fn take_fds(&self, len: usize, out: &mut Vec<OwnedFd>) {
        let len = len.min(Self::SIZE);
        let mut at = 0;
        while at + Self::HEADER <= len {
            // SAFETY: at is a multiple of the word size from an aligned
            // buffer, with a whole header inside it.
            let header = unsafe { self.0.as_ptr().add(at).cast::<n::cmsghdr>().read() };
            #[allow(clippy::unnecessary_cast)] // a u32 on 32-bit targets
            let msg_len = header.cmsg_len as usize;
            if msg_len < Self::HEADER || at + msg_len > len {
                break;
            }
            if header.cmsg_level == n::SOL_SOCKET as c_int && header.cmsg_type == n::SCM_RIGHTS as c_int {
                for chunk in self.0[at + Self::HEADER..at + msg_len].chunks_exact(4) {
                    let fd = i32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                    // SAFETY: the kernel installed this descriptor for us.
                    out.push(unsafe { OwnedFd::from_raw_fd(fd) });
                }
            }
            at += msg_len.next_multiple_of(core::mem::size_of::<usize>());
        }
    }
}

/// The socket family of an internet address.
fn family_of(addr: &SocketAddr) -> u32 {
    match addr {
        SocketAddr::V4(_) => n::AF_INET,
        SocketAddr::V6(_) => n::AF_INET6,
    }
}

/// An internet address out of a [`SockAddr`] the kernel gave, or `EINVAL`.
fn inet_of(addr: SockAddr) -> Result<SocketAddr, Errno> {
    addr.as_inet().ok_or(Errno::EINVAL)
}

macro_rules! socket_wrapper {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(Socket);

        impl $name {
            /// The general socket under it.
            pub fn socket(&self) -> &Socket {
                &self.0
            }

            /// Makes calls return `EAGAIN` instead of waiting (or wait again).
            pub fn set_nonblocking(&self, on: bool) -> Result<(), Errno> {
                self.0.set_nonblocking(on)
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.as_fd()
            }
        }

        impl From<$name> for Socket {
            fn from(s: $name) -> Socket {
                s.0
            }
        }
    };
}

socket_wrapper! {
    /// A TCP socket that accepts connections.
    ///
    /// `tcp(7)`: <https://man7.org/linux/man-pages/man7/tcp.7.html>
    TcpListener
}

impl TcpListener {
    /// Listens on `addr` (port 0: one the kernel picks; see
    /// [`TcpListener::local_addr`]). `SO_REUSEADDR` is set first, as std
    /// does, so a restarted server can bind while old connections linger.
    pub fn bind(addr: SocketAddr) -> Result<TcpListener, Errno> {
        let s = Socket::new(family_of(&addr), n::SOCK_STREAM, 0)?;
        s.set_option(n::SOL_SOCKET, n::SO_REUSEADDR, 1)?;
        s.bind(&SockAddr::from(addr))?;
        s.listen(128)?;
        Ok(TcpListener(s))
    }

    /// Takes a connection and its peer's address.
    pub fn accept(&self) -> Result<(TcpStream, SocketAddr), Errno> {
        let (s, addr) = self.0.accept()?;
        Ok((TcpStream(s), inet_of(addr)?))
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        inet_of(self.0.local_addr()?)
    }
}

socket_wrapper! {
    /// A TCP connection.
    TcpStream
}

impl TcpStream {
    /// Connects to `addr`.
    pub fn connect(addr: SocketAddr) -> Result<TcpStream, Errno> {
        let s = Socket::new(family_of(&addr), n::SOCK_STREAM, 0)?;
        s.connect(&SockAddr::from(addr))?;
        Ok(TcpStream(s))
    }

    /// Reads bytes; 0 is end of file.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.0.recv(buf)
    }

    /// Writes bytes; returns how many went.
    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.0.send(buf)
    }

    /// Writes all of `buf`, retrying on `EINTR` and short writes.
    pub fn write_all(&self, mut buf: &[u8]) -> Result<(), Errno> {
        while !buf.is_empty() {
            match self.write(buf) {
                Ok(0) => return Err(Errno::EPIPE),
                Ok(k) => buf = &buf[k..],
                Err(Errno::EINTR) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Closes one or both directions.
    pub fn shutdown(&self, how: Shutdown) -> Result<(), Errno> {
        self.0.shutdown(how)
    }

    /// Sends small writes at once instead of gathering them (`TCP_NODELAY`).
    pub fn set_nodelay(&self, on: bool) -> Result<(), Errno> {
        self.0.set_option(n::IPPROTO_TCP as u32, n::TCP_NODELAY, on as i32)
    }

    /// The local address.
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        inet_of(self.0.local_addr()?)
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> Result<SocketAddr, Errno> {
        inet_of(self.0.peer_addr()?)
    }
}

socket_wrapper! {
    /// A UDP socket.
    ///
    /// `udp(7)`: <https://man7.org/linux/man-pages/man7/udp.7.html>
    UdpSocket
}

impl UdpSocket {
    /// A socket bound to `addr` (port 0: one the kernel picks).
    pub fn bind(addr: SocketAddr) -> Result<UdpSocket, Errno> {
        let s = Socket::new(family_of(&addr), n::SOCK_DGRAM, 0)?;
        s.bind(&SockAddr::from(addr))?;
        Ok(UdpSocket(s))
    }

    /// Sends to and receives from `addr` only.
    pub fn connect(&self, addr: SocketAddr) -> Result<(), Errno> {
        self.0.connect(&SockAddr::from(addr))
    }

    /// Sends a datagram to the connected address.
    pub fn send(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.0.send(buf)
    }

    /// Receives a datagram from the connected address.
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.0.recv(buf)
    }

    /// Sends a datagram to `addr`.
    pub fn send_to(&self, buf: &[u8], addr: SocketAddr) -> Result<usize, Errno> {
        self.0.send_to(buf, &SockAddr::from(addr))
    }

    /// Receives a datagram and its sender's address.
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, SocketAddr), Errno> {
        let (got, addr) = self.0.recv_from(buf)?;
        Ok((got, inet_of(addr)?))
    }

    /// The local address.
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        inet_of(self.0.local_addr()?)
    }
}

socket_wrapper! {
    /// A Unix-domain stream connection; it can carry descriptors
    /// ([`Socket::send_with_fds`]).
    ///
    /// `unix(7)`: <https://man7.org/linux/man-pages/man7/unix.7.html>
    UnixStream
}

impl UnixStream {
    /// Connects to the socket at `addr`.
    pub fn connect(addr: &UnixAddr) -> Result<UnixStream, Errno> {
        let s = Socket::new(n::AF_UNIX, n::SOCK_STREAM, 0)?;
        s.connect(&SockAddr::from(addr))?;
        Ok(UnixStream(s))
    }

    /// Two connected streams.
    pub fn pair() -> Result<(UnixStream, UnixStream), Errno> {
        let (a, b) = Socket::pair(n::SOCK_STREAM)?;
        Ok((UnixStream(a), UnixStream(b)))
    }

    /// Reads bytes; 0 is end of file.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.0.recv(buf)
    }

    /// Writes bytes; returns how many went.
    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.0.send(buf)
    }
}

socket_wrapper! {
    /// A Unix-domain socket that accepts connections.
    UnixListener
}

impl UnixListener {
    /// Listens at `addr` (a path must not exist yet).
    pub fn bind(addr: &UnixAddr) -> Result<UnixListener, Errno> {
        let s = Socket::new(n::AF_UNIX, n::SOCK_STREAM, 0)?;
        s.bind(&SockAddr::from(addr))?;
        s.listen(128)?;
        Ok(UnixListener(s))
    }

    /// Takes a connection.
    pub fn accept(&self) -> Result<UnixStream, Errno> {
        Ok(UnixStream(self.0.accept()?.0))
    }
}
