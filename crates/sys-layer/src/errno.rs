//! Error numbers.

use core::fmt;
use linux_raw_sys::errno as e;

/// An error number from the kernel (`EBADF`, `ENOENT`, ...).
///
/// `Display` gives the message text, `Debug` the symbolic name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(u16);

macro_rules! errnos {
    ($( $name:ident $msg:literal; )*) => {
        /// The numbers that have a name and message, in the order of
        /// [`MESSAGES`].
        const NUMBERS: &[u16] = &[$( e::$name as u16, )*];

        /// Every message, each ended by a NUL, in the order of
        /// [`NUMBERS`]: one string rather than a table of string
        /// references, so that a program that prints an error's message
        /// (as every program that writes to standard output may, at exit)
        /// carries 2 KiB of text and no table.
        const MESSAGES: &str = concat!($( $msg, "\0", )*);

        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`: ", $msg, ".")]
                pub const $name: Errno = Errno(e::$name as u16);
            )*

            /// The symbolic name (`"EBADF"`), if this is a known number.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 as u32 {
                    $( e::$name => Some(stringify!($name)), )*
                    _ => None,
                }
            }
        }
    };
}

impl Errno {
    /// The message text (`"Bad file descriptor"`), if known.
    pub fn message(self) -> Option<&'static str> {
        let index = NUMBERS.iter().position(|&n| n == self.0)?;
        let message = MESSAGES.as_bytes().split(|&b| b == 0).nth(index)?;
        // SAFETY: MESSAGES is a str, split at an ASCII byte: each part is
        // UTF-8.
        Some(unsafe { core::str::from_utf8_unchecked(message) })
    }
}

// Messages as the kernel's uapi errno headers describe each number, in the
// wording C libraries print.
errnos! {
    EPERM "Operation not permitted";
    ENOENT "No such file or directory";
    ESRCH "No such process";
    EINTR "Interrupted system call";
    EIO "Input/output error";
    ENXIO "No such device or address";
    E2BIG "Argument list too long";
    ENOEXEC "Exec format error";
    EBADF "Bad file descriptor";
    ECHILD "No child processes";
    EAGAIN "Resource temporarily unavailable";
    ENOMEM "Cannot allocate memory";
    EACCES "Permission denied";
    EFAULT "Bad address";
    ENOTBLK "Block device required";
    EBUSY "Device or resource busy";
    EEXIST "File exists";
    EXDEV "Invalid cross-device link";
    ENODEV "No such device";
    ENOTDIR "Not a directory";
    EISDIR "Is a directory";
    EINVAL "Invalid argument";
    ENFILE "Too many open files in system";
    EMFILE "Too many open files";
    ENOTTY "Inappropriate ioctl for device";
    ETXTBSY "Text file busy";
    EFBIG "File too large";
    ENOSPC "No space left on device";
    ESPIPE "Illegal seek";
    EROFS "Read-only file system";
    EMLINK "Too many links";
    EPIPE "Broken pipe";
    EDOM "Numerical argument out of domain";
    ERANGE "Numerical result out of range";
    EDEADLK "Resource deadlock avoided";
    ENAMETOOLONG "File name too long";
    ENOLCK "No locks available";
    ENOSYS "Function not implemented";
    ENOTEMPTY "Directory not empty";
    ELOOP "Too many levels of symbolic links";
    ENOMSG "No message of desired type";
    EIDRM "Identifier removed";
    ENOSTR "Device not a stream";
    ENODATA "No data available";
    ETIME "Timer expired";
    ENOSR "Out of streams resources";
    EREMOTE "Object is remote";
    ENOLINK "Link has been severed";
    EPROTO "Protocol error";
    EMULTIHOP "Multihop attempted";
    EBADMSG "Bad message";
    EOVERFLOW "Value too large for defined data type";
    EILSEQ "Invalid or incomplete multibyte or wide character";
    EUSERS "Too many users";
    ENOTSOCK "Socket operation on non-socket";
    EDESTADDRREQ "Destination address required";
    EMSGSIZE "Message too long";
    EPROTOTYPE "Protocol wrong type for socket";
    ENOPROTOOPT "Protocol not available";
    EPROTONOSUPPORT "Protocol not supported";
    ESOCKTNOSUPPORT "Socket type not supported";
    EOPNOTSUPP "Operation not supported";
    EPFNOSUPPORT "Protocol family not supported";
    EAFNOSUPPORT "Address family not supported by protocol";
    EADDRINUSE "Address already in use";
    EADDRNOTAVAIL "Cannot assign requested address";
    ENETDOWN "Network is down";
    ENETUNREACH "Network is unreachable";
    ENETRESET "Network dropped connection on reset";
    ECONNABORTED "Software caused connection abort";
    ECONNRESET "Connection reset by peer";
    ENOBUFS "No buffer space available";
    EISCONN "Transport endpoint is already connected";
    ENOTCONN "Transport endpoint is not connected";
    ESHUTDOWN "Cannot send after transport endpoint shutdown";
    ETOOMANYREFS "Too many references: cannot splice";
    ETIMEDOUT "Connection timed out";
    ECONNREFUSED "Connection refused";
    EHOSTDOWN "Host is down";
    EHOSTUNREACH "No route to host";
    EALREADY "Operation already in progress";
    EINPROGRESS "Operation now in progress";
    ESTALE "Stale file handle";
    EDQUOT "Disk quota exceeded";
    ECANCELED "Operation canceled";
    EOWNERDEAD "Owner died";
    ENOTRECOVERABLE "State not recoverable";
    ERFKILL "Operation not possible due to RF-kill";
    EHWPOISON "Memory page has hardware error";
}

impl Errno {
    /// `EWOULDBLOCK`, the same number as [`Errno::EAGAIN`].
    pub const EWOULDBLOCK: Errno = Errno::EAGAIN;

    /// The errno for a raw number; `from_raw(0)` and out-of-range numbers
    /// give `EIO`, since a failure must carry some error.
    pub const fn from_raw(raw: i32) -> Errno {
        if raw > 0 && raw < 4096 { Errno(raw as u16) } else { Errno::EIO }
    }

    /// The raw number.
    pub const fn raw(self) -> i32 {
        self.0 as i32
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(m) => f.write_str(m),
            None => write!(f, "Unknown error {}", self.0),
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

/// Turns a slot's return value into a `Result`: `-1` is failure, with the
/// error number the slot stored in `errno`.
#[inline(always)]
pub(crate) fn check(ret: isize, errno: i32) -> Result<usize, Errno> {
    if ret == -1 { Err(Errno::from_raw(errno)) } else { Ok(ret as usize) }
}

/// Calls a slot with a fresh local errno and returns its result as a
/// `Result`. The thread's errno is not touched.
#[inline(always)]
pub(crate) fn call_slot(f: impl FnOnce(*mut i32) -> isize) -> Result<usize, Errno> {
    let mut errno = 0;
    let ret = f(&mut errno);
    check(ret, errno)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    #[test]
    fn names_and_messages() {
        assert_eq!(format!("{:?}", Errno::EBADF), "EBADF");
        assert_eq!(format!("{}", Errno::EBADF), "Bad file descriptor");
        assert_eq!(format!("{}", Errno::from_raw(4000)), "Unknown error 4000");
        assert_eq!(format!("{:?}", Errno::from_raw(4000)), "Errno(4000)");
        assert_eq!(Errno::from_raw(0), Errno::EIO);
        assert_eq!(Errno::ENOENT.raw(), 2);
    }

    #[test]
    fn check_maps_minus_one_only() {
        assert_eq!(check(-1, 9), Err(Errno::EBADF));
        assert_eq!(check(5, 9), Ok(5));
        assert_eq!(call_slot(unsafe_free_fail), Err(Errno::ENOENT));
    }

    fn unsafe_free_fail(e: *mut i32) -> isize {
        // SAFETY: e points at call_slot's local.
        unsafe { *e = 2 };
        -1
    }
}
