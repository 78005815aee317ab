//! Memory mappings.

use crate::errno::{Errno, call_slot};
use crate::fd::{AsFd, AsRawFd};
use crate::raw as call;
use core::ffi::{c_int, c_void};
use linux_raw_sys::general as g;

bitflags::bitflags! {
    /// Page protection (`PROT_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Prot: u32 {
        /// Readable.
        const READ = g::PROT_READ;
        /// Writable.
        const WRITE = g::PROT_WRITE;
        /// Executable.
        const EXEC = g::PROT_EXEC;
    }
}

bitflags::bitflags! {
    /// Mapping flags (`MAP_*`); one of `SHARED` or `PRIVATE` is required.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct MapFlags: u32 {
        /// Changes are shared (and written back to a file).
        const SHARED = g::MAP_SHARED;
        /// Changes are private to this process.
        const PRIVATE = g::MAP_PRIVATE;
        /// Not backed by a file.
        const ANONYMOUS = g::MAP_ANONYMOUS;
        /// Exactly at the hint address (replacing what is there).
        const FIXED = g::MAP_FIXED;
        /// Exactly at the hint address, failing if it is taken.
        const FIXED_NOREPLACE = g::MAP_FIXED_NOREPLACE;
        /// Fault the pages in now.
        const POPULATE = g::MAP_POPULATE;
        /// Do not reserve swap.
        const NORESERVE = g::MAP_NORESERVE;
        /// A thread stack (no transparent huge pages for it).
        const STACK = g::MAP_STACK;
    }
}

/// Maps `len` bytes of `fd` at `offset` (`None`: anonymous memory).
/// Returns the address.
///
/// `mmap(2)`: <https://man7.org/linux/man-pages/man2/mmap.2.html>
///
/// # Safety
/// With `MAP_FIXED` the mapping replaces whatever was there; a shared
/// file mapping changes under the program when the file changes.
pub unsafe fn mmap(
    hint: *mut c_void,
    len: usize,
    prot: Prot,
    flags: MapFlags,
    fd: Option<&dyn AsFd>,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    let fd = fd.map_or(-1, |f| f.as_fd().as_raw_fd());
    // SAFETY: the caller vouches for the request.
    call_slot(|e| unsafe { call::mmap(hint, len, prot.bits() as c_int, flags.bits() as c_int, fd, offset as i64, e) })
        .map(|a| a as *mut c_void)
}

/// Unmaps `len` bytes at `addr`.
///
/// `munmap(2)`: <https://man7.org/linux/man-pages/man2/munmap.2.html>
///
/// # Safety
/// Nothing may use the range afterwards.
pub unsafe fn munmap(addr: *mut c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller gives up the range.
    call_slot(|e| unsafe { call::munmap(addr, len, e) }).map(drop)
}

/// Changes the protection of `len` bytes at `addr`.
///
/// `mprotect(2)`: <https://man7.org/linux/man-pages/man2/mprotect.2.html>
///
/// # Safety
/// Code that reads, writes or runs the range must agree with the new
/// protection.
pub unsafe fn mprotect(addr: *mut c_void, len: usize, prot: Prot) -> Result<(), Errno> {
    // SAFETY: the caller vouches for the range's users.
    call_slot(|e| unsafe { call::mprotect(addr, len, prot.bits() as c_int, e) }).map(drop)
}

/// Advice on how the range will be used (`MADV_*`).
///
/// `madvise(2)`: <https://man7.org/linux/man-pages/man2/madvise.2.html>
///
/// # Safety
/// Some advice (`MADV_DONTNEED`, `MADV_FREE`) discards contents.
pub unsafe fn madvise(addr: *mut c_void, len: usize, advice: u32) -> Result<(), Errno> {
    // SAFETY: the caller vouches for what the advice does to the range.
    call_slot(|e| unsafe { call::madvise(addr, len, advice as c_int, e) }).map(drop)
}

/// Grows or shrinks a mapping, moving it if `may_move`; the new address.
///
/// `mremap(2)`: <https://man7.org/linux/man-pages/man2/mremap.2.html>
///
/// # Safety
/// If it moves, pointers into the old range dangle.
pub unsafe fn mremap(addr: *mut c_void, old_len: usize, new_len: usize, may_move: bool) -> Result<*mut c_void, Errno> {
    let flags = if may_move { g::MREMAP_MAYMOVE } else { 0 };
    // SAFETY: the caller vouches for the range's users.
    call_slot(|e| unsafe { call::mremap(addr, old_len, new_len, flags as c_int, core::ptr::null_mut(), e) })
        .map(|a| a as *mut c_void)
}

/// Writes a shared file mapping back (`MS_SYNC`, `MS_ASYNC`, `MS_INVALIDATE`).
///
/// `msync(2)`: <https://man7.org/linux/man-pages/man2/msync.2.html>
#[allow(clippy::not_unsafe_ptr_arg_deref)] // the kernel checks the range; nothing dereferences it
pub fn msync(addr: *mut c_void, len: usize, flags: u32) -> Result<(), Errno> {
    // SAFETY: msync reads the range's page tables, not its bytes.
    call_slot(|e| unsafe { call::msync(addr, len, flags as c_int, e) }).map(drop)
}

/// Locks `len` bytes at `addr` in RAM.
///
/// `mlock(2)`: <https://man7.org/linux/man-pages/man2/mlock.2.html>
#[allow(clippy::not_unsafe_ptr_arg_deref)] // the kernel checks the range; nothing dereferences it
pub fn mlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: locking changes no contents.
    call_slot(|e| unsafe { call::mlock(addr, len, e) }).map(drop)
}

/// Unlocks `len` bytes at `addr`.
///
/// `munlock(2)`: <https://man7.org/linux/man-pages/man2/munlock.2.html>
#[allow(clippy::not_unsafe_ptr_arg_deref)] // the kernel checks the range; nothing dereferences it
pub fn munlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: unlocking changes no contents.
    call_slot(|e| unsafe { call::munlock(addr, len, e) }).map(drop)
}
