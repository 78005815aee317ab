//! Readiness: [`poll`] a few descriptors, [`Epoll`] many, and the
//! descriptors that become readable on an event: [`EventFd`] (a counter
//! another thread adds to) and [`TimerFd`] (a timer).
//!
//! Every wait takes `Option<Timespec>` (`None` waits for ever) and returns
//! `EINTR` when a signal handler ran, as the system calls do; non-blocking
//! descriptors answer `EAGAIN` ([`Errno::EAGAIN`]) when they would block.

use crate::Errno;
use crate::errno::call_slot;
use crate::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use crate::raw;
use crate::time::{Clock, Timespec};
use core::ffi::c_int;
use linux_raw_sys::general as g;

bitflags::bitflags! {
    /// What [`poll`] waits for, and what it found.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct PollFlags: i16 {
        /// Data to read (or a connection to accept, or end of file).
        const IN = g::POLLIN as i16;
        /// Urgent data to read.
        const PRI = g::POLLPRI as i16;
        /// Room to write.
        const OUT = g::POLLOUT as i16;
        /// The peer closed its end for writing (`POLLRDHUP`).
        const RDHUP = g::POLLRDHUP as i16;
        /// An error (reported even if not asked for).
        const ERR = g::POLLERR as i16;
        /// Hang-up (reported even if not asked for).
        const HUP = g::POLLHUP as i16;
        /// The descriptor is not open (reported even if not asked for).
        const NVAL = g::POLLNVAL as i16;
    }
}

/// One descriptor of a [`poll`] call: what to wait for, and what came.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct PollFd<'fd> {
    raw: g::pollfd,
    _fd: core::marker::PhantomData<BorrowedFd<'fd>>,
}

impl<'fd> PollFd<'fd> {
    /// Waits for `events` on `fd`.
    pub fn new(fd: BorrowedFd<'fd>, events: PollFlags) -> PollFd<'fd> {
        PollFd {
            raw: g::pollfd { fd: fd.as_raw_fd(), events: events.bits(), revents: 0 },
            _fd: core::marker::PhantomData,
        }
    }

    /// What the last [`poll`] found on this descriptor.
    pub fn revents(&self) -> PollFlags {
        PollFlags::from_bits_retain(self.raw.revents)
    }
}

impl core::fmt::Debug for PollFd<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PollFd")
            .field("fd", &self.raw.fd)
            .field("events", &PollFlags::from_bits_retain(self.raw.events))
            .field("revents", &self.revents())
            .finish()
    }
}

/// Waits until one of `fds` is ready or `timeout` passes; returns how
/// many have events (0 on timeout). The signal mask is not changed.
///
/// `ppoll(2)`: <https://man7.org/linux/man-pages/man2/ppoll.2.html>
pub fn poll(fds: &mut [PollFd<'_>], timeout: Option<Timespec>) -> Result<usize, Errno> {
    let t = timeout.map(Timespec::to_kernel);
    let tp = t.as_ref().map_or(core::ptr::null(), |t| t as *const _);
    // PollFd is a transparent pollfd.
    let ptr = fds.as_mut_ptr().cast::<g::pollfd>();
    // SAFETY: ptr is fds.len() pollfds; tp is null or a timespec; no mask.
    call_slot(|e| unsafe { raw::ppoll(ptr, fds.len() as u32, tp, core::ptr::null(), 8, e) })
}

bitflags::bitflags! {
    /// What an [`Epoll`] instance watches for, and what it reports.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct EpollFlags: u32 {
        /// Data to read.
        const IN = g::EPOLLIN;
        /// Urgent data.
        const PRI = g::EPOLLPRI;
        /// Room to write.
        const OUT = g::EPOLLOUT;
        /// The peer closed its end for writing.
        const RDHUP = g::EPOLLRDHUP;
        /// An error (always reported).
        const ERR = g::EPOLLERR;
        /// Hang-up (always reported).
        const HUP = g::EPOLLHUP;
        /// Edge-triggered: report a change once, not the state each time.
        const ET = g::EPOLLET;
        /// Report once, then disable until [`Epoll::modify`].
        const ONESHOT = g::EPOLLONESHOT;
        /// Wake only one of several instances waiting on the same descriptor.
        const EXCLUSIVE = g::EPOLLEXCLUSIVE;
    }
}

