//! Thread-local storage, set up by the runtime itself.
//!
//! A static executable has no dynamic loader to lay out TLS, so the runtime
//! does it before anything reads a thread-local: it finds the `PT_TLS`
//! segment, reserves one area holding the TLS block and the thread's
//! [`ThreadData`], copies `.tdata`, zeroes `.tbss`, and points the thread
//! register at it.
//!
//! The layout is pure arithmetic ([`Layout::new`]) so it is tested on the
//! host; the offsets must agree with those the linker wrote into
//! local-exec TLS accesses:
//!
//! - variant II (x86_64, i686): the thread pointer addresses the thread
//!   control block and the TLS block ends just below it;
//! - variant I (aarch64, riscv64): the thread pointer is followed by a small
//!   header and then the TLS block; [`ThreadData`] sits below the pointer.
//!
//! The calling thread's `errno` lives in [`ThreadData`]. The syscall layer
//! never touches it: only the C-style API passes its address.
#![cfg_attr(not(test), no_std)]

use core::ffi::c_int;
use core::mem::{align_of, size_of};
use linux_raw_sys::elf::{Elf_Phdr, PT_TLS};

/// How the TLS block sits relative to the thread pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The block follows the thread pointer after `header` bytes (plus
    /// alignment padding); [`ThreadData`] sits below the pointer.
    I {
        /// Bytes between the thread pointer and the first possible block start.
        header: usize,
    },
    /// The block ends at the thread pointer, which addresses [`ThreadData`].
    II,
}

/// The TLS variant of the architecture this crate was built for.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub const ARCH_VARIANT: Variant = Variant::II;
/// The TLS variant of the architecture this crate was built for.
#[cfg(target_arch = "aarch64")]
pub const ARCH_VARIANT: Variant = Variant::I { header: 16 };
/// The TLS variant of the architecture this crate was built for.
#[cfg(target_arch = "riscv64")]
pub const ARCH_VARIANT: Variant = Variant::I { header: 0 };

/// Per-thread data the runtime keeps beside the TLS block.
///
/// On x86_64 this is the thread control block itself, so its first fields
/// follow the psABI: a self-pointer at offset 0 (`%fs:0` reads the thread
/// pointer) and the stack-protector canary at offset 0x28.
#[repr(C)]
#[derive(Debug)]
pub struct ThreadData {
    /// The thread pointer's own value (offset 0).
    self_ptr: usize,
    /// Dynamic thread vector: unused, static TLS only (offset 8).
    dtv: usize,
    /// Reserved, zero (offsets 0x10 to 0x20).
    reserved: [usize; 3],
    /// Stack-protector canary, from `AT_RANDOM` (offset 0x28 on x86_64, 0x14
    /// on i686).
    stack_guard: usize,
    /// Pointer-mangling guard, from `AT_RANDOM` (offset 0x30 on x86_64).
    pointer_guard: usize,
    /// The thread's `errno`.
    pub errno: c_int,
    /// The thread's kernel ID, once the runtime has read it (0 before).
    pub tid: c_int,
    /// The runtime's record of this thread (null for the main thread): what
    /// a thread library reaches from the thread pointer.
    pub control: *mut u8,
    /// Head of the thread's list of TLS destructors (the runtime's, null
    /// when empty).
    pub destructors: *mut u8,
    /// The C layer's per-thread values of `pthread_key_t` keys (null until
    /// the thread sets one).
    pub specific: *mut u8,
    /// The allocator's per-thread cache: a free list per size class.
    pub alloc_heads: [*mut u8; ALLOC_CLASSES],
    /// Blocks on each of those lists.
    pub alloc_counts: [u32; ALLOC_CLASSES],
}

/// Size classes the runtime's allocator caches per thread.
pub const ALLOC_CLASSES: usize = 8;

