//! Simulating an older kernel: which system calls it lacks, and the seccomp
//! filter that refuses them.
//!
//! The pure parts live here (the version table, the filter program) so they
//! are unit-tested; `main.rs` is the supervisor that installs the filter and
//! answers `uname`.

use std::collections::BTreeMap;
use std::fmt;

/// A kernel version `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Parses `3.2`, `2.6.32`, `6.18.44-fc`: two or three numbers, then
    /// anything after a `-`.
    pub fn parse(s: &str) -> Option<Version> {
        let core = s.split(['-', '+', '_']).next()?;
        let mut parts = core.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The project's table of first kernel versions (data/syscall_versions.csv).
pub const SYSCALL_VERSIONS_CSV: &str = include_str!("../../../data/syscall_versions.csv");

/// Name -> first kernel version, from the CSV. Rows without a version
/// (reserved, never implemented) are left out.
pub fn first_versions(csv: &str) -> BTreeMap<String, Version> {
    let mut map = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let mut fields = line.splitn(3, ',');
        let (Some(name), Some(version)) = (fields.next(), fields.next()) else { continue };
        if let Some(v) = Version::parse(version) {
            map.insert(name.to_owned(), v);
        }
    }
    map
}

/// Where x86-32 differs from the main table (data/syscall_versions_i386.csv).
pub const SYSCALL_VERSIONS_I386_CSV: &str = include_str!("../../../data/syscall_versions_i386.csv");

/// System calls of this build's architecture (number, name) that `kernel`
/// did not have yet. A name the table does not know is taken as old.
pub fn missing_syscalls(kernel: Version, versions: &BTreeMap<String, Version>) -> Vec<(u32, &'static str)> {
    missing(syscalls::Sysno::iter().map(|s| (s.id() as u32, s.name())), kernel, versions, &BTreeMap::new())
}

/// The same for x86-32 (i686 programs on an x86_64 kernel), with its own
/// differences (`i386`) consulted first.
pub fn missing_syscalls_i386(
    kernel: Version,
    versions: &BTreeMap<String, Version>,
    i386: &BTreeMap<String, Version>,
) -> Vec<(u32, &'static str)> {
    missing(syscalls::x86::Sysno::iter().map(|s| (s.id() as u32, s.name())), kernel, versions, i386)
}

fn missing(
    calls: impl Iterator<Item = (u32, &'static str)>,
    kernel: Version,
    versions: &BTreeMap<String, Version>,
    first: &BTreeMap<String, Version>,
) -> Vec<(u32, &'static str)> {
    calls.filter(|(_, name)| first.get(*name).or_else(|| versions.get(*name)).is_some_and(|v| *v > kernel)).collect()
}

/// `AUDIT_ARCH_X86_64`.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
/// `AUDIT_ARCH_I386`.
pub const AUDIT_ARCH_I386: u32 = 0x4000_0003;
/// `AUDIT_ARCH_AARCH64`.
pub const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
/// `AUDIT_ARCH_RISCV64`.
pub const AUDIT_ARCH_RISCV64: u32 = 0xc000_00f3;

/// The `AUDIT_ARCH_*` of the architecture kernel-sim is built for: its
/// programs are filtered with this build's system-call numbers
/// (`syscalls::Sysno`), and, on x86_64, i686 programs with x86-32's.
pub const NATIVE_AUDIT_ARCH: u32 = if cfg!(target_arch = "aarch64") {
    AUDIT_ARCH_AARCH64
} else if cfg!(target_arch = "riscv64") {
    AUDIT_ARCH_RISCV64
} else {
    AUDIT_ARCH_X86_64
};

/// How the filter treats one architecture's system calls.
pub struct ArchRule {
    /// The `AUDIT_ARCH_*` value.
    pub audit_arch: u32,
    /// Numbers answered without running them: `(number, errno)`, where
    /// errno 0 fakes success (the call returns 0 and does nothing). The
    /// first entry for a number wins.
    pub answer: Vec<(u32, u32)>,
    /// Numbers to hand to the supervisor (`uname`).
    pub notify: Vec<u32>,
}

const BPF_LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const BPF_JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const BPF_RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
const BPF_JA: u16 = (libc::BPF_JMP | libc::BPF_JA) as u16;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const SECCOMP_RET_USER_NOTIF: u32 = 0x7fc0_0000;

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter { code, jt: 0, jf: 0, k }
}

