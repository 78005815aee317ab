//! The x86 paths (x86_64 and i686): which vector width to use, and the
//! kernels, written once over a [`Vector`] and instantiated for SSE2 (16
//! bytes, always there) and AVX2 (32 bytes, when the CPU or the build has
//! it).
//!
//! Choosing by CPU: `AT_HWCAP` on x86 carries only CPUID leaf 1's EDX, which
//! says nothing of AVX, so the choice needs CPUID itself, and on a VM every
//! CPUID traps to the hypervisor (about 1 us each on the 2-vCPU EPYC VM of
//! `bench/`; two are needed). So no program pays for it at start-up: calls
//! take SSE2 until large calls have done about as much work as the question
//! costs ([`ASK_AFTER`]), then the CPU is asked once. A build with `-Ctarget-cpu` (or
//! `-Ctarget-feature=+avx2,+bmi1`) that has AVX2 and BMI1 never asks. The
//! AVX2 bodies use BMI1's `tzcnt` too: every CPU with AVX2 has it, and the
//! question asks for both.

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;
use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering::Relaxed};

/// Not asked yet.
const UNKNOWN: u8 = 0;
/// SSE2 only.
const BASE: u8 = 1;
/// AVX2 usable (the CPU has it and the kernel saves the YMM registers),
/// and BMI1 (`tzcnt`, which every AVX2 CPU has).
pub(crate) const AVX2: u8 = 2;

sys_layer_arch::declare_hot_section!();

/// What the CPU was found to have; a race only repeats the question.
#[unsafe(link_section = sys_layer_arch::hot_section!())]
pub(crate) static LEVEL: AtomicU8 = AtomicU8::new(UNKNOWN);

/// The byte x86_64's naked entries compare with [`AVX2`]: [`LEVEL`], or
/// in a build for AVX2 (the choice made at compile time) a byte that is
/// always `AVX2`, so that the test hook's `LEVEL` cannot send an entry to
/// compiled code that would send it back.
#[cfg(all(target_arch = "x86_64", not(all(target_feature = "avx2", target_feature = "bmi1"))))]
pub(crate) use LEVEL as ENTRY_LEVEL;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", target_feature = "bmi1"))]
pub(crate) static ENTRY_LEVEL: u8 = AVX2;

/// Asks the CPU (leaf 1: AVX and OSXSAVE; leaf 7: AVX2 and BMI1; XCR0:
/// the kernel saves the SSE and AVX state) and remembers the answer.
fn detect() -> bool {
    const OSXSAVE_AVX: u32 = 1 << 27 | 1 << 28;
    const AVX2_BMI1: u32 = 1 << 5 | 1 << 3;
    // AVX implies a CPU (Sandy Bridge, Bulldozer or later) with leaf 7.
    let avx2 = __cpuid(1).ecx & OSXSAVE_AVX == OSXSAVE_AVX
        && __cpuid_count(7, 0).ebx & AVX2_BMI1 == AVX2_BMI1
        // SAFETY: OSXSAVE says XGETBV is enabled.
        && unsafe { xcr0() } & 6 == 6;
    LEVEL.store(if avx2 { AVX2 } else { BASE }, Relaxed);
    avx2
}

/// # Safety
/// Only when CPUID says OSXSAVE.
#[target_feature(enable = "xsave")]
unsafe fn xcr0() -> u64 {
    // SAFETY: the caller checked OSXSAVE.
    unsafe { _xgetbv(0) }
}

#[cfg(any(test, feature = "verify"))]
/// Test hook: `true` asks the CPU now (AVX2 if it has it), `false` makes
/// every function take the SSE2 paths, so both are checked on a CPU with
/// AVX2.
pub(crate) fn use_avx2_if_present(on: bool) {
    if on {
        detect();
    } else {
        LEVEL.store(BASE, Relaxed);
    }
}