/// Where the stack-protector canary sits from the thread pointer on x86,
/// as compilers emit it (`%fs:0x28` on x86_64, `%gs:0x14` on i686).
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub const STACK_GUARD_OFFSET: usize = core::mem::offset_of!(ThreadData, stack_guard);
#[cfg(target_arch = "x86_64")]
const _: () = assert!(STACK_GUARD_OFFSET == 0x28);
#[cfg(target_arch = "x86")]
const _: () = assert!(STACK_GUARD_OFFSET == 0x14);

/// The calling thread's stack-protector canary (from `AT_RANDOM`).
pub fn stack_guard() -> usize {
    // SAFETY: the thread's ThreadData is live while the thread runs.
    unsafe { (*thread_data()).stack_guard }
}

/// The `PT_TLS` segment of the running image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsImage {
    /// Run-time address of the initialisation image (`.tdata`).
    pub init_addr: usize,
    /// Bytes of the image to copy (`p_filesz`).
    pub file_size: usize,
    /// Bytes of the whole block, `.tbss` included (`p_memsz`).
    pub mem_size: usize,
    /// Alignment of the block (`p_align`, at least 1).
    pub align: usize,
    /// Link-time address of the segment (`p_vaddr`); the block is placed so
    /// that it is congruent to this modulo `align`, as the linker assumed.
    pub vaddr: usize,
}

impl TlsImage {
    /// The `PT_TLS` segment among `phdrs`, relocated by `load_bias`.
    pub fn from_phdrs(phdrs: &[Elf_Phdr], load_bias: usize) -> Option<TlsImage> {
        let p = phdrs.iter().find(|p| p.p_type == PT_TLS)?;
        Some(TlsImage {
            init_addr: load_bias.wrapping_add(p.p_vaddr),
            file_size: p.p_filesz,
            mem_size: p.p_memsz,
            align: p.p_align.max(1),
            vaddr: p.p_vaddr,
        })
    }
}

/// Why a TLS layout could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutError {
    /// `p_align` is not a power of two.
    BadAlign(usize),
    /// `p_filesz` exceeds `p_memsz`.
    FileLargerThanMemory,
    /// The sizes overflow the address space.
    TooLarge,
}

impl LayoutError {
    /// What went wrong, without the numbers.
    pub const fn message(&self) -> &'static str {
        match self {
            LayoutError::BadAlign(_) => "the PT_TLS alignment is not a power of two",
            LayoutError::FileLargerThanMemory => "the PT_TLS file size exceeds its memory size",
            LayoutError::TooLarge => "the PT_TLS segment is too large",
        }
    }
}

impl core::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())?;
        match *self {
            LayoutError::BadAlign(a) => write!(f, " ({a})"),
            _ => Ok(()),
        }
    }
}

/// Where things go in one thread's TLS area. All offsets are from the start
/// of the area, which must be aligned to [`Layout::align`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Bytes the area needs.
    pub size: usize,
    /// Alignment the area needs.
    pub align: usize,
    /// Offset of the thread pointer.
    pub tp_offset: usize,
    /// Offset of the TLS block.
    pub block_offset: usize,
    /// Offset of [`ThreadData`].
    pub data_offset: usize,
    /// Bytes of the TLS block (`p_memsz`, 0 without `PT_TLS`).
    pub block_size: usize,
    /// Bytes of the block to copy from the image (`p_filesz`).
    pub init_size: usize,
}

fn round_up(n: usize, align: usize) -> Option<usize> {
    Some(n.checked_add(align - 1)? & !(align - 1))
}

