//! Exercises every slot that is newer than some supported kernel, and
//! prints what happened, one line each:
//!
//! - `same <what>: <result>`: must read the same on every kernel (the real
//!   call and its fallback agree);
//! - `kernel <what>: <result>`: differs by design below the call's kernel
//!   (an honest ENOSYS, or a flag only the real call has).
//!
//! `eras DIR TAG`: DIR holds `data` (made by the suite); TAG keeps the files
//! of concurrent runs apart. `eras exec PROGRAM` and `eras exec-fd PROGRAM`
//! replace themselves with `PROGRAM 7` through execveat.
#![no_std]
#![no_main]

use core::ffi::{CStr, c_int, c_void};
use linux_raw_sys::general as g;
use sys_layer::{Errno, env, print, println, raw, stdio};
use sys_layer_arch::{syscall2, syscall3, syscall4, syscall5};

sys_layer::main!(main);

/// Prints `kind what: ` and the outcome of a slot call.
fn show(kind: &str, what: &str, ret: isize, errno: c_int) {
    print!("{kind} {what}: ");
    if ret == -1 {
        println!("{:?}", Errno::from_raw(errno));
    } else {
        println!("{ret}");
    }
}

/// As [`check`] for a call that returns a new descriptor, whose number
/// depends on what ran before: prints `fd` instead.
fn check_fd(kind: &str, what: &str, f: impl FnOnce(*mut c_int) -> isize) -> isize {
    let (r, e) = call(f);
    if r >= 0 {
        println!("{kind} {what}: fd");
    } else {
        show(kind, what, r, e);
    }
    r
}

/// Calls a slot with a fresh errno, returning both.
fn call(f: impl FnOnce(*mut c_int) -> isize) -> (isize, c_int) {
    let mut e = 0;
    let r = f(&mut e);
    (r, e)
}

fn check(kind: &str, what: &str, f: impl FnOnce(*mut c_int) -> isize) -> isize {
    let (r, e) = call(f);
    show(kind, what, r, e);
    r
}

/// A raw system call for the test's own set-up (not a slot).
fn sc(nr: u32, args: [usize; 5]) -> isize {
    // SAFETY: each caller passes arguments valid for its call.
    (unsafe { syscall5(nr as usize, args[0], args[1], args[2], args[3], args[4]) }) as isize
}

/// A socket system call for the test's set-up: direct, or on i686 through
/// `socketcall` (which is all an i686 kernel before 4.3 has).
fn socket_sc(nr: u32, call: usize, args: [usize; 5]) -> isize {
    #[cfg(target_arch = "x86")]
    {
        let _ = nr;
        sc(g::__NR_socketcall, [call, args.as_ptr() as usize, 0, 0, 0])
    }
    #[cfg(not(target_arch = "x86"))]
    {
        let _ = call;
        sc(nr, args)
    }
}

fn cloexec(fd: isize) -> bool {
    // SAFETY: F_GETFD only reads descriptor flags.
    let r = unsafe { syscall2(g::__NR_fcntl as usize, fd as usize, g::F_GETFD as usize) } as isize;
    r >= 0 && r & g::FD_CLOEXEC as isize != 0
}

fn fd_state(fd: usize) -> &'static str {
    // SAFETY: as above.
    let r = unsafe { syscall2(g::__NR_fcntl as usize, fd, g::F_GETFD as usize) } as isize;
    if r < 0 { "closed" } else { "open" }
}

/// A NUL-terminated path kept by value (there is no allocator yet).
struct PathBuf([u8; 512], usize);

impl PathBuf {
    /// `dir/` followed by `parts`, NUL-terminated.
    fn join(dir: &CStr, parts: &[&[u8]]) -> PathBuf {
        let mut p = PathBuf([0; 512], 0);
        for part in [dir.to_bytes(), b"/"].iter().chain(parts) {
            p.0[p.1..p.1 + part.len()].copy_from_slice(part);
            p.1 += part.len();
        }
        p.1 += 1; // the NUL, already there
        p
    }

