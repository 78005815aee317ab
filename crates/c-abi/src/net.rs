//! Sockets: each C function one slot (C's `struct sockaddr`, `msghdr` and
//! `socklen_t` are the kernel's). Name resolution (`getaddrinfo`) is not
//! there yet: it fails with `EAI_SYSTEM` and `ENOSYS`, so std's
//! `ToSocketAddrs` works for literal addresses only.

use core::ffi::{c_char, c_int, c_void};
use linux_raw_sys::net as n;
use sys_layer::{Errno, c};

type Sockaddr = n::sockaddr;
type Socklen = n::socklen_t;

/// Defines C functions that are one slot call each.
macro_rules! slot_calls {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty => $slot:ident($($call:expr),*);)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// Pointer arguments are valid as the call's manual page says.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
            // SAFETY: as the caller vouches.
            unsafe { c::$slot($($call),*) as $ret }
        }
    )*};
}

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

/// glibc's `EAI_SYSTEM`: look in `errno`.
const EAI_SYSTEM: c_int = -11;

/// `getaddrinfo(3)`: not there yet (no resolver): `EAI_SYSTEM` with
/// `errno` `ENOSYS`. std parses literal addresses itself and calls this
/// only for names.
#[unsafe(no_mangle)]
pub extern "C" fn getaddrinfo(
    _node: *const c_char,
    _service: *const c_char,
    _hints: *const c_void,
    _res: *mut *mut c_void,
) -> c_int {
    c::set_errno(Errno::ENOSYS.raw());
    EAI_SYSTEM
}

/// `freeaddrinfo(3)`: [`getaddrinfo`] never gives a list, so there is
/// none to free.
#[unsafe(no_mangle)]
pub extern "C" fn freeaddrinfo(_res: *mut c_void) {}

/// `gai_strerror(3)`.
#[unsafe(no_mangle)]
pub extern "C" fn gai_strerror(code: c_int) -> *const c_char {
    match code {
        EAI_SYSTEM => c"System error".as_ptr(),
        _ => c"Unknown error".as_ptr(),
    }
}

/// `__res_init`: re-reading the resolver's configuration; there is no
/// resolver yet, so nothing to re-read (std calls it after a failed
/// lookup).
#[unsafe(no_mangle)]
pub extern "C" fn __res_init() -> c_int {
    0
}