impl Layout {
    /// The layout for `image` (or for no `PT_TLS`) under `variant`.
    pub fn new(image: Option<&TlsImage>, variant: Variant) -> Result<Layout, LayoutError> {
        let (mem, file, block_align, vaddr) = match image {
            Some(i) => (i.mem_size, i.file_size, i.align, i.vaddr),
            None => (0, 0, 1, 0),
        };
        if !block_align.is_power_of_two() {
            return Err(LayoutError::BadAlign(block_align));
        }
        if file > mem {
            return Err(LayoutError::FileLargerThanMemory);
        }
        let align = block_align.max(align_of::<ThreadData>());
        let data_size = size_of::<ThreadData>();
        let mask = block_align - 1;
        match variant {
            Variant::II => {
                // The smallest distance below the thread pointer that holds
                // the block and keeps it congruent to vaddr (the thread
                // pointer being aligned): the linker's TPOFF arithmetic.
                let below =
                    mem.checked_add(vaddr.wrapping_neg().wrapping_sub(mem) & mask).ok_or(LayoutError::TooLarge)?;
                let tp_offset = round_up(below, align).ok_or(LayoutError::TooLarge)?;
                Ok(Layout {
                    size: tp_offset.checked_add(data_size).ok_or(LayoutError::TooLarge)?,
                    align,
                    tp_offset,
                    block_offset: tp_offset - below,
                    data_offset: tp_offset,
                    block_size: mem,
                    init_size: file,
                })
            }
            Variant::I { header } => {
                let tp_offset = round_up(data_size, align).ok_or(LayoutError::TooLarge)?;
                let after = header + (vaddr.wrapping_sub(header) & mask);
                let block_offset = tp_offset.checked_add(after).ok_or(LayoutError::TooLarge)?;
                Ok(Layout {
                    size: block_offset.checked_add(mem).ok_or(LayoutError::TooLarge)?,
                    align,
                    tp_offset,
                    block_offset,
                    data_offset: tp_offset - data_size,
                    block_size: mem,
                    init_size: file,
                })
            }
        }
    }
}

/// Fills a thread's TLS area and returns the thread pointer to install.
///
/// Zeroes the whole area, copies the initialisation image, and writes the
/// [`ThreadData`] with `canary` as the stack guard and `pointer_guard`.
///
/// # Safety
/// `area` must be valid for writes of `layout.size` bytes and aligned to
/// `layout.align`; `image` must be the image `layout` was made from, readable
/// for `layout.init_size` bytes.
pub unsafe fn initialize_area(
    area: *mut u8,
    layout: &Layout,
    image: Option<&TlsImage>,
    canary: usize,
    pointer_guard: usize,
) -> *mut u8 {
    // SAFETY: the caller vouches that the area is writable and big enough
    // and that the image is readable; the layout keeps every part in bounds.
    unsafe {
        core::ptr::write_bytes(area, 0, layout.size);
        if let Some(image) = image {
            core::ptr::copy_nonoverlapping(
                image.init_addr as *const u8,
                area.add(layout.block_offset),
                layout.init_size,
            );
        }
        let tp = area.add(layout.tp_offset);
        let data = area.add(layout.data_offset).cast::<ThreadData>();
        data.write(ThreadData {
            self_ptr: tp as usize,
            dtv: 0,
            reserved: [0; 3],
            stack_guard: canary,
            pointer_guard,
            errno: 0,
            tid: 0,
            control: core::ptr::null_mut(),
            destructors: core::ptr::null_mut(),
            specific: core::ptr::null_mut(),
            alloc_heads: [core::ptr::null_mut(); ALLOC_CLASSES],
            alloc_counts: [0; ALLOC_CLASSES],
        });
        tp
    }
}

/// The calling thread's [`ThreadData`], from the thread pointer.
///
/// Valid once the thread's TLS is installed (the runtime does it before any
/// user code runs).
#[inline(always)]
pub fn thread_data() -> *mut ThreadData {
    thread_data_at(sys_layer_arch::thread_pointer())
}

/// The [`ThreadData`] of the thread whose thread pointer is `tp` (what
/// [`initialize_area`] returned for it).
#[inline(always)]
pub fn thread_data_at(tp: *mut u8) -> *mut ThreadData {
    match ARCH_VARIANT {
        Variant::II => tp.cast(),
        Variant::I { .. } => tp.wrapping_sub(size_of::<ThreadData>()).cast(),
    }
}

/// Address of the calling thread's `errno`.
#[inline(always)]
pub fn errno_location() -> *mut c_int {
    // SAFETY: thread_data addresses this thread's live ThreadData; taking a
    // field's address reads nothing.
    unsafe { &raw mut (*thread_data()).errno }
}

