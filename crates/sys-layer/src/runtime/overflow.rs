//! The stack-overflow report: a thread that runs its stack into the guard
//! below it gets `thread '<name>' has overflowed its stack` on standard
//! error, as Rust's std prints it, and the process aborts (`SIGABRT`),
//! instead of dying of a bare `SIGSEGV`.
//!
//! Start-up gives the main thread an alternate signal stack (in `.bss`:
//! no page is touched unless a handler runs) and installs the handler for
//! `SIGSEGV` and `SIGBUS`, three system calls; each spawned thread sets up
//! its own alternate stack, in its mapping. The handler decides whether the
//! fault is an overflow from the faulting address: a spawned thread's guard
//! page is known; the main thread's stack is found in `/proc/self/maps`
//! (the mapping that holds the start-up stack), and an address below it
//! within the kernel's stack guard gap (1 MiB, `stack_guard_gap`) counts.
//! Without `/proc`, a main-thread overflow stays a bare `SIGSEGV`. Any
//! other fault puts the default action back and returns, so the fault
//! repeats and the kernel ends the process as it would have.

use crate::signal;
use linux_raw_sys::general as g;

/// Bytes of every thread's alternate signal stack: room for the handler,
/// which reads `/proc/self/maps` in 1 KiB pieces, and the largest signal
/// frames (AVX-512, SVE).
pub(crate) const ALT_STACK_SIZE: usize = 32 * 1024;

/// The kernel's default gap below a growing stack (`stack_guard_gap`: 256
/// pages of 4 KiB).
const MAIN_GUARD_GAP: usize = 256 * 4096;

#[repr(C, align(16))]
struct AltStack([u8; ALT_STACK_SIZE]);

static mut MAIN_ALT_STACK: AltStack = AltStack([0; ALT_STACK_SIZE]);

/// Gives the main thread its alternate stack and installs the handler.
/// Failures leave faults to the kernel's default: nothing else depends on
/// it.
pub(crate) fn install() {
    let stack = (&raw mut MAIN_ALT_STACK).cast::<u8>();
    // SAFETY: the static is only ever the main thread's alternate stack,
    // for the whole process.
    if unsafe { signal::set_alternate_stack_raw(stack, ALT_STACK_SIZE) }.is_err() {
        return;
    }
    let _ = signal::set_runtime_handler(signal::SIGSEGV, on_fault);
    let _ = signal::set_runtime_handler(signal::SIGBUS, on_fault);
}

/// The handler: an overflow is reported and aborts; anything else goes
/// back to the default action.
unsafe extern "C" fn on_fault(sig: i32, info: *mut g::siginfo_t, _context: *mut core::ffi::c_void) {
    // SAFETY: the kernel's siginfo for this delivery.
    let addr = unsafe { &*info.cast::<signal::SigInfo>() }.fault_address();
    let mut name = [0u8; 16];
    let overflowed = match crate::thread::current_guard(&mut name) {
        Some((lo, hi)) => (lo..hi).contains(&addr),
        None => {
            name[..4].copy_from_slice(b"main");
            main_stack_start().is_some_and(|start| addr < start && start - addr <= MAIN_GUARD_GAP + 4096)
        }
    };
    if !overflowed {
        default_action(sig);
        return;
    }
    let len = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    let name = if len == 0 { &b"<unnamed>"[..] } else { &name[..len] };
    for part in
        [&b"\nthread '"[..], name, b"' has overflowed its stack\nfatal runtime error: stack overflow, aborting\n"]
    {
        crate::stdio::write_stderr(part);
    }
    abort();
}

/// Puts `sig`'s default action back (raw calls: the handler links as
/// little as it can).
fn default_action(sig: i32) {
    // SAFETY: all-zero is SIG_DFL with no flags and an empty mask.
    let default: g::kernel_sigaction = unsafe { core::mem::zeroed() };
    // SAFETY: a valid action; no old one asked for.
    let _ = unsafe { crate::raw::rt_sigaction(sig, &default, core::ptr::null_mut(), 8, &mut 0) };
}

/// Ends the process with `SIGABRT`, whatever its action was.
fn abort() -> ! {
    default_action(signal::SIGABRT as i32);
    let set = signal::SigSet::of(&[signal::SIGABRT]).0;
    // SAFETY: valid sets; IDs of this thread.
    unsafe {
        crate::raw::rt_sigprocmask(g::SIG_UNBLOCK as i32, &set, core::ptr::null_mut(), 8, &mut 0);
        let pid = crate::raw::getpid(&mut 0) as i32;
        let tid = crate::raw::gettid(&mut 0) as i32;
        crate::raw::tgkill(pid, tid, signal::SIGABRT as i32, &mut 0);
    }
    sys_layer_arch::exit_group(134)
}

/// The lowest address of the mapping that holds the start-up stack, from
/// `/proc/self/maps`.
fn main_stack_start() -> Option<usize> {
    main_stack_mapping().map(|(_, start, _)| start)
}

/// The mapping that holds the start-up stack, from `/proc/self/maps`: the
/// end of the mapping below it (0 if none), its start and its end.
pub(crate) fn main_stack_mapping() -> Option<(usize, usize, usize)> {
    let sp = crate::runtime::startup().stack.argv as usize;
    let path = c"/proc/self/maps".as_ptr();
    // SAFETY: a NUL-terminated path.
    let fd = unsafe { crate::raw::openat(g::AT_FDCWD, path, (g::O_RDONLY | g::O_CLOEXEC) as i32, 0, &mut 0) };
    if fd < 0 {
        return None;
    }
    let found = find_range_holding(sp, |buf| {
        // SAFETY: `buf` is writable for its length.
        unsafe { crate::raw::read(fd as i32, buf.as_mut_ptr().cast(), buf.len(), &mut 0) }
    });
    // SAFETY: our own descriptor, closed once.
    unsafe { crate::raw::close(fd as i32, &mut 0) };
    found
}

