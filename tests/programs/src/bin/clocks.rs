//! Clocks through the vDSO layer: prints which slots the binder bound to
//! the vDSO and what they read, for the suite to compare with the host.
#![no_std]
#![no_main]

use sys_layer::time::{self, Clock};
use sys_layer::{env, println, rt};
use sys_layer_tests::Checks;

sys_layer::main!(main);

fn main(_: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();
    let real = time::clock_gettime(Clock::Realtime);
    let mono1 = time::clock_gettime(Clock::Monotonic);
    let mono2 = time::clock_gettime(Clock::Monotonic);
    let tod = time::gettimeofday();
    let secs = time::time();
    let res = time::clock_getres(Clock::Monotonic);
    let cpu = time::getcpu();
    t.check("realtime", real.is_ok(), format_args!("{real:?}"));
    t.check(
        "monotonic does not go back",
        matches!((mono1, mono2), (Ok(a), Ok(b)) if a <= b),
        format_args!("{mono1:?} {mono2:?}"),
    );
    t.check("resolution at most 1 ms", res.is_ok_and(|r| r.sec == 0 && r.nsec <= 1_000_000), format_args!("{res:?}"));
    t.check("getcpu", cpu.is_ok(), format_args!("{cpu:?}"));
    if let (Ok(r), Ok(d), Ok(s)) = (real, tod, secs) {
        t.check("gettimeofday agrees", (d.sec - r.sec).abs() <= 1, format_args!("{d:?} {r:?}"));
        t.check("time agrees", (s - r.sec).abs() <= 1, format_args!("{s} {r:?}"));
        println!("realtime seconds: {}", r.sec);
    }
    if let Ok((c, _)) = cpu {
        println!("cpu: {c}");
    }
    let bad = time::clock_gettime_raw_id(12345);
    t.check("an unknown clock is EINVAL", bad == Err(sys_layer::Errno::EINVAL), format_args!("{bad:?}"));
    sys_layer::print!("vdso slots:");
    for name in rt::bind_report().binding.vdso_slots() {
        sys_layer::print!(" {name}");
    }
    println!();
    t.finish()
}