fn jeq(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code: BPF_JEQ_K, jt, jf, k }
}

/// The seccomp filter: per architecture, an errno for the answered calls
/// (`ENOSYS` for the missing ones), a notification for the faked ones, and
/// everything else allowed (other architectures too).
///
/// Each check is a pair `jeq nr, 0, 1; ret action`, and a block for another
/// architecture is skipped with `ja` (32-bit offset), so jump offsets fit
/// however long the list is.
pub fn build_filter(rules: &[ArchRule]) -> Vec<libc::sock_filter> {
    // offsetof(struct seccomp_data, nr) = 0, arch = 4.
    let mut prog = Vec::new();
    for rule in rules {
        let checks = rule.answer.len() + rule.notify.len();
        let body = 1 + 2 * checks + 1; // load nr, checks, allow
        prog.push(stmt(BPF_LD_W_ABS, 4));
        prog.push(jeq(rule.audit_arch, 1, 0));
        prog.push(stmt(BPF_JA, body as u32));
        prog.push(stmt(BPF_LD_W_ABS, 0));
        for &(nr, errno) in &rule.answer {
            prog.push(jeq(nr, 0, 1));
            prog.push(stmt(BPF_RET_K, SECCOMP_RET_ERRNO | (errno & 0xffff)));
        }
        for &nr in &rule.notify {
            prog.push(jeq(nr, 0, 1));
            prog.push(stmt(BPF_RET_K, SECCOMP_RET_USER_NOTIF));
        }
        prog.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
    }
    prog.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
    prog
}

