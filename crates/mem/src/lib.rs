//! The memory functions the compiler calls: `memcpy`, `memmove`, `memset`,
//! `memcmp`, `bcmp`, `strlen`.
//!
//! A program linked without a C library has none, and on stable Rust the
//! toolchain's `compiler_builtins` does not export its own for `*-linux-gnu`
//! targets (its `mem` feature needs `-Zbuild-std`). So sys-layer brings
//! these. `#![no_builtins]` keeps the compiler from turning the loops below
//! back into calls to themselves.
//!
//! Speed (measured side by side with glibc and musl in `bench/`): up to 16
//! bytes, two overlapping scalar loads and stores (compares: big-endian
//! words); on x86 ([`x86`]) up to 64 bytes (compares: 32) in overlapping
//! SSE2 vectors, above that AVX2 (32-byte vectors, chosen by CPU without a
//! start-up cost; up to eight loaded before any is stored, then four a step
//! to aligned destinations) or SSE2 (the same loops, 16-byte vectors). `strlen` reads whole
//! aligned blocks, past the terminator, which only assembly may do
//! (`arch/`). On x86_64 every exported function is a naked entry from
//! `arch/` laid out by hand for the small and middle sizes (`memcpy` up to
//! 256 bytes, which is a `memmove` too, `memset` up to 64, `memcmp` and
//! `strlen` with AVX2 throughout; `memmove` and `bcmp` jump to `memcpy`
//! and `memcmp`), going on to the compiled code for the rest: compiled,
//! they took a branch per equal vector or size test, 10-25% slower than
//! glibc at 16-1000 bytes, and their speed moved with where they landed
//! in the binary. aarch64 and riscv64 go a word at a time.
#![no_std]
#![no_builtins]

use core::ffi::{c_char, c_int, c_void};

#[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
mod x86;

#[cfg(any(test, feature = "verify"))]
pub mod verify;

/// The portable paths' step.
#[cfg(not(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))))]
const WORD: usize = size_of::<usize>();

/// Copies `n` bytes from `src` to `dst`; the ranges must not overlap.
///
/// # Safety
/// `dst` and `src` valid for `n` bytes, not overlapping.
#[cfg(not(target_arch = "x86_64"))]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn memcpy(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    // SAFETY: the caller's contract is copy's.
    unsafe { copy::<true>(dst.cast(), src.cast(), n) }
}

/// Copies `n` bytes from `src` to `dst`; the ranges may overlap.
///
/// # Safety
/// `dst` and `src` valid for `n` bytes.
#[cfg(not(target_arch = "x86_64"))]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn memmove(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    // SAFETY: the caller's contract is copy's.
    unsafe { copy::<false>(dst.cast(), src.cast(), n) }
}

#[cfg(target_arch = "x86_64")]
sys_layer_arch::define_memcpy_entry! {
    /// Copies `n` bytes from `src` to `dst`; the ranges must not overlap
    /// (here they may: this is `memmove` too).
    ///
    /// On x86_64 a naked function (`sys_layer_arch::define_memcpy_entry!`)
    /// that copies up to 64 bytes itself, and up to 256 once AVX2 is known
    /// usable; above, it goes on to [`memmove_above_64`].
    ///
    /// # Safety
    /// `dst` and `src` valid for `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    memcpy,
    level: x86::ENTRY_LEVEL,
    avx2: x86::AVX2,
    large: memmove_above_64
}

#[cfg(target_arch = "x86_64")]
sys_layer_arch::define_jump! {
    /// Copies `n` bytes from `src` to `dst`; the ranges may overlap.
    ///
    /// On x86_64 a jump to [`memcpy`], which is correct for overlapping
    /// ranges.
    ///
    /// # Safety
    /// `dst` and `src` valid for `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    memmove(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void,
    to: memcpy
}