/// One vector register's worth of operations, each a single instruction;
/// the kernels below are written once over it.
trait Vector: Copy {
    /// Bytes in the register.
    const SIZE: usize;
    /// The mask of a register whose bytes all compared equal.
    const ALL: u32;
    unsafe fn load(p: *const u8) -> Self;
    unsafe fn store(self, p: *mut u8);
    unsafe fn splat(byte: u8) -> Self;
    /// Bytewise equality, all-ones where equal.
    unsafe fn eq(self, other: Self) -> Self;
    unsafe fn and(self, other: Self) -> Self;
    /// One bit per byte: its top bit.
    unsafe fn mask(self) -> u32;
}

impl Vector for __m128i {
    const SIZE: usize = 16;
    const ALL: u32 = 0xffff;
    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller vouches for 16 readable bytes.
        unsafe { _mm_loadu_si128(p.cast()) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: the caller vouches for 16 writable bytes.
        unsafe { _mm_storeu_si128(p.cast(), self) }
    }
    #[inline(always)]
    unsafe fn splat(byte: u8) -> Self {
        // SAFETY: SSE2 is part of the target.
        unsafe { _mm_set1_epi8(byte as i8) }
    }
    #[inline(always)]
    unsafe fn eq(self, other: Self) -> Self {
        // SAFETY: SSE2 is part of the target.
        unsafe { _mm_cmpeq_epi8(self, other) }
    }
    #[inline(always)]
    unsafe fn and(self, other: Self) -> Self {
        // SAFETY: SSE2 is part of the target.
        unsafe { _mm_and_si128(self, other) }
    }
    #[inline(always)]
    unsafe fn mask(self) -> u32 {
        // SAFETY: SSE2 is part of the target.
        unsafe { _mm_movemask_epi8(self) as u32 }
    }
}

impl Vector for __m256i {
    const SIZE: usize = 32;
    const ALL: u32 = u32::MAX;
    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller vouches for 32 readable bytes and AVX.
        unsafe { _mm256_loadu_si256(p.cast()) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: the caller vouches for 32 writable bytes and AVX.
        unsafe { _mm256_storeu_si256(p.cast(), self) }
    }
    #[inline(always)]
    unsafe fn splat(byte: u8) -> Self {
        // SAFETY: the caller vouches for AVX.
        unsafe { _mm256_set1_epi8(byte as i8) }
    }
    #[inline(always)]
    unsafe fn eq(self, other: Self) -> Self {
        // SAFETY: the caller vouches for AVX2.
        unsafe { _mm256_cmpeq_epi8(self, other) }
    }
    #[inline(always)]
    unsafe fn and(self, other: Self) -> Self {
        // SAFETY: the caller vouches for AVX2.
        unsafe { _mm256_and_si256(self, other) }
    }
    #[inline(always)]
    unsafe fn mask(self) -> u32 {
        // SAFETY: the caller vouches for AVX2.
        unsafe { _mm256_movemask_epi8(self) as u32 }
    }
}

/// Copies `n` bytes, `V::SIZE < n <= 8 * V::SIZE`, loading all before
/// storing any, so overlapping ranges are copied correctly either way.
///
/// # Safety
/// `d` and `s` valid for `n` bytes.
#[inline(always)]
unsafe fn copy_by_loads<V: Vector>(d: *mut u8, s: *const u8, n: usize) {
    let w = V::SIZE;
    // SAFETY: with w < n <= 8w every access below is within the ranges.
    unsafe {
        if n <= 2 * w {
            let (a, b) = (V::load(s), V::load(s.add(n - w)));
            a.store(d);
            b.store(d.add(n - w));
        } else if n <= 4 * w {
            let (a, b) = (V::load(s), V::load(s.add(w)));
            let (c, e) = (V::load(s.add(n - 2 * w)), V::load(s.add(n - w)));
            a.store(d);
            b.store(d.add(w));
            c.store(d.add(n - 2 * w));
            e.store(d.add(n - w));
        } else {
            let (a, b, c, e) = (V::load(s), V::load(s.add(w)), V::load(s.add(2 * w)), V::load(s.add(3 * w)));
            let t = s.add(n - 4 * w);
            let (f, g, h, k) = (V::load(t), V::load(t.add(w)), V::load(t.add(2 * w)), V::load(t.add(3 * w)));
            a.store(d);
            b.store(d.add(w));
            c.store(d.add(2 * w));
            e.store(d.add(3 * w));
            let t = d.add(n - 4 * w);
            f.store(t);
            g.store(t.add(w));
            h.store(t.add(2 * w));
            k.store(t.add(3 * w));
        }
    }
}

