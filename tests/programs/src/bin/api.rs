//! The library API end to end: each function once on its success path and
//! once on an error path, in a scratch directory given as the argument.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::ffi::CStr;
use sys_layer::fd::{self, AsFd};
use sys_layer::fs::{self, Mode, OFlags};
use sys_layer::io::{self, SeekFrom};
use sys_layer::path::CPath;
use sys_layer::time::{self, Clock, Timespec};
use sys_layer::{Errno, env, mm, process, rand};
use sys_layer_tests::Checks;

sys_layer::main!(main);

fn join(dir: &CStr, name: &str) -> CPath {
    let mut v: Vec<u8> = dir.to_bytes().to_vec();
    v.push(b'/');
    v.extend_from_slice(name.as_bytes());
    CPath::new(&v).expect("a short path")
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();
    let Some(dir) = args.clone().nth(1) else { return 2 };
    if dir.to_bytes() == b"denied" {
        return denied(args.clone().nth(2), t);
    }
    let file = join(dir, "file");
    let missing = join(dir, "missing/deeper");

    // Paths.
    t.eq("CPath rejects an interior NUL", CPath::new(b"a\0b").err(), Some(Errno::EINVAL));

    // Files and I/O.
    let f = fs::open(&file, OFlags::RDWR | OFlags::CREAT | OFlags::TRUNC, Mode::FILE_DEFAULT).expect("create");
    t.eq("new descriptors are close-on-exec", fd::is_cloexec(&f), Ok(true));
    t.eq("open a missing path", fs::open(&missing, fs::RDONLY, Mode::empty()).err(), Some(Errno::ENOENT));
    t.eq("write_all", io::write_all(&f, b"hello, world"), Ok(()));
    t.eq("pwrite", io::pwrite(&f, b"HELLO", 0), Ok(5));
    let mut buf = [0u8; 12];
    t.eq("pread", io::pread(&f, &mut buf, 0), Ok(12));
    t.eq("pread bytes", &buf, b"HELLO, world");
    t.eq("seek to start", io::seek(&f, SeekFrom::Start(7)), Ok(7));
    let (mut a, mut b) = ([0u8; 2], [0u8; 3]);
    t.eq("readv", io::readv(&f, &mut [&mut a, &mut b]), Ok(5));
    t.eq("readv bytes", (&a, &b), (b"wo", b"rld"));
    t.eq("seek past end is allowed", io::seek(&f, SeekFrom::End(10)), Ok(22));
    t.eq("seek before start", io::seek(&f, SeekFrom::Current(-100)).err(), Some(Errno::EINVAL));
    t.eq("writev", io::writev(&f, &[b"ab", b"cd"]), Ok(4));
    t.eq("ftruncate", io::ftruncate(&f, 3), Ok(()));
    t.eq("fstat size", fs::fstat(&f).map(|s| s.size), Ok(3));
    t.eq("fallocate", io::fallocate(&f, 0, 0, 8192), Ok(()));
    t.eq("fsync", io::fsync(&f), Ok(()));
    t.eq("fdatasync", io::fdatasync(&f), Ok(()));
    // The same calls on a descriptor that is not open.
    let mut one = [0u8; 1];
    t.eq("pread on a closed descriptor", io::pread(bad_fd(), &mut one, 0).err(), Some(Errno::EBADF));
    t.eq("pwrite on a closed descriptor", io::pwrite(bad_fd(), b"x", 0).err(), Some(Errno::EBADF));
    t.eq("readv on a closed descriptor", io::readv(bad_fd(), &mut [&mut one]).err(), Some(Errno::EBADF));
    t.eq("writev on a closed descriptor", io::writev(bad_fd(), &[b"x"]).err(), Some(Errno::EBADF));
    t.eq("fsync on a closed descriptor", io::fsync(bad_fd()).err(), Some(Errno::EBADF));
    t.eq("fdatasync on a closed descriptor", io::fdatasync(bad_fd()).err(), Some(Errno::EBADF));
    t.eq("ftruncate on a closed descriptor", io::ftruncate(bad_fd(), 0).err(), Some(Errno::EBADF));
    t.eq("fallocate on a closed descriptor", io::fallocate(bad_fd(), 0, 0, 1).err(), Some(Errno::EBADF));
    t.eq("fstat on a closed descriptor", fs::fstat(bad_fd()).err(), Some(Errno::EBADF));
    t.eq("set_cloexec on a closed descriptor", fd::set_cloexec(bad_fd(), true).err(), Some(Errno::EBADF));
    t.eq("status_flags on a closed descriptor", fd::status_flags(bad_fd()).err(), Some(Errno::EBADF));
    t.eq("fchdir on a closed descriptor", fs::fchdir(bad_fd()).err(), Some(Errno::EBADF));
    t.eq("chmod a missing path", fs::chmod(&missing, Mode::FILE_DEFAULT).err(), Some(Errno::ENOENT));
    t.eq("chown a missing path", fs::chown(&missing, None, None).err(), Some(Errno::ENOENT));
    t.eq(
        "set_times on a missing path",
        fs::set_times(&missing, fs::TimeSpec::Now, fs::TimeSpec::Now).err(),
        Some(Errno::ENOENT),
    );
    t.eq("symlink over an existing name", fs::symlink(c"x", &file).err(), Some(Errno::EEXIST));
    t.eq("hard_link to a missing file", fs::hard_link(&missing, &join(dir, "l")).err(), Some(Errno::ENOENT));
    t.eq("rmdir a missing directory", fs::rmdir(&missing).err(), Some(Errno::ENOENT));
    t.eq("mkdir under a missing directory", fs::mkdir(&missing, Mode::empty()).err(), Some(Errno::ENOENT));
    t.eq("rand into nothing", rand::fill(&mut []), Ok(()));
    let mut exact = [0u8; 16];
    t.eq(
        "read_exact past the end",
        io::seek(&f, SeekFrom::Start(8190)).and_then(|_| io::read_exact(&f, &mut exact)),
        Err(Errno::ENODATA),
    );

    // Metadata.
    let st = fs::stat(&file);
    t.check("stat", st.is_ok_and(|s| s.file_type() == fs::FileType::Regular && s.size == 8192), format_args!("{st:?}"));
    t.eq("stat a missing path", fs::stat(&missing).err(), Some(Errno::ENOENT));
    t.eq("chmod", fs::chmod(&file, Mode::from_bits_truncate(0o600)), Ok(()));
    t.eq("mode after chmod", fs::stat(&file).map(|s| s.permissions().bits()), Ok(0o600));
    t.eq("fchmod", fs::fchmod(&f, Mode::FILE_DEFAULT), Ok(()));
    t.eq("fchmod a closed descriptor", fs::fchmod(bad_fd(), Mode::FILE_DEFAULT).err(), Some(Errno::EBADF));
    t.eq("chown to the owner it has", fs::chown(&file, Some(process::geteuid()), None), Ok(()));
    t.eq("access F_OK", fs::access(&file, 0), Ok(()));
    t.eq("access a missing path", fs::access(&missing, 0).err(), Some(Errno::ENOENT));
    let when = Timespec { sec: 1_000_000_000, nsec: 5 };
    t.eq("set_times", fs::set_times(&file, fs::TimeSpec::Omit, fs::TimeSpec::At(when)), Ok(()));
    t.eq("mtime after set_times", fs::stat(&file).map(|s| s.mtime), Ok(when));

    // Directories and names.
    let sub = join(dir, "sub");
    t.eq("mkdir", fs::mkdir(&sub, Mode::from_bits_truncate(0o755)), Ok(()));
    t.eq("mkdir again", fs::mkdir(&sub, Mode::from_bits_truncate(0o755)).err(), Some(Errno::EEXIST));
    let link = join(dir, "sub/link");
    t.eq("symlink", fs::symlink(c"../file", &link), Ok(()));
    let mut target = [0u8; 64];
    t.eq("readlink", fs::readlink(&link, &mut target).map(|b| b.to_vec()), Ok(b"../file".to_vec()));
    t.eq("readlink of a file", fs::readlink(&file, &mut target).err(), Some(Errno::EINVAL));
    t.eq("lstat sees the link", fs::lstat(&link).map(|s| s.file_type()), Ok(fs::FileType::Symlink));
    let hard = join(dir, "sub/hard");
    t.eq("hard_link", fs::hard_link(&file, &hard), Ok(()));
    t.eq("nlink after hard_link", fs::stat(&file).map(|s| s.nlink), Ok(2));
    let renamed = join(dir, "sub/renamed");
    t.eq("rename", fs::rename(&hard, &renamed), Ok(()));
    t.eq("rename a missing name", fs::rename(&hard, &renamed).err(), Some(Errno::ENOENT));
    t.eq("rmdir a non-empty directory", fs::rmdir(&sub).err(), Some(Errno::ENOTEMPTY));
    t.eq("unlink", fs::unlink(&renamed), Ok(()));
    t.eq("unlink a directory", fs::unlink(&sub).err(), Some(Errno::EISDIR));
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut listing = fs::Dir::open(&sub).expect("open sub");
    while let Some(e) = listing.next_entry() {
        let e = e.expect("entry");
        let kind = e.file_type();
        names.push(e.name().to_bytes().to_vec());
        if e.name().to_bytes() == b"link" {
            t.eq("dir entry type", kind, Ok(fs::FileType::Symlink));
        }
    }
    names.sort();
    t.eq("dir listing", names, alloc::vec![b".".to_vec(), b"..".to_vec(), b"link".to_vec()]);
    t.eq("Dir::open on a file", fs::Dir::open(&file).err(), Some(Errno::ENOTDIR));
    t.eq("unlink the link", fs::unlink(&link), Ok(()));
    t.eq("rmdir", fs::rmdir(&sub), Ok(()));
    let mut cwd = [0u8; 4096];
    t.eq("chdir", fs::chdir(dir), Ok(()));
    t.eq("getcwd after chdir", fs::getcwd(&mut cwd).map(|c| c.to_bytes().to_vec()), Ok(dir.to_bytes().to_vec()));
    t.eq("getcwd into a small buffer", fs::getcwd(&mut cwd[..2]).err(), Some(Errno::ERANGE));
    t.eq("chdir to a file", fs::chdir(&file).err(), Some(Errno::ENOTDIR));
    let root = fs::Dir::open(c"/").expect("open /");
    t.eq("fchdir", fs::fchdir(&root), Ok(()));
    t.eq("getcwd after fchdir", fs::getcwd(&mut cwd).map(|c| c.to_bytes().to_vec()), Ok(b"/".to_vec()));

    // Descriptors.
    let d = fd::dup(&f).expect("dup");
    t.eq("dup is close-on-exec", fd::is_cloexec(&d), Ok(true));
    t.eq("set_cloexec off", fd::set_cloexec(&d, false).and_then(|_| fd::is_cloexec(&d)), Ok(false));
    t.eq("dup a closed descriptor", fd::dup(bad_fd()).err(), Some(Errno::EBADF));
    // SAFETY: 77 is not otherwise used by this program.
    let d3 = unsafe { fd::dup3(&f, 77, linux_raw_sys::general::O_CLOEXEC) };
    t.eq("dup3 onto 77", d3.as_ref().map(fd::is_cloexec), Ok(Ok(true)));
    // SAFETY: as above.
    t.eq("dup2 onto itself", unsafe { fd::dup2(&f, sys_layer::fd::AsRawFd::as_raw_fd(&f)) }.is_ok(), true);
    t.eq("status flags", fd::status_flags(&f).map(|fl| fl & 3), Ok(linux_raw_sys::general::O_RDWR));
    t.eq(
        "set O_APPEND",
        fd::set_status_flags(&f, linux_raw_sys::general::O_APPEND)
            .and_then(|_| fd::status_flags(&f))
            .map(|fl| fl & linux_raw_sys::general::O_APPEND != 0),
        Ok(true),
    );
    let (r, w) = fd::pipe().expect("pipe");
    t.eq("pipe write", io::write(&w, b"xyz"), Ok(3));
    t.eq("bytes_readable on a pipe", io::bytes_readable(&r), Ok(3));
    t.eq("is_terminal on a pipe", io::is_terminal(&r), false);
    t.eq("terminal_size on a pipe", io::terminal_size(&r).err(), Some(Errno::ENOTTY));
    // (No write to a pipe without readers: that raises SIGPIPE, and signal
    // handling is not part of this runtime yet.)
    t.eq("write to the read end", io::write(&r, b"x").err(), Some(Errno::EBADF));

    // Memory.
    // SAFETY: a fresh anonymous mapping, used only here.
    unsafe {
        let p = mm::mmap(
            core::ptr::null_mut(),
            8192,
            mm::Prot::READ | mm::Prot::WRITE,
            mm::MapFlags::PRIVATE | mm::MapFlags::ANONYMOUS,
            None,
            0,
        );
        t.check("mmap", p.is_ok(), format_args!("{p:?}"));
        if let Ok(p) = p {
            p.cast::<u8>().write(7);
            t.eq("madvise", mm::madvise(p, 8192, linux_raw_sys::general::MADV_WILLNEED), Ok(()));
            t.eq("mlock", mm::mlock(p, 4096), Ok(()));
            t.eq("munlock", mm::munlock(p, 4096), Ok(()));
            t.eq("msync on anonymous memory", mm::msync(p, 4096, linux_raw_sys::general::MS_SYNC), Ok(()));
            let grown = mm::mremap(p, 8192, 16384, true);
            t.check(
                "mremap keeps the contents",
                grown.is_ok_and(|q| q.cast::<u8>().read() == 7),
                format_args!("{grown:?}"),
            );
            // (After mremap: one protection over the range keeps it one mapping.)
            t.eq("mprotect", mm::mprotect(grown.unwrap_or(p), 4096, mm::Prot::READ), Ok(()));
            t.eq("munmap", mm::munmap(grown.unwrap_or(p), 16384), Ok(()));
        }
        t.eq(
            "mmap without SHARED or PRIVATE",
            mm::mmap(core::ptr::null_mut(), 4096, mm::Prot::READ, mm::MapFlags::ANONYMOUS, None, 0).err(),
            Some(Errno::EINVAL),
        );
        t.eq("munmap unaligned", mm::munmap(3 as *mut _, 4096).err(), Some(Errno::EINVAL));
    }

    // Time, randomness, process.
    t.eq("sleep 1 ms", time::sleep(Timespec { sec: 0, nsec: 1_000_000 }), Ok(()));
    t.eq(
        "sleep with bad nanoseconds",
        time::sleep(Timespec { sec: 0, nsec: 2_000_000_000 }).map_err(|(e, _)| e),
        Err(Errno::EINVAL),
    );
    let before = time::clock_gettime(Clock::Monotonic).map(|t| t.as_nanos()).unwrap_or(0);
    let _ = time::sleep(Timespec { sec: 0, nsec: 2_000_000 });
    let after = time::clock_gettime(Clock::Monotonic).map(|t| t.as_nanos()).unwrap_or(0);
    t.check("sleep sleeps", after - before >= 2_000_000, format_args!("{}", after - before));
    futex_checks(&mut t);
    let mut r1 = [0u8; 32];
    let mut r2 = [0u8; 32];
    t.eq("rand::fill", rand::fill(&mut r1), Ok(()));
    t.eq("rand::fill_nonblocking", rand::fill_nonblocking(&mut r2), Ok(()));
    t.check("random bytes differ", r1 != r2, format_args!("{r1:?}"));
    t.eq("uid agrees with euid here", process::getuid(), process::geteuid());
    t.eq("gid agrees with egid here", process::getgid(), process::getegid());
    let old = process::umask(0o027);
    t.eq("umask returns the mask set", process::umask(old), 0o027);
    let limits = process::getrlimit(linux_raw_sys::general::RLIMIT_NOFILE);
    t.check("getrlimit", limits.is_ok_and(|(s, h)| s <= h), format_args!("{limits:?}"));
    if let Ok((soft, hard)) = limits {
        t.eq("setrlimit", process::setrlimit(linux_raw_sys::general::RLIMIT_NOFILE, soft.min(hard), hard), Ok(()));
        t.eq(
            "setrlimit soft above hard",
            process::setrlimit(
                linux_raw_sys::general::RLIMIT_NOFILE,
                hard.saturating_add(1).max(u64::MAX - 1),
                hard.min(1 << 20),
            )
            .err(),
            Some(Errno::EINVAL),
        );
    }
    kernel_copies_and_nodes(&mut t, dir);
    ids_and_cpus(&mut t);
    main_thread_stack(&mut t);
    let _ = fs::unlink(&file);
    t.finish()
}

