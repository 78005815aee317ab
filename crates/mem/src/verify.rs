//! Every function here against a plain byte-at-a-time reference: every size
//! `0..=MAX_SIZE`, every alignment pair mod 16 (`strlen`: every start mod
//! 64), `memmove` overlapping both ways, no byte written outside the
//! destination, and, given memory between unmapped pages, no byte read
//! outside the source. Written once for the host unit test and the static
//! test program `mem_functions`, which runs it on every target (feature
//! `verify`). Allocates nothing and makes no system call.

use crate::{bcmp, memcmp, memcpy, memmove, memset, strlen};
use core::ffi::{c_int, c_void};

/// The largest size checked.
pub const MAX_SIZE: usize = 1100;

/// Alignments checked for each of destination and source.
const ALIGNS: usize = 16;

/// Bytes checked untouched on either side of a destination.
const GUARD: usize = 32;

/// Room for a range of `MAX_SIZE` at any alignment or shift, with guards.
const LEN: usize = MAX_SIZE + 4 * GUARD + 2 * 64;

/// A case a function got wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// The function.
    pub function: &'static str,
    /// Bytes asked for (`strlen`: the length).
    pub size: usize,
    /// Destination (or first operand) offset from a 64-byte boundary.
    pub dst: usize,
    /// Source (or second operand) offset, or the shift of an overlapping
    /// `memmove` (as `isize` bits).
    pub src: usize,
}

/// A buffer aligned to 64, so offsets into it are alignments.
#[repr(C, align(64))]
struct Buf([u8; LEN]);

impl Buf {
    fn new(seed: usize) -> Self {
        let mut b = Buf([0; LEN]);
        for i in 0..LEN {
            b[i] = pattern(seed, i);
        }
        b
    }
}

// Indexing without a bounds check: a panic here would name core's panic
// functions, which a `no_builtins` crate cannot link to under LTO (it stays
// out of it, and LTO internalises them). Every index is in range by
// construction (see LEN).
impl core::ops::Index<usize> for Buf {
    type Output = u8;
    #[inline(always)]
    fn index(&self, i: usize) -> &u8 {
        debug_assert!(i < LEN);
        // SAFETY: the callers' indices stay below LEN.
        unsafe { self.0.get_unchecked(i) }
    }
}

impl core::ops::IndexMut<usize> for Buf {
    #[inline(always)]
    fn index_mut(&mut self, i: usize) -> &mut u8 {
        debug_assert!(i < LEN);
        // SAFETY: as for Index.
        unsafe { self.0.get_unchecked_mut(i) }
    }
}

/// The byte at `i` of a buffer filled with `seed`: every value, the high
/// bit often set, never zero (so `strlen` finds only the NULs it is given).
fn pattern(seed: usize, i: usize) -> u8 {
    let v = (i.wrapping_mul(131).wrapping_add(seed.wrapping_mul(29)) % 255) as u8;
    v + 1
}

/// Whether `n` bytes at `p` and `q` are equal, a word at a time: the
/// reference (plain loads; `no_builtins` keeps it from becoming `bcmp`).
///
/// # Safety
/// Both valid for `n` bytes.
unsafe fn same(p: *const u8, q: *const u8, n: usize) -> bool {
    const W: usize = core::mem::size_of::<usize>();
    // SAFETY: every read lies within the n bytes.
    unsafe {
        (0..n / W)
            .all(|i| p.add(i * W).cast::<usize>().read_unaligned() == q.add(i * W).cast::<usize>().read_unaligned())
            && (n / W * W..n).all(|i| p.add(i).read() == q.add(i).read())
    }
}

/// Copies `n` bytes a word at a time: the reference's restore.
///
/// # Safety
/// Both valid for `n` bytes, not overlapping.
unsafe fn put(d: *mut u8, s: *const u8, n: usize) {
    const W: usize = core::mem::size_of::<usize>();
    // SAFETY: every access lies within the n bytes.
    unsafe {
        for i in 0..n / W {
            d.add(i * W).cast::<usize>().write_unaligned(s.add(i * W).cast::<usize>().read_unaligned());
        }
        for i in n / W * W..n {
            d.add(i).write(s.add(i).read());
        }
    }
}

