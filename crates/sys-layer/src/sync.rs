//! Synchronisation on futexes: [`Mutex`], [`RwLock`], [`Condvar`],
//! [`Once`], [`OnceLock`] and [`Parker`], in the manner of Rust std's futex
//! implementations: private futexes (`FUTEX_PRIVATE_FLAG`), an atomic fast
//! path with no system call when uncontended, then a wait in the kernel
//! (no spinning: the kernel can wait). No poisoning: a panic ends the
//! process (`panic = "abort"`).
//!
//! Waiting is `futex(FUTEX_WAIT)` through the stub table; `EINTR` (a signal
//! handler ran) and spurious wake-ups are retried by every type here, so
//! none of them reports them. A timed wait ([`Condvar::wait_timeout`])
//! measures its timeout against `CLOCK_MONOTONIC`, as `FUTEX_WAIT` does.
//!
//! `futex(2)`: <https://man7.org/linux/man-pages/man2/futex.2.html>

use crate::Errno;
use crate::time::Timespec;
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};
use linux_raw_sys::general::{__kernel_timespec, FUTEX_PRIVATE_FLAG, FUTEX_WAIT, FUTEX_WAKE};

/// Waits while `*word == expected`, at most `timeout` (relative). Returns
/// `false` on a timeout, `true` otherwise (woken, value changed, `EINTR`,
/// or spuriously: the caller re-checks its condition).
pub fn futex_wait(word: &AtomicU32, expected: u32, timeout: Option<Timespec>) -> bool {
    futex_wait_op(word, expected, timeout, FUTEX_PRIVATE_FLAG)
}

/// [`futex_wait`] on a word that the kernel itself wakes with a shared
/// (not private) futex wake: a thread's ID word, cleared at its exit.
pub(crate) fn futex_wait_shared(word: &AtomicU32, expected: u32) {
    futex_wait_op(word, expected, None, 0);
}

fn futex_wait_op(word: &AtomicU32, expected: u32, timeout: Option<Timespec>, private: u32) -> bool {
    let ts = timeout.map(Timespec::to_kernel);
    let ts_ptr = ts.as_ref().map_or(core::ptr::null(), |t| t as *const __kernel_timespec);
    let mut errno = 0;
    // SAFETY: word is a live u32; the timeout is null or a live timespec.
    let r = unsafe {
        crate::raw::futex(
            word.as_ptr(),
            (FUTEX_WAIT | private) as i32,
            expected,
            ts_ptr,
            core::ptr::null_mut(),
            0,
            &mut errno,
        )
    };
    !(r < 0 && Errno::from_raw(errno) == Errno::ETIMEDOUT)
}

/// Wakes up to `count` threads waiting on `word`; how many were woken.
pub fn futex_wake(word: &AtomicU32, count: u32) -> usize {
    let mut errno = 0;
    // SAFETY: word is a live u32; FUTEX_WAKE reads no other pointer.
    let r = unsafe {
        crate::raw::futex(
            word.as_ptr(),
            (FUTEX_WAKE | FUTEX_PRIVATE_FLAG) as i32,
            count.min(i32::MAX as u32),
            core::ptr::null(),
            core::ptr::null_mut(),
            0,
            &mut errno,
        )
    };
    r.max(0) as usize
}

// ------------------------------------------------------------------- Mutex

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const CONTENDED: u32 = 2;

/// A lock without data, taken and released by separate calls: the futex
/// word of [`Mutex`], which C's `pthread_mutex_t` is laid over in
/// sys-layer-c-abi (its first word; all zeros is unlocked). 0 unlocked, 1
/// locked, 2 locked with waiters.
#[repr(transparent)]
pub struct RawMutex {
    futex: AtomicU32,
}

impl RawMutex {
    /// An unlocked lock.
    pub const fn new() -> Self {
        RawMutex { futex: AtomicU32::new(UNLOCKED) }
    }

