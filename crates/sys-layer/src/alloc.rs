//! The global allocator: size classes for small blocks, the kernel's pages
//! for large ones.
//!
//! Requests up to 2 KiB (size and alignment) come from one of eight classes
//! of powers of two, 16 B to 2 KiB. Each thread keeps a free list per class
//! in its thread data (reached from the thread pointer, no lock, no atomic
//! operation): an allocation pops from it, a free pushes onto it, whichever
//! thread allocated the block. When a thread's list is empty it takes a
//! batch of up to [`BATCH`] blocks from the process's list of that class,
//! under a futex mutex; when that is empty too, the batch is cut from the
//! process's arena, one mapping of [`ARENA`] bytes shared by all classes,
//! and only as many blocks as fill a page (at most [`BATCH`], at least
//! one) are cut at a time, so a page is written to (and the kernel asked to
//! back it) only when a block on it is about to be used. When a thread
//! holds more than [`CACHE_LIMIT`] blocks of a class, half go back. A thread's lists go back
//! to the process's when it ends. Freed small blocks stay with the process.
//! Larger requests get their own anonymous mapping, grown or shrunk with
//! `mremap` where the alignment allows. A freed one of at most
//! [`LARGE_CACHE_BLOCK`] is kept for the next large request it can serve
//! (whole, or its front part), up to [`LARGE_CACHE_SLOTS`] mappings and
//! [`LARGE_CACHE_BYTES`] in all; anything else goes back to the kernel at
//! once. Without that, a program that opens a directory or reads a file
//! into a buffer of a few pages, again and again, paid an `mmap`, a
//! `munmap` and a page fault per page each time (a directory walk with
//! std: 140 mappings and 210 page faults per walk of 73 directories,
//! where glibc's heap made none).
//!
//! Like `malloc`, it is not async-signal-safe: a signal handler must not
//! allocate while the code it interrupted might be.
//!
//! Installed as the `#[global_allocator]` with the `global-allocator`
//! feature (on by default), so `alloc`'s `Vec`, `String`, `Box` and
//! `format!` work in a program on this runtime.

use crate::raw as call;
use crate::sync::Mutex;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::null_mut;
use linux_raw_sys::general as g;

/// The smallest class: 16 bytes, enough for the free-list link.
const MIN_CLASS_LOG2: usize = 4;
/// The largest class: 2 KiB.
const MAX_CLASS_LOG2: usize = 11;
const CLASSES: usize = MAX_CLASS_LOG2 - MIN_CLASS_LOG2 + 1;
const _: () = assert!(CLASSES == sys_layer_tls::ALLOC_CLASSES);
/// Blocks a thread takes from the process's list at a time.
pub const BATCH: u32 = 32;
/// Blocks a thread keeps per class before it gives half back.
pub const CACHE_LIMIT: u32 = 128;
/// How much the arena takes from the kernel at a time. Pages the
/// program never reaches cost nothing but address space.
pub const ARENA: usize = 256 * 1024;
const PAGE: usize = 4096;
/// The largest freed mapping kept for reuse (glibc's default threshold
/// for giving a block a mapping of its own).
pub const LARGE_CACHE_BLOCK: usize = 128 * 1024;
/// How many freed mappings are kept at most.
pub const LARGE_CACHE_SLOTS: usize = 16;
/// How many bytes of freed mappings are kept at most.
pub const LARGE_CACHE_BYTES: usize = 512 * 1024;

/// The allocator. Stateless to hold: its lists are a static of this module.
pub struct Allocator;

struct FreeLists {
    heads: [*mut FreeBlock; CLASSES],
    /// The arena's first byte not yet cut into blocks, and its end.
    arena_next: usize,
    arena_end: usize,
    /// Freed large mappings kept for reuse: (start, length), length 0 for
    /// an empty slot; `large_bytes` is the sum of the lengths.
    large: [(usize, usize); LARGE_CACHE_SLOTS],
    large_bytes: usize,
}

struct FreeBlock {
    next: *mut FreeBlock,
}

// SAFETY: the lists are only touched under the mutex.
unsafe impl Send for FreeLists {}

/// The process's lists, which threads take batches from and give back to.
static LISTS: Mutex<FreeLists> = Mutex::new(FreeLists {
    heads: [null_mut(); CLASSES],
    arena_next: 0,
    arena_end: 0,
    large: [(0, 0); LARGE_CACHE_SLOTS],
    large_bytes: 0,
});

impl FreeLists {
    /// A kept mapping for `len` bytes (a multiple of the page): the
    /// smallest that holds them; a larger one is split, its front handed
    /// out and its tail kept.
    fn take_large(&mut self, len: usize) -> Option<*mut u8> {
        let slot = (0..LARGE_CACHE_SLOTS).filter(|&i| self.large[i].1 >= len).min_by_key(|&i| self.large[i].1)?;
        let (start, have) = self.large[slot];
        self.large[slot] = if have == len { (0, 0) } else { (start + len, have - len) };
        self.large_bytes -= len;
        Some(start as *mut u8)
    }

    /// Keeps the freed mapping `start..start + len` if it is small enough
    /// and there is room; `false` if the caller must unmap it.
    fn keep_large(&mut self, start: usize, len: usize) -> bool {
        if len > LARGE_CACHE_BLOCK || self.large_bytes + len > LARGE_CACHE_BYTES {
            return false;
        }
        let Some(slot) = self.large.iter().position(|&(_, l)| l == 0) else { return false };
        self.large[slot] = (start, len);
        self.large_bytes += len;
        true
    }
}

/// Holds the process's lists across a `fork`, so that the child's copy is
/// not caught half-changed by another thread (released on drop, in both).
pub(crate) fn hold_for_fork() -> impl Sized {
    LISTS.lock()
}

/// Moves up to `n` blocks of `class` from the process's list to the calling
/// thread's, or when that list is empty cuts fresh ones from the arena.
/// `false` if the kernel had no memory.
#[cold]
fn take_batch(class: usize, size: usize, n: u32, data: *mut sys_layer_tls::ThreadData) -> bool {
    let mut lists = LISTS.lock();
    if lists.heads[class].is_null() {
        return cut_from_arena(&mut lists, class, size, n, data);
    }
    for _ in 0..n {
        let block = lists.heads[class];
        if block.is_null() {
            break;
        }
        // SAFETY: blocks on either list hold their link; the thread's list
        // is its own.
        unsafe {
            lists.heads[class] = (*block).next;
            (*block).next = (*data).alloc_heads[class].cast();
            (*data).alloc_heads[class] = block.cast();
            (*data).alloc_counts[class] += 1;
        }
    }
    true
}

/// Cuts fresh blocks of `class` from the arena onto the calling thread's
/// list: as many as [`blocks_to_cut`] says, mapping a new arena when the
/// old one has no room for one block (its rest is left unused).
fn cut_from_arena(
    lists: &mut FreeLists,
    class: usize,
    size: usize,
    n: u32,
    data: *mut sys_layer_tls::ThreadData,
) -> bool {
    // Blocks are aligned to their size (a power of two up to 2 KiB), as
    // `class_of` promises, the arena to a page.
    let mut start = lists.arena_next.next_multiple_of(size);
    if lists.arena_end.saturating_sub(start) < size {
        let arena = map(ARENA);
        if arena.is_null() {
            return false;
        }
        start = arena as usize;
        lists.arena_end = start + ARENA;
    }
    let count = blocks_to_cut(start, lists.arena_end, size, n);
    lists.arena_next = start + count * size;
    // Link the blocks, last first, so the thread's list hands out the
    // lowest address first and walks up through the page.
    for i in (0..count).rev() {
        let block = (start + i * size) as *mut FreeBlock;
        // SAFETY: the block lies in the arena, cut once; the thread's list
        // is its own.
        unsafe {
            block.write(FreeBlock { next: (*data).alloc_heads[class].cast() });
            (*data).alloc_heads[class] = block.cast();
            (*data).alloc_counts[class] += 1;
        }
    }
    true
}

/// How many blocks of `size` to cut at `start` from an arena ending at
/// `end`: at most `n`, no more than fit, and none past the end of the page
/// the first one starts on (blocks are aligned to their size, at most a
/// page, so the first always fits there); at least one, which the caller
/// made room for.
fn blocks_to_cut(start: usize, end: usize, size: usize, n: u32) -> usize {
    let page_end = (start / PAGE + 1) * PAGE;
    let on_page = (page_end.min(end) - start) / size;
    on_page.max(1).min((end - start) / size).min(n as usize)
}

/// Moves `n` blocks of `class` from the calling thread's list to the
/// process's.
#[cold]
fn give_back(class: usize, n: u32, data: *mut sys_layer_tls::ThreadData) {
    let mut lists = LISTS.lock();
    for _ in 0..n {
        // SAFETY: as in take_batch.
        unsafe {
            let block = (*data).alloc_heads[class].cast::<FreeBlock>();
            if block.is_null() {
                break;
            }
            (*data).alloc_heads[class] = (*block).next.cast();
            (*data).alloc_counts[class] -= 1;
            (*block).next = lists.heads[class];
            lists.heads[class] = block;
        }
    }
}

/// Gives the calling thread's cached blocks back to the process: a thread
/// does it as it ends.
pub(crate) fn release_thread_cache() {
    let data = sys_layer_tls::thread_data();
    for class in 0..CLASSES {
        // SAFETY: the calling thread's own data.
        let n = unsafe { (*data).alloc_counts[class] };
        if n != 0 {
            give_back(class, n, data);
        }
    }
}

/// The class of a request, if it is small: index and block size.
fn class_of(layout: Layout) -> Option<(usize, usize)> {
    let need = layout.size().max(layout.align()).max(1 << MIN_CLASS_LOG2);
    if need > 1 << MAX_CLASS_LOG2 {
        return None;
    }
    let log2 = need.next_power_of_two().trailing_zeros() as usize;
    Some((log2 - MIN_CLASS_LOG2, 1 << log2))
}

fn map(len: usize) -> *mut u8 {
    let mut errno = 0;
    // SAFETY: an anonymous private mapping touches no existing memory.
    let p = unsafe {
        call::mmap(
            null_mut(),
            len,
            (g::PROT_READ | g::PROT_WRITE) as i32,
            (g::MAP_PRIVATE | g::MAP_ANONYMOUS) as i32,
            -1,
            0,
            &mut errno,
        )
    };
    if p == -1 { null_mut() } else { p as *mut u8 }
}

fn unmap(p: *mut u8, len: usize) {
    let mut errno = 0;
    // SAFETY: the range is a mapping (or part of one) this allocator made.
    unsafe { call::munmap(p.cast(), len, &mut errno) };
}

fn round_to_pages(n: usize) -> Option<usize> {
    Some(n.checked_add(PAGE - 1)? & !(PAGE - 1))
}

/// A large block: a kept mapping (see [`FreeLists::take_large`]) or its
/// own new one, aligned by mapping more and trimming.
fn map_large(layout: Layout) -> *mut u8 {
    let Some(len) = round_to_pages(layout.size()) else { return null_mut() };
    if layout.align() <= PAGE {
        if len <= LARGE_CACHE_BLOCK
            && let Some(p) = LISTS.lock().take_large(len)
        {
            return p;
        }
        return map(len);
    }
    let Some(total) = len.checked_add(layout.align()) else { return null_mut() };
    let raw = map(total);
    if raw.is_null() {
        return raw;
    }
    let start = (raw as usize).next_multiple_of(layout.align());
    let (head, tail) = (start - raw as usize, total - (start - raw as usize) - len);
    if head != 0 {
        unmap(raw, head);
    }
    if tail != 0 {
        unmap((start + len) as *mut u8, tail);
    }
    start as *mut u8
}

