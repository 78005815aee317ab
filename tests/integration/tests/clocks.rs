//! The vDSO layer: which clock slots the binder bound to the vDSO, and that
//! they read what the host reads.
//!
//! Runs on every target and kernel: clocks.

use sys_layer_integration::*;

#[test]
fn clocks_read_the_time_through_the_vdso_where_there_is_one() {
    let text = assert_checks_pass("clocks", &[]);
    let host = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let seen: i64 =
        text.lines().find_map(|l| l.strip_prefix("realtime seconds: ")).expect("realtime line").parse().unwrap();
    assert!((seen - host).abs() <= 5, "program read {seen}, host {host}");
    let vdso = text.lines().find_map(|l| l.strip_prefix("vdso slots:")).expect("vdso line").trim().to_owned();
    if runner().is_some() {
        // qemu-user 7.2 gives aarch64 and riscv64 guests no vDSO: the
        // system calls stay bound, and the checks above passed on them.
        return;
    }
    // The real kernel's vDSO, this machine's or the guest's (seccomp under
    // kernel-sim does not touch it).
    let real = real_kernel_version();
    let expected = match target_arch().as_str() {
        "x86_64" => "clock_gettime clock_getres gettimeofday time getcpu",
        // vdso32 has 64-bit forms only of clock_gettime, and getcpu on
        // newer kernels: seen on 6.18, not on Debian's 6.1 (the kernel that
        // added it is not pinned here: between them, either is right).
        "i686" if real < (6, 2, 0) => "clock_gettime",
        "i686" if real < (6, 18, 0) && vdso == "clock_gettime" => "clock_gettime",
        "i686" => "clock_gettime getcpu",
        // Debian's 6.1 for arm64 and 6.12 for riscv64 (ci/real-kernels.sh).
        "aarch64" => "clock_gettime clock_getres gettimeofday",
        "riscv64" => "clock_gettime clock_getres gettimeofday getcpu",
        other => panic!("no expectation for {other}"),
    };
    assert_eq!(vdso, expected);
}
