//! The ABI contract between a program and the syscall layer bound into it.
//!
//! A program makes every system call through a *stub table*: one function
//! pointer per *slot*, reserved as zeros in the `SHT_NOBITS` section
//! [`TABLE_SECTION`] and described by an ELF note (see [`note`]). At start-up
//! the runtime's binder finds each table through the `PT_NOTE` segments,
//! fills it with the layer that suits the running kernel, and seals it
//! read-only. This crate holds the contract only: it makes no system calls.
//!
//! # The slot list
//!
//! [`for_each_slot!`] is the single source of truth: each line names a slot,
//! its arguments, and the table ABI version that added it. ABI versions only
//! ever append slots, so a table built for ABI `n` is a prefix of every later
//! one. The table type [`StubTable`], the slot indices in [`slot`], the
//! typed callers in [`call`] and the per-slot metadata all come from it.
//!
//! # The errno-pointer convention
//!
//! Every slot is `unsafe extern "C" fn(args..., errno: *mut c_int) -> isize`.
//! On success it returns a non-negative value and leaves `*errno` alone; on
//! failure it stores the error number through `errno` and returns `-1`. A
//! layer never touches thread-local storage, so code that runs before TLS
//! exists (the binder, a signal handler, a child right after `clone`) can
//! call through the table too. Arguments are integers or pointers (no
//! structs by value), so the position of `errno` follows from the number of
//! machine words before it, which the note records per slot
//! ([`SLOT_ARG_WORDS`]) for anyone filling a slot whose signature it does not
//! know.
#![no_std]

pub mod enosys;
pub mod note;

/// The C types that slot signatures use.
pub mod ty {
    pub use core::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};
    pub use linux_raw_sys::general::timezone;
    pub use linux_raw_sys::general::{
        __kernel_itimerspec, __kernel_timespec, clone_args, epoll_event, iovec, kernel_sigaction, kernel_sigset_t,
        open_how, pollfd, rlimit64, rusage, siginfo_t, stack_t, statx,
    };
    pub use linux_raw_sys::net::{mmsghdr, msghdr, sockaddr, socklen_t};

    /// A `timeval` with 64-bit seconds and microseconds on every target
    /// (the kernel's `__kernel_sock_timeval` has that layout).
    #[allow(non_camel_case_types)] // named like the C types beside it
    pub type timeval64 = linux_raw_sys::general::__kernel_sock_timeval;
    pub use linux_raw_sys::system::new_utsname;
}

/// Name of the section that holds every stub table. A C identifier, so the
/// linker also defines `__start_sys_layer_stubs` and `__stop_sys_layer_stubs`.
pub const TABLE_SECTION: &str = "sys_layer_stubs";

/// Owner name in the notes that describe stub tables.
pub const NOTE_OWNER: &str = "sys-layer";

/// Note type of a stub-table note: the ASCII bytes `SLTB`.
pub const NOTE_TYPE_TABLE: u32 = 0x534c_5442;

/// Symbol of the program's own stub table (the one [`call`] goes through).
pub const TABLE_SYMBOL: &str = "sys_layer_table";

/// Every table is aligned and padded to this, so that its pages hold nothing
/// else and can be made read-only and sealed alone.
pub const TABLE_ALIGN: usize = sys_layer_arch::MAX_PAGE_SIZE;

/// Bytes reserved for a table of `slots` slots: whole pages of
/// [`TABLE_ALIGN`].
pub const fn table_bytes(slots: usize) -> usize {
    (slots * core::mem::size_of::<usize>()).div_ceil(TABLE_ALIGN) * TABLE_ALIGN
}

/// Machine words that an argument of type `T` takes in the C calling
/// convention (a 64-bit integer takes two on a 32-bit machine).
pub const fn arg_words<T>() -> u8 {
    core::mem::size_of::<T>().div_ceil(core::mem::size_of::<usize>()) as u8
}

/// The slot list. Calls `$callback! { ... }` with one line per slot:
/// `ABI name(arg: Type, ...);`, preceded by its doc comment.
///
/// New slots are appended at the end with the next ABI version; a slot is
/// never removed, reordered or changed.
#[macro_export]
macro_rules! for_each_slot {
    ($callback:ident) => {
        $callback! {
            /// `read(2)`: reads up to `count` bytes from `fd` into `buf`.
            1 read(fd: $crate::ty::c_int, buf: *mut $crate::ty::c_void, count: usize);
            /// `write(2)`: writes up to `count` bytes from `buf` to `fd`.
            1 write(fd: $crate::ty::c_int, buf: *const $crate::ty::c_void, count: usize);
            /// `openat(2)`: opens `path` relative to `dirfd`; returns the new descriptor.
            1 openat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char,
                     flags: $crate::ty::c_int, mode: $crate::ty::c_uint);
            /// `close(2)`: closes `fd`.
            1 close(fd: $crate::ty::c_int);
            /// `getpid(2)`: the caller's process ID. Never fails.
            1 getpid();
            /// `getppid(2)`: the parent's process ID. Never fails.
            1 getppid();
            /// `uname(2)`: fills `buf` with the kernel's names and release.
            1 uname(buf: *mut $crate::ty::new_utsname);
            /// `exit_group(2)`: ends every thread of the process. Does not return.
            1 exit_group(status: $crate::ty::c_int);
            /// `lseek(2)`: moves the file offset of `fd`; returns the new offset.
            2 lseek(fd: $crate::ty::c_int, offset: i64, whence: $crate::ty::c_int);
            /// `ioctl(2)`: device control request `request` on `fd`.
            2 ioctl(fd: $crate::ty::c_int, request: $crate::ty::c_ulong, arg: *mut $crate::ty::c_void);
            /// `mmap(2)`: maps memory; returns the address (as `isize`).
            2 mmap(addr: *mut $crate::ty::c_void, len: usize, prot: $crate::ty::c_int,
                   flags: $crate::ty::c_int, fd: $crate::ty::c_int, offset: i64);
            /// `munmap(2)`: unmaps `len` bytes at `addr`.
            2 munmap(addr: *mut $crate::ty::c_void, len: usize);
            /// `mprotect(2)`: changes the protection of `len` bytes at `addr`.
            2 mprotect(addr: *mut $crate::ty::c_void, len: usize, prot: $crate::ty::c_int);
            /// `clock_gettime(2)`: reads clock `clock` into `tp` (64-bit time on every target).
            2 clock_gettime(clock: $crate::ty::c_int, tp: *mut $crate::ty::__kernel_timespec);
            /// `gettid(2)`: the caller's thread ID. Never fails.
            2 gettid();
            /// `getrandom(2)`: fills `buf` with random bytes (Linux 3.17).
            3 getrandom(buf: *mut $crate::ty::c_void, len: usize, flags: $crate::ty::c_uint);
            /// `statx(2)`: file status, extended (Linux 4.11).
            3 statx(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char, flags: $crate::ty::c_int,
                    mask: $crate::ty::c_uint, buf: *mut $crate::ty::statx);
            /// `openat2(2)`: `openat` with an extensible `how` (Linux 5.6).
            3 openat2(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char,
                      how: *mut $crate::ty::open_how, size: usize);
            /// `renameat2(2)`: `renameat` with flags (Linux 3.15).
            3 renameat2(olddirfd: $crate::ty::c_int, oldpath: *const $crate::ty::c_char,
                        newdirfd: $crate::ty::c_int, newpath: *const $crate::ty::c_char,
                        flags: $crate::ty::c_uint);
            /// `faccessat2(2)`: `faccessat` with flags (Linux 5.8).
            3 faccessat2(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char,
                         mode: $crate::ty::c_int, flags: $crate::ty::c_int);
            /// `close_range(2)`: closes (or marks close-on-exec) a range of descriptors (Linux 5.9).
            3 close_range(first: $crate::ty::c_uint, last: $crate::ty::c_uint, flags: $crate::ty::c_uint);
            /// `copy_file_range(2)`: copies between files in the kernel (Linux 4.5).
            3 copy_file_range(fd_in: $crate::ty::c_int, off_in: *mut i64, fd_out: $crate::ty::c_int,
                              off_out: *mut i64, len: usize, flags: $crate::ty::c_uint);
            /// `preadv2(2)`: vectored read at an offset (-1: the file offset), with flags (Linux 4.6).
            3 preadv2(fd: $crate::ty::c_int, iov: *const $crate::ty::iovec, iovcnt: $crate::ty::c_int,
                      offset: i64, flags: $crate::ty::c_int);
            /// `pwritev2(2)`: vectored write at an offset (-1: the file offset), with flags (Linux 4.6).
            3 pwritev2(fd: $crate::ty::c_int, iov: *const $crate::ty::iovec, iovcnt: $crate::ty::c_int,
                       offset: i64, flags: $crate::ty::c_int);
            /// `memfd_create(2)`: an anonymous file (Linux 3.17).
            3 memfd_create(name: *const $crate::ty::c_char, flags: $crate::ty::c_uint);
            /// `execveat(2)`: runs a program named relative to a directory descriptor (Linux 3.19).
            3 execveat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char,
                       argv: *const *const $crate::ty::c_char, envp: *const *const $crate::ty::c_char,
                       flags: $crate::ty::c_int);
            /// `clone3(2)`: creates a child process (Linux 5.3). Through the table only
            /// fork-like (`args.stack` 0): a call that switches stacks cannot return
            /// through a function.
            3 clone3(args: *mut $crate::ty::clone_args, size: usize);
            /// `pidfd_open(2)`: a descriptor that refers to a process (Linux 5.3).
            3 pidfd_open(pid: $crate::ty::c_int, flags: $crate::ty::c_uint);
            /// `mlock2(2)`: locks memory, with flags (Linux 4.4).
            3 mlock2(addr: *const $crate::ty::c_void, len: usize, flags: $crate::ty::c_uint);
            /// `epoll_pwait2(2)`: `epoll_pwait` with a nanosecond timeout (Linux 5.11).
            3 epoll_pwait2(epfd: $crate::ty::c_int, events: *mut $crate::ty::epoll_event,
                           maxevents: $crate::ty::c_int, timeout: *const $crate::ty::__kernel_timespec,
                           sigmask: *const $crate::ty::kernel_sigset_t, sigsetsize: usize);
            /// `membarrier(2)`: memory barriers across threads (Linux 4.3).
            3 membarrier(cmd: $crate::ty::c_int, flags: $crate::ty::c_uint, cpu_id: $crate::ty::c_int);
            /// `prlimit64(2)`: gets and sets resource limits of a process (Linux 2.6.36).
            3 prlimit64(pid: $crate::ty::c_int, resource: $crate::ty::c_uint,
                        new_limit: *const $crate::ty::rlimit64, old_limit: *mut $crate::ty::rlimit64);
            /// `sendmmsg(2)`: sends several messages (Linux 3.0).
            3 sendmmsg(fd: $crate::ty::c_int, msgvec: *mut $crate::ty::mmsghdr, vlen: $crate::ty::c_uint,
                       flags: $crate::ty::c_uint);
            /// `recvmmsg(2)`: receives several messages (Linux 2.6.33).
            3 recvmmsg(fd: $crate::ty::c_int, msgvec: *mut $crate::ty::mmsghdr, vlen: $crate::ty::c_uint,
                       flags: $crate::ty::c_uint, timeout: *mut $crate::ty::__kernel_timespec);
            /// `accept4(2)`: accepts a connection, with flags (Linux 2.6.28 on x86_64).
            3 accept4(fd: $crate::ty::c_int, addr: *mut $crate::ty::sockaddr,
                      addrlen: *mut $crate::ty::socklen_t, flags: $crate::ty::c_int);
            /// `pipe2(2)`: a pipe, with flags such as `O_CLOEXEC` (Linux 2.6.27).
            3 pipe2(fds: *mut $crate::ty::c_int, flags: $crate::ty::c_int);
            /// `dup3(2)`: `dup2` with flags such as `O_CLOEXEC` (Linux 2.6.27).
            3 dup3(oldfd: $crate::ty::c_int, newfd: $crate::ty::c_int, flags: $crate::ty::c_int);
            /// `clock_getres(2)`: the resolution of clock `clock` (64-bit time on every target).
            4 clock_getres(clock: $crate::ty::c_int, res: *mut $crate::ty::__kernel_timespec);
            /// `gettimeofday(2)`: the time of day, with 64-bit seconds on every target.
            4 gettimeofday(tv: *mut $crate::ty::timeval64, tz: *mut $crate::ty::timezone);
            /// `time(2)`: seconds since the epoch, returned and (if `tloc` is not
            /// null) stored as 64 bits.
            4 time(tloc: *mut i64);
            /// `getcpu(2)`: the CPU and NUMA node the caller runs on.
            4 getcpu(cpu: *mut $crate::ty::c_uint, node: *mut $crate::ty::c_uint, cache: *mut $crate::ty::c_void);
            /// `pread64(2)`: reads at `offset` without moving the file offset.
            5 pread64(fd: $crate::ty::c_int, buf: *mut $crate::ty::c_void, count: usize, offset: i64);
            /// `pwrite64(2)`: writes at `offset` without moving the file offset.
            5 pwrite64(fd: $crate::ty::c_int, buf: *const $crate::ty::c_void, count: usize, offset: i64);
            /// `readv(2)`: reads into several buffers.
            5 readv(fd: $crate::ty::c_int, iov: *const $crate::ty::iovec, iovcnt: $crate::ty::c_int);
            /// `writev(2)`: writes from several buffers.
            5 writev(fd: $crate::ty::c_int, iov: *const $crate::ty::iovec, iovcnt: $crate::ty::c_int);
            /// `fsync(2)`: flushes a file's data and metadata to storage.
            5 fsync(fd: $crate::ty::c_int);
            /// `fdatasync(2)`: flushes a file's data to storage.
            5 fdatasync(fd: $crate::ty::c_int);
            /// `ftruncate(2)`: sets a file's length (64-bit on every target).
            5 ftruncate(fd: $crate::ty::c_int, length: i64);
            /// `fallocate(2)`: allocates or deallocates file space.
            5 fallocate(fd: $crate::ty::c_int, mode: $crate::ty::c_int, offset: i64, len: i64);
            /// `fchmodat(2)`: changes a file's mode bits.
            5 fchmodat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char, mode: $crate::ty::c_uint);
            /// `fchmod(2)`: changes an open file's mode bits.
            5 fchmod(fd: $crate::ty::c_int, mode: $crate::ty::c_uint);
            /// `fchownat(2)`: changes a file's owner and group.
            5 fchownat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char, owner: $crate::ty::c_uint,
                       group: $crate::ty::c_uint, flags: $crate::ty::c_int);
            /// `utimensat(2)`: sets access and modification times (64-bit time on every target).
            5 utimensat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char,
                        times: *const $crate::ty::__kernel_timespec, flags: $crate::ty::c_int);
            /// `readlinkat(2)`: reads a symbolic link's target (not NUL-terminated).
            5 readlinkat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char,
                         buf: *mut $crate::ty::c_char, size: usize);
            /// `mkdirat(2)`: makes a directory.
            5 mkdirat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char, mode: $crate::ty::c_uint);
            /// `unlinkat(2)`: removes a name (`AT_REMOVEDIR`: a directory).
            5 unlinkat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char, flags: $crate::ty::c_int);
            /// `linkat(2)`: makes a new name for a file.
            5 linkat(olddirfd: $crate::ty::c_int, oldpath: *const $crate::ty::c_char,
                     newdirfd: $crate::ty::c_int, newpath: *const $crate::ty::c_char, flags: $crate::ty::c_int);
            /// `symlinkat(2)`: makes a symbolic link.
            5 symlinkat(target: *const $crate::ty::c_char, dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char);
            /// `getcwd(2)`: the current directory (the system call's form: returns the length).
            5 getcwd(buf: *mut $crate::ty::c_char, size: usize);
            /// `chdir(2)`: changes the current directory.
            5 chdir(path: *const $crate::ty::c_char);
            /// `fchdir(2)`: changes the current directory to an open one.
            5 fchdir(fd: $crate::ty::c_int);
            /// `getdents64(2)`: reads directory entries.
            5 getdents64(fd: $crate::ty::c_int, dirp: *mut $crate::ty::c_void, count: usize);
            /// `dup(2)`: duplicates a descriptor to the lowest free number.
            5 dup(fd: $crate::ty::c_int);
            /// `fcntl(2)`: descriptor control (`fcntl64` on 32-bit).
            5 fcntl(fd: $crate::ty::c_int, cmd: $crate::ty::c_int, arg: usize);
            /// `madvise(2)`: advice about the use of memory.
            5 madvise(addr: *mut $crate::ty::c_void, len: usize, advice: $crate::ty::c_int);
            /// `mremap(2)`: grows, shrinks or moves a mapping.
            5 mremap(old: *mut $crate::ty::c_void, old_len: usize, new_len: usize, flags: $crate::ty::c_int,
                     new_addr: *mut $crate::ty::c_void);
            /// `msync(2)`: writes a file mapping back.
            5 msync(addr: *mut $crate::ty::c_void, len: usize, flags: $crate::ty::c_int);
            /// `mlock(2)`: locks memory in RAM.
            5 mlock(addr: *const $crate::ty::c_void, len: usize);
            /// `munlock(2)`: unlocks memory.
            5 munlock(addr: *const $crate::ty::c_void, len: usize);
            /// `clock_nanosleep(2)`: sleeps on a clock (64-bit time on every target).
            5 clock_nanosleep(clock: $crate::ty::c_int, flags: $crate::ty::c_int,
                              req: *const $crate::ty::__kernel_timespec, rem: *mut $crate::ty::__kernel_timespec);
            /// `getuid(2)`: the real user ID. Never fails.
            5 getuid();
            /// `geteuid(2)`: the effective user ID. Never fails.
            5 geteuid();
            /// `getgid(2)`: the real group ID. Never fails.
            5 getgid();
            /// `getegid(2)`: the effective group ID. Never fails.
            5 getegid();
            /// `umask(2)`: sets the file-creation mask; returns the old one. Never fails.
            5 umask(mask: $crate::ty::c_uint);
            /// `futex(2)`: waits on or wakes the 32-bit word at `uaddr`. `timeout` is a
            /// 64-bit `timespec` on every target for the waiting operations (the kernel
            /// reads it as `val2` for the requeueing ones).
            6 futex(uaddr: *mut u32, op: $crate::ty::c_int, val: u32,
                    timeout: *const $crate::ty::__kernel_timespec, uaddr2: *mut u32, val3: u32);
            /// `exit(2)`: ends the calling thread only. Does not return.
            6 exit(status: $crate::ty::c_int);
            /// `rt_sigaction(2)`: examines and changes a signal's action (`sigsetsize` 8).
            6 rt_sigaction(sig: $crate::ty::c_int, act: *const $crate::ty::kernel_sigaction,
                           oldact: *mut $crate::ty::kernel_sigaction, sigsetsize: usize);
            /// `rt_sigprocmask(2)`: examines and changes the calling thread's signal mask.
            6 rt_sigprocmask(how: $crate::ty::c_int, set: *const $crate::ty::kernel_sigset_t,
                             oldset: *mut $crate::ty::kernel_sigset_t, sigsetsize: usize);
            /// `sigaltstack(2)`: sets or reads the calling thread's alternate signal stack.
            6 sigaltstack(ss: *const $crate::ty::stack_t, old: *mut $crate::ty::stack_t);
            /// `kill(2)`: sends a signal to a process or process group.
            6 kill(pid: $crate::ty::c_int, sig: $crate::ty::c_int);
            /// `tgkill(2)`: sends a signal to one thread of a thread group.
            6 tgkill(tgid: $crate::ty::c_int, tid: $crate::ty::c_int, sig: $crate::ty::c_int);
            /// `rt_sigtimedwait(2)`: waits for a signal of `set` (a 64-bit `timespec` on every
            /// target; null waits for ever).
            6 rt_sigtimedwait(set: *const $crate::ty::kernel_sigset_t, info: *mut $crate::ty::siginfo_t,
                              timeout: *const $crate::ty::__kernel_timespec, sigsetsize: usize);
            /// `signalfd4(2)`: a descriptor that reads the signals of `mask`.
            6 signalfd4(fd: $crate::ty::c_int, mask: *const $crate::ty::kernel_sigset_t, sizemask: usize,
                        flags: $crate::ty::c_int);
            /// `prctl(2)`: process and thread controls (names, ...).
            6 prctl(option: $crate::ty::c_int, arg2: usize, arg3: usize, arg4: usize, arg5: usize);
            /// `sched_yield(2)`: lets another thread run. Never fails.
            6 sched_yield();
            /// `execve(2)`: replaces the process's program. Returns only on failure.
            7 execve(path: *const $crate::ty::c_char, argv: *const *const $crate::ty::c_char,
                     envp: *const *const $crate::ty::c_char);
            /// `wait4(2)`: waits for a child to change state; `rusage` may be null.
            7 wait4(pid: $crate::ty::c_int, status: *mut $crate::ty::c_int, options: $crate::ty::c_int,
                    rusage: *mut $crate::ty::rusage);
            /// `waitid(2)`: waits for a child (or a pidfd's process: `P_PIDFD`, 5.4) to change state.
            7 waitid(idtype: $crate::ty::c_int, id: $crate::ty::c_int, info: *mut $crate::ty::siginfo_t,
                     options: $crate::ty::c_int, rusage: *mut $crate::ty::rusage);
            /// `setsid(2)`: makes the caller a session and process-group leader.
            7 setsid();
            /// `setpgid(2)`: moves a process into a process group.
            7 setpgid(pid: $crate::ty::c_int, pgid: $crate::ty::c_int);
            /// `pidfd_send_signal(2)`: sends a signal to the process a pidfd refers to (5.1).
            7 pidfd_send_signal(pidfd: $crate::ty::c_int, sig: $crate::ty::c_int,
                                info: *mut $crate::ty::siginfo_t, flags: $crate::ty::c_uint);
            /// `socket(2)`: a new socket.
            7 socket(domain: $crate::ty::c_int, ty: $crate::ty::c_int, protocol: $crate::ty::c_int);
            /// `socketpair(2)`: two connected sockets, their descriptors in `sv`.
            7 socketpair(domain: $crate::ty::c_int, ty: $crate::ty::c_int, protocol: $crate::ty::c_int,
                         sv: *mut $crate::ty::c_int);
            /// `bind(2)`: gives a socket its local address.
            7 bind(fd: $crate::ty::c_int, addr: *const $crate::ty::sockaddr, len: $crate::ty::socklen_t);
            /// `listen(2)`: marks a socket as accepting connections.
            7 listen(fd: $crate::ty::c_int, backlog: $crate::ty::c_int);
            /// `connect(2)`: connects a socket to an address.
            7 connect(fd: $crate::ty::c_int, addr: *const $crate::ty::sockaddr, len: $crate::ty::socklen_t);
            /// `getsockname(2)`: a socket's local address.
            7 getsockname(fd: $crate::ty::c_int, addr: *mut $crate::ty::sockaddr, len: *mut $crate::ty::socklen_t);
            /// `getpeername(2)`: the address of a socket's peer.
            7 getpeername(fd: $crate::ty::c_int, addr: *mut $crate::ty::sockaddr, len: *mut $crate::ty::socklen_t);
            /// `sendto(2)`: sends bytes, to `addr` if it is not null.
            7 sendto(fd: $crate::ty::c_int, buf: *const $crate::ty::c_void, len: usize, flags: $crate::ty::c_int,
                     addr: *const $crate::ty::sockaddr, addrlen: $crate::ty::socklen_t);
            /// `recvfrom(2)`: receives bytes and, if `addr` is not null, the sender's address.
            7 recvfrom(fd: $crate::ty::c_int, buf: *mut $crate::ty::c_void, len: usize, flags: $crate::ty::c_int,
                       addr: *mut $crate::ty::sockaddr, addrlen: *mut $crate::ty::socklen_t);
            /// `sendmsg(2)`: sends a message (scattered buffers, control data such as `SCM_RIGHTS`).
            7 sendmsg(fd: $crate::ty::c_int, msg: *const $crate::ty::msghdr, flags: $crate::ty::c_int);
            /// `recvmsg(2)`: receives a message (scattered buffers, control data).
            7 recvmsg(fd: $crate::ty::c_int, msg: *mut $crate::ty::msghdr, flags: $crate::ty::c_int);
            /// `shutdown(2)`: shuts down reading, writing or both on a connection.
            7 shutdown(fd: $crate::ty::c_int, how: $crate::ty::c_int);
            /// `setsockopt(2)`: sets a socket option.
            7 setsockopt(fd: $crate::ty::c_int, level: $crate::ty::c_int, name: $crate::ty::c_int,
                         value: *const $crate::ty::c_void, len: $crate::ty::socklen_t);
            /// `getsockopt(2)`: reads a socket option.
            7 getsockopt(fd: $crate::ty::c_int, level: $crate::ty::c_int, name: $crate::ty::c_int,
                         value: *mut $crate::ty::c_void, len: *mut $crate::ty::socklen_t);
            /// `ppoll(2)`: waits for readiness on descriptors (a 64-bit `timespec` on every target;
            /// null waits for ever).
            7 ppoll(fds: *mut $crate::ty::pollfd, nfds: $crate::ty::c_uint, timeout: *const $crate::ty::__kernel_timespec,
                    sigmask: *const $crate::ty::kernel_sigset_t, sigsetsize: usize);
            /// `epoll_create1(2)`: a new epoll instance.
            7 epoll_create1(flags: $crate::ty::c_int);
            /// `epoll_ctl(2)`: adds, changes or removes a descriptor of an epoll instance.
            7 epoll_ctl(epfd: $crate::ty::c_int, op: $crate::ty::c_int, fd: $crate::ty::c_int,
                        event: *mut $crate::ty::epoll_event);
            /// `epoll_pwait(2)`: waits for events, a timeout in milliseconds (-1: for ever).
            7 epoll_pwait(epfd: $crate::ty::c_int, events: *mut $crate::ty::epoll_event, maxevents: $crate::ty::c_int,
                          timeout: $crate::ty::c_int, sigmask: *const $crate::ty::kernel_sigset_t, sigsetsize: usize);
            /// `eventfd2(2)`: a descriptor holding a counter, for wake-ups.
            7 eventfd2(initval: $crate::ty::c_uint, flags: $crate::ty::c_int);
            /// `timerfd_create(2)`: a descriptor that becomes readable when a timer expires.
            7 timerfd_create(clock: $crate::ty::c_int, flags: $crate::ty::c_int);
            /// `timerfd_settime(2)`: arms or disarms a timer descriptor (64-bit time on every target).
            7 timerfd_settime(fd: $crate::ty::c_int, flags: $crate::ty::c_int,
                              new: *const $crate::ty::__kernel_itimerspec, old: *mut $crate::ty::__kernel_itimerspec);
            /// `timerfd_gettime(2)`: a timer descriptor's time left and interval.
            7 timerfd_gettime(fd: $crate::ty::c_int, current: *mut $crate::ty::__kernel_itimerspec);
            /// `mount(2)`: mounts a filesystem.
            7 mount(source: *const $crate::ty::c_char, target: *const $crate::ty::c_char,
                    fstype: *const $crate::ty::c_char, flags: $crate::ty::c_ulong, data: *const $crate::ty::c_void);
            /// `umount2(2)`: unmounts a filesystem.
            7 umount2(target: *const $crate::ty::c_char, flags: $crate::ty::c_int);
            /// `reboot(2)`: reboots or powers off (an init's last call).
            7 reboot(magic: $crate::ty::c_int, magic2: $crate::ty::c_int, cmd: $crate::ty::c_uint,
                     arg: *mut $crate::ty::c_void);
            /// `setresuid(2)`: the real, effective and saved user IDs (-1 leaves one).
            /// The kernel changes the calling thread's only: for a child before `execve`.
            7 setresuid(ruid: $crate::ty::c_uint, euid: $crate::ty::c_uint, suid: $crate::ty::c_uint);
            /// `setresgid(2)`: the real, effective and saved group IDs, of the calling thread.
            7 setresgid(rgid: $crate::ty::c_uint, egid: $crate::ty::c_uint, sgid: $crate::ty::c_uint);
            /// `setgroups(2)`: the supplementary groups (32-bit IDs), of the calling thread.
            7 setgroups(size: usize, list: *const $crate::ty::c_uint);
            /// `llseek`: moves the file offset of `fd`; the new offset goes to `result`, whole on
            /// every target (`_llseek(2)` on i686, where `lseek`'s return value cannot hold it).
            8 llseek(fd: $crate::ty::c_int, offset: i64, whence: $crate::ty::c_int, result: *mut u64);
            /// `flock(2)`: applies or removes an advisory lock on an open file.
            8 flock(fd: $crate::ty::c_int, operation: $crate::ty::c_int);
            /// `sendfile(2)`: copies between descriptors inside the kernel (64-bit offset on every target).
            8 sendfile(out_fd: $crate::ty::c_int, in_fd: $crate::ty::c_int, offset: *mut i64, count: usize);
            /// `splice(2)`: moves data between a descriptor and a pipe inside the kernel.
            8 splice(fd_in: $crate::ty::c_int, off_in: *mut i64, fd_out: $crate::ty::c_int,
                     off_out: *mut i64, len: usize, flags: $crate::ty::c_uint);
            /// `mknodat(2)`: creates a filesystem node (a FIFO, a device) relative to a directory.
            8 mknodat(dirfd: $crate::ty::c_int, path: *const $crate::ty::c_char, mode: $crate::ty::c_uint,
                      dev: $crate::ty::c_uint);
            /// `sched_getaffinity(2)`: the CPUs a thread may run on; returns the mask's size in bytes.
            8 sched_getaffinity(tid: $crate::ty::c_int, size: usize, mask: *mut $crate::ty::c_ulong);
            /// `chroot(2)`: changes the root directory of the process.
            8 chroot(path: *const $crate::ty::c_char);
            /// `setuid(2)`: the user ID (real, effective and saved when privileged), of the calling thread.
            8 setuid(uid: $crate::ty::c_uint);
            /// `setgid(2)`: the group ID (real, effective and saved when privileged), of the calling thread.
            8 setgid(gid: $crate::ty::c_uint);
        }
    };
}

