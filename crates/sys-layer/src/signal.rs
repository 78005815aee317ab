//! Signals: handlers, per-thread masks, alternate stacks, sending, and
//! waiting.
//!
//! A handler installed with [`set_action`] runs behind the runtime's own
//! entry point, which saves the interrupted thread's `errno` and restores
//! it after the handler, so a handler may call anything through the table
//! (with its own errno, as every API function passes) without disturbing
//! the code it interrupted. x86 handlers return through the runtime's
//! `rt_sigreturn` trampoline (`SA_RESTORER`); aarch64 and riscv64 kernels
//! return through the vDSO's.
//!
//! # `EINTR`
//!
//! A signal handled while a thread waits in a system call interrupts it.
//! With [`SaFlags::RESTART`] (what [`Action::handler`] sets) the kernel
//! restarts `read`, `write`, `wait` and most other calls itself; it never
//! restarts timed and sleeping calls (`clock_nanosleep` returns the time
//! left, `futex` waits, `epoll_wait`/`poll`, `rt_sigtimedwait`, socket calls
//! with a timeout: see signal(7)). Without `RESTART` every such call fails
//! with `EINTR`, and the API passes it on as `Err(Errno::EINTR)`: it
//! restarts nothing itself, except its own waiting primitives (thread
//! join, `sync`'s locks, condition variables and parkers), for which a
//! signal is never an error.
//!
//! # `SIGPIPE`
//!
//! Keeps its default, as for a C program: writing to a pipe nobody reads
//! ends the process. A program that wants `EPIPE` instead sets
//! `Action::Ignore` for [`SIGPIPE`].
//!
//! # Stack overflow
//!
//! The runtime reports a thread that overflows its stack (the main
//! thread's, or a spawned thread's, into its guard page) as Rust's std
//! does, `thread '<name>' has overflowed its stack`, and aborts; see
//! `runtime/overflow.rs`. A program that sets its own `SIGSEGV` or
//! `SIGBUS` action replaces that report.
//!
//! `signal(7)`: <https://man7.org/linux/man-pages/man7/signal.7.html>

use crate::Errno;
use crate::errno::call_slot;
use crate::fd::OwnedFd;
use crate::raw;
use crate::time::Timespec;
use core::sync::atomic::{AtomicUsize, Ordering};
use linux_raw_sys::general as g;

pub use linux_raw_sys::general::{
    SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSEGV,
    SIGSTOP, SIGSYS, SIGTERM, SIGTRAP, SIGUSR1, SIGUSR2, SIGWINCH,
};

/// The number of signals (1 to 64).
pub const NSIG: usize = 64;

/// Bytes the kernel's signal sets take.
const SIGSET_SIZE: usize = 8;

/// A set of signals (`sigset_t` as the kernel takes it: 64 bits).
#[derive(Clone, Copy)]
pub struct SigSet(pub(crate) g::kernel_sigset_t);

impl PartialEq for SigSet {
    fn eq(&self, other: &SigSet) -> bool {
        self.0.sig == other.0.sig
    }
}

impl Eq for SigSet {}

impl Default for SigSet {
    /// The empty set.
    fn default() -> SigSet {
        SigSet::empty()
    }
}

impl core::fmt::Debug for SigSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_set().entries((1..=NSIG as u32).filter(|&s| self.contains(s))).finish()
    }
}

impl SigSet {
    /// No signal.
    pub const fn empty() -> SigSet {
        SigSet(g::kernel_sigset_t { sig: [0; _] })
    }

    /// Every signal (the kernel leaves `SIGKILL` and `SIGSTOP` unblockable
    /// whatever the set says).
    pub const fn full() -> SigSet {
        SigSet(g::kernel_sigset_t { sig: [!0; _] })
    }

    /// The set whose bit `n - 1` says whether signal `n` is in it (the
    /// kernel's and C's layout, as one number).
    pub const fn from_bits(bits: u64) -> SigSet {
        let mut set = SigSet::empty();
        let word_bits = core::ffi::c_ulong::BITS as usize;
        let mut w = 0;
        while w < set.0.sig.len() {
            set.0.sig[w] = (bits >> (w * word_bits)) as core::ffi::c_ulong;
            w += 1;
        }
        set
    }

    /// The set as one number: bit `n - 1` for signal `n`.
    #[allow(clippy::unnecessary_cast, reason = "the words are u32 on i686")]
    pub const fn bits(&self) -> u64 {
        let word_bits = core::ffi::c_ulong::BITS as usize;
        let mut bits = 0;
        let mut w = 0;
        while w < self.0.sig.len() {
            bits |= (self.0.sig[w] as u64) << (w * word_bits);
            w += 1;
        }
        bits
    }

