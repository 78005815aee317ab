//! Rust's std, with sys-layer's C layer linked under it.
//!
//! A program depends on this crate under the name `std`:
//!
//! ```toml
//! [dependencies]
//! std = { package = "sys-layer-std", path = ".../crates/std" }
//! ```
//!
//! The compiler's implicit `extern crate std` then finds this crate, which
//! re-exports the toolchain's std whole (modules, macros, the prelude), so
//! the program's source does not change; and because the program now
//! names a crate that depends on [`sys_layer_c_abi`], that crate (the C
//! symbols std imports, and sys-layer's start-up) is linked in. A plain
//! dependency on `sys-layer-c-abi` would need a `use sys_layer_c_abi as _;`
//! in the program: the compiler links only the crates a program names.
//!
//! Its default feature `unwind` links a real unwinder, so panics unwind
//! and `cargo test` works as on any std; `default-features = false` (with
//! `panic = "abort"`) leaves it and std's backtrace symboliser out, for
//! about a quarter of the size.
#![no_std]

extern crate std as toolchain_std;

pub use toolchain_std::*;

use sys_layer_c_abi as _;
