#!/usr/bin/env python3
"""The test suites of crates nobody here wrote, on sys-layer and on glibc.

    python3 tests/crate-suites/run.py [--mode=sys-layer|glibc] [--crates=a,b] [--update-locks]

The crates and their versions are pinned by this directory's Cargo.toml and
Cargo.lock; cargo fetches their sources from crates.io into its registry
cache (nothing of theirs is in the repository). Each is copied into
target/crate-suites/MODE/ and its whole suite (unit tests, integration
tests, doc tests) run with `cargo test`:

- sys-layer: the crate's manifest gets the one dependency line README's
  "std programs" section gives (sys-layer-std under the name `std`; its
  default feature `unwind` is what the test harness needs), and the
  workspace the configuration file tests/std-programs/.cargo/config.toml
  (static, host target, rust-lld; rustdoc gets the same flags, so the doc
  tests are static sys-layer programs too).
- glibc: the copy as it is, an ordinary `cargo test`.

The dev-dependencies of each mode are pinned by MODE.lock here
(`--update-locks` writes them anew). Prints a line per crate and mode, then
a markdown table of the counts side by side (README's table). Exits 1 if a
test failed, a test binary ended without its summary (a crash: "NO SUMMARY
BINARY") or a suite did not build ("build"), and known-failures.txt does
not list it.
"""
import json, os, re, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "target", "crate-suites")
MODES = ["glibc", "sys-layer"]


def arg(name, default=None):
    return next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith(f"--{name}=")), default)


def pinned():
    """[(name, version, source directory)] of this directory's dependencies."""
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--locked", "--format-version", "1", "--manifest-path", os.path.join(HERE, "Cargo.toml")],
        check=True, capture_output=True, text=True).stdout)
    root = next(p for p in meta["packages"] if p["name"] == "crate-suites")
    wanted = {d["name"] for d in root["dependencies"]}
    found = [(p["name"], p["version"], os.path.dirname(p["manifest_path"]))
             for p in meta["packages"] if p["name"] in wanted]
    return sorted(found)


def known_failures():
    """{(mode, crate, test): reason} from known-failures.txt."""
    known = {}
    for line in open(os.path.join(HERE, "known-failures.txt")):
        line = line.strip()
        if line and not line.startswith("#"):
            words, reason = line.split(" -- ", 1)
            mode, crate, test = words.split()
            known[(mode, crate, test)] = reason
    return known


def prepare(mode, crates, update):
    """The workspace target/crate-suites/MODE with a copy of each crate."""
    ws = os.path.join(OUT, mode)
    os.makedirs(ws, exist_ok=True)
    members = []
    for name, version, src in crates:
        member = f"{name}-{version}"
        dst = os.path.join(ws, member)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)
        if mode == "sys-layer":
            std = os.path.join(ROOT, "crates", "std")
            with open(os.path.join(dst, "Cargo.toml"), "a") as f:
                f.write(f'\n[dependencies.std]\npackage = "sys-layer-std"\npath = "{std}"\n')
        members.append(member)
    with open(os.path.join(ws, "Cargo.toml"), "w") as f:
        f.write("# Written by tests/crate-suites/run.py.\n[workspace]\nresolver = \"2\"\n"
                f"members = {json.dumps(members)}\n")
    config = os.path.join(ws, ".cargo", "config.toml")
    if mode == "sys-layer":
        os.makedirs(os.path.dirname(config), exist_ok=True)
        # Its build.rustdocflags make the doc tests static sys-layer programs too.
        shutil.copy(os.path.join(ROOT, "tests", "std-programs", ".cargo", "config.toml"), config)
    lock = os.path.join(HERE, f"{mode}.lock")
    if update:
        subprocess.run(["cargo", "generate-lockfile", "-q"], cwd=ws, check=True, env=cargo_env())
        shutil.copy(os.path.join(ws, "Cargo.lock"), lock)
    else:
        shutil.copy(lock, os.path.join(ws, "Cargo.lock"))
    return ws


def cargo_env():
    """This environment without flags meant for the no_std programs."""
    env = {k: v for k, v in os.environ.items()
           if not (k in ("RUSTFLAGS", "RUSTDOCFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET")
                   or re.fullmatch(r"CARGO_TARGET_[A-Z0-9_]+_(RUSTFLAGS|LINKER)", k))}
    return env


def run_suite(ws, mode, name, version):
    """Runs one crate's suite; returns (passed, failed, ignored, failures, crashed, seconds)."""
    log = os.path.join(ws, f"{name}.log")
    start = time.monotonic()
    with open(log, "w") as f:
        status = subprocess.run(["cargo", "test", "--locked", "--no-fail-fast", "-p", name], cwd=ws,
                                env=cargo_env(), stdout=f, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - start
    passed = failed = ignored = 0
    failures, crashed = [], []
    current, summarised = None, True
    for line in open(log, errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"\s+(Running|Doc-tests) (.*)", line)
        if m:
            if not summarised:
                crashed.append(current)
            current, summarised = m.group(2), False
            continue
        m = re.match(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
        if m:
            passed += int(m.group(1))
            failed += int(m.group(2))
            ignored += int(m.group(3))
            summarised = True
            continue
        m = re.match(r"test (.+?) \.\.\. FAILED$", line)
        if m:
            failures.append(m.group(1).removesuffix(" - should panic"))
    if current is not None and not summarised:
        crashed.append(current)
    if status != 0 and not failures and not crashed:
        # Did not build, or cargo stopped before a test binary ran.
        crashed.append("build")
    return passed, failed, ignored, failures, crashed, seconds


def main():
    everything = pinned()
    only = arg("crates")
    crates = [c for c in everything if not only or c[0] in only.split(",")]
    modes = [arg("mode")] if arg("mode") else MODES
    known = known_failures()
    results, unexpected = {}, []
    total_start = time.monotonic()
    for mode in modes:
        # Every crate is a member (the lock file is the whole workspace's).
        ws = prepare(mode, everything, "--update-locks" in sys.argv)
        for name, version, _ in crates:
            passed, failed, ignored, failures, crashed, seconds = run_suite(ws, mode, name, version)
            results[(mode, name)] = (passed, failed, ignored)
            crashed = [f"NO SUMMARY {c}" if c != "build" else "build" for c in crashed]
            listed = [t for t in failures + crashed if (mode, name, t) in known]
            new = [t for t in failures + crashed if (mode, name, t) not in known]
            note = ""
            if listed:
                note += f"; known: {', '.join(listed)}"
            if new:
                note += f"; FAILED: {', '.join(new)}"
            if "build" in crashed:
                note += f" (did not build: {os.path.relpath(os.path.join(ws, name + '.log'), ROOT)})"
            print(f"crate-suites: {mode} {name} {version}: {passed} passed, {failed} failed, {ignored} ignored "
                  f"({seconds:.0f} s){note}", flush=True)
            unexpected += [f"{mode} {name} {t}" for t in new]
    print(f"\ncrate-suites: {time.monotonic() - total_start:.0f} s in all\n")
    print("| crate | version | " + " | ".join(f"{m}: passed / failed / ignored" for m in modes) + " |")
    print("|---|---|" + "---|" * len(modes))
    for name, version, _ in crates:
        cells = [" / ".join(map(str, results[(m, name)])) for m in modes]
        print(f"| {name} | {version} | " + " | ".join(cells) + " |")
    if unexpected:
        print("\ncrate-suites: failures not in known-failures.txt:\n  " + "\n  ".join(unexpected))
        sys.exit(1)


main()