/// Stack-protector canary from the 16 `AT_RANDOM` bytes: the first word with
/// its lowest byte zeroed, so a string overflow cannot reproduce it.
pub fn canary_from_random(random: &[u8; 16]) -> usize {
    let mut word = [0u8; size_of::<usize>()];
    word.copy_from_slice(&random[..size_of::<usize>()]);
    usize::from_le_bytes(word) & !0xff
}

/// Pointer guard from the 16 `AT_RANDOM` bytes: the second half.
pub fn pointer_guard_from_random(random: &[u8; 16]) -> usize {
    let mut word = [0u8; size_of::<usize>()];
    word.copy_from_slice(&random[16 - size_of::<usize>()..]);
    usize::from_le_bytes(word)
}

/// Why the main thread's TLS could not be set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitError {
    /// The `PT_TLS` segment makes no valid layout.
    Layout(LayoutError),
    /// mmap for an area larger than the static one failed (the errno).
    Map(i32),
    /// The kernel refused the thread pointer (the errno).
    SetThreadPointer(i32),
}

impl InitError {
    /// What went wrong, without the numbers.
    pub const fn message(&self) -> &'static str {
        match self {
            InitError::Layout(e) => e.message(),
            InitError::Map(_) => "mmap of the TLS area failed",
            InitError::SetThreadPointer(_) => "setting the thread pointer failed",
        }
    }
}

impl core::fmt::Display for InitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            InitError::Layout(e) => write!(f, "{e}"),
            InitError::Map(r) | InitError::SetThreadPointer(r) => {
                write!(f, "{} (errno {r})", self.message())
            }
        }
    }
}

/// What a new thread's TLS area is made from: the image and layout start-up
/// found for the main thread, and its canary and pointer guard (threads
/// share them, as they do under C libraries).
#[derive(Debug, Clone, Copy)]
pub struct ThreadTemplate {
    /// The `PT_TLS` segment, if any.
    pub image: Option<TlsImage>,
    /// The area's layout.
    pub layout: Layout,
    /// The stack-protector canary.
    pub canary: usize,
    /// The pointer guard.
    pub pointer_guard: usize,
}

sys_layer_arch::declare_hot_section!();

// Start-up state (no `Option`: its `None` need not be zero bytes, which
// the section requires), with the flag that says it was written.
#[unsafe(link_section = sys_layer_arch::hot_section!())]
static mut TEMPLATE: core::mem::MaybeUninit<ThreadTemplate> = core::mem::MaybeUninit::uninit();
#[unsafe(link_section = sys_layer_arch::hot_section!())]
static TEMPLATE_SET: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// The template [`init_main_thread`] recorded (`None` before it ran).
pub fn thread_template() -> Option<ThreadTemplate> {
    if !TEMPLATE_SET.load(core::sync::atomic::Ordering::Acquire) {
        return None;
    }
    // SAFETY: written once, by init_main_thread, before the flag and
    // before any other thread can exist; only read after.
    Some(unsafe { (&raw const TEMPLATE).cast::<ThreadTemplate>().read() })
}

/// Bytes of the main thread's area kept with the start-up state (see
/// `sys_layer_arch::hot_section!`); a larger `PT_TLS` gets an anonymous
/// mapping instead (one more system call at start-up). The thread data
/// and the `PT_TLS` of the std programs (at most 144 bytes) fit; smaller
/// than it was (1 KiB), so the start-up state more often fits on the page
/// it is meant for.
pub const MAIN_AREA_SIZE: usize = 512;
const MAIN_AREA_ALIGN: usize = 64;

#[repr(C, align(64))]
struct MainArea([u8; MAIN_AREA_SIZE]);
const _: () = assert!(align_of::<MainArea>() == MAIN_AREA_ALIGN);

#[unsafe(link_section = sys_layer_arch::hot_section!())]
static mut MAIN_AREA: MainArea = MainArea([0; MAIN_AREA_SIZE]);