    fn as_cstr(&self) -> &CStr {
        CStr::from_bytes_with_nul(&self.0[..self.1]).expect("one NUL")
    }
}

fn open(p: &CStr, flags: u32, mode: u32) -> isize {
    // SAFETY: a NUL-terminated path.
    call(|e| unsafe { raw::openat(g::AT_FDCWD, p.as_ptr(), flags as c_int, mode, e) }).0
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    let mut args = args.skip(1);
    let (Some(first), Some(second)) = (args.next(), args.next()) else {
        println!("usage: eras DIR TAG | eras exec PROGRAM | eras exec-fd PROGRAM");
        return 2;
    };
    match first.to_bytes() {
        b"exec" | b"exec-fd" => return exec(first.to_bytes() == b"exec-fd", second),
        _ => {}
    }
    let (dir, tag) = (first, second.to_bytes());
    let data = PathBuf::join(dir, &[b"data"]);
    getrandom();
    statx(data.as_cstr());
    openat2(data.as_cstr());
    renameat2(&PathBuf::join(dir, &[b"ren-a-", tag]), &PathBuf::join(dir, &[b"ren-b-", tag]));
    faccessat2(data.as_cstr(), &PathBuf::join(dir, &[b"link-", tag]));
    close_range();
    copy_file_range(data.as_cstr(), PathBuf::join(dir, &[b"copy-", tag]).as_cstr());
    vectored(PathBuf::join(dir, &[b"copy-", tag]).as_cstr());
    misc();
    sockets();
    stdio::flush_stdout();
    0
}

fn getrandom() {
    let mut buf = [0u8; 64];
    // SAFETY: buf is writable for its length.
    let (r, e) = call(|e| unsafe { raw::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0, e) });
    show("same", "getrandom 64", r, e);
    println!("same getrandom not all zero: {}", buf.iter().any(|&b| b != 0));
    // SAFETY: as above.
    check("same", "getrandom nonblock", |e| unsafe { raw::getrandom(buf.as_mut_ptr().cast(), 16, 1, e) });
    // SAFETY: as above.
    check("same", "getrandom bad flags", |e| unsafe { raw::getrandom(buf.as_mut_ptr().cast(), 16, 0x80, e) });
}

fn statx(data: &CStr) {
    // SAFETY: zero is a valid statx.
    let mut st: g::statx = unsafe { core::mem::zeroed() };
    // SAFETY: st is writable; the path is NUL-terminated.
    let r = check("same", "statx", |e| unsafe {
        raw::statx(g::AT_FDCWD, data.as_ptr(), 0, g::STATX_BASIC_STATS, &mut st, e)
    });
    if r == 0 {
        println!(
            "same statx fields: mode {:o} size {} nlink {} uid {} gid {} ino {} blocks {} blksize {}",
            st.stx_mode, st.stx_size, st.stx_nlink, st.stx_uid, st.stx_gid, st.stx_ino, st.stx_blocks, st.stx_blksize
        );
        println!(
            "same statx times: mtime {}.{} ctime {}.{} dev {}:{} rdev {}:{} basic mask {}",
            st.stx_mtime.tv_sec,
            st.stx_mtime.tv_nsec,
            st.stx_ctime.tv_sec,
            st.stx_ctime.tv_nsec,
            st.stx_dev_major,
            st.stx_dev_minor,
            st.stx_rdev_major,
            st.stx_rdev_minor,
            st.stx_mask & g::STATX_BASIC_STATS == g::STATX_BASIC_STATS
        );
    }
    // SAFETY: as above.
    check("same", "statx missing", |e| unsafe {
        raw::statx(g::AT_FDCWD, c"/nonexistent/sys-layer".as_ptr(), 0, g::STATX_BASIC_STATS, &mut st, e)
    });
    // SAFETY: as above.
    check("same", "statx both sync flags", |e| unsafe {
        raw::statx(g::AT_FDCWD, data.as_ptr(), g::AT_STATX_SYNC_TYPE as c_int, 0, &mut st, e)
    });
    let fd = open(data, g::O_RDONLY | g::O_CLOEXEC, 0);
    let ino = st.stx_ino;
    // SAFETY: as above; the empty path names fd itself.
    check("same", "statx empty path", |e| unsafe {
        raw::statx(fd as c_int, c"".as_ptr(), g::AT_EMPTY_PATH as c_int, g::STATX_BASIC_STATS, &mut st, e)
    });
    println!("same statx empty path same inode: {}", st.stx_ino == ino);
}