    /// Locks, waiting as long as another thread holds the lock.
    ///
    /// While the process has only ever had one thread, no other can hold
    /// the lock or wait for it, and a plain load and store take it (as
    /// glibc drops the `lock` prefix then): a signal handler that takes
    /// and releases the lock between the two leaves it as it found it.
    #[inline]
    pub fn lock(&self) {
        if !crate::thread::ever_spawned() && self.futex.load(Ordering::Relaxed) == UNLOCKED {
            self.futex.store(LOCKED, Ordering::Relaxed);
            return;
        }
        if self.futex.compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed).is_err() {
            self.lock_contended();
        }
    }

    /// Waits in the kernel at once, without spinning: measured on a
    /// 2-CPU machine, spinning first made a contended lock 1.5x slower.
    #[cold]
    fn lock_contended(&self) {
        let mut state = self.futex.load(Ordering::Relaxed);
        loop {
            // Marking it contended makes the holder wake someone on unlock.
            if state != CONTENDED && self.futex.swap(CONTENDED, Ordering::Acquire) == UNLOCKED {
                return;
            }
            futex_wait(&self.futex, CONTENDED, None);
            state = self.futex.load(Ordering::Relaxed);
        }
    }

    /// Locks if no thread holds the lock; true if it did.
    pub fn try_lock(&self) -> bool {
        self.futex.compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed).is_ok()
    }

    /// Unlocks, waking a waiter if there is one.
    ///
    /// # Safety
    /// The calling thread holds the lock.
    #[inline]
    pub unsafe fn unlock(&self) {
        // One thread: nobody waits (see `lock`).
        if !crate::thread::ever_spawned() {
            self.futex.store(UNLOCKED, Ordering::Relaxed);
            return;
        }
        if self.futex.swap(UNLOCKED, Ordering::Release) == CONTENDED {
            futex_wake(&self.futex, 1);
        }
    }
}

impl Default for RawMutex {
    fn default() -> Self {
        RawMutex::new()
    }
}

/// A mutual-exclusion lock around a `T`: a [`RawMutex`] (one futex word).
pub struct Mutex<T: ?Sized> {
    raw: RawMutex,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands the value to one thread at a time.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: moving the lock moves the value.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Mutex { raw: RawMutex::new(), value: UnsafeCell::new(value) }
    }

    /// The value, consuming the lock.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks, waiting as long as another thread holds the lock (see
    /// [`RawMutex::lock`]).
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.raw.lock();
        MutexGuard { lock: self }
    }

    /// Locks if no thread holds the lock.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.raw.try_lock().then_some(MutexGuard { lock: self })
    }

    /// The value, through a unique borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    #[inline]
    fn unlock(&self) {
        // SAFETY: called by the guard, which holds the lock.
        unsafe { self.raw.unlock() }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

/// Access to a [`Mutex`]'s value; unlocks when dropped.
#[must_use = "the lock is released when the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard holds.
    fn mutex(&self) -> &'a Mutex<T> {
        self.lock
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, exclusively.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

// ----------------------------------------------------------------- Condvar

/// A condition variable: a futex word counting notifications. A waiter
/// reads it, unlocks its mutex, and waits for it to change.
#[derive(Default)]
pub struct Condvar {
    futex: AtomicU32,
}

impl Condvar {
    /// A condition variable nobody waits on.
    pub const fn new() -> Self {
        Condvar { futex: AtomicU32::new(0) }
    }

    /// Unlocks `guard`'s mutex, waits for a notification (or a spurious
    /// wake-up: check the condition in a loop), and locks it again.
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.wait_optional_timeout(guard, None).0
    }

    /// As [`Condvar::wait`], for at most `timeout`; the flag is `true` if
    /// it timed out.
    pub fn wait_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Timespec,
    ) -> (MutexGuard<'a, T>, bool) {
        self.wait_optional_timeout(guard, Some(timeout))
    }

    fn wait_optional_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Option<Timespec>,
    ) -> (MutexGuard<'a, T>, bool) {
        let seen = self.futex.load(Ordering::Relaxed);
        let mutex = guard.mutex();
        drop(guard);
        let woken = futex_wait(&self.futex, seen, timeout);
        (mutex.lock(), !woken)
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) {
        self.futex.fetch_add(1, Ordering::Relaxed);
        futex_wake(&self.futex, 1);
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        self.futex.fetch_add(1, Ordering::Relaxed);
        futex_wake(&self.futex, u32::MAX);
    }
}

