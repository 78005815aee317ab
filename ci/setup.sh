# Sourced: installs what the demo and the tests need on a fresh machine.
# Idempotent and quiet when everything is already there.
rustup component add rustfmt clippy >/dev/null 2>&1 || true
need=()
command -v strace >/dev/null 2>&1 || need+=(strace)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi
