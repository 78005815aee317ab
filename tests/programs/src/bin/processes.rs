//! Child processes, checked from inside: `Command` (PATH lookup, exit
//! codes and signals, exec errors reported as errno, piped and null
//! standard descriptors, environment as bytes, working directory, process
//! groups, credentials, resource limits, what descriptors a child gets),
//! `fork` while other threads allocate and print, and pidfds where the
//! kernel has them.
//!
//! The children are the machine's own `/bin/sh` and tools, which the
//! kernel runs directly even when this program runs under qemu-user.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::ffi::CStr;
use core::sync::atomic::{AtomicBool, Ordering};
use sys_layer::event::{PollFd, PollFlags, poll};
use sys_layer::fd::{AsFd, AsRawFd};
use sys_layer::process::{self, Command, Fork, Stdio};
use sys_layer::time::Timespec;
use sys_layer::{Errno, fs, io, thread};
use sys_layer_tests::Checks;

sys_layer::main!(main);

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script);
    c
}

fn read_all(fd: impl AsFd) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match io::read(&fd, &mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

fn statuses(t: &mut Checks) {
    let s = sh("exit 3").status();
    t.eq("exit code", s.map(|s| (s.code(), s.success())), Ok((Some(3), false)));
    let s = sh("exit 0").status();
    t.eq("exit 0 is success", s.map(|s| s.success()), Ok(true));
    let s = sh("kill -TERM $$").status();
    t.eq("killed by a signal", s.map(|s| (s.code(), s.signal())), Ok((None, Some(15))));
    if let Ok(s) = s {
        t.eq("status prints as std's", alloc::format!("{s}"), "signal: 15 (SIGTERM)".into());
    }
    let s = sh("exit 1").status();
    if let Ok(s) = s {
        t.eq("exit status prints as std's", alloc::format!("{s}"), "exit status: 1".into());
    }
}

fn exec_errors(t: &mut Checks) {
    t.eq("missing program on PATH", Command::new("no-such-program-here").spawn().map(|c| c.id()), Err(Errno::ENOENT));
    t.eq("missing path", Command::new("/no/such/program").spawn().map(|c| c.id()), Err(Errno::ENOENT));
    t.eq("not executable", Command::new("/etc/passwd").spawn().map(|c| c.id()), Err(Errno::EACCES));
    t.eq("NUL inside an argument", sh("true").arg("a\0b").spawn().map(|c| c.id()), Err(Errno::EINVAL));
    t.eq("missing directory", sh("true").current_dir("/no/such/dir").spawn().map(|c| c.id()), Err(Errno::ENOENT));
}

fn pipes_and_output(t: &mut Checks) {
    let out = sh("printf out; printf err >&2; exit 4").output();
    t.eq(
        "output collects both streams",
        out.map(|o| (o.stdout, o.stderr, o.status.code())),
        Ok((b"out".to_vec(), b"err".to_vec(), Some(4))),
    );
    // 1 MiB through cat and back: written by a thread while this one reads,
    // so neither pipe fills.
    let child = Command::new("cat").stdin(Stdio::Piped).stdout(Stdio::Piped).spawn();
    let Ok(mut child) = child else {
        t.check("cat spawns", false, format_args!("{:?}", child.map(|c| c.id())));
        return;
    };
    let input = child.stdin.take();
    let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 7 + i / 1000) as u8).collect();
    let expect = data.clone();
    let writer = thread::spawn(move || input.map(|fd| io::write_all(&fd, &data)));
    let got = child.stdout.take().map(read_all).unwrap_or_default();
    let wrote = writer.map(|h| h.join());
    t.check(
        "1 MiB through cat",
        got == expect && matches!(wrote, Ok(Some(Ok(())))),
        format_args!("{} bytes", got.len()),
    );
    t.eq("cat exits 0", child.wait().map(|s| s.code()), Ok(Some(0)));
    let out = sh("cat").stdin(Stdio::Null).output();
    t.eq("stdin from /dev/null", out.map(|o| o.stdout), Ok(Vec::new()));
}