/// Locks, FIFOs, kernel copies (`sendfile`, `splice`), an offset past
/// 4 GiB (whole on i686 through the `llseek` slot).
fn kernel_copies_and_nodes(t: &mut Checks, dir: &CStr) {
    use fs::FlockOperation::*;
    let path = join(dir, "copies");
    let f = fs::open(&path, OFlags::RDWR | OFlags::CREAT | OFlags::TRUNC, Mode::FILE_DEFAULT).expect("create");
    let other = fs::open(&path, OFlags::RDWR, Mode::empty()).expect("open again");
    t.eq("flock exclusive", fs::flock(&f, LockExclusive), Ok(()));
    t.eq("flock held elsewhere", fs::flock(&other, TryLockShared).err(), Some(Errno::EWOULDBLOCK));
    t.eq("flock unlock", fs::flock(&f, Unlock), Ok(()));
    t.eq("flock shared twice", fs::flock(&other, TryLockShared).and(fs::flock(&f, TryLockShared)), Ok(()));
    t.eq("flock on a closed descriptor", fs::flock(bad_fd(), Unlock).err(), Some(Errno::EBADF));

    let far = 5u64 << 30;
    t.eq("seek past 4 GiB", io::seek(&f, SeekFrom::Start(far)), Ok(far));
    t.eq("seek from there", io::seek(&f, SeekFrom::Current(3)), Ok(far + 3));
    t.eq("write past 4 GiB", io::write(&f, b"far"), Ok(3));
    t.eq("size past 4 GiB", fs::fstat(&f).map(|s| s.size), Ok(far + 6));
    t.eq("pwrite the head", io::pwrite(&f, b"0123456789", 0), Ok(10));

    let (pipe_r, pipe_w) = fd::pipe().expect("pipe");
    let mut offset = 2u64;
    t.eq("sendfile from an offset", io::sendfile(&pipe_w, &f, Some(&mut offset), 5), Ok(5));
    t.eq("sendfile advances the offset", offset, 7);
    let mut got = [0u8; 5];
    t.eq("sendfile's bytes", io::read(&pipe_r, &mut got).map(|_| got), Ok(*b"23456"));
    let mut far_offset = far + 3;
    t.eq("sendfile past 4 GiB", io::sendfile(&pipe_w, &f, Some(&mut far_offset), 100), Ok(3));
    let mut three = [0u8; 3];
    t.eq("sendfile's bytes past 4 GiB", io::read(&pipe_r, &mut three).map(|_| three), Ok(*b"far"));
    t.eq("sendfile to a closed descriptor", io::sendfile(bad_fd(), &f, None, 1).err(), Some(Errno::EBADF));
    let mut from = 7u64;
    t.eq("splice file to pipe", io::splice(&f, Some(&mut from), &pipe_w, None, 3, 0), Ok(3));
    let mut to = far;
    t.eq("splice pipe to file past 4 GiB", io::splice(&pipe_r, None, &f, Some(&mut to), 3, 0), Ok(3));
    t.eq("splice's bytes", io::pread(&f, &mut three, far).map(|_| three), Ok(*b"789"));
    t.eq("splice between two files", io::splice(&f, None, &other, None, 1, 0).err(), Some(Errno::EINVAL));

    let fifo = join(dir, "fifo");
    t.eq("mkfifo", fs::mkfifo(&fifo, Mode::FILE_DEFAULT), Ok(()));
    t.eq("a FIFO's type", fs::stat(&fifo).map(|s| s.file_type()), Ok(fs::FileType::Fifo));
    t.eq("mkfifo again", fs::mkfifo(&fifo, Mode::FILE_DEFAULT).err(), Some(Errno::EEXIST));
    let node = join(dir, "node");
    t.eq("mknod a regular file", fs::mknod(&node, linux_raw_sys::general::S_IFREG | 0o600, 0), Ok(()));
    t.eq("mknod's type", fs::stat(&node).map(|s| s.file_type()), Ok(fs::FileType::Regular));
    t.eq("mknod with a device too large", fs::mknod(&node, 0o600, 1 << 40).err(), Some(Errno::EINVAL));
    for name in [&fifo, &node, &path] {
        let _ = fs::unlink(name);
    }
}

