//! The memory functions the compiler calls: `memcpy`, `memmove`, `memset`,
//! `memcmp`, `bcmp`, `strlen`.
//!
//! A program linked without a C library has none, and on stable Rust the
//! toolchain's `compiler_builtins` does not export its own for `*-linux-gnu`
//! targets (its `mem` feature needs `-Zbuild-std`). So sys-layer brings
//! these. `#![no_builtins]` keeps the compiler from turning the loops below
//! back into calls to themselves.
//!
//! Speed: large copies and fills use the CPU's string instructions where
//! `sys-layer-arch` has them (`rep movsb`/`rep stosb` on x86); everything
//! else goes a machine word at a time. Tuning against glibc is the
//! benchmark suite's job; this is the correct, simple baseline.
#![no_std]
#![no_builtins]

use core::ffi::{c_char, c_int, c_void};
use core::mem::size_of;

const WORD: usize = size_of::<usize>();

/// From this size on, copies and fills use the string instructions (x86).
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
const STRING_OP_THRESHOLD: usize = 256;

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
    // SAFETY: the caller vouches for dst..dst+n.
    unsafe {
        #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
        if n >= STRING_OP_THRESHOLD {
            sys_layer_arch::fill_bytes(d, byte, n);
            return dst;
        }
        // Not `[byte; WORD]`: unoptimised builds lower an array repeat to a
        // memset call, which would recurse here.
        let pattern = (byte as usize).wrapping_mul(usize::MAX / 0xff);
        let mut i = 0;
        while i + WORD <= n {
            d.add(i).cast::<usize>().write_unaligned(pattern);
            i += WORD;
        }
        while i < n {
            d.add(i).write(byte);
            i += 1;
        }
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

/// # Safety
/// `d` and `s` valid for `n` bytes; a forward copy must be correct for them.
#[inline(always)]
unsafe fn copy_forward(d: *mut u8, s: *const u8, n: usize) {
    // SAFETY: the caller vouches for both ranges.
    unsafe {
        #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
        if n >= STRING_OP_THRESHOLD {
            sys_layer_arch::copy_bytes_forward(d, s, n);
            return;
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

/// # Safety
/// `a` and `b` valid for `n` bytes.
#[inline(always)]
unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> c_int {
    let mut i = 0;
    // SAFETY: the caller vouches for both ranges.
    unsafe {
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
    }
    0
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
