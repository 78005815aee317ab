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
    // The host kernel's vDSO (seccomp under kernel-sim does not touch it).
    let expected = match target_arch().as_str() {
        "x86_64" => "clock_gettime clock_getres gettimeofday time getcpu",
        // vdso32 has 64-bit forms only of clock_gettime (and getcpu).
        "i686" => "clock_gettime getcpu",
        other => panic!("no expectation for {other}"),
    };
    assert_eq!(vdso, expected);
}