    /// The words and bit of `sig` (1-based).
    fn place(sig: u32) -> Option<(usize, u32)> {
        let bits = 8 * size_of::<core::ffi::c_ulong>() as u32;
        (1..=NSIG as u32).contains(&sig).then(|| (((sig - 1) / bits) as usize, (sig - 1) % bits))
    }

    /// Adds `sig` (out of range: ignored).
    pub fn add(&mut self, sig: u32) -> &mut Self {
        if let Some((w, b)) = SigSet::place(sig) {
            self.0.sig[w] |= 1 << b;
        }
        self
    }

    /// Removes `sig`.
    pub fn remove(&mut self, sig: u32) -> &mut Self {
        if let Some((w, b)) = SigSet::place(sig) {
            self.0.sig[w] &= !(1 << b);
        }
        self
    }

    /// Whether `sig` is in the set.
    pub fn contains(&self, sig: u32) -> bool {
        SigSet::place(sig).is_some_and(|(w, b)| self.0.sig[w] & (1 << b) != 0)
    }

    /// The set of `signals`.
    pub fn of(signals: &[u32]) -> SigSet {
        let mut s = SigSet::empty();
        for &sig in signals {
            s.add(sig);
        }
        s
    }
}

bitflags::bitflags! {
    /// How a handler runs (`SA_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct SaFlags: u32 {
        /// `SA_RESTART`: the kernel restarts the interrupted call where it can.
        const RESTART = g::SA_RESTART;
        /// `SA_ONSTACK`: the handler runs on the alternate signal stack.
        const ONSTACK = g::SA_ONSTACK;
        /// `SA_NODEFER`: the signal is not blocked while its handler runs.
        const NODEFER = g::SA_NODEFER;
        /// `SA_RESETHAND`: the action goes back to the default after one delivery.
        const RESETHAND = g::SA_RESETHAND;
        /// `SA_NOCLDSTOP`: no `SIGCHLD` when a child stops.
        const NOCLDSTOP = g::SA_NOCLDSTOP;
    }
}

/// What a signal does.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// The default (`SIG_DFL`): end, stop, ignore or dump, per signal.
    Default,
    /// Nothing (`SIG_IGN`).
    Ignore,
    /// Calls `handler(signal, info)`; `mask` is blocked while it runs (the
    /// signal itself too, unless [`SaFlags::NODEFER`]).
    Handle {
        /// The function.
        handler: fn(u32, &SigInfo),
        /// Flags.
        flags: SaFlags,
        /// Blocked while it runs.
        mask: SigSet,
    },
}

impl Action {
    /// `handler`, with [`SaFlags::RESTART`] and nothing else blocked.
    pub fn handler(handler: fn(u32, &SigInfo)) -> Action {
        Action::Handle { handler, flags: SaFlags::RESTART, mask: SigSet::empty() }
    }
}

/// What the kernel says about a delivered signal (`siginfo_t`).
#[repr(transparent)]
pub struct SigInfo(g::siginfo_t);

impl SigInfo {
    fn word(&self, at: usize) -> i32 {
        // SAFETY: siginfo_t is 128 bytes; at is within its first 16.
        unsafe { (&raw const self.0).cast::<u8>().add(at).cast::<i32>().read_unaligned() }
    }

    /// The signal number.
    pub fn signo(&self) -> u32 {
        self.word(0) as u32
    }

    /// Why it was sent (`SI_USER`, `SI_TKILL`, `SEGV_MAPERR`, ...).
    pub fn code(&self) -> i32 {
        self.word(8)
    }

    /// For `SIGSEGV`, `SIGBUS`, `SIGILL` and `SIGFPE`: the faulting address.
    pub fn fault_address(&self) -> usize {
        // SAFETY: the union's first member starts there, in bounds.
        unsafe { (&raw const self.0).cast::<u8>().add(UNION_AT).cast::<usize>().read_unaligned() }
    }

    /// For signals sent by a process (`kill`, `tgkill`): its ID.
    pub fn sender_pid(&self) -> i32 {
        self.word(UNION_AT)
    }
}

/// Where `siginfo_t`'s union starts: after `si_signo`, `si_errno` and
/// `si_code`, aligned to a pointer.
const UNION_AT: usize = if size_of::<usize>() == 8 { 16 } else { 12 };

/// The program's handler per signal (0: none of ours).
static HANDLERS: [AtomicUsize; NSIG + 1] = [const { AtomicUsize::new(0) }; NSIG + 1];

/// What the kernel calls for every handled signal: keeps the interrupted
/// code's `errno` across the program's handler.
unsafe extern "C" fn dispatch(sig: i32, info: *mut g::siginfo_t, _context: *mut core::ffi::c_void) {
    let errno = sys_layer_tls::errno_location();
    // SAFETY: this thread's own errno word, and the kernel's siginfo for
    // this delivery.
    unsafe {
        let saved = errno.read();
        if let Some(slot) = HANDLERS.get(sig as usize) {
            let f = slot.load(Ordering::Acquire);
            if f != 0 {
                let handler = core::mem::transmute::<usize, fn(u32, &SigInfo)>(f);
                handler(sig as u32, &*info.cast::<SigInfo>());
            }
        }
        errno.write(saved);
    }
}

/// `SA_RESTORER`, which riscv64 lacks (its `signal_restorer()` is `None`).
#[cfg(not(target_arch = "riscv64"))]
const SA_RESTORER: u32 = g::SA_RESTORER;
#[cfg(target_arch = "riscv64")]
const SA_RESTORER: u32 = 0;

/// The kernel's form of an action.
pub(crate) fn kernel_action(handler: usize, flags: u32, mask: SigSet) -> g::kernel_sigaction {
    let restorer = sys_layer_arch::signal_restorer();
    let flags = flags | if restorer.is_some() { SA_RESTORER } else { 0 };
    // SAFETY: all-zero is a valid kernel_sigaction (null handler and
    // restorer); every field is set below.
    let mut k: g::kernel_sigaction = unsafe { core::mem::zeroed() };
    // SAFETY: the handler field is an Option of a function pointer; the
    // value is SIG_DFL (0), SIG_IGN (1) or dispatch's address.
    k.sa_handler_kernel = unsafe { core::mem::transmute::<usize, g::__kernel_sighandler_t>(handler) };
    k.sa_flags = flags as _;
    k.sa_mask = mask.0;
    #[cfg(not(target_arch = "riscv64"))]
    if let Some(r) = restorer {
        // SAFETY: as above, a function pointer the kernel jumps to.
        k.sa_restorer = unsafe { core::mem::transmute::<usize, g::__sigrestore_t>(r) };
    }
    k
}

/// Sets what `sig` does.
///
/// `rt_sigaction(2)`: <https://man7.org/linux/man-pages/man2/sigaction.2.html>
pub fn set_action(sig: u32, action: Action) -> Result<(), Errno> {
    let slot = HANDLERS.get(sig as usize).filter(|_| sig != 0).ok_or(Errno::EINVAL)?;
    let k = match action {
        Action::Default => kernel_action(0, 0, SigSet::empty()),
        Action::Ignore => kernel_action(1, 0, SigSet::empty()),
        Action::Handle { handler, flags, mask } => {
            note_caught(sig);
            slot.store(handler as usize, Ordering::Release);
            kernel_action(dispatch as *const () as usize, flags.bits() | g::SA_SIGINFO, mask)
        }
    };
    // SAFETY: k is a valid kernel_sigaction; no old action is asked for.
    call_slot(|e| unsafe { raw::rt_sigaction(sig as i32, &k, core::ptr::null_mut(), SIGSET_SIZE, e) }).map(drop)
}

/// A signal action in the kernel's own terms, for C's `sigaction`.
#[derive(Debug, Clone, Copy)]
pub struct RawAction {
    /// `SIG_DFL` (0), `SIG_IGN` (1), or the address of a C function the
    /// kernel calls: `(sig)`, or `(sig, info, context)` with `SA_SIGINFO`.
    pub handler: usize,
    /// `SA_*` flags (without `SA_RESTORER`, which the runtime adds).
    pub flags: u32,
    /// Blocked while the handler runs.
    pub mask: SigSet,
}

/// Sets `sig`'s action to `new`, if given, exactly as it is (the kernel
/// calls the handler directly: unlike [`set_action`], `errno` is not kept
/// across it), and returns the action before. A handler other than
/// `SIG_DFL` or `SIG_IGN` counts as one of the program's (a spawned
/// child resets it). An action [`set_action`] installed reads back with
/// the runtime's dispatcher as its handler.
///
/// `rt_sigaction(2)`: <https://man7.org/linux/man-pages/man2/sigaction.2.html>
///
/// # Safety
/// The handler must be sound to run at any point where the signal can
/// arrive, with the kernel's arguments for the flags given.
pub unsafe fn exchange_raw_action(sig: u32, new: Option<RawAction>) -> Result<RawAction, Errno> {
    if sig == 0 || sig as usize > NSIG {
        return Err(Errno::EINVAL);
    }
    let k = new.map(|a| {
        if a.handler > 1 {
            note_caught(sig);
        }
        kernel_action(a.handler, a.flags, a.mask)
    });
    let kp = k.as_ref().map_or(core::ptr::null(), |k| k as *const _);
    // SAFETY: all-zero is a valid kernel_sigaction; the kernel fills it.
    let mut old: g::kernel_sigaction = unsafe { core::mem::zeroed() };
    // SAFETY: kp is null or a valid kernel_sigaction; old is writable.
    call_slot(|e| unsafe { raw::rt_sigaction(sig as i32, kp, &mut old, SIGSET_SIZE, e) })?;
    Ok(RawAction {
        handler: old.sa_handler_kernel.map_or(0, |f| f as usize),
        flags: old.sa_flags as u32 & !SA_RESTORER,
        mask: SigSet(old.sa_mask),
    })
}