fn environment_and_directory(t: &mut Checks) {
    let out = sh("printf '%s|%s' \"$A\" \"${HOME-unset}\"").env_clear().env("A", b"x\xffy").output();
    t.eq("env_clear and a non-UTF-8 value", out.map(|o| o.stdout), Ok(b"x\xffy|unset".to_vec()));
    let out = sh("printf %s \"$B\"").env("B", "1").env("B", "2").output();
    t.eq("the last env wins", out.map(|o| o.stdout), Ok(b"2".to_vec()));
    // An inherited variable the shell does not set itself.
    let shell_sets = [&b"PATH"[..], b"PWD", b"OLDPWD", b"IFS", b"PS1", b"PS2", b"PS4", b"OPTIND", b"PPID"];
    let inherited = sys_layer::env::vars()
        .filter_map(|v| v.to_bytes().split(|&b| b == b'=').next().map(<[u8]>::to_vec))
        .find(|name| !shell_sets.contains(&&name[..]) && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_'));
    if let Some(name) = inherited {
        let name = core::str::from_utf8(&name).unwrap_or("X");
        let script = alloc::format!("printf %s \"${{{name}+set}}\"");
        let kept = sh(&script).output().map(|o| o.stdout);
        let removed = sh(&script).env_remove(name).output().map(|o| o.stdout);
        t.eq("env_remove of an inherited variable", (kept, removed), (Ok(b"set".to_vec()), Ok(Vec::new())));
    }
    let out = sh("pwd").current_dir("/").output();
    t.eq("current_dir", out.map(|o| o.stdout), Ok(b"/\n".to_vec()));
    t.eq("env name with '='", sh("true").env("A=B", "c").spawn().map(|c| c.id()), Err(Errno::EINVAL));
}

fn descriptors(t: &mut Checks) {
    // A descriptor of ours (close-on-exec by default) is not the child's.
    let file = fs::open(c"/etc/passwd", fs::OFlags::RDONLY, fs::Mode::empty());
    if let Ok(file) = &file {
        let script = alloc::format!("test -e /dev/fd/{}", file.as_raw_fd());
        t.eq("a child gets only 0, 1, 2", sh(&script).status().map(|s| s.code()), Ok(Some(1)));
    }
    // A descriptor passed on purpose, as number 5 in the child.
    if let Ok((r, w)) = sys_layer::fd::pipe() {
        let s = sh("echo via-five >&5").fd(5, w).status();
        t.eq(
            "Command::fd passes a descriptor",
            (s.map(|s| s.code()), read_all(&r)),
            (Ok(Some(0)), b"via-five\n".to_vec()),
        );
    }
    t.eq(
        "Command::fd refuses 0-2",
        sh("true")
            .fd(1, fs::open(c"/dev/null", fs::OFlags::RDONLY, fs::Mode::empty()).unwrap())
            .spawn()
            .map(|c| c.id()),
        Err(Errno::EINVAL),
    );
    // Standard output into a file the parent opened.
    let path = c"/tmp/sys-layer-processes-out";
    let out = fs::open(path, fs::OFlags::WRONLY | fs::OFlags::CREAT | fs::OFlags::TRUNC, fs::Mode::FILE_DEFAULT);
    if let Ok(out) = out {
        let s = sh("echo into-file").stdout(Stdio::Fd(out)).status();
        let back = fs::open(path, fs::OFlags::RDONLY, fs::Mode::empty()).map(read_all);
        t.eq("stdout to a descriptor", (s.map(|s| s.code()), back), (Ok(Some(0)), Ok(b"into-file\n".to_vec())));
        let _ = fs::unlink(path);
    }
}

/// Credentials: as root, the child runs as nobody with the groups asked
/// for (and none of root's when none are); otherwise taking root is refused.
fn credentials(t: &mut Checks) {
    let ids = "printf '%s %s %s' $(id -u) $(id -g) \"$(id -G)\"";
    if process::geteuid() == 0 {
        let out = sh(ids).uid(65534).gid(65534).output().map(|o| o.stdout);
        t.eq("uid and gid, root's groups dropped", out, Ok(b"65534 65534 65534".to_vec()));
        let out = sh(ids).uid(65534).gid(65534).groups(&[65534, 100]).output().map(|o| o.stdout);
        t.eq("uid, gid and groups", out, Ok(b"65534 65534 65534 100".to_vec()));
    } else {
        t.eq("uid 0 refused to a user", sh("true").uid(0).spawn().map(|c| c.id()), Err(Errno::EPERM));
    }
}

/// Resource limits, set in the child before it runs the program: lowered
/// ones reach it, a soft limit above the hard one is the kernel's `EINVAL`,
/// reported by `spawn`. The child reads them from `/proc/self/limits`
/// (a shell's `ulimit` calls `prlimit64`, which the simulated kernels
/// below 2.6.36 lack).
fn limits(t: &mut Checks) {
    // The soft and hard values of the /proc/self/limits lines in `out`.
    fn values(out: Result<process::Output, Errno>) -> Result<Vec<Vec<u8>>, Errno> {
        let out = out?.stdout;
        let numbers = |line: &[u8]| -> Vec<Vec<u8>> {
            line.split(|&b| b == b' ')
                .filter(|w| !w.is_empty() && w.iter().all(u8::is_ascii_digit))
                .map(<[u8]>::to_vec)
                .collect()
        };
        Ok(out.split(|&b| b == b'\n').filter(|l| l.starts_with(b"Max ")).flat_map(numbers).collect())
    }
    let want = |v: &[&str]| Ok(v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>());
    let nofile = linux_raw_sys::general::RLIMIT_NOFILE;
    let core = linux_raw_sys::general::RLIMIT_CORE;
    let read = "grep '^Max open files' /proc/self/limits";
    let out = sh(read).rlimit(nofile, 64, 128).output();
    t.eq("soft and hard limits in the child", values(out), want(&["64", "128"]));
    let own = process::getrlimit(nofile);
    t.check("the parent's limits unchanged", own.is_ok_and(|(soft, _)| soft != 64), format_args!("{own:?}"));
    // /proc/self/limits has the core size before the open files.
    let both = "grep -e '^Max core file size' -e '^Max open files' /proc/self/limits";
    let out = sh(both).rlimit(core, 0, 0).rlimit(nofile, 32, 32).output();
    t.eq("several limits", values(out), want(&["0", "0", "32", "32"]));
    let refused = sh("true").rlimit(nofile, 128, 64).spawn().map(|c| c.id());
    t.eq("soft above hard refused", refused, Err(Errno::EINVAL));
    if process::geteuid() == 0 {
        // As root, with another user: the limits reach the program it runs.
        let script = alloc::format!("{read}; id -u");
        let out = sh(&script).rlimit(nofile, 48, 96).uid(65534).gid(65534).output();
        let uid = out.as_ref().map(|o| o.stdout.ends_with(b"\n65534\n")).unwrap_or(false);
        t.check("limits with another user: the user", uid, format_args!("{out:?}"));
        t.eq("limits with another user", values(out), want(&["48", "96"]));
    }
}

/// The fifth field of /proc/PID/stat: the process group.
fn process_group_of(pid: i32) -> Option<i32> {
    let path = alloc::format!("/proc/{pid}/stat\0");
    let path = core::ffi::CStr::from_bytes_with_nul(path.as_bytes()).ok()?;
    let text = read_all(fs::open(path, fs::OFlags::RDONLY, fs::Mode::empty()).ok()?);
    let after_name = text.iter().rposition(|&b| b == b')')?;
    let fields: Vec<&[u8]> = text[after_name + 2..].split(|&b| b == b' ').collect();
    core::str::from_utf8(fields.get(2)?).ok()?.parse().ok()
}

fn groups_and_waiting(t: &mut Checks) {
    let child = Command::new("cat").stdin(Stdio::Piped).process_group(0).spawn();
    let Ok(mut child) = child else { return t.check("process group child", false, format_args!("no spawn")) };
    // The group is set in the child before execve, which spawn waited for.
    t.eq("process_group(0) leads its own group", process_group_of(child.id()), Some(child.id()));
    t.eq("try_wait while running", child.try_wait(), Ok(None));
    t.eq("wait after closing stdin", child.wait().map(|s| s.code()), Ok(Some(0)));
    t.eq("wait twice gives the same", child.wait().map(|s| s.code()), Ok(Some(0)));

    let child = Command::new("sleep").arg("30").spawn();
    if let Ok(mut child) = child {
        let _ = child.kill();
        t.eq("kill", child.wait().map(|s| s.signal()), Ok(Some(9)));
    }
}

fn pidfds(t: &mut Checks) {
    let Ok(mut child) = Command::new("cat").stdin(Stdio::Piped).spawn() else { return };
    match child.pidfd() {
        Ok(pidfd) => {
            let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::IN)];
            let before = poll(&mut fds, Some(Timespec::from_millis(0)));
            drop(child.stdin.take());
            let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::IN)];
            let after = poll(&mut fds, Some(Timespec::from_secs(20)));
            t.eq("pidfd readable once the child ends", (before, after), (Ok(0), Ok(1)));
            t.eq("pidfd_pid of an ended child", process::pidfd_pid(&pidfd), Ok(child.id()));
            let _ = child.wait();
            t.eq("pidfd_pid once waited for", process::pidfd_pid(&pidfd), Err(Errno::ESRCH));
            let pipe = sys_layer::fd::pipe().map(|(r, _)| r);
            t.eq("pidfd_pid of a pipe", pipe.and_then(process::pidfd_pid), Err(Errno::EBADF));
        }
        Err(e) => {
            let k = sys_layer::rt::bind_report().kernel.version;
            let old = k.is_some_and(|k| k < sys_layer::rt::KernelVersion::new(5, 3, 0));
            t.check("pidfd_open missing only before 5.3", e == Errno::ENOSYS && old, format_args!("{e:?} on {k:?}"));
        }
    }
    let _ = child.wait();
}