macro_rules! define_table {
    ($( $(#[$doc:meta])* $abi:literal $name:ident ( $($arg:ident : $ty:ty),* $(,)? ); )*) => {
        /// The stub table: one function pointer per slot, in slot order.
        ///
        /// `None` is the all-zero pattern of an unbound slot, which is what
        /// the section holds until the binder runs.
        #[repr(C)]
        #[derive(Clone, Copy)]
        pub struct StubTable {
            $( $(#[$doc])* pub $name: Option<sig::$name>, )*
        }

        impl StubTable {
            /// A table with no slot filled.
            pub const EMPTY: Self = Self { $( $name: None, )* };

            /// The slots as machine words, in slot order (0 for `None`).
            pub fn words(&self) -> [usize; SLOT_COUNT] {
                [$( match self.$name { Some(f) => f as *const () as usize, None => 0 }, )*]
            }
        }

        /// The function type of each slot, for the layers that implement it.
        #[allow(non_camel_case_types)]
        pub mod sig {
            $(
                #[doc = concat!("The signature of the `", stringify!($name), "` slot.")]
                pub type $name = unsafe extern "C" fn($($ty,)* *mut super::ty::c_int) -> isize;
            )*
        }

        /// Index of each slot in the table.
        #[allow(non_upper_case_globals)]
        pub mod slot {
            $(
                #[doc = concat!("Index of the `", stringify!($name), "` slot.")]
                pub const $name: usize =
                    core::mem::offset_of!(super::StubTable, $name) / core::mem::size_of::<usize>();
            )*
        }

        /// Number of slots in the current ABI version.
        pub const SLOT_COUNT: usize = [$( stringify!($name), )*].len();

        /// Slot names, in slot order.
        pub static SLOT_NAMES: [&str; SLOT_COUNT] = [$( stringify!($name), )*];

        /// The ABI version that added each slot, in slot order.
        pub const SLOT_ABI: [u32; SLOT_COUNT] = [$( $abi, )*];

        /// Machine words of arguments before the `errno` pointer, per slot.
        /// The notes point at this array.
        pub static SLOT_ARG_WORDS: [u8; SLOT_COUNT] = SLOT_ARG_WORDS_CONST;

        /// [`SLOT_ARG_WORDS`] as a constant, for compile-time checks.
        pub const SLOT_ARG_WORDS_CONST: [u8; SLOT_COUNT] = [$( 0 $( + arg_words::<$ty>() )*, )*];

        /// Arguments before the `errno` pointer, per slot (fewer than
        /// [`SLOT_ARG_WORDS`] where a 64-bit argument takes two words).
        pub const SLOT_ARGS: [u8; SLOT_COUNT] = [$( 0 $( + { let _ = stringify!($arg); 1 } )*, )*];

        /// Typed calls through the program's own stub table.
        ///
        /// Each function has the slot's signature. They are valid only once
        /// the runtime's binder has filled the table, which it does before
        /// `main`.
        pub mod call {
            $(
                $(#[$doc])*
                ///
                /// # Safety
                /// The arguments must be valid for the system call, `errno`
                /// must be writable, and the table must have been bound.
                #[inline(always)]
                pub unsafe fn $name($($arg: $ty,)* errno: *mut super::ty::c_int) -> isize {
                    // SAFETY: the binder filled every slot of this table
                    // (unknown ones with an ENOSYS stub) before main, and
                    // never clears one; the caller vouches for the arguments.
                    unsafe {
                        let f = (*(&raw const super::sys_layer_table)).$name.unwrap_unchecked();
                        f($($arg,)* errno)
                    }
                }
            )*
        }
    };
}

for_each_slot!(define_table);

/// The table ABI version of this crate: the highest version in the slot list.
pub const ABI_VERSION: u32 = {
    let mut max = 0;
    let mut i = 0;
    while i < SLOT_COUNT {
        assert!(i == 0 || SLOT_ABI[i] >= SLOT_ABI[i - 1], "slots are appended in ABI order");
        if SLOT_ABI[i] > max {
            max = SLOT_ABI[i];
        }
        i += 1;
    }
    max
};

/// Number of slots in a table built for ABI version `abi`.
pub const fn slot_count_for_abi(abi: u32) -> usize {
    let mut n = 0;
    while n < SLOT_COUNT && SLOT_ABI[n] <= abi {
        n += 1;
    }
    n
}

unsafe extern "C" {
    /// The program's own stub table, reserved by [`declare_table!`] below.
    /// Written once by the binder before `main`, read-only after.
    static mut sys_layer_table: StubTable;
    /// The runtime's words at the end of the program's own table.
    static mut sys_layer_table_runtime: RuntimeWords;
}

/// The most vDSO functions a runtime can bind (see [`RuntimeWords`]).
pub const VDSO_CAPACITY: usize = 7;

/// A vDSO function bound over a slot, as the slot's wrapper finds it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VdsoWords {
    /// The vDSO function's address.
    pub function: usize,
    /// What the slot was bound to without the vDSO (the system call or its
    /// fallback): where an `ENOSYS` answer from the vDSO goes.
    pub without: usize,
}

/// Words at the end of every table's last page (past its slots) that belong
/// to the runtime binding it: what its layers must reach after start-up.
/// Written before the table is sealed and read-only after, like the slots;
/// the binder never clears them.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeWords {
    /// i686: the system-call entry (`__kernel_vsyscall` from `AT_SYSINFO`;
    /// 0 for `int $0x80`), read by the architecture's assembly through the
    /// symbol `sys_layer_table_syscall_entry`. Unused elsewhere.
    pub syscall_entry: usize,
    /// The vDSO functions bound over slots, by the index the layer gives
    /// each.
    pub vdso: [VdsoWords; VDSO_CAPACITY],
}

/// [`RuntimeWords`] in machine words.
pub const RUNTIME_WORDS: usize = core::mem::size_of::<RuntimeWords>() / core::mem::size_of::<usize>();

const _: () = assert!(SLOT_COUNT + RUNTIME_WORDS <= table_bytes(SLOT_COUNT) / core::mem::size_of::<usize>());
const _: () = assert!(core::mem::size_of::<RuntimeWords>() == RUNTIME_WORDS * core::mem::size_of::<usize>());

/// The program's own table as machine words, one per slot, for the
/// runtime's binder (the only writer, before it seals the table).
pub fn table_words() -> *mut [usize; SLOT_COUNT] {
    (&raw mut sys_layer_table).cast()
}

/// The runtime's words in the program's own table (see [`RuntimeWords`]).
pub fn runtime_words() -> *mut RuntimeWords {
    &raw mut sys_layer_table_runtime
}

/// Reserves a stub table for ABI version `$abi` under the symbol `$symbol`,
/// with the note that lets the binder find and fill it.
///
/// The program's own table is declared by this crate. A second one stands
/// for code built against an older contract: it gets as many slots as that
/// version had, and the binder fills it on its own. Reach it with
/// `unsafe extern "C" { #[link_name = $symbol] static ...: [usize; N]; }`.
#[macro_export]
macro_rules! declare_table {
    (symbol: $symbol:literal, abi: $abi:expr $(,)?) => {
        $crate::__arch::define_stub_table! {
            symbol: $symbol,
            section: "sys_layer_stubs",
            owner: "sys-layer",
            note_type: $crate::NOTE_TYPE_TABLE,
            abi: $abi,
            slots: $crate::slot_count_for_abi($abi),
            bytes: $crate::table_bytes($crate::slot_count_for_abi($abi)),
            align_log2: $crate::TABLE_ALIGN.trailing_zeros(),
            arg_words: $crate::SLOT_ARG_WORDS,
            runtime_bytes: core::mem::size_of::<$crate::RuntimeWords>(),
            syscall_entry_at: core::mem::offset_of!($crate::RuntimeWords, syscall_entry),
        }
    };
}

#[doc(hidden)]
pub use sys_layer_arch as __arch;

declare_table!(symbol: "sys_layer_table", abi: ABI_VERSION);

const _: () = assert!(core::mem::size_of::<StubTable>() == SLOT_COUNT * core::mem::size_of::<usize>());
const _: () = assert!(slot_count_for_abi(ABI_VERSION) == SLOT_COUNT);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_indices_follow_the_list() {
        assert_eq!(slot::read, 0);
        assert_eq!(SLOT_NAMES[slot::getpid], "getpid");
        assert_eq!(SLOT_NAMES[slot::gettid], "gettid");
        assert_eq!(slot::futex, slot::umask + 1);
        assert_eq!(SLOT_NAMES[SLOT_COUNT - 1], SLOT_NAMES.last().copied().unwrap());
    }

    #[test]
    fn arg_words_count_the_words_before_errno() {
        assert_eq!(SLOT_ARG_WORDS[slot::getpid], 0);
        assert_eq!(SLOT_ARG_WORDS[slot::read], 3);
        let offset_words = if cfg!(target_pointer_width = "64") { 1 } else { 2 };
        assert_eq!(SLOT_ARG_WORDS[slot::mmap], 5 + offset_words);
    }

    #[test]
    fn abi_versions_are_prefixes() {
        assert_eq!(slot_count_for_abi(0), 0);
        assert_eq!(slot_count_for_abi(1), slot::exit_group + 1);
        assert_eq!(slot_count_for_abi(ABI_VERSION), SLOT_COUNT);
        assert_eq!(slot_count_for_abi(u32::MAX), SLOT_COUNT);
    }

    #[test]
    fn tables_fill_whole_pages() {
        assert_eq!(table_bytes(1), TABLE_ALIGN);
        assert_eq!(table_bytes(TABLE_ALIGN / core::mem::size_of::<usize>() + 1), 2 * TABLE_ALIGN);
    }

    #[test]
    fn words_match_the_fields() {
        let t = StubTable { getpid: Some(enosys::words0), ..StubTable::EMPTY };
        let w = t.words();
        assert_eq!(w[slot::getpid], enosys::words0 as *const () as usize);
        assert!(w.iter().enumerate().all(|(i, &x)| i == slot::getpid || x == 0));
    }

    #[test]
    fn each_slot_has_the_stub_of_its_argument_words() {
        let mut table = [0; SLOT_COUNT];
        enosys::fill_table(&mut table);
        for slot in 0..SLOT_COUNT {
            let stub = enosys::stub_for_arg_words(SLOT_ARG_WORDS[slot]);
            assert_eq!(Some(table[slot]), stub, "{}", SLOT_NAMES[slot]);
            assert_eq!(enosys::stub_for_slot(slot), stub);
        }
        assert_eq!(enosys::stub_for_slot(SLOT_COUNT), None);
    }
}
