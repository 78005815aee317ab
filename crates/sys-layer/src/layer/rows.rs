//! The layer table: one row per slot, everything the layer knows about it.
//!
//! In the manner of Linux's `syscall_64.tbl`, each row names, for one slot
//! of the contract's slot list:
//!
//! - `nr(__NR_x)`: its system call (linux-raw-sys's name), on every target;
//!   `i686(__NR_y)`: the call i686 uses instead (64-bit time, 32-bit IDs);
//! - `form(path)`: a function of the slot's signature that makes the call
//!   where the arguments do not go to the kernel as they are (`abi32.rs`),
//!   on every target; `i686_form(path)`: on i686 only (in place of `form`
//!   where a row names both);
//! - `fallback(path)`: what the slot does below its system call's first
//!   kernel (`fallback/`), on every target; `i686_fallback(path)`: on i686;
//! - `vdso(arch "symbol", ...)`: the vDSO function that serves it, per
//!   architecture (`x86_64`, `i686`, `aarch64`, `riscv64`).
//!
//! From the rows come the system-call numbers, the names the version table
//! is searched for (`versions.rs`), the fallback map, the vDSO symbols and
//! the vDSO functions' runtime-word indices. A row without a slot, or a slot
//! without a row (`slots.rs` reads each slot's row), fails the build; so
//! does a slot with a 64-bit argument on a 32-bit target and no form.

use super::abi32;
#[cfg(target_arch = "x86")]
use super::fallback::time as time32;
use super::fallback::{event, fd, fs, io, mm, net, process, rand};
use sys_layer_stubs::sig;