static STOP: AtomicBool = AtomicBool::new(false);

/// `fork` while other threads allocate: each child allocates, prints and
/// exits; none may hang on a lock another thread held.
fn fork_under_threads(t: &mut Checks) {
    let workers: Vec<_> = (0..2)
        .filter_map(|_| {
            thread::spawn(|| {
                let mut n = 0u64;
                while !STOP.load(Ordering::Relaxed) {
                    let v: Vec<u64> = (0..64).collect();
                    n += v.iter().sum::<u64>();
                }
                n
            })
            .ok()
        })
        .collect();
    let mut good = 0;
    for round in 0..50 {
        let Ok((r, w)) = sys_layer::fd::pipe() else { break };
        // SAFETY: the child uses only the allocator, a pipe and exit.
        match unsafe { process::fork() } {
            Ok(Fork::Child) => {
                drop(r);
                let v: Vec<u32> = (0..1000).collect();
                let msg = alloc::format!("child {round} {}", v.iter().sum::<u32>());
                let _ = io::write_all(&w, msg.as_bytes());
                process::exit(7);
            }
            Ok(Fork::Parent(pid)) => {
                drop(w);
                let got = read_all(&r);
                let status = process::wait_pid(pid, false);
                if got == alloc::format!("child {round} 499500").into_bytes()
                    && matches!(status, Ok(Some(s)) if s.code() == Some(7))
                {
                    good += 1;
                }
            }
            Err(e) => {
                t.check("fork", false, format_args!("{e:?}"));
                break;
            }
        }
    }
    STOP.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    t.eq("50 forks beside allocating threads", good, 50);
}

