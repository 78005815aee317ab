//! Threads: [`spawn`] a closure, [`JoinHandle::join`] or detach it, name
//! it, park it, and register TLS destructors.
//!
//! Creating a thread allocates nothing from the heap: one anonymous mapping
//! holds, from the bottom, a guard page (`PROT_NONE`, so an overflow faults
//! instead of running into other memory, and is reported as one: see
//! [`crate::signal`]), the stack, the thread's TLS area (laid out like the
//! main thread's: variant I or II, with its own `errno` and the process's
//! stack canary in its [`sys_layer_tls::ThreadData`]), a control block with
//! the closure and, later, its result, and the thread's alternate signal
//! stack. The thread
//! data holds a pointer to the control block, so a thread library reaches
//! everything from the thread pointer.
//!
//! The thread is made with `clone(2)` from `sys_layer_arch::clone_thread`,
//! not through the stub table: the child starts on its own stack and cannot
//! return through a function. On i686 that call is `int $0x80`, never
//! `__kernel_vsyscall`, which would return into the parent's stack in the
//! child. `clone` serves every kernel from 2.6.32 on; `clone3` (5.3) would
//! add nothing a thread needs (its extras are for processes), so threads do
//! not use it. All signals are blocked while the thread is made, and the
//! child restores the parent's mask once it runs.
//!
//! A joined thread's mapping is released by the joiner, once the kernel has
//! cleared the thread's ID word at its exit (`CLONE_CHILD_CLEARTID`, a
//! futex wake): kept for the next thread of the same size (up to
//! [`CACHED_MAPPINGS`], as C libraries keep stacks), else unmapped. A detached thread unmaps its own mapping as its last act,
//! with every signal blocked, in assembly that touches no memory between
//! `munmap` and `exit`, and unregisters its ID word first: the kernel's
//! clear at the exit would land in whatever another thread mapped there
//! meanwhile (such as a new thread's control block, whose joiner would
//! then return while it runs). Dropping a [`JoinHandle`] detaches.
//!
//! A panic ends the whole process (`panic = "abort"`), so a join cannot
//! observe a panicked thread.

extern crate alloc;

use crate::Errno;
use crate::errno::call_slot;
use crate::raw;
use crate::runtime::overflow::ALT_STACK_SIZE;
use crate::sync::{Parker, futex_wait_shared};
use alloc::boxed::Box;
use core::ffi::CStr;
use core::marker::PhantomData;
use core::mem::{MaybeUninit, align_of, size_of};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use linux_raw_sys::general as g;

/// Whether this process has ever started a thread: until it has, locks
/// need no atomic read-modify-write (see [`crate::sync::Mutex::lock`]).
static EVER_SPAWNED: AtomicBool = AtomicBool::new(false);

/// Whether a thread was ever spawned (never false again once true).
#[inline(always)]
pub(crate) fn ever_spawned() -> bool {
    EVER_SPAWNED.load(Ordering::Relaxed)
}

/// The stack size [`spawn`] gives a thread: 2 MiB, as Rust's std does.
pub const DEFAULT_STACK_SIZE: usize = 2 * 1024 * 1024;

/// The smallest stack [`Builder::stack_size`] accepts (16 KiB, rounded up
/// to whole pages).
pub const MIN_STACK_SIZE: usize = 16 * 1024;

/// Bytes of the guard page below every thread's stack.
pub const GUARD_SIZE: usize = 4096;

/// The thread is running (or finished but not yet looked at).
const RUNNING: u32 = 0;
/// The handle was dropped or detached: the thread frees itself.
const DETACHED: u32 = 1;
/// The thread stored its result and is about to exit.
const FINISHED: u32 = 2;

/// What a thread's mapping holds above its TLS area, whatever its closure.
#[repr(C)]
struct Control {
    /// The thread's ID: set by the kernel at creation
    /// (`CLONE_PARENT_SETTID`), cleared and futex-woken at its exit
    /// (`CLONE_CHILD_CLEARTID`).
    tid: AtomicU32,
    /// [`RUNNING`], [`DETACHED`] or [`FINISHED`].
    state: AtomicU32,
    /// The whole mapping.
    map_base: usize,
    map_len: usize,
    /// The top of the stack (its bottom is the guard page's top).
    stack_top: usize,
    /// The thread's data block, in the TLS area.
    data: *mut sys_layer_tls::ThreadData,
    /// The thread's ID as `clone` returned it, kept after the kernel
    /// clears `tid` (for [`JoinHandle::from_raw`]).
    id: u32,
    /// The thread's alternate signal stack (for the overflow report).
    alt_stack: usize,
    /// The name to give the thread (NUL-terminated, at most 15 bytes).
    name: [u8; 16],
    /// The parent's signal mask, restored by the child.
    parent_mask: g::kernel_sigset_t,
    /// The thread's park token.
    parker: Parker,
    /// Runs the closure and stores its result (monomorphised per closure).
    run: unsafe fn(*mut Control),
    /// Drops a stored result nobody will take (a detached thread's).
    drop_result: unsafe fn(*mut Control),
    /// Where the packet keeps the result (its offset depends on the
    /// closure's type, which the handle does not know).
    result: *mut u8,
}

/// The control block with the closure and its result slot.
#[repr(C)]
struct Packet<F, T> {
    control: Control,
    f: MaybeUninit<F>,
    result: MaybeUninit<T>,
}

/// Builds a thread with a stack size or a name other than the defaults.
#[derive(Debug, Clone)]
pub struct Builder {
    stack_size: usize,
    name: [u8; 16],
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// The defaults: [`DEFAULT_STACK_SIZE`], no name (the thread inherits
    /// its parent's, as under Linux).
    pub fn new() -> Self {
        Builder { stack_size: DEFAULT_STACK_SIZE, name: [0; 16] }
    }

