#!/usr/bin/env python3
"""The benchmark suite: the same workloads as C on static glibc, C on static
musl, a raw floor (no_std, inline syscall, no table) and sys-layer, run
interleaved in one go, printed as a markdown table of medians (min-max) and
ratios. `--write` also records the table in bench/RESULTS.md.

    python3 bench/run.py [--quick] [--write] [--mem] [--processes] [--std] [--before=PATH]

Needs gcc, musl-gcc (Debian's musl-tools) and valgrind; bench/run.sh
installs them. Not part of the test suite: timings on a shared machine are
for reading, not for asserting.
"""
import os, platform, re, shutil, statistics, subprocess, sys, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench")
TRIPLE = "x86_64-unknown-linux-gnu"
QUICK = "--quick" in sys.argv
# --mem: only the memory functions (printed, never written).
MEM_ONLY = "--mem" in sys.argv
# --processes: only spawn + wait and the echo round trips (printed, never written).
PROCESSES_ONLY = "--processes" in sys.argv
# --startup: only the system-call and clock rows and start-up (printed, never written).
STARTUP_ONLY = "--startup" in sys.argv
# --std: only the Rust std programs of bench/std, built for glibc (static),
# musl and sys-layer (printed, never written).
STD_ONLY = "--std" in sys.argv
# --before=PATH: another build of sl_mem (an earlier commit's, built the same
# way) measured in the same rounds, to show what a change gained.
BEFORE = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--before=")), None)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


# The memory benchmark's timed loop, compiled once for the glibc and musl
# builds with the flags bench/programs/build.rs gives the same file for
# sys-layer's (FLAGS there): every row runs the same loop.
MEM_LOOP_FLAGS = ["-O2", "-ffreestanding", "-fno-builtin", "-c"]


def build():
    os.makedirs(OUT, exist_ok=True)
    c = os.path.join(ROOT, "bench", "c")
    mem_loop = os.path.join(OUT, "mem_loop.o")
    sh(["cc", *MEM_LOOP_FLAGS, os.path.join(c, "mem_loop.c"), "-o", mem_loop])
    for name in ["getppid", "clock", "hello", "mem", "malloc"]:
        src = [os.path.join(c, name + ".c")] + ([mem_loop] if name == "mem" else [])
        sh(["gcc", "-O2", "-static", "-o", os.path.join(OUT, "glibc_" + name), *src])
        sh(["musl-gcc", "-O2", "-static", "-o", os.path.join(OUT, "musl_" + name), *src])
    for libc, cc in [("glibc", "gcc"), ("musl", "musl-gcc")]:
        sh(["strip", os.path.join(OUT, libc + "_hello")])
        sh([cc, "-O2", "-static", "-pthread", "-o", os.path.join(OUT, libc + "_threads"), os.path.join(c, "threads.c")])
    sh(["gcc", "-O2", "-o", os.path.join(OUT, "spawn"), os.path.join(c, "spawn.c")])
    env = dict(os.environ)
    flags = sh(["bash", "-c", "source ci/static-flags.sh && static_rustflags"], cwd=ROOT)
    env["CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS"] = flags
    sh(["cargo", "build", "-q", "--release", "--target", TRIPLE, "-p", "sys-layer-bench-raw",
        "-p", "sys-layer-bench-programs"], cwd=ROOT, env=env)
    # The hello program again with every slot's implementation linked
    # (feature all-slots): start-up beside the default build.
    sh(["cargo", "build", "-q", "--release", "--target", TRIPLE, "-p", "sys-layer-bench-programs", "--bin", "sl_hello",
        "--features", "sys-layer/all-slots", "--target-dir", os.path.join(ROOT, "target", "bench-all-slots")],
       cwd=ROOT, env=env)
    shutil.copy(os.path.join(ROOT, "target", "bench-all-slots", TRIPLE, "release", "sl_hello"),
                os.path.join(OUT, "sl_hello_all_slots"))
    rel = os.path.join(ROOT, "target", TRIPLE, "release")
    for name in ["floor_getppid", "floor_getppid_call", "floor_clock", "floor_hello", "sl_getppid", "sl_clock",
                 "sl_hello", "sl_mem", "sl_malloc", "sl_threads"]:
        shutil.copy(os.path.join(rel, name), os.path.join(OUT, name))


