//! Signals, checked from inside: handlers (and the errno they must not
//! disturb), masks, waiting, signalfd, the alternate stack, a signal that
//! interrupts a blocking read in another thread, and a join that a signal
//! interrupts. With an argument, it overflows a stack instead:
//! `overflow-main` (the main thread's) or `overflow-thread` (a spawned
//! thread's, named `deep-diver`), for the suite to read the report.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use sys_layer::signal::{self, Action, MaskHow, SaFlags, SigInfo, SigSet};
use sys_layer::{Errno, c, env, fd, io, process, thread, time};
use sys_layer_tests::Checks;

sys_layer::main!(main);

static USR1: AtomicUsize = AtomicUsize::new(0);
static LAST_TID: AtomicI32 = AtomicI32::new(0);
static SENDER: AtomicI32 = AtomicI32::new(0);

fn on_usr1(_sig: u32, info: &SigInfo) {
    // The count last: another thread that sees it change reads the rest
    // (it read a stale thread ID once, in a slow emulated guest).
    LAST_TID.store(thread::current_id() as i32, Ordering::SeqCst);
    SENDER.store(info.sender_pid(), Ordering::SeqCst);
    USR1.fetch_add(1, Ordering::SeqCst);
    // A failing call in the handler sets errno; the interrupted code must
    // not see it.
    // SAFETY: a descriptor that is never open.
    unsafe { c::close(-1) };
}

extern crate alloc;

static ON_ALT: AtomicUsize = AtomicUsize::new(0);
/// Where the alternate stack starts (`ALT_SIZE` bytes).
static ALT_BASE: AtomicUsize = AtomicUsize::new(0);
const ALT_SIZE: usize = 64 * 1024;

fn on_usr2_alt(_sig: u32, _info: &SigInfo) {
    let local = 0u8;
    let at = core::hint::black_box(&local) as *const u8 as usize;
    let base = ALT_BASE.load(Ordering::SeqCst);
    if (base..base + ALT_SIZE).contains(&at) {
        ON_ALT.store(1, Ordering::SeqCst);
    } else {
        ON_ALT.store(2, Ordering::SeqCst);
    }
}

fn sleep_ms(ms: u32) {
    let _ = time::sleep(time::Timespec { sec: 0, nsec: ms * 1_000_000 });
}

fn handlers_and_errno(t: &mut Checks) {
    signal::set_action(signal::SIGUSR1, Action::handler(on_usr1)).expect("sigaction");
    c::set_errno(1234);
    t.eq("raise", signal::raise(signal::SIGUSR1), Ok(()));
    t.eq("the handler ran before raise returned", USR1.load(Ordering::SeqCst), 1);
    t.eq("the handler's errno did not leak", c::errno(), 1234);
    t.eq("siginfo names the sender", SENDER.load(Ordering::SeqCst), process::getpid());
    t.eq("kill with signal 0 checks the process", signal::kill(process::getpid(), 0), Ok(()));
    t.eq("an invalid signal", signal::set_action(0, Action::Ignore).err(), Some(Errno::EINVAL));
}

fn masks_wait_and_signalfd(t: &mut Checks) {
    let usr2 = SigSet::of(&[signal::SIGUSR2]);
    let old = signal::thread_mask(MaskHow::Block, &usr2).expect("block");
    t.check("SIGUSR2 was not blocked", !old.contains(signal::SIGUSR2), format_args!("{old:?}"));
    t.eq("raise a blocked signal", signal::raise(signal::SIGUSR2), Ok(()));
    t.eq("wait takes the pending signal", signal::wait(&usr2, None), Ok(signal::SIGUSR2));
    let short = Some(time::Timespec { sec: 0, nsec: 2_000_000 });
    t.eq("wait times out", signal::wait(&usr2, short), Err(Errno::EAGAIN));

    let sfd = signal::signalfd(&usr2, false).expect("signalfd");
    let _ = signal::raise(signal::SIGUSR2);
    let mut record = [0u8; signal::SIGNALFD_RECORD_SIZE];
    let n = io::read(&sfd, &mut record);
    t.eq("signalfd reads one record", n, Ok(signal::SIGNALFD_RECORD_SIZE));
    t.eq("the record names the signal", signal::signalfd_signo(&record), Some(signal::SIGUSR2));
    let _ = signal::thread_mask(MaskHow::Set, &old);
}