    /// A stack of `bytes` (at least [`MIN_STACK_SIZE`]; rounded up to whole
    /// pages). The guard page comes on top of it.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes.max(MIN_STACK_SIZE);
        self
    }

    /// A name for the thread (`/proc/self/task/TID/comm`, `ps -L`): its
    /// first 15 bytes, as the kernel keeps them.
    pub fn name(mut self, name: &[u8]) -> Self {
        self.name = [0; 16];
        let n = name.iter().position(|&b| b == 0).unwrap_or(name.len()).min(15);
        self.name[..n].copy_from_slice(&name[..n]);
        self
    }

    /// Starts a thread running `f`.
    ///
    /// Fails with the error of `mmap` (`ENOMEM`, `EAGAIN` past a limit) or
    /// `clone` (`EAGAIN` past `RLIMIT_NPROC` or the kernel's thread limit).
    pub fn spawn<F, T>(self, f: F) -> Result<JoinHandle<T>, Errno>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // SAFETY: F and T are Send + 'static: the thread may own them.
        unsafe { self.spawn_unchecked(f) }
    }

    /// [`Builder::spawn`] without the `'static` bound.
    ///
    /// # Safety
    /// Whatever `f` borrows must outlive the thread: join it before the
    /// borrows end.
    pub unsafe fn spawn_unchecked<F, T>(self, f: F) -> Result<JoinHandle<T>, Errno>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        let template = sys_layer_tls::thread_template().ok_or(Errno::EAGAIN)?;
        let layout = template.layout;
        let page = 4096;
        let stack = self.stack_size.checked_next_multiple_of(page).ok_or(Errno::ENOMEM)?;
        let tls_align = layout.align.max(align_of::<Packet<F, T>>()).max(16);
        // [guard][stack][pad][TLS area][pad][packet], rounded to pages.
        let tls_at = (GUARD_SIZE + stack).next_multiple_of(tls_align);
        let packet_at = (tls_at + layout.size).next_multiple_of(align_of::<Packet<F, T>>().max(16));
        let alt_at = (packet_at + size_of::<Packet<F, T>>()).next_multiple_of(16);
        let len = (alt_at + ALT_STACK_SIZE).next_multiple_of(page);

        let base = match take_cached_mapping(len) {
            Some(base) => base,
            None => new_mapping(len)?,
        };
        // SAFETY: the mapping is ours, len bytes, and every offset is in it.
        let (tls_area, packet) = unsafe { (base.add(tls_at), base.add(packet_at).cast::<Packet<F, T>>()) };
        // SAFETY: the area is writable for layout.size bytes, aligned to
        // layout.align; the image is the running program's.
        let tp = unsafe {
            sys_layer_tls::initialize_area(
                tls_area,
                &layout,
                template.image.as_ref(),
                template.canary,
                template.pointer_guard,
            )
        };
        // SAFETY: the packet lies in the fresh mapping, aligned, ours.
        unsafe {
            packet.write(Packet {
                control: Control {
                    tid: AtomicU32::new(0),
                    state: AtomicU32::new(RUNNING),
                    map_base: base as usize,
                    map_len: len,
                    stack_top: base as usize + GUARD_SIZE + stack,
                    data: sys_layer_tls::thread_data_at(tp),
                    id: 0,
                    alt_stack: base as usize + alt_at,
                    name: self.name,
                    parent_mask: g::kernel_sigset_t { sig: [0; _] },
                    parker: Parker::new(),
                    run: run_packet::<F, T>,
                    drop_result: drop_result::<F, T>,
                    result: core::ptr::null_mut(),
                },
                f: MaybeUninit::new(f),
                result: MaybeUninit::uninit(),
            });
            (*packet).control.result = (&raw mut (*packet).result).cast();
            let data = sys_layer_tls::thread_data_at(tp);
            (*data).control = packet.cast();
        }
        let control = packet.cast::<Control>();

        // Block every signal while the thread is made; the child restores
        // this thread's mask, kept in its control block.
        let all = g::kernel_sigset_t { sig: [!0; _] };
        // SAFETY: the control block is ours until the thread starts.
        let old_mask = unsafe { &raw mut (*control).parent_mask };
        // SAFETY: both sets are valid kernel_sigset_t.
        let _ = call_slot(|e| unsafe { raw::rt_sigprocmask(g::SIG_SETMASK as i32, &all, old_mask, 8, e) });

        let flags = g::CLONE_VM
            | g::CLONE_FS
            | g::CLONE_FILES
            | g::CLONE_SIGHAND
            | g::CLONE_THREAD
            | g::CLONE_SYSVSEM
            | g::CLONE_SETTLS
            | g::CLONE_PARENT_SETTID
            | g::CLONE_CHILD_CLEARTID;
        // From here on locks use atomic operations: set before the thread
        // exists, seen by it through clone.
        EVER_SPAWNED.store(true, Ordering::SeqCst);
        let mut scratch = [0u32; 4];
        let tls = sys_layer_arch::thread_pointer_clone_arg(tp, &mut scratch);
        // SAFETY: the stack, TLS and ID words lie in the thread's own
        // mapping, which outlives it; thread_start never returns.
        let ret = unsafe {
            let tid = (*control).tid.as_ptr();
            sys_layer_arch::clone_thread(flags as usize, tls_area, tid, tid, tls, thread_start, control.cast())
        };
        // SAFETY: restores this thread's own mask.
        let _ =
            call_slot(|e| unsafe { raw::rt_sigprocmask(g::SIG_SETMASK as i32, old_mask, core::ptr::null_mut(), 8, e) });
        if let Err(e) = sys_layer_arch::check(ret) {
            // No thread was made: the mapping, and the closure in it, are ours.
            // SAFETY: the closure was written above and is dropped once.
            unsafe { (*packet).f.assume_init_drop() };
            // SAFETY: ours, unused.
            unsafe { release_mapping(base as usize, len) };
            return Err(Errno::from_raw(e));
        }
        // SAFETY: the handle's side of the control block; the thread never
        // reads this field.
        unsafe { (*control).id = ret as u32 };
        Ok(JoinHandle { control, id: ret as u32, _result: PhantomData })
    }
}

/// Mappings of threads that were joined, kept for the next threads of the
/// same size (as C libraries keep stacks): their guard page is in place and
/// their pages are faulted in. At most [`CACHED_MAPPINGS`].
struct MappingCache {
    entries: [(usize, usize); CACHED_MAPPINGS],
    count: usize,
}

/// How many joined threads' mappings are kept for reuse.
pub const CACHED_MAPPINGS: usize = 8;

static MAPPING_CACHE: crate::sync::Mutex<MappingCache> =
    crate::sync::Mutex::new(MappingCache { entries: [(0, 0); CACHED_MAPPINGS], count: 0 });

