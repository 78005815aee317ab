//! The environment: C's `environ`, `getenv`, `setenv`, `unsetenv`.
//!
//! `environ` starts as the kernel's `envp` (set by a constructor that runs
//! before any other). `setenv` and `unsetenv` replace the array with one
//! of their own (allocated, as are the `NAME=value` strings they add);
//! the kernel's strings are kept. Like glibc's, these functions are not
//! thread-safe: std calls them under its own environment lock.

use crate::fail;
use crate::malloc::{free, malloc, realloc};
use core::ffi::{c_char, c_int};
use core::ptr::null_mut;
use sys_layer::Errno;

/// C's `environ`: the null-terminated array of `NAME=value` strings.
#[unsafe(no_mangle)]
pub static mut environ: *mut *mut c_char = null_mut();

/// Whether `environ` is an array `setenv` allocated (else the kernel's).
static mut OWNED: bool = false;

/// Sets `environ` from the kernel's `envp`, before every other
/// constructor (priority 0 of `.init_array`; std's own runs later).
#[unsafe(link_section = ".init_array.00000")]
#[used]
static SET_ENVIRON: unsafe extern "C" fn(c_int, *const *const c_char, *const *const c_char) = set_environ;

unsafe extern "C" fn set_environ(_argc: c_int, _argv: *const *const c_char, envp: *const *const c_char) {
    // SAFETY: start-up, one thread; envp is the kernel's array.
    unsafe { environ = envp.cast_mut().cast() };
}

/// The entry for `name` (its index) and the value's start, if any.
///
/// # Safety
/// `environ` is a valid array.
unsafe fn find(name: &[u8]) -> Option<(usize, *mut c_char)> {
    // SAFETY: as the caller vouches: each entry is a C string.
    unsafe {
        let env = environ;
        if env.is_null() {
            return None;
        }
        let mut i = 0;
        while !(*env.add(i)).is_null() {
            let entry = *env.add(i);
            // Byte by byte: a byte is read only while the ones before
            // matched the name (so were not the string's NUL).
            let bytes = entry.cast::<u8>();
            let mut k = 0;
            while k < name.len() && *bytes.add(k) == name[k] {
                k += 1;
            }
            if k == name.len() && *bytes.add(k) == b'=' {
                return Some((i, entry.add(name.len() + 1)));
            }
            i += 1;
        }
        None
    }
}

/// The length of a C string.
///
/// # Safety
/// `s` is a C string.
unsafe fn c_len(s: *const c_char) -> usize {
    // SAFETY: as the caller vouches.
    unsafe { core::ffi::CStr::from_ptr(s).to_bytes().len() }
}

/// `getenv(3)`.
///
/// # Safety
/// `name` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getenv(name: *const c_char) -> *mut c_char {
    // SAFETY: as the caller vouches.
    let name = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), c_len(name)) };
    if name.is_empty() || name.contains(&b'=') {
        return null_mut();
    }
    // SAFETY: environ is the process's array.
    unsafe { find(name).map_or(null_mut(), |(_, v)| v) }
}

/// The name's bytes, or `EINVAL` for an empty name or one with `=`.
///
/// # Safety
/// `name` is null or a C string.
unsafe fn checked_name<'a>(name: *const c_char) -> Option<&'a [u8]> {
    if name.is_null() {
        return None;
    }
    // SAFETY: as the caller vouches.
    let name = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), c_len(name)) };
    (!name.is_empty() && !name.contains(&b'=')).then_some(name)
}

/// The number of entries of `environ`.
///
/// # Safety
/// `environ` is a valid array.
unsafe fn count() -> usize {
    let mut n = 0;
    // SAFETY: as the caller vouches.
    unsafe {
        if environ.is_null() {
            return 0;
        }
        while !(*environ.add(n)).is_null() {
            n += 1;
        }
    }
    n
}

/// `setenv(3)`.
///
/// # Safety
/// `name` and `value` are C strings; no other thread uses the
/// environment meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setenv(name: *const c_char, value: *const c_char, overwrite: c_int) -> c_int {
    // SAFETY: as the caller vouches.
    let Some(name) = (unsafe { checked_name(name) }) else { return fail(Errno::EINVAL) };
    // SAFETY: as the caller vouches.
    unsafe {
        let existing = find(name);
        if existing.is_some() && overwrite == 0 {
            return 0;
        }
        let value_len = c_len(value);
        let entry = malloc(name.len() + 1 + value_len + 1).cast::<u8>();
        if entry.is_null() {
            return -1;
        }
        core::ptr::copy_nonoverlapping(name.as_ptr(), entry, name.len());
        *entry.add(name.len()) = b'=';
        core::ptr::copy_nonoverlapping(value.cast::<u8>(), entry.add(name.len() + 1), value_len + 1);
        // The replaced string may be the kernel's or still referenced by a
        // pointer getenv returned: it is not freed (glibc keeps them too).
        if let Some((i, _)) = existing {
            *environ.add(i) = entry.cast();
            return 0;
        }
        let n = count();
        let array = if OWNED {
            realloc(environ.cast(), (n + 2) * size_of::<*mut c_char>()).cast::<*mut c_char>()
        } else {
            let array = malloc((n + 2) * size_of::<*mut c_char>()).cast::<*mut c_char>();
            if !array.is_null() && n > 0 {
                core::ptr::copy_nonoverlapping(environ, array, n);
            }
            array
        };
        if array.is_null() {
            free(entry.cast());
            return -1;
        }
        *array.add(n) = entry.cast();
        *array.add(n + 1) = null_mut();
        environ = array;
        OWNED = true;
    }
    0
}

/// `unsetenv(3)`: removes every entry named `name`.
///
/// # Safety
/// `name` is a C string; no other thread uses the environment meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn unsetenv(name: *const c_char) -> c_int {
    // SAFETY: as the caller vouches.
    let Some(name) = (unsafe { checked_name(name) }) else { return fail(Errno::EINVAL) };
    // SAFETY: as the caller vouches; entries move down within the array.
    unsafe {
        while let Some((i, _)) = find(name) {
            let n = count();
            core::ptr::copy(environ.add(i + 1), environ.add(i), n - i);
        }
    }
    0
}
