//! kernel-sim: runs a program as if on an older Linux kernel.
//!
//! ```text
//! kernel-sim --kernel 3.2 [--release STRING] [--answer NAME=ERRNO]... [--list] -- PROGRAM [ARGS...]
//! ```
//!
//! The program (and everything it starts) runs under a seccomp filter that
//! answers every system call newer than the simulated kernel with `ENOSYS`
//! (first versions from data/syscall_versions.csv) and hands `uname(2)` to
//! this supervisor, which writes a `utsname` whose release is the simulated
//! one into the program's memory. It also sets `SYS_LAYER_ASSUME_KERNEL`
//! to the simulated version: sys-layer programs read their kernel's version
//! from the vDSO's note, which no filter can change, and lower it to that
//! variable's. The exit status is passed on; a program
//! killed by a signal makes kernel-sim die of the same signal. `SIGTERM`,
//! `SIGINT`, `SIGHUP`, `SIGQUIT`, `SIGUSR1` and `SIGUSR2` sent to kernel-sim
//! are passed on to the program.
//!
//! `--answer NAME=ERRNO` makes the filter answer a system call itself, as a
//! container's filter would: `--answer renameat2=EPERM` refuses it with
//! `EPERM`, `--answer mseal=0` fakes success without running it.
//!
//! Needs a host kernel with seccomp user notification (5.0) and
//! `SECCOMP_USER_NOTIF_FLAG_CONTINUE` (5.5). Programs of the architecture
//! it is built for are filtered (x86_64, or aarch64 or riscv64 when built
//! for them, as ci/real-kernels.sh does for its guests), and on x86_64 i686 programs too
//! (with their own numbers and the differences in
//! data/syscall_versions_i386.csv).

use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::process::exit;
use sys_layer_kernel_sim::*;

/// Exit status when kernel-sim itself cannot run the program.
const SIM_FAILURE: i32 = 125;

struct Options {
    kernel: Version,
    release: String,
    list: bool,
    /// `(x86_64 number, i386 number, errno)` per `--answer`.
    answers: Vec<(Option<u32>, Option<u32>, u32)>,
    command: Vec<OsString>,
}

fn usage(problem: &str) -> ! {
    eprintln!("kernel-sim: {problem}");
    eprintln!(
        "usage: kernel-sim --kernel VERSION [--release STRING] [--answer NAME=ERRNO]... [--list] -- PROGRAM [ARGS...]"
    );
    exit(2)
}

fn parse_options() -> Options {
    let mut args = std::env::args_os().skip(1);
    let (mut kernel, mut release, mut list) = (None, None, false);
    let mut answers = Vec::new();
    let mut command = Vec::new();
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--kernel") => {
                let v = args.next().unwrap_or_else(|| usage("--kernel needs a version"));
                let v = v.to_str().unwrap_or_else(|| usage("the version is not UTF-8"));
                kernel = Some(Version::parse(v).unwrap_or_else(|| usage(&format!("{v:?} is not a kernel version"))));
            }
            Some("--release") => {
                let r = args.next().unwrap_or_else(|| usage("--release needs a string"));
                release = Some(r.to_str().unwrap_or_else(|| usage("the release is not UTF-8")).to_owned());
            }
            Some("--list") => list = true,
            Some("--answer") => {
                let a = args.next().unwrap_or_else(|| usage("--answer needs NAME=ERRNO"));
                let a = a.to_str().unwrap_or_else(|| usage("the answer is not UTF-8"));
                answers.push(parse_answer(a).unwrap_or_else(|| {
                    usage(&format!("{a:?}: expected NAME=ERRNO with a known system call and an errno number or name"))
                }));
            }
            Some("--") => {
                command.extend(args.by_ref());
                break;
            }
            _ => usage(&format!("unexpected argument {arg:?}")),
        }
    }
    let kernel = kernel.unwrap_or_else(|| usage("--kernel is required"));
    let release = release.unwrap_or_else(|| format!("{kernel}-kernel-sim"));
    if release.len() >= 65 {
        usage("the release string must be shorter than 65 bytes");
    }
    if command.is_empty() && !list {
        usage("no program given");
    }
    Options { kernel, release, list, answers, command }
}

