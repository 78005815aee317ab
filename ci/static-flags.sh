# Sourced by the other ci/ scripts: the flags that build a static sys-layer
# program for a target, set for that target only (so host build scripts and
# the host test harness keep the normal C toolchain).
#
# The first five are the one line README's quick start documents; the last
# two are the optional unwind-table trim (crates/sys-layer/link/).

sys_layer_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

static_rustflags() {
    printf '%s' "-Clinker=rust-lld -Crelocation-model=static -Ctarget-feature=+crt-static -Clink-arg=-znorelro -Cpanic=abort" \
        " -Clink-arg=$sys_layer_root/crates/sys-layer/link/discard-unwind-tables.ld -Clink-arg=--no-eh-frame-hdr"
}

# export_static_rustflags TRIPLE: sets CARGO_TARGET_<TRIPLE>_RUSTFLAGS.
export_static_rustflags() {
    local var
    var="CARGO_TARGET_$(printf '%s' "$1" | tr 'a-z.-' 'A-Z__')_RUSTFLAGS"
    export "$var=$(static_rustflags)"
}
