//! Syscall layers: sets of slot implementations the binder stacks.
//!
//! A layer fills some slots; a layer higher in the stack overrides a lower
//! one for the slots it fills. Today's stack is the base Linux layer alone;
//! newer-kernel eras, the vDSO and interposers stack on top of it.

pub mod linux;

use crate::kernel::Kernel;
use sys_layer_stubs::{SLOT_COUNT, StubTable};

/// A named set of slot implementations.
#[derive(Clone, Copy)]
pub struct Layer {
    /// Name shown in the bind report.
    pub name: &'static str,
    /// The slots this layer fills (`None` for the rest).
    pub slots: StubTable,
}

/// The most layers one stack holds.
pub const MAX_LAYERS: usize = 8;

/// The layers chosen for one kernel, lowest first.
#[derive(Clone, Copy)]
pub struct LayerStack {
    layers: [Option<&'static Layer>; MAX_LAYERS],
}

impl LayerStack {
    /// The stack for `kernel`.
    pub fn for_kernel(_kernel: &Kernel) -> LayerStack {
        let mut layers = [None; MAX_LAYERS];
        layers[0] = Some(&linux::BASE);
        LayerStack { layers }
    }

    /// The layers, lowest first.
    pub fn layers(&self) -> impl Iterator<Item = &'static Layer> + '_ {
        self.layers.iter().map_while(|l| *l)
    }

    /// One word per slot: the implementation from the highest layer that
    /// fills it, or 0 where none does.
    pub fn merged(&self) -> [usize; SLOT_COUNT] {
        let mut out = [0usize; SLOT_COUNT];
        for layer in self.layers() {
            for (slot, word) in out.iter_mut().zip(layer.slots.words()) {
                if word != 0 {
                    *slot = word;
                }
            }
        }
        out
    }
}