/// `memmove` of more than 64 bytes (x86_64's naked `memcpy` sends those
/// here, and those up to 256 until AVX2 is known usable).
///
/// # Safety
/// `dst` and `src` valid for `n` bytes, `n > 64`.
#[cfg(target_arch = "x86_64")]
unsafe extern "C" fn memmove_above_64(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    // SAFETY: the caller's contract.
    unsafe { x86::copy_above_64(dst.cast(), src.cast(), n) }
}

#[cfg(target_arch = "x86_64")]
sys_layer_arch::define_memset_entry! {
    /// Fills `n` bytes at `dst` with the low byte of `c`.
    ///
    /// On x86_64 a naked function (`sys_layer_arch::define_memset_entry!`)
    /// that fills up to 64 bytes itself and goes on to
    /// [`memset_above_64`] above.
    ///
    /// # Safety
    /// `dst` valid for `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    memset,
    large: memset_above_64
}

/// `memset` of more than 64 bytes (x86_64's naked entry sends those here).
///
/// # Safety
/// `dst` valid for `n` bytes, `n > 64`.
#[cfg(target_arch = "x86_64")]
unsafe extern "C" fn memset_above_64(dst: *mut c_void, c: c_int, n: usize) -> *mut c_void {
    // SAFETY: the caller's contract.
    unsafe { x86::fill_above_64(dst.cast(), c as u8, n) }
}

/// Fills `n` bytes at `dst` with the low byte of `c`.
///
/// # Safety
/// `dst` valid for `n` bytes.
#[cfg(not(target_arch = "x86_64"))]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn memset(dst: *mut c_void, c: c_int, n: usize) -> *mut c_void {
    let d = dst.cast::<u8>();
    let byte = c as u8;
    // Not `[byte; WORD]`: unoptimised builds lower an array repeat to a
    // memset call, which would recurse here.
    let pattern = (byte as u64).wrapping_mul(u64::MAX / 0xff);
    // SAFETY: the caller vouches for dst..dst+n; every store lies within it.
    unsafe {
        if n < 16 {
            if n >= 8 {
                d.cast::<u64>().write_unaligned(pattern);
                d.add(n - 8).cast::<u64>().write_unaligned(pattern);
            } else if n >= 4 {
                d.cast::<u32>().write_unaligned(pattern as u32);
                d.add(n - 4).cast::<u32>().write_unaligned(pattern as u32);
            } else if n > 0 {
                d.write(byte);
                d.add(n / 2).write(byte);
                d.add(n - 1).write(byte);
            }
            return dst;
        }
        #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
        if n <= 64 {
            x86::fill_up_to_64(d, byte, n);
        } else {
            return x86::fill_above_64(d, byte, n);
        }
        #[cfg(not(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))))]
        {
            let mut i = 0;
            while i + 8 <= n {
                d.add(i).cast::<u64>().write_unaligned(pattern);
                i += 8;
            }
            d.add(n - 8).cast::<u64>().write_unaligned(pattern);
        }
    }
    dst
}

/// Compares `n` bytes; the sign of the result orders the first difference.
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[cfg(not(target_arch = "x86_64"))]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn memcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    // SAFETY: the caller vouches for both ranges.
    unsafe { compare(a.cast(), b.cast(), n) }
}

#[cfg(target_arch = "x86_64")]
sys_layer_arch::define_memcmp_entry! {
    /// Compares `n` bytes; the sign of the result orders the first difference.
    ///
    /// On x86_64 a naked entry (`sys_layer_arch::define_memcmp_entry!`):
    /// 16 to 32 bytes in itself; above with AVX2, the hand-laid
    /// `sys_layer_arch::memcmp_avx2`; below 16 bytes, and above until AVX2
    /// is known usable, [`memcmp_compiled`].
    ///
    /// # Safety
    /// `a` and `b` valid for `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    memcmp,
    compiled: memcmp_compiled,
    level: x86::ENTRY_LEVEL,
    avx2: x86::AVX2
}

