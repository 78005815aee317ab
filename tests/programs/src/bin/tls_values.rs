//! TLS: the .tdata value arrives, .tbss starts at zero and can be written,
//! alignment holds, and the canary sits at the thread pointer + 0x28.
#![no_std]
#![no_main]

use sys_layer::{env, rt};
use sys_layer_arch::{set_tls_probe_bss, thread_pointer, tls_probe_bss, tls_probe_data, tls_probe_data_addr};
use sys_layer_tests::Checks;

sys_layer::main!(main);

fn main(_: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();
    t.eq(".tdata initial value", tls_probe_data(), 0x1122_3344_5566_7788);
    t.eq(".tbss starts at zero", tls_probe_bss(), 0);
    set_tls_probe_bss(0xfeed);
    t.eq(".tbss keeps a write", tls_probe_bss(), 0xfeed);
    t.eq(".tdata 64-byte alignment", tls_probe_data_addr() % 64, 0);
    let layout = rt::tls_layout();
    t.check("PT_TLS found", layout.block_size >= 16, format_args!("block size {}", layout.block_size));
    t.eq("layout alignment", layout.align, 64);
    let tp = thread_pointer() as usize;
    t.eq("thread pointer alignment", tp % 64, 0);
    let random = rt::auxv().random;
    t.check("AT_RANDOM present", random != 0, format_args!("missing"));
    if random != 0 {
        // SAFETY: AT_RANDOM points at 16 bytes the kernel keeps.
        let bytes = unsafe { &*(random as *const [u8; 16]) };
        let want = sys_layer_tls::canary_from_random(bytes);
        let got = sys_layer_tls::stack_guard();
        t.eq("canary from AT_RANDOM", got, want);
        t.check("canary low byte zero", got & 0xff == 0, format_args!("{got:#x}"));
        #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
        {
            // SAFETY: the TCB at the thread pointer holds the canary where
            // compilers read it.
            let at_abi_offset = unsafe { ((tp + sys_layer_tls::STACK_GUARD_OFFSET) as *const usize).read() };
            t.eq("canary at the ABI's offset from the thread pointer", at_abi_offset, want);
        }
    }
    t.finish()
}