def build_processes_and_sockets():
    """The spawn and echo workloads: C on glibc and musl, and sys-layer's."""
    c = os.path.join(ROOT, "bench", "c")
    for libc, cc in [("glibc", "gcc"), ("musl", "musl-gcc")]:
        for name in ["spawn_wait", "echo_server"]:
            sh([cc, "-O2", "-static", "-o", os.path.join(OUT, f"{libc}_{name}"), os.path.join(c, name + ".c")])
    sh(["gcc", "-O2", "-static", "-o", os.path.join(OUT, "echo_client"), os.path.join(c, "echo_client.c")])
    env = dict(os.environ)
    env["CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS"] = sh(
        ["bash", "-c", "source ci/static-flags.sh && static_rustflags"], cwd=ROOT)
    sh(["cargo", "build", "-q", "--release", "--target", TRIPLE, "-p", "sys-layer", "--features", "examples",
        "--example", "echo_server"], cwd=ROOT, env=env)
    rel = os.path.join(ROOT, "target", TRIPLE, "release")
    shutil.copy(os.path.join(rel, "examples", "echo_server"), os.path.join(OUT, "sl_echo_server"))
    shutil.copy(os.path.join(rel, "sl_spawn"), os.path.join(OUT, "sl_spawn"))


def processes_and_sockets(add, rounds):
    """spawn + wait of the floor's hello, and echo round trips over loopback."""
    add("\n### Processes and sockets (us per operation, median of interleaved runs, min-max)\n")
    add("| workload | glibc static | musl static | sys-layer | sys-layer/glibc | sys-layer/musl |")
    add("|---|---|---|---|---|---|")
    child = os.path.join(OUT, "floor_hello")
    progs = ["glibc_spawn_wait", "musl_spawn_wait", "sl_spawn"]
    g = interleaved(progs, [child, 200 if QUICK else 1000], rounds)
    gl, mu, sl = ([v / 1000 for v in g[p]] for p in progs)
    add(f"| spawn + wait of a static program (posix_spawn / Command) | {fmt(gl)} | {fmt(mu)} | {fmt(sl)} | "
        f"{ratio(sl, gl)} | {ratio(sl, mu)} |")
    servers = {}
    for name in ["glibc_echo_server", "musl_echo_server", "sl_echo_server"]:
        arg = "0" if name != "sl_echo_server" else "127.0.0.1:0"
        p = subprocess.Popen([os.path.join(OUT, name), arg], stdout=subprocess.PIPE, text=True)
        port = p.stdout.readline().strip().rsplit(":", 1)[1]
        servers[name] = (p, port)
    try:
        for size in [64, 16384]:
            got = {name: [] for name in servers}
            for _ in range(rounds):
                for name, (_, port) in servers.items():
                    got[name].append(run_number("echo_client", port, 2000 if QUICK else 20000, size) / 1000)
            gl, mu, sl = got["glibc_echo_server"], got["musl_echo_server"], got["sl_echo_server"]
            add(f"| echo round trip, {size} B, one connection (same C client) | {fmt(gl)} | {fmt(mu)} | {fmt(sl)} | "
                f"{ratio(sl, gl)} | {ratio(sl, mu)} |")
    finally:
        for p, _ in servers.values():
            p.terminate()
            p.wait()
    add("\nThe spawned program is the raw floor's hello (static, no library). The echo servers are one design "
        "(epoll, non-blocking, echo at once) in C (bench/c/echo_server.c) and in Rust on sys-layer "
        "(crates/sys-layer/examples/echo_server.rs); one C client (bench/c/echo_client.c) drives each in turn.")


def std_builds():
    """bench/std's programs, built three ways, into OUT as {glibc,musl,sl}_std_{hello,walk}; and
    sl_unwind_std_*, sys-layer with its default feature, the unwinder."""
    src = os.path.join(ROOT, "bench", "std")
    env = {k: v for k, v in os.environ.items()
           if not re.fullmatch(r"RUSTFLAGS|CARGO_ENCODED_RUSTFLAGS|CARGO_TARGET_[A-Z0-9_]+_RUSTFLAGS", k)}
    # RUSTFLAGS replaces the configuration's rustflags (bench/std/.cargo/config.toml,
    # sys-layer's), so glibc and musl get their toolchain's ordinary static link.
    static = {"RUSTFLAGS": "-Ctarget-feature=+crt-static"}
    for libc, triple, args, extra in [("glibc", TRIPLE, ["--target", TRIPLE], static),
                                      ("musl", "x86_64-unknown-linux-musl", ["--target", "x86_64-unknown-linux-musl"],
                                       static),
                                      ("sl", TRIPLE, ["--features", "sys-layer"], {}),
                                      ("sl_unwind", TRIPLE, ["--features", "sys-layer-unwind"], {})]:
        target_dir = os.path.join(ROOT, "target", "bench-std", libc)
        sh(["cargo", "build", "-q", "--locked", "--release", *args, "--target-dir", target_dir], cwd=src,
           env={**env, **extra})
        for prog in ["std_hello", "std_walk"]:
            dst = os.path.join(OUT, f"{libc}_{prog}")
            shutil.copy(os.path.join(target_dir, triple, "release", prog), dst)
            sh(["strip", dst])