/// `memcmp` compiled from Rust, where x86_64's naked entry sends the calls
/// it does not take to AVX2 itself.
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[cfg(target_arch = "x86_64")]
unsafe extern "C" fn memcmp_compiled(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    // SAFETY: the caller vouches for both ranges.
    unsafe { compare(a.cast(), b.cast(), n) }
}

#[cfg(target_arch = "x86_64")]
sys_layer_arch::define_jump! {
    /// Whether `n` bytes are equal (0) or not (non-zero).
    ///
    /// On x86_64 a jump to [`memcmp`], whose answer is one.
    ///
    /// # Safety
    /// `a` and `b` valid for `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    bcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int,
    to: memcmp
}

/// Whether `n` bytes are equal (0) or not (non-zero).
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[cfg(not(target_arch = "x86_64"))]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn bcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    // SAFETY: the caller vouches for both ranges.
    unsafe { compare(a.cast(), b.cast(), n) }
}

/// Length of the NUL-terminated string at `s`.
///
/// # Safety
/// `s` must point at a NUL-terminated string.
#[cfg(not(target_arch = "x86_64"))]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn strlen(s: *const c_char) -> usize {
    #[cfg(all(target_arch = "x86", target_feature = "sse2"))]
    // SAFETY: the caller vouches for a NUL-terminated string; the assembly
    // reads aligned blocks, which never cross into an unmapped page.
    return unsafe { x86::strlen(s.cast()) };
    #[cfg(not(all(target_arch = "x86", target_feature = "sse2")))]
    {
        let mut n = 0;
        // SAFETY: the string is NUL-terminated, so every byte read up to the
        // NUL is inside it.
        unsafe {
            while *s.add(n) != 0 {
                n += 1;
            }
        }
        n
    }
}

#[cfg(target_arch = "x86_64")]
sys_layer_arch::define_strlen_entry! {
    /// Length of the NUL-terminated string at `s`.
    ///
    /// On x86_64 a naked function (`sys_layer_arch::define_strlen_entry!`)
    /// that measures with AVX2 itself once AVX2 is known usable, and until
    /// then goes on to [`strlen_compiled`] (SSE2, counting toward asking
    /// the CPU).
    ///
    /// # Safety
    /// `s` must point at a NUL-terminated string.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    strlen,
    level: x86::ENTRY_LEVEL,
    avx2: x86::AVX2,
    other: strlen_compiled
}

/// `strlen` until AVX2 is known usable (x86_64's naked entry sends its
/// calls here then).
///
/// # Safety
/// `s` must point at a NUL-terminated string.
#[cfg(target_arch = "x86_64")]
unsafe extern "C" fn strlen_compiled(s: *const c_char) -> usize {
    // SAFETY: the caller vouches for a NUL-terminated string; the assembly
    // reads aligned blocks, which never cross into an unmapped page.
    unsafe { x86::strlen(s.cast()) }
}

/// Copies up to 16 bytes with two possibly overlapping loads and stores of
/// the largest size that fits (all loads come before the stores, so an
/// overlapping `memmove` of this size is correct too).
///
/// # Safety
/// `d` and `s` valid for `n` bytes, `n <= 16`.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn copy_small(d: *mut u8, s: *const u8, n: usize) {
    // SAFETY: each access lies within the first or last bytes of the ranges.
    unsafe {
        if n >= 8 {
            let (a, b) = (s.cast::<u64>().read_unaligned(), s.add(n - 8).cast::<u64>().read_unaligned());
            d.cast::<u64>().write_unaligned(a);
            d.add(n - 8).cast::<u64>().write_unaligned(b);
        } else if n >= 4 {
            let (a, b) = (s.cast::<u32>().read_unaligned(), s.add(n - 4).cast::<u32>().read_unaligned());
            d.cast::<u32>().write_unaligned(a);
            d.add(n - 4).cast::<u32>().write_unaligned(b);
        } else if n >= 2 {
            let (a, b) = (s.cast::<u16>().read_unaligned(), s.add(n - 2).cast::<u16>().read_unaligned());
            d.cast::<u16>().write_unaligned(a);
            d.add(n - 2).cast::<u16>().write_unaligned(b);
        } else if n == 1 {
            d.write(s.read());
        }
    }
}

