//! What x86_64 and i686 share: the SSE2 `strlen`. The register modifiers
//! (`:e` for the 32-bit name of a general register) mean the same on both.

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
            "bsf {mask:e}, {mask:e}",
            "sub {blk}, {s}",
            "add {blk}, {mask}",
            "mov {len}, {blk}",
            "jmp 4f",
            "3:",
            "bsf {mask:e}, {mask:e}",
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
