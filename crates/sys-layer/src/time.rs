//! Clocks: the time, its resolution, and which CPU the caller runs on.
//!
//! These go through the vDSO where the kernel offers it (see
//! [`crate::layer::vdso`]), else through the system calls. Times are 64-bit
//! on every target.

use crate::errno::{Errno, call_slot};
use crate::raw as call;
use linux_raw_sys::general as g;

/// A clock to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Clock {
    /// `CLOCK_REALTIME`: wall-clock time, may jump.
    Realtime,
    /// `CLOCK_MONOTONIC`: never goes back; stops in suspend.
    Monotonic,
    /// `CLOCK_BOOTTIME`: monotonic, and counts suspend.
    Boottime,
    /// `CLOCK_MONOTONIC_RAW`: monotonic, not slewed by NTP.
    MonotonicRaw,
    /// `CLOCK_REALTIME_COARSE`: realtime, cheaper, tick resolution.
    RealtimeCoarse,
    /// `CLOCK_MONOTONIC_COARSE`: monotonic, cheaper, tick resolution.
    MonotonicCoarse,
    /// `CLOCK_PROCESS_CPUTIME_ID`: CPU time of the process.
    ProcessCpu,
    /// `CLOCK_THREAD_CPUTIME_ID`: CPU time of the calling thread.
    ThreadCpu,
}

impl Clock {
    /// The kernel's clock ID.
    pub const fn id(self) -> i32 {
        (match self {
            Clock::Realtime => g::CLOCK_REALTIME,
            Clock::Monotonic => g::CLOCK_MONOTONIC,
            Clock::Boottime => g::CLOCK_BOOTTIME,
            Clock::MonotonicRaw => g::CLOCK_MONOTONIC_RAW,
            Clock::RealtimeCoarse => g::CLOCK_REALTIME_COARSE,
            Clock::MonotonicCoarse => g::CLOCK_MONOTONIC_COARSE,
            Clock::ProcessCpu => g::CLOCK_PROCESS_CPUTIME_ID,
            Clock::ThreadCpu => g::CLOCK_THREAD_CPUTIME_ID,
        }) as i32
    }
}

/// A point or span of time: seconds and nanoseconds (`0..1_000_000_000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timespec {
    /// Whole seconds.
    pub sec: i64,
    /// Nanoseconds past `sec`.
    pub nsec: u32,
}

impl Timespec {
    /// As the kernel takes it (a 64-bit `timespec` on every target).
    pub(crate) const fn to_kernel(self) -> g::__kernel_timespec {
        g::__kernel_timespec { tv_sec: self.sec, tv_nsec: self.nsec as _ }
    }

    /// From the kernel's 64-bit `timespec`.
    pub(crate) const fn from_kernel(t: g::__kernel_timespec) -> Timespec {
        Timespec { sec: t.tv_sec, nsec: t.tv_nsec as u32 }
    }

    /// A span of whole seconds.
    pub const fn from_secs(secs: i64) -> Timespec {
        Timespec { sec: secs, nsec: 0 }
    }

    /// A span of milliseconds.
    pub const fn from_millis(ms: u64) -> Timespec {
        Timespec { sec: (ms / 1000) as i64, nsec: (ms % 1000) as u32 * 1_000_000 }
    }

    /// Nanoseconds in all.
    pub const fn as_nanos(self) -> i128 {
        self.sec as i128 * 1_000_000_000 + self.nsec as i128
    }
}

#[inline]
fn read_clock(
    f: unsafe fn(i32, *mut g::__kernel_timespec, *mut i32) -> isize,
    clock: Clock,
) -> Result<Timespec, Errno> {
    let mut ts = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is writable; the errno pointer is call_slot's local.
    call_slot(|e| unsafe { f(clock.id(), &mut ts, e) })?;
    Ok(Timespec::from_kernel(ts))
}

/// Reads `clock`.
///
/// `clock_gettime(2)`: <https://man7.org/linux/man-pages/man2/clock_gettime.2.html>
#[inline] // a few instructions around the table's call: the caller's own
pub fn clock_gettime(clock: Clock) -> Result<Timespec, Errno> {
    read_clock(call::clock_gettime, clock)
}

/// The resolution of `clock`.
///
/// `clock_getres(2)`: <https://man7.org/linux/man-pages/man2/clock_getres.2.html>
pub fn clock_getres(clock: Clock) -> Result<Timespec, Errno> {
    read_clock(call::clock_getres, clock)
}

/// Wall-clock time with microseconds, from `gettimeofday`.
///
/// `gettimeofday(2)`: <https://man7.org/linux/man-pages/man2/gettimeofday.2.html>
pub fn gettimeofday() -> Result<Timespec, Errno> {
    let mut tv = sys_layer_stubs::ty::timeval64 { tv_sec: 0, tv_usec: 0 };
    // SAFETY: tv is writable; no time zone is asked for.
    call_slot(|e| unsafe { call::gettimeofday(&mut tv, core::ptr::null_mut(), e) })?;
    Ok(Timespec { sec: tv.tv_sec, nsec: (tv.tv_usec * 1000) as u32 })
}

/// Seconds since the epoch.
///
/// `time(2)`: <https://man7.org/linux/man-pages/man2/time.2.html>
pub fn time() -> Result<i64, Errno> {
    let mut t = 0i64;
    // SAFETY: t is writable.
    call_slot(|e| unsafe { call::time(&mut t, e) })?;
    Ok(t)
}

/// The CPU and NUMA node the caller is running on (a snapshot: it may move).
///
/// `getcpu(2)`: <https://man7.org/linux/man-pages/man2/getcpu.2.html>
pub fn getcpu() -> Result<(u32, u32), Errno> {
    let (mut cpu, mut node) = (0u32, 0u32);
    // SAFETY: both are writable; the cache argument is unused by the kernel.
    call_slot(|e| unsafe { call::getcpu(&mut cpu, &mut node, core::ptr::null_mut(), e) })?;
    Ok((cpu, node))
}

/// Reads the clock with the kernel ID `id` (for clocks [`Clock`] does not
/// name, such as a process's CPU clock from `clock_getcpuclockid`).
pub fn clock_gettime_raw_id(id: i32) -> Result<Timespec, Errno> {
    let mut ts = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is writable.
    call_slot(|e| unsafe { call::clock_gettime(id, &mut ts, e) })?;
    Ok(Timespec::from_kernel(ts))
}

/// Sleeps for `duration` on `CLOCK_MONOTONIC`. Interrupted by a signal, it
/// returns `Err((EINTR, remaining))`.
///
/// `nanosleep(2)`: <https://man7.org/linux/man-pages/man2/nanosleep.2.html>
pub fn sleep(duration: Timespec) -> Result<(), (Errno, Timespec)> {
    clock_nanosleep(Clock::Monotonic, duration)
}

/// Sleeps for `duration` on `clock`; on `EINTR`, also the time left.
///
/// `clock_nanosleep(2)`: <https://man7.org/linux/man-pages/man2/clock_nanosleep.2.html>
pub fn clock_nanosleep(clock: Clock, duration: Timespec) -> Result<(), (Errno, Timespec)> {
    let req = duration.to_kernel();
    let mut rem = g::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: req is readable and rem writable.
    call_slot(|e| unsafe { call::clock_nanosleep(clock.id(), 0, &req, &mut rem, e) })
        .map(drop)
        .map_err(|e| (e, Timespec { sec: rem.tv_sec, nsec: rem.tv_nsec as u32 }))
}