def std_tree(path):
    """The walk's input: 8 x 8 directories of 64 files each, 0-8 KiB of
    pseudo-random bytes (the same tree on every run)."""
    stamp = path + ".complete"
    if os.path.exists(stamp):
        return
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    state = 0x2545F4914F6CDD1D
    for a in range(8):
        for b in range(8):
            d = os.path.join(path, f"d{a}", f"s{b}")
            os.makedirs(d, exist_ok=True)
            for n in range(64):
                state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
                size = (state >> 33) % 8193
                with open(os.path.join(d, f"f{n:02}.dat"), "wb") as f:
                    f.write(state.to_bytes(8, "little") * (size // 8) + bytes(size % 8))
    open(stamp, "w").close()


def std_programs(add, rounds):
    """A std hello's start-up and size, and the directory walk, three ways."""
    add("### Rust std programs: glibc static, musl, sys-layer\n")
    add("One source each (bench/std), `cargo build --release` (LTO, one codegen unit, `panic = \"abort\"`) for "
        "x86_64-unknown-linux-gnu with `+crt-static`, for x86_64-unknown-linux-musl, and with sys-layer-std "
        "under the name `std` and the configuration README's \"std programs\" gives; stripped. sys-layer: "
        "without the unwinder (`default-features = false`, README's configuration for size); \"with the "
        "unwinder\" rows: sys-layer-std's default feature `unwind`, with the same `panic = \"abort\"`.\n")
    progs = ["glibc_std_hello", "musl_std_hello", "sl_std_hello", "sl_unwind_std_hello"]
    s = startup(progs, 3 if QUICK else 10, 30 if QUICK else 100)
    add("| `println!(\"hello\")` | glibc static | musl static | sys-layer | sys-layer/glibc | sys-layer/musl |")
    add("|---|---|---|---|---|---|")
    gl, mu, sl, slu = (s[p] for p in progs)
    for label, mine in [("", sl), (", with the unwinder", slu)]:
        add(f"| start-up: exec to exit, us (median, min-max){label} | {fmt(gl)} | {fmt(mu)} | {fmt(mine)} | "
            f"{ratio(mine, gl)} | {ratio(mine, mu)} |")
    ins = [instructions(p) for p in progs]
    for label, i in [("", 2), (", with the unwinder", 3)]:
        add(f"| instructions to exit (callgrind){label} | " +
            " | ".join(f"{n:,}" if n else "-" for n in (ins[0], ins[1], ins[i])) +
            (f" | {ins[i] / ins[0]:.2f}x | {ins[i] / ins[1]:.2f}x |" if all(ins) else " | | |"))
    sizes = [os.path.getsize(os.path.join(OUT, p)) for p in progs]
    for label, i in [("", 2), (", with the unwinder", 3)]:
        add(f"| stripped size, bytes{label} | {sizes[0]:,} | {sizes[1]:,} | {sizes[i]:,} | "
            f"{sizes[i] / sizes[0]:.2f}x | {sizes[i] / sizes[1]:.2f}x |")
    tree = os.path.join(OUT, "std-tree")
    std_tree(tree)
    progs = ["glibc_std_walk", "musl_std_walk", "sl_std_walk"]
    walks = 5 if QUICK else 20
    # The three must find the same files, bytes and hash.
    seen = {subprocess.run([os.path.join(OUT, p), tree, "1"], check=True, capture_output=True,
                           text=True).stderr for p in progs}
    if len(seen) != 1:
        sys.exit(f"bench: the std walks disagree: {seen}")
    g = interleaved(progs, [tree, walks], rounds)
    gl, mu, sl = (g[p] for p in progs)
    add(f"| directory walk + hash, us per walk ({seen.pop().strip()}) | {fmt(gl)} | {fmt(mu)} | {fmt(sl)} | "
        f"{ratio(sl, gl)} | {ratio(sl, mu)} |")
    add("\nThe walk (bench/std/src/bin/std_walk.rs): `read_dir` sorted by name, `File::open`, `metadata`, "
        "`read_to_end`, FNV-1a over the bytes, for every file of a generated tree (target/bench/std-tree), "
        f"{walks} walks per run, page cache warm.")


def run_number(prog, *args):
    return float(sh([os.path.join(OUT, prog), *map(str, args)]).strip())


def interleaved(progs, args, rounds):
    """{prog: [values]} from `rounds` rounds, each running every program once."""
    got = {p: [] for p in progs}
    for _ in range(rounds):
        for p in progs:
            got[p].append(run_number(p, *args))
    return got


def startup(progs, rounds, per_round):
    got = {p: [] for p in progs}
    for _ in range(rounds):
        for p in progs:
            out = sh([os.path.join(OUT, "spawn"), os.path.join(OUT, p), str(per_round)])
            got[p] += [int(x) / 1000.0 for x in out.split()]
    return got


def instructions(prog):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", os.path.join(OUT, prog)],
                       capture_output=True, text=True)
    m = re.search(r"Collected : (\d+)", r.stderr)
    return int(m.group(1)) if m else None


def fmt(values, unit=""):
    med = statistics.median(values)
    return f"{med:.2f}{unit} ({min(values):.2f}-{max(values):.2f})"


def ratio(a, b):
    return f"{statistics.median(a) / statistics.median(b):.2f}x" if b else "-"


def main():
    lines = []
    add = lines.append
    r = 3 if QUICK else 11
    n = 200_000 if QUICK else 2_000_000
    if STD_ONLY:
        os.makedirs(OUT, exist_ok=True)
        sh(["gcc", "-O2", "-o", os.path.join(OUT, "spawn"), os.path.join(ROOT, "bench", "c", "spawn.c")])
        std_builds()
        std_programs(add, r)
        print("\n".join(lines))
        return
    build()
    build_processes_and_sockets()
    if PROCESSES_ONLY:
        processes_and_sockets(add, r)
        print("\n".join(lines))
        return

    if not MEM_ONLY:
        add("### System calls and clocks (ns per call, median of interleaved runs, min-max)\n")
        add("| workload | glibc static | musl static | raw floor | sys-layer | sys-layer/glibc | sys-layer/musl | sys-layer/floor |")
        add("|---|---|---|---|---|---|---|---|")
        for work, floor_name in [("getppid", "floor_getppid"), ("clock", "floor_clock")]:
            progs = ["glibc_" + work, "musl_" + work, floor_name, "sl_" + work]
            g = interleaved(progs, [n], r)
            gl, mu, fl, sl = (g[p] for p in progs)
            name = {"getppid": "getppid()", "clock": "clock_gettime(MONOTONIC)"}[work]
            add(f"| {name} | {fmt(gl)} | {fmt(mu)} | {fmt(fl)} | {fmt(sl)} | {ratio(sl, gl)} | {ratio(sl, mu)} | {ratio(sl, fl)} |")
        g = interleaved(["floor_getppid_call", "floor_getppid", "sl_getppid"], [n], r)
        add(f"| getppid(), floor with the syscall in a called function | | | {fmt(g['floor_getppid_call'])} | "
            f"{fmt(g['sl_getppid'])} | | | {ratio(g['sl_getppid'], g['floor_getppid_call'])} |")
        add("\nThe floor's clock_gettime is the system call (it has no vDSO); the others use the vDSO. The last row's "
            "floor makes the same system call from a function of its own, called through a pointer: the call and "
            "return around the `syscall` instruction are what every library pays, glibc's getppid() included.\n")

        add("### Startup: exec to exit of a hello program\n")
        progs = ["glibc_hello", "musl_hello", "floor_hello", "sl_hello", "sl_hello_all_slots"]
        s = startup(progs, 3 if QUICK else 10, 30 if QUICK else 100)
        add("| | glibc static | musl static | raw floor | sys-layer | sys-layer, all-slots |")
        add("|---|---|---|---|---|---|")
        add("| time, us (median, min-max) | " + " | ".join(fmt(s[p]) for p in progs) + " |")
        add("| ratio to the floor | " + " | ".join(ratio(s[p], s["floor_hello"]) for p in progs) + " |")
        ins = {p: instructions(p) for p in progs}
        add("| instructions to exit (callgrind) | " + " | ".join(f"{ins[p]:,}" if ins[p] else "-" for p in progs) + " |")
        sizes = {p: os.path.getsize(os.path.join(OUT, p)) for p in progs}
        add("| stripped size, bytes | " + " | ".join(f"{sizes[p]:,}" for p in progs) + " |")
        add("")
        if STARTUP_ONLY:
            print("\n".join(lines))
            return

    add("### Memory functions (GB/s, median of interleaved runs, min-max)\n")
    add("Buffers page-aligned, placed by bench/c/mem_loop.c the same in every build; `1000u`: destination "
        "at +5, source at +3; memmove moves the bytes up by 8 "
        "within one buffer (overlapping, so back to front).\n")
    if BEFORE:
        shutil.copy(BEFORE, os.path.join(OUT, "sl_mem_before"))
        add("| function | size | glibc static | musl static | sys-layer | sys-layer/glibc | sys-layer/musl | before | before/glibc |")
        add("|---|---|---|---|---|---|---|---|---|")
    else:
        add("| function | size | glibc static | musl static | sys-layer | sys-layer/glibc | sys-layer/musl |")
        add("|---|---|---|---|---|---|---|")
    for op in ["memcpy", "memmove", "memset", "memcmp", "strlen"]:
        for size, offsets in [(16, ""), (64, ""), (256, ""), (1000, "u"), (4096, ""), (1 << 20, "")]:
            iters = max(2000, (200_000_000 if QUICK else 1_000_000_000) // (size + 64))
            args = [op, size, iters] + ([5, 3] if offsets else [])
            progs = ["glibc_mem", "musl_mem", "sl_mem"] + (["sl_mem_before"] if BEFORE else [])
            got = {p: [] for p in progs}
            for _ in range(3 if QUICK else 5):
                for p in progs:
                    got[p].append(run_number(p, *args))
            gl, mu, sl = got["glibc_mem"], got["musl_mem"], got["sl_mem"]
            row = f"| {op} | {size}{offsets} | {fmt(gl)} | {fmt(mu)} | {fmt(sl)} | {ratio(sl, gl)} | {ratio(sl, mu)} |"
            if BEFORE:
                row += f" {fmt(got['sl_mem_before'])} | {ratio(got['sl_mem_before'], gl)} |"
            add(row)
    if MEM_ONLY:
        print("\n".join(lines))
        return
    add("\n### malloc/free of 16-256 B (ns per pair, 8 live blocks, sizes varying)\n")
    add("| | glibc static | musl static | sys-layer | sys-layer/glibc | sys-layer/musl |")
    add("|---|---|---|---|---|---|")
    progs = ["glibc_malloc", "musl_malloc", "sl_malloc"]
    g = interleaved(progs, [n], r)
    gl, mu, sl = (g[p] for p in progs)
    add(f"| malloc+free | {fmt(gl)} | {fmt(mu)} | {fmt(sl)} | {ratio(sl, gl)} | {ratio(sl, mu)} |")

    add("\n### Threads and locks (ns per operation, median of interleaved runs, min-max)\n")
    add("| workload | glibc static | musl static | sys-layer | sys-layer/glibc | sys-layer/musl |")
    add("|---|---|---|---|---|---|")
    progs = ["glibc_threads", "musl_threads", "sl_threads"]
    for mode, name, count in [("spawn", "thread spawn + join", 1_000 if QUICK else 5_000),
                              ("mutex", "mutex lock + unlock, uncontended", n),
                              ("contended", "mutex lock + unlock, 2 threads contending", n // 4),
                              ("malloc2", "malloc+free, 2 threads at once", n)]:
        g = interleaved(progs, [mode, count], r)
        gl, mu, sl = (g[p] for p in progs)
        add(f"| {name} | {fmt(gl)} | {fmt(mu)} | {fmt(sl)} | {ratio(sl, gl)} | {ratio(sl, mu)} |")

    processes_and_sockets(add, r)

    table = "\n".join(lines)
    print(table)
    if "--write" in sys.argv:
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        flags = next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "")
        feats = ", ".join(f for f in ["avx2", "avx512f", "erms", "fsrm"] if re.search(rf"\b{f}\b", flags))
        head = (f"# Benchmark results\n\nMeasured {datetime.date.today()} on {cpu} ({feats}), "
                f"{os.cpu_count()} CPUs, Linux {platform.release()}, with `bash bench/run.sh --write`.\n\n")
        path = os.path.join(ROOT, "bench", "RESULTS.md")
        # Keep the hand-written reading of the numbers, below its marker.
        marker = "<!-- analysis: kept by run.py -->"
        old = open(path).read() if os.path.exists(path) else ""
        analysis = old[old.index(marker):] if marker in old else marker + "\n"
        with open(path, "w") as f:
            f.write(head + table + "\n\n" + analysis)


main()
