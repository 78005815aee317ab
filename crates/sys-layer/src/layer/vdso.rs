//! The vDSO as a layer: functions the kernel maps into every process, bound
//! over the system calls of the slots a program links.
//!
//! A slot that the vDSO can serve carries a [`VdsoBinding`] in its record:
//! the symbol, a wrapper with the slot's signature, and where the wrapper
//! finds the vDSO function. The binder looks the symbol up (through
//! `AT_SYSINFO_EHDR`) only for slots the program links, so a program that
//! reads no clock links no vDSO reader. No vDSO (`vdso=0`, some emulators)
//! leaves the system calls bound.
//!
//! The vDSO functions answer like system calls (0 or a negated errno). A
//! clock the vDSO cannot serve normally makes it do the system call itself;
//! should it answer `ENOSYS` instead, the wrapper makes the system call.
//!
//! `getrandom` in the vDSO (6.11+) is left to the system call: it needs
//! per-thread state allocated with `vgetrandom_alloc` and made fork-safe
//! (`MADV_WIPEONFORK`), which waits for this runtime's threads.
//!
//! The addresses the wrappers call live in the runtime words of the
//! program's stub table (`sys_layer_stubs::runtime_words`), so they are
//! sealed with it.

use core::ffi::{c_int, c_long, c_uint, c_void};
use linux_raw_sys::errno::ENOSYS;
use linux_raw_sys::general::{__kernel_timespec, timezone};
use sys_layer_stubs::ty::timeval64;

use super::ErasedFn;

/// A vDSO function a slot can be bound to.
#[derive(Debug)]
pub struct VdsoBinding {
    /// The symbol (`__vdso_clock_gettime`, ...), at [`VERSION`].
    pub symbol: &'static str,
    /// The slot-signature wrapper that calls it.
    pub wrapper: ErasedFn,
    /// Which of the vDSO's runtime words the wrapper reads: the function's
    /// address at `FIRST_TARGET + index`, and what the binder chose for the
    /// slot without the vDSO (the system call, or its fallback on an older
    /// kernel; where an `ENOSYS` answer goes) at `FIRST_WITHOUT + index`.
    pub index: usize,
    /// Binds the slot to the vDSO (see [`bind`]); reached through the
    /// record, so a program that links no such slot links none of this.
    pub bind: fn(&VdsoBinding, usize, usize, &mut usize) -> bool,
}

/// Looks `binding`'s symbol up in the vDSO at `ehdr` (`AT_SYSINFO_EHDR`);
/// if it is there, keeps the address and the slot's current `slot_word`
/// (for `ENOSYS` answers; an `ENOSYS` stub when it is 0) in the runtime
/// words, and puts the wrapper in `slot_word`. Whether it bound.
fn bind(binding: &VdsoBinding, ehdr: usize, slot: usize, slot_word: &mut usize) -> bool {
    let Some(addr) = lookup(ehdr, binding.symbol) else { return false };
    set_word(FIRST_TARGET + binding.index, addr);
    let without = if *slot_word != 0 {
        *slot_word
    } else {
        sys_layer_stubs::enosys::stub_for_arg_words(sys_layer_stubs::SLOT_ARG_WORDS[slot]).unwrap_or(0)
    };
    set_word(FIRST_WITHOUT + binding.index, without);
    *slot_word = binding.wrapper as usize;
    true
}

/// The first runtime word of the vDSO functions' addresses (word 0 is
/// i686's system-call entry).
const FIRST_TARGET: usize = 1;
/// The first runtime word of the slots' own bindings.
const FIRST_WITHOUT: usize = FIRST_TARGET + 5;
const _: () = assert!(FIRST_WITHOUT + 5 <= sys_layer_stubs::RUNTIME_WORDS);

/// Runtime word `i` of the program's table.
fn word(i: usize) -> usize {
    // SAFETY: the words are written before the table is sealed and only
    // read after; i is in range (checked above for every index used).
    unsafe { (*sys_layer_stubs::runtime_words())[i] }
}

