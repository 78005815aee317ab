//! Kernel versions: the build's floor and the first kernel of each system
//! call.
//!
//! Every slot has a first kernel, read at compile time from
//! `data/syscall_versions.csv` for the system call its row names. A slot
//! whose first kernel is at or below the floor is bound to the system call
//! and carries no fallback code. A newer slot has two implementations:
//! below its first kernel, the fallback (an emulation, or an honest
//! `ENOSYS`); from it on, the system call, which still falls back if the
//! kernel refuses it (see `refusal.rs`).

use core::fmt;

/// A kernel version, `major.minor.patch`, ordered as versions are.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KernelVersion {
    /// Major number (the 6 of 6.18.44).
    pub major: u16,
    /// Minor number (the 18 of 6.18.44).
    pub minor: u16,
    /// Patch level (the 44 of 6.18.44); 0 when the release omits it.
    pub patch: u16,
}

impl KernelVersion {
    /// The version `major.minor.patch`.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        KernelVersion { major, minor, patch }
    }

    /// The version in a `LINUX_VERSION_CODE` (`major << 16 | minor << 8 |
    /// patch`, the patch capped at 255).
    pub const fn from_code(code: u32) -> KernelVersion {
        KernelVersion::new((code >> 16) as u16, ((code >> 8) & 0xff) as u16, (code & 0xff) as u16)
    }

    /// Whether `self` is at most `other`, usable in constants.
    pub const fn at_most(self, other: KernelVersion) -> bool {
        if self.major != other.major {
            return self.major < other.major;
        }
        if self.minor != other.minor {
            return self.minor < other.minor;
        }
        self.patch <= other.patch
    }

    /// Parses the leading version of a kernel release string as `uname -r`
    /// prints it: `6.18.44-fc-v669`, `3.10.0-1160.el7.x86_64`,
    /// `4.4.0-19041-Microsoft`, `5.15.0-rc1`, `2.6.32`, `6.1`.
    ///
    /// At least `major.minor` must be there; up to three numbers are read,
    /// and whatever follows them is ignored (`6.12.0custom` is 6.12.0), as
    /// the kernel's own version code and glibc read releases. Anything else
    /// (junk, empty, numbers too large) gives `None`: an unknown kernel, on
    /// which every slot tries its system call first. Never panics.
    pub const fn parse(release: &[u8]) -> Option<KernelVersion> {
        let mut parts = [0u16; 3];
        let mut count = 0;
        let mut i = 0;
        let mut digits = 0;
        let mut value: u32 = 0;
        while i <= release.len() {
            let b = if i < release.len() { release[i] } else { 0 };
            if b.is_ascii_digit() {
                value = value * 10 + (b - b'0') as u32;
                digits += 1;
                if value > u16::MAX as u32 {
                    return None;
                }
            } else {
                if digits == 0 {
                    return None;
                }
                parts[count] = value as u16;
                count += 1;
                value = 0;
                digits = 0;
                // A dot continues the version only while it is followed by a
                // digit and fewer than three numbers were read.
                let more = b == b'.' && count < 3 && i + 1 < release.len() && release[i + 1].is_ascii_digit();
                if !more {
                    if count < 2 {
                        return None;
                    }
                    return Some(KernelVersion { major: parts[0], minor: parts[1], patch: parts[2] });
                }
            }
            i += 1;
        }
        None
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As u32: one integer formatter serves the whole runtime.
        write!(f, "{}.{}.{}", self.major as u32, self.minor as u32, self.patch as u32)
    }
}

/// The lowest kernel sys-layer supports at all.
pub const LOWEST_FLOOR: KernelVersion = KernelVersion::new(2, 6, 32);

/// The floor when `SYS_LAYER_MIN_KERNEL` is not set.
pub const DEFAULT_FLOOR: KernelVersion = KernelVersion::new(3, 2, 0);

/// The lowest kernel this build supports: `SYS_LAYER_MIN_KERNEL` at build
/// time (e.g. `SYS_LAYER_MIN_KERNEL=2.6.32 cargo build --release`), or
/// [`DEFAULT_FLOOR`], raised to [`ARCH_FIRST_KERNEL`] on architectures that
/// arrived later. A value that does not parse, or is below
/// [`LOWEST_FLOOR`], fails the build.
pub const FLOOR: KernelVersion =
    if REQUESTED_FLOOR.at_most(ARCH_FIRST_KERNEL) { ARCH_FIRST_KERNEL } else { REQUESTED_FLOOR };

/// The floor as `SYS_LAYER_MIN_KERNEL` (or the default) asks for it.
pub const REQUESTED_FLOOR: KernelVersion = match option_env!("SYS_LAYER_MIN_KERNEL") {
    None => DEFAULT_FLOOR,
    Some(text) => match KernelVersion::parse(text.as_bytes()) {
        Some(v) if LOWEST_FLOOR.at_most(v) => v,
        Some(_) => panic!("SYS_LAYER_MIN_KERNEL is below 2.6.32, the lowest kernel sys-layer supports"),
        None => panic!("SYS_LAYER_MIN_KERNEL is not a kernel version: write it like 3.2 or 2.6.32"),
    },
};

