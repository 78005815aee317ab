//! Reading the vDSO, the shared object the kernel maps into every process.
//!
//! The vDSO is memory this program did not write: every offset, count and
//! string in it is checked against the bytes of the image before it is
//! used, and every walk is bounded, so a malformed image gives an error or
//! `None`, never a panic or an out-of-bounds read. [`Vdso::parse`] reads an
//! image given as a byte slice (what the fuzzer and the tests use);
//! [`Vdso::from_address`] finds the slice at run time from `AT_SYSINFO_EHDR`.
//!
//! Only the running target's ELF class and byte order are read (a 64-bit
//! build reads 64-bit vDSOs).
#![no_std]

use core::mem::size_of;
use linux_raw_sys::elf::{
    DT_GNU_HASH, DT_HASH, DT_NULL, DT_STRTAB, DT_SYMTAB, DT_VERDEF, DT_VERSYM, EI_CLASS, EI_DATA, ELFCLASS, ELFDATA,
    ELFMAG, Elf_Dyn, Elf_Ehdr, Elf_Phdr, Elf_Sym, Elf_Verdaux, Elf_Verdef, PT_DYNAMIC, PT_LOAD, SHN_UNDEF, STB_GLOBAL,
    STB_WEAK, STT_FUNC, STT_NOTYPE,
};

/// Why an image is not a usable vDSO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VdsoError {
    /// No ELF magic, or another class or byte order than this target's.
    NotElf,
    /// A header, table or string lies outside the image.
    Truncated,
    /// No `PT_LOAD` or no `PT_DYNAMIC` segment.
    NoSegments,
    /// The dynamic section lacks `DT_SYMTAB`, `DT_STRTAB`, or both hashes.
    NoSymbolTable,
}

/// How symbols are found: the table the image has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    /// `DT_GNU_HASH` at this image offset.
    Gnu(usize),
    /// `DT_HASH` at this image offset.
    SysV(usize),
}

/// A parsed vDSO image.
#[derive(Debug, Clone, Copy)]
pub struct Vdso<'a> {
    image: &'a [u8],
    /// Link-time address of image offset 0 (`p_vaddr - p_offset` of the
    /// loadable segment).
    vaddr_base: usize,
    symtab: usize,
    strtab: usize,
    hash: Hash,
    /// `DT_HASH`, kept beside `DT_GNU_HASH` so both paths can be tested.
    sysv_hash: Option<usize>,
    versym: Option<usize>,
    verdef: Option<usize>,
}

/// Reads a `T` at `offset` of `bytes`, unaligned; `None` if it does not fit.
fn read<T>(bytes: &[u8], offset: usize) -> Option<T> {
    let end = offset.checked_add(size_of::<T>())?;
    let b = bytes.get(offset..end)?;
    // SAFETY: b holds size_of::<T>() bytes; T is a plain-data ELF struct or
    // integer, valid for any bit pattern.
    Some(unsafe { b.as_ptr().cast::<T>().read_unaligned() })
}

/// The NUL-terminated string at `offset`, without its NUL.
fn c_str(bytes: &[u8], offset: usize) -> Option<&[u8]> {
    let rest = bytes.get(offset..)?;
    let len = rest.iter().position(|&b| b == 0)?;
    Some(&rest[..len])
}

/// The SysV ELF hash of a symbol name.
pub fn sysv_hash(name: &[u8]) -> u32 {
    let mut h: u32 = 0;
    for &c in name {
        h = (h << 4).wrapping_add(c as u32);
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
        }
        h &= !g;
    }
    h
}

/// The GNU hash (djb2) of a symbol name.
pub fn gnu_hash(name: &[u8]) -> u32 {
    name.iter().fold(5381u32, |h, &c| h.wrapping_mul(33).wrapping_add(c as u32))
}

