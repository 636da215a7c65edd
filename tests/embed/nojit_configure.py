#!/usr/bin/env python3
"""-DCONFORM_WITH_JIT=OFF configures, and nothing it would build links or includes LLVM.

A full interpreter-only build and test run is `make test-nojit` (minutes); this test only
configures (seconds) and reads CMake's file API (codemodel-v2): the targets, their sources,
link lines and include folders. It fails if the option stops configuring (e.g. LLVM searched
unconditionally), if `conform`, `libconform.so` or any static library they link would link
libLLVM or see its headers, or if the native engine's sources (codegen.cc, jit.cc) are built.

usage: nojit_configure.py --source DIR --cmake CMAKE --work DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--source", required=True)
ap.add_argument("--cmake", required=True)
ap.add_argument("--work", required=True)
args = ap.parse_args()

build = os.path.join(args.work, "build")
shutil.rmtree(args.work, ignore_errors=True)
query = os.path.join(build, ".cmake", "api", "v1", "query")
os.makedirs(query)
open(os.path.join(query, "codemodel-v2"), "w").close()
cmd = [args.cmake, "-S", args.source, "-B", build, "-G", "Unix Makefiles",
       "-DCONFORM_WITH_JIT=OFF", "-DCONFORM_BUILD_TESTS=OFF", "-DCONFORM_BUILD_BENCH=OFF",
       "-DCONFORM_BUILD_PYTHON=OFF"]
run = subprocess.run(cmd, capture_output=True, text=True)
if run.returncode != 0:
    sys.exit("configuring with -DCONFORM_WITH_JIT=OFF failed:\n" + run.stdout[-3000:] + run.stderr[-3000:])

cache = open(os.path.join(build, "CMakeCache.txt")).read()
for line in cache.splitlines():
    if line.startswith("LLVM_DIR:") and not line.endswith("-NOTFOUND"):
        sys.exit(f"the interpreter-only configuration looked for LLVM: {line}")

reply = os.path.join(build, ".cmake", "api", "v1", "reply")
index = sorted(f for f in os.listdir(reply) if f.startswith("index-"))[-1]
codemodel = json.load(open(os.path.join(reply, json.load(open(os.path.join(reply, index)))["reply"]["codemodel-v2"]["jsonFile"])))
targets = {}
for t in codemodel["configurations"][0]["targets"]:
    targets[t["name"]] = json.load(open(os.path.join(reply, t["jsonFile"])))

problems = []
for required in ("conform", "conform_shared", "conform_jit"):
    if required not in targets:
        problems.append(f"target {required} is missing from the interpreter-only configuration")


def closure(name, seen):
    """The target and every target it depends on (static libraries linked in)."""
    if name in seen or name not in targets:
        return seen
    seen.add(name)
    for dep in targets[name].get("dependencies", []):
        dep_name = next((n for n, t in targets.items() if t["id"] == dep["id"]), None)
        if dep_name:
            closure(dep_name, seen)
    return seen


for top in ("conform", "conform_shared"):
    for name in sorted(closure(top, set())):
        t = targets[name]
        for frag in t.get("link", {}).get("commandFragments", []):
            if "llvm" in frag["fragment"].lower():
                problems.append(f"{top}: {name} links {frag['fragment']}")
        for group in t.get("compileGroups", []):
            for inc in group.get("includes", []):
                if "llvm" in inc["path"].lower():
                    problems.append(f"{top}: {name} compiles with LLVM headers ({inc['path']})")
        for src in t.get("sources", []):
            base = os.path.basename(src["path"])
            if base in ("codegen.cc", "jit.cc"):
                problems.append(f"{top}: {name} builds the native engine's {src['path']}")
jit_sources = [os.path.basename(s["path"]) for s in targets.get("conform_jit", {}).get("sources", [])]
if "no_jit.cc" not in jit_sources:
    problems.append(f"conform_jit is not jit/no_jit.cc in the interpreter-only build: {jit_sources}")

if problems:
    sys.exit("\n".join(problems))
print(f"-DCONFORM_WITH_JIT=OFF configures; conform and libconform.so ({len(closure('conform', set()) | closure('conform_shared', set()))} targets) "
      "link no LLVM and build jit/no_jit.cc")
shutil.rmtree(args.work, ignore_errors=True)
