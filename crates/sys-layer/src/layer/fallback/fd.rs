//! Descriptors: `close_range` before 5.9.

use super::close_quietly;
use crate::layer::abi32;
use crate::layer::direct::fail;
use core::ffi::c_int;
use core::ffi::c_uint;
use linux_raw_sys::errno::EINVAL;
use linux_raw_sys::general as g;
use sys_layer_arch::sys;

// -------------------------------------------------------------- close_range

const CLOSE_RANGE_UNSHARE: c_uint = 1 << 1;
const CLOSE_RANGE_CLOEXEC: c_uint = 1 << 2;

/// `close_range` before 5.9: closes (or, with `CLOSE_RANGE_CLOEXEC`, marks
/// close-on-exec) each open descriptor in the range, found by listing
/// `/proc/self/fd`, or without `/proc` by trying every number up to the
/// `RLIMIT_NOFILE` soft limit. `CLOSE_RANGE_UNSHARE` unshares the table
/// first. Not atomic: a descriptor another thread opens meanwhile may be
/// missed.
pub(crate) unsafe extern "C" fn close_range(first: c_uint, last: c_uint, flags: c_uint, errno: *mut c_int) -> isize {
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return fail(errno, EINVAL);
    }
    if flags & CLOSE_RANGE_UNSHARE != 0 {
        // SAFETY: unshare of the descriptor table touches no memory.
        if let Err(e) = unsafe { sys!(g::__NR_unshare, g::CLONE_FILES) } {
            return fail(errno, e as u32);
        }
    }
    let act = |fd: u32| {
        if flags & CLOSE_RANGE_CLOEXEC != 0 {
            // SAFETY: descriptor flags only; EBADF for a closed one is fine.
            let _ = unsafe { sys!(g::__NR_fcntl, fd, g::F_SETFD, g::FD_CLOEXEC) };
        } else {
            // SAFETY: closing a descriptor the caller asked to close.
            let _ = unsafe { sys!(g::__NR_close, fd) };
        }
    };
    if for_each_open_fd(first, last, act).is_err() {
        let top = abi32::getrlimit(g::RLIMIT_NOFILE).map_or(1024, |(cur, _)| cur.min(u32::MAX as u64) as u32);
        let mut fd = first;
        while fd <= last && fd < top {
            act(fd);
            fd += 1;
        }
    }
    0
}

/// Calls `act` on each open descriptor in `first..=last`, listed from
/// `/proc/self/fd`. `Err` if the listing cannot be read.
///
/// Each pass lists the directory and keeps the smallest 64 numbers at or
/// above `lo`; acting on them after the pass (closing while listing would
/// change the listing under the reader), then going on above the largest.
fn for_each_open_fd(first: u32, last: u32, mut act: impl FnMut(u32)) -> Result<(), c_int> {
    // SAFETY: a NUL-terminated path; closed below.
    let dir = unsafe {
        sys!(g::__NR_openat, g::AT_FDCWD, c"/proc/self/fd".as_ptr(), g::O_RDONLY | g::O_DIRECTORY | g::O_CLOEXEC, 0u32)
    }?;
    let mut lo = first;
    let result = loop {
        let mut kept = [0u32; 64];
        let mut count = 0;
        let mut more = false;
        let pass = list_fds(dir, |fd| {
            if fd < lo || fd > last || fd == dir as u32 {
                return;
            }
            if count < kept.len() {
                kept[count] = fd;
                count += 1;
                return;
            }
            more = true;
            let (at, &max) = kept.iter().enumerate().max_by_key(|&(_, v)| *v).unwrap_or((0, &0));
            if fd < max {
                kept[at] = fd;
            }
        });
        if let Err(e) = pass {
            break Err(e);
        }
        for &fd in &kept[..count] {
            act(fd);
        }
        let top = kept[..count].iter().copied().max().unwrap_or(last);
        if !more || top >= last {
            break Ok(());
        }
        lo = top + 1;
    };
    close_quietly(dir);
    result
}

/// Reads the whole of the directory `dir` (from its start) and calls `each`
/// with every entry name that is a descriptor number.
fn list_fds(dir: usize, mut each: impl FnMut(u32)) -> Result<(), c_int> {
    // SAFETY: rewinds our own directory descriptor.
    unsafe { sys!(g::__NR_lseek, dir, 0usize, g::SEEK_SET) }?;
    let mut buf = [0u64; 256];
    loop {
        // SAFETY: buf is writable for its length; dir is ours.
        let n = unsafe { sys!(g::__NR_getdents64, dir, buf.as_mut_ptr(), core::mem::size_of_val(&buf)) }?;
        if n == 0 {
            return Ok(());
        }
        // SAFETY: the kernel wrote n bytes; u64s are plain bytes.
        let bytes = unsafe { core::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n.min(size_of_val(&buf))) };
        for record in crate::dirent::records(bytes) {
            let record = record.map_err(|_| linux_raw_sys::errno::EIO as c_int)?;
            if let Some(fd) = parse_fd(record.name.to_bytes()) {
                each(fd);
            }
        }
    }
}

fn parse_fd(name: &[u8]) -> Option<u32> {
    if name.is_empty() || name.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in name {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (b - b'0') as u64;
    }
    u32::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_names() {
        assert_eq!(parse_fd(b"0"), Some(0));
        assert_eq!(parse_fd(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_fd(b"4294967296"), None);
        assert_eq!(parse_fd(b"."), None);
        assert_eq!(parse_fd(b""), None);
    }
}