impl<'a> Vdso<'a> {
    /// Parses the image `image`, starting with its ELF header.
    pub fn parse(image: &'a [u8]) -> Result<Vdso<'a>, VdsoError> {
        let ehdr: Elf_Ehdr = read(image, 0).ok_or(VdsoError::NotElf)?;
        if ehdr.e_ident[..4] != ELFMAG || ehdr.e_ident[EI_CLASS] != ELFCLASS || ehdr.e_ident[EI_DATA] != ELFDATA {
            return Err(VdsoError::NotElf);
        }
        if ehdr.e_phentsize as usize != size_of::<Elf_Phdr>() {
            return Err(VdsoError::Truncated);
        }
        let (mut load, mut dynamic) = (None, None);
        for i in 0..ehdr.e_phnum as usize {
            let at = ehdr.e_phoff.checked_add(i * size_of::<Elf_Phdr>()).ok_or(VdsoError::Truncated)?;
            let ph: Elf_Phdr = read(image, at).ok_or(VdsoError::Truncated)?;
            match ph.p_type {
                PT_LOAD if load.is_none() => load = Some(ph),
                PT_DYNAMIC => dynamic = Some(ph),
                _ => {}
            }
        }
        let (Some(load), Some(dynamic)) = (load, dynamic) else { return Err(VdsoError::NoSegments) };
        let vaddr_base = load.p_vaddr.wrapping_sub(load.p_offset);
        let mut v = Vdso {
            image,
            vaddr_base,
            symtab: 0,
            strtab: 0,
            hash: Hash::SysV(0),
            sysv_hash: None,
            versym: None,
            verdef: None,
        };

        let (mut symtab, mut strtab, mut sysv, mut gnu) = (None, None, None, None);
        let dyn_at = dynamic.p_offset;
        let count = dynamic.p_filesz / size_of::<Elf_Dyn>();
        for i in 0..count {
            let d: Elf_Dyn = read(image, dyn_at + i * size_of::<Elf_Dyn>()).ok_or(VdsoError::Truncated)?;
            // SAFETY: d_un is a union of two integers of the same size.
            let value = unsafe { d.d_un.d_ptr };
            let offset = || v.offset_of(value as usize);
            match d.d_tag {
                DT_NULL => break,
                DT_SYMTAB => symtab = offset(),
                DT_STRTAB => strtab = offset(),
                DT_HASH => sysv = offset(),
                DT_GNU_HASH => gnu = offset(),
                DT_VERSYM => v.versym = offset(),
                DT_VERDEF => v.verdef = offset(),
                _ => {}
            }
        }
        v.symtab = symtab.ok_or(VdsoError::NoSymbolTable)?;
        v.strtab = strtab.ok_or(VdsoError::NoSymbolTable)?;
        v.sysv_hash = sysv;
        v.hash = match (gnu, sysv) {
            (Some(g), _) => Hash::Gnu(g),
            (None, Some(s)) => Hash::SysV(s),
            (None, None) => return Err(VdsoError::NoSymbolTable),
        };
        Ok(v)
    }

    /// Parses the vDSO mapped at `ehdr` (the value of `AT_SYSINFO_EHDR`).
    ///
    /// # Safety
    /// `ehdr` must be the address the kernel gave in `AT_SYSINFO_EHDR`: a
    /// mapped ELF image, readable as far as its loadable segment reaches.
    pub unsafe fn from_address(ehdr: usize) -> Result<Vdso<'static>, VdsoError> {
        // The header and program headers sit in the image's first page,
        // which is always mapped; read them to learn the image's length.
        // SAFETY: the caller vouches that a whole ELF header is mapped there.
        let head = unsafe { core::slice::from_raw_parts(ehdr as *const u8, size_of::<Elf_Ehdr>()) };
        let eh: Elf_Ehdr = read(head, 0).ok_or(VdsoError::NotElf)?;
        if head[..4] != ELFMAG || eh.e_phentsize as usize != size_of::<Elf_Phdr>() {
            return Err(VdsoError::NotElf);
        }
        let ph_end = eh.e_phoff.checked_add(eh.e_phnum as usize * size_of::<Elf_Phdr>()).ok_or(VdsoError::Truncated)?;
        if ph_end > 4096 {
            return Err(VdsoError::Truncated);
        }
        // SAFETY: as above: the program headers lie in the first page.
        let first = unsafe { core::slice::from_raw_parts(ehdr as *const u8, ph_end) };
        let mut len = ph_end;
        for i in 0..eh.e_phnum as usize {
            let ph: Elf_Phdr = read(first, eh.e_phoff + i * size_of::<Elf_Phdr>()).ok_or(VdsoError::Truncated)?;
            if ph.p_type == PT_LOAD {
                len = len.max(ph.p_offset.checked_add(ph.p_filesz).ok_or(VdsoError::Truncated)?);
            }
        }
        // SAFETY: the kernel maps the whole loadable segment of its vDSO.
        Vdso::parse(unsafe { core::slice::from_raw_parts(ehdr as *const u8, len) })
    }

    /// The image offset of link-time address `vaddr`, if inside the image.
    fn offset_of(&self, vaddr: usize) -> Option<usize> {
        let off = vaddr.checked_sub(self.vaddr_base)?;
        (off < self.image.len()).then_some(off)
    }

    fn symbol(&self, index: usize) -> Option<Elf_Sym> {
        read(self.image, self.symtab.checked_add(index.checked_mul(size_of::<Elf_Sym>())?)?)
    }

    /// Whether symbol `index` is a defined function named `name` whose
    /// version (if the image has versions) is `version`.
    fn matches(&self, index: usize, name: &[u8], version: &[u8]) -> Option<usize> {
        let sym = self.symbol(index)?;
        let kind = sym.st_info & 0xf;
        let bind = sym.st_info >> 4;
        if (kind != STT_FUNC && kind != STT_NOTYPE) || (bind != STB_GLOBAL && bind != STB_WEAK) {
            return None;
        }
        if sym.st_shndx == SHN_UNDEF || c_str(self.image, self.strtab.checked_add(sym.st_name as usize)?)? != name {
            return None;
        }
        if !self.version_is(index, version) {
            return None;
        }
        self.offset_of(sym.st_value)
    }

    fn version_is(&self, index: usize, version: &[u8]) -> bool {
        let (Some(versym), Some(verdef)) = (self.versym, self.verdef) else { return true };
        let Some(ndx) = index.checked_mul(2).and_then(|o| read::<u16>(self.image, versym.checked_add(o)?)) else {
            return false;
        };
        let ndx = ndx & 0x7fff;
        let mut at = verdef;
        // A definition per entry; bounded by the image's size.
        for _ in 0..self.image.len() / size_of::<Elf_Verdef>() {
            let Some(def) = read::<Elf_Verdef>(self.image, at) else { return false };
            if def.vd_ndx == ndx {
                let Some(aux) = at.checked_add(def.vd_aux as usize).and_then(|a| read::<Elf_Verdaux>(self.image, a))
                else {
                    return false;
                };
                return self.strtab.checked_add(aux.vda_name as usize).and_then(|s| c_str(self.image, s))
                    == Some(version);
            }
            if def.vd_next == 0 {
                return false;
            }
            at = match at.checked_add(def.vd_next as usize) {
                Some(n) => n,
                None => return false,
            };
        }
        false
    }