fn openat2(data: &CStr) {
    let mut how = g::open_how { flags: (g::O_RDONLY | g::O_CLOEXEC) as u64, mode: 0, resolve: 0 };
    let size = core::mem::size_of::<g::open_how>();
    // SAFETY: how is valid for size bytes; the path is NUL-terminated.
    let fd = check_fd("same", "openat2", |e| unsafe { raw::openat2(g::AT_FDCWD, data.as_ptr(), &mut how, size, e) });
    if fd >= 0 {
        let mut head = [0u8; 5];
        // SAFETY: head is writable.
        let n = call(|e| unsafe { raw::read(fd as c_int, head.as_mut_ptr().cast(), 5, e) }).0;
        println!("same openat2 reads: {n} {:?}", head);
    }
    // SAFETY: as above, with sizes the kernel must refuse.
    check("same", "openat2 short size", |e| unsafe { raw::openat2(g::AT_FDCWD, data.as_ptr(), &mut how, 16, e) });
    let mut bad_mode = g::open_how { flags: g::O_RDONLY as u64, mode: 0o644, resolve: 0 };
    // SAFETY: as above.
    check("same", "openat2 mode without create", |e| unsafe {
        raw::openat2(g::AT_FDCWD, data.as_ptr(), &mut bad_mode, size, e)
    });
    let mut bad_flag = g::open_how { flags: 1 << 40, mode: 0, resolve: 0 };
    // SAFETY: as above.
    check("same", "openat2 unknown flag", |e| unsafe {
        raw::openat2(g::AT_FDCWD, data.as_ptr(), &mut bad_flag, size, e)
    });
    let mut bigger = [0u64; 4];
    bigger[0] = g::O_RDONLY as u64;
    bigger[3] = 1;
    // SAFETY: bigger holds 32 readable bytes, laid out as a larger open_how.
    check("same", "openat2 nonzero tail", |e| unsafe {
        raw::openat2(g::AT_FDCWD, data.as_ptr(), bigger.as_mut_ptr().cast(), 32, e)
    });
    let mut resolve = g::open_how { flags: g::O_RDONLY as u64, mode: 0, resolve: g::RESOLVE_NO_SYMLINKS as u64 };
    // SAFETY: as above.
    check_fd("kernel", "openat2 resolve", |e| unsafe {
        raw::openat2(g::AT_FDCWD, data.as_ptr(), &mut resolve, size, e)
    });
}

fn renameat2(a: &PathBuf, b: &PathBuf) {
    let (pa, pb) = (a.as_cstr(), b.as_cstr());
    let fd = open(pa, g::O_CREAT | g::O_WRONLY | g::O_TRUNC | g::O_CLOEXEC, 0o644);
    println!("same renameat2 setup: {}", fd >= 0);
    // SAFETY: NUL-terminated paths.
    check("same", "renameat2", |e| unsafe { raw::renameat2(g::AT_FDCWD, pa.as_ptr(), g::AT_FDCWD, pb.as_ptr(), 0, e) });
    println!("same renameat2 old name gone: {}", open(pa, g::O_RDONLY | g::O_CLOEXEC, 0) < 0);
    let again = open(pa, g::O_CREAT | g::O_WRONLY | g::O_CLOEXEC, 0o644);
    println!("same renameat2 recreated: {}", again >= 0);
    // SAFETY: as above.
    check("kernel", "renameat2 noreplace", |e| unsafe {
        raw::renameat2(g::AT_FDCWD, pa.as_ptr(), g::AT_FDCWD, pb.as_ptr(), g::RENAME_NOREPLACE, e)
    });
}