/// One event an [`Epoll::wait`] returns: what happened, and the `data`
/// word given to [`Epoll::add`].
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct EpollEvent(g::epoll_event);

impl EpollEvent {
    /// An empty event, to fill a buffer for [`Epoll::wait`] with.
    pub const fn empty() -> EpollEvent {
        EpollEvent(g::epoll_event { events: 0, data: 0 })
    }

    /// What happened.
    pub fn flags(&self) -> EpollFlags {
        EpollFlags::from_bits_retain(self.0.events)
    }

    /// The word given when the descriptor was added.
    pub fn data(&self) -> u64 {
        self.0.data
    }
}

impl core::fmt::Debug for EpollEvent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EpollEvent").field("flags", &self.flags()).field("data", &self.data()).finish()
    }
}

/// An epoll instance: waits on many descriptors at once, in time that
/// does not grow with their number.
///
/// `epoll(7)`: <https://man7.org/linux/man-pages/man7/epoll.7.html>
#[derive(Debug)]
pub struct Epoll(OwnedFd);

impl Epoll {
    /// A new instance (close-on-exec).
    ///
    /// `epoll_create1(2)`: <https://man7.org/linux/man-pages/man2/epoll_create1.2.html>
    pub fn new() -> Result<Epoll, Errno> {
        // SAFETY: no pointers.
        let fd = call_slot(|e| unsafe { raw::epoll_create1(g::EPOLL_CLOEXEC as c_int, e) })?;
        // SAFETY: the kernel just gave it to us.
        Ok(Epoll(unsafe { OwnedFd::from_raw_fd(fd as c_int) }))
    }

    fn ctl(&self, op: u32, fd: BorrowedFd<'_>, flags: EpollFlags, data: u64) -> Result<(), Errno> {
        let mut event = g::epoll_event { events: flags.bits(), data };
        // SAFETY: event is a valid epoll_event.
        call_slot(|e| unsafe { raw::epoll_ctl(self.0.as_raw_fd(), op as c_int, fd.as_raw_fd(), &mut event, e) })
            .map(drop)
    }

    /// Watches `fd` for `flags`; its events will carry `data`.
    ///
    /// `epoll_ctl(2)`: <https://man7.org/linux/man-pages/man2/epoll_ctl.2.html>
    pub fn add(&self, fd: impl AsFd, flags: EpollFlags, data: u64) -> Result<(), Errno> {
        self.ctl(g::EPOLL_CTL_ADD, fd.as_fd(), flags, data)
    }

    /// Changes what `fd` is watched for, and its data word.
    pub fn modify(&self, fd: impl AsFd, flags: EpollFlags, data: u64) -> Result<(), Errno> {
        self.ctl(g::EPOLL_CTL_MOD, fd.as_fd(), flags, data)
    }

    /// Stops watching `fd`.
    pub fn delete(&self, fd: impl AsFd) -> Result<(), Errno> {
        self.ctl(g::EPOLL_CTL_DEL, fd.as_fd(), EpollFlags::empty(), 0)
    }

    /// Waits for events into `events`; returns how many came (0 on
    /// timeout). A timeout is kept to the nanosecond on 5.11 and later,
    /// rounded up to milliseconds below.
    ///
    /// `epoll_pwait2(2)`: <https://man7.org/linux/man-pages/man2/epoll_wait.2.html>
    pub fn wait(&self, events: &mut [EpollEvent], timeout: Option<Timespec>) -> Result<usize, Errno> {
        let max = events.len().min(c_int::MAX as usize) as c_int;
        let ptr = events.as_mut_ptr().cast::<g::epoll_event>();
        match timeout {
            None => {
                // SAFETY: ptr holds max events; no mask.
                call_slot(|e| unsafe { raw::epoll_pwait(self.0.as_raw_fd(), ptr, max, -1, core::ptr::null(), 8, e) })
            }
            Some(t) => {
                let t = t.to_kernel();
                // SAFETY: as above; t is a timespec.
                call_slot(|e| unsafe { raw::epoll_pwait2(self.0.as_raw_fd(), ptr, max, &t, core::ptr::null(), 8, e) })
            }
        }
    }
}

