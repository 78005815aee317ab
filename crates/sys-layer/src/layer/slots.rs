//! One module per slot, generated from the slot list: the system call
//! itself (`direct`), the record that tells the binder what to bind, and
//! `call`, the typed call through the table that `raw::*` re-exports.

use super::direct::{Word, finish, raw_syscall};
use super::era::{self, FallbackState};
use super::vdso::{VdsoBinding, vdso_of};
use super::{ErasedFn, SlotImpl, fallback};
use crate::kernel::KernelVersion;
use core::ffi::c_int;
use sys_layer_stubs::slot;

/// System-call numbers of the slots, by slot name, on this architecture.
#[allow(non_upper_case_globals)]
mod nr {
    pub use linux_raw_sys::general::{
        __NR_accept4 as accept4, __NR_chdir as chdir, __NR_clone3 as clone3, __NR_close as close,
        __NR_close_range as close_range, __NR_copy_file_range as copy_file_range, __NR_dup as dup, __NR_dup3 as dup3,
        __NR_epoll_pwait2 as epoll_pwait2, __NR_execveat as execveat, __NR_exit_group as exit_group,
        __NR_faccessat2 as faccessat2, __NR_fchdir as fchdir, __NR_fchmod as fchmod, __NR_fchmodat as fchmodat,
        __NR_fchownat as fchownat, __NR_fdatasync as fdatasync, __NR_fsync as fsync, __NR_getcpu as getcpu,
        __NR_getcwd as getcwd, __NR_getdents64 as getdents64, __NR_getpid as getpid, __NR_getppid as getppid,
        __NR_getrandom as getrandom, __NR_gettid as gettid, __NR_ioctl as ioctl, __NR_linkat as linkat,
        __NR_madvise as madvise, __NR_membarrier as membarrier, __NR_memfd_create as memfd_create,
        __NR_mkdirat as mkdirat, __NR_mlock as mlock, __NR_mlock2 as mlock2, __NR_mprotect as mprotect,
        __NR_mremap as mremap, __NR_msync as msync, __NR_munlock as munlock, __NR_munmap as munmap,
        __NR_openat as openat, __NR_openat2 as openat2, __NR_pidfd_open as pidfd_open, __NR_pipe2 as pipe2,
        __NR_preadv2 as preadv2, __NR_prlimit64 as prlimit64, __NR_pwritev2 as pwritev2, __NR_read as read,
        __NR_readlinkat as readlinkat, __NR_readv as readv, __NR_renameat2 as renameat2, __NR_sendmmsg as sendmmsg,
        __NR_statx as statx, __NR_symlinkat as symlinkat, __NR_umask as umask, __NR_uname as uname,
        __NR_unlinkat as unlinkat, __NR_write as write, __NR_writev as writev,
    };
    // The 64-bit time and offset forms, and 32-bit IDs: on i686 these are
    // other calls.
    #[cfg(target_arch = "x86")]
    pub use linux_raw_sys::general::{
        __NR__llseek as lseek, __NR_clock_getres_time64 as clock_getres, __NR_clock_gettime64 as clock_gettime,
        __NR_clock_nanosleep_time64 as clock_nanosleep, __NR_fallocate as fallocate, __NR_fcntl64 as fcntl,
        __NR_ftruncate64 as ftruncate, __NR_getegid32 as getegid, __NR_geteuid32 as geteuid, __NR_getgid32 as getgid,
        __NR_getuid32 as getuid, __NR_mmap2 as mmap, __NR_pread64 as pread64, __NR_pwrite64 as pwrite64,
        __NR_recvmmsg_time64 as recvmmsg, __NR_utimensat_time64 as utimensat,
    };
    #[cfg(not(target_arch = "x86"))]
    pub use linux_raw_sys::general::{
        __NR_clock_getres as clock_getres, __NR_clock_gettime as clock_gettime,
        __NR_clock_nanosleep as clock_nanosleep, __NR_fallocate as fallocate, __NR_fcntl as fcntl,
        __NR_ftruncate as ftruncate, __NR_getegid as getegid, __NR_geteuid as geteuid, __NR_getgid as getgid,
        __NR_getuid as getuid, __NR_lseek as lseek, __NR_mmap as mmap, __NR_pread64 as pread64,
        __NR_pwrite64 as pwrite64, __NR_recvmmsg as recvmmsg, __NR_utimensat as utimensat,
    };
}

