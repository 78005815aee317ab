//! What start-up learnt, for programs and tests to read: the binder's
//! report (kernel, layers, tables and their protection), the auxiliary
//! vector, and the main thread's TLS layout.

use crate::runtime::startup;

pub use crate::layer::{Binding, SlotSet};
pub use crate::runtime::auxv::{Auxv, StartupStack};
pub use crate::runtime::binder::{BindError, BindReport, Protection, SealSkipped, TableReport};
pub use crate::runtime::kernel::{Kernel, KernelVersion, Release, VersionSource};
pub use sys_layer_tls::Layout;

/// What the binder did: the kernel it saw, the layers it stacked, and each
/// table it bound and sealed.
pub fn bind_report() -> &'static BindReport {
    &startup().bind
}

/// The auxiliary vector's entries the runtime read.
pub fn auxv() -> &'static Auxv {
    &startup().auxv
}

/// The main thread's TLS layout.
pub fn tls_layout() -> &'static Layout {
    &startup().tls
}