// SAFETY: blocks are handed out once until freed; small blocks come from
// their class's list under the lock, large ones are whole mappings; every
// block is at least `layout.size()` bytes and aligned to `layout.align()`
// (classes are powers of two at least as large as both, carved from
// page-aligned mappings).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some((class, size)) = class_of(layout) else { return map_large(layout) };
        let data = sys_layer_tls::thread_data();
        // SAFETY: the calling thread's own data: its list, which only it
        // touches (no signal handler allocates, see the module docs).
        unsafe {
            let mut block = (*data).alloc_heads[class].cast::<FreeBlock>();
            if block.is_null() {
                if !take_batch(class, size, BATCH, data) {
                    return null_mut();
                }
                block = (*data).alloc_heads[class].cast();
            }
            (*data).alloc_heads[class] = (*block).next.cast();
            (*data).alloc_counts[class] -= 1;
            block.cast()
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class_of(layout) {
            Some((class, _)) => {
                let data = sys_layer_tls::thread_data();
                // SAFETY: the caller gives back a block of this class, which
                // now holds the link; the list is this thread's own.
                unsafe {
                    let block = ptr.cast::<FreeBlock>();
                    block.write(FreeBlock { next: (*data).alloc_heads[class].cast() });
                    (*data).alloc_heads[class] = block.cast();
                    (*data).alloc_counts[class] += 1;
                    if (*data).alloc_counts[class] > CACHE_LIMIT {
                        give_back(class, CACHE_LIMIT / 2, data);
                    }
                }
            }
            None => {
                let len = round_to_pages(layout.size()).unwrap_or(0);
                if !LISTS.lock().keep_large(ptr as usize, len) {
                    unmap(ptr, len);
                }
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else { return null_mut() };
        match (class_of(layout), class_of(new_layout)) {
            // Same class: the block already fits.
            (Some((a, _)), Some((b, _))) if a == b => ptr,
            // Large to large, page-aligned: let the kernel move the pages.
            (None, None) if layout.align() <= PAGE => {
                let (Some(old_len), Some(new_len)) = (round_to_pages(layout.size()), round_to_pages(new_size)) else {
                    return null_mut();
                };
                let mut errno = 0;
                // SAFETY: ptr is a whole mapping of old_len bytes made here.
                let p = unsafe {
                    call::mremap(ptr.cast(), old_len, new_len, g::MREMAP_MAYMOVE as i32, null_mut(), &mut errno)
                };
                if p == -1 { null_mut() } else { p as *mut u8 }
            }
            _ => {
                // SAFETY: new_layout is valid (checked above).
                let new = unsafe { self.alloc(new_layout) };
                if !new.is_null() {
                    // SAFETY: both blocks hold at least the smaller size.
                    unsafe {
                        core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                new
            }
        }
    }
}

#[cfg(all(feature = "global-allocator", not(test)))]
#[global_allocator]
static GLOBAL: Allocator = Allocator;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let l = |s, a| Layout::from_size_align(s, a).unwrap();
        assert_eq!(class_of(l(1, 1)), Some((0, 16)));
        assert_eq!(class_of(l(16, 8)), Some((0, 16)));
        assert_eq!(class_of(l(17, 1)), Some((1, 32)));
        assert_eq!(class_of(l(8, 64)), Some((2, 64)));
        assert_eq!(class_of(l(2048, 8)), Some((7, 2048)));
        assert_eq!(class_of(l(2049, 8)), None);
        assert_eq!(class_of(l(8, 4096)), None);
    }

    fn empty_lists() -> FreeLists {
        FreeLists {
            heads: [null_mut(); CLASSES],
            arena_next: 0,
            arena_end: 0,
            large: [(0, 0); LARGE_CACHE_SLOTS],
            large_bytes: 0,
        }
    }

    #[test]
    fn freed_large_mappings_are_kept_within_bounds() {
        let mut lists = empty_lists();
        assert_eq!(lists.take_large(PAGE), None);
        assert!(lists.keep_large(0x10_0000, 2 * PAGE));
        assert!(lists.keep_large(0x20_0000, 8 * PAGE));
        // The smallest that fits, whole.
        assert_eq!(lists.take_large(2 * PAGE), Some(0x10_0000 as *mut u8));
        // A larger one split: its front, then its tail.
        assert_eq!(lists.take_large(3 * PAGE), Some(0x20_0000 as *mut u8));
        assert_eq!(lists.large_bytes, 5 * PAGE);
        assert_eq!(lists.take_large(5 * PAGE), Some((0x20_0000 + 3 * PAGE) as *mut u8));
        assert_eq!((lists.large_bytes, lists.take_large(PAGE)), (0, None));
        // Too large a block, too many bytes, too many mappings: unmapped.
        assert!(!lists.keep_large(0x30_0000, LARGE_CACHE_BLOCK + PAGE));
        for i in 0..LARGE_CACHE_BYTES / LARGE_CACHE_BLOCK {
            assert!(lists.keep_large(0x100_0000 * (i + 1), LARGE_CACHE_BLOCK));
        }
        assert!(!lists.keep_large(0x40_0000, PAGE), "over the byte limit");
        let mut lists = empty_lists();
        for i in 0..LARGE_CACHE_SLOTS {
            assert!(lists.keep_large(0x100_0000 * (i + 1), PAGE));
        }
        assert!(!lists.keep_large(0x40_0000, PAGE), "no slot left");
    }

    #[test]
    fn cutting_stays_on_one_page() {
        let base = 0x10_0000;
        // 16 B blocks: the whole page, capped by the batch.
        assert_eq!(blocks_to_cut(base, base + ARENA, 16, BATCH), BATCH as usize);
        assert_eq!(blocks_to_cut(base, base + ARENA, 16, 1000), PAGE / 16);
        // Up to the end of the page, not past it.
        assert_eq!(blocks_to_cut(base + PAGE - 64, base + ARENA, 16, BATCH), 4);
        assert_eq!(blocks_to_cut(base, base + ARENA, 2048, BATCH), 2);
        // The page's last block alone.
        assert_eq!(blocks_to_cut(base + PAGE - 2048, base + ARENA, 2048, BATCH), 1);
        // Never past the arena's end.
        assert_eq!(blocks_to_cut(base + ARENA - 32, base + ARENA, 16, BATCH), 2);
        assert_eq!(blocks_to_cut(base + ARENA - 16, base + ARENA, 16, BATCH), 1);
    }
}