/// Slots whose system call takes other argument words than the slot.
mod special {
    use super::super::compat::offset_words;
    use super::super::direct::{Word, finish, raw_syscall};
    use super::nr;
    use core::ffi::{c_int, c_void};
    use linux_raw_sys::errno::EINVAL;

    /// `lseek`; on i686 `_llseek`, which takes the offset in two words and
    /// stores the result.
    pub unsafe fn lseek(fd: c_int, offset: i64, whence: c_int, errno: *mut c_int) -> isize {
        #[cfg(target_pointer_width = "64")]
        // SAFETY: no pointers.
        return finish(unsafe { raw_syscall!(nr::lseek, fd.word(), offset.word(), whence.word()) }, errno);
        #[cfg(target_arch = "x86")]
        {
            let (lo, hi) = offset_words(offset);
            let mut result: i64 = 0;
            // SAFETY: result is writable.
            let r = unsafe { raw_syscall!(nr::lseek, fd.word(), hi, lo, (&raw mut result).word(), whence.word()) };
            // The result may not fit the return type on 32-bit.
            if finish(r, errno) == -1 { -1 } else { result as isize }
        }
    }

    /// `mmap`; on i686 `mmap2`, which takes the offset in pages.
    pub unsafe fn mmap(
        addr: *mut c_void,
        len: usize,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        offset: i64,
        errno: *mut c_int,
    ) -> isize {
        #[cfg(target_pointer_width = "64")]
        // SAFETY: the caller vouches for the mapping request.
        return finish(
            unsafe { raw_syscall!(nr::mmap, addr.word(), len, prot.word(), flags.word(), fd.word(), offset.word()) },
            errno,
        );
        #[cfg(target_arch = "x86")]
        {
            if offset & 4095 != 0 || offset < 0 || (offset >> 12) > u32::MAX as i64 {
                return finish(-(EINVAL as isize) as usize, errno);
            }
            let pages = (offset >> 12) as usize;
            // SAFETY: the caller vouches for the mapping request.
            finish(
                unsafe { raw_syscall!(nr::mmap, addr.word(), len, prot.word(), flags.word(), fd.word(), pages) },
                errno,
            )
        }
    }

    /// A call whose 64-bit argument at `at` is one word on 64-bit targets and
    /// two (low, high) on i686: `pread64`, `pwrite64`, `ftruncate64`.
    pub unsafe fn offset_call(nr: u32, words: &[usize], offset: i64, errno: *mut c_int) -> isize {
        let (lo, hi) = offset_words(offset);
        let w = |i: usize| words.get(i).copied().unwrap_or(0);
        let r = match words.len() {
            // ftruncate(fd, length)
            // SAFETY: the caller vouches for the arguments.
            1 => unsafe {
                if cfg!(target_pointer_width = "64") {
                    raw_syscall!(nr, w(0), lo)
                } else {
                    raw_syscall!(nr, w(0), lo, hi)
                }
            },
            // pread64/pwrite64(fd, buf, count, offset); i386 takes (lo, hi).
            // SAFETY: as above.
            _ => unsafe {
                if cfg!(target_pointer_width = "64") {
                    raw_syscall!(nr, w(0), w(1), w(2), lo)
                } else {
                    raw_syscall!(nr, w(0), w(1), w(2), lo, hi)
                }
            },
        };
        finish(r, errno)
    }

