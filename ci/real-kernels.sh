#!/usr/bin/env bash
# The integration suite on real kernels: Debian's Linux images booted under
# qemu-system (TCG, no KVM needed), the programs run inside them through
# guest-run (tools/guest) with the integration tests' own expectations, and
# kernel-sim inside the guest for the simulated old kernels.
#
#   usage: ci/real-kernels.sh [x86_64] [i686] [aarch64] [riscv64]   (default: all four)
#
# x86_64 and i686 programs run on the same x86_64 guest (its IA32
# emulation). Each guest: Debian 12's Linux 6.1 (the non-cloud image: the
# cloud one has no 9p), or for riscv64 Debian 13's 6.12 (riscv64 is a
# release architecture from Debian 13 on; its package lists are fetched
# into the cache, not into the system's), an initramfs with guest-init as
# /init and guest-agent (tools/guest-init: static sys-layer programs),
# Debian's modules for virtio-net and 9p, and a static busybox (Debian's
# busybox-static: the shell and tools the suite's programs run, and
# modprobe for init). The guest mounts the workspace over 9p under its own
# path, so the tests' files and programs are where the tests put them;
# qemu's user network forwards a host port to the agent, and gives the
# guest this machine's loopback at 10.0.2.2.
# Images and initramfs are cached in target/real-kernels/ (never committed).
#
# Exit status: 1 when tests failed; 3, with a message, when the images
# cannot be had (no registry, not root to install qemu); 4 when a guest
# did not start. ci/test.sh counts 3 and 4 as a failure and says which.
#
# Environment: SYS_LAYER_REAL_TESTS, the test files to run on each real
# kernel, SYS_LAYER_REAL_SIM_TESTS those on each simulated kernel in a
# guest (space separated; the files named below are left out even so),
# SYS_LAYER_REAL_SIM_KERNELS and SYS_LAYER_REAL_SIM_KERNELS_RISCV64 the
# simulated kernels for aarch64 and riscv64 (defaults below).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/target/real-kernels
mkdir -p "$cache"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64 i686 aarch64 riscv64)

