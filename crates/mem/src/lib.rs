//! The memory functions the compiler calls: `memcpy`, `memmove`, `memset`,
//! `memcmp`, `bcmp`, `strlen`.
//!
//! A program linked without a C library has none, and on stable Rust the
//! toolchain's `compiler_builtins` does not export its own for `*-linux-gnu`
//! targets (its `mem` feature needs `-Zbuild-std`). So sys-layer brings
//! these. `#![no_builtins]` keeps the compiler from turning the loops below
//! back into calls to themselves.
//!
//! Speed (measured side by side with glibc and musl in `bench/`): sizes
//! below 16 bytes take two overlapping loads and stores; up to 2 KiB, 16-byte
//! SSE2 blocks with an overlapping tail on x86; above, the string
//! instructions (`rep movsb`/`rep stosb`). `strlen` scans aligned 16-byte
//! blocks in assembly (it must read past the terminator, which only
//! assembly may). aarch64 and riscv64 still go a word (or byte) at a time. Tuning against glibc is the
//! benchmark suite's job; this is the correct, simple baseline.
#![no_std]
#![no_builtins]

use core::ffi::{c_char, c_int, c_void};
use core::mem::size_of;

const WORD: usize = size_of::<usize>();

/// Above this size, copies and fills use the string instructions (x86):
/// below it, 16-byte vector loops are faster (and `rep` has a start-up
/// cost of tens of cycles).
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
const STRING_OP_THRESHOLD: usize = 2048;

#[cfg(target_arch = "x86")]
use core::arch::x86 as simd;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64 as simd;

/// Whether the 16-byte (SSE2) paths are compiled: x86_64 always has SSE2,
/// and Rust's i686 targets assume it.
const VECTOR: bool = cfg!(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")));

/// Copies `n` bytes from `src` to `dst`; the ranges must not overlap.
///
/// # Safety
/// `dst` and `src` valid for `n` bytes, not overlapping.
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn memcpy(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    // SAFETY: the caller's contract is copy_forward's.
    unsafe { copy_forward(dst.cast(), src.cast(), n) };
    dst
}

/// Copies `n` bytes from `src` to `dst`; the ranges may overlap.
///
/// # Safety
/// `dst` and `src` valid for `n` bytes.
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn memmove(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    let (d, s) = (dst.cast::<u8>(), src.cast::<u8>());
    if (d as usize).wrapping_sub(s as usize) >= n {
        // dst is below src, or past the end of src: a forward copy never
        // overwrites bytes it has yet to read.
        // SAFETY: the caller vouches for both ranges.
        unsafe { copy_forward(d, s, n) };
    } else {
        // SAFETY: as above; copying from the end first keeps the overlap
        // intact.
        unsafe { copy_backward(d, s, n) };
    }
    dst
}

/// Fills `n` bytes at `dst` with the low byte of `c`.
///
/// # Safety
/// `dst` valid for `n` bytes.
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
            } else {
                for i in 0..n {
                    d.add(i).write(byte);
                }
            }
            return dst;
        }
        #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
        if n > STRING_OP_THRESHOLD {
            sys_layer_arch::fill_bytes(d, byte, n);
            return dst;
        }
        if VECTOR {
            #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
            {
                let v = simd::_mm_set1_epi8(byte as i8);
                let mut i = 0;
                while i + 16 < n {
                    simd::_mm_storeu_si128(d.add(i).cast(), v);
                    i += 16;
                }
                simd::_mm_storeu_si128(d.add(n - 16).cast(), v);
                return dst;
            }
        }
        let mut i = 0;
        while i + 8 <= n {
            d.add(i).cast::<u64>().write_unaligned(pattern);
            i += 8;
        }
        d.add(n - 8).cast::<u64>().write_unaligned(pattern);
    }
    dst
}

/// Compares `n` bytes; the sign of the result orders the first difference.
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn memcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    // SAFETY: the caller vouches for both ranges.
    unsafe { compare(a.cast(), b.cast(), n) }
}

/// Whether `n` bytes are equal (0) or not (non-zero).
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn bcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    // SAFETY: the caller vouches for both ranges.
    unsafe { compare(a.cast(), b.cast(), n) }
}

