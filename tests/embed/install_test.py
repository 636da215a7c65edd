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
