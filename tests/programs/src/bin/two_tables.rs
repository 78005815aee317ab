//! A second stub table built for ABI version 1 sits beside the program's
//! own: the binder must find it through its note, fill as many slots as
//! version 1 had, and protect it too.
#![no_std]
#![no_main]

use core::ffi::c_int;
use sys_layer::rt::Protection;
use sys_layer::{env, process, rt};
use sys_layer_stubs::{declare_table, slot, slot_count_for_abi};
use sys_layer_tests::Checks;

declare_table!(symbol: "legacy_abi1_table", abi: 1);

const V1_SLOTS: usize = slot_count_for_abi(1);

unsafe extern "C" {
    #[link_name = "legacy_abi1_table"]
    static LEGACY: [usize; V1_SLOTS];
}

sys_layer::main!(main);

fn main(_: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();
    let report = rt::bind_report();
    t.eq("tables bound", report.tables_bound, 2);
    // SAFETY: the binder filled the table before main; it is only read.
    let legacy: [usize; V1_SLOTS] = unsafe { core::ptr::read_volatile(&raw const LEGACY) };
    let addr = (&raw const LEGACY) as usize;
    let entry = report.tables().find(|r| r.address == addr);
    t.check("legacy table in the report", entry.is_some(), format_args!("no report at {addr:#x}"));
    if let Some(e) = entry {
        t.eq("legacy ABI", e.abi, 1);
        t.eq("legacy slots", e.slots as usize, V1_SLOTS);
        let protected = matches!(e.protection, Protection::Sealed | Protection::ReadOnly(_));
        t.check("legacy table protected", protected, format_args!("{}", e.protection));
    }
    t.check("every legacy slot filled", legacy.iter().all(|&w| w != 0), format_args!("{legacy:x?}"));
    t.check(
        "version 1 is smaller than the current ABI",
        V1_SLOTS < sys_layer_stubs::SLOT_COUNT,
        format_args!("{V1_SLOTS}"),
    );
    // Call getpid through the legacy table.
    type GetPid = unsafe extern "C" fn(*mut c_int) -> isize;
    // SAFETY: the getpid slot holds a function of this signature.
    let getpid: GetPid = unsafe { core::mem::transmute::<usize, GetPid>(legacy[slot::getpid]) };
    let mut errno = 0;
    // SAFETY: getpid takes only the errno pointer.
    let pid = unsafe { getpid(&mut errno) };
    t.eq("getpid through the legacy table", pid as i32, process::getpid());
    t.finish()
}