/// The CPUs this thread may run on; the user and group IDs (set in a
/// child: the suite runs as root; as another user, `api denied` sees
/// `EPERM`).
fn ids_and_cpus(t: &mut Checks) {
    let cpus = sys_layer::thread::affinity(0);
    t.check("affinity", cpus.as_ref().is_ok_and(|c| c.count() >= 1), format_args!("{cpus:?}"));
    let first = cpus.as_ref().ok().and_then(|c| (0..1024).find(|&n| c.contains(n)));
    t.check("affinity names a CPU", first.is_some(), format_args!("{cpus:?}"));
    let parallel = sys_layer::thread::available_parallelism();
    t.eq("available_parallelism", parallel, cpus.map(|c| c.count()));
    sys_layer::println!("cpus: {}", parallel.unwrap_or(0));
    t.eq("affinity of no such thread", sys_layer::thread::affinity(i32::MAX).err(), Some(Errno::ESRCH));
    if process::geteuid() != 0 {
        return;
    }
    check_in_child(t, "setgroups, setgid, setuid in a child, and no way back", || {
        let changed = process::setgroups(&[65534])
            .and(process::setgid(65534))
            .and(process::setuid(65534))
            .is_ok_and(|_| process::getuid() == 65534 && process::geteuid() == 65534 && process::getgid() == 65534);
        changed && process::setuid(0) == Err(Errno::EPERM)
    });
}

