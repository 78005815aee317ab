//! The protocol between `guest-run`, the command the integration suite runs
//! its programs through (host side, as `SYS_LAYER_GUEST`), and
//! `guest-agent` (tools/guest-init), which runs in the booted guest and
//! starts them there.
//!
//! One TCP connection per program (qemu's user network forwards a host port
//! to the agent's). The host sends a [`Request`], then standard input as
//! frames; the agent answers with standard output and error as frames and
//! ends with the exit status. The host may also relay a signal to the
//! program ([`tag::SIGNAL`]) and tell that its reader of an output went
//! away ([`tag::CLOSE`]). A [`Request::Connect`] instead asks for a TCP
//! connection inside the guest, whose bytes then go both ways unframed
//! (the suite's clients reach the servers its programs run in the guest).
//! All integers little-endian.
//!
//! `no_std` with `alloc`, so that the host side (a std program) and the
//! agent (a sys-layer program) share it; the I/O is each side's own, handed
//! in as a `read` function ([`read_frame`]) or given the bytes ([`frame`]).
#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

/// The port the agent listens on inside the guest.
pub const AGENT_PORT: u16 = 7000;

/// First bytes of every request: protocol and version.
const MAGIC: &[u8; 4] = b"SLG1";

/// What a request asks the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Start a program.
    Run(Box<Run>),
    /// Report the guest's kernel release and machine (`uname -r`, `uname -m`).
    Hello,
    /// Stop the agent, after which the guest's init powers the machine off.
    Shutdown,
    /// Connect to this address inside the guest: the agent answers
    /// [`tag::CONNECTED`] (or [`tag::FAILED`]), then relays the
    /// connection's bytes, unframed, both ways; the end of one direction
    /// (a read of 0) is passed on as a `shutdown` of writing.
    Connect(SocketAddr),
}

/// Where one of the program's standard descriptors goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stdio {
    /// Relayed over the connection (the host side had a pipe, socket or terminal).
    Relay,
    /// A file or device that exists in the guest under the same path (the
    /// shared directory, `/dev/null`, `/dev/full`): opened there.
    Path {
        /// The path.
        path: Vec<u8>,
        /// The host descriptor's offset, where the guest's starts.
        offset: u64,
        /// Opened with `O_APPEND` on the host.
        append: bool,
    },
}

/// A program to start, with what the host side had: arguments, environment,
/// working directory, standard descriptors, credentials and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// `argv`; `argv[0]` is also the path run.
    pub argv: Vec<Vec<u8>>,
    /// `NAME=VALUE` entries, in order.
    pub env: Vec<Vec<u8>>,
    /// The working directory.
    pub cwd: Vec<u8>,
    /// Standard input, output, error.
    pub stdio: [Stdio; 3],
    /// Real user and group ID to run as.
    pub uid: u32,
    /// See `uid`.
    pub gid: u32,
    /// `(resource, soft, hard)` limits to set.
    pub limits: Vec<(u32, u64, u64)>,
}

/// Frame tags.
pub mod tag {
    /// Host to guest: standard input bytes; empty is end of file.
    pub const STDIN: u8 = 0;
    /// Guest to host: standard output bytes.
    pub const STDOUT: u8 = 1;
    /// Guest to host: standard error bytes.
    pub const STDERR: u8 = 2;
    /// Guest to host: exit status (see [`crate::Status`]), the last frame.
    pub const STATUS: u8 = 3;
    /// Guest to host: the program could not be started (message), the last frame.
    pub const FAILED: u8 = 4;
    /// Guest to host: the answer to `Hello` (`release\nmachine\n`).
    pub const HELLO: u8 = 5;
    /// Host to guest: the [`crate::Request`], the first frame.
    pub const REQUEST: u8 = 6;
    /// Guest to host: the connection a `Connect` asked for is made.
    pub const CONNECTED: u8 = 7;
    /// Host to guest: send this signal (u32) to the program (the host side
    /// got it).
    pub const SIGNAL: u8 = 8;
    /// Host to guest: the host side's reader of this relayed output (1 or
    /// 2, one byte) went away: the agent closes the program's pipe, whose
    /// next writes fail (`EPIPE`, `SIGPIPE`) as they would on the host.
    pub const CLOSE: u8 = 9;
}

/// How the program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exited with this code.
    Exited(u8),
    /// Killed by this signal.
    Signaled(i32),
}

impl Status {
    /// The 8 bytes of a `STATUS` frame.
    pub fn encode(self) -> [u8; 8] {
        let (kind, value) = match self {
            Status::Exited(code) => (0u32, u32::from(code)),
            Status::Signaled(signal) => (1, signal as u32),
        };
        let mut out = [0; 8];
        out[..4].copy_from_slice(&kind.to_le_bytes());
        out[4..].copy_from_slice(&value.to_le_bytes());
        out
    }