/// Sets up TLS for the main thread: lays out the block for the `PT_TLS`
/// among `phdrs` (if any), fills the area and sets the thread pointer.
///
/// # Safety
/// Call once, on the main thread, before anything uses TLS; `phdrs` and
/// `load_bias` must describe the running image.
pub unsafe fn init_main_thread(
    phdrs: &[Elf_Phdr],
    load_bias: usize,
    random: Option<&[u8; 16]>,
) -> Result<Layout, InitError> {
    let image = TlsImage::from_phdrs(phdrs, load_bias);
    let layout = Layout::new(image.as_ref(), ARCH_VARIANT).map_err(InitError::Layout)?;
    let area = if layout.size <= MAIN_AREA_SIZE && layout.align <= MAIN_AREA_ALIGN {
        (&raw mut MAIN_AREA).cast::<u8>()
    } else {
        map_area(&layout)?
    };
    let (canary, guard) = random.map_or((0, 0), |r| (canary_from_random(r), pointer_guard_from_random(r)));
    // SAFETY: start-up is single-threaded; nothing reads it yet.
    unsafe {
        (&raw mut TEMPLATE).write(core::mem::MaybeUninit::new(ThreadTemplate {
            image,
            layout,
            canary,
            pointer_guard: guard,
        }))
    };
    TEMPLATE_SET.store(true, core::sync::atomic::Ordering::Release);
    // SAFETY: the area is ours (the static, touched by nothing else, or a
    // fresh mapping), big and aligned enough; the image is the running one.
    let tp = unsafe { initialize_area(area, &layout, image.as_ref(), canary, guard) };
    // SAFETY: tp addresses the ThreadData just written, in memory that lives
    // as long as the process.
    let ret = unsafe { sys_layer_arch::set_thread_pointer(tp) };
    sys_layer_arch::check(ret).map_err(InitError::SetThreadPointer)?;
    Ok(layout)
}