fn alternate_stack(t: &mut Checks) {
    let alt: &'static mut [u8] = alloc::boxed::Box::leak(alloc::vec![0u8; ALT_SIZE].into_boxed_slice());
    ALT_BASE.store(alt.as_ptr() as usize, Ordering::SeqCst);
    t.eq("sigaltstack", signal::set_alternate_stack(alt), Ok(()));
    let action = Action::Handle { handler: on_usr2_alt, flags: SaFlags::ONSTACK, mask: SigSet::empty() };
    t.eq("a handler on the alternate stack", signal::set_action(signal::SIGUSR2, action).map(drop), Ok(()));
    let _ = signal::raise(signal::SIGUSR2);
    t.eq("the handler ran on the alternate stack", ON_ALT.load(Ordering::SeqCst), 1);
}

/// A thread blocked in `read`: a signal whose handler has no `RESTART`
/// makes the read fail with `EINTR`; with `RESTART` the read goes on.
fn interrupting_a_blocking_read(t: &mut Checks) {
    for restart in [false, true] {
        let flags = if restart { SaFlags::RESTART } else { SaFlags::empty() };
        let action = Action::Handle { handler: on_usr1, flags, mask: SigSet::empty() };
        signal::set_action(signal::SIGUSR1, action).expect("sigaction");
        let (r, w) = fd::pipe().expect("pipe");
        let before = USR1.load(Ordering::SeqCst);
        // The thread borrows the read end; this thread keeps it open, so
        // the write below never meets a closed pipe.
        let raw = fd::AsRawFd::as_raw_fd(&r);
        let reader = thread::spawn(move || {
            let mut b = [0u8; 1];
            // SAFETY: the descriptor stays open until after the join.
            let r = unsafe { fd::BorrowedFd::borrow_raw(raw) };
            io::read(r, &mut b).map(|n| (n, b[0]))
        })
        .expect("spawn");
        // Let it block, then signal that thread only.
        sleep_ms(20);
        let _ = signal::tgkill(process::getpid(), reader.id() as i32, signal::SIGUSR1);
        while USR1.load(Ordering::SeqCst) == before {
            sleep_ms(1);
        }
        t.eq("the handler ran in the reading thread", LAST_TID.load(Ordering::SeqCst), reader.id() as i32);
        sleep_ms(5);
        let _ = io::write(&w, b"x");
        let got = reader.join();
        drop(r);
        if restart {
            t.eq("with SA_RESTART the read goes on", got, Ok((1, b'x')));
        } else {
            t.eq("without SA_RESTART the read fails with EINTR", got, Err(Errno::EINTR));
        }
    }
}

/// A signal that interrupts the main thread while it waits in join.
fn join_is_not_interrupted(t: &mut Checks) {
    let action = Action::Handle { handler: on_usr1, flags: SaFlags::empty(), mask: SigSet::empty() };
    signal::set_action(signal::SIGUSR1, action).expect("sigaction");
    let main_tid = thread::current_id() as i32;
    let before = USR1.load(Ordering::SeqCst);
    let h = thread::spawn(move || {
        sleep_ms(20);
        let _ = signal::tgkill(process::getpid(), main_tid, signal::SIGUSR1);
        sleep_ms(20);
        42
    })
    .expect("spawn");
    t.eq("join returns the result through a signal", h.join(), 42);
    t.eq("the signal reached the joining thread", USR1.load(Ordering::SeqCst), before + 1);
}

#[inline(never)]
fn recurse(depth: usize) -> usize {
    let frame = core::hint::black_box([depth as u8; 512]);
    if depth == usize::MAX { 0 } else { recurse(depth + 1) + frame[depth % 512] as usize }
}

fn main(args: env::Args, _: env::Vars) -> i32 {
    match args.clone().nth(1).map(|a| a.to_bytes()) {
        Some(b"overflow-main") => return recurse(0) as i32,
        Some(b"overflow-thread") => {
            let h = thread::Builder::new().name(b"deep-diver").stack_size(64 * 1024).spawn(|| recurse(0));
            return h.expect("spawn").join() as i32;
        }
        _ => {}
    }
    let mut t = Checks::default();
    handlers_and_errno(&mut t);
    masks_wait_and_signalfd(&mut t);
    alternate_stack(&mut t);
    interrupting_a_blocking_read(&mut t);
    join_is_not_interrupted(&mut t);
    t.finish()
}
