//! Child processes: [`Command`] describes one and starts it, [`Child`]
//! waits for it; [`fork`] and [`execve`] for programs that need the parts;
//! [`spawn`], `posix_spawn`'s interface (C arrays, ordered [`ChildStep`]s)
//! on the same child, for a C layer.
//!
//! [`Command::spawn`] does what `posix_spawn` does, without copying the
//! address space: `clone(CLONE_VM | CLONE_VFORK)` runs the child on a
//! small stack of its own (in the parent's frame), while the parent waits;
//! the child sets up its descriptors, directory, process group and signal
//! mask, and calls `execve`. Everything it needs (paths, argument and
//! environment vectors) is prepared by the parent first, so the child
//! allocates nothing and touches no lock. All signals stay blocked from
//! before the clone until the child has reset every handler the parent
//! installed (`signal::caught_signals`), so none of the parent's handlers
//! runs in the child. An `execve` that fails reports its errno to the
//! parent through a close-on-exec pipe (exec closes it unwritten on
//! success), so `spawn` returns `Err(ENOENT)` for a missing program
//! rather than a child that exits 127. Under emulators that turn
//! `CLONE_VM | CLONE_VFORK` into a plain fork (qemu-user), the same steps
//! work on a copy.
//!
//! Descriptors are close-on-exec by default in this crate, so a child gets
//! its three standard descriptors, as chosen with [`Stdio`], and the ones
//! named with [`Command::fd`]: nothing else.

extern crate alloc;

use crate::Errno;
use crate::errno::call_slot;
use crate::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use crate::raw;
use crate::signal::SigSet;
use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_int};
use linux_raw_sys::general as g;

/// How a process ended, as `wait4(2)` reports it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ExitStatus(i32);

impl ExitStatus {
    /// From a raw wait status.
    pub const fn from_raw(status: i32) -> ExitStatus {
        ExitStatus(status)
    }

    /// The raw wait status.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// Whether the process exited with status 0.
    pub const fn success(self) -> bool {
        self.0 == 0
    }

    /// The exit status, if the process exited (`WEXITSTATUS`).
    pub const fn code(self) -> Option<i32> {
        if self.0 & 0x7f == 0 { Some((self.0 >> 8) & 0xff) } else { None }
    }

    /// The signal that ended the process, if one did (`WTERMSIG`).
    pub const fn signal(self) -> Option<u32> {
        let sig = self.0 & 0x7f;
        if sig != 0 && sig != 0x7f { Some(sig as u32) } else { None }
    }

    /// Whether the process dumped core (`WCOREDUMP`).
    pub const fn core_dumped(self) -> bool {
        self.signal().is_some() && self.0 & 0x80 != 0
    }
}

impl core::fmt::Display for ExitStatus {
    /// `exit status: 1`, or `signal: 9 (SIGKILL)`, as std prints them.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.code(), self.signal()) {
            (Some(code), _) => write!(f, "exit status: {code}"),
            (None, Some(sig)) => {
                write!(f, "signal: {sig}")?;
                if let Some(name) = crate::signal::name(sig) {
                    write!(f, " ({name})")?;
                }
                if self.core_dumped() {
                    f.write_str(" (core dumped)")?;
                }
                Ok(())
            }
            (None, None) => write!(f, "unrecognised wait status: {} {:#x}", self.0, self.0),
        }
    }
}

impl core::fmt::Debug for ExitStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ExitStatus({self})")
    }
}

/// Waits for the child `pid` (or, with `nohang`, looks whether it ended):
/// `Ok(None)` if it is still running. Retries on `EINTR`.
///
/// `wait4(2)`: <https://man7.org/linux/man-pages/man2/wait4.2.html>
pub fn wait_pid(pid: i32, nohang: bool) -> Result<Option<ExitStatus>, Errno> {
    let options = if nohang { g::WNOHANG as c_int } else { 0 };
    loop {
        let mut status = 0;
        // SAFETY: status is writable; no rusage.
        match call_slot(|e| unsafe { raw::wait4(pid, &mut status, options, core::ptr::null_mut(), e) }) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(ExitStatus(status))),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// What [`fork`] returned in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fork {
    /// In the parent: the child's process ID.
    Parent(i32),
    /// In the child.
    Child,
}

/// Makes a child process that is a copy of this one.
///
/// Standard output's buffer is written out first, so the child does not
/// repeat it. The allocator's lists, standard output's buffer and the thread
/// library's cache are held across the call, so the child's copies are
/// whole even when other threads were using them; in the child the calling
/// thread is the only one (the others' stacks and memory stay mapped, but
/// nothing runs there). `clone3` (5.3) where the kernel has it, else
/// `clone`.
///
/// # Safety
/// In a process with other threads, the child may only use what this
/// crate makes safe for it (the allocator, standard output, the system
/// calls); state another thread held locked in a program's own locks stays
/// locked in the child for ever.
///
/// `fork(2)`: <https://man7.org/linux/man-pages/man2/fork.2.html>
pub unsafe fn fork() -> Result<Fork, Errno> {
    let stdout = crate::stdio::hold_for_fork();
    let threads = crate::thread::hold_for_fork();
    let lists = crate::alloc::hold_for_fork();
    // SAFETY: all zeros is a valid clone_args.
    let mut args: g::clone_args = unsafe { core::mem::zeroed() };
    args.exit_signal = g::SIGCHLD as u64;
    // SAFETY: fork-like (no stack); args is readable.
    let r = call_slot(|e| unsafe { raw::clone3(&mut args, core::mem::size_of::<g::clone_args>(), e) });
    if r == Ok(0) {
        crate::thread::after_fork_in_child();
    }
    drop(lists);
    drop(threads);
    drop(stdout);
    match r? {
        0 => Ok(Fork::Child),
        pid => Ok(Fork::Parent(pid as i32)),
    }
}

