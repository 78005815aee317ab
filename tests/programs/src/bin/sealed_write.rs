//! After binding, the table is read-only (and sealed on 6.10+): undoing the
//! protection fails with EPERM where sealed, and a write faults.
//!
//! Prints what it found, then writes to the table: the suite expects
//! SIGSEGV. `no-write` stops before the write.
#![no_std]
#![no_main]

use core::ffi::c_int;
use sys_layer::rt::Protection;
use sys_layer::{Errno, env, println, rt, stdio};

sys_layer::main!(main);

fn main(args: env::Args, _: env::Vars) -> i32 {
    let report = rt::bind_report();
    let Some(table) = report.tables().next() else {
        println!("FAIL no table bound");
        return 1;
    };
    println!("protection: {}", table.protection);
    if table.protection == Protection::Sealed {
        let mut errno: c_int = 0;
        // SAFETY: asks for write access to the sealed table's own page,
        // which the kernel must refuse.
        let r = unsafe {
            sys_layer::raw::mprotect(table.address as *mut _, report.page_size, linux_prot_rw() as c_int, &mut errno)
        };
        if r == -1 && errno == Errno::EPERM.raw() {
            println!("ok mprotect refused on a sealed table");
        } else {
            println!("FAIL mprotect on a sealed table gave {r} errno {errno}");
        }
    } else {
        // Without mseal the program could undo the protection itself; it
        // does not, so the write below must still fault.
        println!("not sealed: mprotect not tried");
    }
    let mode = args.clone().nth(1).map_or(&b""[..], |a| a.to_bytes());
    if mode == b"no-write" {
        return 0;
    }
    // `runtime`: the words the layers keep past the slots (vDSO functions,
    // i686's system-call entry) are sealed with the table.
    let target =
        if mode == b"runtime" { sys_layer_stubs::runtime_words().cast::<usize>() } else { table.address as *mut usize };
    println!("writing to the table");
    stdio::flush_stdout();
    // SAFETY: deliberately not sound: this write must fault.
    unsafe { target.write_volatile(0) };
    println!("FAIL the write to the table did not fault");
    1
}

fn linux_prot_rw() -> u32 {
    linux_raw_sys::general::PROT_READ | linux_raw_sys::general::PROT_WRITE
}