/// A kept mapping of exactly `len` bytes, if there is one.
fn take_cached_mapping(len: usize) -> Option<*mut u8> {
    let mut cache = MAPPING_CACHE.lock();
    let count = cache.count;
    let at = cache.entries[..count].iter().position(|&(_, l)| l == len)?;
    let (base, _) = cache.entries[at];
    cache.entries[at] = cache.entries[count - 1];
    cache.count -= 1;
    Some(base as *mut u8)
}

/// A new thread mapping of `len` bytes with its guard page.
fn new_mapping(len: usize) -> Result<*mut u8, Errno> {
    use crate::mm::{MapFlags, Prot};
    // SAFETY: a new anonymous mapping replaces nothing.
    let base = unsafe {
        crate::mm::mmap(
            core::ptr::null_mut(),
            len,
            Prot::READ | Prot::WRITE,
            MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::STACK,
            None,
            0,
        )
    }?
    .cast::<u8>();
    // SAFETY: the guard page is the bottom of the mapping just made.
    if let Err(e) = unsafe { crate::mm::mprotect(base.cast(), GUARD_SIZE, Prot::empty()) } {
        // SAFETY: ours, unused.
        let _ = unsafe { crate::mm::munmap(base.cast(), len) };
        return Err(e);
    }
    Ok(base)
}

/// Keeps a mapping no thread uses any more for reuse, or unmaps it.
///
/// # Safety
/// Nothing may use the mapping: its thread has exited (or never started).
unsafe fn release_mapping(base: usize, len: usize) {
    {
        let mut cache = MAPPING_CACHE.lock();
        if cache.count < CACHED_MAPPINGS {
            let at = cache.count;
            cache.entries[at] = (base, len);
            cache.count += 1;
            return;
        }
    }
    // SAFETY: as the caller vouches.
    let _ = unsafe { crate::mm::munmap(base as *mut _, len) };
}

/// Runs the closure in `control`'s packet and stores its result.
///
/// # Safety
/// `control` starts a `Packet<F, T>` whose closure is there and not taken.
unsafe fn run_packet<F: FnOnce() -> T, T>(control: *mut Control) {
    let packet = control.cast::<Packet<F, T>>();
    // SAFETY: the closure is there, and taken once, here.
    unsafe {
        let f = (*packet).f.assume_init_read();
        (*packet).result.write(f());
    }
}

/// Drops the result in `control`'s packet.
///
/// # Safety
/// The result was stored and nobody else will read it.
unsafe fn drop_result<F, T>(control: *mut Control) {
    // SAFETY: as the caller vouches.
    unsafe { (*control.cast::<Packet<F, T>>()).result.assume_init_drop() };
}

/// Where a new thread starts, on its own stack with its TLS installed.
unsafe extern "C" fn thread_start(arg: *mut u8) -> ! {
    let control = arg.cast::<Control>();
    // SAFETY: the control block lives in this thread's mapping, which the
    // parent does not free while the thread runs.
    unsafe {
        let data = sys_layer_tls::thread_data();
        // The kernel wrote the ID (CLONE_PARENT_SETTID) before this thread
        // could run.
        (*data).tid = (*control).tid.load(Ordering::Relaxed) as i32;
        let _ = crate::signal::set_alternate_stack_raw((*control).alt_stack as *mut u8, ALT_STACK_SIZE);
        if (*control).name[0] != 0 {
            let name = (*control).name.as_ptr() as usize;
            raw::prctl(linux_raw_sys::prctl::PR_SET_NAME as i32, name, 0, 0, 0, &mut 0);
        }
        raw::rt_sigprocmask(g::SIG_SETMASK as i32, &(*control).parent_mask, core::ptr::null_mut(), 8, &mut 0);
        ((*control).run)(control);
        run_tls_destructors();
        let detached = (*control).state.swap(FINISHED, Ordering::AcqRel) == DETACHED;
        if detached {
            // Nobody will join: drop the result here.
            ((*control).drop_result)(control);
        }
        crate::alloc::release_thread_cache();
        if detached {
            // Free the mapping, with every signal blocked (a handler would
            // run on the freed stack).
            let all = g::kernel_sigset_t { sig: [!0; _] };
            raw::rt_sigprocmask(g::SIG_SETMASK as i32, &all, core::ptr::null_mut(), 8, &mut 0);
            let (base, len) = ((*control).map_base, (*control).map_len);
            sys_layer_arch::exit_thread_unmapping(base as *mut u8, len);
        }
        raw::exit(0, &mut 0);
    }
    // SAFETY: exit does not return; if it ever did, end the process.
    sys_layer_arch::exit_group(127)
}