fn set_word(i: usize, value: usize) {
    // SAFETY: only the binder calls this, single-threaded, before sealing.
    unsafe { (*sys_layer_stubs::runtime_words())[i] = value };
}

/// The symbol version of the vDSO's functions on this architecture.
pub const VERSION: &str = if cfg!(target_arch = "aarch64") {
    "LINUX_2.6.39"
} else if cfg!(target_arch = "riscv64") {
    "LINUX_4.15"
} else {
    "LINUX_2.6"
};

fn lookup(ehdr: usize, symbol: &str) -> Option<usize> {
    // SAFETY: the binder passes AT_SYSINFO_EHDR, the kernel's mapped vDSO.
    let vdso = unsafe { sys_layer_vdso::Vdso::from_address(ehdr) }.ok()?;
    vdso.lookup(symbol, VERSION).map(|offset| ehdr + offset)
}

macro_rules! vdso_slot {
    ($const:ident, $index:expr, $symbol:expr, $wrapper:path, $fn_ty:ty) => {
        /// The vDSO binding of this slot.
        pub static $const: VdsoBinding = VdsoBinding {
            symbol: $symbol,
            // SAFETY: only the type is forgotten; the binder stores it in the
            // slot, which callers call with the slot's signature.
            wrapper: unsafe { core::mem::transmute::<$fn_ty, ErasedFn>($wrapper) },
            index: $index,
            bind,
        };
    };
}

/// The function in runtime word `i`, as `F`.
///
/// # Safety
/// The binder stored a function of type `F` there before binding the slot.
unsafe fn function<F: Copy>(i: usize) -> F {
    let addr = word(i);
    // SAFETY: F is a function pointer type of the same size as usize.
    unsafe { core::mem::transmute_copy::<usize, F>(&addr) }
}

/// The convention from a vDSO answer (0 or a negated errno); `ENOSYS` runs
/// `syscall` (the slot's binding without the vDSO) instead.
#[inline(always)]
fn answer(ret: c_long, errno: *mut c_int, syscall: impl FnOnce() -> isize) -> isize {
    if ret >= 0 {
        return ret as isize;
    }
    if ret == -(ENOSYS as c_long) {
        return syscall();
    }
    // SAFETY: the convention makes errno a valid pointer.
    unsafe { errno.write(-ret as c_int) };
    -1
}

type TimeFn = unsafe extern "C" fn(c_int, *mut __kernel_timespec) -> c_long;

unsafe extern "C" fn clock_gettime(clock: c_int, tp: *mut __kernel_timespec, errno: *mut c_int) -> isize {
    // SAFETY: bound only after the binder stored the vDSO function.
    let f: TimeFn = unsafe { function(FIRST_TARGET) };
    // SAFETY: the caller's arguments go to the kernel's function unchanged.
    // SAFETY: the binder stored the slot's own binding in its runtime word.
    let without: ClockSlot = unsafe { function(FIRST_WITHOUT) };
    // SAFETY: the caller's arguments go to the kernel's function unchanged.
    answer(unsafe { f(clock, tp) }, errno, || unsafe { without(clock, tp, errno) })
}

unsafe extern "C" fn clock_getres(clock: c_int, res: *mut __kernel_timespec, errno: *mut c_int) -> isize {
    // SAFETY: as above.
    let f: TimeFn = unsafe { function(FIRST_TARGET + 1) };
    // SAFETY: as above.
    // SAFETY: as above.
    let without: ClockSlot = unsafe { function(FIRST_WITHOUT + 1) };
    // SAFETY: as above.
    answer(unsafe { f(clock, res) }, errno, || unsafe { without(clock, res, errno) })
}

type TimeOfDayFn = unsafe extern "C" fn(*mut timeval64, *mut timezone) -> c_long;

unsafe extern "C" fn gettimeofday(tv: *mut timeval64, tz: *mut timezone, errno: *mut c_int) -> isize {
    // SAFETY: as above; on the architectures that bind it, the vDSO's
    // timeval has 64-bit fields like timeval64.
    let f: TimeOfDayFn = unsafe { function(FIRST_TARGET + 2) };
    // SAFETY: as above.
    // SAFETY: as above.
    let without: TimeOfDaySlot = unsafe { function(FIRST_WITHOUT + 2) };
    // SAFETY: as above.
    answer(unsafe { f(tv, tz) }, errno, || unsafe { without(tv, tz, errno) })
}

