//! The running program's own ELF image, seen through its program headers.

use super::auxv::Auxv;
use linux_raw_sys::elf::{EI_CLASS, EI_DATA, ELFCLASS, ELFDATA, ELFMAG, Elf_Ehdr, Elf_Phdr, PT_LOAD, PT_PHDR};

/// Program header type of note segments.
const PT_NOTE: u32 = 4;

/// The program headers of the running image and its load bias.
#[derive(Clone, Copy)]
pub struct Image {
    /// The program headers, as mapped.
    pub phdrs: &'static [Elf_Phdr],
    /// Run-time address minus link-time address (0 for a non-PIE executable).
    pub load_bias: usize,
}

impl Image {
    /// The image the auxiliary vector describes; `None` when `AT_PHDR` is
    /// missing or `AT_PHENT` is not this target's program-header size.
    ///
    /// # Safety
    /// `auxv` must be the running process's auxiliary vector.
    pub unsafe fn from_auxv(auxv: &Auxv) -> Option<Image> {
        if auxv.phdr == 0 || auxv.phent != size_of::<Elf_Phdr>() {
            return None;
        }
        // SAFETY: the kernel maps the program headers at AT_PHDR, AT_PHNUM
        // entries of AT_PHENT bytes each, for the life of the process.
        let phdrs = unsafe { core::slice::from_raw_parts(auxv.phdr as *const Elf_Phdr, auxv.phnum) };
        Some(Image { phdrs, load_bias: load_bias(phdrs, auxv.phdr) })
    }

    /// The vDSO the kernel mapped at `ehdr` (`AT_SYSINFO_EHDR`), for its
    /// notes; `None` when its header is not this target's ELF or its
    /// program headers do not lie in its first page.
    ///
    /// # Safety
    /// `ehdr` must be the kernel's `AT_SYSINFO_EHDR` (0 is refused).
    pub unsafe fn from_vdso(ehdr: usize) -> Option<Image> {
        if ehdr == 0 {
            return None;
        }
        // SAFETY: the vDSO's first page, which holds its ELF header, is mapped.
        let eh = unsafe { (ehdr as *const Elf_Ehdr).read_unaligned() };
        let ident_ok = eh.e_ident[..4] == ELFMAG && eh.e_ident[EI_CLASS] == ELFCLASS && eh.e_ident[EI_DATA] == ELFDATA;
        let end = (eh.e_phnum as usize).checked_mul(size_of::<Elf_Phdr>())?.checked_add(eh.e_phoff)?;
        if !ident_ok
            || eh.e_phentsize as usize != size_of::<Elf_Phdr>()
            || end > 4096
            || !(ehdr + eh.e_phoff).is_multiple_of(align_of::<Elf_Phdr>())
        {
            return None;
        }
        // SAFETY: checked to lie in the first page, which is mapped; aligned
        // as the kernel lays out its vDSO.
        let phdrs = unsafe { core::slice::from_raw_parts((ehdr + eh.e_phoff) as *const Elf_Phdr, eh.e_phnum as usize) };
        // Linked at its first loadable segment's address; mapped at ehdr.
        let first = phdrs.iter().find(|p| p.p_type == PT_LOAD)?;
        let load_bias = ehdr.wrapping_sub(first.p_vaddr.wrapping_sub(first.p_offset));
        // Notes must lie within the loadable segment, which is mapped.
        let load_end = first.p_vaddr.checked_add(first.p_memsz)?;
        let notes_inside = phdrs
            .iter()
            .filter(|p| p.p_type == PT_NOTE)
            .all(|p| p.p_vaddr >= first.p_vaddr && p.p_vaddr.checked_add(p.p_filesz).is_some_and(|e| e <= load_end));
        notes_inside.then_some(Image { phdrs, load_bias })
    }

    /// An image with no program headers (no `AT_PHDR`): no TLS, no tables.
    pub const EMPTY: Image = Image { phdrs: &[], load_bias: 0 };

    /// The `PT_NOTE` segments: run-time address, contents and alignment.
    pub fn note_segments(&self) -> impl Iterator<Item = (usize, &'static [u8], usize)> + '_ {
        self.phdrs.iter().filter(|p| p.p_type == PT_NOTE).map(move |p| {
            let addr = self.load_bias.wrapping_add(p.p_vaddr);
            // SAFETY: a PT_NOTE segment lies inside a loaded PT_LOAD segment
            // of the running image, mapped readable for the process's life.
            let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, p.p_filesz) };
            (addr, bytes, p.p_align)
        })
    }
}

/// The load bias from `PT_PHDR`: where the headers are minus where the
/// image says they are. Without `PT_PHDR`, 0.
pub fn load_bias(phdrs: &[Elf_Phdr], at_phdr: usize) -> usize {
    phdrs.iter().find(|p| p.p_type == PT_PHDR).map_or(0, |p| at_phdr.wrapping_sub(p.p_vaddr))
}
