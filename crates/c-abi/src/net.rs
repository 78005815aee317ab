//! Sockets: each C function one slot (C's `struct sockaddr`, `msghdr` and
//! `socklen_t` are the kernel's); `getaddrinfo` over sys-layer's resolver.

use core::ffi::{c_char, c_int, c_void};
use linux_raw_sys::net as n;
use sys_layer::c;

type Sockaddr = n::sockaddr;
type Socklen = n::socklen_t;

slot_calls! {
    /// `socket(2)`.
    fn socket(domain: c_int, ty: c_int, protocol: c_int) -> c_int => socket(domain, ty, protocol);
    /// `socketpair(2)`.
    fn socketpair(domain: c_int, ty: c_int, protocol: c_int, sv: *mut c_int) -> c_int => socketpair(domain, ty, protocol, sv);
    /// `bind(2)`.
    fn bind(fd: c_int, addr: *const Sockaddr, len: Socklen) -> c_int => bind(fd, addr.cast(), len);
    /// `listen(2)`.
    fn listen(fd: c_int, backlog: c_int) -> c_int => listen(fd, backlog);
    /// `accept4(2)`.
    fn accept4(fd: c_int, addr: *mut Sockaddr, len: *mut Socklen, flags: c_int) -> c_int => accept4(fd, addr.cast(), len, flags);
    /// `connect(2)`.
    fn connect(fd: c_int, addr: *const Sockaddr, len: Socklen) -> c_int => connect(fd, addr.cast(), len);
    /// `getsockname(2)`.
    fn getsockname(fd: c_int, addr: *mut Sockaddr, len: *mut Socklen) -> c_int => getsockname(fd, addr.cast(), len);
    /// `getpeername(2)`.
    fn getpeername(fd: c_int, addr: *mut Sockaddr, len: *mut Socklen) -> c_int => getpeername(fd, addr.cast(), len);
    /// `send(2)`: `sendto` with no address.
    fn send(fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize => sendto(fd, buf, len, flags, core::ptr::null(), 0);
    /// `sendto(2)`.
    fn sendto(fd: c_int, buf: *const c_void, len: usize, flags: c_int, addr: *const Sockaddr, alen: Socklen) -> isize => sendto(fd, buf, len, flags, addr.cast(), alen);
    /// `recv(2)`: `recvfrom` with no address.
    fn recv(fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize => recvfrom(fd, buf, len, flags, core::ptr::null_mut(), core::ptr::null_mut());
    /// `recvfrom(2)`.
    fn recvfrom(fd: c_int, buf: *mut c_void, len: usize, flags: c_int, addr: *mut Sockaddr, alen: *mut Socklen) -> isize => recvfrom(fd, buf, len, flags, addr.cast(), alen);
    /// `sendmsg(2)`.
    fn sendmsg(fd: c_int, msg: *const n::msghdr, flags: c_int) -> isize => sendmsg(fd, msg.cast(), flags);
    /// `recvmsg(2)`.
    fn recvmsg(fd: c_int, msg: *mut n::msghdr, flags: c_int) -> isize => recvmsg(fd, msg.cast(), flags);
    /// `shutdown(2)`.
    fn shutdown(fd: c_int, how: c_int) -> c_int => shutdown(fd, how);
    /// `setsockopt(2)`.
    fn setsockopt(fd: c_int, level: c_int, name: c_int, value: *const c_void, len: Socklen) -> c_int => setsockopt(fd, level, name, value, len);
    /// `getsockopt(2)`.
    fn getsockopt(fd: c_int, level: c_int, name: c_int, value: *mut c_void, len: *mut Socklen) -> c_int => getsockopt(fd, level, name, value, len);
}

/// glibc's `getaddrinfo` error codes.
const EAI_BADFLAGS: c_int = -1;
const EAI_NONAME: c_int = -2;
const EAI_AGAIN: c_int = -3;
const EAI_FAMILY: c_int = -6;
const EAI_SERVICE: c_int = -8;
const EAI_NODATA: c_int = -5;
const EAI_MEMORY: c_int = -10;
const EAI_SYSTEM: c_int = -11;

/// glibc's `struct addrinfo`.
#[repr(C)]
pub struct AddrInfo {
    flags: c_int,
    family: c_int,
    socktype: c_int,
    protocol: c_int,
    addrlen: Socklen,
    addr: *mut Sockaddr,
    canonname: *mut c_char,
    next: *mut AddrInfo,
}

/// One result: the `addrinfo` and the address it points to, in one
/// allocation, freed by [`freeaddrinfo`].
#[repr(C)]
struct Entry {
    info: AddrInfo,
    addr: [u8; 28],
}

/// `getaddrinfo(3)` over sys-layer's resolver
/// ([`sys_layer::net::Resolver::system`]: numeric addresses, the hosts
/// file, DNS per `resolv.conf`). `service` must be null or a port number
/// (service names are not looked up: `EAI_SERVICE`); `ai_flags` other than
/// 0 are not honoured (`EAI_BADFLAGS`, except `AI_ADDRCONFIG` (0x20),
/// which asks nothing of a lookup that returns what the name has); one
/// result per address, of the `hints`' socket type and protocol
/// (`SOCK_STREAM` when none is given).
///
/// # Safety
/// `node` and `service` null or C strings; `hints` null or valid; `res`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const AddrInfo,
    res: *mut *mut AddrInfo,
) -> c_int {
    use sys_layer::net::{IpFamily, ResolveError, Resolver, SockAddr};
    const AI_ADDRCONFIG: c_int = 0x20;
    // SAFETY: as the caller vouches.
    let (flags, family, socktype, protocol) = match unsafe { hints.as_ref() } {
        Some(h) => (h.flags, h.family, h.socktype, h.protocol),
        None => (0, 0, 0, 0),
    };
    if flags & !AI_ADDRCONFIG != 0 {
        return EAI_BADFLAGS;
    }
    let family = match family as u32 {
        n::AF_UNSPEC => IpFamily::Any,
        n::AF_INET => IpFamily::V4,
        n::AF_INET6 => IpFamily::V6,
        _ => return EAI_FAMILY,
    };
    let port = if service.is_null() {
        0
    } else {
        // SAFETY: as the caller vouches.
        let text = unsafe { core::ffi::CStr::from_ptr(service) }.to_bytes();
        match core::str::from_utf8(text).ok().and_then(|t| t.parse::<u16>().ok()) {
            Some(port) => port,
            None => return EAI_SERVICE,
        }
    };
    if node.is_null() {
        // Passive and loopback addresses for a null node are not there yet.
        return EAI_NONAME;
    }
    // SAFETY: as the caller vouches.
    let name = unsafe { core::ffi::CStr::from_ptr(node) }.to_bytes();
    let addrs = match Resolver::system().lookup(name, port, family) {
        Ok(addrs) => addrs,
        Err(ResolveError::BadName | ResolveError::NotFound) => return EAI_NONAME,
        Err(ResolveError::NoData) => return EAI_NODATA,
        Err(ResolveError::Io(e)) => {
            c::set_errno(e.raw());
            return EAI_SYSTEM;
        }
        Err(_) => return EAI_AGAIN,
    };
    let (socktype, protocol) = if socktype == 0 { (n::SOCK_STREAM as c_int, 0) } else { (socktype, protocol) };
    let mut head: *mut AddrInfo = core::ptr::null_mut();
    // Built from the last address back, so the list keeps the resolver's order.
    for addr in addrs.iter().rev() {
        let kernel = SockAddr::from(*addr);
        let bytes = kernel.as_bytes();
        let mut entry = alloc::boxed::Box::new(Entry {
            info: AddrInfo {
                flags: 0,
                family: kernel.family() as c_int,
                socktype,
                protocol,
                addrlen: kernel.len(),
                addr: core::ptr::null_mut(),
                canonname: core::ptr::null_mut(),
                next: head,
            },
            addr: [0; 28],
        });
        let n = bytes.len().min(entry.addr.len());
        entry.addr[..n].copy_from_slice(&bytes[..n]);
        entry.info.addr = entry.addr.as_mut_ptr().cast();
        head = alloc::boxed::Box::into_raw(entry).cast();
    }
    if head.is_null() {
        return EAI_MEMORY;
    }
    // SAFETY: as the caller vouches.
    unsafe { *res = head };
    0
}

/// `freeaddrinfo(3)`: frees a list [`getaddrinfo`] gave.
///
/// # Safety
/// `list` came from [`getaddrinfo`] and is freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn freeaddrinfo(mut list: *mut AddrInfo) {
    while !list.is_null() {
        // SAFETY: each node is the start of an Entry getaddrinfo boxed.
        let entry = unsafe { alloc::boxed::Box::from_raw(list.cast::<Entry>()) };
        list = entry.info.next;
    }
}

/// `gai_strerror(3)`.
#[unsafe(no_mangle)]
pub extern "C" fn gai_strerror(code: c_int) -> *const c_char {
    match code {
        EAI_BADFLAGS => c"Bad value for ai_flags",
        EAI_NONAME => c"Name or service not known",
        EAI_AGAIN => c"Temporary failure in name resolution",
        EAI_NODATA => c"No address associated with hostname",
        EAI_FAMILY => c"ai_family not supported",
        EAI_SERVICE => c"Servname not supported for ai_socktype",
        EAI_MEMORY => c"Memory allocation failure",
        EAI_SYSTEM => c"System error",
        _ => c"Unknown error",
    }
    .as_ptr()
}

/// `__res_init`: re-reading the resolver's configuration, which
/// [`getaddrinfo`] reads on every call anyway.
#[unsafe(no_mangle)]
pub extern "C" fn __res_init() -> c_int {
    0
}