fn faccessat2(data: &CStr, link: &PathBuf) {
    let pl = link.as_cstr();
    // SAFETY: NUL-terminated paths: a symbolic link to data.
    unsafe { syscall3(g::__NR_symlinkat as usize, data.as_ptr() as usize, g::AT_FDCWD as usize, pl.as_ptr() as usize) };
    let cases: [(&str, &CStr, u32, u32); 7] = [
        ("faccessat2 F_OK", data, 0, 0),
        ("faccessat2 R_OK|W_OK", data, g::R_OK | g::W_OK, 0),
        ("faccessat2 X_OK", data, g::X_OK, 0),
        ("faccessat2 eaccess X_OK", data, g::X_OK, g::AT_EACCESS),
        ("faccessat2 eaccess R_OK", data, g::R_OK, g::AT_EACCESS),
        ("faccessat2 nofollow link", pl, g::R_OK, g::AT_SYMLINK_NOFOLLOW),
        ("faccessat2 bad flags", data, 0, 0x10000),
    ];
    for (what, p, mode, flags) in cases {
        // SAFETY: NUL-terminated paths.
        check("same", what, |e| unsafe { raw::faccessat2(g::AT_FDCWD, p.as_ptr(), mode as c_int, flags as c_int, e) });
    }
    // SAFETY: as above.
    check("same", "faccessat2 missing", |e| unsafe {
        raw::faccessat2(g::AT_FDCWD, c"/nonexistent/sys-layer".as_ptr(), 0, 0, e)
    });
}

fn close_range() {
    let null = open(c"/dev/null", g::O_RDONLY, 0);
    for fd in [40, 41, 42] {
        // SAFETY: dup3 onto numbers this program does not otherwise use.
        call(|e| unsafe { raw::dup3(null as c_int, fd, 0, e) });
    }
    // SAFETY: closes descriptors this program made.
    check("same", "close_range 40..=41", |e| unsafe { raw::close_range(40, 41, 0, e) });
    println!("same close_range states: 40 {} 41 {} 42 {}", fd_state(40), fd_state(41), fd_state(42));
    // SAFETY: marks a descriptor of ours close-on-exec.
    check("same", "close_range cloexec 42", |e| unsafe { raw::close_range(42, 42, 1 << 2, e) });
    println!("same close_range 42 cloexec: {}", cloexec(42));
    // SAFETY: no descriptor is touched: the range is empty of them.
    check("same", "close_range bad order", |e| unsafe { raw::close_range(50, 40, 0, e) });
    // SAFETY: as above.
    check("same", "close_range bad flags", |e| unsafe { raw::close_range(60, 61, 1 << 7, e) });
}

fn copy_file_range(data: &CStr, copy: &CStr) {
    let src = open(data, g::O_RDONLY | g::O_CLOEXEC, 0) as c_int;
    let dst = open(copy, g::O_CREAT | g::O_RDWR | g::O_TRUNC | g::O_CLOEXEC, 0o644) as c_int;
    let mut off_in: i64 = 100;
    // SAFETY: both descriptors are ours; off_in is writable.
    check("same", "copy_file_range", |e| unsafe {
        raw::copy_file_range(src, &mut off_in, dst, core::ptr::null_mut(), 5000, 0, e)
    });
    println!("same copy_file_range off_in: {off_in}");
    let (mut a, mut b) = ([0u8; 5000], [0u8; 5000]);
    // Read back with plain pread64 (set-up, not a slot under test).
    let na = pread(src, &mut a, 100);
    let nb = pread(dst, &mut b, 0);
    println!("same copy_file_range copied bytes match: {} ({na}, {nb})", a == b);
    // SAFETY: as above, with a flag the kernel refuses.
    check("same", "copy_file_range bad flags", |e| unsafe {
        raw::copy_file_range(src, core::ptr::null_mut(), dst, core::ptr::null_mut(), 10, 1, e)
    });
}