/// Copies `n > 4 * V::SIZE` bytes front to back, four vectors at a time to
/// aligned destinations; correct for overlap when `d < s`. The first
/// vector and the last four are loaded before anything is stored.
///
/// # Safety
/// `d` and `s` valid for `n` bytes; `d` not inside `s + 1 .. s + n`.
#[inline(always)]
unsafe fn copy_forward_loop<V: Vector>(d: *mut u8, s: *const u8, n: usize) {
    let w = V::SIZE;
    // SAFETY: every access is within the ranges (see the doc comment for
    // why overlap with d < s is safe: stores trail the loads).
    unsafe {
        let first = V::load(s);
        let t = s.add(n - 4 * w);
        let (f, g, h, k) = (V::load(t), V::load(t.add(w)), V::load(t.add(2 * w)), V::load(t.add(3 * w)));
        let skew = w - (d as usize & (w - 1));
        let (mut dd, mut ss) = (d.add(skew), s.add(skew));
        let end = d.add(n - 4 * w);
        while dd < end {
            let (a, b, c, e) = (V::load(ss), V::load(ss.add(w)), V::load(ss.add(2 * w)), V::load(ss.add(3 * w)));
            a.store(dd);
            b.store(dd.add(w));
            c.store(dd.add(2 * w));
            e.store(dd.add(3 * w));
            dd = dd.add(4 * w);
            ss = ss.add(4 * w);
        }
        f.store(end);
        g.store(end.add(w));
        h.store(end.add(2 * w));
        k.store(end.add(3 * w));
        first.store(d);
    }
}

/// Copies `n > 4 * V::SIZE` bytes back to front: `memmove` when `d` lies
/// inside `s + 1 .. s + n`, and copies whose forward loads would wait on
/// their own stores ([`backward_is_better`]). Mirrors [`copy_forward_loop`].
///
/// # Safety
/// `d` and `s` valid for `n` bytes; `d` not inside `s - n + 1 .. s` (where
/// only a forward copy keeps the overlap intact).
#[inline(always)]
unsafe fn copy_backward_loop<V: Vector>(d: *mut u8, s: *const u8, n: usize) {
    let w = V::SIZE;
    // SAFETY: every access is within the ranges; with d > s each block is
    // read before the stores (at higher addresses) reach it.
    unsafe {
        let last = V::load(s.add(n - w));
        let (a, b, c, e) = (V::load(s), V::load(s.add(w)), V::load(s.add(2 * w)), V::load(s.add(3 * w)));
        let skew = (d as usize + n) & (w - 1);
        let (mut dd, mut ss) = (d.add(n - skew), s.add(n - skew));
        let start = d.add(4 * w);
        while dd > start {
            dd = dd.sub(4 * w);
            ss = ss.sub(4 * w);
            let (f, g, h, k) = (V::load(ss), V::load(ss.add(w)), V::load(ss.add(2 * w)), V::load(ss.add(3 * w)));
            f.store(dd);
            g.store(dd.add(w));
            h.store(dd.add(2 * w));
            k.store(dd.add(3 * w));
        }
        a.store(d);
        b.store(d.add(w));
        c.store(d.add(2 * w));
        e.store(d.add(3 * w));
        last.store(d.add(n - w));
    }
}