    /// The image offset of the function `name` with symbol version
    /// `version` (`LINUX_2.6`, ...), if the vDSO has it.
    pub fn lookup(&self, name: &str, version: &str) -> Option<usize> {
        let (name, version) = (name.as_bytes(), version.as_bytes());
        match self.hash {
            Hash::SysV(at) => {
                let nbucket = read::<u32>(self.image, at)? as usize;
                let nchain = read::<u32>(self.image, at + 4)? as usize;
                if nbucket == 0 {
                    return None;
                }
                let bucket = |i: usize| read::<u32>(self.image, at.checked_add(8 + i.checked_mul(4)?)?);
                let chain = |i: usize| {
                    read::<u32>(self.image, at.checked_add(8)?.checked_add(nbucket.checked_add(i)?.checked_mul(4)?)?)
                };
                let mut index = bucket(sysv_hash(name) as usize % nbucket)? as usize;
                for _ in 0..nchain {
                    if index == 0 || index >= nchain {
                        return None;
                    }
                    if let Some(off) = self.matches(index, name, version) {
                        return Some(off);
                    }
                    index = chain(index)? as usize;
                }
                None
            }
            Hash::Gnu(at) => {
                let nbuckets = read::<u32>(self.image, at)? as usize;
                let symoffset = read::<u32>(self.image, at + 4)? as usize;
                let bloom_size = read::<u32>(self.image, at + 8)? as usize;
                if nbuckets == 0 {
                    return None;
                }
                let buckets = at.checked_add(16)?.checked_add(bloom_size.checked_mul(size_of::<usize>())?)?;
                let chains = buckets.checked_add(nbuckets.checked_mul(4)?)?;
                let h = gnu_hash(name);
                let first = read::<u32>(self.image, buckets.checked_add((h as usize % nbuckets) * 4)?)? as usize;
                if first < symoffset {
                    return None;
                }
                // Each step moves on by one symbol; the image bounds the walk.
                let steps = self.image.len() / size_of::<Elf_Sym>();
                for index in first..first.saturating_add(steps) {
                    let ch = read::<u32>(self.image, chains.checked_add((index - symoffset).checked_mul(4)?)?)?;
                    if ch | 1 == h | 1
                        && let Some(off) = self.matches(index, name, version)
                    {
                        return Some(off);
                    }
                    if ch & 1 != 0 {
                        return None;
                    }
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn live_image() -> &'static [u8] {
        // SAFETY: getauxval is the host C library's.
        let base = unsafe { libc_getauxval(33) } as usize;
        assert_ne!(base, 0, "the host gives no vDSO");
        // SAFETY: the kernel's own vDSO, as from_address requires.
        let v = unsafe { Vdso::from_address(base) }.unwrap();
        v.image
    }

    unsafe extern "C" {
        #[link_name = "getauxval"]
        fn libc_getauxval(kind: core::ffi::c_ulong) -> core::ffi::c_ulong;
    }

    #[test]
    fn hashes_match_the_reference_values() {
        assert_eq!(sysv_hash(b""), 0);
        assert_eq!(sysv_hash(b"printf"), 0x077905a6);
        assert_eq!(gnu_hash(b""), 5381);
        assert_eq!(gnu_hash(b"printf"), 0x156b2bb8);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_live_vdso_has_its_functions() {
        let v = Vdso::parse(live_image()).unwrap();
        for f in ["__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu", "__vdso_clock_getres"]
        {
            assert!(v.lookup(f, "LINUX_2.6").is_some(), "{f}");
        }
        assert!(v.lookup("__vdso_clock_gettime", "LINUX_9.9").is_none(), "wrong version");
        assert!(v.lookup("no_such_function", "LINUX_2.6").is_none());
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_sysv_hash_finds_the_same_symbols() {
        let v = Vdso::parse(live_image()).unwrap();
        let at = v.sysv_hash.expect("the x86_64 vDSO has DT_HASH too");
        let sysv = Vdso { hash: Hash::SysV(at), ..v };
        for f in ["__vdso_clock_gettime", "__vdso_getcpu", "__vdso_time"] {
            assert_eq!(sysv.lookup(f, "LINUX_2.6"), v.lookup(f, "LINUX_2.6"), "{f}");
            assert!(sysv.lookup(f, "LINUX_2.6").is_some());
        }
        assert!(sysv.lookup("nope", "LINUX_2.6").is_none());
    }

    #[test]
    fn truncations_and_corruptions_never_panic() {
        let image = live_image().to_vec();
        for cut in (0..image.len()).step_by(7) {
            if let Ok(v) = Vdso::parse(&image[..cut]) {
                let _ = v.lookup("__vdso_clock_gettime", "LINUX_2.6");
            }
        }
        // Flip bytes all over the image, one at a time.
        let mut seed = 0x1234_5678u32;
        for _ in 0..3000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let mut copy: Vec<u8> = image.clone();
            let at = (seed as usize >> 4) % copy.len();
            copy[at] ^= (seed >> 24) as u8 | 1;
            if let Ok(v) = Vdso::parse(&copy) {
                let _ = v.lookup("__vdso_clock_gettime", "LINUX_2.6");
                let _ = v.lookup("__vdso_getcpu", "LINUX_2.6");
            }
        }
    }

    #[test]
    fn not_elf() {
        assert_eq!(Vdso::parse(b"").err(), Some(VdsoError::NotElf));
        assert_eq!(Vdso::parse(&[0u8; 128]).err(), Some(VdsoError::NotElf));
    }
}
