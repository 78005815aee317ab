//! File names in messages, quoted as GNU coreutils quotes them in the C
//! locale (gnulib's `quotearg` shell-escape styles): bytes, not text, so a
//! name that is not UTF-8 is shown as what it is.

extern crate alloc;

use alloc::vec::Vec;
use core::fmt::{self, Write};

/// Writes `{before}{quoted name}: {message}` and a newline on standard
/// error, in one write, after what standard output holds (as C's
/// `error()` does).
pub fn complain(before: &str, name: &[u8], quoting: Quoting, message: fmt::Arguments<'_>) {
    let mut line = Bytes(before.as_bytes().to_vec());
    line.0.extend_from_slice(&quote(name, quoting));
    // Formatting into a vector of our own: `alloc::format!` would bring in
    // the precompiled library's unwinding paths.
    let _ = writeln!(line, ": {message}");
    sys_layer::stdio::flush_stdout();
    sys_layer::stdio::write_stderr(&line.0);
}

/// Bytes that formatting appends to.
struct Bytes(Vec<u8>);

impl Write for Bytes {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// How a name is quoted.
#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // each example uses one
pub enum Quoting {
    /// Quoted only when a shell would need it, `:` included (GNU's `quotef`,
    /// used by `cat` and `wc` for `name: message`).
    WhenNeeded,
    /// Always quoted (GNU's `quoteaf`, used by `ls`).
    Always,
}

/// `name` as GNU shows it in a message.
pub fn quote(name: &[u8], quoting: Quoting) -> Vec<u8> {
    if quoting == Quoting::WhenNeeded && !needs_quotes(name) {
        return name.to_vec();
    }
    if name.contains(&b'\'') && name.iter().enumerate().all(|(i, &c)| fits_double_quotes(name, i, c)) {
        // A quote, and nothing a shell expands between double quotes.
        let mut out = Vec::with_capacity(name.len() + 2);
        out.push(b'"');
        out.extend_from_slice(name);
        out.push(b'"');
        return out;
    }
    let mut out = Vec::with_capacity(name.len() + 2);
    out.push(b'\'');
    // Inside `$'...'`, which escapes need; closed by `''` before plain bytes.
    let mut in_escapes = false;
    for &c in name {
        let escape: Option<&[u8]> = match c {
            0x07 => Some(b"a"),
            0x08 => Some(b"b"),
            0x0c => Some(b"f"),
            b'\n' => Some(b"n"),
            b'\r' => Some(b"r"),
            b'\t' => Some(b"t"),
            0x0b => Some(b"v"),
            _ => None,
        };
        if c == b'\'' {
            out.extend_from_slice(b"'\\''");
            in_escapes = false;
        } else if escape.is_some() || !is_printable(c) {
            if !in_escapes {
                out.extend_from_slice(b"'$'");
                in_escapes = true;
            }
            out.push(b'\\');
            match escape {
                Some(letter) => out.extend_from_slice(letter),
                None => out.extend_from_slice(&[b'0' + (c >> 6), b'0' + ((c >> 3) & 7), b'0' + (c & 7)]),
            }
        } else {
            if in_escapes {
                out.extend_from_slice(b"''");
                in_escapes = false;
            }
            out.push(c);
        }
    }
    out.push(b'\'');
    out
}

fn is_printable(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// Whether a shell would read `name` as other than itself, or it holds a
/// `:` (GNU quotes those in `name: message`).
fn needs_quotes(name: &[u8]) -> bool {
    name.is_empty()
        || name.iter().enumerate().any(|(i, &c)| match c {
            b'{' | b'}' => name.len() == 1,
            b'#' | b'~' => i == 0,
            b' ' | b'!' | b'"' | b'$' | b'&' | b'(' | b')' | b'*' | b';' | b'<' | b'=' | b'>' | b'[' | b'^' | b'`'
            | b'|' | b'\'' | b'\\' | b'?' | b':' => true,
            c => !is_printable(c),
        })
}

/// Whether byte `c` at `i` reads the same between double quotes (gnulib's
/// `c_and_shell_quote_compat`).
fn fits_double_quotes(name: &[u8], i: usize, c: u8) -> bool {
    match c {
        b'{' | b'}' => name.len() == 1,
        b'#' | b'~' => i == 0,
        b' ' | b'\'' => true,
        b'!' | b'"' | b'$' | b'&' | b'(' | b')' | b'*' | b';' | b'<' | b'=' | b'>' | b'[' | b'^' | b'`' | b'|'
        | b'\\' | b'?' => false,
        c => is_printable(c),
    }
}