/// Runs the program open at `fd` in this process (`fexecve(3)`), with
/// `argv` and `envp` as for [`execve`]. Returns only on failure.
///
/// `execveat(2)` with `AT_EMPTY_PATH` (3.19; below, `execve` of
/// `/proc/self/fd/N`, which needs `/proc`):
/// <https://man7.org/linux/man-pages/man2/execveat.2.html>
pub fn fexecve(fd: impl AsFd, argv: &[*const c_char], envp: &[*const c_char]) -> Errno {
    if argv.last().is_none_or(|p| !p.is_null()) || envp.last().is_none_or(|p| !p.is_null()) {
        return Errno::EINVAL;
    }
    let _ = crate::stdio::flush();
    let flags = g::AT_EMPTY_PATH as c_int;
    // SAFETY: an empty path with AT_EMPTY_PATH; both arrays end with null.
    match call_slot(|e| unsafe {
        raw::execveat(fd.as_fd().as_raw_fd(), c"".as_ptr(), argv.as_ptr(), envp.as_ptr(), flags, e)
    }) {
        Ok(_) => Errno::EIO,
        Err(e) => e,
    }
}

/// Runs the program `path` in this process, with `argv` and `envp`
/// (null-terminated arrays of C strings). Returns only on failure.
///
/// Standard output's buffer is written out first, as a C library's
/// `exit` would not get the chance to.
///
/// `execve(2)`: <https://man7.org/linux/man-pages/man2/execve.2.html>
pub fn execve(path: &CStr, argv: &[*const c_char], envp: &[*const c_char]) -> Errno {
    if argv.last().is_none_or(|p| !p.is_null()) || envp.last().is_none_or(|p| !p.is_null()) {
        return Errno::EINVAL;
    }
    let _ = crate::stdio::flush();
    // SAFETY: both arrays end with a null pointer (checked above).
    match call_slot(|e| unsafe { raw::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr(), e) }) {
        Ok(_) => Errno::EIO,
        Err(e) => e,
    }
}

/// A pidfd (close-on-exec) for process `pid` (5.3; `ENOSYS` below). Only
/// race-free for a child of this process not yet waited for (as
/// [`Child::pidfd`]): another process's ID may be reused.
///
/// `pidfd_open(2)`: <https://man7.org/linux/man-pages/man2/pidfd_open.2.html>
pub fn pidfd_open(pid: i32) -> Result<OwnedFd, Errno> {
    // SAFETY: no pointers.
    let fd = call_slot(|e| unsafe { raw::pidfd_open(pid, 0, e) })?;
    // SAFETY: the kernel just gave it to us.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// The process ID a pidfd refers to, from the kernel's description of the
/// descriptor (`/proc/self/fdinfo/FD`, its `Pid:` line: Linux 5.4 and
/// later; `ENOENT` without `/proc`): `ESRCH` once the process has been
/// waited for, `EREMOTE` if it is in a PID namespace this process cannot
/// see into, `EBADF` if `fd` is not a pidfd.
///
/// `pidfd_getpid(3)`: <https://man7.org/linux/man-pages/man3/pidfd_getpid.3.html>
pub fn pidfd_pid(pidfd: impl AsFd) -> Result<i32, Errno> {
    let path = alloc::format!("/proc/self/fdinfo/{}\0", pidfd.as_raw_fd());
    let path = CStr::from_bytes_with_nul(path.as_bytes()).map_err(|_| Errno::EINVAL)?;
    fdinfo_pid(&crate::fs::read(path)?)
}

/// The `Pid:` field of a pidfd's fdinfo text, as [`pidfd_pid`] reports it.
fn fdinfo_pid(text: &[u8]) -> Result<i32, Errno> {
    let field = text.split(|&b| b == b'\n').find_map(|line| line.strip_prefix(b"Pid:")).ok_or(Errno::EBADF)?;
    let field = field.trim_ascii();
    let (negative, digits) = match field.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, field),
    };
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Errno::EIO);
    }
    let value = digits.iter().fold(0i32, |n, d| n * 10 + i32::from(d - b'0'));
    match (negative, value) {
        (true, _) => Err(Errno::ESRCH),
        (false, 0) => Err(Errno::EREMOTE),
        (false, pid) => Ok(pid),
    }
}

/// The paths `execvp` tries for `program`, in order, as C strings: the
/// program itself if it names a path (has a `/`), else each entry of
/// `path` (a `PATH` value; `/bin:/usr/bin` if `None`) joined with it, an
/// empty entry meaning the current directory. `ENOENT` for an empty name.
fn program_candidates(program: &[u8], path: Option<&[u8]>) -> Result<Vec<Vec<u8>>, Errno> {
    if program.is_empty() {
        return Err(Errno::ENOENT);
    }
    if program.contains(&b'/') {
        return Ok(alloc::vec![c_string(program)?]);
    }
    let mut out = Vec::new();
    for dir in path.unwrap_or(DEFAULT_PATH).split(|&b| b == b':') {
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        let mut full = Vec::with_capacity(dir.len() + program.len() + 2);
        full.extend_from_slice(dir);
        full.push(b'/');
        full.extend_from_slice(program);
        out.push(c_string(&full)?);
    }
    Ok(out)
}

/// Runs the first of `candidates` (null-terminated) that `execve` takes,
/// `execvp`'s rule: a missing one (or a bad path) moves on, a permission
/// error is remembered, any other error stops. Returns the error number
/// (it returns only on failure). No allocation, errno in a local: fit for
/// a `vfork`-like child.
///
/// # Safety
/// Every candidate is a C string; `argv` and `envp` are null-terminated
/// arrays of C strings.
unsafe fn exec_first(
    candidates: *const *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    use linux_raw_sys::errno as n;
    let mut e = 0;
    let mut result = n::ENOENT as c_int;
    let mut i = 0;
    loop {
        // SAFETY: candidates is null-terminated.
        let path = unsafe { *candidates.add(i) };
        if path.is_null() {
            return result;
        }
        // SAFETY: as the caller vouches.
        unsafe { raw::execve(path, argv, envp, &mut e) };
        match e as u32 {
            n::ENOENT | n::ENOTDIR | n::ESTALE | n::ENAMETOOLONG | n::ELOOP => {}
            n::EACCES => result = e,
            _ => return e,
        }
        i += 1;
    }
}