/// Runs `check` in a forked child (for what would change this process:
/// IDs, limits) and records whether it returned true there.
fn check_in_child(t: &mut Checks, name: &str, check: impl FnOnce() -> bool) {
    // SAFETY: this program has no other threads.
    match unsafe { process::fork() } {
        Ok(process::Fork::Child) => process::exit(if check() { 0 } else { 1 }),
        Ok(process::Fork::Parent(pid)) => {
            let status = process::wait_pid(pid, false);
            t.check(name, status.is_ok_and(|s| s.is_some_and(|s| s.success())), format_args!("{status:?}"));
        }
        Err(e) => t.check("fork", false, format_args!("{e:?}")),
    }
}

/// The main thread's stack as `thread::stack_of` gives it (and C's
/// `pthread_getattr_np`), against glibc's answer worked out here from
/// `/proc/self/maps`: from the top of the mapping holding this frame down
/// by `RLIMIT_STACK`, not into the mapping below. Once with the limit the
/// suite runs with (sys-layer answers without `/proc` up to 128 MiB), once
/// in a child with 512 MiB (it reads `/proc`), when the hard limit allows.
fn main_thread_stack(t: &mut Checks) {
    let stack_of_main = || {
        // SAFETY: the main thread's own data block, alive.
        unsafe { sys_layer::thread::stack_of(sys_layer::thread::current_raw()) }
    };
    t.eq("the main thread's stack", stack_of_main(), stack_from_maps());
    let Ok((_, hard)) = process::getrlimit(linux_raw_sys::general::RLIMIT_STACK) else { return };
    if hard < 512 << 20 {
        sys_layer::println!("skipped: the hard stack limit is below 512 MiB");
        return;
    }
    check_in_child(t, "the main thread's stack with a 512 MiB limit", || {
        let _ = process::setrlimit(linux_raw_sys::general::RLIMIT_STACK, 512 << 20, hard);
        let (got, expected) = (stack_of_main(), stack_from_maps());
        if got != expected {
            sys_layer::eprintln!("with a 512 MiB limit: {got:x?}, from the maps {expected:x?}");
        }
        got.is_some() && got == expected
    });
}

