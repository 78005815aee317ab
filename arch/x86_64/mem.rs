//! x86_64's hand-laid memory functions: `memcmp` above 32 bytes with AVX2,
//! and the exported entries of `memcpy`, `memset`, `memcmp` and `strlen`,
//! naked functions whose layout is the point (`crates/mem` defines the
//! exported functions with the macros here, and keeps the compiled code
//! they go on to). Compiled from Rust, the compares took a branch for
//! every vector found equal (the compiler laid the difference out as the
//! straight path), which cost 15-25% at 64-1000 bytes against glibc's
//! hand-laid code; here the equal path runs straight through up to eight
//! vectors, and a difference jumps out of line once.
//!
//! `memcmp_avx2`'s shape: the first vectors one by one as far as the size
//! goes (up to four), then the last one, two or four from the end; above
//! eight, four a step and then the last four. x86_64 only (the System V
//! registers); i686 keeps the compiled `compare`.

/// The sign of the first differing byte of `a` and `b` (as unsigned
/// bytes; `memcmp`'s result), 0 when the `n` bytes are equal.
///
/// Overlapping vectors re-read bytes already found equal, so the first
/// vector (in the order checked) holding a difference holds the first one.
///
/// # Safety
/// `a` and `b` valid for `n` bytes, `n >= 32`; the CPU has AVX2 and BMI1
/// (`tzcnt`), and the kernel saves the YMM registers.
#[unsafe(naked)]
pub unsafe extern "C" fn memcmp_avx2(a: *const u8, b: *const u8, n: usize) -> i32 {
    // rdi = a, rsi = b, rdx = n. A vector's equality mask plus one is zero
    // when all 32 bytes are equal, and otherwise has its lowest set bit at
    // the first difference: `inc` tests it and `tzcnt` finds the byte.
    core::arch::naked_asm!(
        "vmovdqu ymm0, ymmword ptr [rsi]",
        "vpcmpeqb ymm0, ymm0, ymmword ptr [rdi]",
        "vpmovmskb eax, ymm0",
        "inc eax",
        "jnz 20f",
        "cmp rdx, 64",
        "jbe 40f",
        "vmovdqu ymm1, ymmword ptr [rsi + 32]",
        "vpcmpeqb ymm1, ymm1, ymmword ptr [rdi + 32]",
        "vpmovmskb eax, ymm1",
        "inc eax",
        "jnz 21f",
        "cmp rdx, 128",
        "jbe 50f",
        "vmovdqu ymm2, ymmword ptr [rsi + 64]",
        "vpcmpeqb ymm2, ymm2, ymmword ptr [rdi + 64]",
        "vpmovmskb eax, ymm2",
        "inc eax",
        "jnz 22f",
        "vmovdqu ymm3, ymmword ptr [rsi + 96]",
        "vpcmpeqb ymm3, ymm3, ymmword ptr [rdi + 96]",
        "vpmovmskb eax, ymm3",
        "inc eax",
        "jnz 23f",
        "cmp rdx, 256",
        "ja 70f",
        // Five to eight vectors: the last four, from the end.
        "lea rdi, [rdi + rdx - 128]",
        "lea rsi, [rsi + rdx - 128]",
        // Four vectors at rdi and rsi; eax is 0 (equal) when it returns.
        "61:",
        "vmovdqu ymm0, ymmword ptr [rsi]",
        "vpcmpeqb ymm0, ymm0, ymmword ptr [rdi]",
        "vmovdqu ymm1, ymmword ptr [rsi + 32]",
        "vpcmpeqb ymm1, ymm1, ymmword ptr [rdi + 32]",
        "vmovdqu ymm2, ymmword ptr [rsi + 64]",
        "vpcmpeqb ymm2, ymm2, ymmword ptr [rdi + 64]",
        "vmovdqu ymm3, ymmword ptr [rsi + 96]",
        "vpcmpeqb ymm3, ymm3, ymmword ptr [rdi + 96]",
        "vpand ymm4, ymm0, ymm1",
        "vpand ymm5, ymm2, ymm3",
        "vpand ymm5, ymm4, ymm5",
        "vpmovmskb eax, ymm5",
        "inc eax",
        "jnz 80f",
        "vzeroupper",
        "ret",
        // Two vectors: the last one.
        "40:",
        "lea rdi, [rdi + rdx - 32]",
        "lea rsi, [rsi + rdx - 32]",
        "vmovdqu ymm0, ymmword ptr [rsi]",
        "vpcmpeqb ymm0, ymm0, ymmword ptr [rdi]",
        "vpmovmskb eax, ymm0",
        "inc eax",
        "jnz 20f",
        "vzeroupper",
        "ret",
        // Three or four vectors: the last two (a difference is in ymm0 or
        // ymm1, which 80 looks at first).
        "50:",
        "lea rdi, [rdi + rdx - 64]",
        "lea rsi, [rsi + rdx - 64]",
        "vmovdqu ymm0, ymmword ptr [rsi]",
        "vpcmpeqb ymm0, ymm0, ymmword ptr [rdi]",
        "vmovdqu ymm1, ymmword ptr [rsi + 32]",
        "vpcmpeqb ymm1, ymm1, ymmword ptr [rdi + 32]",
        "vpand ymm4, ymm0, ymm1",
        "vpmovmskb eax, ymm4",
        "inc eax",
        "jnz 80f",
        "vzeroupper",
        "ret",
        // More than eight: four a step from the fifth (a's side aligned)
        // while more than four remain (at least once), then the last four.
        "70:",
        "lea rcx, [rdi + rdx - 128]",
        "lea rdx, [rsi + rdx - 128]",
        // Both back by a's distance from a 32-byte boundary, so that a's
        // loads in the loop never split a cache line (the bytes read
        // again were found equal).
        "mov eax, edi",
        "and eax, 31",
        "sub rdi, rax",
        "sub rsi, rax",
        ".p2align 4",
        "71:",
        "sub rdi, -128",
        "sub rsi, -128",
        "vmovdqu ymm0, ymmword ptr [rsi]",
        "vpcmpeqb ymm0, ymm0, ymmword ptr [rdi]",
        "vmovdqu ymm1, ymmword ptr [rsi + 32]",
        "vpcmpeqb ymm1, ymm1, ymmword ptr [rdi + 32]",
        "vmovdqu ymm2, ymmword ptr [rsi + 64]",
        "vpcmpeqb ymm2, ymm2, ymmword ptr [rdi + 64]",
        "vmovdqu ymm3, ymmword ptr [rsi + 96]",
        "vpcmpeqb ymm3, ymm3, ymmword ptr [rdi + 96]",
        "vpand ymm4, ymm0, ymm1",
        "vpand ymm5, ymm2, ymm3",
        "vpand ymm5, ymm4, ymm5",
        "vpmovmskb eax, ymm5",
        "inc eax",
        "jnz 80f",
        "lea rax, [rdi + 128]",
        "cmp rax, rcx",
        "jb 71b",
        "mov rdi, rcx",
        "mov rsi, rdx",
        "jmp 61b",
        // Which of the four vectors at rdi and rsi differs.
        "80:",
        "vpmovmskb eax, ymm0",
        "inc eax",
        "jnz 20f",
        "vpmovmskb eax, ymm1",
        "inc eax",
        "jnz 21f",
        "vpmovmskb eax, ymm2",
        "inc eax",
        "jnz 22f",
        "vpmovmskb eax, ymm3",
        "inc eax",
        // The difference in the vector at rdi + 96, + 64, + 32, + 0.
        "23:",
        "tzcnt eax, eax",
        "add eax, 96",
        "jmp 25f",
        "22:",
        "tzcnt eax, eax",
        "add eax, 64",
        "jmp 25f",
        "21:",
        "tzcnt eax, eax",
        "add eax, 32",
        "jmp 25f",
        "20:",
        "tzcnt eax, eax",
        "25:",
        "movzx ecx, byte ptr [rsi + rax]",
        "movzx eax, byte ptr [rdi + rax]",
        "sub eax, ecx",
        "vzeroupper",
        "ret",
    )
}

