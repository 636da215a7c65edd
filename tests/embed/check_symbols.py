#!/usr/bin/env python3
"""libconform.so exports only conform_* symbols and has a soname (nm -D, readelf -d)."""
import subprocess
import sys

lib = sys.argv[1]
out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True, text=True).stdout
# "ADDRESS TYPE NAME"; a lowercase type is a local symbol (the linker may leave a few in
# .dynsym, unexported), except `u` (GNU unique, global).
names = []
for line in out.splitlines():
    parts = line.split()
    if len(parts) >= 3 and (parts[1].isupper() or parts[1] == "u"):
        names.append(parts[-1].split("@")[0])
bad = [n for n in names if not n.startswith("conform_")]
if bad:
    sys.exit(f"{lib} exports {len(bad)} symbols that are not conform_*: {', '.join(bad[:20])}")
for required in ("conform_abi_version", "conform_compile", "conform_evaluate", "conform_check_batch"):
    if required not in names:
        sys.exit(f"{lib} does not export {required}")
dyn = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True, text=True).stdout
soname = [l for l in dyn.splitlines() if "(SONAME)" in l]
if not soname or "libconform.so." not in soname[0]:
    sys.exit(f"{lib} has no libconform.so.N soname: {soname}")
print(f"{len(names)} symbols, all conform_*; {soname[0].split()[-1]}")
