//! Sockets: `sendmmsg` before 3.0 and `recvmmsg` before 2.6.33, one
//! message at a time. On i686, which got direct socket calls only in 4.3
//! (and 64-bit time in 5.1), every socket slot goes through `socketcall`
//! below that instead: exact.

use crate::layer::direct::fail;
#[cfg(target_arch = "x86")]
use crate::layer::direct::ret_of;
use core::ffi::{c_int, c_uint};
use linux_raw_sys::general as g;
use linux_raw_sys::net::mmsghdr;
use sys_layer_arch::sys;

#[cfg(target_arch = "x86")]
pub(crate) use i686::{
    accept4, bind, connect, getpeername, getsockname, getsockopt, listen, recvfrom, recvmmsg, recvmsg, sendmmsg,
    sendmsg, sendto, setsockopt, shutdown, socket, socketpair,
};
#[cfg(not(target_arch = "x86"))]
pub(crate) use one_by_one::{recvmmsg, sendmmsg};

/// The loops over `sendmsg` and `recvmsg`.
#[cfg(not(target_arch = "x86"))]
mod one_by_one {
    use super::*;
    use crate::layer::abi32::monotonic_ns;
    use crate::layer::fallback::valid_timeout;
    use linux_raw_sys::errno::EINVAL;
    use linux_raw_sys::net::MSG_DONTWAIT;

    /// `MSG_WAITFORONE` (linux/socket.h), which linux-raw-sys does not export.
    const MSG_WAITFORONE: c_uint = 0x10000;

    /// `sendmmsg` before 3.0: `sendmsg` per message, storing each count in
    /// `msg_len`. Returns how many were sent; an error on the first one is
    /// the call's error.
    pub(crate) unsafe extern "C" fn sendmmsg(
        fd: c_int,
        msgvec: *mut mmsghdr,
        vlen: c_uint,
        flags: c_uint,
        errno: *mut c_int,
    ) -> isize {
        let mut done = 0;
        while done < vlen.min(1024) {
            // SAFETY: the caller vouches for vlen entries.
            match unsafe { one_message(g::__NR_sendmsg, fd, msgvec.add(done as usize), flags) } {
                Ok(()) => done += 1,
                Err(e) if done == 0 => return fail(errno, e as u32),
                Err(_) => break,
            }
        }
        done as isize
    }

    /// `sendmsg` or `recvmsg` (`nr`) of one `mmsghdr`, storing the count in
    /// its `msg_len`.
    ///
    /// # Safety
    /// `m` must point at a valid `mmsghdr` whose buffers the call may use.
    unsafe fn one_message(nr: u32, fd: c_int, m: *mut mmsghdr, flags: c_uint) -> Result<(), c_int> {
        // SAFETY: the caller vouches for the header and its buffers.
        unsafe {
            let n = sys!(nr, fd, &raw mut (*m).msg_hdr, flags)?;
            (*m).msg_len = n as c_uint;
        }
        Ok(())
    }

    /// `recvmmsg` before 2.6.33: `recvmsg` per message. `MSG_WAITFORONE`
    /// makes every message after the first non-blocking; the timeout, as in
    /// the kernel, is only checked after each message, against
    /// `CLOCK_MONOTONIC`.
    pub(crate) unsafe extern "C" fn recvmmsg(
        fd: c_int,
        msgvec: *mut mmsghdr,
        vlen: c_uint,
        flags: c_uint,
        timeout: *mut g::__kernel_timespec,
        errno: *mut c_int,
    ) -> isize {
        let deadline = if timeout.is_null() {
            None
        } else {
            // SAFETY: the caller vouches for a readable timespec.
            let t = unsafe { timeout.read() };
            if !valid_timeout(&t) {
                return fail(errno, EINVAL);
            }
            Some(monotonic_ns().saturating_add(t.tv_sec as u128 * 1_000_000_000 + t.tv_nsec as u128))
        };
        let mut done = 0;
        let mut call_flags = flags & !MSG_WAITFORONE;
        while done < vlen.min(1024) {
            // SAFETY: the caller vouches for vlen entries.
            match unsafe { one_message(g::__NR_recvmsg, fd, msgvec.add(done as usize), call_flags) } {
                Ok(()) => done += 1,
                Err(e) if done == 0 => return fail(errno, e as u32),
                Err(_) => break,
            }
            if flags & MSG_WAITFORONE != 0 {
                call_flags |= MSG_DONTWAIT;
            }
            if deadline.is_some_and(|d| monotonic_ns() >= d) {
                break;
            }
        }
        done as isize
    }
}