/// Whether a loop copy of `n` bytes from `s` to `d` goes back to front:
/// when it must (`d` inside `s + 1 .. s + n`), and when it may (the ranges
/// do not overlap) and `d` lies just above `s` modulo 4 KiB. Then a
/// forward copy's loads share their address bits 0-11 with the stores
/// just made, and the CPU holds each load until it has ruled those stores
/// out ("4K aliasing"); back to front, the loads run below the stores.
#[inline(always)]
fn backward_is_better<V: Vector>(d: *mut u8, s: *const u8, n: usize) -> bool {
    let ahead = (d as usize).wrapping_sub(s as usize);
    let behind = (s as usize).wrapping_sub(d as usize);
    // Distance 1 ..= 8 vectors above, modulo a page (0 is harmless).
    let aliasing = ahead.wrapping_sub(1) & 4095 < 8 * V::SIZE;
    ahead < n || (aliasing && behind >= n)
}

/// `memmove` of `n > V::SIZE` bytes (`memcpy` too: one copy of the code
/// for both, at the cost of the overlap test).
///
/// # Safety
/// `d` and `s` valid for `n` bytes.
#[inline(always)]
unsafe fn copy<V: Vector>(d: *mut u8, s: *const u8, n: usize) {
    // SAFETY: the caller's contract; the loop is chosen for the overlap.
    unsafe {
        if n <= 8 * V::SIZE {
            copy_by_loads::<V>(d, s, n)
        } else if backward_is_better::<V>(d, s, n) {
            copy_backward_loop::<V>(d, s, n)
        } else {
            copy_forward_loop::<V>(d, s, n)
        }
    }
}

/// Fills `n > V::SIZE` bytes with `v`: up to eight vectors from both ends,
/// then four a step to aligned addresses.
///
/// # Safety
/// `d` valid for `n` bytes.
#[inline(always)]
unsafe fn fill<V: Vector>(d: *mut u8, v: V, n: usize) {
    let w = V::SIZE;
    // SAFETY: every store lies within d .. d + n.
    unsafe {
        v.store(d);
        v.store(d.add(n - w));
        if n <= 2 * w {
            return;
        }
        v.store(d.add(w));
        v.store(d.add(n - 2 * w));
        if n <= 4 * w {
            return;
        }
        let end = d.add(n - 4 * w);
        v.store(end);
        v.store(end.add(w));
        if n <= 8 * w {
            v.store(d.add(2 * w));
            v.store(d.add(3 * w));
            return;
        }
        // dd <= d + w < end: the loop runs at least once, and is written
        // so (a test at the bottom only).
        let mut dd = d.add(w - (d as usize & (w - 1)));
        loop {
            v.store(dd);
            v.store(dd.add(w));
            v.store(dd.add(2 * w));
            v.store(dd.add(3 * w));
            dd = dd.add(4 * w);
            if dd >= end {
                break;
            }
        }
    }
}

/// The ordering of the first difference in the vector at `a + at`, `b + at`
/// whose equality mask is `same`.
///
/// # Safety
/// Bytes `at + trailing ones of same` readable in both.
#[inline(always)]
unsafe fn difference(a: *const u8, b: *const u8, at: usize, same: u32) -> c_int {
    let k = at + (!same).trailing_zeros() as usize;
    // SAFETY: k is inside the vector just compared.
    unsafe { a.add(k).read() as c_int - b.add(k).read() as c_int }
}

