//! Shared by the static test programs: a tiny check list whose lines the
//! integration suite reads (`ok <name>` / `FAIL <name>: <detail>`).
#![no_std]

use core::fmt::Arguments;
use sys_layer::println;

/// Counts and prints checks.
#[derive(Default)]
pub struct Checks {
    failed: u32,
    passed: u32,
}

impl Checks {
    /// Records one check.
    pub fn check(&mut self, name: &str, ok: bool, detail: Arguments<'_>) {
        if ok {
            self.passed += 1;
            println!("ok {name}");
        } else {
            self.failed += 1;
            println!("FAIL {name}: {detail}");
        }
    }

    /// Records that `got == want`.
    pub fn eq<T: PartialEq + core::fmt::Debug>(&mut self, name: &str, got: T, want: T) {
        let ok = got == want;
        self.check(name, ok, format_args!("got {got:?}, want {want:?}"));
    }

    /// Prints the totals; the exit status (0 if all passed).
    pub fn finish(self) -> i32 {
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed == 0 { 0 } else { 1 }
    }
}