// ------------------------------------------------------------------ RwLock

/// Readers in the low 30 bits; all of them set is a writer.
const WRITE_LOCKED: u32 = (1 << 30) - 1;
const MAX_READERS: u32 = WRITE_LOCKED - 1;
/// Someone waits: the last unlocker wakes everyone to try again.
const RW_WAITING: u32 = 1 << 30;

/// A reader-writer lock: many readers or one writer, on one futex word.
/// Waiters of both kinds are woken together when the lock frees; a writer
/// can be overtaken by readers arriving meanwhile (no writer preference).
pub struct RwLock<T: ?Sized> {
    state: AtomicU32,
    value: UnsafeCell<T>,
}

// SAFETY: readers share &T across threads (T: Sync), a writer gets &mut T.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}
// SAFETY: moving the lock moves the value.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`.
    pub const fn new(value: T) -> Self {
        RwLock { state: AtomicU32::new(0), value: UnsafeCell::new(value) }
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Shared access, waiting while a writer holds the lock.
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        loop {
            let s = self.state.load(Ordering::Relaxed);
            let readers = s & WRITE_LOCKED;
            if readers < MAX_READERS {
                if self.state.compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                    return RwLockReadGuard { lock: self };
                }
                continue;
            }
            self.wait_for_change(s);
        }
    }

    /// Exclusive access, waiting while anyone holds the lock.
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & WRITE_LOCKED == 0 {
                if self.state.compare_exchange_weak(s, s | WRITE_LOCKED, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                    return RwLockWriteGuard { lock: self };
                }
                continue;
            }
            self.wait_for_change(s);
        }
    }

    /// Marks the lock as waited on (from exactly `s`, so an unlock in
    /// between is seen) and waits until the word changes.
    fn wait_for_change(&self, s: u32) {
        let waiting = s | RW_WAITING;
        if s == waiting || self.state.compare_exchange(s, waiting, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            futex_wait(&self.state, waiting, None);
        }
    }

    fn read_unlock(&self) {
        let before = self.state.fetch_sub(1, Ordering::Release);
        if before & WRITE_LOCKED == 1 && before & RW_WAITING != 0 {
            self.wake_waiters();
        }
    }

    fn write_unlock(&self) {
        if self.state.swap(0, Ordering::Release) & RW_WAITING != 0 {
            futex_wake(&self.state, u32::MAX);
        }
    }

    fn wake_waiters(&self) {
        if self.state.fetch_and(!RW_WAITING, Ordering::Relaxed) & RW_WAITING != 0 {
            futex_wake(&self.state, u32::MAX);
        }
    }
}

/// Shared access to an [`RwLock`]'s value.
#[must_use = "the lock is released when the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read lock is held: no writer exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.read_unlock();
    }
}

/// Exclusive access to an [`RwLock`]'s value.
#[must_use = "the lock is released when the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the write lock is held.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write lock is held, exclusively.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.write_unlock();
    }
}

// -------------------------------------------------------------------- Once

const INCOMPLETE: u32 = 0;
const RUNNING: u32 = 1;
const QUEUED: u32 = 2;
const COMPLETE: u32 = 3;

/// Runs a function once, whichever threads ask; the others wait for it.
pub struct Once {
    state: AtomicU32,
}

impl Once {
    /// Not run yet.
    pub const fn new() -> Self {
        Once { state: AtomicU32::new(INCOMPLETE) }
    }

    /// Whether the function has run.
    pub fn is_completed(&self) -> bool {
        self.state.load(Ordering::Acquire) == COMPLETE
    }

    /// Runs `f` if no call has run it yet; returns once it has run.
    pub fn call_once(&self, f: impl FnOnce()) {
        if self.is_completed() {
            return;
        }
        self.call_once_slow(f);
    }

