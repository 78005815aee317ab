//! `pthread_*` over the runtime's threads ([`sys_layer::thread`]) and the
//! C-only parts that have no Rust counterpart there: attributes and keys.
//!
//! A `pthread_t` is the thread's data block
//! ([`sys_layer::thread::current_raw`], [`JoinHandle::into_raw`]): the
//! same value inside and outside the thread.

use alloc::boxed::Box;
use core::ffi::{CStr, c_char, c_int, c_void};
use core::sync::atomic::{AtomicUsize, Ordering};
use sys_layer::Errno;
use sys_layer::sync::{Mutex, RawMutex};
use sys_layer::thread::{self, Builder, JoinHandle};
use sys_layer_tls::ThreadData;

/// C's `pthread_t`.
type PthreadT = usize;

/// What this library keeps in a `pthread_attr_t` (36 bytes on i686, the
/// smallest of the four targets; 56 or 64 elsewhere).
#[repr(C)]
pub struct Attr {
    /// Stack size for `pthread_create`, or the size `pthread_getattr_np`
    /// found.
    stack_size: usize,
    /// The stack's lowest address (`pthread_getattr_np`), or 0.
    stack_addr: usize,
    /// Guard size.
    guard_size: usize,
    /// `PTHREAD_CREATE_DETACHED` (1) or joinable (0).
    detached: c_int,
}

const _: () = assert!(size_of::<Attr>() <= 36);

/// A thread's result, sent back through `join`.
struct Ret(*mut c_void);
// SAFETY: C hands the pointer across threads by design.
unsafe impl Send for Ret {}

/// `pthread_attr_init(3)`: the runtime's defaults.
///
/// # Safety
/// `attr` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_init(attr: *mut Attr) -> c_int {
    let a = Attr { stack_size: thread::DEFAULT_STACK_SIZE, stack_addr: 0, guard_size: thread::GUARD_SIZE, detached: 0 };
    // SAFETY: as the caller vouches.
    unsafe { attr.write(a) };
    0
}

/// `pthread_attr_destroy(3)`.
#[unsafe(no_mangle)]
pub extern "C" fn pthread_attr_destroy(_attr: *mut Attr) -> c_int {
    0
}

/// `pthread_attr_setstacksize(3)`.
///
/// # Safety
/// `attr` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_setstacksize(attr: *mut Attr, size: usize) -> c_int {
    if size < thread::MIN_STACK_SIZE {
        return Errno::EINVAL.raw();
    }
    // SAFETY: as the caller vouches.
    unsafe { (*attr).stack_size = size };
    0
}

/// `pthread_attr_getstacksize(3)`.
///
/// # Safety
/// `attr` was initialised; `size` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_getstacksize(attr: *const Attr, size: *mut usize) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { *size = (*attr).stack_size };
    0
}

/// `pthread_attr_getstack(3)`.
///
/// # Safety
/// `attr` was initialised; the outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_getstack(attr: *const Attr, addr: *mut *mut c_void, size: *mut usize) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe {
        *addr = (*attr).stack_addr as *mut c_void;
        *size = (*attr).stack_size;
    }
    0
}

/// `pthread_attr_getguardsize(3)`.
///
/// # Safety
/// `attr` was initialised; `size` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_getguardsize(attr: *const Attr, size: *mut usize) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { *size = (*attr).guard_size };
    0
}

/// `pthread_getattr_np(3)`: the thread's stack and guard size
/// ([`thread::stack_of`]; the main thread's as glibc describes it, from
/// `/proc/self/maps` and `RLIMIT_STACK`, `ENOSYS` without `/proc`).
///
/// # Safety
/// `t` is a live thread's `pthread_t`; `attr` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_getattr_np(t: PthreadT, attr: *mut Attr) -> c_int {
    // SAFETY: as the caller vouches.
    match unsafe { thread::stack_of(t as *mut ThreadData) } {
        Some((low, size)) => {
            let a = Attr { stack_size: size, stack_addr: low, guard_size: thread::GUARD_SIZE, detached: 0 };
            // SAFETY: as the caller vouches.
            unsafe { attr.write(a) };
            0
        }
        None => Errno::ENOSYS.raw(),
    }
}