/// glibc's answer for the main thread's stack, `(lowest address, size)`,
/// from this process's `/proc/self/maps` and `RLIMIT_STACK`.
fn stack_from_maps() -> Option<(usize, usize)> {
    let local = core::hint::black_box(0u8);
    let here = core::hint::black_box(&local) as *const u8 as usize;
    let maps = fs::read(c"/proc/self/maps").ok()?;
    let hex = |s: &[u8]| usize::from_str_radix(core::str::from_utf8(s).ok()?, 16).ok();
    let mut below = 0;
    for line in maps.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let range = line.split(|&b| b == b' ').next()?;
        let dash = range.iter().position(|&b| b == b'-')?;
        let (low, high) = (hex(&range[..dash])?, hex(&range[dash + 1..])?);
        if (low..high).contains(&here) {
            let (limit, _) = process::getrlimit(linux_raw_sys::general::RLIMIT_STACK).ok()?;
            let size = limit.min((high - below) as u64) as usize & !4095;
            return Some((high - size, size));
        }
        below = high;
    }
    None
}

/// `api denied DIR`, run as a user who may not write to `DIR`: the
/// permission errors.
/// The raw `futex` slot (64-bit timeouts on every target; i686 before 5.1
/// through the 32-bit-time call): a wake with no waiter, a wait whose value
/// no longer matches, and a wait that times out.
fn futex_checks(t: &mut Checks) {
    use linux_raw_sys::general::{__kernel_timespec, FUTEX_PRIVATE_FLAG, FUTEX_WAIT, FUTEX_WAKE};
    let mut word = 7u32;
    let futex = |word: &mut u32, op: u32, val: u32, timeout: Option<&__kernel_timespec>| {
        let mut errno = 0;
        let timeout = timeout.map_or(core::ptr::null(), |t| t as *const _);
        // SAFETY: word is a live u32; the timeout is null or a live timespec.
        let r = unsafe {
            sys_layer::raw::futex(
                word,
                (op | FUTEX_PRIVATE_FLAG) as i32,
                val,
                timeout,
                core::ptr::null_mut(),
                0,
                &mut errno,
            )
        };
        if r < 0 { Err(Errno::from_raw(errno)) } else { Ok(r) }
    };
    t.eq("futex wake with no waiter", futex(&mut word, FUTEX_WAKE, 1, None), Ok(0));
    t.eq("futex wait on a changed value", futex(&mut word, FUTEX_WAIT, 8, None), Err(Errno::EAGAIN));
    let ms = __kernel_timespec { tv_sec: 0, tv_nsec: 1_000_000 };
    t.eq("futex wait times out", futex(&mut word, FUTEX_WAIT, 7, Some(&ms)), Err(Errno::ETIMEDOUT));
    let bad = __kernel_timespec { tv_sec: 0, tv_nsec: 2_000_000_000 };
    t.eq("futex wait with a bad timeout", futex(&mut word, FUTEX_WAIT, 7, Some(&bad)), Err(Errno::EINVAL));
}

