#!/usr/bin/env python3
"""First and warm `conform check` of one organization on an empty --cache-dir, with the installed
cache layer (docs/caching.md) and without it (CONFORM_INSTALL_CACHE=0), interleaved; prints the
median wall time (start to exit) and peak RSS of each. Usage: cold_start_layers.py [CONFORM] [ROUNDS]
(docs/performance.md, "Cold start, third step"). Prints figures; asserts nothing."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build", "cli", "conform")
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 7
ARGS = [BIN, "check", os.path.join(REPO, "examples", "precision-parts.yaml"), "-s", "iso9001", "--as-of", "2026-11-22", "-q"]


def run(env_extra, cache):
    env = dict(os.environ, CONFORM_NO_BACKGROUND_COMPILE="1", **env_extra)
    t = time.perf_counter()
    p = subprocess.Popen(ARGS + ["--cache-dir", cache], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, ru = os.wait4(p.pid, 0)
    return (time.perf_counter() - t) * 1000, ru.ru_maxrss / 1024


def main():
    rows = {"first, installed layer": [], "first, no layer": [], "warm, installed layer": [], "warm, own cache": []}
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    for _ in range(ROUNDS):
        for name, env in [("installed layer", {}), ("no layer", {"CONFORM_INSTALL_CACHE": "0"})]:
            d = tempfile.mkdtemp()
            rows["first, " + name].append(run(env, d))
            rows["warm, " + (name if name != "no layer" else "own cache")].append(run(env, d))
            shutil.rmtree(d)
    for k, v in rows.items():
        ms = sorted(x[0] for x in v)
        print(f"{k:24s} median {statistics.median(ms):7.1f} ms  runs {', '.join(f'{x:.0f}' for x in ms)}  "
              f"peak RSS {statistics.median(x[1] for x in v):.1f} MiB")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