/// data/syscall_versions.csv (see data/README.md).
const SYSCALL_VERSIONS: &[u8] = include_bytes!("../../../../data/syscall_versions.csv");

/// The kernel that introduced system call `name` (as the row names it:
/// `clock_gettime64` on i686) on this architecture. Evaluated at compile
/// time; a name missing from the table fails the build.
pub const fn first_kernel(name: &str) -> KernelVersion {
    let version = match table_version(ARCH_TABLE, name.as_bytes()) {
        Some(v) => v,
        None => match table_version(SYSCALL_VERSIONS, name.as_bytes()) {
            Some(v) => v,
            None => panic!("a slot's system call is missing from data/syscall_versions.csv"),
        },
    };
    if version.at_most(ARCH_FIRST_KERNEL) { ARCH_FIRST_KERNEL } else { version }
}

/// The first kernel of this architecture: a call older than the
/// architecture is there from its first kernel on.
pub const ARCH_FIRST_KERNEL: KernelVersion = if cfg!(target_arch = "aarch64") {
    KernelVersion::new(3, 7, 0)
} else if cfg!(target_arch = "riscv64") {
    KernelVersion::new(4, 15, 0)
} else {
    KernelVersion::new(0, 0, 0)
};

/// Where this architecture differs from the main table (which is
/// x86_64's): data/syscall_versions_i386.csv on i686, nothing elsewhere.
const ARCH_TABLE: &[u8] =
    if cfg!(target_arch = "x86") { include_bytes!("../../../../data/syscall_versions_i386.csv") } else { b"" };

/// The version column of `name`'s row in the CSV `table`.
const fn table_version(table: &[u8], name: &[u8]) -> Option<KernelVersion> {
    let mut line_start = 0;
    while line_start < table.len() {
        let mut end = line_start;
        while end < table.len() && table[end] != b'\n' {
            end += 1;
        }
        // Does the line start with "name,"?
        let mut i = 0;
        let mut matches = line_start + name.len() < end;
        while matches && i < name.len() {
            if table[line_start + i] != name[i] {
                matches = false;
            }
            i += 1;
        }
        if matches && table[line_start + name.len()] == b',' {
            let start = line_start + name.len() + 1;
            let mut stop = start;
            while stop < end && table[stop] != b',' {
                stop += 1;
            }
            let (_, rest) = table.split_at(start);
            let (field, _) = rest.split_at(stop - start);
            return KernelVersion::parse(field);
        }
        line_start = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gives_first_kernels() {
        assert_eq!(first_kernel("getrandom"), KernelVersion::new(3, 17, 0));
        assert_eq!(first_kernel("membarrier"), KernelVersion::new(4, 3, 0));
        assert_eq!(table_version(SYSCALL_VERSIONS, b"read"), Some(KernelVersion::new(1, 0, 0)));
        assert_eq!(table_version(SYSCALL_VERSIONS, b"accept4"), Some(KernelVersion::new(2, 6, 28)));
        assert_eq!(table_version(SYSCALL_VERSIONS, b"afs_syscall"), None);
        assert_eq!(table_version(SYSCALL_VERSIONS, b"no_such_call"), None);
        // A name that is a prefix of another must not match it.
        assert_eq!(table_version(b"statx,4.11,\nstat,1.0,\n", b"stat"), Some(KernelVersion::new(1, 0, 0)));
    }

    #[test]
    fn the_default_floor_holds_without_the_variable() {
        if option_env!("SYS_LAYER_MIN_KERNEL").is_none() {
            assert_eq!(REQUESTED_FLOOR, DEFAULT_FLOOR);
        }
        assert!(ARCH_FIRST_KERNEL.at_most(FLOOR) && REQUESTED_FLOOR.at_most(FLOOR));
        assert!(LOWEST_FLOOR.at_most(FLOOR));
    }
}

#[cfg(test)]
mod docs_table {
    extern crate std;
    use super::*;
    use std::string::String;

    /// docs/kernels.md lists every slot, in slot order, with the first kernel
    /// the code uses.
    #[test]
    fn docs_kernels_md_matches_the_slots() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/kernels.md")).unwrap();
        let rows: std::vec::Vec<(String, String)> = doc
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| slot"))
            .map(|l| {
                let cells: std::vec::Vec<&str> = l.split('|').map(str::trim).collect();
                (cells[1].to_owned(), cells[2].to_owned())
            })
            .collect();
        let names: std::vec::Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, sys_layer_stubs::SLOT_NAMES.to_vec());
        for (name, version) in &rows {
            let v = KernelVersion::parse(version.as_bytes()).unwrap();
            assert_eq!(
                v,
                super::super::slots::INTROS[sys_layer_stubs::SLOT_NAMES.iter().position(|n| n == name).unwrap()],
                "{name}"
            );
        }
    }
}
