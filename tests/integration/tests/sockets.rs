//! Sockets and readiness, checked by the `sockets` program from inside
//! (see its header), on the kernel, emulator or simulated kernel the suite
//! targets: on i686 below 4.3 every socket call goes through `socketcall`.
//!
//! Runs on every target and kernel: sockets.

use sys_layer_integration::*;

#[test]
fn sockets_carry_bytes_and_descriptors_and_readiness_is_reported() {
    assert_checks_pass("sockets", &[]);
}
