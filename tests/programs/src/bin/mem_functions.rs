//! The memory functions (`memcpy memmove memset memcmp bcmp strlen`)
//! against a byte-at-a-time reference: every size 0..=1100, every
//! alignment pair, overlapping moves, and ranges next to unmapped pages
//! (`sys_layer_mem::verify`), with the paths this CPU takes and, on x86,
//! the SSE2 ones too. Prints the first few wrong cases.
#![no_std]
#![no_main]

use core::ptr::null_mut;
use sys_layer::mm::{self, MapFlags, Prot};
use sys_layer::{env, println};
use sys_layer_mem::verify::{self, Failure};
use sys_layer_tests::Checks;

sys_layer::main!(main);

/// The largest page size of any target (aarch64's 64 KiB): a guard this
/// size is whole pages everywhere.
const GUARD: usize = 65536;

fn main(_: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();
    let mut wrong = 0u64;
    let mut report = |f: Failure| {
        wrong += 1;
        if wrong <= 10 {
            println!("wrong: {f:?}");
        }
    };
    let cases = verify::all_paths(&mut report);
    // SAFETY: a fresh private mapping; its first and last GUARD bytes are
    // made inaccessible, and edges touches only the part between.
    let edge_cases = unsafe {
        let p =
            mm::mmap(null_mut(), 3 * GUARD, Prot::READ | Prot::WRITE, MapFlags::PRIVATE | MapFlags::ANONYMOUS, None, 0)
                .expect("mmap")
                .cast::<u8>();
        mm::mprotect(p.cast(), GUARD, Prot::empty()).expect("mprotect");
        mm::mprotect(p.add(2 * GUARD).cast(), GUARD, Prot::empty()).expect("mprotect");
        verify::edges(p.add(GUARD), GUARD, &mut report)
    };
    println!("cases: {}", cases + edge_cases);
    t.eq("every case as the reference", wrong, 0);
    t.finish()
}
