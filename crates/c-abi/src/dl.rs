//! The dynamic-linker functions a static program still meets: std probes
//! optional functions with `dlsym(RTLD_DEFAULT, name)`, and the backtrace
//! symboliser walks the program's headers with `dl_iterate_phdr`.

use core::ffi::{CStr, c_char, c_int, c_void};

/// The functions std probes for by name, and whether this library has
/// them. A name not listed is not here (null), which std answers with its
/// own fallback: a raw `syscall` for system calls (see `syscall.rs`).
fn lookup(name: &[u8]) -> *mut c_void {
    let f: usize = match name {
        b"statx" => crate::fs::statx as *const () as usize,
        b"gettid" => crate::process::gettid as *const () as usize,
        b"__cxa_thread_atexit_impl" => crate::pthread::__cxa_thread_atexit_impl as *const () as usize,
        _ => 0,
    };
    f as *mut c_void
}

/// `dlsym(3)` for the one handle a static program has, `RTLD_DEFAULT`
/// (null): the address of a function named above, else null. Any other
/// handle is not one this library gave out: null.
///
/// # Safety
/// `name` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dlsym(handle: *mut c_void, name: *const c_char) -> *mut c_void {
    if !handle.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: as the caller vouches.
    lookup(unsafe { CStr::from_ptr(name) }.to_bytes())
}

/// glibc's `struct dl_phdr_info`, its first four fields (the size passed
/// to the callback says so, as the interface allows).
#[repr(C)]
pub struct DlPhdrInfo {
    addr: usize,
    name: *const c_char,
    phdr: *const c_void,
    phnum: u16,
}

/// `dl_iterate_phdr(3)`: one object, the program itself (its load bias,
/// an empty name, its program headers from the auxiliary vector).
///
/// # Safety
/// `callback` is sound to call with the info, its size and `data`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dl_iterate_phdr(
    callback: unsafe extern "C" fn(*mut DlPhdrInfo, usize, *mut c_void) -> c_int,
    data: *mut c_void,
) -> c_int {
    let auxv = sys_layer::rt::auxv();
    let mut info = DlPhdrInfo {
        addr: auxv.phdr.wrapping_sub(program_headers_vaddr(auxv.phdr, auxv.phnum)),
        name: c"".as_ptr(),
        phdr: auxv.phdr as *const c_void,
        phnum: auxv.phnum as u16,
    };
    // SAFETY: as the caller vouches.
    unsafe { callback(&mut info, size_of::<DlPhdrInfo>(), data) }
}

/// The link-time address of the program headers (`PT_PHDR`'s `p_vaddr`),
/// so that `AT_PHDR` minus it is the load bias; without `PT_PHDR`, the
/// headers' run-time address (a bias of 0, as for a non-PIE program).
fn program_headers_vaddr(phdr: usize, phnum: usize) -> usize {
    use linux_raw_sys::elf::{Elf_Phdr, PT_PHDR};
    if phdr == 0 {
        return 0;
    }
    // SAFETY: the kernel maps the program headers at AT_PHDR for the life
    // of the process, AT_PHNUM of them.
    let phdrs = unsafe { core::slice::from_raw_parts(phdr as *const Elf_Phdr, phnum) };
    phdrs.iter().find(|p| p.p_type == PT_PHDR).map_or(phdr, |p| p.p_vaddr)
}

/// `gnu_get_libc_version(3)`: which C library this is. The answer is
/// `sys-layer <version>`, which names no glibc version: std reads it to
/// decide whether glibc's own behaviours apply (`posix_spawn` reporting
/// `ENOENT` from 2.24, `res_init` before 2.26), and they do not.
#[unsafe(no_mangle)]
pub extern "C" fn gnu_get_libc_version() -> *const c_char {
    concat!("sys-layer ", env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