/// Replaces the process with `program`, looked up as a shell does: in the
/// caller's `PATH` (`/bin:/usr/bin` without one) unless the name has a
/// `/`; see [`execve`] for the arrays. Returns only on failure: the error
/// of the last candidate that mattered (`EACCES` if one was found but not
/// executable, else `ENOENT`). A file the kernel cannot run (`ENOEXEC`) is
/// not handed to `/bin/sh`.
///
/// `execvp(3)`: <https://man7.org/linux/man-pages/man3/execvp.3.html>
pub fn execvp(program: &CStr, argv: &[*const c_char], envp: &[*const c_char]) -> Errno {
    if argv.last().is_none_or(|p| !p.is_null()) || envp.last().is_none_or(|p| !p.is_null()) {
        return Errno::EINVAL;
    }
    let path = crate::env::var(b"PATH").map(|p| p.to_bytes());
    let candidates = match program_candidates(program.to_bytes(), path) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let mut pointers: Vec<*const c_char> = candidates.iter().map(|c| c.as_ptr().cast()).collect();
    pointers.push(core::ptr::null());
    let _ = crate::stdio::flush();
    // SAFETY: the candidates are C strings, the arrays end with null (checked above).
    Errno::from_raw(unsafe { exec_first(pointers.as_ptr(), argv.as_ptr(), envp.as_ptr()) })
}

/// Where a child's standard input, output or error comes from or goes.
#[derive(Debug)]
pub enum Stdio {
    /// The parent's own descriptor (the default for [`Command::spawn`]).
    Inherit,
    /// `/dev/null`.
    Null,
    /// A new pipe; the parent's end is in [`Child`]'s `stdin`, `stdout` or
    /// `stderr`.
    Piped,
    /// This descriptor (the child gets a copy; the parent's is closed once
    /// the child has started).
    Fd(OwnedFd),
}

/// A child process to start: program, arguments, environment, directory,
/// standard descriptors. All strings are bytes (any but NUL).
///
/// ```no_run
/// use sys_layer::process::{Command, Stdio};
/// let out = Command::new("uname").arg("-r").stdout(Stdio::Piped).output()?;
/// # Ok::<(), sys_layer::Errno>(())
/// ```
#[derive(Debug)]
pub struct Command {
    program: Vec<u8>,
    args: Vec<Vec<u8>>,
    env_clear: bool,
    /// Changes to the inherited environment: (name, Some(value)) sets,
    /// (name, None) removes; the last one for a name counts.
    env_changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    dir: Option<Vec<u8>>,
    stdio: [Option<Stdio>; 3],
    /// Further descriptors the child gets: (its number there, ours).
    extra_fds: Vec<(RawFd, OwnedFd)>,
    process_group: Option<i32>,
    new_session: bool,
    uid: Option<u32>,
    gid: Option<u32>,
    groups: Option<Vec<u32>>,
    /// Resource limits to set, in order: (resource, limit).
    limits: Vec<(u32, g::rlimit64)>,
}

/// Appends a NUL: a C string, or `EINVAL` for bytes with a NUL inside.
fn c_string(bytes: &[u8]) -> Result<Vec<u8>, Errno> {
    if bytes.contains(&0) {
        return Err(Errno::EINVAL);
    }
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.extend_from_slice(bytes);
    v.push(0);
    Ok(v)
}

/// The search path when the environment has no `PATH` (glibc's default).
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