/// Defines the exported `memcmp` for x86_64 as a naked entry: above 32
/// bytes, when the byte at `level` is `avx2`, one jump to [`memcmp_avx2`]
/// (as glibc's call takes one through its resolved pointer), else (the CPU
/// not yet asked, or without AVX2) to `compiled`; 16 to 32 bytes here, in
/// two SSE2 vectors; below 16 to `compiled` too, an `extern "C"` function
/// of `memcmp`'s signature.
///
/// `$(#[$attr])*` go on the function (`no_mangle` outside unit tests).
#[macro_export]
macro_rules! define_memcmp_entry {
    ($(#[$attr:meta])* $name:ident, compiled: $compiled:path, level: $level:path, avx2: $avx2:expr) => {
        $(#[$attr])*
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name(
            a: *const ::core::ffi::c_void,
            b: *const ::core::ffi::c_void,
            n: usize,
        ) -> ::core::ffi::c_int {
            ::core::arch::naked_asm!(
                "cmp rdx, 32",
                "jbe 3f",
                "cmp byte ptr [rip + {level}], {avx2}",
                "jne {compiled}",
                "jmp {body}",
                "3:",
                "cmp rdx, 16",
                "jb {compiled}",
                // 16 to 32 bytes: the first 16 and the last 16. The mask
                // minus 0xffff is 0 when all are equal, else has its lowest
                // set bit at the first difference (as the mask plus one).
                "movdqu xmm0, xmmword ptr [rsi]",
                "movdqu xmm1, xmmword ptr [rdi]",
                "pcmpeqb xmm0, xmm1",
                "pmovmskb eax, xmm0",
                "sub eax, 0xffff",
                "jnz 5f",
                "movdqu xmm0, xmmword ptr [rsi + rdx - 16]",
                "movdqu xmm1, xmmword ptr [rdi + rdx - 16]",
                "pcmpeqb xmm0, xmm1",
                "pmovmskb eax, xmm0",
                "sub eax, 0xffff",
                "jnz 4f",
                "ret",
                "4:",
                "lea rdi, [rdi + rdx - 16]",
                "lea rsi, [rsi + rdx - 16]",
                // (tzcnt runs as bsf where BMI1 is missing: the same for a
                // mask that is not zero.)
                "5:",
                "tzcnt eax, eax",
                "movzx ecx, byte ptr [rsi + rax]",
                "movzx eax, byte ptr [rdi + rax]",
                "sub eax, ecx",
                "ret",
                compiled = sym $compiled,
                level = sym $level,
                avx2 = const $avx2,
                body = sym $crate::memcmp_avx2,
            )
        }
    };
}

/// Defines the exported `strlen` for x86_64 as a naked function: while the
/// byte at `level` is not `avx2` (the CPU not yet asked, or without AVX2)
/// it jumps to `other` (an `extern "C" fn(*const c_char) -> usize`);
/// else it measures with AVX2 right here, laid out so that a string found
/// in its first 32 bytes takes no branch. The algorithm is
/// `x86_common::strlen_avx2`'s (i686 keeps that one): the first 32 bytes
/// unaligned unless they cross a page, the next four aligned vectors one
/// by one, then 128 bytes a step with `vpminub`; it reads past the
/// terminator only within aligned blocks, never across a page.
///
/// `$(#[$attr])*` go on the function (`no_mangle` outside unit tests).
#[macro_export]
macro_rules! define_strlen_entry {
    ($(#[$attr:meta])* $name:ident, level: $level:path, avx2: $avx2:expr, other: $other:path) => {
        $(#[$attr])*
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name(s: *const ::core::ffi::c_char) -> usize {
            ::core::arch::naked_asm!(
                "cmp byte ptr [rip + {level}], {avx2}",
                "jne {other}",
                "vpxor xmm0, xmm0, xmm0",
                "mov eax, edi",
                "and eax, 4095",
                "cmp eax, 4064",
                "ja 13f",
                // The first 32 bytes, unaligned.
                "vpcmpeqb ymm1, ymm0, ymmword ptr [rdi]",
                "vpmovmskb eax, ymm1",
                "test eax, eax",
                "jz 1f",
                "tzcnt eax, eax",
                "vzeroupper",
                "ret",
                "1:",
                "mov rdx, rdi",
                "and rdx, -32",
                // The next four aligned vectors, one by one.
                "2:",
                "vpcmpeqb ymm1, ymm0, ymmword ptr [rdx + 32]",
                "vpmovmskb eax, ymm1",
                "test eax, eax",
                "jnz 6f",
                "vpcmpeqb ymm1, ymm0, ymmword ptr [rdx + 64]",
                "vpmovmskb eax, ymm1",
                "test eax, eax",
                "jnz 5f",
                "vpcmpeqb ymm1, ymm0, ymmword ptr [rdx + 96]",
                "vpmovmskb eax, ymm1",
                "test eax, eax",
                "jnz 4f",
                "vpcmpeqb ymm1, ymm0, ymmword ptr [rdx + 128]",
                "vpmovmskb eax, ymm1",
                "sub rdx, -128",
                "test eax, eax",
                "jnz 7f",
                // Checked up to rdx + 32: on from the 128-byte block
                // holding that (some of it again).
                "add rdx, 32",
                "and rdx, -128",
                ".p2align 4",
                "3:",
                "vmovdqa ymm1, ymmword ptr [rdx]",
                "vpminub ymm1, ymm1, ymmword ptr [rdx + 32]",
                "vmovdqa ymm2, ymmword ptr [rdx + 64]",
                "vpminub ymm2, ymm2, ymmword ptr [rdx + 96]",
                "vpminub ymm2, ymm1, ymm2",
                "vpcmpeqb ymm2, ymm2, ymm0",
                "vpmovmskb eax, ymm2",
                "sub rdx, -128",
                "test eax, eax",
                "jz 3b",
                "add rdx, -128",
                // Which of the four holds it.
                "12:",
                "vpcmpeqb ymm1, ymm0, ymmword ptr [rdx]",
                "vpmovmskb eax, ymm1",
                "test eax, eax",
                "jnz 7f",
                "add rdx, 32",
                "jmp 12b",
                // Found in the vector at rdx + 96, + 64, + 32, + 0.
                "4:",
                "add rdx, 32",
                "5:",
                "add rdx, 32",
                "6:",
                "add rdx, 32",
                "7:",
                "tzcnt eax, eax",
                "sub rdx, rdi",
                "add rax, rdx",
                "vzeroupper",
                "ret",
                // The page ends within 32 bytes: the aligned block holding
                // the start, its bytes before the start shifted out.
                "13:",
                "mov rdx, rdi",
                "and rdx, -32",
                "vpcmpeqb ymm1, ymm0, ymmword ptr [rdx]",
                "vpmovmskb eax, ymm1",
                "mov ecx, edi",
                "and ecx, 31",
                "shr eax, cl",
                "test eax, eax",
                "jz 2b",
                "tzcnt eax, eax",
                "vzeroupper",
                "ret",
                level = sym $level,
                avx2 = const $avx2,
                other = sym $other,
            )
        }
    };
}

/// Defines the exported `memset` for x86_64 as a naked function: up to 64
/// bytes here (below 16 in two to four overlapping scalar stores of the
/// byte repeated, 16 to 64 in two or four overlapping SSE2 vectors), laid
/// out so that 16 to 32 bytes take no branch; above 64 on to `large` (an
/// `extern "C"` function of `memset`'s signature). Compiled, the same
/// stores took two branches at 16 bytes, and where the function landed
/// in the binary moved its speed by 10%.
///
/// `$(#[$attr])*` go on the function (`no_mangle` outside unit tests).
#[macro_export]
macro_rules! define_memset_entry {
    ($(#[$attr:meta])* $name:ident, large: $large:path) => {
        $(#[$attr])*
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name(
            d: *mut ::core::ffi::c_void,
            c: ::core::ffi::c_int,
            n: usize,
        ) -> *mut ::core::ffi::c_void {
            ::core::arch::naked_asm!(
                "cmp rdx, 64",
                "ja {large}",
                "mov rax, rdi",
                "cmp rdx, 16",
                "jb 5f",
                "movd xmm0, esi",
                "punpcklbw xmm0, xmm0",
                "pshuflw xmm0, xmm0, 0",
                "pshufd xmm0, xmm0, 0",
                "movdqu xmmword ptr [rdi], xmm0",
                "movdqu xmmword ptr [rdi + rdx - 16], xmm0",
                "cmp rdx, 32",
                "ja 1f",
                "ret",
                "1:",
                "movdqu xmmword ptr [rdi + 16], xmm0",
                "movdqu xmmword ptr [rdi + rdx - 32], xmm0",
                "ret",
                // Below 16: the byte in every byte of rcx.
                "5:",
                "movzx ecx, sil",
                "movabs r8, 0x0101010101010101",
                "imul rcx, r8",
                "cmp rdx, 8",
                "jb 6f",
                "mov qword ptr [rdi], rcx",
                "mov qword ptr [rdi + rdx - 8], rcx",
                "ret",
                "6:",
                "cmp rdx, 4",
                "jb 7f",
                "mov dword ptr [rdi], ecx",
                "mov dword ptr [rdi + rdx - 4], ecx",
                "ret",
                // 0 to 3: the first, the middle and the last byte.
                "7:",
                "test rdx, rdx",
                "jz 8f",
                "mov byte ptr [rdi], cl",
                "mov byte ptr [rdi + rdx - 1], cl",
                "shr rdx, 1",
                "mov byte ptr [rdi + rdx], cl",
                "8:",
                "ret",
                large = sym $large,
            )
        }
    };
}

/// Defines the exported `memcpy` for x86_64 as a naked function that is a
/// correct `memmove` too (every size class loads all its bytes before it
/// stores any): up to 16 bytes in two overlapping scalar loads and stores,
/// 17 to 64 in two or four SSE2 vectors, and 65 to 256, once the byte at
/// `level` is `avx2`, in four or eight AVX2 vectors; the rest on to
/// `large` (an `extern "C"` function of `memmove`'s signature). Laid out
/// so that 33 to 64 bytes take no branch and 129 to 256 one.
///
/// `$(#[$attr])*` go on the function (`no_mangle` outside unit tests).
#[macro_export]
macro_rules! define_memcpy_entry {
    ($(#[$attr:meta])* $name:ident, level: $level:path, avx2: $avx2:expr, large: $large:path) => {
        $(#[$attr])*
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name(
            d: *mut ::core::ffi::c_void,
            s: *const ::core::ffi::c_void,
            n: usize,
        ) -> *mut ::core::ffi::c_void {
            ::core::arch::naked_asm!(
                "mov rax, rdi",
                "cmp rdx, 16",
                "jbe 5f",
                "cmp rdx, 32",
                "jbe 1f",
                "cmp rdx, 64",
                "ja 3f",
                // 33 to 64 bytes.
                "movdqu xmm0, xmmword ptr [rsi]",
                "movdqu xmm1, xmmword ptr [rsi + 16]",
                "movdqu xmm2, xmmword ptr [rsi + rdx - 32]",
                "movdqu xmm3, xmmword ptr [rsi + rdx - 16]",
                "movdqu xmmword ptr [rdi], xmm0",
                "movdqu xmmword ptr [rdi + 16], xmm1",
                "movdqu xmmword ptr [rdi + rdx - 32], xmm2",
                "movdqu xmmword ptr [rdi + rdx - 16], xmm3",
                "ret",
                // 17 to 32 bytes.
                "1:",
                "movdqu xmm0, xmmword ptr [rsi]",
                "movdqu xmm1, xmmword ptr [rsi + rdx - 16]",
                "movdqu xmmword ptr [rdi], xmm0",
                "movdqu xmmword ptr [rdi + rdx - 16], xmm1",
                "ret",
                "3:",
                "cmp byte ptr [rip + {level}], {avx2}",
                "jne {large}",
                "cmp rdx, 256",
                "ja {large}",
                "cmp rdx, 128",
                "jbe 4f",
                // 129 to 256 bytes: four from each end.
                "vmovdqu ymm0, ymmword ptr [rsi]",
                "vmovdqu ymm1, ymmword ptr [rsi + 32]",
                "vmovdqu ymm2, ymmword ptr [rsi + 64]",
                "vmovdqu ymm3, ymmword ptr [rsi + 96]",
                "vmovdqu ymm4, ymmword ptr [rsi + rdx - 128]",
                "vmovdqu ymm5, ymmword ptr [rsi + rdx - 96]",
                "vmovdqu ymm6, ymmword ptr [rsi + rdx - 64]",
                "vmovdqu ymm7, ymmword ptr [rsi + rdx - 32]",
                "vmovdqu ymmword ptr [rdi], ymm0",
                "vmovdqu ymmword ptr [rdi + 32], ymm1",
                "vmovdqu ymmword ptr [rdi + 64], ymm2",
                "vmovdqu ymmword ptr [rdi + 96], ymm3",
                "vmovdqu ymmword ptr [rdi + rdx - 128], ymm4",
                "vmovdqu ymmword ptr [rdi + rdx - 96], ymm5",
                "vmovdqu ymmword ptr [rdi + rdx - 64], ymm6",
                "vmovdqu ymmword ptr [rdi + rdx - 32], ymm7",
                "vzeroupper",
                "ret",
                // 65 to 128 bytes: two vectors from each end.
                "4:",
                "vmovdqu ymm0, ymmword ptr [rsi]",
                "vmovdqu ymm1, ymmword ptr [rsi + 32]",
                "vmovdqu ymm2, ymmword ptr [rsi + rdx - 64]",
                "vmovdqu ymm3, ymmword ptr [rsi + rdx - 32]",
                "vmovdqu ymmword ptr [rdi], ymm0",
                "vmovdqu ymmword ptr [rdi + 32], ymm1",
                "vmovdqu ymmword ptr [rdi + rdx - 64], ymm2",
                "vmovdqu ymmword ptr [rdi + rdx - 32], ymm3",
                "vzeroupper",
                "ret",
                // Up to 16: 8-byte halves, not one vector. An overlapping
                // move of 16 then reads what the previous call stored as
                // two halves, which the CPU forwards; from one vector it
                // would wait for those stores to finish.
                "5:",
                "cmp rdx, 8",
                "jb 6f",
                "mov rcx, qword ptr [rsi]",
                "mov r8, qword ptr [rsi + rdx - 8]",
                "mov qword ptr [rdi], rcx",
                "mov qword ptr [rdi + rdx - 8], r8",
                "ret",
                "6:",
                "cmp rdx, 4",
                "jb 7f",
                "mov ecx, dword ptr [rsi]",
                "mov r8d, dword ptr [rsi + rdx - 4]",
                "mov dword ptr [rdi], ecx",
                "mov dword ptr [rdi + rdx - 4], r8d",
                "ret",
                "7:",
                "cmp rdx, 2",
                "jb 8f",
                "movzx ecx, word ptr [rsi]",
                "movzx r8d, word ptr [rsi + rdx - 2]",
                "mov word ptr [rdi], cx",
                "mov word ptr [rdi + rdx - 2], r8w",
                "ret",
                "8:",
                "test rdx, rdx",
                "jz 9f",
                "movzx ecx, byte ptr [rsi]",
                "mov byte ptr [rdi], cl",
                "9:",
                "ret",
                level = sym $level,
                avx2 = const $avx2,
                large = sym $large,
            )
        }
    };
}

/// Defines a naked function that jumps to `target` (same signature): the
/// exported `memmove` on x86_64, whose work [`define_memcpy_entry!`]'s
/// `memcpy` does, and `bcmp`, whose answer `memcmp` gives.
#[macro_export]
macro_rules! define_jump {
    ($(#[$attr:meta])* $name:ident ($($arg:ident: $ty:ty),*) -> $ret:ty, to: $target:path) => {
        $(#[$attr])*
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
            ::core::arch::naked_asm!("jmp {target}", target = sym $target)
        }
    };
}