/// `pthread_create(3)`: [`Builder::spawn_unchecked`] with the attribute's
/// stack size; returns the error number (`EAGAIN` for what `mmap` or
/// `clone` refused).
///
/// # Safety
/// `out` is writable; `attr` null or initialised; `start(arg)` is sound to
/// run on another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_create(
    out: *mut PthreadT,
    attr: *const Attr,
    start: extern "C" fn(*mut c_void) -> *mut c_void,
    arg: *mut c_void,
) -> c_int {
    let (stack_size, detached) = if attr.is_null() {
        (thread::DEFAULT_STACK_SIZE, false)
    } else {
        // SAFETY: as the caller vouches.
        unsafe { ((*attr).stack_size, (*attr).detached != 0) }
    };
    let arg = Ret(arg);
    let run = move || {
        let arg = arg;
        Ret(start(arg.0))
    };
    // SAFETY: C's contract: whatever arg points to outlives the thread.
    match unsafe { Builder::new().stack_size(stack_size).spawn_unchecked(run) } {
        Ok(handle) => {
            // SAFETY: as the caller vouches.
            unsafe { *out = handle.into_raw() as PthreadT };
            if detached {
                // SAFETY: just made, of this type.
                unsafe { JoinHandle::<Ret>::from_raw(*out as *mut ThreadData) }.detach();
            }
            0
        }
        Err(e) if e == Errno::ENOMEM => Errno::EAGAIN.raw(),
        Err(e) => e.raw(),
    }
}

/// `pthread_join(3)`.
///
/// # Safety
/// `t` came from [`pthread_create`], is joinable and not joined yet;
/// `ret` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_join(t: PthreadT, ret: *mut *mut c_void) -> c_int {
    if t == thread::current_raw() as PthreadT {
        return Errno::EDEADLK.raw();
    }
    // SAFETY: as the caller vouches.
    let value = unsafe { JoinHandle::<Ret>::from_raw(t as *mut ThreadData) }.join();
    if !ret.is_null() {
        // SAFETY: as the caller vouches.
        unsafe { *ret = value.0 };
    }
    0
}

/// `pthread_detach(3)`.
///
/// # Safety
/// `t` came from [`pthread_create`] and is neither joined nor detached.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_detach(t: PthreadT) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { JoinHandle::<Ret>::from_raw(t as *mut ThreadData) }.detach();
    0
}

/// `pthread_self(3)`.
#[unsafe(no_mangle)]
pub extern "C" fn pthread_self() -> PthreadT {
    thread::current_raw() as PthreadT
}

/// `pthread_setname_np(3)`, for the calling thread (the only one std
/// names); another thread's name is not set yet: `ENOSYS`.
///
/// # Safety
/// `name` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_setname_np(t: PthreadT, name: *const c_char) -> c_int {
    if t != thread::current_raw() as PthreadT {
        return Errno::ENOSYS.raw();
    }
    // SAFETY: as the caller vouches.
    let name = unsafe { CStr::from_ptr(name) };
    if name.to_bytes().len() > 15 {
        return Errno::ERANGE.raw();
    }
    match thread::set_name(name) {
        Ok(()) => 0,
        Err(e) => e.raw(),
    }
}

/// `__cxa_thread_atexit_impl`: registers a TLS destructor
/// ([`thread::at_thread_exit`]), run when the thread ends (the main
/// thread's at `exit`).
///
/// # Safety
/// `dtor(object)` is sound to call when the thread ends.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __cxa_thread_atexit_impl(
    dtor: unsafe extern "C" fn(*mut u8),
    object: *mut u8,
    _dso: *mut c_void,
) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { thread::at_thread_exit(dtor, object) };
    0
}

/// `__dso_handle`: the address that names the program (the only object of
/// a static program) to `__cxa_thread_atexit_impl`, as the C runtime's
/// start files define it for each object.
#[unsafe(no_mangle)]
pub static __dso_handle: u8 = 0;

/// Keys a process may create (glibc's `PTHREAD_KEYS_MAX`).
const KEYS: usize = 1024;
/// Destructor rounds at a thread's end (`PTHREAD_DESTRUCTOR_ITERATIONS`).
const DESTRUCTOR_ROUNDS: usize = 4;

/// Per key: 0 when free; else the destructor's address, or 1 for none.
static KEY_DTORS: [AtomicUsize; KEYS] = [const { AtomicUsize::new(0) }; KEYS];
/// Per key: a generation, raised at each create, so that a thread's value
/// of a deleted key does not show through the key's next owner.
static KEY_GENERATIONS: [AtomicUsize; KEYS] = [const { AtomicUsize::new(0) }; KEYS];

