# Sourced: installs what the demo and the tests need on a fresh machine.
# Idempotent and quiet when everything is already there.
#   SYS_LAYER_TARGETS: the targets to prepare (rust triples), if any.
rustup component add rustfmt clippy >/dev/null 2>&1 || true
for triple in ${SYS_LAYER_TARGETS:-}; do
    rustup target list --installed 2>/dev/null | grep -qx "$triple" || rustup target add "$triple" >&2
done
need=()
command -v strace >/dev/null 2>&1 || need+=(strace)
# The std programs' test disassembles them (tests/integration/tests/std_programs.rs).
{ command -v llvm-objdump && command -v llvm-dwarfdump; } >/dev/null 2>&1 || need+=(llvm)
case " ${SYS_LAYER_TARGETS:-} " in
    *aarch64*|*riscv64*) command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static) ;;
esac
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi
