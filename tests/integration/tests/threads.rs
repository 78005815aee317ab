//! Threads, locks and the allocator under threads, checked by the
//! `threads` program from inside (see its header), on the kernel, emulator
//! or simulated kernel the suite targets.
//!
//! Runs on every target and kernel: threads.

use sys_layer_integration::*;

#[test]
fn threads_keep_their_own_state_and_locks_hold() {
    assert_checks_pass("threads", &[]);
}