/// Calls `fail` for each wrong case; the number of cases run.
pub fn all(fail: &mut dyn FnMut(Failure)) -> u64 {
    copies(fail) + overlapping_moves(fail) + fills(fail) + compares(fail) + lengths(fail)
}

/// [`all`] with the paths this CPU chooses, and on x86 again with the SSE2
/// ones (which a CPU with AVX2 would otherwise not take).
pub fn all_paths(fail: &mut dyn FnMut(Failure)) -> u64 {
    #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
    {
        crate::x86::use_avx2_if_present(true);
        let cases = all(fail);
        crate::x86::use_avx2_if_present(false);
        let more = all(fail);
        crate::x86::use_avx2_if_present(true);
        return cases + more;
    }
    #[allow(unreachable_code)]
    all(fail)
}

/// `memcpy` and `memmove` between separate buffers.
pub fn copies(fail: &mut dyn FnMut(Failure)) -> u64 {
    let src = Buf::new(1);
    let (mut dst, clean) = (Buf::new(2), Buf::new(2));
    let mut cases = 0;
    type Copy = unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> *mut c_void;
    for (function, f) in [("memcpy", memcpy as Copy), ("memmove", memmove as Copy)] {
        for n in 0..=MAX_SIZE {
            for da in 0..ALIGNS {
                for sa in 0..ALIGNS {
                    let (d, s) = (GUARD + da, GUARD + sa);
                    // SAFETY: both ranges lie within the buffers.
                    let ret = unsafe { f(dst.0.as_mut_ptr().add(d).cast(), src.0.as_ptr().add(s).cast(), n) };
                    let (o, c) = (dst.0.as_mut_ptr(), clean.0.as_ptr());
                    // SAFETY: every range lies within the buffers.
                    let ok = unsafe {
                        let ok = ret == o.add(d).cast()
                            && same(o.add(d - GUARD), c.add(d - GUARD), GUARD)
                            && same(o.add(d), src.0.as_ptr().add(s), n)
                            && same(o.add(d + n), c.add(d + n), GUARD);
                        put(o.add(d - GUARD), c.add(d - GUARD), n + 2 * GUARD);
                        ok
                    };
                    cases += 1;
                    if !ok {
                        fail(Failure { function, size: n, dst: da, src: sa });
                    }
                }
            }
        }
    }
    cases
}

/// `memmove` within one buffer, the destination shifted by -16..=16 from
/// a source at every alignment, and by larger shifts from two.
pub fn overlapping_moves(fail: &mut dyn FnMut(Failure)) -> u64 {
    let (mut buf, clean) = (Buf::new(3), Buf::new(3));
    let mut cases = 0;
    let far = |n: usize| [24, 31, 32, 33, 63, 64, 65, 127, 128, 129, n / 3, n / 2, n.saturating_sub(1)];
    for n in 0..=MAX_SIZE {
        for sa in 0..ALIGNS {
            let mut one = |shift: isize| {
                let s = GUARD + 64 + sa;
                let d = s.wrapping_add_signed(shift);
                // SAFETY: |shift| <= 64 + GUARD keeps both ranges inside.
                let ret = unsafe { memmove(buf.0.as_mut_ptr().add(d).cast(), buf.0.as_ptr().add(s).cast(), n) };
                let (lo, hi) = (s.min(d) - GUARD, s.max(d) + n + GUARD);
                let (o, c) = (buf.0.as_mut_ptr(), clean.0.as_ptr());
                // SAFETY: every range lies within the buffers.
                let ok = unsafe {
                    let ok = ret == o.add(d).cast()
                        && same(o.add(lo), c.add(lo), d - lo)
                        && same(o.add(d), c.add(s), n)
                        && same(o.add(d + n), c.add(d + n), hi - d - n);
                    put(o.add(lo), c.add(lo), hi - lo);
                    ok
                };
                cases += 1;
                if !ok {
                    fail(Failure { function: "memmove", size: n, dst: d % 64, src: shift as usize });
                }
            };
            for shift in 1..=16 {
                one(shift);
                one(-shift);
            }
            if sa == 0 || sa == 7 {
                for shift in far(n) {
                    if shift > 0 && shift <= 64 {
                        one(shift as isize);
                        one(-(shift as isize));
                    }
                }
            }
        }
    }
    cases
}

/// `memset` at every alignment mod 64, with fill values whose high bits
/// must be ignored.
pub fn fills(fail: &mut dyn FnMut(Failure)) -> u64 {
    let (mut buf, clean) = (Buf::new(4), Buf::new(4));
    let mut cases = 0;
    for n in 0..=MAX_SIZE {
        for da in 0..64 {
            let d = GUARD + da;
            let c = [0x1ab, -1, 0, 0x7f][da % 4] ^ (n as c_int & 0x30);
            // SAFETY: the range lies within the buffer.
            let ret = unsafe { memset(buf.0.as_mut_ptr().add(d).cast(), c, n) };
            let (o, k) = (buf.0.as_mut_ptr(), clean.0.as_ptr());
            // SAFETY: every range lies within the buffers.
            let ok = unsafe {
                let ok = ret == o.add(d).cast()
                    && same(o.add(d - GUARD), k.add(d - GUARD), GUARD)
                    && (0..n).all(|i| o.add(d + i).read() == c as u8)
                    && same(o.add(d + n), k.add(d + n), GUARD);
                put(o.add(d - GUARD), k.add(d - GUARD), n + 2 * GUARD);
                ok
            };
            cases += 1;
            if !ok {
                fail(Failure { function: "memset", size: n, dst: da, src: 0 });
            }
        }
    }
    cases
}

/// `memcmp` and `bcmp`: equal ranges (with a difference just past them),
/// then one differing byte first, last and between, each way round, and
/// with a second difference after it the other way round.
pub fn compares(fail: &mut dyn FnMut(Failure)) -> u64 {
    let mut cases = 0;
    let (mut a, mut b) = (Buf::new(5), Buf::new(6));
    for da in 0..ALIGNS {
        for sa in 0..ALIGNS {
            // The same bytes at both offsets.
            for k in 0..LEN - 64 {
                (a[da + k], b[sa + k]) = (pattern(7, k), pattern(7, k));
            }
            for n in 0..=MAX_SIZE {
                let (pa, pb) = (a.0.as_ptr().wrapping_add(da), b.0.as_ptr().wrapping_add(sa));
                b[sa + n] ^= 0xff;
                // SAFETY: both ranges lie within the buffers.
                let mut ok = unsafe { memcmp(pa.cast(), pb.cast(), n) == 0 && bcmp(pa.cast(), pb.cast(), n) == 0 };
                b[sa + n] ^= 0xff;
                if n > 0 {
                    for at in [0, n - 1, (n * 7 + da * 3 + sa) % n] {
                        // A low byte against one with the high bit set:
                        // the order must be unsigned.
                        let keep = (a[da + at], b[sa + at]);
                        (a[da + at], b[sa + at]) = (0x80 | keep.0, keep.0 & 0x7f);
                        // SAFETY: as above.
                        unsafe {
                            ok &= memcmp(pa.cast(), pb.cast(), n) > 0;
                            ok &= memcmp(pb.cast(), pa.cast(), n) < 0;
                            ok &= bcmp(pa.cast(), pb.cast(), n) != 0;
                        }
                        // A later difference the other way round does not
                        // change the order: the first one decides.
                        for later in [at + 1, n - 1, at + 1 + (n * 5 + da).checked_rem(n - at).unwrap_or(0)] {
                            if later >= n || later <= at {
                                continue;
                            }
                            let kept = (a[da + later], b[sa + later]);
                            (a[da + later], b[sa + later]) = (kept.0 & 0x7f, 0x80 | kept.0);
                            // SAFETY: as above.
                            unsafe {
                                ok &= memcmp(pa.cast(), pb.cast(), n) > 0;
                                ok &= memcmp(pb.cast(), pa.cast(), n) < 0;
                            }
                            (a[da + later], b[sa + later]) = kept;
                        }
                        (a[da + at], b[sa + at]) = keep;
                    }
                }
                cases += 1;
                if !ok {
                    fail(Failure { function: "memcmp", size: n, dst: da, src: sa });
                }
            }
        }
    }
    cases
}