type SecondsFn = unsafe extern "C" fn(*mut i64) -> i64;

unsafe extern "C" fn time(tloc: *mut i64, errno: *mut c_int) -> isize {
    // SAFETY: as above (bound on x86_64 only, where time_t is 64-bit).
    let f: SecondsFn = unsafe { function(FIRST_TARGET + 3) };
    let _ = errno;
    // SAFETY: as above.
    unsafe { f(tloc) as isize }
}

type CpuFn = unsafe extern "C" fn(*mut c_uint, *mut c_uint, *mut c_void) -> c_long;

unsafe extern "C" fn getcpu(cpu: *mut c_uint, node: *mut c_uint, cache: *mut c_void, errno: *mut c_int) -> isize {
    // SAFETY: as above.
    let f: CpuFn = unsafe { function(FIRST_TARGET + 4) };
    // SAFETY: as above.
    // SAFETY: as above.
    let without: CpuSlot = unsafe { function(FIRST_WITHOUT + 4) };
    // SAFETY: as above.
    answer(unsafe { f(cpu, node, cache) }, errno, || unsafe { without(cpu, node, cache, errno) })
}

type ClockSlot = unsafe extern "C" fn(c_int, *mut __kernel_timespec, *mut c_int) -> isize;
type TimeOfDaySlot = unsafe extern "C" fn(*mut timeval64, *mut timezone, *mut c_int) -> isize;
type TimeSlot = unsafe extern "C" fn(*mut i64, *mut c_int) -> isize;
type CpuSlot = unsafe extern "C" fn(*mut c_uint, *mut c_uint, *mut c_void, *mut c_int) -> isize;

// Every architecture's vDSO has a 64-bit clock_gettime (i686's under its
// own name).
vdso_slot!(
    CLOCK_GETTIME,
    0,
    if cfg!(target_arch = "aarch64") {
        "__kernel_clock_gettime"
    } else if cfg!(target_arch = "x86") {
        "__vdso_clock_gettime64"
    } else {
        "__vdso_clock_gettime"
    },
    clock_gettime,
    ClockSlot
);
vdso_slot!(
    CLOCK_GETRES,
    1,
    if cfg!(target_arch = "aarch64") { "__kernel_clock_getres" } else { "__vdso_clock_getres" },
    clock_getres,
    ClockSlot
);
vdso_slot!(
    GETTIMEOFDAY,
    2,
    if cfg!(target_arch = "aarch64") { "__kernel_gettimeofday" } else { "__vdso_gettimeofday" },
    gettimeofday,
    TimeOfDaySlot
);
vdso_slot!(TIME, 3, "__vdso_time", time, TimeSlot);
vdso_slot!(GETCPU, 4, "__vdso_getcpu", getcpu, CpuSlot);

/// The vDSO binding of each slot the vDSO can serve on this architecture.
/// i686's vDSO has only 32-bit `timespec`/`timeval`/`time_t` forms of
/// `clock_getres`, `gettimeofday` and `time`, so those stay system calls
/// there; aarch64's has no `time` or `getcpu`.
macro_rules! vdso_of {
    (clock_gettime) => {
        Some(&crate::layer::vdso::CLOCK_GETTIME)
    };
    (clock_getres) => {
        if cfg!(target_arch = "x86") { None } else { Some(&crate::layer::vdso::CLOCK_GETRES) }
    };
    (gettimeofday) => {
        if cfg!(target_arch = "x86") { None } else { Some(&crate::layer::vdso::GETTIMEOFDAY) }
    };
    (time) => {
        if cfg!(target_arch = "x86_64") { Some(&crate::layer::vdso::TIME) } else { None }
    };
    (getcpu) => {
        if cfg!(target_arch = "aarch64") { None } else { Some(&crate::layer::vdso::GETCPU) }
    };
    ($other:ident) => {
        None
    };
}
pub(crate) use vdso_of;
