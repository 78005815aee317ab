#!/usr/bin/env python3
"""Writes this process's vDSO image (from /proc/self/maps and /proc/self/mem)
to the file named on the command line: seed corpus for the vdso_parse
fuzzer, and a real image for the tests."""
import sys

with open("/proc/self/maps") as maps:
    for line in maps:
        if line.rstrip().endswith("[vdso]"):
            start, end = (int(x, 16) for x in line.split()[0].split("-"))
            break
    else:
        sys.exit("no [vdso] mapping")
with open("/proc/self/mem", "rb") as mem:
    mem.seek(start)
    image = mem.read(end - start)
with open(sys.argv[1], "wb") as out:
    out.write(image)
print(f"{len(image)} bytes from {start:#x}")
