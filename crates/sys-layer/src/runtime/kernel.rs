//! The running kernel: its version, from a source the process cannot fake
//! where there is one, and its release string.
//!
//! The version comes from the vDSO's `Linux` note (`LINUX_VERSION_CODE`,
//! written by the kernel into memory it maps): `setarch --uname-2.6`, which
//! any user may run and which survives a set-id exec, changes what
//! `uname(2)` says but not the note. Without a vDSO (`vdso=0`, qemu-user)
//! it is parsed from the `uname` release. `SYS_LAYER_ASSUME_KERNEL=X.Y`
//! lowers it (never raises it), like glibc's `LD_ASSUME_KERNEL`, to run
//! as if on an older kernel (the kernel simulator sets it); it is ignored
//! in set-id programs (`AT_SECURE`).

use super::image::Image;
pub use crate::layer::versions::KernelVersion;
use core::fmt;
use linux_raw_sys::general::__NR_uname;
use sys_layer_arch::sys;

/// Where the kernel's version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSource {
    /// The vDSO's `Linux` note, which the process cannot change.
    VdsoNote,
    /// The `uname(2)` release string (no vDSO note).
    Uname,
    /// `SYS_LAYER_ASSUME_KERNEL`, lower than the detected version.
    Assumed,
    /// Neither: the version is unknown.
    Unknown,
}

impl VersionSource {
    /// How reports name it.
    pub const fn describe(self) -> &'static str {
        match self {
            VersionSource::VdsoNote => "the vDSO's version note",
            VersionSource::Uname => "the uname release",
            VersionSource::Assumed => "SYS_LAYER_ASSUME_KERNEL",
            VersionSource::Unknown => "nothing",
        }
    }
}

/// A kernel's release string (`uname -r`).
#[derive(Clone, Copy)]
pub struct Release {
    bytes: [u8; 65],
    len: usize,
}

impl Release {
    /// The release (empty if unknown; `"(not ASCII)"` for the odd kernel
    /// whose release is not ASCII).
    pub fn as_str(&self) -> &str {
        let bytes = &self.bytes[..self.len.min(self.bytes.len())];
        if bytes.is_ascii() {
            // SAFETY: ASCII is valid UTF-8.
            unsafe { core::str::from_utf8_unchecked(bytes) }
        } else {
            "(not ASCII)"
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// What the binder learnt about the running kernel.
#[derive(Clone, Copy)]
pub struct Kernel {
    /// As read at start-up (empty when the vDSO's note made it unneeded).
    release: Release,
    /// The version; `None` when nothing gave one (no vDSO note, and a
    /// `uname` release that does not parse or a failed `uname`).
    pub version: Option<KernelVersion>,
    /// Where [`Kernel::version`] came from.
    pub source: VersionSource,
}

impl Kernel {
    /// A kernel whose `uname` release field is `field` (NUL-terminated or
    /// filling the array).
    pub fn from_release_field(field: &[u8]) -> Kernel {
        let mut bytes = [0u8; 65];
        let len = field.iter().position(|&b| b == 0).unwrap_or(field.len()).min(bytes.len());
        bytes[..len].copy_from_slice(&field[..len]);
        let version = KernelVersion::parse(&bytes[..len]);
        let source = if version.is_some() { VersionSource::Uname } else { VersionSource::Unknown };
        Kernel { release: Release { bytes, len }, version, source }
    }

    /// What `uname(2)` says (nothing known if it fails).
    fn from_uname() -> Kernel {
        let mut uts = core::mem::MaybeUninit::<linux_raw_sys::system::new_utsname>::uninit();
        // SAFETY: uts is a writable new_utsname.
        if unsafe { sys!(__NR_uname, uts.as_mut_ptr()) }.is_err() {
            return Kernel::UNKNOWN;
        }
        // SAFETY: uname filled the struct; only the release field is read,
        // in place, as bytes (c_char and u8 have the same size).
        let release = unsafe {
            let field = &raw const (*uts.as_ptr()).release;
            core::slice::from_raw_parts(field.cast::<u8>(), (*field).len())
        };
        Kernel::from_release_field(release)
    }

    /// Nothing known (uname failed).
    pub const UNKNOWN: Kernel =
        Kernel { release: Release { bytes: [0; 65], len: 0 }, version: None, source: VersionSource::Unknown };

    /// The running kernel: the version from the vDSO's note where it has
    /// one (`vdso_ehdr`: `AT_SYSINFO_EHDR`, 0 for none), else from the
    /// `uname(2)` release; then lowered to `assumed` if that is lower (the
    /// caller passes `None` in a set-id program). With the note, `uname` is
    /// not called at start-up: [`Kernel::release`] asks for the release
    /// when something wants it.
    ///
    /// # Safety
    /// `vdso_ehdr` must be the kernel's `AT_SYSINFO_EHDR`, or 0.
    pub(crate) unsafe fn detect(vdso_ehdr: usize, assumed: Option<KernelVersion>) -> Kernel {
        // SAFETY: the caller vouches for vdso_ehdr.
        let mut kernel = match unsafe { Image::from_vdso(vdso_ehdr) }.as_ref().and_then(version_note) {
            Some(v) => Kernel { version: Some(v), source: VersionSource::VdsoNote, ..Kernel::UNKNOWN },
            None => Kernel::from_uname(),
        };
        if let Some(a) = assumed
            && kernel.version.is_none_or(|v| a < v)
        {
            kernel.version = Some(a);
            kernel.source = VersionSource::Assumed;
        }
        kernel
    }

    /// The release string as `uname -r` prints it (empty if unknown;
    /// `"(not ASCII)"` for the odd kernel whose release is not ASCII): the
    /// one read at start-up, or (when the vDSO's note gave the version) one
    /// read now.
    pub fn release(&self) -> Release {
        if self.release.len != 0 { self.release } else { Kernel::from_uname().release }
    }

    /// Whether the kernel is known to be at least `v`. An unknown kernel is
    /// not.
    pub fn at_least(&self, v: KernelVersion) -> bool {
        self.version.is_some_and(|k| k >= v)
    }
}

/// The version in an image's `Linux` note of type 0 (`LINUX_VERSION_CODE`),
/// which every kernel's vDSO carries.
fn version_note(image: &Image) -> Option<KernelVersion> {
    image.note_segments().find_map(|(_, bytes, align)| {
        sys_layer_stubs::note::Notes::new(bytes, align).map_while(Result::ok).find_map(|note| {
            let code = note.desc.get(..4)?;
            (note.name == b"Linux" && note.note_type == 0)
                .then(|| KernelVersion::from_code(u32::from_ne_bytes([code[0], code[1], code[2], code[3]])))
        })
    })
}

impl fmt::Debug for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kernel")
            .field("release", &self.release())
            .field("version", &self.version)
            .field("source", &self.source)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    fn p(s: &str) -> Option<(u16, u16, u16)> {
        KernelVersion::parse(s.as_bytes()).map(|v| (v.major, v.minor, v.patch))
    }

    #[test]
    fn real_release_strings() {
        assert_eq!(p("6.18.44-fc-v669"), Some((6, 18, 44)));
        assert_eq!(p("3.10.0-1160.el7.x86_64"), Some((3, 10, 0)));
        assert_eq!(p("4.4.0-19041-Microsoft"), Some((4, 4, 0)));
        assert_eq!(p("5.15.0-rc1"), Some((5, 15, 0)));
        assert_eq!(p("2.6.32"), Some((2, 6, 32)));
        assert_eq!(p("6.1"), Some((6, 1, 0)));
        assert_eq!(p("6.8.0+"), Some((6, 8, 0)));
        assert_eq!(p("4.9.337"), Some((4, 9, 337)));
        assert_eq!(p("2.6.32.27"), Some((2, 6, 32)));
        assert_eq!(p("6.6.0."), Some((6, 6, 0)));
        // Whatever follows the numbers is ignored, as the kernel reads it.
        assert_eq!(p("6.12.0custom"), Some((6, 12, 0)));
        assert_eq!(p("6.1junk"), Some((6, 1, 0)));
        assert_eq!(p("6.1.2x"), Some((6, 1, 2)));
        assert_eq!(p("6.x"), None);
    }

    #[test]
    fn version_codes() {
        assert_eq!(KernelVersion::from_code(0x06_12_2c), KernelVersion::new(6, 18, 44));
        assert_eq!(KernelVersion::from_code(0x02_06_20), KernelVersion::new(2, 6, 32));
    }

    #[test]
    fn the_live_vdso_note_agrees_with_uname() {
        unsafe extern "C" {
            #[link_name = "getauxval"]
            fn libc_getauxval(kind: core::ffi::c_ulong) -> core::ffi::c_ulong;
        }
        // SAFETY: the host C library's getauxval.
        let ehdr = unsafe { libc_getauxval(linux_raw_sys::auxvec::AT_SYSINFO_EHDR as _) } as usize;
        if ehdr == 0 {
            return; // no vDSO here: nothing to compare
        }
        // SAFETY: AT_SYSINFO_EHDR of this process.
        let image = unsafe { Image::from_vdso(ehdr) }.expect("the vDSO's headers");
        let note = version_note(&image).expect("the vDSO's version note");
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
        let from_uname = KernelVersion::parse(release.trim().as_bytes()).unwrap();
        assert_eq!((note.major, note.minor), (from_uname.major, from_uname.minor));
    }

    #[test]
    fn junk_is_unknown_and_never_panics() {
        for junk in ["", "junk", "6", "6.", ".6.1", "a6.1", "6.x", "6..1", "99999999.1", "-"] {
            assert_eq!(p(junk), None, "{junk:?}");
        }
        // Every prefix of every byte string of a few bytes: no panic.
        let alphabet = b"0123456789.-x";
        let mut buf = [0u8; 4];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        buf = [*a, *b, *c, *d];
                        let _ = KernelVersion::parse(&buf);
                    }
                }
            }
        }
        let _ = buf;
    }

    #[test]
    fn ordering_and_field() {
        assert!(KernelVersion::new(2, 6, 32) < KernelVersion::new(3, 2, 0));
        assert!(KernelVersion::new(6, 10, 0) > KernelVersion::new(6, 9, 12));
        let mut field = [0u8; 65];
        field[..6].copy_from_slice(b"6.10.2");
        let k = Kernel::from_release_field(&field);
        assert_eq!(k.release().as_str(), "6.10.2");
        assert!(k.at_least(KernelVersion::new(6, 10, 0)));
        assert!(!Kernel::UNKNOWN.at_least(KernelVersion::new(0, 0, 0)));
        let k = Kernel::from_release_field(&[b'7'; 65]);
        assert_eq!(k.release().as_str().len(), 65);
        assert_eq!(k.version, None);
    }
}
