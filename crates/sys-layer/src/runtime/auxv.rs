//! The process's start-up stack: `argc`, `argv`, `envp` and the auxiliary
//! vector the kernel leaves for the entry point.

/// `AT_SYSINFO`: defined by i686 only, 32 wherever it is.
const AT_SYSINFO: u32 = 32;

use linux_raw_sys::auxvec::{
    AT_EGID, AT_ENTRY, AT_EUID, AT_GID, AT_HWCAP, AT_HWCAP2, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM,
    AT_RANDOM, AT_SECURE, AT_SYSINFO_EHDR, AT_UID,
};

/// The entries of the auxiliary vector that the runtime uses. A missing
/// entry reads as 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Auxv {
    /// `AT_PHDR`: run-time address of the program headers.
    pub phdr: usize,
    /// `AT_PHENT`: size of one program header.
    pub phent: usize,
    /// `AT_PHNUM`: number of program headers.
    pub phnum: usize,
    /// `AT_PAGESZ`: the page size.
    pub pagesz: usize,
    /// `AT_ENTRY`: the program's entry point.
    pub entry: usize,
    /// `AT_RANDOM`: address of 16 random bytes.
    pub random: usize,
    /// `AT_SYSINFO_EHDR`: address of the vDSO's ELF header.
    pub sysinfo_ehdr: usize,
    /// `AT_SYSINFO` (i686 only): the vDSO's `__kernel_vsyscall` entry.
    pub sysinfo: usize,
    /// `AT_HWCAP`: CPU capability bits.
    pub hwcap: usize,
    /// `AT_HWCAP2`: more CPU capability bits.
    pub hwcap2: usize,
    /// `AT_SECURE`: non-zero for a set-user-ID or otherwise privileged start.
    pub secure: usize,
    /// `AT_UID`, `AT_EUID`, `AT_GID`, `AT_EGID`.
    pub ids: [usize; 4],
}

impl Auxv {
    /// Collects the known entries of `(key, value)` pairs, stopping at
    /// `AT_NULL`.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (usize, usize)>) -> Auxv {
        let mut words = [0usize; FIELDS + 1];
        for (key, value) in pairs {
            if key == AT_NULL as usize {
                break;
            }
            words[field_of_key(key)] = value;
        }
        Auxv::from_words(&words)
    }

    /// Collects the known entries of the vector at `p` into `out`, which
    /// start-up keeps in place (no copy of the whole structure). A table
    /// from key to field, as C libraries do: a few instructions per entry
    /// whatever the key, where a `match` was a chain of compares.
    ///
    /// # Safety
    /// `p` must point at `(key, value)` word pairs ending with `AT_NULL`;
    /// `out` must be writable.
    pub unsafe fn read_vector(mut p: *const usize, out: *mut Auxv) {
        let mut words = [0usize; FIELDS + 1];
        // SAFETY: the caller vouches for the vector; every read stays
        // before the AT_NULL pair, where the loop stops.
        unsafe {
            loop {
                let key = *p;
                if key == AT_NULL as usize {
                    break;
                }
                words[field_of_key(key)] = *p.add(1);
                p = p.add(2);
            }
            out.write(Auxv::from_words(&words));
        }
    }

    /// The fields from their words in [`KEYS`] order.
    #[inline(always)]
    fn from_words(words: &[usize; FIELDS + 1]) -> Auxv {
        let w = |key: u32| words[field_of_key(key as usize)];
        Auxv {
            phdr: w(AT_PHDR),
            phent: w(AT_PHENT),
            phnum: w(AT_PHNUM),
            pagesz: w(AT_PAGESZ),
            entry: w(AT_ENTRY),
            random: w(AT_RANDOM),
            sysinfo_ehdr: w(AT_SYSINFO_EHDR),
            sysinfo: w(AT_SYSINFO),
            hwcap: w(AT_HWCAP),
            hwcap2: w(AT_HWCAP2),
            secure: w(AT_SECURE),
            ids: [w(AT_UID), w(AT_EUID), w(AT_GID), w(AT_EGID)],
        }
    }
}

/// The place of `key`'s value among the words: its index in [`KEYS`], or
/// `FIELDS` (a word nobody reads) for a key not kept.
#[inline(always)]
fn field_of_key(key: usize) -> usize {
    FIELD_OF_KEY.get(key).map_or(FIELDS, |&f| f as usize)
}

/// The keys [`Auxv`] keeps, in the order [`Auxv::read_vector`] stores them.
const KEYS: [u32; 15] = [
    AT_PHDR,
    AT_PHENT,
    AT_PHNUM,
    AT_PAGESZ,
    AT_ENTRY,
    AT_RANDOM,
    AT_SYSINFO_EHDR,
    AT_SYSINFO,
    AT_HWCAP,
    AT_HWCAP2,
    AT_SECURE,
    AT_UID,
    AT_EUID,
    AT_GID,
    AT_EGID,
];

/// Number of [`KEYS`].
const FIELDS: usize = KEYS.len();

/// The largest of [`KEYS`].
const MAX_KEY: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < FIELDS {
        if KEYS[i] as usize > max {
            max = KEYS[i] as usize;
        }
        i += 1;
    }
    max
};