/// `socketcall` on i686.
#[cfg(target_arch = "x86")]
mod i686 {
    use super::*;
    use crate::layer::abi32::{narrow_timespec, widen_timespec};
    use core::ffi::c_void;
    use linux_raw_sys::net::{
        SYS_ACCEPT4, SYS_BIND, SYS_CONNECT, SYS_GETPEERNAME, SYS_GETSOCKNAME, SYS_GETSOCKOPT, SYS_LISTEN, SYS_RECVFROM,
        SYS_RECVMMSG, SYS_RECVMSG, SYS_SENDMMSG, SYS_SENDMSG, SYS_SENDTO, SYS_SETSOCKOPT, SYS_SHUTDOWN, SYS_SOCKET,
        SYS_SOCKETPAIR, msghdr, sockaddr, socklen_t,
    };

    /// `socketcall(call, args)`: the arguments as an array of words.
    fn socketcall(call: u32, args: &[usize]) -> Result<usize, c_int> {
        // SAFETY: args is readable for the words the call reads; the caller's
        // pointers inside it are the caller's promise.
        unsafe { sys!(g::__NR_socketcall, call, args.as_ptr()) }
    }

    /// Defines slots that reach the kernel before 4.3 as
    /// `socketcall(SYS_X, [args])`, their arguments unchanged.
    macro_rules! through_socketcall {
        ($($name:ident = $call:ident ($($arg:ident: $ty:ty),*);)*) => {$(
            #[doc = concat!("`", stringify!($name), "` before 4.3, through `socketcall(", stringify!($call), ")`.")]
            pub(crate) unsafe extern "C" fn $name($($arg: $ty,)* errno: *mut c_int) -> isize {
                ret_of(socketcall($call, &[$($arg as usize),*]), errno)
            }
        )*};
    }

    through_socketcall! {
        socket = SYS_SOCKET(domain: c_int, ty: c_int, protocol: c_int);
        socketpair = SYS_SOCKETPAIR(domain: c_int, ty: c_int, protocol: c_int, sv: *mut c_int);
        bind = SYS_BIND(fd: c_int, addr: *const sockaddr, len: socklen_t);
        listen = SYS_LISTEN(fd: c_int, backlog: c_int);
        connect = SYS_CONNECT(fd: c_int, addr: *const sockaddr, len: socklen_t);
        getsockname = SYS_GETSOCKNAME(fd: c_int, addr: *mut sockaddr, len: *mut socklen_t);
        getpeername = SYS_GETPEERNAME(fd: c_int, addr: *mut sockaddr, len: *mut socklen_t);
        sendto = SYS_SENDTO(fd: c_int, buf: *const c_void, len: usize, flags: c_int, addr: *const sockaddr,
                            addrlen: socklen_t);
        recvfrom = SYS_RECVFROM(fd: c_int, buf: *mut c_void, len: usize, flags: c_int, addr: *mut sockaddr,
                                addrlen: *mut socklen_t);
        sendmsg = SYS_SENDMSG(fd: c_int, msg: *const msghdr, flags: c_int);
        recvmsg = SYS_RECVMSG(fd: c_int, msg: *mut msghdr, flags: c_int);
        shutdown = SYS_SHUTDOWN(fd: c_int, how: c_int);
        setsockopt = SYS_SETSOCKOPT(fd: c_int, level: c_int, name: c_int, value: *const c_void, len: socklen_t);
        getsockopt = SYS_GETSOCKOPT(fd: c_int, level: c_int, name: c_int, value: *mut c_void, len: *mut socklen_t);
        accept4 = SYS_ACCEPT4(fd: c_int, addr: *mut sockaddr, len: *mut socklen_t, flags: c_int);
        sendmmsg = SYS_SENDMMSG(fd: c_int, msgvec: *mut mmsghdr, vlen: c_uint, flags: c_uint);
    }

    /// `recvmmsg` before 5.1, through `socketcall(SYS_RECVMMSG)` with the
    /// timeout in 32-bit time.
    pub(crate) unsafe extern "C" fn recvmmsg(
        fd: c_int,
        msgvec: *mut mmsghdr,
        vlen: c_uint,
        flags: c_uint,
        timeout: *mut g::__kernel_timespec,
        errno: *mut c_int,
    ) -> isize {
        let mut old = [0i32; 2];
        let old_ptr = if timeout.is_null() {
            core::ptr::null_mut()
        } else {
            // SAFETY: the caller vouches for a readable timespec.
            match narrow_timespec(unsafe { &*timeout }) {
                Ok(t) => old = t,
                Err(e) => return fail(errno, e as u32),
            }
            old.as_mut_ptr()
        };
        let r =
            socketcall(SYS_RECVMMSG, &[fd as usize, msgvec as usize, vlen as usize, flags as usize, old_ptr as usize]);
        if !timeout.is_null() && r.is_ok() {
            // SAFETY: as above; the kernel updated the remaining time.
            unsafe { timeout.write(widen_timespec(old)) };
        }
        ret_of(r, errno)
    }
}