/// A running thread, to join (wait for it and take its result) or detach.
/// Dropping it detaches the thread.
pub struct JoinHandle<T> {
    control: *mut Control,
    /// The thread's ID, which stays valid here after the kernel clears the
    /// control block's copy at the thread's exit.
    id: u32,
    _result: PhantomData<T>,
}

// SAFETY: the handle only reaches the thread's control block through
// atomics, and the result (T: Send) once the thread is gone.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: shared handles only read the ID and unpark (atomics).
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// The thread's kernel ID (reused by the kernel once the thread has
    /// ended and been joined).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Gives the thread a park token (see [`park`]).
    pub fn unpark(&self) {
        // SAFETY: as above.
        unsafe { (*self.control).parker.unpark() };
    }

    /// Whether the thread has finished its closure.
    pub fn is_finished(&self) -> bool {
        // SAFETY: as above.
        unsafe { (*self.control).state.load(Ordering::Acquire) == FINISHED }
    }

    /// Waits for the thread to end (retrying when a signal handler
    /// interrupts the wait: `EINTR` is not an error) and returns its
    /// closure's result; frees its stack.
    pub fn join(self) -> T {
        let control = self.control;
        core::mem::forget(self);
        // SAFETY: the handle owned the control block, which stays mapped
        // until this function unmaps it.
        unsafe {
            wait_for_exit(control);
            let result = (*control).result.cast::<T>().read();
            release_mapping((*control).map_base, (*control).map_len);
            result
        }
    }

    /// Lets the thread run on its own: it frees its stack when it ends.
    pub fn detach(self) {
        drop(self);
    }

    /// Gives up the handle for the thread's data block
    /// ([`sys_layer_tls::ThreadData`]), an address that stays valid until
    /// [`JoinHandle::from_raw`] takes the handle back and joins or detaches
    /// the thread: what the C layer hands out as a `pthread_t` (the same
    /// value [`current_raw`] gives inside the thread).
    pub fn into_raw(self) -> *mut sys_layer_tls::ThreadData {
        // SAFETY: the handle owns the control block, which stays mapped.
        let data = unsafe { (*self.control).data };
        core::mem::forget(self);
        data
    }

    /// Takes back a handle given up with [`JoinHandle::into_raw`].
    ///
    /// # Safety
    /// `data` came from `into_raw` of a `JoinHandle<T>` of the same `T`,
    /// and is taken back once.
    pub unsafe fn from_raw(data: *mut sys_layer_tls::ThreadData) -> JoinHandle<T> {
        // SAFETY: as the caller vouches, a spawned thread's data block,
        // whose control pointer is set before the thread starts.
        let control = unsafe { (*data).control.cast::<Control>() };
        // SAFETY: the control block lives until the handle joins or detaches.
        let id = unsafe { (*control).id };
        JoinHandle { control, id, _result: PhantomData }
    }
}

/// The calling thread's data block: the same value as
/// [`JoinHandle::into_raw`] for a spawned thread, and the main thread's
/// own for the main thread (a C library's `pthread_self`).
pub fn current_raw() -> *mut sys_layer_tls::ThreadData {
    sys_layer_tls::thread_data()
}

/// The stack of the thread whose data block is `data`, as `(lowest
/// address, size)`: for a spawned thread, its stack above the guard page;
/// for the main thread, whose stack the kernel grows, as glibc's
/// `pthread_getattr_np` gives it: from the top of its mapping in
/// `/proc/self/maps` down by `RLIMIT_STACK`, but not into the mapping
/// below (`None` without `/proc`). The main thread's mapping is read once
/// (std asks at start-up, twice); `RLIMIT_STACK` on every call.
///
/// # Safety
/// `data` is [`current_raw`] of a thread that has not been joined (or,
/// detached, has not ended).
pub unsafe fn stack_of(data: *mut sys_layer_tls::ThreadData) -> Option<(usize, usize)> {
    // SAFETY: as the caller vouches, a live data block, whose control
    // block (for a spawned thread) lives as long.
    unsafe {
        let control = (*data).control.cast::<Control>();
        if control.is_null() {
            return main_stack();
        }
        let low = (*control).map_base + GUARD_SIZE;
        Some((low, (*control).stack_top - low))
    }
}