impl Command {
    /// A command that runs `program`: a path if it contains a `/`, else a
    /// name looked up in `PATH` (the child's, if set with [`Command::env`],
    /// else this process's). Its first argument is `program` as given.
    pub fn new(program: impl AsRef<[u8]>) -> Command {
        Command {
            program: program.as_ref().to_vec(),
            args: Vec::new(),
            env_clear: false,
            env_changes: Vec::new(),
            dir: None,
            stdio: [None, None, None],
            extra_fds: Vec::new(),
            process_group: None,
            new_session: false,
            uid: None,
            gid: None,
            groups: None,
            limits: Vec::new(),
        }
    }

    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<[u8]>) -> &mut Command {
        self.args.push(arg.as_ref().to_vec());
        self
    }

    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = A>, A: AsRef<[u8]>>(&mut self, args: I) -> &mut Command {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Command {
        self.env_changes.push((name.as_ref().to_vec(), Some(value.as_ref().to_vec())));
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(&mut self, name: impl AsRef<[u8]>) -> &mut Command {
        self.env_changes.push((name.as_ref().to_vec(), None));
        self
    }

    /// Starts the child with no inherited environment (only what
    /// [`Command::env`] sets after this).
    pub fn env_clear(&mut self) -> &mut Command {
        self.env_clear = true;
        self.env_changes.clear();
        self
    }

    /// Runs the child in directory `dir`.
    pub fn current_dir(&mut self, dir: impl AsRef<[u8]>) -> &mut Command {
        self.dir = Some(dir.as_ref().to_vec());
        self
    }

    /// The child's standard input.
    pub fn stdin(&mut self, s: Stdio) -> &mut Command {
        self.stdio[0] = Some(s);
        self
    }

    /// The child's standard output.
    pub fn stdout(&mut self, s: Stdio) -> &mut Command {
        self.stdio[1] = Some(s);
        self
    }

    /// The child's standard error.
    pub fn stderr(&mut self, s: Stdio) -> &mut Command {
        self.stdio[2] = Some(s);
        self
    }

    /// Gives the child `fd` as its descriptor number `target` (3 or
    /// above; 0, 1 and 2 are [`Command::stdin`] and friends). Nothing else
    /// of this process's is passed on: descriptors are close-on-exec here.
    /// The parent's `fd` is closed once the child has started.
    pub fn fd(&mut self, target: RawFd, fd: OwnedFd) -> &mut Command {
        self.extra_fds.retain(|(t, _)| *t != target);
        self.extra_fds.push((target, fd));
        self
    }

    /// Puts the child into process group `pgid` (0: a new group led by the
    /// child), as `setpgid(0, pgid)`.
    pub fn process_group(&mut self, pgid: i32) -> &mut Command {
        self.process_group = Some(pgid);
        self
    }

    /// Runs the child as user `uid` (real, effective and saved). Without
    /// [`Command::groups`], the supplementary groups are dropped first where
    /// the parent may (as root), as std does, so that none of root's stays.
    ///
    /// `setresuid(2)`: <https://man7.org/linux/man-pages/man2/setresuid.2.html>
    pub fn uid(&mut self, uid: u32) -> &mut Command {
        self.uid = Some(uid);
        self
    }

    /// Runs the child with group `gid` (real, effective and saved).
    pub fn gid(&mut self, gid: u32) -> &mut Command {
        self.gid = Some(gid);
        self
    }

    /// Gives the child these supplementary groups (`setgroups(2)`).
    pub fn groups(&mut self, groups: &[u32]) -> &mut Command {
        self.groups = Some(groups.to_vec());
        self
    }

    /// Sets the child's limit of `resource` (`RLIMIT_*`) to `soft` and
    /// `hard` (`u64::MAX`: unlimited), before it takes the credentials of
    /// [`Command::uid`] (raising a hard limit needs root). A limit the
    /// kernel refuses fails [`Command::spawn`] with its errno (`EPERM`,
    /// `EINVAL`).
    ///
    /// `prlimit64(2)`: <https://man7.org/linux/man-pages/man2/getrlimit.2.html>
    pub fn rlimit(&mut self, resource: u32, soft: u64, hard: u64) -> &mut Command {
        self.limits.push((resource, g::rlimit64 { rlim_cur: soft, rlim_max: hard }));
        self
    }

    /// Makes the child a new session's leader (`setsid(2)`).
    pub fn new_session(&mut self, on: bool) -> &mut Command {
        self.new_session = on;
        self
    }

    /// The environment the child gets, as C strings, or `None` when it is
    /// this process's unchanged.
    fn child_env(&self) -> Result<Option<Vec<Vec<u8>>>, Errno> {
        if !self.env_clear && self.env_changes.is_empty() {
            return Ok(None);
        }
        let changed = |name: &[u8]| self.env_changes.iter().any(|(n, _)| n == name);
        let mut env = Vec::new();
        if !self.env_clear {
            for var in crate::env::vars() {
                let bytes = var.to_bytes();
                let name = bytes.split(|&b| b == b'=').next().unwrap_or(bytes);
                if !changed(name) {
                    env.push(c_string(bytes)?);
                }
            }
        }
        for (i, (name, value)) in self.env_changes.iter().enumerate() {
            let last = !self.env_changes[i + 1..].iter().any(|(n, _)| n == name);
            if let (true, Some(value)) = (last, value) {
                if name.is_empty() || name.contains(&b'=') {
                    return Err(Errno::EINVAL);
                }
                let mut entry = name.clone();
                entry.push(b'=');
                entry.extend_from_slice(value);
                env.push(c_string(&entry)?);
            }
        }
        Ok(Some(env))
    }

    /// The paths to try (see [`program_candidates`]), with the child's
    /// `PATH` if the child gets one of its own.
    fn candidates(&self, child_env: Option<&[Vec<u8>]>) -> Result<Vec<Vec<u8>>, Errno> {
        let path: Option<Vec<u8>> = match child_env {
            Some(env) => {
                env.iter().find_map(|v| v.strip_prefix(b"PATH=").map(|p| p.strip_suffix(b"\0").unwrap_or(p).to_vec()))
            }
            None => crate::env::var(b"PATH").map(|p| p.to_bytes().to_vec()),
        };
        program_candidates(&self.program, path.as_deref())
    }

    /// Starts the child. Standard descriptors not chosen are inherited.
    ///
    /// Errors: `ENOENT` (no such program, also on every `PATH` entry),
    /// `EACCES` (found but not executable), any other errno `execve`, the
    /// descriptor set-up or `chdir` gave in the child, and `EINVAL` for a
    /// string with a NUL inside or an environment name with `=`.
    pub fn spawn(&mut self) -> Result<Child, Errno> {
        self.spawn_with_defaults([Stdio::Inherit, Stdio::Inherit, Stdio::Inherit])
    }

    fn spawn_with_defaults(&mut self, defaults: [Stdio; 3]) -> Result<Child, Errno> {
        let env = self.child_env()?;
        let candidates = self.candidates(env.as_deref())?;
        let mut argv_strings = Vec::with_capacity(self.args.len() + 1);
        argv_strings.push(c_string(&self.program)?);
        for a in &self.args {
            argv_strings.push(c_string(a)?);
        }
        let dir = self.dir.as_deref().map(c_string).transpose()?;

        if self.extra_fds.iter().any(|(t, _)| *t < 3) {
            return Err(Errno::EINVAL);
        }
        // Every descriptor placed in the child must come from a number above
        // all the targets, so that placing one cannot overwrite another.
        let floor = self.extra_fds.iter().map(|(t, _)| *t).max().unwrap_or(2) + 1;
        let above = |fd: OwnedFd| move_above(fd, floor);
        // The parent's ends, and the child's (target, source) pairs.
        let mut parent_ends: [Option<OwnedFd>; 3] = [None, None, None];
        let mut child_sources: Vec<(RawFd, OwnedFd)> = Vec::new();
        for (i, default) in defaults.into_iter().enumerate() {
            match self.stdio[i].take().unwrap_or(default) {
                Stdio::Inherit => {}
                Stdio::Null => {
                    let mode = if i == 0 { crate::fs::OFlags::RDONLY } else { crate::fs::OFlags::WRONLY };
                    let null = crate::fs::open(c"/dev/null", mode, crate::fs::Mode::empty())?;
                    child_sources.push((i as RawFd, above(null)?));
                }
                Stdio::Piped => {
                    let (r, w) = crate::fd::pipe()?;
                    let (parent, child) = if i == 0 { (w, r) } else { (r, w) };
                    parent_ends[i] = Some(parent);
                    child_sources.push((i as RawFd, above(child)?));
                }
                Stdio::Fd(fd) => child_sources.push((i as RawFd, above(fd)?)),
            }
        }
        let (error_read, error_write) = crate::fd::pipe()?;
        for (target, fd) in core::mem::take(&mut self.extra_fds) {
            child_sources.push((target, above(fd)?));
        }
        let error_write = above(error_write)?;
        // Sources lie above every target (move_above): none is overwritten.
        let steps: Vec<ChildStep<'_>> =
            child_sources.iter().map(|(t, fd)| ChildStep::Dup { source: fd.as_raw_fd(), target: *t }).collect();

        let mut candidate_ptrs: Vec<*const c_char> = candidates.iter().map(|c| c.as_ptr().cast()).collect();
        candidate_ptrs.push(core::ptr::null());
        let mut argv: Vec<*const c_char> = argv_strings.iter().map(|a| a.as_ptr().cast()).collect();
        argv.push(core::ptr::null());
        let env_ptrs: Option<Vec<*const c_char>> = env.as_ref().map(|env| {
            let mut v: Vec<*const c_char> = env.iter().map(|s| s.as_ptr().cast()).collect();
            v.push(core::ptr::null());
            v
        });
        let envp = match &env_ptrs {
            Some(v) => v.as_ptr(),
            None => crate::env::vars().as_ptr().cast(),
        };
        let mut plan = SpawnPlan {
            candidates: candidate_ptrs.as_ptr(),
            argv: argv.as_ptr(),
            envp,
            steps: &steps,
            dir: dir.as_ref().map_or(core::ptr::null(), |d| d.as_ptr().cast()),
            process_group: self.process_group.unwrap_or(-1),
            new_session: self.new_session,
            effective_ids: None,
            uid: self.uid,
            gid: self.gid,
            groups: self.groups.as_ref().map(|g| (g.as_ptr(), g.len())),
            limits: self.limits.as_ptr(),
            limit_count: self.limits.len(),
            reset_signals: crate::signal::caught_signals(),
            mask: SigSet::empty(),
            child_mask: None,
            error_fd: error_write.as_raw_fd(),
        };
        let pid = run_plan(&mut plan, error_read, error_write)?;
        drop(child_sources);
        let [stdin, stdout, stderr] = parent_ends;
        Ok(Child { pid, stdin, stdout, stderr, status: None })
    }

    /// Starts the child and waits for it; standard descriptors inherited.
    pub fn status(&mut self) -> Result<ExitStatus, Errno> {
        self.spawn()?.wait()
    }

    /// Starts the child with standard input on `/dev/null` and output and
    /// error piped (unless chosen otherwise), reads both to the end, and
    /// waits for it.
    pub fn output(&mut self) -> Result<Output, Errno> {
        self.spawn_with_defaults([Stdio::Null, Stdio::Piped, Stdio::Piped])?.wait_with_output()
    }
}

/// One step a child started by [`spawn`] takes with its descriptors and
/// directory before it runs its program, in the order given: the file
/// actions of `posix_spawn(3)`.
#[derive(Clone, Copy, Debug)]
pub enum ChildStep<'a> {
    /// Opens `path` as descriptor `fd` (closing what was there), with
    /// `flags` and `mode` as [`crate::fs::open`] takes them, except that the
    /// descriptor is the program's: close-on-exec only if `flags` has
    /// [`OFlags::CLOEXEC`](crate::fs::OFlags::CLOEXEC).
    Open {
        /// The child's descriptor number.
        fd: RawFd,
        /// The file.
        path: &'a CStr,
        /// `O_*` flags.
        flags: crate::fs::OFlags,
        /// Permission bits for a file `flags` creates.
        mode: crate::fs::Mode,
    },
    /// Closes `fd`; a descriptor that is not open is no error.
    Close(RawFd),
    /// Makes `target` a copy of `source`, passed on to the program; when
    /// both are the same descriptor, clears its close-on-exec flag.
    Dup {
        /// The descriptor to copy.
        source: RawFd,
        /// The number it gets.
        target: RawFd,
    },
    /// Changes to directory `path`.
    Chdir(&'a CStr),
    /// Changes to the directory open as `fd`.
    Fchdir(RawFd),
}

impl ChildStep<'_> {
    /// The descriptor numbers the step names.
    fn descriptors(&self) -> [RawFd; 2] {
        match *self {
            ChildStep::Open { fd, .. } | ChildStep::Close(fd) | ChildStep::Fchdir(fd) => [fd, fd],
            ChildStep::Dup { source, target } => [source, target],
            ChildStep::Chdir(_) => [-1, -1],
        }
    }
}

