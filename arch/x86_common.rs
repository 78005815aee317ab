//! What x86_64 and i686 share: the SSE2 and AVX2 `strlen`s. The register modifiers
//! (`:e` for the 32-bit name of a general register) mean the same on both.
//!
//! Both find the terminator's bit with `tzcnt`, never with a zero mask: a
//! CPU without BMI1 runs its encoding as `bsf` (a `rep` prefix it ignores),
//! which gives the same answer for a non-zero mask, and those that have it
//! run it faster (AMD's `bsf` takes several micro-operations).

use core::arch::asm;

/// Length of the NUL-terminated string at `s`, 16 bytes at a time (SSE2, which
/// every x86_64 CPU and Rust's i686 targets have).
///
/// Reads whole aligned 16-byte blocks, so it may read past the terminator
/// within the block that holds it: never into another page, so never a
/// fault, but beyond the string, which only assembly may do.
///
/// # Safety
/// `s` must point at a NUL-terminated string.
#[inline]
pub unsafe fn strlen_sse2(s: *const u8) -> usize {
    let len: usize;
    // SAFETY: the caller vouches for the string; aligned 16-byte loads stay
    // within pages that hold some of its bytes.
    unsafe {
        asm!(
            "mov {blk}, {s}",
            "and {blk}, -16",
            "pxor {zero}, {zero}",
            "movdqa {v}, [{blk}]",
            "pcmpeqb {v}, {zero}",
            "pmovmskb {mask:e}, {v}",
            "mov ecx, {s:e}",
            "and ecx, 15",
            "shr {mask:e}, cl",
            "test {mask:e}, {mask:e}",
            "jnz 3f",
            "2:",
            "add {blk}, 16",
            "movdqa {v}, [{blk}]",
            "pcmpeqb {v}, {zero}",
            "pmovmskb {mask:e}, {v}",
            "test {mask:e}, {mask:e}",
            "jz 2b",
            "tzcnt {mask:e}, {mask:e}",
            "sub {blk}, {s}",
            "add {blk}, {mask}",
            "mov {len}, {blk}",
            "jmp 4f",
            "3:",
            "tzcnt {mask:e}, {mask:e}",
            "mov {len}, {mask}",
            "4:",
            s = in(reg) s,
            blk = out(reg) _,
            mask = out(reg) _,
            len = lateout(reg) len,
            v = out(xmm_reg) _,
            zero = out(xmm_reg) _,
            out("ecx") _,
            options(nostack, readonly, pure)
        );
    }
    len
}