fn denied(dir: Option<&CStr>, mut t: Checks) -> i32 {
    let Some(dir) = dir else { return 2 };
    let inside = join(dir, "not-mine");
    t.check("not root", process::geteuid() != 0, format_args!("run me as another user"));
    t.eq(
        "open for writing in a read-only directory",
        fs::open(&inside, OFlags::WRONLY | OFlags::CREAT, Mode::FILE_DEFAULT).err(),
        Some(Errno::EACCES),
    );
    t.eq("mkdir in a read-only directory", fs::mkdir(&inside, Mode::FILE_DEFAULT).err(), Some(Errno::EACCES));
    t.eq("access W_OK", fs::access(dir, linux_raw_sys::general::W_OK).err(), Some(Errno::EACCES));
    t.eq("chmod what is not ours", fs::chmod(dir, Mode::FILE_DEFAULT).err(), Some(Errno::EPERM));
    t.eq("chown to root", fs::chown(dir, Some(0), None).err(), Some(Errno::EPERM));
    t.eq("setuid to root", process::setuid(0).err(), Some(Errno::EPERM));
    t.eq("setgid to root", process::setgid(0).err(), Some(Errno::EPERM));
    t.eq("setgroups", process::setgroups(&[0]).err(), Some(Errno::EPERM));
    t.eq("chroot", fs::chroot(dir).err(), Some(Errno::EPERM));
    t.finish()
}

/// A descriptor number that is certainly closed.
fn bad_fd() -> impl AsFd {
    // SAFETY: never used but to get EBADF.
    unsafe { fd::BorrowedFd::borrow_raw(9999) }
}