/// Takes one [`ChildStep`] in the child: 0, or the errno that stops it.
/// No allocation, errno in a local.
///
/// # Safety
/// The step's paths are C strings that live until the child execs.
unsafe fn child_step(step: &ChildStep<'_>) -> c_int {
    let mut e: c_int = 0;
    // SAFETY: the only pointers are the step's C strings (alive, as the
    // caller vouches) and the local e.
    let r = unsafe {
        match *step {
            ChildStep::Open { fd, path, flags, mode } => {
                let flags = crate::fs::kernel_flags(flags | crate::fs::OFlags::INHERIT);
                let opened = raw::openat(g::AT_FDCWD, path.as_ptr(), flags, mode.bits(), &mut e);
                if opened < 0 || opened as RawFd == fd {
                    opened
                } else {
                    let moved = raw::dup3(opened as RawFd, fd, flags & g::O_CLOEXEC as c_int, &mut e);
                    let saved = e;
                    raw::close(opened as RawFd, &mut e);
                    e = saved;
                    moved
                }
            }
            ChildStep::Close(fd) => match raw::close(fd, &mut e) {
                r if r < 0 && e == Errno::EBADF.raw() => 0,
                r => r,
            },
            ChildStep::Dup { source, target } if source == target => {
                match raw::fcntl(source, g::F_GETFD as c_int, 0, &mut e) {
                    r if r < 0 => r,
                    flags => {
                        raw::fcntl(source, g::F_SETFD as c_int, flags as usize & !(g::FD_CLOEXEC as usize), &mut e)
                    }
                }
            }
            ChildStep::Dup { source, target } => raw::dup3(source, target, 0, &mut e),
            ChildStep::Chdir(path) => raw::chdir(path.as_ptr(), &mut e),
            ChildStep::Fchdir(fd) => raw::fchdir(fd, &mut e),
        }
    };
    if r < 0 { e } else { 0 }
}

