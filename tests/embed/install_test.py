#!/usr/bin/env python3
"""`cmake --install` into a temporary prefix, then build the examples/embed consumers against it
(C++ with find_package(Conform), C with pkg-config) and check they print the verdicts of
`conform check` (the installed CLI, JSON output) for the same evidence and date."""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--source", required=True)
ap.add_argument("--cmake", required=True)
ap.add_argument("--work", required=True)
a = ap.parse_args()

work = pathlib.Path(a.work)
shutil.rmtree(work, ignore_errors=True)
prefix = work / "prefix"
src = pathlib.Path(a.source)
env = dict(os.environ)
env.pop("CONFORM_PLUGIN_PATH", None)  # the installed catalogue must be found on its own
env["XDG_CACHE_HOME"] = str(work / "cache")


def run(cmd, env=env, allow=(0,)):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode not in allow:
        sys.exit(f"failed ({r.returncode}): {' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}")
    return r


run([a.cmake, "--install", a.build, "--prefix", str(prefix)])

# The layout.
libdirs = [d for d in ("lib", "lib64") if (prefix / d / "libconform.so").exists()]
if not libdirs:
    sys.exit("no libconform.so installed under lib/")
libdir = prefix / libdirs[0]
for p in ("include/conform/conform.h", "include/conform/conform.hpp", "bin/conform",
          "share/conform/standards/iso9001/plugin.toml", f"{libdirs[0]}/cmake/Conform/ConformConfig.cmake",
          f"{libdirs[0]}/pkgconfig/conform.pc", "share/doc/conform/embedding.md",
          "share/man/man1/conform.1", "share/bash-completion/completions/conform",
          "share/zsh/vendor-completions/_conform", "share/fish/vendor_completions.d/conform.fish"):
    if not (prefix / p).exists():
        sys.exit(f"not installed: {p}")
headers = sorted(str(p.relative_to(prefix)) for p in (prefix / "include").rglob("*") if p.is_file())
if headers != ["include/conform/conform.h", "include/conform/conform.hpp"]:
    sys.exit(f"installed headers beyond the API: {headers}")
for h in headers:
    text = (prefix / h).read_text()
    for word in ("antlr", "llvm", "ir.h", "conform/compiler", "conform/runtime"):
        if word in text.lower().replace("libllvm", ""):
            sys.exit(f"{h} mentions {word}")

# The native engine is a module loaded on demand (libconform_jit.so next to libconform.so):
# the installed command must map the installed module, not the build tree's, and only when it
# compiles or loads native code.
with_jit = "CONFORM_WITH_JIT:BOOL=OFF" not in (pathlib.Path(a.build) / "CMakeCache.txt").read_text()
if with_jit != (libdir / "libconform_jit.so").exists():
    sys.exit(f"libconform_jit.so {'not ' if with_jit else ''}installed in a build {'with' if with_jit else 'without'} the native engine")
if with_jit:
    ev = str(src / "examples/precision-parts.yaml")
    base = [str(prefix / "bin/conform"), "check", ev, "-s", "iso9001", "--as-of", "2026-11-22", "--format", "json",
            "--no-cache"]
    denv = dict(env, LD_DEBUG="files")
    jit = run(base + ["--engine", "jit"], env=denv, allow=(1,))
    mapped = [l for l in jit.stderr.splitlines() if "libconform_jit.so" in l and "file=" in l]
    if not mapped or any(str(prefix) not in l for l in mapped):
        sys.exit(f"the installed conform did not load the installed libconform_jit.so: {mapped[:3]}")
    interp = run(base + ["--engine", "interp"], env=denv, allow=(1,))
    if "libLLVM" in interp.stderr or "libconform_jit" in interp.stderr:
        sys.exit("the installed conform mapped the LLVM module for an interpreter run")
    print("native engine module: loaded from the prefix on demand only")

# The consumers.
cpp_build = work / "cpp"
run([a.cmake, "-S", str(src / "examples/embed/cpp"), "-B", str(cpp_build), f"-DCMAKE_PREFIX_PATH={prefix}"])
run([a.cmake, "--build", str(cpp_build)])
shutil.copytree(src / "examples/embed/c", work / "c")
cenv = dict(env, PKG_CONFIG_PATH=str(libdir / "pkgconfig"))
run(["make", "-C", str(work / "c")], env=cenv)
renv = dict(env, LD_LIBRARY_PATH=str(libdir))  # pkg-config gives no rpath

cases = [("examples/precision-parts.yaml", "2026-11-22", ["iso9001"]),
         ("examples/integrated-manufacturer.yaml", "2026-11-22", ["iso9001", "iso14001", "iso45001"])]
for evidence, as_of, standards in cases:
    ev = str(src / evidence)
    cli = run([str(prefix / "bin/conform"), "check", ev, "--as-of", as_of, "--format", "json"] +
              [x for s in standards for x in ("-s", s)], allow=(0, 1))
    report = json.loads(cli.stdout)
    want = []
    for st in report["standards"]:
        for r in st["requirements"]:
            want.append(" ".join([st["standard"], r["clause"], r["id"], r["verdict"]] + ([r["grade"]] if r.get("grade") else [])))
        n = st["summary"]
        want.append(f"{st['standard']} summary: {n['requirements']} requirements, {n['conform']} conform, "
                    f"{n['nonconform']} nonconform, {n['not_evidenced']} not evidenced, {n['not_applicable']} not applicable, "
                    f"{n['blocked']} blocked")
    for name, exe in (("C++", cpp_build / "conform_embed_cpp"), ("C", work / "c/conform_embed_c")):
        got = run([str(exe), ev, as_of] + standards, env=renv, allow=(0, 1))
        if got.returncode != cli.returncode:
            sys.exit(f"{name} consumer exit {got.returncode}, conform check {cli.returncode}\n{got.stderr}")
        lines = got.stdout.splitlines()
        if lines != want:
            diff = [f"  want {w!r}\n  got  {g!r}" for w, g in zip(want, lines) if w != g][:5]
            sys.exit(f"{name} consumer disagrees with conform check on {evidence} ({len(lines)} vs {len(want)} lines)\n" +
                     "\n".join(diff))
        print(f"{name} consumer: {evidence} {' '.join(standards)}: {len(want)} lines equal to conform check")
