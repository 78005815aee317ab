//! Thread-local storage set up by the runtime.
//!
//! Runs on every target and kernel: no_tls, tls_values.

use sys_layer_integration::*;

#[test]
fn tdata_and_tbss_values_and_the_canary() {
    assert_checks_pass("tls_values", &[]);
}

#[test]
fn a_program_without_pt_tls_still_has_errno() {
    assert_checks_pass("no_tls", &[]);
}