    /// `fallocate(fd, mode, offset, len)`: two 64-bit arguments.
    pub unsafe fn fallocate(fd: c_int, mode: c_int, offset: i64, len: i64, errno: *mut c_int) -> isize {
        let ((ol, oh), (ll, lh)) = (offset_words(offset), offset_words(len));
        // SAFETY: no pointers.
        let r = unsafe {
            if cfg!(target_pointer_width = "64") {
                raw_syscall!(nr::fallocate, fd.word(), mode.word(), ol, ll)
            } else {
                raw_syscall!(nr::fallocate, fd.word(), mode.word(), ol, oh, ll, lh)
            }
        };
        finish(r, errno)
    }

    /// `preadv2`/`pwritev2`: the offset as (low, high) words.
    pub unsafe fn vectored(
        nr: u32,
        fd: c_int,
        iov: *const c_void,
        cnt: c_int,
        offset: i64,
        flags: c_int,
        errno: *mut c_int,
    ) -> isize {
        let (lo, hi) = offset_words(offset);
        // SAFETY: the caller vouches for the vector.
        finish(unsafe { raw_syscall!(nr, fd.word(), iov.word(), cnt.word(), lo, hi, flags.word()) }, errno)
    }

    /// `time`: `time(2)` where it exists (x86), else the seconds of
    /// `CLOCK_REALTIME`; 64-bit either way.
    pub unsafe fn time(tloc: *mut i64, errno: *mut c_int) -> isize {
        #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
        // SAFETY: no pointer is passed; the result is stored below.
        let r = unsafe { raw_syscall!(linux_raw_sys::general::__NR_time, 0) };
        #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
        let r = {
            let mut ts = linux_raw_sys::general::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
            // SAFETY: ts is writable.
            let r = unsafe {
                raw_syscall!(nr::clock_gettime, linux_raw_sys::general::CLOCK_REALTIME as usize, (&raw mut ts).word())
            };
            if super::super::direct::is_error(r) { r } else { ts.tv_sec as usize }
        };
        let ret = finish(r, errno);
        // i686's time(2) answers 32-bit seconds (until 2038).
        let seconds = if cfg!(target_pointer_width = "32") { ret as u32 as i64 } else { ret as i64 };
        if ret != -1 && !tloc.is_null() {
            // SAFETY: the caller vouches that a non-null tloc is writable.
            unsafe { tloc.write(seconds) };
        }
        ret
    }

    /// `gettimeofday` into a 64-bit `timeval`; on i686 the 32-bit call,
    /// widened (so until 2038).
    pub unsafe fn gettimeofday(
        tv: *mut sys_layer_stubs::ty::timeval64,
        tz: *mut linux_raw_sys::general::timezone,
        errno: *mut c_int,
    ) -> isize {
        #[cfg(target_pointer_width = "64")]
        // SAFETY: timeval64 has the kernel's 64-bit timeval layout.
        return finish(unsafe { raw_syscall!(linux_raw_sys::general::__NR_gettimeofday, tv.word(), tz.word()) }, errno);
        #[cfg(target_arch = "x86")]
        {
            let mut old = [0i32; 2];
            // SAFETY: old is one 32-bit timeval; tz is the caller's.
            let r = finish(
                unsafe { raw_syscall!(linux_raw_sys::general::__NR_gettimeofday, old.as_mut_ptr().word(), tz.word()) },
                errno,
            );
            if r == 0 && !tv.is_null() {
                // SAFETY: the caller vouches that a non-null tv is writable.
                unsafe { tv.write(sys_layer_stubs::ty::timeval64 { tv_sec: old[0] as i64, tv_usec: old[1] as i64 }) };
            }
            r
        }
    }

    /// `clone3`, fork-like only: a child that starts on another stack cannot
    /// return through this function.
    pub unsafe fn clone3(args: *mut linux_raw_sys::general::clone_args, size: usize, errno: *mut c_int) -> isize {
        // SAFETY: the caller vouches that args is readable for size bytes.
        if size >= 48 && !args.is_null() && unsafe { (*args).stack } != 0 {
            return finish(-(EINVAL as isize) as usize, errno);
        }
        // SAFETY: fork-like: the child returns here on a copy of this stack.
        finish(unsafe { raw_syscall!(nr::clone3, args.word(), size) }, errno)
    }
}

/// The body of a slot's `direct`: the system call with the slot's
/// arguments, except where the kernel's argument words differ.
macro_rules! direct_body {
    (lseek, $errno:ident, $fd:ident, $off:ident, $whence:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::lseek($fd, $off, $whence, $errno) }
    };
    (mmap, $errno:ident, $a:ident, $l:ident, $p:ident, $f:ident, $fd:ident, $o:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::mmap($a, $l, $p, $f, $fd, $o, $errno) }
    };
    (preadv2, $errno:ident, $fd:ident, $iov:ident, $cnt:ident, $off:ident, $flags:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::vectored(nr::preadv2, $fd, $iov.cast(), $cnt, $off, $flags, $errno) }
    };
    (pwritev2, $errno:ident, $fd:ident, $iov:ident, $cnt:ident, $off:ident, $flags:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::vectored(nr::pwritev2, $fd, $iov.cast(), $cnt, $off, $flags, $errno) }
    };
    (pread64, $errno:ident, $fd:ident, $buf:ident, $count:ident, $off:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::offset_call(nr::pread64, &[$fd.word(), $buf.word(), $count], $off, $errno) }
    };
    (pwrite64, $errno:ident, $fd:ident, $buf:ident, $count:ident, $off:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::offset_call(nr::pwrite64, &[$fd.word(), $buf.word(), $count], $off, $errno) }
    };
    (ftruncate, $errno:ident, $fd:ident, $len:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::offset_call(nr::ftruncate, &[$fd.word()], $len, $errno) }
    };
    (fallocate, $errno:ident, $fd:ident, $mode:ident, $off:ident, $len:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::fallocate($fd, $mode, $off, $len, $errno) }
    };
    (time, $errno:ident, $tloc:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::time($tloc, $errno) }
    };
    (gettimeofday, $errno:ident, $tv:ident, $tz:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::gettimeofday($tv, $tz, $errno) }
    };
    (clone3, $errno:ident, $args:ident, $size:ident) => {
        // SAFETY: the caller vouches for the arguments.
        unsafe { special::clone3($args, $size, $errno) }
    };
    ($name:ident, $errno:ident $(, $arg:ident)*) => {
        // SAFETY: the caller vouches for the arguments, which go to the
        // kernel unchanged.
        finish(unsafe { raw_syscall!(nr::$name $(, $arg.word())*) }, $errno)
    };
}

/// The fallback of each slot that has one (see `fallback.rs`).
macro_rules! fallback_of {
    (getrandom) => {
        Some(fallback::getrandom)
    };
    (statx) => {
        Some(fallback::statx)
    };
    (openat2) => {
        Some(fallback::openat2)
    };
    (renameat2) => {
        Some(fallback::renameat2)
    };
    (faccessat2) => {
        Some(fallback::faccessat2)
    };
    (close_range) => {
        Some(fallback::close_range)
    };
    (copy_file_range) => {
        Some(fallback::copy_file_range)
    };
    (preadv2) => {
        Some(fallback::preadv2)
    };
    (pwritev2) => {
        Some(fallback::pwritev2)
    };
    (execveat) => {
        Some(fallback::execveat)
    };
    (mlock2) => {
        Some(fallback::mlock2)
    };
    (epoll_pwait2) => {
        Some(fallback::epoll_pwait2)
    };
    (prlimit64) => {
        Some(fallback::prlimit64)
    };
    (sendmmsg) => {
        fallback::SENDMMSG
    };
    (recvmmsg) => {
        fallback::RECVMMSG
    };
    (accept4) => {
        fallback::ACCEPT4
    };
    (clock_gettime) => {
        fallback::CLOCK_GETTIME
    };
    (clock_getres) => {
        fallback::CLOCK_GETRES
    };
    (clock_nanosleep) => {
        fallback::CLOCK_NANOSLEEP
    };
    (utimensat) => {
        fallback::UTIMENSAT
    };
    ($other:ident) => {
        None
    };
}