fn pread(fd: c_int, buf: &mut [u8], offset: u32) -> isize {
    // pread64's offset: one word on 64-bit; (low, high) on i686, where the
    // high word is the 0 that follows.
    sc(g::__NR_pread64, [fd as usize, buf.as_mut_ptr() as usize, buf.len(), offset as usize, 0])
}

fn vectored(copy: &CStr) {
    let fd = open(copy, g::O_RDWR | g::O_CLOEXEC, 0) as c_int;
    let (a, b) = (*b"abc", *b"de");
    let out = [
        g::iovec { iov_base: a.as_ptr() as *mut c_void, iov_len: 3 },
        g::iovec { iov_base: b.as_ptr() as *mut c_void, iov_len: 2 },
    ];
    // SAFETY: the vectors point at readable buffers.
    check("same", "pwritev2 at 10", |e| unsafe { raw::pwritev2(fd, out.as_ptr(), 2, 10, 0, e) });
    let mut back = [0u8; 5];
    let iv = [g::iovec { iov_base: back.as_mut_ptr().cast(), iov_len: 5 }];
    // SAFETY: the vector points at a writable buffer.
    check("same", "preadv2 at 10", |e| unsafe { raw::preadv2(fd, iv.as_ptr(), 1, 10, 0, e) });
    println!("same preadv2 read back: {:?}", back);
    // SAFETY: as above; -1 reads at the file offset (0: nothing read yet).
    check("same", "preadv2 at the file offset", |e| unsafe { raw::preadv2(fd, iv.as_ptr(), 1, -1, 0, e) });
    println!("same preadv2 file offset bytes: {:?}", back);
    // SAFETY: as above, with RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND unknown bits.
    check("same", "preadv2 unknown flag", |e| unsafe { raw::preadv2(fd, iv.as_ptr(), 1, 0, 1 << 30, e) });
}