    /// Reads a `STATUS` frame's bytes.
    pub fn decode(bytes: &[u8]) -> Result<Status, Invalid> {
        let word = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()));
        match (word(0), word(4)) {
            (Some(0), Some(code)) => Ok(Status::Exited(code as u8)),
            (Some(1), Some(signal)) => Ok(Status::Signaled(signal as i32)),
            _ => Err(Invalid("bad status frame")),
        }
    }
}

/// Bytes that are not what the protocol says: what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

impl core::fmt::Display for Invalid {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

/// Why [`read_frame`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError<E> {
    /// The stream's own error.
    Io(E),
    /// The stream ended inside a frame.
    CutShort,
}

/// One frame's bytes: the tag, the data's length (u32), the data. (One
/// buffer, so that a frame goes out in one write.)
pub fn frame(tag: u8, data: &[u8]) -> Vec<u8> {
    // Frames carry requests and reads of at most 64 KiB.
    let len = u32::try_from(data.len()).expect("a frame's data fits in 4 GiB");
    let mut out = Vec::with_capacity(5 + data.len());
    out.push(tag);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// Reads one frame through `read` (a `read(2)`: 0 is the end of the
/// stream): `Ok(None)` when the stream ends cleanly before a frame.
pub fn read_frame<E>(
    mut read: impl FnMut(&mut [u8]) -> Result<usize, E>,
) -> Result<Option<(u8, Vec<u8>)>, FrameError<E>> {
    let mut fill = |buf: &mut [u8]| -> Result<usize, FrameError<E>> {
        let mut got = 0;
        while got < buf.len() {
            match read(&mut buf[got..]).map_err(FrameError::Io)? {
                0 => break,
                n => got += n,
            }
        }
        Ok(got)
    };
    let mut head = [0u8; 5];
    match fill(&mut head)? {
        0 => return Ok(None),
        5 => {}
        _ => return Err(FrameError::CutShort),
    }
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let mut data = alloc::vec![0; len];
    if fill(&mut data)? != len {
        return Err(FrameError::CutShort);
    }
    Ok(Some((head[0], data)))
}

struct Encoder(Vec<u8>);

impl Encoder {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
    fn list(&mut self, l: &[Vec<u8>]) {
        self.u32(l.len() as u32);
        l.iter().for_each(|b| self.bytes(b));
    }
}

struct Decoder<'a>(&'a [u8]);

