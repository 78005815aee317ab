//! Kernel eras: the build's floor, the first kernel of each system call,
//! and falling back when a newer call is refused.
//!
//! Every slot has a first kernel, read at compile time from
//! `data/syscall_versions.csv`. A slot whose first kernel is at or below
//! the floor is bound to the system call and carries no fallback code. A
//! newer slot has two implementations: below its first kernel, the
//! fallback (an emulation, or an honest `ENOSYS`); from it on, the system
//! call, which still falls back if the kernel refuses it with `ENOSYS` or
//! `EPERM` (a container's seccomp filter), remembering the outcome.

use crate::kernel::KernelVersion;
use core::ffi::c_int;
use core::sync::atomic::{AtomicU8, Ordering};
use linux_raw_sys::errno::{ENOSYS, EPERM};

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

/// The kernel that introduced system call `name` on this architecture.
/// Evaluated at compile time; a name missing from the table fails the build.
pub const fn first_kernel(name: &str) -> KernelVersion {
    match arch_version(name) {
        Some(v) => arch_first_kernel(v),
        None => panic!("a slot's system call is missing from data/syscall_versions.csv"),
    }
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

/// The slots' system calls that are other calls on this architecture
/// (their 64-bit-time forms on i686).
const ARCH_NAMES: &[(&str, &str)] = if cfg!(target_arch = "x86") {
    &[
        ("clock_gettime", "clock_gettime64"),
        ("clock_getres", "clock_getres_time64"),
        ("clock_nanosleep", "clock_nanosleep_time64"),
        ("utimensat", "utimensat_time64"),
        ("recvmmsg", "recvmmsg_time64"),
    ]
} else {
    &[]
};

const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The first kernel of the system call behind slot `name` on this
/// architecture, from the architecture's table or else the main one.
const fn arch_version(name: &str) -> Option<KernelVersion> {
    let mut call = name;
    let mut i = 0;
    while i < ARCH_NAMES.len() {
        if same_name(ARCH_NAMES[i].0, name) {
            call = ARCH_NAMES[i].1;
        }
        i += 1;
    }
    match table_version(ARCH_TABLE, call.as_bytes()) {
        Some(v) => Some(v),
        None => table_version(SYSCALL_VERSIONS, call.as_bytes()),
    }
}

const fn arch_first_kernel(v: KernelVersion) -> KernelVersion {
    if v.at_most(ARCH_FIRST_KERNEL) { ARCH_FIRST_KERNEL } else { v }
}

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

/// What a slot learnt about its newer system call: not yet tried, works,
/// or refused (so the fallback is used from then on).
pub(crate) struct FallbackState(AtomicU8);

const UNTRIED: u8 = 0;
const WORKS: u8 = 1;
const REFUSED: u8 = 2;

impl FallbackState {
    /// Not tried yet.
    pub(crate) const fn new() -> Self {
        FallbackState(AtomicU8::new(UNTRIED))
    }
}

impl Default for FallbackState {
    fn default() -> Self {
        Self::new()
    }
}

/// Calls `direct`; if the kernel refuses it with `ENOSYS`, or with `EPERM`
/// that the fallback does not give too, uses `fallback` instead and
/// remembers that. An `EPERM` that the fallback repeats is the answer to
/// this call, not a refusal of the system call, so nothing is remembered.
///
/// # Safety
/// `errno` must be writable; `direct` and `fallback` follow the convention.
#[inline(always)]
pub(crate) unsafe fn with_fallback(
    state: &FallbackState,
    errno: *mut c_int,
    direct: impl FnOnce(*mut c_int) -> isize,
    fallback: impl FnOnce(*mut c_int) -> isize,
) -> isize {
    let known = state.0.load(Ordering::Relaxed);
    if known == REFUSED {
        return fallback(errno);
    }
    let mut direct_errno = 0;
    let ret = direct(&mut direct_errno);
    if ret != -1 {
        if known == UNTRIED {
            state.0.store(WORKS, Ordering::Relaxed);
        }
        return ret;
    }
    let refused = known == UNTRIED && (direct_errno == ENOSYS as c_int || direct_errno == EPERM as c_int);
    if !refused {
        // SAFETY: the convention makes errno a valid pointer.
        unsafe { errno.write(direct_errno) };
        return -1;
    }
    let ret = fallback(errno);
    // SAFETY: as above; the fallback followed the convention.
    let fallback_errno = if ret == -1 { unsafe { errno.read() } } else { 0 };
    if direct_errno == ENOSYS as c_int || fallback_errno != EPERM as c_int {
        state.0.store(REFUSED, Ordering::Relaxed);
    }
    ret
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

    fn wf(
        s: &FallbackState,
        e: &mut c_int,
        direct: impl FnOnce(*mut c_int) -> isize,
        fallback: impl FnOnce(*mut c_int) -> isize,
    ) -> isize {
        // SAFETY: e is a test local.
        unsafe { with_fallback(s, e, direct, fallback) }
    }

    fn ok(_: *mut c_int) -> isize {
        7
    }
    fn fail_with(e: i32) -> impl FnOnce(*mut c_int) -> isize {
        move |p| {
            // SAFETY: p is a test local.
            unsafe { *p = e };
            -1
        }
    }

    #[test]
    fn enosys_falls_back_and_is_remembered() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, fail_with(ENOSYS as i32), ok), 7);
        // Remembered: direct is not even called.
        assert_eq!(wf(&s, &mut e, |_| panic!("direct called again"), ok), 7);
    }

    #[test]
    fn a_repeated_eperm_is_an_answer_not_a_refusal() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, fail_with(EPERM as i32), fail_with(EPERM as i32)), -1);
        assert_eq!(e, EPERM as i32);
        assert_eq!(wf(&s, &mut e, ok, |_| panic!("fallback used")), 7);
    }

    #[test]
    fn eperm_from_a_filter_falls_back() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, fail_with(EPERM as i32), ok), 7);
        assert_eq!(wf(&s, &mut e, |_| panic!("direct called again"), ok), 7);
    }

    #[test]
    fn other_errors_pass_through_and_working_calls_stay_direct() {
        let s = FallbackState::new();
        let mut e = 0;
        assert_eq!(wf(&s, &mut e, ok, |_| panic!("fallback used")), 7);
        assert_eq!(wf(&s, &mut e, fail_with(9), |_| panic!("fallback used")), -1);
        assert_eq!(e, 9);
        // Once the call worked, a later EPERM is the call's answer.
        assert_eq!(wf(&s, &mut e, fail_with(EPERM as i32), |_| panic!("fallback used")), -1);
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
            assert_eq!(v, first_kernel(name), "{name}");
        }
    }
}