/// `memmove` (`memcpy` when `FORWARD`: the ranges do not overlap);
/// returns `d`.
///
/// # Safety
/// `d` and `s` valid for `n` bytes.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn copy<const FORWARD: bool>(d: *mut u8, s: *const u8, n: usize) -> *mut c_void {
    // SAFETY: the caller vouches for both ranges; every access below lies
    // within them.
    unsafe {
        if n <= 16 {
            copy_small(d, s, n);
            return d.cast();
        }
        #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
        if n <= 64 {
            x86::copy_up_to_64(d, s, n);
            d.cast()
        } else {
            x86::copy_above_64(d, s, n)
        }
        #[cfg(not(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))))]
        if FORWARD || (d as usize).wrapping_sub(s as usize) >= n {
            // dst is below src, or past the end of src: a forward copy
            // never overwrites bytes it has yet to read.
            let mut i = 0;
            while i + WORD <= n {
                d.add(i).cast::<usize>().write_unaligned(s.add(i).cast::<usize>().read_unaligned());
                i += WORD;
            }
            while i < n {
                d.add(i).write(s.add(i).read());
                i += 1;
            }
        } else {
            // From the end down: each word is read whole before it is
            // written, so the overlap stays intact.
            let mut i = n;
            while i >= WORD {
                i -= WORD;
                d.add(i).cast::<usize>().write_unaligned(s.add(i).cast::<usize>().read_unaligned());
            }
            while i > 0 {
                i -= 1;
                d.add(i).write(s.add(i).read());
            }
        }
        #[cfg(not(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))))]
        d.cast()
    }
}

/// The order of two words read big-endian: the first differing byte
/// decides, as in `memcmp`.
#[inline(always)]
fn order(x: u64, y: u64) -> c_int {
    if x == y {
        0
    } else if x.swap_bytes() < y.swap_bytes() {
        -1
    } else {
        1
    }
}

