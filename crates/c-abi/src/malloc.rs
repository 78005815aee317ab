//! `malloc` and its family over the runtime's allocator
//! ([`sys_layer::alloc::Allocator`]).
//!
//! C frees without a size, the allocator wants the layout back: each block
//! carries a 16-byte header just below the pointer handed out, with the
//! layout it was allocated with (total size and alignment). The block
//! starts `max(align, 16)` bytes below the pointer.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_int, c_void};
use core::ptr::null_mut;
use sys_layer::Errno;
use sys_layer::alloc::Allocator;

/// The header: the block's total size and alignment.
const HEADER: usize = 16;
/// What `malloc` guarantees (`max_align_t`).
const MIN_ALIGN: usize = 16;

/// Allocates `size` bytes aligned to `align` (a power of two), zeroed if
/// asked; null on failure (the caller sets `errno`).
fn allocate(size: usize, align: usize, zeroed: bool) -> *mut u8 {
    let align = align.max(MIN_ALIGN);
    // The header fits in the `align` bytes before the pointer.
    let Some(total) = size.checked_add(align) else { return null_mut() };
    let Ok(layout) = Layout::from_size_align(total, align) else { return null_mut() };
    // SAFETY: the layout's size is not zero.
    let block = unsafe { if zeroed { Allocator.alloc_zeroed(layout) } else { Allocator.alloc(layout) } };
    if block.is_null() {
        return null_mut();
    }
    // SAFETY: the block has `total` bytes, the pointer is `align` in, and
    // the header is the 16 bytes before it, aligned to 8.
    unsafe {
        let p = block.add(align);
        p.sub(HEADER).cast::<[usize; 2]>().write([total, align]);
        p
    }
}

/// The block and layout behind a pointer [`allocate`] gave.
///
/// # Safety
/// `p` came from [`allocate`] and was not freed.
unsafe fn block_of(p: *mut u8) -> (*mut u8, Layout) {
    // SAFETY: the header is there, as the caller vouches.
    let [total, align] = unsafe { p.sub(HEADER).cast::<[usize; 2]>().read() };
    // SAFETY: the same layout `allocate` used, and its block start.
    unsafe { (p.sub(align), Layout::from_size_align_unchecked(total, align)) }
}

/// `malloc(3)`: <https://man7.org/linux/man-pages/man3/malloc.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    let p = allocate(size, MIN_ALIGN, false);
    if p.is_null() {
        sys_layer::c::set_errno(Errno::ENOMEM.raw());
    }
    p.cast()
}

/// `calloc(3)`: zeroed, with the product checked.
#[unsafe(no_mangle)]
pub extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    let p = count.checked_mul(size).map_or(null_mut(), |n| allocate(n, MIN_ALIGN, true));
    if p.is_null() {
        sys_layer::c::set_errno(Errno::ENOMEM.raw());
    }
    p.cast()
}

/// `free(3)`.
///
/// # Safety
/// `p` is null or came from this module's functions and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: as the caller vouches.
    unsafe {
        let (block, layout) = block_of(p.cast());
        Allocator.dealloc(block, layout);
    }
}

/// `realloc(3)`: grows or shrinks in place where the allocator can (large
/// blocks with `mremap`), else moves.
///
/// # Safety
/// As [`free`] for `p`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
    if p.is_null() {
        return malloc(size);
    }
    // SAFETY: as the caller vouches.
    let (block, layout) = unsafe { block_of(p.cast()) };
    let align = layout.align();
    let Some(total) = size.checked_add(align).filter(|&t| Layout::from_size_align(t, align).is_ok()) else {
        sys_layer::c::set_errno(Errno::ENOMEM.raw());
        return null_mut();
    };
    // SAFETY: block and layout are the allocation's; total is not zero
    // and a valid size for the alignment.
    let new = unsafe { Allocator.realloc(block, layout, total) };
    if new.is_null() {
        sys_layer::c::set_errno(Errno::ENOMEM.raw());
        return null_mut();
    }
    // SAFETY: the contents moved with the block, header included; only the
    // total changes.
    unsafe {
        let p = new.add(align);
        p.sub(HEADER).cast::<[usize; 2]>().write([total, align]);
        p.cast()
    }
}

/// `posix_memalign(3)`: returns the error number, leaves `errno` alone.
///
/// # Safety
/// `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> c_int {
    if !align.is_power_of_two() || !align.is_multiple_of(size_of::<usize>()) {
        return Errno::EINVAL.raw();
    }
    let p = allocate(size, align, false);
    if p.is_null() {
        return Errno::ENOMEM.raw();
    }
    // SAFETY: as the caller vouches.
    unsafe { *out = p.cast() };
    0
}

/// `aligned_alloc(3)`.
#[unsafe(no_mangle)]
pub extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
    if !align.is_power_of_two() {
        sys_layer::c::set_errno(Errno::EINVAL.raw());
        return null_mut();
    }
    let p = allocate(size, align, false);
    if p.is_null() {
        sys_layer::c::set_errno(Errno::ENOMEM.raw());
    }
    p.cast()
}
