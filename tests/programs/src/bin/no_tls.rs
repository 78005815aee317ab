//! A program with no PT_TLS segment: TLS set-up still gives a thread
//! pointer and errno.
#![no_std]
#![no_main]

use sys_layer::{c, env, rt};
use sys_layer_tests::Checks;

sys_layer::main!(main);

fn main(_: env::Args, _: env::Vars) -> i32 {
    let mut t = Checks::default();
    t.eq("no TLS block", rt::tls_layout().block_size, 0);
    c::set_errno(7);
    t.eq("errno lives without PT_TLS", c::errno(), 7);
    t.finish()
}