/// A thread's values: per key, the generation it was set under and the
/// value. Allocated at the thread's first `pthread_setspecific`, kept in
/// its data block (`ThreadData::specific`).
struct Values([(usize, *mut c_void); KEYS]);

/// `pthread_key_create(3)`.
///
/// # Safety
/// `key` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_key_create(key: *mut u32, dtor: Option<unsafe extern "C" fn(*mut c_void)>) -> c_int {
    let word = dtor.map_or(1, |f| f as usize);
    for (i, slot) in KEY_DTORS.iter().enumerate() {
        if slot.compare_exchange(0, word, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            KEY_GENERATIONS[i].fetch_add(1, Ordering::AcqRel);
            // SAFETY: as the caller vouches.
            unsafe { *key = i as u32 };
            return 0;
        }
    }
    Errno::EAGAIN.raw()
}

/// `pthread_key_delete(3)`: the key is free again; threads' values under
/// it are forgotten, their destructors not run (as POSIX says).
#[unsafe(no_mangle)]
pub extern "C" fn pthread_key_delete(key: u32) -> c_int {
    match KEY_DTORS.get(key as usize) {
        Some(slot) if slot.swap(0, Ordering::AcqRel) != 0 => 0,
        _ => Errno::EINVAL.raw(),
    }
}

/// The calling thread's values, if it has set any.
fn values() -> *mut Values {
    // SAFETY: the calling thread's own data block.
    unsafe { (*sys_layer_tls::thread_data()).specific.cast() }
}

/// `pthread_getspecific(3)`.
#[unsafe(no_mangle)]
pub extern "C" fn pthread_getspecific(key: u32) -> *mut c_void {
    let (values, key) = (values(), key as usize);
    if values.is_null() || key >= KEYS {
        return core::ptr::null_mut();
    }
    // SAFETY: the calling thread's own values.
    let (generation, value) = unsafe { (*values).0[key] };
    if generation == KEY_GENERATIONS[key].load(Ordering::Acquire) { value } else { core::ptr::null_mut() }
}

/// `pthread_setspecific(3)`.
#[unsafe(no_mangle)]
pub extern "C" fn pthread_setspecific(key: u32, value: *const c_void) -> c_int {
    let key = key as usize;
    if key >= KEYS || KEY_DTORS[key].load(Ordering::Acquire) == 0 {
        return Errno::EINVAL.raw();
    }
    let mut values = values();
    if values.is_null() {
        values = Box::into_raw(Box::new(Values([(0, core::ptr::null_mut()); KEYS])));
        // SAFETY: the calling thread's own data block; the destructor runs
        // once, at the thread's end, with this thread's values.
        unsafe {
            (*sys_layer_tls::thread_data()).specific = values.cast();
            thread::at_thread_exit(run_key_destructors, values.cast());
        }
    }
    // SAFETY: the calling thread's own values.
    unsafe { (*values).0[key] = (KEY_GENERATIONS[key].load(Ordering::Acquire), value.cast_mut()) };
    0
}

/// At a thread's end: calls each key's destructor on the thread's non-null
/// value (set to null first), for up to [`DESTRUCTOR_ROUNDS`] rounds while
/// destructors set values again; then frees the values.
unsafe extern "C" fn run_key_destructors(values: *mut u8) {
    let values = values.cast::<Values>();
    for _ in 0..DESTRUCTOR_ROUNDS {
        let mut ran = false;
        for key in 0..KEYS {
            let dtor = KEY_DTORS[key].load(Ordering::Acquire);
            // SAFETY: this thread's values, alive until freed below.
            let (generation, value) = unsafe { (*values).0[key] };
            if dtor > 1 && !value.is_null() && generation == KEY_GENERATIONS[key].load(Ordering::Acquire) {
                // SAFETY: as above.
                unsafe { (*values).0[key].1 = core::ptr::null_mut() };
                // SAFETY: the key's destructor, given at its creation.
                let f = unsafe { core::mem::transmute::<usize, unsafe extern "C" fn(*mut c_void)>(dtor) };
                // SAFETY: C's contract for key destructors.
                unsafe { f(value) };
                ran = true;
            }
        }
        if !ran {
            break;
        }
    }
    // SAFETY: the calling thread's data block; the values were boxed by
    // pthread_setspecific and nothing reads them after this.
    unsafe {
        (*sys_layer_tls::thread_data()).specific = core::ptr::null_mut();
        drop(Box::from_raw(values));
    }
}