/// Length of the NUL-terminated string at `s`: its first 32 bytes, the
/// next four aligned vectors one by one (AVX2), then 128 bytes a step once
/// aligned to 128 (the minimum of four vectors is zero where any of them
/// is).
///
/// Like [`strlen_sse2`] it reads past the terminator, within aligned blocks
/// (never across a page); the first, unaligned, vector only when it stays
/// within its page.
///
/// # Safety
/// `s` must point at a NUL-terminated string, and the CPU must have AVX2.
#[cfg(target_arch = "x86")]
#[target_feature(enable = "avx2")]
pub unsafe fn strlen_avx2(s: *const u8) -> usize {
    let len: usize;
    // SAFETY: the caller vouches for the string and AVX2; every load is an
    // aligned block holding bytes of the string, or an unaligned one that
    // does not cross a page.
    unsafe {
        asm!(
            "vpxor {zero}, {zero}, {zero}",
            "mov {p:e}, {s:e}",
            "and {p:e}, 4095",
            "cmp {p:e}, 4064",
            "ja 13f",
            // The first 32 bytes, unaligned.
            "vpcmpeqb {v0}, {zero}, ymmword ptr [{s}]",
            "vpmovmskb {m:e}, {v0}",
            "test {m:e}, {m:e}",
            "jnz 8f",
            "mov {p}, {s}",
            "and {p}, -32",
            // The next four aligned vectors, one by one (short strings end
            // here), then from the 128-byte block after the first of them.
            "2:",
            "vpcmpeqb {v0}, {zero}, ymmword ptr [{p} + 32]",
            "vpmovmskb {m:e}, {v0}",
            "test {m:e}, {m:e}",
            "jnz 6f",
            "vpcmpeqb {v0}, {zero}, ymmword ptr [{p} + 64]",
            "vpmovmskb {m:e}, {v0}",
            "test {m:e}, {m:e}",
            "jnz 5f",
            "vpcmpeqb {v0}, {zero}, ymmword ptr [{p} + 96]",
            "vpmovmskb {m:e}, {v0}",
            "test {m:e}, {m:e}",
            "jnz 4f",
            "vpcmpeqb {v0}, {zero}, ymmword ptr [{p} + 128]",
            "vpmovmskb {m:e}, {v0}",
            "add {p}, 128",
            "test {m:e}, {m:e}",
            "jnz 7f",
            // Checked up to p + 32: the loop starts at the 128-byte block
            // holding that (some of it again), p one step before.
            "add {p}, 32",
            "and {p}, -128",
            "sub {p}, 128",
            // 128 bytes a step.
            "3:",
            "add {p}, 128",
            "vmovdqa {v0}, ymmword ptr [{p}]",
            "vpminub {v0}, {v0}, ymmword ptr [{p} + 32]",
            "vmovdqa {v1}, ymmword ptr [{p} + 64]",
            "vpminub {v1}, {v1}, ymmword ptr [{p} + 96]",
            "vpminub {v1}, {v0}, {v1}",
            "vpcmpeqb {v1}, {v1}, {zero}",
            "vpmovmskb {m:e}, {v1}",
            "test {m:e}, {m:e}",
            "jz 3b",
            // Which of the four holds it.
            "12:",
            "vpcmpeqb {v0}, {zero}, ymmword ptr [{p}]",
            "vpmovmskb {m:e}, {v0}",
            "test {m:e}, {m:e}",
            "jnz 7f",
            "add {p}, 32",
            "jmp 12b",
            // The page ends within 32 bytes: the aligned block holding s,
            // its bytes before s shifted out.
            "13:",
            "mov {p}, {s}",
            "and {p}, -32",
            "vpcmpeqb {v0}, {zero}, ymmword ptr [{p}]",
            "vpmovmskb {m:e}, {v0}",
            "mov ecx, {s:e}",
            "and ecx, 31",
            "shr {m:e}, cl",
            "test {m:e}, {m:e}",
            "jz 2b",
            "jmp 8f",
            // Found in the vector at p + 96, + 64, + 32.
            "4:",
            "add {p}, 32",
            "5:",
            "add {p}, 32",
            "6:",
            "add {p}, 32",
            "jmp 7f",
            "8:",
            "tzcnt {m:e}, {m:e}",
            "mov {len}, {m}",
            "jmp 9f",
            "7:",
            "tzcnt {m:e}, {m:e}",
            "sub {p}, {s}",
            "add {p}, {m}",
            "mov {len}, {p}",
            "9:",
            "vzeroupper",
            s = in(reg) s,
            p = out(reg) _,
            m = out(reg) _,
            len = lateout(reg) len,
            v0 = out(ymm_reg) _,
            v1 = out(ymm_reg) _,
            zero = out(ymm_reg) _,
            out("ecx") _,
            options(nostack, readonly, pure)
        );
    }
    len
}

/// `p`, through an empty assembly block the optimiser cannot see through:
/// the memory functions' bodies return their destination this way, so that
/// callers use the returned register (and can tail-call) instead of
/// keeping the argument in a saved register across the call. No
/// instruction, no memory.
#[inline(always)]
// The block neither reads nor writes through the pointer: nomem is true.
#[allow(clippy::pointers_in_nomem_asm_block)]
pub fn opaque_pointer(mut p: *mut u8) -> *mut u8 {
    // SAFETY: an empty block that only claims to change a register.
    unsafe { asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags)) };
    p
}