/// Reads `/proc/self/maps` text through `read` (bytes into its buffer, 0
/// at the end, negative on error) for the range holding `addr`: the end
/// of the range before it (0 if none), its start and its end. Lines are
/// parsed where they were read; only an unfinished last line moves to the
/// buffer's front before the next read.
fn find_range_holding(addr: usize, mut read: impl FnMut(&mut [u8]) -> isize) -> Option<(usize, usize, usize)> {
    let mut buf = [0u8; 1024];
    let mut finder = RangeFinder { addr, previous_end: 0 };
    // Bytes of an unfinished line kept at the front, and whether the
    // current line's range was already looked at (a line longer than the
    // buffer: a mapped file's long path).
    let (mut kept, mut seen) = (0, false);
    loop {
        let n = read(&mut buf[kept..]);
        if n <= 0 {
            return None;
        }
        let filled = kept + n as usize;
        let mut line_start = 0;
        while let Some(len) = buf[line_start..filled].iter().position(|&b| b == b'\n') {
            if !seen && let Some(found) = finder.line(&buf[line_start..line_start + len]) {
                return Some(found);
            }
            seen = false;
            line_start += len + 1;
        }
        if line_start == 0 && filled == buf.len() {
            if !seen && let Some(found) = finder.line(&buf) {
                return Some(found);
            }
            (kept, seen) = (0, true);
        } else {
            buf.copy_within(line_start..filled, 0);
            kept = filled - line_start;
        }
    }
}

/// Looks for the range holding `addr` line by line.
struct RangeFinder {
    addr: usize,
    /// The end of the last range seen.
    previous_end: usize,
}

impl RangeFinder {
    /// The answer of [`find_range_holding`] if `line` holds the address.
    fn line(&mut self, line: &[u8]) -> Option<(usize, usize, usize)> {
        let (start, end) = parse_range(line)?;
        if (start..end).contains(&self.addr) {
            return Some((self.previous_end, start, end));
        }
        self.previous_end = end;
        None
    }
}

/// The `start-end` range at the front of a `/proc/self/maps` line.
fn parse_range(line: &[u8]) -> Option<(usize, usize)> {
    let hex = |s: &[u8]| -> Option<usize> {
        let mut v: usize = 0;
        for &c in s {
            let d = (c as char).to_digit(16)? as usize;
            v = v.checked_mul(16)?.checked_add(d)?;
        }
        (!s.is_empty()).then_some(v)
    };
    let range = line.split(|&b| b == b' ').next()?;
    let mut parts = range.splitn(2, |&b| b == b'-');
    Some((hex(parts.next()?)?, hex(parts.next()?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_lines() {
        assert_eq!(
            parse_range(b"7ffd1000-7ffd3000 rw-p 00000000 00:00 0                          [stack]"),
            Some((0x7ffd1000, 0x7ffd3000))
        );
        assert_eq!(parse_range(b"zz-1 r"), None);
        assert_eq!(parse_range(b""), None);
    }

    /// `find_range_holding` over `text`, read 100 bytes at a time so that
    /// lines cross the reader's pieces.
    fn find_in(text: &[u8], addr: usize) -> Option<(usize, usize, usize)> {
        let mut rest = text;
        find_range_holding(addr, |buf| {
            let n = rest.len().min(buf.len()).min(100);
            buf[..n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            n as isize
        })
    }

    #[test]
    fn maps_text_read_in_pieces() {
        let mut text = Vec::new();
        text.extend_from_slice(b"00400000-00401000 r--p 00000000 08:01 123 /bin/x\n");
        // A line longer than the reader's buffer, as a long path makes.
        text.extend_from_slice(b"00500000-00600000 r--p 00000000 08:01 124 /");
        text.extend(std::iter::repeat_n(b'p', 3000));
        text.extend_from_slice(b"\n");
        for i in 0..40usize {
            let start = 0x7000_0000 + i * 0x10_0000;
            text.extend_from_slice(format!("{start:x}-{:x} rw-p 00000000 00:00 0\n", start + 0x1000).as_bytes());
        }
        text.extend_from_slice(b"7ffd1000-7ffd3000 rw-p 00000000 00:00 0                          [stack]\n");
        assert_eq!(find_in(&text, 0x7ffd2abc), Some((0x7000_0000 + 39 * 0x10_0000 + 0x1000, 0x7ffd1000, 0x7ffd3000)));
        assert_eq!(find_in(&text, 0x400000), Some((0, 0x400000, 0x401000)));
        assert_eq!(find_in(&text, 0x5fffff), Some((0x401000, 0x500000, 0x600000)));
        assert_eq!(
            find_in(&text, 0x7000_0000 + 5 * 0x10_0000),
            Some((
                0x7000_0000 + 4 * 0x10_0000 + 0x1000,
                0x7000_0000 + 5 * 0x10_0000,
                0x7000_0000 + 5 * 0x10_0000 + 0x1000
            ))
        );
        // Not mapped, or past the end.
        assert_eq!(find_in(&text, 0x450000), None);
        assert_eq!(find_in(&text, 0xffff_0000), None);
    }
}