impl AsFd for Epoll {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Reads the one 8-byte counter value that event and timer descriptors give.
fn read_counter(fd: BorrowedFd<'_>) -> Result<u64, Errno> {
    let mut buf = [0u8; 8];
    match crate::io::read(fd, &mut buf)? {
        8 => Ok(u64::from_ne_bytes(buf)),
        _ => Err(Errno::EIO),
    }
}

/// A descriptor holding a 64-bit counter: [`EventFd::add`] adds to it (and
/// makes it readable), [`EventFd::read`] takes it. Wakes a thread blocked
/// in [`poll`] or [`Epoll::wait`].
///
/// `eventfd(2)`: <https://man7.org/linux/man-pages/man2/eventfd.2.html>
#[derive(Debug)]
pub struct EventFd(OwnedFd);

impl EventFd {
    /// A new counter at `initial` (close-on-exec; reads fail with `EAGAIN`
    /// at 0 instead of blocking when `nonblocking`).
    pub fn new(initial: u32, nonblocking: bool) -> Result<EventFd, Errno> {
        let flags = g::O_CLOEXEC | if nonblocking { g::O_NONBLOCK } else { 0 };
        // SAFETY: no pointers.
        let fd = call_slot(|e| unsafe { raw::eventfd2(initial, flags as c_int, e) })?;
        // SAFETY: the kernel just gave it to us.
        Ok(EventFd(unsafe { OwnedFd::from_raw_fd(fd as c_int) }))
    }

    /// Adds `n` to the counter.
    pub fn add(&self, n: u64) -> Result<(), Errno> {
        match crate::io::write(&self.0, &n.to_ne_bytes())? {
            8 => Ok(()),
            _ => Err(Errno::EIO),
        }
    }

    /// Takes the counter's value (leaving 0); waits while it is 0 unless
    /// non-blocking.
    pub fn read(&self) -> Result<u64, Errno> {
        read_counter(self.0.as_fd())
    }
}

impl AsFd for EventFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// A timer as a descriptor: readable when it has expired, and a read
/// gives how many times it did.
///
/// `timerfd_create(2)`: <https://man7.org/linux/man-pages/man2/timerfd_create.2.html>
#[derive(Debug)]
pub struct TimerFd(OwnedFd);

impl TimerFd {
    /// A new, disarmed timer on `clock` (close-on-exec).
    pub fn new(clock: Clock, nonblocking: bool) -> Result<TimerFd, Errno> {
        let flags = g::O_CLOEXEC | if nonblocking { g::O_NONBLOCK } else { 0 };
        // SAFETY: no pointers.
        let fd = call_slot(|e| unsafe { raw::timerfd_create(clock.id(), flags as c_int, e) })?;
        // SAFETY: the kernel just gave it to us.
        Ok(TimerFd(unsafe { OwnedFd::from_raw_fd(fd as c_int) }))
    }

    /// Arms the timer to expire after `value`, then every `interval` (zero:
    /// once); a zero `value` disarms it.
    ///
    /// `timerfd_settime(2)`: <https://man7.org/linux/man-pages/man2/timerfd_settime.2.html>
    pub fn set(&self, value: Timespec, interval: Timespec) -> Result<(), Errno> {
        let new = g::__kernel_itimerspec { it_interval: interval.to_kernel(), it_value: value.to_kernel() };
        // SAFETY: new is a valid itimerspec; no old value is asked for.
        call_slot(|e| unsafe { raw::timerfd_settime(self.0.as_raw_fd(), 0, &new, core::ptr::null_mut(), e) }).map(drop)
    }

    /// The time left before the next expiry (zero: disarmed), and the interval.
    ///
    /// `timerfd_gettime(2)`: <https://man7.org/linux/man-pages/man2/timerfd_gettime.2.html>
    pub fn get(&self) -> Result<(Timespec, Timespec), Errno> {
        let zero = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
        let mut cur = g::__kernel_itimerspec { it_interval: zero, it_value: zero };
        // SAFETY: cur is writable.
        call_slot(|e| unsafe { raw::timerfd_gettime(self.0.as_raw_fd(), &mut cur, e) })?;
        Ok((Timespec::from_kernel(cur.it_value), Timespec::from_kernel(cur.it_interval)))
    }

    /// Waits for the timer (unless non-blocking) and returns how many times
    /// it expired since the last read.
    pub fn read(&self) -> Result<u64, Errno> {
        read_counter(self.0.as_fd())
    }
}

impl AsFd for TimerFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}