/// Buffered standard output is written before `fork`, so the child does
/// not print it again: the integration test counts the line.
fn fork_flushes_stdout(t: &mut Checks) {
    sys_layer::print!("printed once before fork\n");
    // SAFETY: the child only exits.
    match unsafe { process::fork() } {
        Ok(Fork::Child) => process::exit(0),
        Ok(Fork::Parent(pid)) => {
            t.eq("fork child exits", process::wait_pid(pid, false).map(|s| s.map(|s| s.code())), Ok(Some(Some(0))))
        }
        Err(e) => t.check("fork", false, format_args!("{e:?}")),
    }
}

/// `fexecve` in a forked child: the program runs from an open descriptor.
/// `emulator_lacks_execveat`: qemu-user 7.2 has no `execveat` for riscv64
/// guests (whose first kernel has it, so no fallback applies): `ENOSYS`.
fn fexecve_in_a_child(t: &mut Checks, emulator_lacks_execveat: bool) {
    let Ok(shell) = fs::open(c"/bin/sh", fs::OFlags::RDONLY, fs::Mode::empty()) else { return };
    // SAFETY: the child only execs or exits.
    match unsafe { process::fork() } {
        Ok(Fork::Child) => {
            let argv = [c"sh".as_ptr(), c"-c".as_ptr(), c"exit 5".as_ptr(), core::ptr::null()];
            let envp = [core::ptr::null()];
            let e = process::fexecve(&shell, &argv, &envp);
            process::exit(100 + e.raw().min(100));
        }
        Ok(Fork::Parent(pid)) => {
            let want = if emulator_lacks_execveat { 100 + Errno::ENOSYS.raw() } else { 5 };
            let got = process::wait_pid(pid, false).map(|s| s.and_then(|s| s.code()));
            t.eq("fexecve runs an open program", got, Ok(Some(want)));
        }
        Err(e) => t.check("fork for fexecve", false, format_args!("{e:?}")),
    }
}