/// The argument of `__tls_get_addr`: a module and an offset in its block.
#[cfg(target_arch = "x86_64")]
#[repr(C)]
pub struct TlsIndex {
    module: usize,
    offset: usize,
}

/// `__tls_get_addr`: the address of a thread-local variable given by
/// module and offset (the general-dynamic TLS model). A static program
/// has one module, the program, whose block the runtime laid out
/// ([`sys_layer::rt::tls_layout`]); the linker relaxes such accesses
/// away, but objects name the function. Another module is not there: the
/// process ends with a message.
///
/// # Safety
/// `index` is readable.
#[cfg(target_arch = "x86_64")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tls_get_addr(index: *const TlsIndex) -> *mut c_void {
    // SAFETY: as the caller vouches.
    let index = unsafe { &*index };
    if index.module != 1 {
        sys_layer::stdio::write_stderr(b"sys-layer: __tls_get_addr: no TLS module other than the program\n");
        crate::process::abort();
    }
    let layout = sys_layer::rt::tls_layout();
    let area = sys_layer_tls::thread_data() as usize - layout.data_offset;
    (area + layout.block_offset + index.offset) as *mut c_void
}

/// `pthread_mutex_init(3)`: a normal (not recursive, not error-checking)
/// mutex, a [`RawMutex`] laid over the object's first word (the same
/// offset as glibc's lock word; `PTHREAD_MUTEX_INITIALIZER` is all zeros,
/// which is unlocked). No `pthread_mutexattr_*` function is defined, so
/// `attr` is null in a program that links.
///
/// # Safety
/// `mutex` points to a `pthread_mutex_t` (at least 24 bytes, 4-aligned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_init(mutex: *mut c_void, _attr: *const c_void) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { mutex.cast::<RawMutex>().write(RawMutex::new()) };
    0
}

/// `pthread_mutex_destroy(3)`: nothing to free.
#[unsafe(no_mangle)]
pub extern "C" fn pthread_mutex_destroy(_mutex: *mut c_void) -> c_int {
    0
}

/// `pthread_mutex_lock(3)`: [`RawMutex::lock`].
///
/// # Safety
/// `mutex` was initialised (or statically zeroed) and is not moved.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_lock(mutex: *mut c_void) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { (*mutex.cast::<RawMutex>()).lock() };
    0
}

/// `pthread_mutex_trylock(3)`: [`RawMutex::try_lock`], `EBUSY` if held.
///
/// # Safety
/// As [`pthread_mutex_lock`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_trylock(mutex: *mut c_void) -> c_int {
    // SAFETY: as the caller vouches.
    if unsafe { (*mutex.cast::<RawMutex>()).try_lock() } { 0 } else { Errno::EBUSY.raw() }
}

/// `pthread_mutex_unlock(3)`: [`RawMutex::unlock`].
///
/// # Safety
/// As [`pthread_mutex_lock`]; the calling thread holds the lock.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_unlock(mutex: *mut c_void) -> c_int {
    // SAFETY: as the caller vouches.
    unsafe { (*mutex.cast::<RawMutex>()).unlock() };
    0
}

/// A handler `pthread_atfork` registers.
type ForkHandler = Option<extern "C" fn()>;

/// How many `pthread_atfork` registrations there is room for (glibc's
/// list grows; a program registers a handful).
const FORK_HANDLERS: usize = 32;

/// The `pthread_atfork` registrations, in order: (prepare, parent, child),
/// and how many there are.
type ForkHandlers = ([(ForkHandler, ForkHandler, ForkHandler); FORK_HANDLERS], usize);

/// The `pthread_atfork` registrations.
static AT_FORK: Mutex<ForkHandlers> = Mutex::new(([(None, None, None); FORK_HANDLERS], 0));

/// `pthread_atfork(3)`: handlers [`fork`](crate::process) runs, prepare
/// in reverse order of registration before it, parent and child in order
/// after it; `ENOMEM` past [`FORK_HANDLERS`].
#[unsafe(no_mangle)]
pub extern "C" fn pthread_atfork(prepare: ForkHandler, parent: ForkHandler, child: ForkHandler) -> c_int {
    let mut at_fork = AT_FORK.lock();
    let (list, count) = &mut *at_fork;
    if *count == FORK_HANDLERS {
        return Errno::ENOMEM.raw();
    }
    list[*count] = (prepare, parent, child);
    *count += 1;
    0
}

/// The registered fork handlers, copied out so that none runs under the lock.
pub(crate) fn fork_handlers() -> ForkHandlers {
    *AT_FORK.lock()
}