/// Runs `prog` on one `(arch, nr)` the way the kernel would, for tests.
pub fn evaluate(prog: &[libc::sock_filter], arch: u32, nr: u32) -> u32 {
    let mut acc = 0u32;
    let mut pc = 0usize;
    loop {
        let ins = prog[pc];
        match ins.code {
            BPF_LD_W_ABS => acc = if ins.k == 0 { nr } else { arch },
            BPF_JEQ_K => {
                pc += if acc == ins.k { ins.jt as usize } else { ins.jf as usize };
            }
            BPF_JA => pc += ins.k as usize,
            BPF_RET_K => return ins.k,
            other => panic!("unexpected BPF opcode {other:#x}"),
        }
        pc += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(Version::parse("3.2"), Some(Version(3, 2, 0)));
        assert_eq!(Version::parse("2.6.32"), Some(Version(2, 6, 32)));
        assert_eq!(Version::parse("6.18.44-fc-v595"), Some(Version(6, 18, 44)));
        assert_eq!(Version::parse(""), None);
        assert_eq!(Version::parse("x.1"), None);
        assert!(Version(2, 6, 32) < Version(3, 0, 0));
    }

    #[test]
    fn the_table_knows_the_era_calls() {
        let v = first_versions(SYSCALL_VERSIONS_CSV);
        assert_eq!(v["getrandom"], Version(3, 17, 0));
        assert_eq!(v["statx"], Version(4, 11, 0));
        assert_eq!(v["membarrier"], Version(4, 3, 0));
        assert!(!v.contains_key("afs_syscall"));
        assert!(v.len() > 400);
    }

    #[test]
    fn missing_calls_by_kernel() {
        let v = first_versions(SYSCALL_VERSIONS_CSV);
        let names = |k| missing_syscalls(k, &v).into_iter().map(|(_, n)| n).collect::<Vec<_>>();
        let at_3_2 = names(Version(3, 2, 0));
        assert!(at_3_2.contains(&"getrandom") && at_3_2.contains(&"statx") && at_3_2.contains(&"renameat2"));
        assert!(!at_3_2.contains(&"sendmmsg") && !at_3_2.contains(&"openat") && !at_3_2.contains(&"uname"));
        let at_5_4 = names(Version(5, 4, 0));
        assert!(at_5_4.contains(&"openat2") && !at_5_4.contains(&"statx"));
        assert!(names(Version(99, 0, 0)).is_empty());
    }

    #[test]
    fn i386_has_its_own_differences() {
        let v = first_versions(SYSCALL_VERSIONS_CSV);
        let i386 = first_versions(SYSCALL_VERSIONS_I386_CSV);
        let names = |k| missing_syscalls_i386(k, &v, &i386).into_iter().map(|(_, n)| n).collect::<Vec<_>>();
        let at_4_2 = names(Version(4, 2, 0));
        assert!(at_4_2.contains(&"socket") && at_4_2.contains(&"accept4") && at_4_2.contains(&"clock_gettime64"));
        assert!(!at_4_2.contains(&"socketcall") && !at_4_2.contains(&"uname"));
        let at_5_0 = names(Version(5, 0, 0));
        assert!(!at_5_0.contains(&"socket") && at_5_0.contains(&"clock_gettime64"));
        assert!(!names(Version(5, 1, 0)).contains(&"clock_gettime64"));
    }

    #[test]
    fn filter_refuses_notifies_and_allows() {
        let rules = [ArchRule {
            audit_arch: AUDIT_ARCH_X86_64,
            answer: vec![(318, 38), (332, 38), (316, 1), (318, 0)],
            notify: vec![63],
        }];
        let prog = build_filter(&rules);
        assert_eq!(evaluate(&prog, AUDIT_ARCH_X86_64, 318), SECCOMP_RET_ERRNO | libc::ENOSYS as u32);
        assert_eq!(evaluate(&prog, AUDIT_ARCH_X86_64, 332), SECCOMP_RET_ERRNO | libc::ENOSYS as u32);
        assert_eq!(evaluate(&prog, AUDIT_ARCH_X86_64, 316), SECCOMP_RET_ERRNO | libc::EPERM as u32);
        assert_eq!(evaluate(&prog, AUDIT_ARCH_X86_64, 63), SECCOMP_RET_USER_NOTIF);
        assert_eq!(evaluate(&prog, AUDIT_ARCH_X86_64, 0), SECCOMP_RET_ALLOW);
        assert_eq!(evaluate(&prog, AUDIT_ARCH_I386, 318), SECCOMP_RET_ALLOW);
    }

    #[test]
    fn a_long_list_still_fits() {
        let v = first_versions(SYSCALL_VERSIONS_CSV);
        let missing: Vec<u32> = missing_syscalls(Version(2, 6, 32), &v).into_iter().map(|(n, _)| n).collect();
        assert!(missing.len() > 50);
        let prog = build_filter(&[ArchRule {
            audit_arch: AUDIT_ARCH_X86_64,
            answer: missing.iter().map(|&nr| (nr, libc::ENOSYS as u32)).collect(),
            notify: vec![63],
        }]);
        for nr in missing {
            assert_eq!(evaluate(&prog, AUDIT_ARCH_X86_64, nr), SECCOMP_RET_ERRNO | libc::ENOSYS as u32);
        }
    }
}

/// An `--answer NAME=ERRNO` option: the system call's numbers (x86_64,
/// i386; either may be absent) and the errno (a number, or a name such as
/// `EPERM`; 0 fakes success).
pub fn parse_answer(spec: &str) -> Option<(Option<u32>, Option<u32>, u32)> {
    let (name, errno) = spec.split_once('=')?;
    let errno = match errno {
        "EPERM" => libc::EPERM,
        "ENOSYS" => libc::ENOSYS,
        "EACCES" => libc::EACCES,
        "EINVAL" => libc::EINVAL,
        "EIO" => libc::EIO,
        n => n.parse().ok()?,
    } as u32;
    let x86_64 = name.parse::<syscalls::Sysno>().ok().map(|s| s.id() as u32);
    let i386 = name.parse::<syscalls::x86::Sysno>().ok().map(|s| s.id() as u32);
    (x86_64.is_some() || i386.is_some()).then_some((x86_64, i386, errno))
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    #[test]
    fn answers_parse() {
        assert_eq!(parse_answer("mseal=0"), Some((Some(462), Some(462), 0)));
        assert_eq!(parse_answer("renameat2=EPERM"), Some((Some(316), Some(353), 1)));
        assert_eq!(parse_answer("nosuchcall=1"), None);
        assert_eq!(parse_answer("mseal"), None);
        assert_eq!(parse_answer("mseal=EWHAT"), None);
    }
}
