//! The protocol between `guest-run`, the command the integration suite runs
//! its programs through (host side, as `SYS_LAYER_GUEST`), and
//! `guest-agent`, which runs in the booted guest and starts them there.
//!
//! One TCP connection per program (qemu's user network forwards a host port
//! to the agent's). The host sends a [`Request`], then standard input as
//! frames; the agent answers with standard output and error as frames and
//! ends with the exit status. All integers little-endian.

use std::io::{self, Read, Write};

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
    pub fn decode(bytes: &[u8]) -> io::Result<Status> {
        let word = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()));
        match (word(0), word(4)) {
            (Some(0), Some(code)) => Ok(Status::Exited(code as u8)),
            (Some(1), Some(signal)) => Ok(Status::Signaled(signal as i32)),
            _ => Err(invalid("bad status frame")),
        }
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Writes one frame.
pub fn write_frame(w: &mut impl Write, tag: u8, data: &[u8]) -> io::Result<()> {
    let len = u32::try_from(data.len()).map_err(|_| invalid("frame too long"))?;
    let mut head = [tag, 0, 0, 0, 0];
    head[1..].copy_from_slice(&len.to_le_bytes());
    w.write_all(&head)?;
    w.write_all(data)
}

/// Reads one frame: `None` at a clean end of the stream.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match r.read_exact(&mut head[..1]) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    r.read_exact(&mut head[1..])?;
    let len = u32::from_le_bytes(head[1..].try_into().unwrap()) as usize;
    let mut data = vec![0; len];
    r.read_exact(&mut data)?;
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
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(invalid("request cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
    fn list(&mut self) -> io::Result<Vec<Vec<u8>>> {
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
    pub fn decode(data: &[u8]) -> io::Result<Request> {
        let mut d = Decoder(data);
        if d.take(4)? != MAGIC {
            return Err(invalid("not a guest-run request of this version"));
        }
        let request = match d.u8()? {
            1 => Request::Hello,
            2 => Request::Shutdown,
            0 => {
                let (argv, env, cwd) = (d.list()?, d.list()?, d.bytes()?);
                let mut stdio = [Stdio::Relay, Stdio::Relay, Stdio::Relay];
                for s in &mut stdio {
                    if d.u8()? == 1 {
                        *s = Stdio::Path { path: d.bytes()?, offset: d.u64()?, append: d.u8()? != 0 };
                    }
                }
                let (uid, gid) = (d.u32()?, d.u32()?);
                let limits = (0..d.u32()?).map(|_| Ok((d.u32()?, d.u64()?, d.u64()?))).collect::<io::Result<_>>()?;
                Request::Run(Box::new(Run { argv, env, cwd, stdio, uid, gid, limits }))
            }
            _ => return Err(invalid("unknown request")),
        };
        if !d.0.is_empty() {
            return Err(invalid("trailing bytes after the request"));
        }
        Ok(request)
    }
}

/// The resource limits `guest-run` passes on: those the suite's wrappers
/// set (`ulimit -s`, `ulimit -f`), the core size, and the open files (which
/// a program reports).
// `as _`: the constants are u32 in glibc, c_int in musl.
pub const LIMITS: [u32; 4] =
    [libc::RLIMIT_STACK as _, libc::RLIMIT_FSIZE as _, libc::RLIMIT_CORE as _, libc::RLIMIT_NOFILE as _];

#[cfg(test)]
mod tests {
    use super::*;

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
        for r in [run, Request::Hello, Request::Shutdown] {
            assert_eq!(Request::decode(&r.encode()).unwrap(), r);
        }
        let bytes = Request::Hello.encode();
        assert!(Request::decode(&bytes[..4]).is_err());
        assert!(Request::decode(b"XXXX\x01").is_err());
    }

    #[test]
    fn frames_and_statuses_round_trip() {
        let mut buf = Vec::new();
        write_frame(&mut buf, tag::STDOUT, b"abc").unwrap();
        write_frame(&mut buf, tag::STATUS, &Status::Signaled(11).encode()).unwrap();
        let mut r = &buf[..];
        assert_eq!(read_frame(&mut r).unwrap(), Some((tag::STDOUT, b"abc".to_vec())));
        let (t, data) = read_frame(&mut r).unwrap().unwrap();
        assert_eq!((t, Status::decode(&data).unwrap()), (tag::STATUS, Status::Signaled(11)));
        assert_eq!(read_frame(&mut r).unwrap(), None);
        assert_eq!(Status::decode(&Status::Exited(255).encode()).unwrap(), Status::Exited(255));
        assert!(read_frame(&mut &[1u8, 5, 0][..]).is_err(), "a cut frame is an error");
    }
}