/// `memcmp` of `n >= V::SIZE` bytes: up to two vectors, the first and the
/// last; above, four vectors a step, then one, then the last (overlapping
/// bytes already found equal).
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[inline(always)]
unsafe fn compare<V: Vector>(a: *const u8, b: *const u8, n: usize) -> c_int {
    let w = V::SIZE;
    // SAFETY: every load lies within the ranges.
    unsafe {
        if n <= 2 * w {
            let same = V::load(a).eq(V::load(b)).mask();
            if same != V::ALL {
                return difference(a, b, 0, same);
            }
            let same = V::load(a.add(n - w)).eq(V::load(b.add(n - w))).mask();
            return if same != V::ALL { difference(a, b, n - w, same) } else { 0 };
        }
        let mut i = 0;
        while n - i >= 4 * w {
            let e0 = V::load(a.add(i)).eq(V::load(b.add(i)));
            let e1 = V::load(a.add(i + w)).eq(V::load(b.add(i + w)));
            let e2 = V::load(a.add(i + 2 * w)).eq(V::load(b.add(i + 2 * w)));
            let e3 = V::load(a.add(i + 3 * w)).eq(V::load(b.add(i + 3 * w)));
            if e0.and(e1).and(e2.and(e3)).mask() != V::ALL {
                // One vector after the other (not an array, which would
                // give the function a stack frame).
                let (m0, m1, m2) = (e0.mask(), e1.mask(), e2.mask());
                return if m0 != V::ALL {
                    difference(a, b, i, m0)
                } else if m1 != V::ALL {
                    difference(a, b, i + w, m1)
                } else if m2 != V::ALL {
                    difference(a, b, i + 2 * w, m2)
                } else {
                    difference(a, b, i + 3 * w, e3.mask())
                };
            }
            i += 4 * w;
        }
        if i == n {
            return 0;
        }
        while n - i > w {
            let same = V::load(a.add(i)).eq(V::load(b.add(i))).mask();
            if same != V::ALL {
                return difference(a, b, i, same);
            }
            i += w;
        }
        let at = n - w;
        let same = V::load(a.add(at)).eq(V::load(b.add(at))).mask();
        if same != V::ALL { difference(a, b, at, same) } else { 0 }
    }
}

/// Calls of this many bytes or more count toward asking the CPU (smaller
/// ones take SSE2 until it is asked): AVX2 gains from two 32-byte vectors
/// on.
const ASK_FROM: usize = 64;

/// The CPU is asked once calls of `ASK_FROM` bytes or more have handled
/// this many bytes with SSE2: about a microsecond of work, as long as the
/// question takes. A program that does less never pays for it (start-up
/// itself copies and clears a few hundred bytes), one that does more pays
/// it once.
const ASK_AFTER: usize = 16 * 1024;

/// Bytes handled by large calls before the CPU was asked; races only
/// lose counts.
#[unsafe(link_section = sys_layer_arch::hot_section!())]
static UNASKED_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Counts a large call's `n` bytes, asking the CPU once they are enough;
/// whether AVX2 is usable now.
#[cold]
#[inline(never)]
fn count_toward_asking(n: usize) -> bool {
    let total = UNASKED_BYTES.load(Relaxed).saturating_add(n);
    UNASKED_BYTES.store(total, Relaxed);
    total >= ASK_AFTER && detect()
}

/// Built for a CPU with AVX2 and BMI1 (`-Ctarget-cpu=x86-64-v3` or
/// later): the choice is made at compile time.
const BUILT_WITH_AVX2: bool = cfg!(all(target_feature = "avx2", target_feature = "bmi1"));

/// The path a call of `n` bytes takes: `Some(true)` AVX2, `Some(false)`
/// SSE2, `None` count it toward asking the CPU ([`count_toward_asking`]).
#[inline(always)]
fn avx2_for(n: usize) -> Option<bool> {
    if BUILT_WITH_AVX2 {
        return Some(true);
    }
    match LEVEL.load(Relaxed) {
        AVX2 => Some(true),
        UNKNOWN if n >= ASK_FROM => None,
        _ => Some(false),
    }
}

/// `d`, in a way the optimiser cannot see through: knowing that the bodies
/// return their argument, it would keep `d` in a saved register across the
/// call instead of returning what they return, so the exported functions
/// would need a stack frame and could not tail-call.
#[inline(always)]
fn opaque(d: *mut u8) -> *mut c_void {
    sys_layer_arch::opaque_pointer(d).cast()
}

