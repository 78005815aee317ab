//! The vDSO reader on arbitrary bytes: it must never panic or read out of
//! bounds, whatever the image claims.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(vdso) = sys_layer_vdso::Vdso::parse(data) {
        for name in ["__vdso_clock_gettime", "__vdso_getcpu", "__kernel_clock_gettime", "__vdso_time"] {
            for version in ["LINUX_2.6", "LINUX_2.6.39", "LINUX_4.15"] {
                if let Some(offset) = vdso.lookup(name, version) {
                    assert!(offset < data.len());
                }
            }
        }
    }
});