fn misc() {
    // SAFETY: a NUL-terminated name.
    check_fd("kernel", "memfd_create", |e| unsafe { raw::memfd_create(c"eras".as_ptr(), 1, e) });
    // SAFETY: getpid's own process.
    let pid = call(|e| unsafe { raw::getpid(e) }).0 as c_int;
    // SAFETY: a plain query.
    check_fd("kernel", "pidfd_open", |e| unsafe { raw::pidfd_open(pid, 0, e) });
    // SAFETY: a plain query.
    check("kernel", "membarrier query", |e| unsafe { raw::membarrier(0, 0, 0, e) });
    let page = [0u8; 4096];
    // SAFETY: locks our own buffer.
    check("same", "mlock2", |e| unsafe { raw::mlock2(page.as_ptr().cast(), page.len(), 0, e) });
    // SAFETY: as above.
    check("kernel", "mlock2 onfault", |e| unsafe { raw::mlock2(page.as_ptr().cast(), page.len(), 1, e) });
    let mut old = g::rlimit64 { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: old is writable.
    check("same", "prlimit64 own", |e| unsafe { raw::prlimit64(0, g::RLIMIT_NOFILE, core::ptr::null(), &mut old, e) });
    println!("same prlimit64 nofile: {} {}", old.rlim_cur, old.rlim_max);
    // SAFETY: as above, for process 1.
    check("kernel", "prlimit64 other process", |e| unsafe {
        raw::prlimit64(1, g::RLIMIT_NOFILE, core::ptr::null(), &mut old, e)
    });
    epoll();
    clone3();
}

fn epoll() {
    let ep = sc(g::__NR_epoll_create1, [g::EPOLL_CLOEXEC as usize, 0, 0, 0, 0]);
    let mut fds = [0 as c_int; 2];
    // SAFETY: fds has room for two descriptors.
    call(|e| unsafe { raw::pipe2(fds.as_mut_ptr(), g::O_CLOEXEC as c_int, e) });
    let mut ev = g::epoll_event { events: g::EPOLLIN, data: 7 };
    sc(g::__NR_epoll_ctl, [ep as usize, g::EPOLL_CTL_ADD as usize, fds[0] as usize, (&raw mut ev) as usize, 0]);
    let mut out = [g::epoll_event { events: 0, data: 0 }; 4];
    let zero = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    let short = g::__kernel_timespec { tv_sec: 0, tv_nsec: 1_500_000 };
    let bad = g::__kernel_timespec { tv_sec: 0, tv_nsec: 2_000_000_000 };
    // SAFETY: out is writable for 4 events; the timeouts are readable.
    check("same", "epoll_pwait2 nothing ready", |e| unsafe {
        raw::epoll_pwait2(ep as c_int, out.as_mut_ptr(), 4, &short, core::ptr::null(), 8, e)
    });
    // SAFETY: writes one byte into our pipe.
    call(|e| unsafe { raw::write(fds[1], b"x".as_ptr().cast(), 1, e) });
    // SAFETY: as above.
    check("same", "epoll_pwait2 ready", |e| unsafe {
        raw::epoll_pwait2(ep as c_int, out.as_mut_ptr(), 4, &zero, core::ptr::null(), 8, e)
    });
    let (events, data) = (out[0].events, out[0].data);
    println!("same epoll_pwait2 event: {events} {data}");
    // SAFETY: as above.
    check("same", "epoll_pwait2 bad timeout", |e| unsafe {
        raw::epoll_pwait2(ep as c_int, out.as_mut_ptr(), 4, &bad, core::ptr::null(), 8, e)
    });
    println!("same pipe2 cloexec: {}", cloexec(fds[0] as isize));
    // SAFETY: dup3 onto a number this program does not otherwise use.
    let d = check("same", "dup3 cloexec to 45", |e| unsafe { raw::dup3(fds[0], 45, g::O_CLOEXEC as c_int, e) });
    println!("same dup3 cloexec: {}", cloexec(d));
}

fn clone3() {
    let mut args: g::clone_args = {
        // SAFETY: zero is a valid clone_args.
        let mut a: g::clone_args = unsafe { core::mem::zeroed() };
        a.exit_signal = g::SIGCHLD as u64;
        a
    };
    let size = core::mem::size_of::<g::clone_args>();
    stdio::flush_stdout();
    // SAFETY: fork-like clone3: the child runs on a copy of this stack.
    let (r, e) = call(|e| unsafe { raw::clone3(&mut args, size, e) });
    if r == 0 {
        sys_layer_arch::exit_group(5);
    }
    if r < 0 {
        show("kernel", "clone3", r, e);
        return;
    }
    let mut status: c_int = 0;
    // SAFETY: waits for our own child.
    unsafe { syscall4(g::__NR_wait4 as usize, r as usize, (&raw mut status) as usize, 0, 0) };
    println!("kernel clone3: child exited {}", (status >> 8) & 0xff);
}

fn sockets() {
    let mut sv = [0 as c_int; 2];
    socket_sc(g::__NR_socketpair, 8, [1 /* AF_UNIX */, 2 /* SOCK_DGRAM */, 0, sv.as_mut_ptr() as usize, 0]);
    let (m1, m2) = (*b"one", *b"two!");
    let mut iov = [
        g::iovec { iov_base: m1.as_ptr() as *mut c_void, iov_len: 3 },
        g::iovec { iov_base: m2.as_ptr() as *mut c_void, iov_len: 4 },
    ];
    // SAFETY: zero is a valid mmsghdr.
    let mut msgs: [linux_raw_sys::net::mmsghdr; 2] = unsafe { core::mem::zeroed() };
    for (m, v) in msgs.iter_mut().zip(iov.iter_mut()) {
        m.msg_hdr.msg_iov = (v as *mut g::iovec).cast();
        m.msg_hdr.msg_iovlen = 1;
    }
    // SAFETY: the messages point at readable buffers.
    check("same", "sendmmsg", |e| unsafe { raw::sendmmsg(sv[0], msgs.as_mut_ptr(), 2, 0, e) });
    println!("same sendmmsg lengths: {} {}", msgs[0].msg_len, msgs[1].msg_len);
    let (mut r1, mut r2) = ([0u8; 8], [0u8; 8]);
    let mut riov = [
        g::iovec { iov_base: r1.as_mut_ptr().cast(), iov_len: 8 },
        g::iovec { iov_base: r2.as_mut_ptr().cast(), iov_len: 8 },
    ];
    // SAFETY: as above.
    let mut rmsgs: [linux_raw_sys::net::mmsghdr; 2] = unsafe { core::mem::zeroed() };
    for (m, v) in rmsgs.iter_mut().zip(riov.iter_mut()) {
        m.msg_hdr.msg_iov = (v as *mut g::iovec).cast();
        m.msg_hdr.msg_iovlen = 1;
    }
    // SAFETY: the messages point at writable buffers.
    check("same", "recvmmsg", |e| unsafe {
        raw::recvmmsg(sv[1], rmsgs.as_mut_ptr(), 2, 0x40 /* MSG_DONTWAIT */, core::ptr::null_mut(), e)
    });
    println!("same recvmmsg: {} {:?} {} {:?}", rmsgs[0].msg_len, &r1[..3], rmsgs[1].msg_len, &r2[..4]);

    // accept4 on an abstract Unix socket.
    let listener = socket_sc(g::__NR_socket, 1, [1, 1 /* SOCK_STREAM */ | 0o2000000 /* SOCK_CLOEXEC */, 0, 0, 0]);
    // SAFETY: getpid has no arguments.
    let pid = (unsafe { sys_layer_arch::syscall0(g::__NR_getpid as usize) }) as u32;
    let mut addr = [0u8; 110];
    addr[0] = 1; // AF_UNIX, little-endian u16
    let name = b"\0sys-layer-eras-";
    addr[2..2 + name.len()].copy_from_slice(name);
    let mut len = 2 + name.len();
    let mut n = pid;
    loop {
        addr[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    socket_sc(g::__NR_bind, 2, [listener as usize, addr.as_ptr() as usize, len, 0, 0]);
    socket_sc(g::__NR_listen, 4, [listener as usize, 4, 0, 0, 0]);
    let client = socket_sc(g::__NR_socket, 1, [1, 1 | 0o2000000, 0, 0, 0]);
    let connected = socket_sc(g::__NR_connect, 3, [client as usize, addr.as_ptr() as usize, len, 0, 0]);
    println!("same accept4 setup: {}", connected == 0);
    // SAFETY: no address is asked for.
    let fd = check_fd("same", "accept4 cloexec", |e| unsafe {
        raw::accept4(listener as c_int, core::ptr::null_mut(), core::ptr::null_mut(), 0o2000000, e)
    });
    println!("same accept4 cloexec: {}", cloexec(fd));
}

/// Replaces this process with `program 7` through execveat.
fn exec(by_fd: bool, program: &CStr) -> i32 {
    let argv = [c"exit_status".as_ptr(), c"7".as_ptr(), core::ptr::null()];
    let envp = [core::ptr::null()];
    stdio::flush_stdout();
    let (r, e) = if by_fd {
        let fd = open(program, g::O_PATH | g::O_CLOEXEC, 0) as c_int;
        // SAFETY: argv and envp are null-terminated; the empty path names fd.
        call(|e| unsafe { raw::execveat(fd, c"".as_ptr(), argv.as_ptr(), envp.as_ptr(), g::AT_EMPTY_PATH as c_int, e) })
    } else {
        // SAFETY: as above, with the path itself.
        call(|e| unsafe { raw::execveat(g::AT_FDCWD, program.as_ptr(), argv.as_ptr(), envp.as_ptr(), 0, e) })
    };
    show("same", "execveat returned", r, e);
    1
}