/// The name of signal `sig` (`SIGKILL`), for the standard signals.
pub fn name(sig: u32) -> Option<&'static str> {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    NAMES.get((sig as usize).checked_sub(1)?).copied()
}

/// The signals that have ever had a handler in this process (bit `sig - 1`).
/// A spawned child runs a little code in the parent's memory before
/// `execve`; it resets these to the default first, so that no handler of
/// the parent's runs there (see `process::command`). Start-up writes it (the
/// stack-overflow report's handlers), so it is start-up state.
#[unsafe(link_section = sys_layer_arch::hot_section!())]
static CAUGHT: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

fn note_caught(sig: u32) {
    CAUGHT.fetch_or(1 << (sig - 1), Ordering::Relaxed);
}

/// The signals that have ever had a handler here, bit `sig - 1`.
pub(crate) fn caught_signals() -> u64 {
    CAUGHT.load(Ordering::Relaxed)
}

/// Installs the runtime's own `dispatch`-free handler `handler` (an
/// `extern "C"` function of the kernel's three arguments) for `sig`, on the
/// alternate stack: for the runtime's stack-overflow report.
#[cfg_attr(not(feature = "stack-overflow-report"), allow(dead_code))] // the report's
pub(crate) fn set_runtime_handler(
    sig: u32,
    handler: unsafe extern "C" fn(i32, *mut g::siginfo_t, *mut core::ffi::c_void),
) -> Result<(), Errno> {
    note_caught(sig);
    let k = kernel_action(handler as *const () as usize, g::SA_SIGINFO | g::SA_ONSTACK, SigSet::empty());
    // SAFETY: k is a valid kernel_sigaction.
    call_slot(|e| unsafe { raw::rt_sigaction(sig as i32, &k, core::ptr::null_mut(), SIGSET_SIZE, e) }).map(drop)
}

/// How [`thread_mask`] changes the mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskHow {
    /// Adds the set to the mask.
    Block,
    /// Removes the set from the mask.
    Unblock,
    /// Makes the set the mask.
    Set,
}

/// Changes the calling thread's signal mask; returns the old one. Each
/// thread has its own (a new thread starts with its creator's).
///
/// `rt_sigprocmask(2)` (as `pthread_sigmask`): <https://man7.org/linux/man-pages/man2/sigprocmask.2.html>
pub fn thread_mask(how: MaskHow, set: &SigSet) -> Result<SigSet, Errno> {
    let how = match how {
        MaskHow::Block => g::SIG_BLOCK,
        MaskHow::Unblock => g::SIG_UNBLOCK,
        MaskHow::Set => g::SIG_SETMASK,
    };
    let mut old = SigSet::empty();
    // SAFETY: both sets are kernel_sigset_t.
    call_slot(|e| unsafe { raw::rt_sigprocmask(how as i32, &set.0, &mut old.0, SIGSET_SIZE, e) })?;
    Ok(old)
}

/// Gives the calling thread `stack` as its alternate signal stack, for
/// handlers installed with [`SaFlags::ONSTACK`]. It replaces the one the
/// runtime gave the thread, which the stack-overflow report then runs on
/// too: give it at least 32 KiB.
///
/// `sigaltstack(2)`: <https://man7.org/linux/man-pages/man2/sigaltstack.2.html>
pub fn set_alternate_stack(stack: &'static mut [u8]) -> Result<(), Errno> {
    // SAFETY: the memory is the program's for ever ('static).
    unsafe { set_alternate_stack_raw(stack.as_mut_ptr(), stack.len()) }
}

