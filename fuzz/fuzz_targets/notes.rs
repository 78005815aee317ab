//! The ELF note reader and the stub-table note on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sys_layer_stubs::note::{Notes, TableNote};

fuzz_target!(|data: &[u8]| {
    for align in [4, 8] {
        for note in Notes::new(data, align).flatten() {
            let _ = TableNote::from_note(&note);
        }
    }
});