/// `execvp` in forked children: `sh` found in `PATH`; a missing name
/// gives `ENOENT` back.
fn execvp_in_children(t: &mut Checks) {
    let run = |program: &CStr| {
        // SAFETY: the child only execs or exits.
        match unsafe { process::fork() } {
            Ok(Fork::Child) => {
                let argv = [program.as_ptr(), c"-c".as_ptr(), c"exit 6".as_ptr(), core::ptr::null()];
                let envp = [core::ptr::null()];
                let e = process::execvp(program, &argv, &envp);
                process::exit(100 + e.raw().min(100))
            }
            Ok(Fork::Parent(pid)) => process::wait_pid(pid, false).map(|s| s.and_then(|s| s.code())),
            Err(e) => Err(e),
        }
    };
    t.eq("execvp finds sh in PATH", run(c"sh"), Ok(Some(6)));
    t.eq("execvp of a missing program", run(c"no-such-program-here"), Ok(Some(100 + Errno::ENOENT.raw())));
}

fn main(args: sys_layer::env::Args, _: sys_layer::env::Vars) -> i32 {
    let emulator_lacks_execveat = args.skip(1).any(|a| a.to_bytes() == b"emulator-lacks-execveat");
    let mut t = Checks::default();
    statuses(&mut t);
    exec_errors(&mut t);
    pipes_and_output(&mut t);
    environment_and_directory(&mut t);
    descriptors(&mut t);
    credentials(&mut t);
    limits(&mut t);
    groups_and_waiting(&mut t);
    pidfds(&mut t);
    fork_under_threads(&mut t);
    fork_flushes_stdout(&mut t);
    fexecve_in_a_child(&mut t, emulator_lacks_execveat);
    execvp_in_children(&mut t);
    t.finish()
}
