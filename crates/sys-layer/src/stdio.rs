//! Standard output and error, and the `print!` family.
//!
//! Standard output is buffered: line by line on a terminal, in blocks
//! otherwise (checked lazily, on the first print, so start-up makes no
//! system call for it). The buffer is flushed by [`flush_stdout`], at exit,
//! and before a panic message. Standard error is not buffered beyond one
//! `eprint!` call, which it writes in as few system calls as fit a small
//! stack buffer.
//!
//! Write errors from `print!`/`eprint!` are ignored, as a closed pipe is
//! no reason to crash; use [`crate::io::write_all`] to see them.

use crate::fd::STDOUT;
use crate::io::{SlotWrite, table_write, write_all_raw};
use crate::sync::SpinLock;
use core::ffi::c_int;
use core::fmt::{self, Write};

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
}

static STDOUT_BUFFER: SpinLock<StdoutBuffer> =
    SpinLock::new(StdoutBuffer { buf: [0; STDOUT_CAPACITY], len: 0, mode: Buffering::NotYetKnown });

impl StdoutBuffer {
    fn flush(&mut self) {
        let _ = write_all_raw(table_write, 1, &self.buf[..self.len]);
        self.len = 0;
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.mode == Buffering::NotYetKnown {
            self.mode = if crate::io::is_terminal(STDOUT) { Buffering::Line } else { Buffering::Block };
        }
        if bytes.len() > STDOUT_CAPACITY - self.len {
            self.flush();
        }
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) if bytes.len() < STDOUT_CAPACITY => {
                room.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            // Larger than the whole buffer: straight through.
            _ => {
                let _ = write_all_raw(table_write, 1, bytes);
                return;
            }
        }
        if self.mode == Buffering::Line && bytes.contains(&b'\n') {
            self.flush();
        }
    }
}

impl Write for StdoutBuffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// Writes `bytes` to standard output through its buffer.
pub fn write_stdout(bytes: &[u8]) {
    STDOUT_BUFFER.lock().push(bytes);
}

/// Writes whatever standard output holds.
pub fn flush_stdout() {
    STDOUT_BUFFER.lock().flush();
}

/// Flushes standard output unless its lock is held (by code that panicked
/// while printing, say).
#[cfg_attr(test, allow(dead_code))] // the panic handler is not built for host tests
pub(crate) fn try_flush_stdout() {
    if let Some(mut out) = STDOUT_BUFFER.try_lock() {
        out.flush();
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
}

impl Write for FdWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut bytes = s.as_bytes();
        while !bytes.is_empty() {
            if self.len == self.buf.len() {
                self.flush();
            }
            let n = bytes.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
            self.len += n;
            bytes = &bytes[n..];
        }
        Ok(())
    }
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