/// Which program [`spawn`] runs.
#[derive(Clone, Copy, Debug)]
pub enum Program<'a> {
    /// This path, as given (relative to the child's directory).
    Path(&'a CStr),
    /// A name looked up as [`execvp`] does (unless it contains a `/`), in
    /// `search` (a `PATH` value; `/bin:/usr/bin` when `None`).
    Search {
        /// The program's name.
        name: &'a CStr,
        /// The directories to look in, `:`-separated.
        search: Option<&'a [u8]>,
    },
}

/// What else [`spawn`] does in the child, in this order: signals of
/// `default_signals` back to their default action, a new session, the
/// process group, the effective IDs, the `steps`, the signal mask.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpawnOptions<'a> {
    /// Descriptor and directory steps, in order.
    pub steps: &'a [ChildStep<'a>],
    /// Signals whose action becomes the default (an ignored signal stays
    /// ignored across `execve` otherwise). Caught signals are reset anyway.
    pub default_signals: SigSet,
    /// The signal mask the program starts with; `None`: the caller's.
    pub mask: Option<SigSet>,
    /// `setpgid(0, group)` (0: a new group led by the child).
    pub process_group: Option<i32>,
    /// Makes the child a new session's leader.
    pub new_session: bool,
    /// Sets the effective user and group to the real ones.
    pub reset_effective_ids: bool,
}

/// Starts `program` in a new process with `argv` and `envp`
/// (null-terminated arrays of C strings), after the `options`' steps:
/// the process ID, or the errno of the first step or of `execve` that
/// failed (the child then reaped). What `posix_spawn(3)` does, on the
/// same child machinery as [`Command::spawn`]; a C layer's, while
/// [`Command`] is the interface for programs.
///
/// `posix_spawn(3)`: <https://man7.org/linux/man-pages/man3/posix_spawn.3.html>
///
/// # Safety
/// `argv` and `envp` point to null-terminated arrays of C strings that
/// stay alive and unchanged during the call.
pub unsafe fn spawn(
    program: Program<'_>,
    argv: *const *const c_char,
    envp: *const *const c_char,
    options: &SpawnOptions<'_>,
) -> Result<i32, Errno> {
    let candidates = match program {
        Program::Path(path) => alloc::vec![c_string(path.to_bytes())?],
        Program::Search { name, search } => program_candidates(name.to_bytes(), search)?,
    };
    let mut candidate_ptrs: Vec<*const c_char> = candidates.iter().map(|c| c.as_ptr().cast()).collect();
    candidate_ptrs.push(core::ptr::null());
    // The error pipe above every descriptor a step names, so that no step
    // closes or replaces its write end, nor takes either end for a
    // descriptor the caller named but had not open (which must fail).
    let floor = options.steps.iter().flat_map(ChildStep::descriptors).max().unwrap_or(2).max(2) + 1;
    let (error_read, error_write) = crate::fd::pipe()?;
    let (error_read, error_write) = (move_above(error_read, floor)?, move_above(error_write, floor)?);
    let effective_ids = options.reset_effective_ids.then(|| (super::getgid(), super::getuid()));
    let mut plan = SpawnPlan {
        candidates: candidate_ptrs.as_ptr(),
        argv,
        envp,
        steps: options.steps,
        dir: core::ptr::null(),
        process_group: options.process_group.unwrap_or(-1),
        new_session: options.new_session,
        effective_ids,
        uid: None,
        gid: None,
        groups: None,
        limits: core::ptr::null(),
        limit_count: 0,
        reset_signals: crate::signal::caught_signals() | options.default_signals.bits(),
        mask: SigSet::empty(),
        child_mask: options.mask,
        error_fd: error_write.as_raw_fd(),
    };
    run_plan(&mut plan, error_read, error_write)
}

/// Moves a descriptor the parent hands a child to `floor` or above, so that
/// placing the child's descriptors cannot overwrite it (a parent started
/// with a standard descriptor closed gets low numbers, for one).
fn move_above(fd: OwnedFd, floor: RawFd) -> Result<OwnedFd, Errno> {
    if fd.as_raw_fd() >= floor {
        return Ok(fd);
    }
    // SAFETY: no pointers.
    let new = call_slot(|e| unsafe { raw::fcntl(fd.as_raw_fd(), g::F_DUPFD_CLOEXEC as c_int, floor as usize, e) })?;
    // SAFETY: the kernel just gave it to us.
    Ok(unsafe { OwnedFd::from_raw_fd(new as RawFd) })
}

/// Everything the child reads between `clone` and `execve`, prepared by
/// the parent (the child allocates nothing).
struct SpawnPlan<'a> {
    /// The paths to try, null-terminated.
    candidates: *const *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
    /// The descriptor steps, in order.
    steps: &'a [ChildStep<'a>],
    /// Directory to change to after the credentials, or null.
    dir: *const c_char,
    /// `setpgid(0, process_group)` if not -1.
    process_group: i32,
    new_session: bool,
    /// Effective group and user to take (`POSIX_SPAWN_RESETIDS`: the
    /// parent's real ones), before the steps.
    effective_ids: Option<(u32, u32)>,
    /// Credentials to take, in the order groups, group, user.
    uid: Option<u32>,
    gid: Option<u32>,
    groups: Option<(*const u32, usize)>,
    /// `limit_count` (resource, limit) pairs to set, before the credentials.
    limits: *const (u32, g::rlimit64),
    limit_count: usize,
    /// Signals to reset to the default (bit `sig - 1`).
    reset_signals: u64,
    /// The parent's signal mask, saved by `clone_child`.
    mask: SigSet,
    /// The mask the program starts with; `None`: the parent's.
    child_mask: Option<SigSet>,
    /// The pipe's write end for the child's errno.
    error_fd: RawFd,
}