/// Defines the four functions of one operation above 32 or 64 bytes: the
/// dispatching entry (inlined into the exported function, which tail-calls
/// one of the others), and the AVX2 and SSE2 bodies out of line (so the
/// exported functions need no stack frame, and `memcpy` and `memmove` share
/// them). `$asking` is the cold path of the first large call.
macro_rules! dispatch {
    ($(#[$doc:meta])* $entry:ident, $avx2:ident, $sse2:ident, $asking:ident,
     ($($arg:ident: $ty:ty),*) -> $ret:ty, $n:ident, avx2: $avx2_body:expr, sse2: $sse2_body:expr) => {
        $(#[$doc])*
        #[inline(always)]
        pub unsafe fn $entry($($arg: $ty),*) -> $ret {
            // SAFETY: the caller's contract; AVX2 only when usable.
            unsafe {
                match avx2_for($n) {
                    Some(true) => $avx2($($arg),*),
                    Some(false) => $sse2($($arg),*),
                    None => $asking($($arg),*),
                }
            }
        }

        /// # Safety
        /// As the entry's, and AVX2 and BMI1 usable.
        #[target_feature(enable = "avx2,bmi1")]
        unsafe fn $avx2($($arg: $ty),*) -> $ret {
            // SAFETY: the caller's contract.
            unsafe { $avx2_body }
        }

        /// # Safety
        /// As the entry's.
        #[inline(never)]
        unsafe fn $sse2($($arg: $ty),*) -> $ret {
            // SAFETY: the caller's contract.
            unsafe { $sse2_body }
        }

        /// # Safety
        /// As the entry's.
        #[cold]
        #[inline(never)]
        unsafe fn $asking($($arg: $ty),*) -> $ret {
            // SAFETY: the caller's contract; AVX2 only when usable.
            unsafe { if count_toward_asking($n) { $avx2($($arg),*) } else { $sse2($($arg),*) } }
        }
    };
}

dispatch! {
    /// `memcpy` and `memmove` of more than 64 bytes; returns `d`.
    ///
    /// # Safety
    /// `d` and `s` valid for `n` bytes.
    copy_above_64, copy_avx2, copy_sse2, copy_asking, (d: *mut u8, s: *const u8, n: usize) -> *mut c_void, n,
    avx2: { copy::<__m256i>(d, s, n); opaque(d) },
    sse2: {
        // Above 64 bytes: the loops (which need only 4 vectors' worth).
        if backward_is_better::<__m128i>(d, s, n) {
            copy_backward_loop::<__m128i>(d, s, n)
        } else {
            copy_forward_loop::<__m128i>(d, s, n)
        }
        opaque(d)
    }
}

dispatch! {
    /// `memset` of more than 64 bytes; returns `d`.
    ///
    /// # Safety
    /// `d` valid for `n` bytes.
    fill_above_64, fill_avx2, fill_sse2, fill_asking, (d: *mut u8, byte: u8, n: usize) -> *mut c_void, n,
    avx2: { fill::<__m256i>(d, __m256i::splat(byte), n); opaque(d) },
    sse2: { fill::<__m128i>(d, __m128i::splat(byte), n); opaque(d) }
}

#[cfg(target_arch = "x86")]
dispatch! {
    /// `memcmp` of more than 32 bytes.
    ///
    /// # Safety
    /// `a` and `b` valid for `n` bytes.
    compare_above_32, compare_avx2, compare_sse2, compare_asking, (a: *const u8, b: *const u8, n: usize) -> c_int, n,
    avx2: compare::<__m256i>(a, b, n),
    sse2: compare::<__m128i>(a, b, n)
}

/// `memcmp` of more than 32 bytes. On x86_64 the AVX2 body is
/// `sys_layer_arch::memcmp_avx2`, laid out by hand (see there why), called
/// straight from the exported function.
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub unsafe fn compare_above_32(a: *const u8, b: *const u8, n: usize) -> c_int {
    // SAFETY: the caller's contract; AVX2 (and BMI1) only when usable.
    unsafe {
        match avx2_for(n) {
            Some(true) => sys_layer_arch::memcmp_avx2(a, b, n),
            Some(false) => compare_sse2(a, b, n),
            None => compare_asking(a, b, n),
        }
    }
}

/// # Safety
/// As [`compare_above_32`]'s.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
unsafe fn compare_sse2(a: *const u8, b: *const u8, n: usize) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { compare::<__m128i>(a, b, n) }
}

/// The first large compares, before the CPU is asked.
///
/// # Safety
/// As [`compare_above_32`]'s.
#[cfg(target_arch = "x86_64")]
#[cold]
#[inline(never)]
unsafe fn compare_asking(a: *const u8, b: *const u8, n: usize) -> c_int {
    // SAFETY: the caller's contract; AVX2 only when usable.
    unsafe { if count_toward_asking(n) { sys_layer_arch::memcmp_avx2(a, b, n) } else { compare_sse2(a, b, n) } }
}

/// Copies 17 to 64 bytes in two or four overlapping 16-byte vectors,
/// loaded before any is stored (correct for overlap), in the exported
/// functions themselves: no dispatch below two AVX2 vectors' worth.
///
/// # Safety
/// `d` and `s` valid for `n` bytes, `16 < n <= 64`.
#[cfg(target_arch = "x86")]
#[inline(always)]
pub unsafe fn copy_up_to_64(d: *mut u8, s: *const u8, n: usize) {
    // SAFETY: the caller's contract is copy_by_loads'.
    unsafe { copy_by_loads::<__m128i>(d, s, n) }
}

/// Fills 16 to 64 bytes with two or four overlapping 16-byte vectors.
///
/// # Safety
/// `d` valid for `n` bytes, `16 <= n <= 64`.
#[cfg(target_arch = "x86")]
#[inline(always)]
pub unsafe fn fill_up_to_64(d: *mut u8, byte: u8, n: usize) {
    // SAFETY: every vector lies within the range.
    unsafe {
        let v = __m128i::splat(byte);
        v.store(d);
        v.store(d.add(n - 16));
        if n > 32 {
            v.store(d.add(16));
            v.store(d.add(n - 32));
        }
    }
}

/// Compares 16 to 32 bytes: the first 16, then the last 16.
///
/// # Safety
/// `a` and `b` valid for `n` bytes, `16 <= n <= 32`.
#[inline(always)]
pub unsafe fn compare_16_to_32(a: *const u8, b: *const u8, n: usize) -> c_int {
    // SAFETY: both vectors lie within the ranges.
    unsafe {
        let same = __m128i::load(a).eq(__m128i::load(b)).mask();
        if same != 0xffff {
            return difference(a, b, 0, same);
        }
        let same = __m128i::load(a.add(n - 16)).eq(__m128i::load(b.add(n - 16))).mask();
        if same != 0xffff { difference(a, b, n - 16, same) } else { 0 }
    }
}

/// `strlen`: AVX2 when known usable. Until the CPU is asked every string
/// counts toward asking (strings are short, and a program that measures
/// many gains from one AVX2 vector where SSE2 needs two).
///
/// # Safety
/// `s` NUL-terminated.
#[inline(always)]
pub unsafe fn strlen(s: *const u8) -> usize {
    // SAFETY: the caller's contract; AVX2 only when usable.
    unsafe {
        let level = if BUILT_WITH_AVX2 { AVX2 } else { LEVEL.load(Relaxed) };
        if level == AVX2 {
            // x86_64: the exported entry, which measures with AVX2 itself
            // (reached here only when another thread has just asked).
            #[cfg(target_arch = "x86_64")]
            return crate::strlen(s.cast());
            #[cfg(target_arch = "x86")]
            return sys_layer_arch::strlen_avx2(s);
        }
        let n = sys_layer_arch::strlen_sse2(s);
        if level == UNKNOWN {
            let total = UNASKED_BYTES.load(Relaxed).wrapping_add(n + 1);
            UNASKED_BYTES.store(total, Relaxed);
            if total >= ASK_AFTER {
                detect();
            }
        }
        n
    }
}