/// Length of the NUL-terminated string at `s`.
///
/// # Safety
/// `s` must point at a NUL-terminated string.
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn strlen(s: *const c_char) -> usize {
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    // SAFETY: the caller vouches for a NUL-terminated string; the assembly
    // reads aligned 16-byte blocks, which never cross into an unmapped page.
    return unsafe { sys_layer_arch::strlen_sse2(s.cast()) };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
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

/// Copies up to 16 bytes with two possibly overlapping loads and stores of
/// the largest size that fits (all loads come before the stores, so an
/// overlapping `memmove` of this size is correct too).
///
/// # Safety
/// `d` and `s` valid for `n` bytes, `n <= 16`.
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

/// # Safety
/// `d` and `s` valid for `n` bytes; a forward copy must be correct for them.
#[inline(always)]
unsafe fn copy_forward(d: *mut u8, s: *const u8, n: usize) {
    // SAFETY: the caller vouches for both ranges; every access below lies
    // within them.
    unsafe {
        if n <= 16 {
            return copy_small(d, s, n);
        }
        #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
        if n > STRING_OP_THRESHOLD {
            sys_layer_arch::copy_bytes_forward(d, s, n);
            return;
        }
        if VECTOR {
            #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
            {
                // 16-byte blocks, then the last 16 bytes (overlapping the
                // last block; read before written, so correct).
                let last = simd::_mm_loadu_si128(s.add(n - 16).cast());
                let mut i = 0;
                while i + 16 < n {
                    simd::_mm_storeu_si128(d.add(i).cast(), simd::_mm_loadu_si128(s.add(i).cast()));
                    i += 16;
                }
                simd::_mm_storeu_si128(d.add(n - 16).cast(), last);
                return;
            }
        }
        let mut i = 0;
        while i + WORD <= n {
            d.add(i).cast::<usize>().write_unaligned(s.add(i).cast::<usize>().read_unaligned());
            i += WORD;
        }
        while i < n {
            d.add(i).write(s.add(i).read());
            i += 1;
        }
    }
}

/// # Safety
/// `d` and `s` valid for `n` bytes.
#[inline(always)]
unsafe fn copy_backward(d: *mut u8, s: *const u8, n: usize) {
    let mut i = n;
    // SAFETY: the caller vouches for both ranges; each word is read whole
    // before it is written, and words go from the end down.
    unsafe {
        while i >= WORD {
            i -= WORD;
            d.add(i).cast::<usize>().write_unaligned(s.add(i).cast::<usize>().read_unaligned());
        }
        while i > 0 {
            i -= 1;
            d.add(i).write(s.add(i).read());
        }
    }
}

/// The ordering of the first differing byte at or after `i`.
///
/// # Safety
/// `a` and `b` valid for `n` bytes.
#[inline(always)]
unsafe fn compare_bytes(a: *const u8, b: *const u8, mut i: usize, n: usize) -> c_int {
    // SAFETY: i < n keeps every read in range.
    unsafe {
        while i < n {
            let (x, y) = (a.add(i).read(), b.add(i).read());
            if x != y {
                return x as c_int - y as c_int;
            }
            i += 1;
        }
    }
    0
}

/// # Safety
/// `a` and `b` valid for `n` bytes.
#[inline(always)]
unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> c_int {
    // SAFETY: the caller vouches for both ranges; every read lies within.
    unsafe {
        if VECTOR && n >= 16 {
            #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
            {
                // 16 bytes at a time; the mask's lowest clear bit is the
                // first differing byte. The tail re-reads the last 16.
                let mut i = 0;
                loop {
                    let at = if i + 16 <= n { i } else { n - 16 };
                    let x = simd::_mm_loadu_si128(a.add(at).cast());
                    let y = simd::_mm_loadu_si128(b.add(at).cast());
                    let same = simd::_mm_movemask_epi8(simd::_mm_cmpeq_epi8(x, y)) as u32;
                    if same != 0xffff {
                        let k = at + (!same).trailing_zeros() as usize;
                        return a.add(k).read() as c_int - b.add(k).read() as c_int;
                    }
                    if at + 16 >= n {
                        return 0;
                    }
                    i += 16;
                }
            }
        }
        let mut i = 0;
        while i + WORD <= n {
            if a.add(i).cast::<usize>().read_unaligned() != b.add(i).cast::<usize>().read_unaligned() {
                break;
            }
            i += WORD;
        }
        compare_bytes(a, b, i, n)
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
