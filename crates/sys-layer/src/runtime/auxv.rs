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
        let mut a = Auxv::default();
        for (key, value) in pairs {
            match key as u32 {
                AT_NULL => break,
                AT_PHDR => a.phdr = value,
                AT_PHENT => a.phent = value,
                AT_PHNUM => a.phnum = value,
                AT_PAGESZ => a.pagesz = value,
                AT_ENTRY => a.entry = value,
                AT_RANDOM => a.random = value,
                AT_SYSINFO_EHDR => a.sysinfo_ehdr = value,
                AT_SYSINFO => a.sysinfo = value,
                AT_HWCAP => a.hwcap = value,
                AT_HWCAP2 => a.hwcap2 = value,
                AT_SECURE => a.secure = value,
                AT_UID => a.ids[0] = value,
                AT_EUID => a.ids[1] = value,
                AT_GID => a.ids[2] = value,
                AT_EGID => a.ids[3] = value,
                _ => {}
            }
        }
        a
    }
}

/// The process's auxiliary vector, for [`getauxval`]; set by start-up.
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

    /// The auxiliary vector's pairs, up to (not including) `AT_NULL`.
    ///
    /// # Safety
    /// `self.auxv` must point at a vector that ends with `AT_NULL`.
    pub unsafe fn auxv_pairs(&self) -> impl Iterator<Item = (usize, usize)> {
        let mut p = self.auxv;
        core::iter::from_fn(move || {
            // SAFETY: the vector ends with AT_NULL, where iteration stops.
            let (key, value) = unsafe { (*p, *p.add(1)) };
            if key == AT_NULL as usize {
                return None;
            }
            // SAFETY: not at the end yet, so the next pair exists.
            p = unsafe { p.add(2) };
            Some((key, value))
        })
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
        // SAFETY: as above.
        let aux = Auxv::from_pairs(unsafe { s.auxv_pairs() });
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
        // SAFETY: as above.
        assert_eq!(unsafe { s.auxv_pairs() }.count(), 0);
    }

    #[test]
    fn stops_at_at_null() {
        let aux = Auxv::from_pairs([(AT_PAGESZ as usize, 16384), (AT_NULL as usize, 0), (AT_PAGESZ as usize, 1)]);
        assert_eq!(aux.pagesz, 16384);
    }
}