/// The end of the mapping below the main thread's stack and the end of
/// the stack's own, once read from `/proc` (0 until then). Neither moves
/// as the stack grows; a mapping made later between them is not seen.
static MAIN_STACK_BELOW: AtomicUsize = AtomicUsize::new(0);
static MAIN_STACK_TOP: AtomicUsize = AtomicUsize::new(0);

/// The smallest gap the kernel leaves between the top of the main stack's
/// region and the mappings it places without an address (`mmap_base`'s
/// `MIN_GAP`, 128 MiB): with the usual layouts no mapping comes within a
/// stack limit up to this size below the stack's top.
const KERNEL_MIN_STACK_GAP: usize = 128 << 20;

/// The main thread's stack, for [`stack_of`]: glibc's answer, from the top
/// of the stack's mapping down by `RLIMIT_STACK`, but not into the mapping
/// below.
///
/// glibc reads `/proc/self/maps` for both ends, which costs a start-up of
/// std (which asks) about 30 us of the kernel's time here. When the limit
/// is at most [`KERNEL_MIN_STACK_GAP`], the mapping below cannot be within
/// it, unless a program placed one there by address, which is not seen
/// (glibc would cap the size at it); and the top is where the kernel put
/// the program's name (`AT_EXECFN`, the last string, one word below the
/// mapping's end). Otherwise, or when that name is not above the start-up
/// stack (an emulator's own layout), `/proc/self/maps` is read once.
fn main_stack() -> Option<(usize, usize)> {
    let limit = crate::process::getrlimit(g::RLIMIT_STACK).map_or(u64::MAX, |(soft, _)| soft);
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut top = MAIN_STACK_TOP.load(Ordering::Acquire);
    let mut below = MAIN_STACK_BELOW.load(Ordering::Relaxed);
    if top == 0 {
        match main_stack_top_from_exec(limit) {
            Some(exec_top) => (below, top) = (0, exec_top),
            None => {
                (below, _, top) = crate::runtime::overflow::main_stack_mapping()?;
                // Racing threads read the same lines and store the same values.
                MAIN_STACK_BELOW.store(below, Ordering::Relaxed);
                MAIN_STACK_TOP.store(top, Ordering::Release);
            }
        }
    }
    let size = limit.min(top - below) & !(GUARD_SIZE - 1);
    Some((top - size, size))
}

/// The end of the main stack's mapping from `AT_EXECFN`, when the stack
/// limit is at most [`KERNEL_MIN_STACK_GAP`] and the name lies where the
/// kernel puts it: above the start-up stack pointer, its end within a page
/// of the top, the whole within `limit`.
fn main_stack_top_from_exec(limit: usize) -> Option<usize> {
    if limit > KERNEL_MIN_STACK_GAP {
        return None;
    }
    let name = crate::runtime::auxv::getauxval(linux_raw_sys::auxvec::AT_EXECFN as _) as usize;
    let start_sp = crate::runtime::startup().stack.argv as usize;
    if name <= start_sp {
        return None;
    }
    // SAFETY: the kernel's AT_EXECFN points at the NUL-terminated name it
    // copied onto the stack, which stays for the process's life.
    let len = unsafe { CStr::from_ptr(name as *const core::ffi::c_char) }.count_bytes();
    let top = (name + len + 1).next_multiple_of(crate::runtime::startup().auxv.pagesz.max(4096));
    (top - start_sp <= limit).then_some(top)
}