/// For each key up to the largest kept one, its place in [`KEYS`]
/// (`FIELDS` for a key not kept).
const FIELD_OF_KEY: [u8; MAX_KEY + 1] = {
    let mut table = [FIELDS as u8; MAX_KEY + 1];
    let mut i = 0;
    while i < FIELDS {
        table[KEYS[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The process's auxiliary vector, for [`getauxval`]; set by start-up.
#[unsafe(link_section = sys_layer_arch::hot_section!())]
static AUXV: core::sync::atomic::AtomicPtr<usize> = core::sync::atomic::AtomicPtr::new(core::ptr::null_mut());

/// Records where the auxiliary vector is, for [`getauxval`].
#[cfg_attr(test, allow(dead_code))] // the entry point is not built for host tests
pub(crate) fn remember(auxv: *const usize) {
    AUXV.store(auxv.cast_mut(), core::sync::atomic::Ordering::Release);
}

/// The value of auxiliary-vector entry `key` (`AT_HWCAP`, ...), 0 if the
/// kernel gave none; unlike C's, it leaves `errno` alone.
///
/// It is also the C symbol `getauxval`, which precompiled code links
/// against (the toolchain's `compiler_builtins` on aarch64, to detect LSE
/// atomics); a program that does not call it does not keep it.
///
/// `getauxval(3)`: <https://man7.org/linux/man-pages/man3/getauxval.3.html>
#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn getauxval(key: core::ffi::c_ulong) -> core::ffi::c_ulong {
    let mut p = AUXV.load(core::sync::atomic::Ordering::Acquire).cast_const();
    if p.is_null() || key == AT_NULL as core::ffi::c_ulong {
        return 0;
    }
    // SAFETY: start-up recorded the kernel's vector, which ends with AT_NULL
    // and lives as long as the process.
    unsafe {
        while *p != AT_NULL as usize {
            if *p as core::ffi::c_ulong == key {
                return *p.add(1) as core::ffi::c_ulong;
            }
            p = p.add(2);
        }
    }
    0
}

/// Pointers into the start-up stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartupStack {
    /// `argc` as the kernel passed it (0 is possible).
    pub argc: usize,
    /// `argv`: `argc` pointers then a null.
    pub argv: *const *const u8,
    /// `envp`: pointers up to a null.
    pub envp: *const *const u8,
    /// The auxiliary vector: `(key, value)` word pairs up to `AT_NULL`.
    pub auxv: *const usize,
}

impl StartupStack {
    /// Reads the layout starting at the initial stack pointer.
    ///
    /// # Safety
    /// `sp` must be the stack pointer the kernel handed to the entry point
    /// (or memory laid out the same way).
    pub unsafe fn from_stack_pointer(sp: *const usize) -> StartupStack {
        // SAFETY: the kernel's layout is argc, argv[argc], NULL, envp...,
        // NULL, auxv pairs ending with AT_NULL; every read stays in it.
        unsafe {
            let argc = *sp;
            let argv = sp.add(1).cast::<*const u8>();
            let envp = argv.add(argc + 1);
            let mut end = envp;
            while !(*end).is_null() {
                end = end.add(1);
            }
            StartupStack { argc, argv, envp, auxv: end.add(1).cast() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::vec::Vec;

    #[test]
    fn reads_a_kernel_style_stack() {
        let a0 = b"prog\0";
        let e0 = b"A=1\0";
        let stack: Vec<usize> = std::vec![
            1,
            a0.as_ptr() as usize,
            0,
            e0.as_ptr() as usize,
            0,
            AT_PAGESZ as usize,
            4096,
            AT_PHNUM as usize,
            7,
            AT_SECURE as usize,
            0,
            99,
            5,
            AT_NULL as usize,
            0,
        ];
        // SAFETY: the vector is laid out as the kernel lays out the stack.
        let s = unsafe { StartupStack::from_stack_pointer(stack.as_ptr()) };
        assert_eq!(s.argc, 1);
        let mut aux = Auxv { phdr: 1, ..Auxv::default() };
        // SAFETY: as above; aux is writable.
        unsafe { Auxv::read_vector(s.auxv, &mut aux) };
        assert_eq!((aux.pagesz, aux.phnum, aux.secure, aux.phdr), (4096, 7, 0, 0));
    }

    #[test]
    fn argc_zero_and_empty_environment() {
        let stack: Vec<usize> = std::vec![0, 0, 0, AT_NULL as usize, 0];
        // SAFETY: a valid, if minimal, layout.
        let s = unsafe { StartupStack::from_stack_pointer(stack.as_ptr()) };
        assert_eq!(s.argc, 0);
        // SAFETY: envp starts at the second null.
        assert!(unsafe { (*s.envp).is_null() });
        let mut aux = Auxv { pagesz: 1, ..Auxv::default() };
        // SAFETY: as above; aux is writable.
        unsafe { Auxv::read_vector(s.auxv, &mut aux) };
        assert_eq!(aux, Auxv::default());
    }

    #[test]
    fn stops_at_at_null() {
        let aux = Auxv::from_pairs([(AT_PAGESZ as usize, 16384), (AT_NULL as usize, 0), (AT_PAGESZ as usize, 1)]);
        assert_eq!(aux.pagesz, 16384);
    }
}
