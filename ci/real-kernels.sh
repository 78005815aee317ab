#!/usr/bin/env bash
# The integration suite on real kernels: Debian's Linux images booted under
# qemu-system (TCG, no KVM needed), the programs run inside them through
# guest-run (tools/guest) with the integration tests' own expectations, and
# kernel-sim inside the guest for the simulated old kernels.
#
#   usage: ci/real-kernels.sh [x86_64] [i686] [aarch64]   (default: all three)
#
# x86_64 and i686 programs run on the same x86_64 guest (its IA32
# emulation). Each guest: Debian 12's Linux 6.1 (the non-cloud image: the
# cloud one has no 9p), an initramfs with a static busybox (Debian's
# busybox-static) as init, Debian's modules for virtio-net and 9p, and
# guest-agent (a static musl build). The guest mounts the workspace over
# 9p under its own path, so the tests' files and programs are where the
# tests put them; qemu's user network forwards a host port to the agent.
# Images and initramfs are cached in target/real-kernels/ (never committed).
#
# Exit status 3, with a message, when the images cannot be had (no
# registry, not root to install qemu): ci/test.sh reports it as such.
#
# Environment: SYS_LAYER_REAL_TESTS, the test files to run on each real
# kernel, SYS_LAYER_REAL_SIM_TESTS those on each simulated kernel in a
# guest, SYS_LAYER_REAL_SIM_KERNELS the simulated kernels for aarch64
# (defaults below).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/target/real-kernels
mkdir -p "$cache"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64 i686 aarch64)

# Test files that run in the guests: every file that runs programs except
# those that take long under TCG for what they add (see README).
read -r -a tests <<<"${SYS_LAYER_REAL_TESTS:-api binding clocks coreutils debug_builds eras hostile io signals startup threads tls corpus}"
test_args=()
for t in "${tests[@]}"; do test_args+=(--test "$t"); done

# Simulated kernels inside the guests: where qemu-user could not give them
# (x86_64 and i686 have them on this machine's kernel). aarch64 arrived in
# 3.7: 2.6.32 and 3.2 have no aarch64 to simulate.
declare -A SIM_KERNELS=([aarch64]="${SYS_LAYER_REAL_SIM_KERNELS-3.10 4.4 5.4}")
read -r -a sim_tests <<<"${SYS_LAYER_REAL_SIM_TESTS:-api binding clocks eras io signals startup threads tls}"
sim_test_args=()
for t in "${sim_tests[@]}"; do sim_test_args+=(--test "$t"); done

declare -A TRIPLE=([x86_64]=x86_64-unknown-linux-gnu [i686]=i686-unknown-linux-gnu
    [aarch64]=aarch64-unknown-linux-gnu)
declare -A GUEST=([x86_64]=x86_64 [i686]=x86_64 [aarch64]=aarch64)
declare -A DEBARCH=([x86_64]=amd64 [aarch64]=arm64)
declare -A FLAVOUR=([x86_64]=amd64 [aarch64]=arm64)
declare -A MUSL=([x86_64]=x86_64-unknown-linux-musl [aarch64]=aarch64-unknown-linux-musl)
declare -A QEMU=([x86_64]=qemu-system-x86_64 [aarch64]=qemu-system-aarch64)
declare -A QEMU_PACKAGE=([x86_64]=qemu-system-x86 [aarch64]=qemu-system-arm)
declare -A MACHINE=([x86_64]="-M q35 -cpu max" [aarch64]="-M virt -cpu max")
declare -A CONSOLE=([x86_64]=ttyS0 [aarch64]=ttyAMA0)
MODULES="virtio_pci virtio_net 9pnet_virtio 9p"

unavailable() {
    echo "real-kernels: UNAVAILABLE: $*" >&2
    exit 3
}