    #[cold]
    fn call_once_slow(&self, f: impl FnOnce()) {
        let mut f = Some(f);
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            match state {
                COMPLETE => return,
                INCOMPLETE => {
                    match self.state.compare_exchange(INCOMPLETE, RUNNING, Ordering::Acquire, Ordering::Acquire) {
                        Ok(_) => {
                            if let Some(f) = f.take() {
                                f();
                            }
                            if self.state.swap(COMPLETE, Ordering::Release) == QUEUED {
                                futex_wake(&self.state, u32::MAX);
                            }
                            return;
                        }
                        Err(s) => state = s,
                    }
                }
                RUNNING => match self.state.compare_exchange(RUNNING, QUEUED, Ordering::Relaxed, Ordering::Acquire) {
                    Ok(_) => state = QUEUED,
                    Err(s) => state = s,
                },
                _ => {
                    futex_wait(&self.state, QUEUED, None);
                    state = self.state.load(Ordering::Acquire);
                }
            }
        }
    }
}

impl Default for Once {
    fn default() -> Self {
        Once::new()
    }
}

/// A value set once, by the first of any threads to ask.
pub struct OnceLock<T> {
    once: Once,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the value is written once, under the Once, and only shared after.
unsafe impl<T: Send + Sync> Sync for OnceLock<T> {}
// SAFETY: moving the cell moves the value.
unsafe impl<T: Send> Send for OnceLock<T> {}

impl<T> OnceLock<T> {
    /// Empty.
    pub const fn new() -> Self {
        OnceLock { once: Once::new(), value: UnsafeCell::new(MaybeUninit::uninit()) }
    }

    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        // SAFETY: complete means written, and never written again.
        self.once.is_completed().then(|| unsafe { (*self.value.get()).assume_init_ref() })
    }

    /// The value, set by `f` if nobody has set it yet.
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        self.once.call_once(|| {
            // SAFETY: inside the Once: the only writer, before any reader.
            unsafe { (*self.value.get()).write(f()) };
        });
        // SAFETY: call_once returned, so the value is written.
        unsafe { (*self.value.get()).assume_init_ref() }
    }

    /// Sets the value if it is not set; `Err(value)` if it was.
    pub fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.get_or_init(|| value.take().expect("taken once"));
        match value {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T> Drop for OnceLock<T> {
    fn drop(&mut self) {
        if self.once.is_completed() {
            // SAFETY: written, and dropped once, here.
            unsafe { self.value.get_mut().assume_init_drop() };
        }
    }
}

// ------------------------------------------------------------------ Parker

const EMPTY: u32 = 0;
const NOTIFIED: u32 = 1;
const PARKED: u32 = u32::MAX;

/// A thread's park token: [`Parker::park`] blocks until [`Parker::unpark`]
/// (from any thread) has given a token, and takes it; an unpark before the
/// park is kept, so none is lost.
#[derive(Default)]
pub struct Parker {
    state: AtomicU32,
}

impl Parker {
    /// No token.
    pub const fn new() -> Self {
        Parker { state: AtomicU32::new(EMPTY) }
    }

    /// Blocks until a token is there, and takes it. May return spuriously
    /// only when a token was given.
    pub fn park(&self) {
        // NOTIFIED -> EMPTY, or EMPTY -> PARKED.
        if self.state.fetch_sub(1, Ordering::Acquire) == NOTIFIED {
            return;
        }
        loop {
            futex_wait(&self.state, PARKED, None);
            if self.state.compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                return;
            }
        }
    }

    /// As [`Parker::park`], for at most `timeout`; whether a token was taken.
    pub fn park_timeout(&self, timeout: Timespec) -> bool {
        if self.state.fetch_sub(1, Ordering::Acquire) == NOTIFIED {
            return true;
        }
        futex_wait(&self.state, PARKED, Some(timeout));
        // Leave PARKED whatever happened; NOTIFIED means a token came.
        self.state.swap(EMPTY, Ordering::Acquire) == NOTIFIED
    }

    /// Gives the token, waking the parked thread if there is one.
    pub fn unpark(&self) {
        if self.state.swap(NOTIFIED, Ordering::Release) == PARKED {
            futex_wake(&self.state, 1);
        }
    }
}