/// Waits until the kernel has cleared the thread's ID word: the thread has
/// exited and will not touch its mapping again.
///
/// # Safety
/// `control` is a live control block.
unsafe fn wait_for_exit(control: *mut Control) {
    // SAFETY: as the caller vouches.
    let tid = unsafe { &(*control).tid };
    loop {
        let t = tid.load(Ordering::Acquire);
        if t == 0 {
            return;
        }
        futex_wait_shared(tid, t);
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let control = self.control;
        // SAFETY: the handle owns its side of the control block.
        unsafe {
            if (*control).state.swap(DETACHED, Ordering::AcqRel) == FINISHED {
                // The thread finished first and leaves its mapping to us:
                // wait for its exit, drop its result, free it.
                wait_for_exit(control);
                ((*control).drop_result)(control);
                release_mapping((*control).map_base, (*control).map_len);
            }
        }
    }
}

/// Starts a thread running `f`, with [`DEFAULT_STACK_SIZE`].
pub fn spawn<F, T>(f: F) -> Result<JoinHandle<T>, Errno>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().spawn(f)
}

/// Holds the thread library's shared state across a `fork` (see
/// `alloc::hold_for_fork`).
pub(crate) fn hold_for_fork() -> impl Sized {
    MAPPING_CACHE.lock()
}

/// In a child of `fork`: the calling thread is the process's only one, with
/// a new ID.
pub(crate) fn after_fork_in_child() {
    let data = sys_layer_tls::thread_data();
    // SAFETY: the calling thread's own data; read again on demand.
    unsafe { (*data).tid = 0 };
}

/// The calling thread's kernel ID (`gettid(2)`), read once per thread.
pub fn current_id() -> u32 {
    let data = sys_layer_tls::thread_data();
    // SAFETY: the calling thread's own data.
    unsafe {
        if (*data).tid == 0 {
            (*data).tid = crate::process::gettid();
        }
        (*data).tid as u32
    }
}

/// Names the calling thread (its first 15 bytes).
///
/// `prctl(PR_SET_NAME)`: <https://man7.org/linux/man-pages/man2/pr_set_name.2const.html>
pub fn set_name(name: &CStr) -> Result<(), Errno> {
    let mut buf = [0u8; 16];
    let n = name.to_bytes().len().min(15);
    buf[..n].copy_from_slice(&name.to_bytes()[..n]);
    // SAFETY: buf is a NUL-terminated string of at most 16 bytes.
    call_slot(|e| unsafe { raw::prctl(linux_raw_sys::prctl::PR_SET_NAME as i32, buf.as_ptr() as usize, 0, 0, 0, e) })
        .map(drop)
}

/// The calling thread's name, into `buf`; the bytes of it.
///
/// `prctl(PR_GET_NAME)`: <https://man7.org/linux/man-pages/man2/pr_get_name.2const.html>
pub fn name(buf: &mut [u8; 16]) -> Result<&[u8], Errno> {
    // SAFETY: buf has the 16 bytes PR_GET_NAME writes.
    call_slot(|e| unsafe {
        raw::prctl(linux_raw_sys::prctl::PR_GET_NAME as i32, buf.as_mut_ptr() as usize, 0, 0, 0, e)
    })?;
    let n = buf.iter().position(|&b| b == 0).unwrap_or(16);
    Ok(&buf[..n])
}

/// A set of CPUs, as [`affinity`] gives it (up to 1,024 CPUs, the size C
/// libraries' `cpu_set_t` has).
#[derive(Clone, PartialEq, Eq)]
pub struct CpuSet {
    words: [usize; CpuSet::WORDS],
}

impl CpuSet {
    const WORDS: usize = 1024 / usize::BITS as usize;

    /// Whether `cpu` is in the set.
    pub fn contains(&self, cpu: usize) -> bool {
        let bits = usize::BITS as usize;
        self.words.get(cpu / bits).is_some_and(|w| w & (1 << (cpu % bits)) != 0)
    }

    /// How many CPUs the set holds.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The mask's words, as the kernel gives them (CPU `n` is bit `n % W` of
    /// word `n / W`, `W` the word's bits).
    pub fn words(&self) -> &[usize] {
        &self.words
    }
}

impl core::fmt::Debug for CpuSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_set().entries((0..1024).filter(|&cpu| self.contains(cpu))).finish()
    }
}