# Test files that run in the guests: those that say they run on every
# target and kernel (as in ci/test.sh), but for CI time (README) without
# debug_builds on the aarch64 and riscv64 guests (4 minutes under TCG) and
# without coreutils, corpus, debug_builds and threads (a minute each under
# TCG and the simulator) and servers (2 to 3 minutes there: its 10,000
# echoes go through qemu's network and the agent) on the simulated kernels
# in a guest: those run on the real kernel, under qemu-user, or both. Nor
# mem: the memory functions do not depend on the kernel, and in the aarch64 guest about one run in
# eight of mem_functions crawls (normally 10 s; still in its first checks
# minutes later, its PC moving through them), with or without kernel-sim,
# with -cpu max or cortex-a72, with or without address randomisation: a
# slowdown of the emulation, not a hang of the program or the simulator
# (README, Real kernels). On the real kernel it runs once per guest.
# resolve and servers run too: a program in the guest reaches the tests'
# DNS responder at qemu's alias of this machine's loopback, and the echo
# server's clients reach it through the agent (tests/integration's
# host_addr_for_programs and reach).
running=()
for file in tests/integration/tests/*.rs; do
    name=$(basename "$file" .rs)
    grep -q '^//! Runs on every target and kernel: ' "$file" && running+=("$name")
done
# Prints --test FILE for each file of "$1" not in "$2" (space separated).
test_args() {
    for t in $1; do [[ " $2 " == *" $t "* ]] || printf -- '--test\n%s\n' "$t"; done
}

# Simulated kernels inside the guests: where qemu-user could not give them
# (x86_64 and i686 have them on this machine's kernel). aarch64 arrived in
# 3.7 and riscv64 in 4.15: the suite's older kernels have neither.
declare -A SIM_KERNELS=([aarch64]="${SYS_LAYER_REAL_SIM_KERNELS-3.10 4.4 5.4}"
    [riscv64]="${SYS_LAYER_REAL_SIM_KERNELS_RISCV64-5.4}")
mapfile -t x86_test_args < <(test_args "${SYS_LAYER_REAL_TESTS:-${running[*]}}" "")
mapfile -t other_test_args < <(test_args "${SYS_LAYER_REAL_TESTS:-${running[*]}}" "debug_builds")
mapfile -t sim_test_args < <(test_args "${SYS_LAYER_REAL_SIM_TESTS:-${running[*]}}" "coreutils corpus debug_builds mem servers threads")

declare -A TRIPLE=([x86_64]=x86_64-unknown-linux-gnu [i686]=i686-unknown-linux-gnu
    [aarch64]=aarch64-unknown-linux-gnu [riscv64]=riscv64gc-unknown-linux-gnu)
declare -A GUEST=([x86_64]=x86_64 [i686]=x86_64 [aarch64]=aarch64 [riscv64]=riscv64)
declare -A DEBARCH=([x86_64]=amd64 [aarch64]=arm64 [riscv64]=riscv64)
# The image: a package name pattern (the highest version is taken).
declare -A KERNEL_PACKAGE=([x86_64]='linux-image-6\.1\.0-[0-9]+-amd64-unsigned'
    [aarch64]='linux-image-6\.1\.0-[0-9]+-arm64-unsigned' [riscv64]='linux-image-6\.12\.[0-9]+\+deb13-riscv64')
# What kernel-sim is built for (see build_tools).
declare -A TOOLS_TRIPLE=([x86_64]=x86_64-unknown-linux-musl [aarch64]=aarch64-unknown-linux-musl
    [riscv64]=riscv64gc-unknown-linux-gnu)
declare -A QEMU=([x86_64]=qemu-system-x86_64 [aarch64]=qemu-system-aarch64 [riscv64]=qemu-system-riscv64)
declare -A QEMU_PACKAGE=([x86_64]=qemu-system-x86 [aarch64]=qemu-system-arm [riscv64]=qemu-system-misc)
declare -A MACHINE=([x86_64]="-M q35 -cpu max" [aarch64]="-M virt -cpu max" [riscv64]="-M virt")
declare -A CONSOLE=([x86_64]=ttyS0 [aarch64]=ttyAMA0 [riscv64]=ttyS0)
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
    command -v xz >/dev/null 2>&1 || need+=(xz-utils)
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

# apt-get or apt-cache ($2) for guest $1: the system's, or for riscv64
# Debian 13's lists, kept in the cache (the system's sources and lists stay
# as they are).
apt_for() {
    local g=$1 tool=$2
    shift 2
    if [ "$g" != riscv64 ]; then
        "$tool" "$@"
        return
    fi
    local d=$cache/apt-riscv64
    "$tool" -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
        -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o APT::Architecture=riscv64 \
        -o APT::Architectures=riscv64 -o Debug::NoLocking=1 "$@"
}

apt_lists_riscv64() {
    local d=$cache/apt-riscv64
    [ -f "$d/updated" ] && return
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
        >"$d/sources.list"
    apt_for riscv64 apt-get update -qq >/dev/null 2>&1 || unavailable "cannot fetch Debian 13's package lists for riscv64"
    touch "$d/updated"
}

# Downloads and unpacks package $2 of guest $1 into $3 (a cache directory).
unpack() {
    local g=$1 package=$2 dir=$3 work
    work=$(mktemp -d)
    (cd "$work" && apt_for "$g" apt-get download -qq "$package" 2>/dev/null) ||
        { rm -rf "$work"; unavailable "cannot download $package"; }
    dpkg-deb -x "$work"/*.deb "$dir"
    rm -rf "$work"
}

# The kernel, its modules and busybox for guest $1, in $cache/$1/image.
fetch_image() {
    local g=$1 dir=$cache/$1/image package
    [ -f "$dir/done" ] && return
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$g" != riscv64 ] || apt_lists_riscv64
    local search=(apt_for "$g" apt-cache search --names-only "^${KERNEL_PACKAGE[$g]}\$")
    package=$("${search[@]}" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1)
    if [ -z "$package" ] && [ "$g" != riscv64 ] && [ "$(id -u)" = 0 ]; then
        # A fresh machine may have no package lists yet.
        apt-get update -qq >/dev/null 2>&1 || unavailable "apt-get update failed"
        package=$("${search[@]}" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1)
    fi
    [ -n "$package" ] || unavailable "no ${KERNEL_PACKAGE[$g]} in the package lists"
    echo "real-kernels: downloading $package and busybox-static (${DEBARCH[$g]})" >&2
    unpack "$g" "$package:${DEBARCH[$g]}" "$dir"
    unpack "$g" "busybox-static:${DEBARCH[$g]}" "$dir"
    if [ "$g" = riscv64 ]; then
        # Rust 1.95 has no standard library for riscv64gc-unknown-linux-musl:
        # the guest's tools link glibc statically, from Debian's packages.
        local gcc
        gcc=$(apt_for "$g" apt-cache search --names-only '^libgcc-[0-9]+-dev$' | awk '{print $1}' | sort -V | tail -n 1)
        unpack "$g" "libc6-dev:riscv64" "$cache/$g/sysroot"
        unpack "$g" "$gcc:riscv64" "$cache/$g/sysroot"
    fi
    touch "$dir/done"
}

# Builds guest-init and guest-agent for guest $1 into
# target/guest-init/TRIPLE/release (sys-layer programs, with the test
# programs' static flags), and kernel-sim (a std program) static into
# target/guest-tools/TRIPLE/release: musl, linked by rust-lld alone, or for
# riscv64 glibc's static libraries (Debian's) through rust-lld.
build_tools() {
    local g=$1 tools=(cargo build -q --release --target "${TOOLS_TRIPLE[$g]}"
        -p sys-layer-kernel-sim --target-dir "$root/target/guest-tools")
    (
        source ci/static-flags.sh
        export_static_rustflags "${TRIPLE[$g]}"
        cargo build -q --release --target "${TRIPLE[$g]}" -p sys-layer-guest-init --target-dir "$root/target/guest-init" >&2
    )
    rustup target list --installed | grep -qx "${TOOLS_TRIPLE[$g]}" || rustup target add "${TOOLS_TRIPLE[$g]}" >&2
    if [ "$g" != riscv64 ]; then
        RUSTFLAGS="-Clinker=rust-lld -Clink-self-contained=yes -Ctarget-feature=+crt-static" "${tools[@]}" >&2
        return
    fi
    local sysroot=$cache/$g/sysroot lld libdir gccdir
    lld=$(ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/rust-lld | head -n 1)
    libdir=$sysroot/usr/lib/riscv64-linux-gnu
    gccdir=$(ls -d "$sysroot"/usr/lib/gcc/riscv64-linux-gnu/* | head -n 1)
    # rust-lld as ld.lld, with the C start files around what rustc passes.
    cat >"$cache/$g/ld.sh" <<EOF
#!/usr/bin/env bash
args=()
while [ \$# -gt 0 ]; do
    if [ "\$1" = -flavor ]; then shift 2; continue; fi
    args+=("\$1")
    shift
done
exec -a ld.lld "$lld" "$libdir/crt1.o" "$libdir/crti.o" "$gccdir/crtbeginT.o" -L"$libdir" -L"$gccdir" \\
    "\${args[@]}" "$gccdir/crtend.o" "$libdir/crtn.o"
EOF
    chmod +x "$cache/$g/ld.sh"
    RUSTFLAGS="-Clinker=$cache/$g/ld.sh -Clinker-flavor=ld.lld -Ctarget-feature=+crt-static -Crelocation-model=static" \
        "${tools[@]}" >&2
}

# The initramfs for guest $1: guest-init as /init, guest-agent, busybox, the modules.
build_initramfs() {
    local g=$1 image=$cache/$1/image tree=$cache/$1/initramfs version moddir
    # Debian 13 keeps the modules under /usr.
    moddir=$(ls -d "$image"/lib/modules/* "$image"/usr/lib/modules/* 2>/dev/null | head -n 1 || true)
    version=$(basename "$moddir")
    build_tools "$g"
    rm -rf "$tree" && mkdir -p "$tree"/{bin,dev,etc,proc,sys,tmp,lib/modules/"$version"}
    # The users the suite names (root, nobody); programs read these files.
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tree/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$tree/etc/group"
    # Debian 13 installs it under /usr.
    cp "$(ls "$image"/bin/busybox "$image"/usr/bin/busybox 2>/dev/null | head -n 1 || true)" "$tree/bin/busybox"
    cp "$root/target/guest-init/${TRIPLE[$g]}/release/guest-init" "$tree/init"
    cp "$root/target/guest-init/${TRIPLE[$g]}/release/guest-agent" "$tree/bin/guest-agent"
    mknod "$tree/dev/console" c 5 1
    # The modules and what they depend on.
    local todo=($MODULES) seen=" " m file deps
    while [ ${#todo[@]} -gt 0 ]; do
        m=${todo[0]} todo=("${todo[@]:1}")
        [[ "$seen" == *" $m "* ]] && continue
        seen+="$m "
        file=$(find "$moddir" -name "$m.ko*" | head -n 1)
        [ -n "$file" ] || continue # built in
        local to=$tree/lib/modules/$version/${file#"$moddir"/}
        mkdir -p "$(dirname "$to")"
        cp "$file" "$to"
        # Debian 13 compresses them: busybox's modprobe wants them plain.
        [[ "$to" != *.xz ]] || xz -d "$to"
        deps=$(modinfo -F depends "$file")
        [ -z "$deps" ] || todo+=(${deps//,/ })
    done
    cp "$moddir"/modules.{order,builtin,builtin.modinfo} "$tree/lib/modules/$version/"
    sed -i 's/\.ko\.xz$/.ko/' "$tree/lib/modules/$version/modules.order"
    depmod -b "$tree" "$version"
    (cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1 >"$cache/$g/initramfs.gz")
}

# Boots guest $1 and waits for its agent; sets $port and $qemu_pid.
boot() {
    local g=$1 image=$cache/$1/image kernel attempt log=$cache/$1/console.log
    kernel=$(ls "$image"/boot/vmlinu[xz]-* | head -n 1)
    for attempt in 1 2 3 4 5; do
        port=$((20000 + (RANDOM % 20000)))
        # shellcheck disable=SC2086
        "${QEMU[$g]}" -accel tcg ${MACHINE[$g]} -smp 2 -m 1024 -nographic -no-reboot \
            -kernel "$kernel" -initrd "$cache/$g/initramfs.gz" \
            -append "console=${CONSOLE[$g]} panic=-1 quiet share=$root modules=${MODULES// /,}" \
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
                exit 4
            fi
        done
        grep -q "Could not set up host forwarding" "$log" || { tail -n 30 "$log" >&2; exit 4; }
    done
    echo "real-kernels: no free port for the $g guest" >&2
    exit 4
}

shutdown() {
    "$root/target/debug/guest-run" --to "127.0.0.1:$port" --shutdown >/dev/null 2>&1 || true
    for _ in $(seq 20); do kill -0 "$qemu_pid" 2>/dev/null || return 0; sleep 0.5; done
    kill "$qemu_pid" 2>/dev/null || true
}

guests=()
for t in "${targets[@]}"; do
    [ -n "${GUEST[$t]:-}" ] || { echo "real-kernels: unknown target '$t' (x86_64, i686, aarch64, riscv64)" >&2; exit 2; }
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
    export SYS_LAYER_KERNEL_SIM=$root/target/guest-tools/${TOOLS_TRIPLE[$g]}/release/kernel-sim
    for t in "${targets[@]}"; do
        [ "${GUEST[$t]}" = "$g" ] || continue
        dir=$(bash ci/build-programs.sh "${TRIPLE[$t]}")
        if [ "$g" = x86_64 ]; then args=("${x86_test_args[@]}"); else args=("${other_test_args[@]}"); fi
        echo "== integration suite, $t, on a real Linux ($(target/debug/guest-run --to "$SYS_LAYER_GUEST" --hello | head -n 1)) under qemu-system" >&2
        SYS_LAYER_PROGRAMS=$dir SYS_LAYER_ARCH=$t cargo test --no-fail-fast -p sys-layer-integration "${args[@]}" 2>&1 ||
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