/// Starts the child of `plan` and reads its report: `Ok(pid)` once it runs
/// its program, else the errno that stopped it (the child reaped).
fn run_plan(plan: &mut SpawnPlan<'_>, error_read: OwnedFd, error_write: OwnedFd) -> Result<i32, Errno> {
    let pid = clone_child(plan)?;
    drop(error_write);
    // The child's report: nothing (exec closed the pipe), or its errno.
    let mut report = [0u8; 4];
    let got = loop {
        match crate::io::read(&error_read, &mut report) {
            Err(Errno::EINTR) => continue,
            other => break other,
        }
    };
    if let Ok(4) = got {
        let _ = wait_pid(pid, false);
        return Err(Errno::from_raw(i32::from_ne_bytes(report)));
    }
    Ok(pid)
}

/// The child's stack, in the parent's frame: the parent does not run
/// until the child has called `execve` or exited (`CLONE_VFORK`), and the
/// child makes a few system calls through the table before that. (Under an
/// emulator that turns this into a fork, the child has its own copy.)
#[repr(C, align(16))]
struct ChildStack([core::mem::MaybeUninit<u8>; 16 * 1024]);

/// Runs `child_main` in a new process sharing this one's memory, with all
/// signals blocked; returns once the child has called `execve` or exited.
fn clone_child(plan: &mut SpawnPlan<'_>) -> Result<i32, Errno> {
    let mut stack = ChildStack([core::mem::MaybeUninit::uninit(); 16 * 1024]);
    let stack_top = stack.0.as_mut_ptr_range().end.cast::<u8>();
    let all = SigSet::full();
    // SAFETY: both sets are valid; this thread's own mask.
    let blocked =
        call_slot(|e| unsafe { raw::rt_sigprocmask(g::SIG_SETMASK as c_int, &all.0, &mut plan.mask.0, 8, e) });
    blocked?;
    let flags = g::CLONE_VM | g::CLONE_VFORK | g::SIGCHLD;
    // SAFETY: the stack outlives the child's use of it (CLONE_VFORK: until
    // execve or exit); child_main never returns and reads only the plan,
    // which lives until then.
    let r = unsafe {
        sys_layer_arch::clone_thread(
            flags as usize,
            stack_top,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            0,
            child_main,
            (plan as *mut SpawnPlan<'_>).cast(),
        )
    };
    // SAFETY: restores this thread's own mask.
    let _ = call_slot(|e| unsafe {
        raw::rt_sigprocmask(g::SIG_SETMASK as c_int, &plan.mask.0, core::ptr::null_mut(), 8, e)
    });
    sys_layer_arch::check(r).map(|pid| pid as i32).map_err(Errno::from_raw)
}

/// The child, from `clone` to `execve`: only system calls through the
/// table, with errno in locals.
unsafe extern "C" fn child_main(arg: *mut u8) -> ! {
    // SAFETY: the parent passed its plan, alive until this process execs
    // or exits.
    let plan = unsafe { &*arg.cast::<SpawnPlan<'_>>() };
    // SAFETY: the plan's pointers are the parent's, valid as above.
    let errno = unsafe { child_setup_and_exec(plan) };
    let bytes = errno.to_ne_bytes();
    let mut e = 0;
    // SAFETY: bytes is readable; the pipe is the parent's.
    unsafe {
        raw::write(plan.error_fd, bytes.as_ptr().cast(), 4, &mut e);
        raw::exit_group(127, &mut e);
    }
    sys_layer_arch::exit_group(127)
}

/// Sets up the child and runs the program; returns the errno that stopped it.
///
/// # Safety
/// The plan's pointers must be valid; the caller is the child of `clone_child`.
unsafe fn child_setup_and_exec(plan: &SpawnPlan<'_>) -> c_int {
    let mut e: c_int = 0;
    macro_rules! try_call {
        ($call:expr) => {
            // SAFETY: the caller's pointers; e is a local.
            if unsafe { $call } < 0 {
                return e;
            }
        };
    }
    // No handler of the parent's may run here.
    let default = crate::signal::kernel_action(0, 0, SigSet::empty());
    for sig in 1..=64u32 {
        if plan.reset_signals & (1 << (sig - 1)) != 0 {
            // SAFETY: a valid action; no old one asked for.
            unsafe { raw::rt_sigaction(sig as c_int, &default, core::ptr::null_mut(), 8, &mut e) };
        }
    }
    if plan.new_session {
        try_call!(raw::setsid(&mut e));
    }
    if plan.process_group >= 0 {
        try_call!(raw::setpgid(0, plan.process_group, &mut e));
    }
    if let Some((gid, uid)) = plan.effective_ids {
        // The group first: once the effective user is not root, it cannot change.
        try_call!(raw::setresgid(u32::MAX, gid, u32::MAX, &mut e));
        try_call!(raw::setresuid(u32::MAX, uid, u32::MAX, &mut e));
    }
    for step in plan.steps {
        // SAFETY: e is a local; the paths are the parent's C strings.
        let errno = unsafe { child_step(step) };
        if errno != 0 {
            return errno;
        }
    }
    // Limits first: raising one needs the parent's credentials.
    for i in 0..plan.limit_count {
        // SAFETY: the parent's array of limit_count pairs.
        let (resource, limit) = unsafe { &*plan.limits.add(i) };
        try_call!(raw::prlimit64(0, *resource, limit, core::ptr::null_mut(), &mut e));
    }
    // Groups before the group, the group before the user: once the user
    // is no longer root, the others cannot change.
    match plan.groups {
        Some((list, len)) => try_call!(raw::setgroups(len, list, &mut e)),
        None if plan.uid.is_some() => {
            // Drops root's groups; refused (EPERM) for a parent that is not
            // root, which then has none of root's to keep.
            // SAFETY: an empty list.
            unsafe { raw::setgroups(0, core::ptr::null(), &mut e) };
        }
        None => {}
    }
    if let Some(gid) = plan.gid {
        try_call!(raw::setresgid(gid, gid, gid, &mut e));
    }
    if let Some(uid) = plan.uid {
        try_call!(raw::setresuid(uid, uid, uid, &mut e));
    }
    if !plan.dir.is_null() {
        try_call!(raw::chdir(plan.dir, &mut e));
    }
    let mask = plan.child_mask.as_ref().unwrap_or(&plan.mask);
    // SAFETY: a valid set (the parent's, saved before the clone, or the one asked for).
    unsafe { raw::rt_sigprocmask(g::SIG_SETMASK as c_int, &mask.0, core::ptr::null_mut(), 8, &mut e) };

    // SAFETY: the parent's C strings and null-terminated arrays.
    unsafe { exec_first(plan.candidates, plan.argv, plan.envp) }
}

/// A running (or ended, not yet waited for) child process.
#[derive(Debug)]
pub struct Child {
    pid: i32,
    /// The parent's end of the child's standard input, if piped.
    pub stdin: Option<OwnedFd>,
    /// The parent's end of the child's standard output, if piped.
    pub stdout: Option<OwnedFd>,
    /// The parent's end of the child's standard error, if piped.
    pub stderr: Option<OwnedFd>,
    status: Option<ExitStatus>,
}

/// What [`Command::output`] collected.
#[derive(Debug)]
pub struct Output {
    /// How the child ended.
    pub status: ExitStatus,
    /// Everything it wrote to standard output (if piped).
    pub stdout: Vec<u8>,
    /// Everything it wrote to standard error (if piped).
    pub stderr: Vec<u8>,
}

impl Child {
    /// The child's process ID.
    pub fn id(&self) -> i32 {
        self.pid
    }

    /// Closes standard input (if piped) and waits for the child to end.
    /// Waiting again returns the same status.
    pub fn wait(&mut self) -> Result<ExitStatus, Errno> {
        drop(self.stdin.take());
        if let Some(s) = self.status {
            return Ok(s);
        }
        let s = wait_pid(self.pid, false)?.ok_or(Errno::ECHILD)?;
        self.status = Some(s);
        Ok(s)
    }

    /// The status if the child has ended, without waiting.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>, Errno> {
        if self.status.is_none() {
            self.status = wait_pid(self.pid, true)?;
        }
        Ok(self.status)
    }

    /// Sends `sig` to the child; `ESRCH`-free once it ended and was waited
    /// for (then it does nothing), since its ID may belong to another
    /// process by then.
    pub fn signal(&self, sig: u32) -> Result<(), Errno> {
        if self.status.is_some() {
            return Ok(());
        }
        crate::signal::kill(self.pid, sig)
    }

    /// Sends `SIGKILL`.
    pub fn kill(&self) -> Result<(), Errno> {
        self.signal(g::SIGKILL)
    }

    /// A pidfd for the child (5.3; `ENOSYS` below, where a program waits
    /// with [`Child::wait`] and learns of the end from `SIGCHLD`): readable
    /// when the child ends, for [`crate::event::poll`] and
    /// [`crate::event::Epoll`].
    ///
    /// `pidfd_open(2)`: <https://man7.org/linux/man-pages/man2/pidfd_open.2.html>
    pub fn pidfd(&self) -> Result<OwnedFd, Errno> {
        // Our child, not yet waited for: its ID cannot have been reused.
        pidfd_open(self.pid)
    }

    /// Reads standard output and error to the end (both at once, so
    /// neither pipe fills), then waits.
    pub fn wait_with_output(mut self) -> Result<Output, Errno> {
        drop(self.stdin.take());
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let mut open = [self.stdout.take(), self.stderr.take()];
        let mut buf = alloc::vec![0u8; 16 * 1024];
        while open.iter().any(Option::is_some) {
            use crate::event::{PollFd, PollFlags, poll};
            let mut fds: Vec<PollFd<'_>> = Vec::new();
            let mut which = Vec::new();
            for (i, fd) in open.iter().enumerate() {
                if let Some(fd) = fd {
                    fds.push(PollFd::new(fd.as_fd(), PollFlags::IN));
                    which.push(i);
                }
            }
            match poll(&mut fds, None) {
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e),
                Ok(_) => {}
            }
            let ready: Vec<usize> =
                fds.iter().zip(&which).filter(|(p, _)| !p.revents().is_empty()).map(|(_, &i)| i).collect();
            drop(fds);
            for i in ready {
                let fd = open[i].as_ref().ok_or(Errno::EBADF)?;
                match crate::io::read(fd, &mut buf) {
                    Ok(0) => open[i] = None,
                    Ok(n) => (if i == 0 { &mut stdout } else { &mut stderr }).extend_from_slice(&buf[..n]),
                    Err(Errno::EINTR | Errno::EAGAIN) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let status = self.wait()?;
        Ok(Output { status, stdout, stderr })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: Result<Vec<Vec<u8>>, Errno>) -> Result<Vec<alloc::string::String>, Errno> {
        list.map(|l| l.iter().map(|c| alloc::string::String::from_utf8_lossy(c).into_owned()).collect())
    }

    #[test]
    fn fdinfo_pid_fields() {
        assert_eq!(
            fdinfo_pid(b"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1055\nPid:\t4242\nNSpid:\t4242\n"),
            Ok(4242)
        );
        assert_eq!(fdinfo_pid(b"Pid:\t-1\n"), Err(Errno::ESRCH));
        assert_eq!(fdinfo_pid(b"Pid:\t0\n"), Err(Errno::EREMOTE));
        assert_eq!(fdinfo_pid(b"pos:\t0\nflags:\t02\n"), Err(Errno::EBADF));
        assert_eq!(fdinfo_pid(b"Pid:\tx1\n"), Err(Errno::EIO));
    }

    #[test]
    fn program_candidates_follow_execvp() {
        let found = |program: &[u8], path: Option<&[u8]>| strings(program_candidates(program, path));
        assert_eq!(found(b"ls", Some(b"/a:/b/c")), Ok(alloc::vec!["/a/ls\0".into(), "/b/c/ls\0".into()]));
        assert_eq!(found(b"ls", Some(b":/a:")), Ok(alloc::vec!["./ls\0".into(), "/a/ls\0".into(), "./ls\0".into()]));
        assert_eq!(found(b"ls", None), Ok(alloc::vec!["/bin/ls\0".into(), "/usr/bin/ls\0".into()]));
        assert_eq!(found(b"./ls", Some(b"/a")), Ok(alloc::vec!["./ls\0".into()]));
        assert_eq!(found(b"", Some(b"/a")), Err(Errno::ENOENT));
        assert_eq!(found(b"l\0s", Some(b"/a")), Err(Errno::EINVAL));
    }
}
