//! The work of the corpus programs, on crates from crates.io, `no_std` +
//! `alloc`: each program takes its arguments and all of standard input and
//! returns what it writes to standard output. The static programs run this
//! on sys-layer; the reference runs the same code on the host with std.
#![no_std]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// A program: arguments (without the program name) and standard input to
/// standard output, or a message for standard error.
pub type Program = fn(&[&[u8]], &[u8]) -> Result<Vec<u8>, String>;

/// Every program, by name.
pub const PROGRAMS: [(&str, Program); 7] = [
    ("sha256", sha256),
    ("gzip", gzip),
    ("gunzip", gunzip),
    ("json", json),
    ("words", words),
    ("grep", grep),
    ("dates", dates),
];

/// The program called `name`.
pub fn program(name: &str) -> Option<Program> {
    PROGRAMS.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

/// `sha256sum` of standard input (sha2): the digest in hex, then `  -`.
pub fn sha256(_args: &[&[u8]], input: &[u8]) -> Result<Vec<u8>, String> {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(input);
    let mut out = String::with_capacity(68);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out.push_str("  -\n");
    Ok(out.into_bytes())
}

/// gzip (RFC 1952) around a DEFLATE stream from miniz_oxide, level 6, with
/// crc32fast's CRC-32: what `gzip -d` reads back.
pub fn gzip(_args: &[&[u8]], input: &[u8]) -> Result<Vec<u8>, String> {
    // Magic, CM = deflate, no flags, no mtime, no extra flags, OS = Unix.
    let mut out = alloc::vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(input, 6));
    out.extend_from_slice(&crc32fast::hash(input).to_le_bytes());
    out.extend_from_slice(&(input.len() as u32).to_le_bytes());
    Ok(out)
}

/// Decompresses one gzip member (as `gzip -c` writes it) with miniz_oxide,
/// checking its CRC-32 and length.
pub fn gunzip(_args: &[&[u8]], input: &[u8]) -> Result<Vec<u8>, String> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if input.len() < 18 || input[..3] != [0x1f, 0x8b, 8] {
        return Err("not gzip data".to_string());
    }
    let flags = input[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let n = u16::from_le_bytes([input[at], input[at + 1]]) as usize;
        at += 2 + n;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            at += input[at..].iter().position(|&b| b == 0).ok_or("unterminated header field")? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    let trailer = input.len() - 8;
    let data = miniz_oxide::inflate::decompress_to_vec(&input[at..trailer]).map_err(|e| format!("inflate: {e:?}"))?;
    let crc = u32::from_le_bytes(input[trailer..trailer + 4].try_into().unwrap());
    let size = u32::from_le_bytes(input[trailer + 4..].try_into().unwrap());
    if crc != crc32fast::hash(&data) || size != data.len() as u32 {
        return Err("CRC-32 or length mismatch".to_string());
    }
    Ok(data)
}

/// One line of an order (serde derive).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    /// Stock-keeping unit.
    pub sku: String,
    /// How many.
    pub qty: u32,
    /// Price of one, in cents.
    pub price_cents: u64,
}

/// An order (serde derive, with an optional field and a renamed one).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Order {
    /// Order number.
    pub id: u32,
    /// Who ordered.
    #[serde(rename = "customerName")]
    pub customer: String,
    /// The lines.
    pub items: Vec<Item>,
    /// A note, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A customer's totals.
#[derive(Debug, Default, serde::Serialize)]
pub struct Total {
    /// Number of orders.
    pub orders: u32,
    /// Number of items.
    pub items: u64,
    /// Sum of prices, in cents.
    pub cents: u64,
    /// The notes, in order.
    pub notes: Vec<String>,
}

/// Reads a JSON array of orders (serde_json, serde derive), checks that they
/// survive a round trip, and writes per-customer totals as pretty JSON.
pub fn json(_args: &[&[u8]], input: &[u8]) -> Result<Vec<u8>, String> {
    let orders: Vec<Order> = serde_json::from_slice(input).map_err(|e| format!("parse: {e}"))?;
    let again: Vec<Order> =
        serde_json::from_str(&serde_json::to_string(&orders).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    if again != orders {
        return Err("round trip changed the orders".to_string());
    }
    let mut totals: BTreeMap<&str, Total> = BTreeMap::new();
    for o in &orders {
        let t = totals.entry(&o.customer).or_default();
        t.orders += 1;
        for i in &o.items {
            t.items += u64::from(i.qty);
            t.cents += u64::from(i.qty) * i.price_cents;
        }
        t.notes.extend(o.note.clone());
    }
    let mut out = serde_json::to_vec_pretty(&totals).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}

/// Counts whitespace-separated words in a hashbrown `HashMap`; writes
/// `count word` lines, most frequent first, then by bytes.
pub fn words(_args: &[&[u8]], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut counts: hashbrown::HashMap<&[u8], usize> = hashbrown::HashMap::new();
    for w in input.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()) {
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut list: Vec<(&[u8], usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = Vec::new();
    for (w, n) in list {
        out.extend_from_slice(format!("{n} ").as_bytes());
        out.extend_from_slice(w);
        out.push(b'\n');
    }
    Ok(out)
}

/// `grep -o PATTERN` with regex-automata's meta regex: every match, one a
/// line, line by line.
pub fn grep(args: &[&[u8]], input: &[u8]) -> Result<Vec<u8>, String> {
    let pattern = core::str::from_utf8(args.first().ok_or("usage: grep PATTERN")?).map_err(|e| e.to_string())?;
    let re = regex_automata::meta::Regex::new(pattern).map_err(|e| format!("pattern: {e}"))?;
    let mut out = Vec::new();
    for line in input.split(|&b| b == b'\n') {
        for m in re.find_iter(line).filter(|m| !m.is_empty()) {
            out.extend_from_slice(&line[m.range()]);
            out.push(b'\n');
        }
    }
    Ok(out)
}

/// Date arithmetic with chrono: each line `YYYY-MM-DDTHH:MM:SSZ SECONDS`
/// becomes the time plus the (signed) seconds, as
/// `date -u '+%Y-%m-%dT%H:%M:%SZ %A %j %G-W%V'` prints it.
pub fn dates(_args: &[&[u8]], input: &[u8]) -> Result<Vec<u8>, String> {
    let text = core::str::from_utf8(input).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (time, delta) = line.split_once(' ').ok_or_else(|| format!("bad line: {line}"))?;
        let time =
            chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%SZ").map_err(|e| format!("{line}: {e}"))?;
        let delta: i64 = delta.parse().map_err(|e| format!("{line}: {e}"))?;
        let when = time
            .checked_add_signed(chrono::TimeDelta::try_seconds(delta).ok_or("delta out of range")?)
            .ok_or("date out of range")?;
        out.push_str(&format!("{}\n", when.format("%Y-%m-%dT%H:%M:%SZ %A %j %G-W%V")));
    }
    Ok(out.into_bytes())
}