/// `strlen` from every start mod 64, every length.
pub fn lengths(fail: &mut dyn FnMut(Failure)) -> u64 {
    let mut buf = Buf::new(8);
    let mut cases = 0;
    for start in 0..64 {
        for n in 0..=MAX_SIZE {
            buf[start + n] = 0;
            // SAFETY: NUL-terminated within the buffer.
            let got = unsafe { strlen(buf.0.as_ptr().add(start).cast()) };
            buf[start + n] = pattern(8, start + n);
            cases += 1;
            if got != n {
                fail(Failure { function: "strlen", size: n, dst: start, src: got });
            }
        }
    }
    cases
}

/// Every function on ranges that start or end at the edges of `area`,
/// with unmapped memory on both sides: a read or write beyond the range
/// faults. Sizes `0..=MAX_SIZE` (up to `len`).
///
/// # Safety
/// `area .. area + len` readable and writable; the caller has made the
/// bytes just before and after it unmapped (or else expects no faults).
pub unsafe fn edges(area: *mut u8, len: usize, fail: &mut dyn FnMut(Failure)) -> u64 {
    let mut local = Buf::new(9);
    let l = local.0.as_mut_ptr();
    let mut cases = 0;
    let mut check = |function, n: usize, ok: bool| {
        cases += 1;
        if !ok {
            fail(Failure { function, size: n, dst: 0, src: 0 });
        }
    };
    let same = |p: *const u8, q: *const u8, n: usize| {
        (0..n).all(|i| {
            // SAFETY: both hold n bytes.
            unsafe { p.add(i).read() == q.add(i).read() }
        })
    };
    // SAFETY: every range below lies within area .. area + len or local.
    unsafe {
        for i in 0..len {
            area.add(i).write(pattern(10, i));
        }
        for n in 0..=MAX_SIZE.min(len - 1) {
            let (start, end) = (area, area.add(len - n));
            for at in [start, end] {
                memcpy(l.cast(), at.cast(), n);
                check("memcpy from an edge", n, same(l, at, n));
                check("memcmp at an edge", n, memcmp(l.cast(), at.cast(), n) == 0 && bcmp(at.cast(), l.cast(), n) == 0);
                memcpy(at.cast(), l.cast(), n);
                check("memcpy to an edge", n, same(l, at, n));
                memset(at.cast(), 0x5a, n);
                check("memset at an edge", n, (0..n).all(|i| at.add(i).read() == 0x5a));
            }
            // Overlapping moves toward each edge, one byte apart.
            for i in 0..=n {
                area.add(i).write(pattern(11, i));
                area.add(len - 1 - i).write(pattern(12, i));
            }
            memmove(start.cast(), start.add(1).cast(), n);
            check("memmove down to the start", n, (0..n).all(|i| start.add(i).read() == pattern(11, i + 1)));
            let top = area.add(len - 1 - n);
            memmove(top.add(1).cast(), top.cast(), n);
            check("memmove up to the end", n, (0..n).all(|i| area.add(len - 1 - i).read() == pattern(12, i + 1)));
            // A string ending at the last byte.
            for i in 0..n {
                end.add(i).write(pattern(13, i));
            }
            area.add(len - 1).write(0);
            let s = area.add(len - 1 - n);
            if n > 0 {
                s.write(1);
            }
            check("strlen up to the end", n, strlen(s.cast()) == n);
        }
    }
    cases
}