/// [`set_alternate_stack`] on raw memory.
///
/// # Safety
/// `len` bytes at `base` must stay writable and unused otherwise while
/// they are the thread's alternate stack.
pub(crate) unsafe fn set_alternate_stack_raw(base: *mut u8, len: usize) -> Result<(), Errno> {
    let ss = g::stack_t { ss_sp: base.cast(), ss_flags: 0, ss_size: len as _ };
    // SAFETY: ss describes memory the caller vouches for.
    call_slot(|e| unsafe { raw::sigaltstack(&ss, core::ptr::null_mut(), e) }).map(drop)
}

/// Sends `sig` to process `pid` (0: the caller's process group; -1: every
/// process it may signal; below -1: the group `-pid`). Signal 0 only checks
/// that it could.
///
/// `kill(2)`: <https://man7.org/linux/man-pages/man2/kill.2.html>
pub fn kill(pid: i32, sig: u32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    call_slot(|e| unsafe { raw::kill(pid, sig as i32, e) }).map(drop)
}

/// Sends `sig` to thread `tid` of process `tgid`.
///
/// `tgkill(2)`: <https://man7.org/linux/man-pages/man2/tgkill.2.html>
pub fn tgkill(tgid: i32, tid: i32, sig: u32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    call_slot(|e| unsafe { raw::tgkill(tgid, tid, sig as i32, e) }).map(drop)
}

/// Sends `sig` to the calling thread: its handler has run when this
/// returns (if the signal is not blocked).
///
/// `raise(3)`: <https://man7.org/linux/man-pages/man3/raise.3.html>
pub fn raise(sig: u32) -> Result<(), Errno> {
    tgkill(crate::process::getpid(), crate::thread::current_id() as i32, sig)
}

/// Waits for a signal of `set` (which the calling thread should block, or
/// it may be delivered to a handler instead), at most `timeout` (`None`:
/// for ever), and takes it: its number. `EAGAIN` when the time ran out,
/// `EINTR` when another signal's handler ran.
///
/// `rt_sigtimedwait(2)` (as `sigwait`, `sigtimedwait`): <https://man7.org/linux/man-pages/man2/rt_sigtimedwait.2.html>
pub fn wait(set: &SigSet, timeout: Option<Timespec>) -> Result<u32, Errno> {
    let ts = timeout.map(Timespec::to_kernel);
    let ts_ptr = ts.as_ref().map_or(core::ptr::null(), |t| t as *const _);
    // SAFETY: the set is a kernel_sigset_t; no siginfo is asked for; the
    // timeout is null or a live timespec.
    call_slot(|e| unsafe { raw::rt_sigtimedwait(&set.0, core::ptr::null_mut(), ts_ptr, SIGSET_SIZE, e) })
        .map(|s| s as u32)
}

/// A descriptor that reads the signals of `set` as `signalfd_siginfo`
/// records (block them first), close-on-exec.
///
/// `signalfd4(2)`: <https://man7.org/linux/man-pages/man2/signalfd.2.html>
pub fn signalfd(set: &SigSet, nonblocking: bool) -> Result<OwnedFd, Errno> {
    let flags = g::O_CLOEXEC | if nonblocking { g::O_NONBLOCK } else { 0 };
    // SAFETY: the set is a kernel_sigset_t.
    let fd = call_slot(|e| unsafe { raw::signalfd4(-1, &set.0, SIGSET_SIZE, flags as i32, e) })?;
    // SAFETY: a new descriptor, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// The signal number of a `signalfd_siginfo` record read from a
/// [`signalfd`] (its first 4 bytes); `None` for a short record.
pub fn signalfd_signo(record: &[u8]) -> Option<u32> {
    record.get(..4).map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

/// Bytes of one record a [`signalfd`] gives.
pub const SIGNALFD_RECORD_SIZE: usize = 128;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_signals_by_number() {
        let mut s = SigSet::empty();
        s.add(SIGINT).add(64).add(0).add(65);
        assert!(s.contains(SIGINT) && s.contains(64));
        assert!(!s.contains(SIGTERM) && !s.contains(0) && !s.contains(65));
        s.remove(SIGINT);
        assert!(!s.contains(SIGINT));
        assert!(SigSet::full().contains(SIGKILL));
        // The kernel's bit for signal n is bit n - 1.
        assert_eq!(SigSet::of(&[1]).0.sig[0], 1);
        assert_eq!(size_of::<g::kernel_sigset_t>(), SIGSET_SIZE);
    }

    #[test]
    fn sets_as_one_number() {
        let s = SigSet::of(&[SIGINT, 33, 64]);
        assert_eq!(s.bits(), 1 << (SIGINT - 1) | 1 << 32 | 1 << 63);
        assert_eq!(SigSet::from_bits(s.bits()), s);
        assert!(SigSet::from_bits(1 << 63).contains(64));
        assert_eq!(SigSet::full().bits(), u64::MAX);
    }
}