# Installs the host tools and the foreign architecture, as root.
setup() {
    local need=()
    for g in "$@"; do command -v "${QEMU[$g]}" >/dev/null 2>&1 || need+=("${QEMU_PACKAGE[$g]}"); done
    command -v cpio >/dev/null 2>&1 || need+=(cpio)
    command -v depmod >/dev/null 2>&1 || need+=(kmod)
    local update=
    if [[ " $* " == *" aarch64 "* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
        [ "$(id -u)" = 0 ] || unavailable "the arm64 packages need 'dpkg --add-architecture arm64' (run as root)"
        dpkg --add-architecture arm64
        update=1
    fi
    [ ${#need[@]} -eq 0 ] && [ -z "$update" ] && return
    [ "$(id -u)" = 0 ] || unavailable "missing ${need[*]} (run as root to install them)"
    echo "real-kernels: installing ${need[*]}" >&2
    apt-get update -qq >/dev/null || unavailable "apt-get update failed"
    [ ${#need[@]} -eq 0 ] || apt-get install -y -qq "${need[@]}" >/dev/null || unavailable "cannot install ${need[*]}"
}

# Downloads and unpacks a package into $2 (a cache directory).
unpack() {
    local package=$1 dir=$2 work
    work=$(mktemp -d)
    (cd "$work" && apt-get download -qq "$package" 2>/dev/null) || { rm -rf "$work"; unavailable "cannot download $package"; }
    dpkg-deb -x "$work"/*.deb "$dir"
    rm -rf "$work"
}

# The kernel, its modules and busybox for guest $1, in $cache/$1/image.
fetch_image() {
    local g=$1 dir=$cache/$1/image package
    [ -f "$dir/done" ] && return
    rm -rf "$dir" && mkdir -p "$dir"
    package=$(apt-cache search --names-only "^linux-image-6\.1\.0-[0-9]+-${FLAVOUR[$g]}-unsigned\$" |
        awk '{print $1}' | sort -V | tail -n 1)
    [ -n "$package" ] || unavailable "no linux-image-6.1.0-*-${FLAVOUR[$g]}-unsigned in the package lists"
    echo "real-kernels: downloading $package and busybox-static (${DEBARCH[$g]})" >&2
    unpack "$package:${DEBARCH[$g]}" "$dir"
    unpack "busybox-static:${DEBARCH[$g]}" "$dir"
    touch "$dir/done"
}

# The initramfs for guest $1: busybox as init, the modules, guest-agent.
build_initramfs() {
    local g=$1 image=$cache/$1/image tree=$cache/$1/initramfs version
    version=$(basename "$(ls -d "$image"/lib/modules/*)")
    rustup target list --installed | grep -qx "${MUSL[$g]}" || rustup target add "${MUSL[$g]}" >&2
    # guest-agent and kernel-sim, static (musl, linked by rust-lld alone).
    RUSTFLAGS="-Clinker=rust-lld -Clink-self-contained=yes -Ctarget-feature=+crt-static" \
        cargo build -q --release --target "${MUSL[$g]}" -p sys-layer-guest -p sys-layer-kernel-sim \
        --target-dir "$root/target/guest-tools" >&2
    rm -rf "$tree" && mkdir -p "$tree"/{bin,dev,proc,sys,tmp,lib/modules/"$version"}
    cp "$image/bin/busybox" "$tree/bin/busybox"
    cp "$root/target/guest-tools/${MUSL[$g]}/release/guest-agent" "$tree/bin/guest-agent"
    mknod "$tree/dev/console" c 5 1
    # The modules and what they depend on.
    local todo=($MODULES) seen=" " m file deps
    while [ ${#todo[@]} -gt 0 ]; do
        m=${todo[0]} todo=("${todo[@]:1}")
        [[ "$seen" == *" $m "* ]] && continue
        seen+="$m "
        file=$(find "$image/lib/modules/$version" -name "$m.ko*" | head -n 1)
        [ -n "$file" ] || continue # built in
        mkdir -p "$tree/$(dirname "${file#"$image"/}")"
        cp "$file" "$tree/${file#"$image"/}"
        deps=$(modinfo -F depends "$file")
        [ -z "$deps" ] || todo+=(${deps//,/ })
    done
    cp "$image/lib/modules/$version"/modules.{order,builtin,builtin.modinfo} "$tree/lib/modules/$version/"
    depmod -b "$tree" "$version"
    cat >"$tree/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
modprobe -a $MODULES || echo "init: modprobe failed"
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
# The host's workspace, under the same path (the kernel passes share=).
mkdir -p "\$share"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,access=any share "\$share" || echo "init: no share"
echo "init: starting guest-agent"
guest-agent
echo "init: powering off"
poweroff -f
EOF
    chmod +x "$tree/init"
    (cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1 >"$cache/$g/initramfs.gz")
}

# Boots guest $1 and waits for its agent; sets $port and $qemu_pid.
boot() {
    local g=$1 image=$cache/$1/image kernel attempt log=$cache/$1/console.log
    kernel=$(ls "$image"/boot/vmlinuz-* | head -n 1)
    for attempt in 1 2 3 4 5; do
        port=$((20000 + (RANDOM % 20000)))
        # shellcheck disable=SC2086
        "${QEMU[$g]}" -accel tcg ${MACHINE[$g]} -smp 2 -m 1024 -nographic -no-reboot \
            -kernel "$kernel" -initrd "$cache/$g/initramfs.gz" \
            -append "console=${CONSOLE[$g]} panic=-1 quiet share=$root" \
            -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:7000" -device virtio-net-pci,netdev=net0,romfile= \
            -virtfs "local,path=$root,mount_tag=share,security_model=passthrough,id=share" \
            </dev/null >"$log" 2>&1 &
        qemu_pid=$!
        local waited=0
        while kill -0 "$qemu_pid" 2>/dev/null; do
            if "$root/target/debug/guest-run" --to "127.0.0.1:$port" --hello >/dev/null 2>&1; then
                echo "real-kernels: the $g guest answers after ${waited} s" >&2
                return 0
            fi
            sleep 1
            waited=$((waited + 1))
            if [ $waited -ge 120 ]; then
                kill "$qemu_pid"
                echo "real-kernels: the $g guest did not answer in 120 s; console:" >&2
                tail -n 30 "$log" >&2
                exit 1
            fi
        done
        grep -q "Could not set up host forwarding" "$log" || { tail -n 30 "$log" >&2; exit 1; }
    done
    echo "real-kernels: no free port for the $g guest" >&2
    exit 1
}

shutdown() {
    "$root/target/debug/guest-run" --to "127.0.0.1:$port" --shutdown >/dev/null 2>&1 || true
    for _ in $(seq 20); do kill -0 "$qemu_pid" 2>/dev/null || return 0; sleep 0.5; done
    kill "$qemu_pid" 2>/dev/null || true
}

guests=()
for t in "${targets[@]}"; do
    [ -n "${GUEST[$t]:-}" ] || { echo "real-kernels: unknown target '$t' (x86_64, i686, aarch64)" >&2; exit 2; }
    [[ " ${guests[*]} " == *" ${GUEST[$t]} "* ]] || guests+=("${GUEST[$t]}")
done
setup "${guests[@]}"
for g in "${guests[@]}"; do fetch_image "$g"; done

cargo build -q -p sys-layer-guest -p sys-layer-kernel-sim >&2
reference=$(bash ci/build-programs.sh x86_64-unknown-linux-gnu)
export SYS_LAYER_REFERENCE_PROGRAMS=$reference SYS_LAYER_RUNNER=
# The tests' scratch files, in the shared workspace.
export TMPDIR=$cache/tmp
mkdir -p "$TMPDIR"

status=0
for g in "${guests[@]}"; do
    build_initramfs "$g"
    boot "$g"
    trap 'kill $qemu_pid 2>/dev/null || true' EXIT
    export SYS_LAYER_GUEST=127.0.0.1:$port
    export SYS_LAYER_KERNEL_SIM=$root/target/guest-tools/${MUSL[$g]}/release/kernel-sim
    for t in "${targets[@]}"; do
        [ "${GUEST[$t]}" = "$g" ] || continue
        dir=$(bash ci/build-programs.sh "${TRIPLE[$t]}")
        echo "== integration suite, $t, on a real Linux ($(target/debug/guest-run --to "$SYS_LAYER_GUEST" --hello | head -n 1)) under qemu-system" >&2
        SYS_LAYER_PROGRAMS=$dir SYS_LAYER_ARCH=$t cargo test --no-fail-fast -p sys-layer-integration "${test_args[@]}" 2>&1 ||
            status=1
        for kernel in ${SIM_KERNELS[$t]:-}; do
            echo "== integration suite, $t, on a simulated Linux $kernel in the guest" >&2
            SYS_LAYER_PROGRAMS=$dir SYS_LAYER_ARCH=$t SYS_LAYER_SIM_KERNEL=$kernel \
                cargo test --no-fail-fast -p sys-layer-integration "${sim_test_args[@]}" 2>&1 || status=1
        done
    done
    shutdown
    trap - EXIT
done
exit $status