fn main() {
    let opts = parse_options();
    let versions = first_versions(SYSCALL_VERSIONS_CSV);
    let i386_versions = first_versions(SYSCALL_VERSIONS_I386_CSV);
    let missing = missing_syscalls(opts.kernel, &versions);
    let missing_i386 = missing_syscalls_i386(opts.kernel, &versions, &i386_versions);
    if opts.list {
        for (nr, name) in &missing {
            println!("{}\t{nr}\t{name}\t{}", std::env::consts::ARCH, versions[*name]);
        }
        for (nr, name) in &missing_i386 {
            println!("i386\t{nr}\t{name}\t{}", i386_versions.get(*name).unwrap_or_else(|| &versions[*name]));
        }
        if opts.command.is_empty() {
            return;
        }
    }
    /// `uname` (newuname) on i386.
    const I386_UNAME: u32 = 122;
    let rules = [
        ArchRule {
            audit_arch: NATIVE_AUDIT_ARCH,
            answer: opts
                .answers
                .iter()
                .filter_map(|&(nr, _, errno)| Some((nr?, errno)))
                .chain(missing.iter().map(|&(nr, _)| (nr, libc::ENOSYS as u32)))
                .collect(),
            notify: vec![libc::SYS_uname as u32],
        },
        ArchRule {
            audit_arch: AUDIT_ARCH_I386,
            answer: opts
                .answers
                .iter()
                .filter_map(|&(_, nr, errno)| Some((nr?, errno)))
                .chain(missing_i386.iter().map(|&(nr, _)| (nr, libc::ENOSYS as u32)))
                .collect(),
            notify: vec![I386_UNAME],
        },
    ];
    let filter = build_filter(&rules);
    let utsname = fake_utsname(&opts.release);
    // The vDSO's version note tells the real kernel whatever uname says;
    // sys-layer programs take the simulated one from this variable (as
    // glibc takes LD_ASSUME_KERNEL), and their children inherit it.
    // SAFETY: still single-threaded: the supervisor thread starts later.
    unsafe { std::env::set_var("SYS_LAYER_ASSUME_KERNEL", opts.kernel.to_string()) };
    match run(&opts.command, &filter, utsname) {
        Ok(status) => pass_on(status),
        Err(e) => {
            eprintln!("kernel-sim: {e}");
            exit(SIM_FAILURE)
        }
    }
}

/// The host's utsname with the release (and version) replaced.
fn fake_utsname(release: &str) -> libc::utsname {
    // SAFETY: uname fills the struct.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: u is a writable utsname.
    unsafe { libc::uname(&mut u) };
    let put = |field: &mut [libc::c_char], text: &str| {
        field.fill(0);
        for (d, s) in field.iter_mut().zip(text.bytes().take(64)) {
            *d = s as libc::c_char;
        }
    };
    put(&mut u.release, release);
    put(&mut u.version, "#1 SMP (simulated by sys-layer kernel-sim)");
    u
}

fn os_error(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

/// Starts the program under the filter, supervises it, and returns its
/// wait status.
fn run(command: &[OsString], filter: &[libc::sock_filter], utsname: libc::utsname) -> Result<i32, String> {
    let program = CString::new(command[0].as_bytes()).map_err(|_| "program name has a NUL byte")?;
    let args: Vec<CString> =
        command.iter().map(|a| CString::new(a.as_bytes())).collect::<Result<_, _>>().map_err(|_| "NUL in argument")?;
    let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let prog = libc::sock_fprog { len: filter.len() as u16, filter: filter.as_ptr() as *mut _ };

    let mut sv = [0; 2];
    // SAFETY: sv has room for two descriptors.
    if unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC, 0, sv.as_mut_ptr()) } != 0 {
        return Err(os_error("socketpair"));
    }
    // SAFETY: the child only makes async-signal-safe calls before execvp.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(os_error("fork"));
    }
    if pid == 0 {
        // SAFETY: in the child, before exec; every pointer was prepared
        // before fork.
        unsafe { child(sv[1], &prog, &program, &argv) }
    }
    forward_signals_to(pid);
    // SAFETY: closing our copy of the child's end.
    unsafe { libc::close(sv[1]) };
    let listener = receive_fd(sv[0]);
    // SAFETY: our end is no longer needed.
    unsafe { libc::close(sv[0]) };
    let supervisor = listener.map(|fd| std::thread::spawn(move || supervise(fd, utsname)));
    let mut status = 0;
    // SAFETY: waits for our own child.
    while unsafe { libc::waitpid(pid, &mut status, 0) } < 0 {
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return Err(os_error("waitpid"));
        }
    }
    if let Some(handle) = supervisor {
        let _ = handle.join();
    }
    Ok(status)
}

/// The program's process ID, for [`forward`].
static PROGRAM_PID: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Passes a signal sent to kernel-sim on to the program (as a shell's
/// `exec` would let it arrive there directly).
extern "C" fn forward(sig: libc::c_int) {
    let pid = PROGRAM_PID.load(std::sync::atomic::Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(pid, sig) };
    }
}

/// Forwards the signals a test or a user sends to stop or poke a program:
/// `SIGTERM`, `SIGINT`, `SIGHUP`, `SIGQUIT`, `SIGUSR1`, `SIGUSR2`.
fn forward_signals_to(pid: i32) {
    PROGRAM_PID.store(pid, std::sync::atomic::Ordering::Relaxed);
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT, libc::SIGUSR1, libc::SIGUSR2] {
        // SAFETY: an async-signal-safe handler; SA_RESTART keeps waitpid going.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = forward as *const () as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// The child: install the filter, send the listener to the parent, exec.
///
/// # Safety
/// Only call in a freshly forked child.
unsafe fn child(sock: i32, prog: &libc::sock_fprog, program: &CString, argv: &[*const libc::c_char]) -> ! {
    let fail = |msg: &[u8]| -> ! {
        // SAFETY: write and _exit are async-signal-safe.
        unsafe {
            libc::write(2, msg.as_ptr().cast(), msg.len());
            libc::_exit(SIM_FAILURE)
        }
    };
    // SAFETY: plain system calls on valid arguments.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            fail(b"kernel-sim: prctl(PR_SET_NO_NEW_PRIVS) failed\n");
        }
        let fd = libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
            prog as *const libc::sock_fprog,
        );
        if fd < 0 {
            fail(b"kernel-sim: seccomp with a user-notification listener failed (host kernel 5.0+ needed)\n");
        }
        if !send_fd(sock, fd as i32) {
            fail(b"kernel-sim: could not pass the listener to the supervisor\n");
        }
        libc::close(fd as i32);
        libc::close(sock);
        // Rust's start-up ignores SIGPIPE in kernel-sim; the program gets
        // the default back, as std's Command gives it (a program whose
        // reader went away dies of it, as when run directly).
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::execvp(program.as_ptr(), argv.as_ptr());
        fail(b"kernel-sim: exec failed\n")
    }
}

/// Sends one descriptor over a Unix socket (SCM_RIGHTS). Async-signal-safe.
fn send_fd(sock: i32, fd: i32) -> bool {
    let mut byte = 0u8;
    let mut iov = libc::iovec { iov_base: (&raw mut byte).cast(), iov_len: 1 };
    let mut cmsg_buf = [0u64; 4];
    // SAFETY: the header and buffers are valid for the call; CMSG macros
    // stay within cmsg_buf.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cmsg_buf.as_mut_ptr().cast();
        msg.msg_controllen = libc::CMSG_SPACE(4) as _; // usize in glibc, u32 in musl
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(4) as _;
        libc::CMSG_DATA(cmsg).cast::<i32>().write_unaligned(fd);
        libc::sendmsg(sock, &msg, 0) == 1
    }
}

/// Receives the descriptor the child sends; `None` if it sent none (it
/// failed and says why on stderr).
fn receive_fd(sock: i32) -> Option<i32> {
    let mut byte = 0u8;
    let mut iov = libc::iovec { iov_base: (&raw mut byte).cast(), iov_len: 1 };
    let mut cmsg_buf = [0u64; 4];
    // SAFETY: as in send_fd.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cmsg_buf.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&cmsg_buf) as _;
        if libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) != 1 {
            return None;
        }
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        if cmsg.is_null() || (*cmsg).cmsg_type != libc::SCM_RIGHTS {
            return None;
        }
        Some(libc::CMSG_DATA(cmsg).cast::<i32>().read_unaligned())
    }
}

/// Answers notifications until every process under the filter is gone.
fn supervise(listener: i32, utsname: libc::utsname) {
    loop {
        let mut pfd = libc::pollfd { fd: listener, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, -1) };
        if n < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            break;
        }
        if pfd.revents & libc::POLLIN == 0 {
            break; // POLLHUP: no task uses the filter any more.
        }
        // SAFETY: zeroed as the ioctl requires.
        let mut req: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: req is the struct this ioctl fills.
        if unsafe { libc::ioctl(listener, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut req) } != 0 {
            continue; // the task died between poll and receive
        }
        let mut resp = libc::seccomp_notif_resp { id: req.id, val: 0, error: 0, flags: 0 };
        // The filter only notifies uname, of either architecture.
        if req.data.arch == NATIVE_AUDIT_ARCH || req.data.arch == AUDIT_ARCH_I386 {
            if !write_to(req.pid as i32, req.data.args[0] as usize, &utsname) {
                resp.error = -libc::EFAULT;
            }
        } else {
            resp.flags = libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32;
        }
        // SAFETY: resp answers the request just received; ENOENT (the task
        // is gone) needs no handling.
        unsafe { libc::ioctl(listener, libc::SECCOMP_IOCTL_NOTIF_SEND, &mut resp) };
    }
    // SAFETY: closing our listener.
    unsafe { libc::close(listener) };
}

/// Writes `value` into process `pid` at `addr`.
fn write_to<T>(pid: i32, addr: usize, value: &T) -> bool {
    let len = std::mem::size_of::<T>();
    let local = libc::iovec { iov_base: (value as *const T).cast_mut().cast(), iov_len: len };
    let remote = libc::iovec { iov_base: addr as *mut _, iov_len: len };
    // SAFETY: reads only our own value; the kernel checks the remote range.
    unsafe { libc::process_vm_writev(pid, &local, 1, &remote, 1, 0) == len as isize }
}

/// Exits as the program did: same exit code, or same fatal signal.
fn pass_on(status: i32) -> ! {
    if libc::WIFEXITED(status) {
        exit(libc::WEXITSTATUS(status));
    }
    if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        // SAFETY: restore the default action, no core file, then die of it.
        unsafe {
            let nocore = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::setrlimit(libc::RLIMIT_CORE, &nocore);
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
        exit(128 + sig);
    }
    exit(SIM_FAILURE)
}
