//! Standard output and error, and the `print!` family.
//!
//! Standard output is buffered: line by line on a terminal, in blocks
//! otherwise (checked lazily, on the first print, so start-up makes no
//! system call for it). The buffer is written out when it fills, by
//! [`flush_stdout`] and [`flush`], at exit, and before a panic message.
//! Standard error is not buffered beyond one `eprint!` call, which it
//! writes in as few system calls as fit a small stack buffer.
//!
//! # Write errors of standard output
//!
//! No write error of standard output is lost. `print!` and
//! [`write_stdout`] do not fail (a full disk is no reason to crash in the
//! middle of a line); a failed write drops the bytes it held, as C's stdio
//! does, and the first failure is kept. It then reaches the program or the
//! user, never neither:
//!
//! - [`flush`] returns it: the program has it and reports it itself; exit
//!   does not report it again;
//! - otherwise [`crate::process::exit`] (and so returning from `main`)
//!   reports it, as GNU programs do through `close_stdout`: it writes what
//!   the buffer holds, then prints `<program>: write error: <message>` on
//!   standard error, the message being that of the last write if it failed,
//!   or just `<program>: write error` if only an earlier write failed; and
//!   the exit status becomes 1 (or what [`set_write_error_status`] chose)
//!   if it was 0. A non-zero status the program chose is kept. `<program>`
//!   is the last component of `argv[0]`.
//!
//! Write errors of standard error are ignored: there is nowhere left to
//! report them.

use crate::errno::Errno;
use crate::fd::STDOUT;
use crate::io::{SlotWrite, table_write, write_all_raw};
use crate::sync::Mutex;
use core::ffi::c_int;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};

const STDOUT_CAPACITY: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Buffering {
    NotYetKnown,
    Line,
    Block,
}

struct StdoutBuffer {
    buf: [u8; STDOUT_CAPACITY],
    len: usize,
    mode: Buffering,
    /// The first write failure that [`flush`] has not returned yet.
    unreported_error: Option<Errno>,
}

static STDOUT_BUFFER: Mutex<StdoutBuffer> = Mutex::new(StdoutBuffer {
    buf: [0; STDOUT_CAPACITY],
    len: 0,
    mode: Buffering::NotYetKnown,
    unreported_error: None,
});

/// Whether anything was ever pushed into the buffer: until then it holds
/// no bytes and no error, and exit need not take its lock (a write to a
/// page nothing else touched, so a page fault in a program that never
/// prints through the buffer).
#[unsafe(link_section = sys_layer_arch::hot_section!())]
static STDOUT_USED: AtomicBool = AtomicBool::new(false);

/// Writes out standard output's buffer and holds it across a `fork` (see
/// `alloc::hold_for_fork`), so that the child does not write the parent's
/// buffered bytes a second time. A write error is kept, as for any flush.
pub(crate) fn hold_for_fork() -> impl Sized {
    let mut buffer = STDOUT_BUFFER.lock();
    let _ = buffer.flush();
    buffer
}

impl StdoutBuffer {
    /// Writes out what the buffer holds. On failure the bytes are dropped
    /// (as C's stdio drops them) and the failure is kept.
    fn flush(&mut self) -> Result<(), Errno> {
        if self.len == 0 {
            return Ok(());
        }
        let written = write_all_raw(table_write, 1, &self.buf[..self.len]);
        self.len = 0;
        self.keep_failure(written)
    }

    fn keep_failure(&mut self, written: Result<(), Errno>) -> Result<(), Errno> {
        if let Err(e) = written {
            self.unreported_error.get_or_insert(e);
        }
        written
    }

    fn push(&mut self, bytes: &[u8]) {
        STDOUT_USED.store(true, Ordering::Release);
        if self.mode == Buffering::NotYetKnown {
            self.mode = if crate::io::is_terminal(STDOUT) { Buffering::Line } else { Buffering::Block };
        }
        if bytes.len() > STDOUT_CAPACITY - self.len {
            let _kept = self.flush();
        }
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) if bytes.len() < STDOUT_CAPACITY => {
                room.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            // Larger than the whole buffer: straight through.
            _ => {
                let written = write_all_raw(table_write, 1, bytes);
                let _kept = self.keep_failure(written);
                return;
            }
        }
        if self.mode == Buffering::Line && bytes.contains(&b'\n') {
            let _kept = self.flush();
        }
    }
}

impl Write for StdoutBuffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// Writes `bytes` to standard output through its buffer. A write failure
/// is kept for [`flush`] or exit (see the module documentation).
pub fn write_stdout(bytes: &[u8]) {
    STDOUT_BUFFER.lock().push(bytes);
}

/// Writes whatever standard output holds (before a message on standard
/// error, say). A failure is kept for [`flush`] or exit, as for a print.
pub fn flush_stdout() {
    let _kept = STDOUT_BUFFER.lock().flush();
}