/// The system call's name without linux-raw-sys's `__NR_` prefix.
const fn call_name(nr_constant: &'static str) -> &'static str {
    match nr_constant.as_bytes() {
        [b'_', b'_', b'N', b'R', b'_', ..] => nr_constant.split_at(5).1,
        _ => panic!("a row's system call must be a linux-raw-sys __NR_ constant"),
    }
}

/// `NR` and `SYSCALL` of a row.
macro_rules! row_call {
    ($slot:ident) => {
        pub(crate) const NR: Option<u32> = None;
        pub(crate) const SYSCALL: &str = stringify!($slot);
    };
    ($slot:ident $nr:ident) => {
        pub(crate) const NR: Option<u32> = Some(linux_raw_sys::general::$nr);
        pub(crate) const SYSCALL: &str = call_name(stringify!($nr));
    };
    ($slot:ident $nr:ident $nr32:ident) => {
        #[cfg(target_arch = "x86")]
        pub(crate) const NR: Option<u32> = Some(linux_raw_sys::general::$nr32);
        #[cfg(target_arch = "x86")]
        pub(crate) const SYSCALL: &str = call_name(stringify!($nr32));
        #[cfg(not(target_arch = "x86"))]
        pub(crate) const NR: Option<u32> = Some(linux_raw_sys::general::$nr);
        #[cfg(not(target_arch = "x86"))]
        pub(crate) const SYSCALL: &str = call_name(stringify!($nr));
    };
}

/// A row's optional function for every target or for i686 only, as the
/// constant `$const`.
macro_rules! row_function {
    ($const:ident $slot:ident) => {
        pub(crate) const $const: Option<sig::$slot> = None;
    };
    ($const:ident $slot:ident every $f:path;) => {
        pub(crate) const $const: Option<sig::$slot> = Some($f);
    };
    ($const:ident $slot:ident every $f:path; i686 $f32:path;) => {
        #[cfg(target_arch = "x86")]
        pub(crate) const $const: Option<sig::$slot> = Some($f32);
        #[cfg(not(target_arch = "x86"))]
        pub(crate) const $const: Option<sig::$slot> = Some($f);
    };
    ($const:ident $slot:ident i686 $f:path;) => {
        #[cfg(target_arch = "x86")]
        pub(crate) const $const: Option<sig::$slot> = Some($f);
        #[cfg(not(target_arch = "x86"))]
        pub(crate) const $const: Option<sig::$slot> = None;
    };
}

macro_rules! layer_rows {
    ($(
        $slot:ident :
        $( nr($nr:ident) )?
        $( i686($nr32:ident) )?
        $( form($form:path) )?
        $( i686_form($form32:path) )?
        $( fallback($fb:path) )?
        $( i686_fallback($fb32:path) )?
        $( vdso($( $va:ident $vs:literal ),+) )?
        ;
    )*) => {
        $(
            #[doc = concat!("The row of the `", stringify!($slot), "` slot.")]
            pub(crate) mod $slot {
                use super::*;

                /// The slot this row is for: a row without a slot fails here.
                pub(crate) const SLOT: usize = sys_layer_stubs::slot::$slot;
                row_call!($slot $($nr)? $($nr32)?);
                row_function!(FORM $slot $(every $form;)? $(i686 $form32;)?);
                row_function!(FALLBACK $slot $(every $fb;)? $(i686 $fb32;)?);
                /// The vDSO symbol that serves the slot on this architecture.
                pub(crate) const VDSO_SYMBOL: Option<&str> =
                    super::super::vdso::symbol_for_arch(&[$($( (stringify!($va), $vs) ),+)?]);
            }
        )*

        /// The slots whose rows name a vDSO function, in row order: the
        /// index of each in its runtime words.
        pub(crate) const VDSO_SLOTS: &[usize] = &[
            $( $( { let _symbols = [$($vs),+]; sys_layer_stubs::slot::$slot }, )? )*
        ];
    };
}

/// The index of `slot`'s vDSO function among the runtime words: its place
/// among the rows that name one. Slots without one get 0, which their
/// (never bound) wrapper would read.
pub(crate) const fn vdso_index(slot: usize) -> usize {
    let mut i = 0;
    while i < VDSO_SLOTS.len() {
        if VDSO_SLOTS[i] == slot {
            return i;
        }
        i += 1;
    }
    0
}

const _: () = assert!(
    VDSO_SLOTS.len() <= sys_layer_stubs::VDSO_CAPACITY,
    "more rows name a vDSO function than the runtime words hold: raise VDSO_CAPACITY"
);

layer_rows! {
    read:            nr(__NR_read);
    write:           nr(__NR_write);
    openat:          nr(__NR_openat);
    close:           nr(__NR_close);
    getpid:          nr(__NR_getpid);
    getppid:         nr(__NR_getppid);
    uname:           nr(__NR_uname);
    exit_group:      nr(__NR_exit_group);
    lseek:           nr(__NR_lseek) i686_form(abi32::llseek);
    ioctl:           nr(__NR_ioctl);
    mmap:            nr(__NR_mmap) i686_form(abi32::mmap2);
    munmap:          nr(__NR_munmap);
    mprotect:        nr(__NR_mprotect);
    clock_gettime:   nr(__NR_clock_gettime) i686(__NR_clock_gettime64) i686_fallback(time32::clock_gettime)
                     vdso(x86_64 "__vdso_clock_gettime", i686 "__vdso_clock_gettime64",
                          aarch64 "__kernel_clock_gettime", riscv64 "__vdso_clock_gettime");
    gettid:          nr(__NR_gettid);
    getrandom:       nr(__NR_getrandom) fallback(rand::getrandom);
    statx:           nr(__NR_statx) fallback(fs::statx);
    openat2:         nr(__NR_openat2) fallback(fs::openat2);
    renameat2:       nr(__NR_renameat2) fallback(fs::renameat2);
    faccessat2:      nr(__NR_faccessat2) fallback(fs::faccessat2);
    close_range:     nr(__NR_close_range) fallback(fd::close_range);
    copy_file_range: nr(__NR_copy_file_range) fallback(io::copy_file_range);
    preadv2:         nr(__NR_preadv2) form(abi32::preadv2) fallback(io::preadv2);
    pwritev2:        nr(__NR_pwritev2) form(abi32::pwritev2) fallback(io::pwritev2);
    memfd_create:    nr(__NR_memfd_create);
    execveat:        nr(__NR_execveat) fallback(process::execveat);
    clone3:          nr(__NR_clone3) form(abi32::clone3) fallback(process::clone3);
    pidfd_open:      nr(__NR_pidfd_open);
    mlock2:          nr(__NR_mlock2) fallback(mm::mlock2);
    epoll_pwait2:    nr(__NR_epoll_pwait2) fallback(event::epoll_pwait2);
    membarrier:      nr(__NR_membarrier);
    prlimit64:       nr(__NR_prlimit64) fallback(process::prlimit64);
    sendmmsg:        nr(__NR_sendmmsg) fallback(net::sendmmsg);
    recvmmsg:        nr(__NR_recvmmsg) i686(__NR_recvmmsg_time64) fallback(net::recvmmsg);
    accept4:         nr(__NR_accept4) i686_fallback(net::accept4);
    pipe2:           nr(__NR_pipe2);
    dup3:            nr(__NR_dup3);
    clock_getres:    nr(__NR_clock_getres) i686(__NR_clock_getres_time64) i686_fallback(time32::clock_getres)
                     vdso(x86_64 "__vdso_clock_getres", aarch64 "__kernel_clock_getres",
                          riscv64 "__vdso_clock_getres");
    gettimeofday:    nr(__NR_gettimeofday) i686_form(abi32::gettimeofday)
                     vdso(x86_64 "__vdso_gettimeofday", aarch64 "__kernel_gettimeofday",
                          riscv64 "__vdso_gettimeofday");
    time:            form(abi32::time) vdso(x86_64 "__vdso_time");
    getcpu:          nr(__NR_getcpu) vdso(x86_64 "__vdso_getcpu", i686 "__vdso_getcpu", riscv64 "__vdso_getcpu");
    pread64:         nr(__NR_pread64) i686_form(abi32::pread64);
    pwrite64:        nr(__NR_pwrite64) i686_form(abi32::pwrite64);
    readv:           nr(__NR_readv);
    writev:          nr(__NR_writev);
    fsync:           nr(__NR_fsync);
    fdatasync:       nr(__NR_fdatasync);
    ftruncate:       nr(__NR_ftruncate) i686_form(abi32::ftruncate64);
    fallocate:       nr(__NR_fallocate) i686_form(abi32::fallocate);
    fchmodat:        nr(__NR_fchmodat);
    fchmod:          nr(__NR_fchmod);
    fchownat:        nr(__NR_fchownat);
    utimensat:       nr(__NR_utimensat) i686(__NR_utimensat_time64) i686_fallback(fs::utimensat32);
    readlinkat:      nr(__NR_readlinkat);
    mkdirat:         nr(__NR_mkdirat);
    unlinkat:        nr(__NR_unlinkat);
    linkat:          nr(__NR_linkat);
    symlinkat:       nr(__NR_symlinkat);
    getcwd:          nr(__NR_getcwd);
    chdir:           nr(__NR_chdir);
    fchdir:          nr(__NR_fchdir);
    getdents64:      nr(__NR_getdents64);
    dup:             nr(__NR_dup);
    fcntl:           nr(__NR_fcntl) i686(__NR_fcntl64);
    madvise:         nr(__NR_madvise);
    mremap:          nr(__NR_mremap);
    msync:           nr(__NR_msync);
    mlock:           nr(__NR_mlock);
    munlock:         nr(__NR_munlock);
    clock_nanosleep: nr(__NR_clock_nanosleep) i686(__NR_clock_nanosleep_time64) i686_fallback(time32::clock_nanosleep);
    getuid:          nr(__NR_getuid) i686(__NR_getuid32);
    geteuid:         nr(__NR_geteuid) i686(__NR_geteuid32);
    getgid:          nr(__NR_getgid) i686(__NR_getgid32);
    getegid:         nr(__NR_getegid) i686(__NR_getegid32);
    umask:           nr(__NR_umask);
    futex:           nr(__NR_futex) i686(__NR_futex_time64) i686_fallback(time32::futex);
    exit:            nr(__NR_exit);
    rt_sigaction:    nr(__NR_rt_sigaction);
    rt_sigprocmask:  nr(__NR_rt_sigprocmask);
    sigaltstack:     nr(__NR_sigaltstack);
    kill:            nr(__NR_kill);
    tgkill:          nr(__NR_tgkill);
    rt_sigtimedwait: nr(__NR_rt_sigtimedwait) i686(__NR_rt_sigtimedwait_time64)
                     i686_fallback(time32::rt_sigtimedwait);
    signalfd4:       nr(__NR_signalfd4);
    prctl:           nr(__NR_prctl);
    sched_yield:     nr(__NR_sched_yield);
    execve:          nr(__NR_execve);
    wait4:           nr(__NR_wait4);
    waitid:          nr(__NR_waitid);
    setsid:          nr(__NR_setsid);
    setpgid:         nr(__NR_setpgid);
    pidfd_send_signal: nr(__NR_pidfd_send_signal);
    socket:          nr(__NR_socket) i686_fallback(net::socket);
    socketpair:      nr(__NR_socketpair) i686_fallback(net::socketpair);
    bind:            nr(__NR_bind) i686_fallback(net::bind);
    listen:          nr(__NR_listen) i686_fallback(net::listen);
    connect:         nr(__NR_connect) i686_fallback(net::connect);
    getsockname:     nr(__NR_getsockname) i686_fallback(net::getsockname);
    getpeername:     nr(__NR_getpeername) i686_fallback(net::getpeername);
    sendto:          nr(__NR_sendto) i686_fallback(net::sendto);
    recvfrom:        nr(__NR_recvfrom) i686_fallback(net::recvfrom);
    sendmsg:         nr(__NR_sendmsg) i686_fallback(net::sendmsg);
    recvmsg:         nr(__NR_recvmsg) i686_fallback(net::recvmsg);
    shutdown:        nr(__NR_shutdown) i686_fallback(net::shutdown);
    setsockopt:      nr(__NR_setsockopt) i686_fallback(net::setsockopt);
    getsockopt:      nr(__NR_getsockopt) i686_fallback(net::getsockopt);
    ppoll:           nr(__NR_ppoll) i686(__NR_ppoll_time64) i686_fallback(time32::ppoll);
    epoll_create1:   nr(__NR_epoll_create1);
    epoll_ctl:       nr(__NR_epoll_ctl);
    epoll_pwait:     nr(__NR_epoll_pwait);
    eventfd2:        nr(__NR_eventfd2);
    timerfd_create:  nr(__NR_timerfd_create);
    timerfd_settime: nr(__NR_timerfd_settime) i686(__NR_timerfd_settime64) i686_fallback(time32::timerfd_settime);
    timerfd_gettime: nr(__NR_timerfd_gettime) i686(__NR_timerfd_gettime64) i686_fallback(time32::timerfd_gettime);
    mount:           nr(__NR_mount);
    umount2:         nr(__NR_umount2);
    reboot:          nr(__NR_reboot);
    setresuid:       nr(__NR_setresuid) i686(__NR_setresuid32);
    setresgid:       nr(__NR_setresgid) i686(__NR_setresgid32);
    setgroups:       nr(__NR_setgroups) i686(__NR_setgroups32);
    llseek:          nr(__NR_lseek) i686(__NR__llseek) form(abi32::lseek_result) i686_form(abi32::llseek_result);
    flock:           nr(__NR_flock);
    sendfile:        nr(__NR_sendfile) i686(__NR_sendfile64);
    splice:          nr(__NR_splice);
    mknodat:         nr(__NR_mknodat);
    sched_getaffinity: nr(__NR_sched_getaffinity);
    chroot:          nr(__NR_chroot);
    setuid:          nr(__NR_setuid) i686(__NR_setuid32);
    setgid:          nr(__NR_setgid) i686(__NR_setgid32);
}