fn map_area(layout: &Layout) -> Result<*mut u8, InitError> {
    use linux_raw_sys::general::{MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE};
    // i686's `mmap` is the old one-argument form; `mmap2` takes the six
    // (the offset, 0 here, in pages).
    #[cfg(not(target_arch = "x86"))]
    use linux_raw_sys::general::__NR_mmap as MMAP;
    #[cfg(target_arch = "x86")]
    use linux_raw_sys::general::__NR_mmap2 as MMAP;
    // Over-allocate so the area can be aligned by hand; mmap gives pages.
    let len = layout.size.checked_add(layout.align).ok_or(InitError::Layout(LayoutError::TooLarge))?;
    let no_file = -1i32;
    // SAFETY: an anonymous private mapping touches no existing memory.
    let addr = unsafe {
        sys_layer_arch::sys!(MMAP, 0usize, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, no_file, 0usize)
    }
    .map_err(InitError::Map)?;
    Ok(round_up(addr, layout.align).ok_or(InitError::Map(linux_raw_sys::errno::ENOMEM as i32))? as *mut u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(mem: usize, file: usize, align: usize, vaddr: usize) -> TlsImage {
        TlsImage { init_addr: 0, file_size: file, mem_size: mem, align, vaddr }
    }

    /// The offset of a TLS variable at `sym` bytes into the segment, from
    /// the thread pointer, as lld computes it for local-exec accesses.
    fn linker_tpoff(img: &TlsImage, variant: Variant, sym: usize) -> isize {
        let a = img.align;
        match variant {
            Variant::II => {
                sym as isize - (img.mem_size + (img.vaddr.wrapping_neg().wrapping_sub(img.mem_size) & (a - 1))) as isize
            }
            Variant::I { header } => (sym + header + (img.vaddr.wrapping_sub(header) & (a - 1))) as isize,
        }
    }

    #[test]
    fn variant_ii_matches_the_linker() {
        for (mem, align, vaddr) in
            [(24, 8, 0x20_3000), (8, 64, 0x20_3040), (100, 16, 0x20_1008 & !15), (1, 1, 0x1001), (72, 64, 0x40_0010)]
        {
            let img = image(mem, mem / 2, align, vaddr);
            let l = Layout::new(Some(&img), Variant::II).unwrap();
            assert_eq!(l.tp_offset % l.align, 0);
            assert_eq!(l.block_offset as isize - l.tp_offset as isize, linker_tpoff(&img, Variant::II, 0));
            assert_eq!((l.block_offset % align), vaddr % align, "block keeps vaddr's alignment");
            assert!(l.block_offset + mem <= l.tp_offset, "block ends at or below tp");
            assert_eq!(l.data_offset, l.tp_offset);
            assert!(l.size >= l.tp_offset + size_of::<ThreadData>());
        }
    }

    #[test]
    fn variant_i_matches_the_linker() {
        for header in [0, 16] {
            let v = Variant::I { header };
            for (mem, align, vaddr) in [(24, 8, 0x20_3000), (8, 64, 0x20_3040), (40, 32, 0x41_0010)] {
                let img = image(mem, 8, align, vaddr);
                let l = Layout::new(Some(&img), v).unwrap();
                assert_eq!(l.tp_offset % l.align, 0);
                assert_eq!(l.block_offset as isize - l.tp_offset as isize, linker_tpoff(&img, v, 0));
                assert!(l.block_offset >= l.tp_offset + header);
                assert_eq!(l.data_offset + size_of::<ThreadData>(), l.tp_offset);
                assert_eq!(l.size, l.block_offset + mem);
            }
        }
    }

    #[test]
    fn no_pt_tls_still_gives_thread_data() {
        for v in [Variant::II, Variant::I { header: 16 }] {
            let l = Layout::new(None, v).unwrap();
            assert_eq!(l.block_size, 0);
            assert!(l.size >= size_of::<ThreadData>());
        }
    }

    #[test]
    fn bad_segments_are_errors() {
        assert_eq!(Layout::new(Some(&image(8, 8, 3, 0)), Variant::II), Err(LayoutError::BadAlign(3)));
        assert_eq!(Layout::new(Some(&image(8, 16, 8, 0)), Variant::II), Err(LayoutError::FileLargerThanMemory));
        assert_eq!(Layout::new(Some(&image(usize::MAX - 3, 0, 8, 0)), Variant::II), Err(LayoutError::TooLarge));
        assert_eq!(
            Layout::new(Some(&image(usize::MAX - 3, 0, 8, 0)), Variant::I { header: 16 }),
            Err(LayoutError::TooLarge)
        );
    }

    #[test]
    fn initialize_copies_tdata_and_zeroes_tbss() {
        let tdata = [0xABu8; 12];
        let img =
            TlsImage { init_addr: tdata.as_ptr() as usize, file_size: 12, mem_size: 40, align: 16, vaddr: 0x1000 };
        for v in [Variant::II, Variant::I { header: 16 }] {
            let l = Layout::new(Some(&img), v).unwrap();
            let mut buf = std::vec![0x55u8; l.size + l.align];
            let area = round_up(buf.as_mut_ptr() as usize, l.align).unwrap() as *mut u8;
            // SAFETY: buf has room for the aligned area; tdata is readable.
            let tp = unsafe { initialize_area(area, &l, Some(&img), 0x1234_5600, 7) };
            // SAFETY: every offset below lies inside the area.
            unsafe {
                let block = core::slice::from_raw_parts(area.add(l.block_offset), 40);
                assert_eq!(&block[..12], &tdata);
                assert!(block[12..].iter().all(|&b| b == 0));
                let data = &*area.add(l.data_offset).cast::<ThreadData>();
                assert_eq!(data.self_ptr, tp as usize);
                assert_eq!(data.stack_guard, 0x1234_5600);
                assert_eq!(data.errno, 0);
            }
        }
    }

    #[test]
    fn canary_has_a_zero_low_byte() {
        let r: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        assert_eq!(canary_from_random(&r) & 0xff, 0);
        assert_ne!(canary_from_random(&r), 0);
        assert_ne!(pointer_guard_from_random(&r), 0);
    }
}