macro_rules! generate_slots {
    ($( $(#[$doc:meta])* $abi:literal $name:ident ( $($arg:ident : $ty:ty),* $(,)? ); )*) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` slot.")]
            pub mod $name {
                use super::*;

                /// The slot's signature.
                pub type Fn = unsafe extern "C" fn($($ty,)* *mut c_int) -> isize;

                /// The first kernel with this system call on this architecture.
                pub const INTRO: KernelVersion = era::first_kernel(stringify!($name));

                const FALLBACK: Option<Fn> = fallback_of!($name);

                const VDSO: Option<&'static VdsoBinding> = vdso_of!($name);

                const fn erase(f: Fn) -> ErasedFn {
                    // SAFETY: only the type is forgotten; the binder stores the
                    // address and callers call it with the slot's signature.
                    unsafe { core::mem::transmute::<Fn, ErasedFn>(f) }
                }

                $(#[$doc])*
                ///
                /// This is the system call itself, with no fallback.
                ///
                /// # Safety
                /// As for the slot: valid arguments and a writable `errno`.
                pub unsafe extern "C" fn direct($($arg: $ty,)* errno: *mut c_int) -> isize {
                    direct_body!($name, errno $(, $arg)*)
                }

                /// From [`INTRO`] on: the system call, falling back where the
                /// kernel refuses it.
                unsafe extern "C" fn era_impl($($arg: $ty,)* errno: *mut c_int) -> isize {
                    static STATE: FallbackState = FallbackState::new();
                    match FALLBACK {
                        // SAFETY: the caller's contract is direct's.
                        None => unsafe { direct($($arg,)* errno) },
                        // SAFETY: errno is the caller's; both functions keep
                        // the convention.
                        Some(fallback) => unsafe {
                            era::with_fallback(
                                &STATE,
                                errno,
                                |e| direct($($arg,)* e),
                                |e| fallback($($arg,)* e),
                            )
                        },
                    }
                }

                /// What the binder binds for this slot.
                #[unsafe(link_section = "sys_layer_impls")]
                pub static RECORD: SlotImpl = SlotImpl::select(
                    slot::$name,
                    INTRO,
                    erase(direct),
                    match FALLBACK { Some(f) => Some(erase(f)), None => None },
                    erase(era_impl),
                    VDSO,
                );

                $(#[$doc])*
                ///
                /// Calls through the program's bound table, with an explicit
                /// `errno` pointer: `-1` and `*errno` set on failure.
                ///
                /// # Safety
                /// The arguments must be valid for the system call and `errno`
                /// writable.
                #[inline(always)]
                pub unsafe fn call($($arg: $ty,)* errno: *mut c_int) -> isize {
                    sys_layer_arch::keep_linked!(RECORD);
                    // SAFETY: the caller vouches for the arguments; the table
                    // is bound before main.
                    unsafe { sys_layer_stubs::call::$name($($arg,)* errno) }
                }
            }
        )*

        /// The errno-pointer API: every slot, through the bound table.
        pub mod raw_calls {
            $( pub use super::$name::call as $name; )*
        }

        /// With the `all-slots` feature, every record stays linked.
        #[cfg(feature = "all-slots")]
        #[used]
        static ALL_SLOTS: [&SlotImpl; sys_layer_stubs::SLOT_COUNT] = [$( &$name::RECORD, )*];
    };
}

sys_layer_stubs::for_each_slot!(generate_slots);