/// # Safety
/// `a` and `b` valid for `n` bytes.
#[inline(always)]
unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> c_int {
    // SAFETY: the caller vouches for both ranges; every read lies within.
    unsafe {
        if n < 16 {
            // Two overlapping words (the second re-reads bytes the first
            // found equal), in the byte order `memcmp` compares.
            let (x, y, u, v) = if n >= 8 {
                let (x, y) = (a.cast::<u64>().read_unaligned(), b.cast::<u64>().read_unaligned());
                (x, y, a.add(n - 8).cast::<u64>().read_unaligned(), b.add(n - 8).cast::<u64>().read_unaligned())
            } else if n >= 4 {
                let (x, y) = (a.cast::<u32>().read_unaligned(), b.cast::<u32>().read_unaligned());
                let (u, v) = (a.add(n - 4).cast::<u32>().read_unaligned(), b.add(n - 4).cast::<u32>().read_unaligned());
                (x as u64, y as u64, u as u64, v as u64)
            } else if n > 0 {
                let (x, y) = (a.read() as u64, b.read() as u64);
                let (u, v) = (a.add(n / 2).read() as u64 | (a.add(n - 1).read() as u64) << 8, 0);
                let v = v | b.add(n / 2).read() as u64 | (b.add(n - 1).read() as u64) << 8;
                (x, y, u, v)
            } else {
                return 0;
            };
            let first = order(x, y);
            return if first != 0 { first } else { order(u, v) };
        }
        #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
        return if n <= 32 { x86::compare_16_to_32(a, b, n) } else { x86::compare_above_32(a, b, n) };
        #[cfg(not(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))))]
        {
            let mut i = 0;
            while i + WORD <= n {
                if a.add(i).cast::<usize>().read_unaligned() != b.add(i).cast::<usize>().read_unaligned() {
                    break;
                }
                i += WORD;
            }
            while i < n {
                let (x, y) = (a.add(i).read(), b.add(i).read());
                if x != y {
                    return x as c_int - y as c_int;
                }
                i += 1;
            }
            0
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + 3) as u8).collect()
    }

    /// Every case of `verify`, with the paths this CPU chooses and, on x86,
    /// the SSE2 ones (in one test: the choice is the process's).
    #[test]
    fn every_size_and_alignment_against_the_reference() {
        let mut failures = Vec::new();
        let cases = verify::all_paths(&mut |f| failures.push(f));
        assert!(
            failures.is_empty(),
            "{} of {cases} cases wrong, first {:?}",
            failures.len(),
            &failures[..failures.len().min(10)]
        );
    }

    /// Next to unmapped pages: nothing read or written outside the range.
    #[test]
    fn at_the_edges_of_a_mapping() {
        let mut failures = Vec::new();
        // SAFETY: a mapping of 3 pages whose first and last are made
        // inaccessible.
        let cases = unsafe {
            let p = libc_mmap_pages(3);
            libc_mprotect_none(p);
            libc_mprotect_none(p.add(2 * 4096));
            verify::edges(p.add(4096), 4096, &mut |f| failures.push(f))
        };
        assert!(
            failures.is_empty(),
            "{} of {cases} cases wrong, first {:?}",
            failures.len(),
            &failures[..failures.len().min(10)]
        );
    }

    /// Random sizes up to 5,000 and offsets, every function against the
    /// standard library (a property test with a fixed-seed generator).
    #[test]
    fn random_cases_against_the_standard_library() {
        let mut state = 0x9e3779b97f4a7c15u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..20_000 {
            let n = if next(4) == 0 { next(5000) } else { next(300) };
            let (da, sa) = (next(64), next(64));
            let src: Vec<u8> = (0..n + 64).map(|_| next(256) as u8).collect();
            let mut dst = std::vec![0u8; n + 64];
            // SAFETY: both hold n + 64 bytes.
            unsafe { memcpy(dst.as_mut_ptr().add(da).cast(), src.as_ptr().add(sa).cast(), n) };
            assert_eq!(dst[da..da + n], src[sa..sa + n]);
            let mut other = src.clone();
            if n > 0 && next(2) == 0 {
                let at = sa + next(n);
                other[at] = next(256) as u8;
            }
            // SAFETY: both hold n + 64 bytes.
            let got = unsafe { memcmp(src.as_ptr().add(sa).cast(), other.as_ptr().add(sa).cast(), n) };
            assert_eq!(got.signum(), src[sa..sa + n].cmp(&other[sa..sa + n]) as i32, "memcmp {n}");
            let mut buf = src.clone();
            let mut want = src.clone();
            want.copy_within(sa..sa + n, da);
            // SAFETY: both ranges lie within buf.
            unsafe { memmove(buf.as_mut_ptr().add(da).cast(), buf.as_ptr().add(sa).cast(), n) };
            assert_eq!(buf, want, "memmove {n} {da} {sa}");
        }
    }

    /// Copies whose destination lies 1-300 bytes above the source modulo
    /// 4 KiB (x86 copies those back to front when the ranges do not
    /// overlap): apart, and overlapping downwards, where only a forward
    /// copy is right, every path checked on x86.
    #[test]
    fn copies_a_page_and_a_little_apart() {
        let check = || {
            for n in [257, 300, 1000, 4095, 4096, 4097, 5000, 8200] {
                for k in [1, 2, 31, 32, 33, 100, 255, 256, 257, 300] {
                    // Apart: the destination one page and k bytes higher, or
                    // k bytes above the source's page offset, lower.
                    for (d, s) in [(4096 + k, 0), (k, 8192)] {
                        let src = pattern(20000);
                        let mut buf = src.clone();
                        // SAFETY: both ranges lie within buf; they do not overlap.
                        unsafe { memcpy(buf.as_mut_ptr().add(d).cast(), buf.as_ptr().add(s).cast(), n.min(4096)) };
                        assert_eq!(&buf[d..d + n.min(4096)], &src[s..s + n.min(4096)], "memcpy {n} {d} {s}");
                    }
                    // Overlapping, the destination lower by a page less k:
                    // k above modulo 4 KiB, yet it must go front to back.
                    let (s, d) = (8192, 8192 + k - 4096);
                    let mut buf = pattern(20000);
                    let mut want = buf.clone();
                    want.copy_within(s..s + n, d);
                    // SAFETY: both ranges lie within buf.
                    unsafe { memmove(buf.as_mut_ptr().add(d).cast(), buf.as_ptr().add(s).cast(), n) };
                    assert_eq!(buf, want, "memmove down {n} by {}", s - d);
                }
            }
        };
        check();
        #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
        {
            x86::use_avx2_if_present(false);
            check();
            x86::use_avx2_if_present(true);
            check();
        }
    }

    unsafe fn libc_mmap_pages(count: usize) -> *mut u8 {
        unsafe extern "C" {
            fn mmap(addr: *mut c_void, len: usize, prot: c_int, flags: c_int, fd: c_int, off: i64) -> *mut c_void;
        }
        // SAFETY: an anonymous private read-write mapping.
        unsafe { mmap(core::ptr::null_mut(), count * 4096, 3, 0x22, -1, 0).cast() }
    }

    unsafe fn libc_mprotect_none(page: *mut u8) {
        unsafe extern "C" {
            fn mprotect(addr: *mut c_void, len: usize, prot: c_int) -> c_int;
        }
        // SAFETY: the caller's page, made inaccessible.
        assert_eq!(unsafe { mprotect(page.cast(), 4096, 0) }, 0);
    }

    #[test]
    fn copy_and_move_every_size_and_offset() {
        for n in [0, 1, 7, 8, 9, 31, 255, 256, 257, 1000, 5000] {
            let src = pattern(n + 16);
            for off in 0..3 {
                let mut dst = std::vec![0u8; n + 16];
                // SAFETY: both buffers hold n + 16 bytes.
                unsafe { memcpy(dst.as_mut_ptr().add(off).cast(), src.as_ptr().add(1).cast(), n) };
                assert_eq!(&dst[off..off + n], &src[1..1 + n]);
                // Overlapping moves both ways.
                let mut buf = pattern(n + 16);
                let expect = buf[0..n].to_vec();
                // SAFETY: n + off <= len.
                unsafe { memmove(buf.as_mut_ptr().add(off).cast(), buf.as_ptr().cast(), n) };
                assert_eq!(&buf[off..off + n], &expect[..]);
                let mut buf = pattern(n + 16);
                let expect = buf[off..off + n].to_vec();
                // SAFETY: as above.
                unsafe { memmove(buf.as_mut_ptr().cast(), buf.as_ptr().add(off).cast(), n) };
                assert_eq!(&buf[..n], &expect[..]);
            }
        }
    }

    #[test]
    fn every_small_size_and_offset() {
        let src = pattern(600);
        for n in 0..300 {
            for off in 0..4 {
                let mut dst = std::vec![0u8; 600];
                // SAFETY: n + off < 600.
                unsafe { memcpy(dst.as_mut_ptr().add(off).cast(), src.as_ptr().add(3).cast(), n) };
                assert_eq!(&dst[off..off + n], &src[3..3 + n], "copy {n} at {off}");
                assert!(
                    dst[..off].iter().all(|&b| b == 0) && dst[off + n..].iter().all(|&b| b == 0),
                    "copy {n} spills"
                );
                let mut set = std::vec![0u8; 600];
                // SAFETY: as above.
                unsafe { memset(set.as_mut_ptr().add(off).cast(), 7, n) };
                assert!(set[off..off + n].iter().all(|&b| b == 7));
                assert!(set[..off].iter().all(|&b| b == 0) && set[off + n..].iter().all(|&b| b == 0), "set {n} spills");
                // A difference at every position, in both directions.
                for at in [0, n / 2, n.saturating_sub(1)] {
                    if n == 0 {
                        break;
                    }
                    let mut other = src.clone();
                    other[3 + at] = other[3 + at].wrapping_add(1);
                    // SAFETY: both hold 600 bytes.
                    let (x, y) = unsafe {
                        (
                            memcmp(src.as_ptr().add(3).cast(), other.as_ptr().add(3).cast(), n),
                            memcmp(other.as_ptr().add(3).cast(), src.as_ptr().add(3).cast(), n),
                        )
                    };
                    let want = src[3 + at] as i32 - other[3 + at] as i32;
                    assert_eq!((x, y), (want, -want), "memcmp {n} differing at {at}");
                }
            }
        }
    }

    #[test]
    fn strlen_at_every_alignment_and_up_to_a_page_end() {
        let mut buf = std::vec![b'a'; 8192];
        for start in 0..40 {
            for len in 0..70 {
                buf[start + len] = 0;
                // SAFETY: NUL-terminated within buf.
                assert_eq!(unsafe { strlen(buf.as_ptr().add(start).cast()) }, len, "{start} {len}");
                buf[start + len] = b'a';
            }
        }
        // A string ending on the last byte of a mapping must not fault.
        // SAFETY: a fresh anonymous page, filled, its last byte NUL.
        unsafe {
            let page = libc_mmap();
            core::ptr::write_bytes(page, b'z', 4096);
            *page.add(4095) = 0;
            assert_eq!(strlen(page.add(4000).cast()), 95);
            assert_eq!(strlen(page.add(4095).cast()), 0);
        }
    }

    unsafe fn libc_mmap() -> *mut u8 {
        unsafe extern "C" {
            fn mmap(addr: *mut c_void, len: usize, prot: c_int, flags: c_int, fd: c_int, off: i64) -> *mut c_void;
        }
        // SAFETY: an anonymous private mapping; the guard page after it is
        // left unmapped by mapping two pages and unmapping the second.
        unsafe {
            let p = mmap(core::ptr::null_mut(), 8192, 3, 0x22, -1, 0).cast::<u8>();
            unsafe extern "C" {
                fn munmap(addr: *mut c_void, len: usize) -> c_int;
            }
            munmap(p.add(4096).cast(), 4096);
            p
        }
    }

    #[test]
    fn set_compare_and_length() {
        for n in [0, 1, 9, 256, 300] {
            let mut v = std::vec![0u8; n + 2];
            // SAFETY: v holds n + 2 bytes.
            unsafe { memset(v.as_mut_ptr().add(1).cast(), 0x1ab, n) };
            assert!(v[1..1 + n].iter().all(|&b| b == 0xab));
            assert_eq!((v[0], v[n + 1]), (0, 0));
        }
        let a = pattern(100);
        let mut b = a.clone();
        // SAFETY: both hold 100 bytes.
        unsafe {
            assert_eq!(memcmp(a.as_ptr().cast(), b.as_ptr().cast(), 100), 0);
            b[57] = a[57].wrapping_add(1);
            assert!(memcmp(a.as_ptr().cast(), b.as_ptr().cast(), 100) < 0);
            assert!(memcmp(b.as_ptr().cast(), a.as_ptr().cast(), 100) > 0);
            assert_eq!(memcmp(a.as_ptr().cast(), b.as_ptr().cast(), 57), 0);
            assert_ne!(bcmp(a.as_ptr().cast(), b.as_ptr().cast(), 100), 0);
            assert_eq!(strlen(c"hello".as_ptr()), 5);
            assert_eq!(strlen(c"".as_ptr()), 0);
        }
    }
}