/// The CPUs thread `tid` may run on (0: the calling thread). `EINVAL` on a
/// machine with more CPUs than [`CpuSet`] holds.
///
/// `sched_getaffinity(2)`: <https://man7.org/linux/man-pages/man2/sched_getaffinity.2.html>
pub fn affinity(tid: i32) -> Result<CpuSet, Errno> {
    let mut set = CpuSet { words: [0; CpuSet::WORDS] };
    let size = core::mem::size_of_val(&set.words);
    // SAFETY: the mask is writable for size bytes; the kernel writes only the
    // bytes it returns, the rest stays zero.
    call_slot(|e| unsafe { raw::sched_getaffinity(tid, size, set.words.as_mut_ptr().cast(), e) })?;
    Ok(set)
}

/// How many threads can run at once: the CPUs the calling thread may run
/// on (as std's `available_parallelism` asks first; cgroup CPU quotas are
/// not read).
pub fn available_parallelism() -> Result<usize, Errno> {
    affinity(0).map(|set| set.count().max(1))
}

/// Lets another thread run.
///
/// `sched_yield(2)`: <https://man7.org/linux/man-pages/man2/sched_yield.2.html>
pub fn yield_now() {
    // SAFETY: no arguments.
    let _ = unsafe { raw::sched_yield(&mut 0) };
}

/// The calling thread's guard page (`None` for the main thread, whose stack
/// the kernel grows), and its name into `name`.
#[cfg_attr(not(feature = "stack-overflow-report"), allow(dead_code))] // the report's
pub(crate) fn current_guard(name: &mut [u8; 16]) -> Option<(usize, usize)> {
    let data = sys_layer_tls::thread_data();
    // SAFETY: the calling thread's data; a spawned thread's control block
    // outlives the thread.
    unsafe {
        let control = (*data).control.cast::<Control>();
        if control.is_null() {
            return None;
        }
        *name = (*control).name;
        Some(((*control).map_base, (*control).map_base + GUARD_SIZE))
    }
}

/// The main thread's park token (other threads keep theirs in their control
/// block).
static MAIN_PARKER: Parker = Parker::new();

fn current_parker() -> &'static Parker {
    let data = sys_layer_tls::thread_data();
    // SAFETY: the calling thread's data; a spawned thread's control block
    // outlives the thread.
    unsafe {
        let control = (*data).control.cast::<Control>();
        if control.is_null() { &MAIN_PARKER } else { &(*control).parker }
    }
}

/// Blocks the calling thread until a token is given
/// ([`JoinHandle::unpark`], [`unpark_main`]), and takes it.
pub fn park() {
    current_parker().park();
}

/// Gives the main thread a park token.
pub fn unpark_main() {
    MAIN_PARKER.unpark();
}

/// A TLS destructor registered with [`at_thread_exit`].
struct Destructor {
    dtor: unsafe extern "C" fn(*mut u8),
    object: *mut u8,
    next: *mut Destructor,
}

/// Registers `dtor(object)` to run when the calling thread ends (a spawned
/// thread after its closure, the main thread at [`crate::process::exit`]),
/// most recently registered first, as `__cxa_thread_atexit_impl` does. A
/// destructor may register more; they run too.
///
/// # Safety
/// `dtor` must be sound to call with `object` when the thread ends.
pub unsafe fn at_thread_exit(dtor: unsafe extern "C" fn(*mut u8), object: *mut u8) {
    let data = sys_layer_tls::thread_data();
    // SAFETY: the calling thread's own data; only it touches the list.
    unsafe {
        let node = Box::into_raw(Box::new(Destructor { dtor, object, next: (*data).destructors.cast() }));
        (*data).destructors = node.cast();
    }
}

/// Runs and frees the calling thread's TLS destructors, newest first, until
/// none is left.
pub(crate) fn run_tls_destructors() {
    let data = sys_layer_tls::thread_data();
    loop {
        // SAFETY: the calling thread's own list, of nodes at_thread_exit
        // boxed; each is unlinked before its destructor runs.
        let node = unsafe {
            let head = (*data).destructors.cast::<Destructor>();
            if head.is_null() {
                return;
            }
            (*data).destructors = (*head).next.cast();
            Box::from_raw(head)
        };
        // SAFETY: at_thread_exit's caller vouched for the call.
        unsafe { (node.dtor)(node.object) };
    }
}