/// Writes whatever standard output holds, and returns the first write
/// failure of standard output not returned before: of this flush, or of
/// an earlier print or flush. A failure returned here is the program's to
/// report; exit does not report it again.
pub fn flush() -> Result<(), Errno> {
    let mut out = STDOUT_BUFFER.lock();
    let _kept = out.flush();
    match out.unreported_error.take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The exit status a write error of standard output makes when the
/// program would exit 0 (see the module documentation).
static WRITE_ERROR_STATUS: AtomicI32 = AtomicI32::new(1);

/// Chooses the exit status for a write error of standard output that exit
/// reports when the program would otherwise exit 0 (by default 1; GNU `ls`
/// uses 2).
pub fn set_write_error_status(status: i32) {
    WRITE_ERROR_STATUS.store(status, Ordering::Relaxed);
}

/// At exit: writes what standard output holds and, if a write of it
/// failed and the program has not been told (through [`flush`]), says so
/// on standard error. Returns the exit status: `status`, or the write
/// error status if `status` is 0 and there was a failure to report.
pub(crate) fn finish_stdout(status: i32) -> i32 {
    // Bytes and errors come only through push.
    if !STDOUT_USED.load(Ordering::Acquire) {
        return status;
    }
    let mut out = STDOUT_BUFFER.lock();
    let last = out.flush();
    let Some(_first) = out.unreported_error.take() else {
        return status;
    };
    let mut w = FdWriter::new(2, table_write);
    if let Some(name) = crate::env::program_name() {
        let name = name.to_bytes();
        let short = name.rsplit(|&b| b == b'/').next().unwrap_or(name);
        w.write_bytes(short);
        w.write_bytes(b": ");
    }
    w.write_bytes(b"write error");
    // As GNU's close_stdout: the reason only when the last write failed.
    if let Err(e) = last {
        let _ = write!(w, ": {e}");
    }
    w.write_bytes(b"\n");
    w.flush();
    if status == 0 { WRITE_ERROR_STATUS.load(Ordering::Relaxed) } else { status }
}

/// Flushes standard output unless its lock is held (by code that panicked
/// while printing, say).
#[cfg_attr(test, allow(dead_code))] // the panic handler is not built for host tests
pub(crate) fn try_flush_stdout() {
    if let Some(mut out) = STDOUT_BUFFER.try_lock() {
        let _kept = out.flush();
    }
}

#[doc(hidden)]
pub fn _print(args: fmt::Arguments<'_>) {
    let _ = STDOUT_BUFFER.lock().write_fmt(args);
}

/// Formats into a small stack buffer and writes it to a descriptor in as
/// few writes as fit.
pub(crate) struct FdWriter {
    fd: c_int,
    write: SlotWrite,
    buf: [u8; 512],
    len: usize,
}

impl FdWriter {
    pub fn new(fd: c_int, write: SlotWrite) -> Self {
        FdWriter { fd, write, buf: [0; 512], len: 0 }
    }

    pub fn flush(&mut self) {
        let _ = write_all_raw(self.write, self.fd, &self.buf[..self.len]);
        self.len = 0;
    }

    /// Adds `bytes` (not necessarily UTF-8), writing out the buffer when full.
    pub fn write_bytes(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.len == self.buf.len() {
                self.flush();
            }
            let n = bytes.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
            self.len += n;
            bytes = &bytes[n..];
        }
    }
}

impl Write for FdWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// Writes `bytes` (a message holding a file name that is not UTF-8, say)
/// to standard error, unbuffered. Errors are ignored, as for `eprint!`.
pub fn write_stderr(bytes: &[u8]) {
    let _ignored = write_all_raw(table_write, 2, bytes);
}

#[doc(hidden)]
pub fn _eprint(args: fmt::Arguments<'_>) {
    let mut w = FdWriter::new(2, table_write);
    let _ = w.write_fmt(args);
    w.flush();
}

/// Writes to stderr through the base layer itself, for start-up failures
/// that happen before the table is bound.
#[cfg_attr(test, allow(dead_code))] // the entry point is not built for host tests
pub(crate) fn write_direct_stderr(args: fmt::Arguments<'_>) {
    let mut w = FdWriter::new(2, crate::layer::slots::write::DIRECT);
    let _ = w.write_fmt(args);
    w.flush();
}

/// Writes `text` to stderr through the base layer itself (see
/// [`write_direct_stderr`]), with no formatting machinery.
#[cfg_attr(test, allow(dead_code))] // the entry point is not built for host tests
pub(crate) fn write_direct_stderr_str(text: &str) {
    let _ = write_all_raw(crate::layer::slots::write::DIRECT, 2, text.as_bytes());
}

/// Prints to standard output (buffered).
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::stdio::_print(format_args!($($arg)*)) };
}

/// Prints to standard output (buffered), with a newline.
#[macro_export]
macro_rules! println {
    () => { $crate::stdio::write_stdout(b"\n") };
    ($($arg:tt)*) => { $crate::stdio::_print(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard error.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::stdio::_eprint(format_args!($($arg)*)) };
}

/// Prints to standard error, with a newline.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::stdio::_eprint(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::stdio::_eprint(format_args!("{}\n", format_args!($($arg)*))) };
}