impl Decoder<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Invalid> {
        if self.0.len() < n {
            return Err(Invalid("request cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, Invalid> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, Invalid> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> Result<u64, Invalid> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn bytes(&mut self) -> Result<Vec<u8>, Invalid> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
    fn list(&mut self) -> Result<Vec<Vec<u8>>, Invalid> {
        (0..self.u32()?).map(|_| self.bytes()).collect()
    }
}

impl Request {
    /// The request's bytes, as one frame's data.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder(MAGIC.to_vec());
        match self {
            Request::Hello => e.u8(1),
            Request::Shutdown => e.u8(2),
            Request::Connect(addr) => {
                e.u8(3);
                match addr {
                    SocketAddr::V4(a) => {
                        e.u8(4);
                        e.0.extend_from_slice(&a.ip().octets());
                    }
                    SocketAddr::V6(a) => {
                        e.u8(6);
                        e.0.extend_from_slice(&a.ip().octets());
                        e.u32(a.scope_id());
                    }
                }
                e.0.extend_from_slice(&addr.port().to_le_bytes());
            }
            Request::Run(run) => {
                e.u8(0);
                e.list(&run.argv);
                e.list(&run.env);
                e.bytes(&run.cwd);
                for s in &run.stdio {
                    match s {
                        Stdio::Relay => e.u8(0),
                        Stdio::Path { path, offset, append } => {
                            e.u8(1);
                            e.bytes(path);
                            e.u64(*offset);
                            e.u8(u8::from(*append));
                        }
                    }
                }
                e.u32(run.uid);
                e.u32(run.gid);
                e.u32(run.limits.len() as u32);
                for &(resource, soft, hard) in &run.limits {
                    e.u32(resource);
                    e.u64(soft);
                    e.u64(hard);
                }
            }
        }
        e.0
    }

    /// Reads a request from a frame's data.
    pub fn decode(data: &[u8]) -> Result<Request, Invalid> {
        let mut d = Decoder(data);
        if d.take(4)? != MAGIC {
            return Err(Invalid("not a guest-run request of this version"));
        }
        let request = match d.u8()? {
            1 => Request::Hello,
            2 => Request::Shutdown,
            3 => {
                let ip: IpAddr = match d.u8()? {
                    4 => Ipv4Addr::from(<[u8; 4]>::try_from(d.take(4)?).unwrap()).into(),
                    6 => Ipv6Addr::from(<[u8; 16]>::try_from(d.take(16)?).unwrap()).into(),
                    _ => return Err(Invalid("unknown address family")),
                };
                let scope = if ip.is_ipv6() { d.u32()? } else { 0 };
                let port = u16::from_le_bytes(d.take(2)?.try_into().unwrap());
                Request::Connect(match ip {
                    IpAddr::V6(v6) => SocketAddrV6::new(v6, port, 0, scope).into(),
                    v4 => SocketAddr::new(v4, port),
                })
            }
            0 => {
                let (argv, env, cwd) = (d.list()?, d.list()?, d.bytes()?);
                let mut stdio = [Stdio::Relay, Stdio::Relay, Stdio::Relay];
                for s in &mut stdio {
                    if d.u8()? == 1 {
                        *s = Stdio::Path { path: d.bytes()?, offset: d.u64()?, append: d.u8()? != 0 };
                    }
                }
                let (uid, gid) = (d.u32()?, d.u32()?);
                let limits =
                    (0..d.u32()?).map(|_| Ok((d.u32()?, d.u64()?, d.u64()?))).collect::<Result<_, Invalid>>()?;
                Request::Run(Box::new(Run { argv, env, cwd, stdio, uid, gid, limits }))
            }
            _ => return Err(Invalid("unknown request")),
        };
        if !d.0.is_empty() {
            return Err(Invalid("trailing bytes after the request"));
        }
        Ok(request)
    }
}

/// The resource limits `guest-run` passes on: those the suite's wrappers
/// set (`ulimit -s`, `ulimit -f`), the core size, and the open files (which
/// a program reports).
pub const LIMITS: [u32; 4] = {
    use linux_raw_sys::general as g;
    [g::RLIMIT_STACK, g::RLIMIT_FSIZE, g::RLIMIT_CORE, g::RLIMIT_NOFILE]
};

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::vec;

    #[test]
    fn requests_round_trip() {
        let run = Request::Run(Box::new(Run {
            argv: vec![b"/p".to_vec(), b"".to_vec(), b"\xff a".to_vec()],
            env: vec![b"A=1".to_vec()],
            cwd: b"/tmp".to_vec(),
            stdio: [Stdio::Relay, Stdio::Path { path: b"/dev/full".to_vec(), offset: 7, append: true }, Stdio::Relay],
            uid: 65534,
            gid: 65534,
            limits: vec![(3, 65536, u64::MAX)],
        }));
        let v6 = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 7, 0, 3).into();
        let v4 = SocketAddr::new(Ipv4Addr::new(127, 0, 0, 1).into(), 65535);
        for r in [run, Request::Hello, Request::Shutdown, Request::Connect(v4), Request::Connect(v6)] {
            assert_eq!(Request::decode(&r.encode()).unwrap(), r);
        }
        let bytes = Request::Hello.encode();
        assert!(Request::decode(&bytes[..4]).is_err());
        assert!(Request::decode(b"XXXX\x01").is_err());
    }

    #[test]
    fn frames_and_statuses_round_trip() {
        let mut buf = frame(tag::STDOUT, b"abc");
        buf.extend(frame(tag::STATUS, &Status::Signaled(11).encode()));
        let mut r = &buf[..];
        let mut read = |b: &mut [u8]| -> Result<usize, ()> {
            // One byte a call: frames come in pieces.
            let n = b.len().min(r.len()).min(1);
            b[..n].copy_from_slice(&r[..n]);
            r = &r[n..];
            Ok(n)
        };
        assert_eq!(read_frame(&mut read), Ok(Some((tag::STDOUT, b"abc".to_vec()))));
        let (t, data) = read_frame(&mut read).unwrap().unwrap();
        assert_eq!((t, Status::decode(&data).unwrap()), (tag::STATUS, Status::Signaled(11)));
        assert_eq!(read_frame(&mut read), Ok(None));
        assert_eq!(Status::decode(&Status::Exited(255).encode()).unwrap(), Status::Exited(255));
        let mut cut = &[1u8, 5, 0][..];
        let read_cut = |b: &mut [u8]| -> Result<usize, ()> {
            let n = b.len().min(cut.len());
            b[..n].copy_from_slice(&cut[..n]);
            cut = &cut[n..];
            Ok(n)
        };
        assert_eq!(read_frame(read_cut), Err(FrameError::CutShort), "a cut frame is an error");
        assert_eq!(read_frame(|_: &mut [u8]| Err::<usize, i32>(5)), Err(FrameError::Io(5)));
    }
}
