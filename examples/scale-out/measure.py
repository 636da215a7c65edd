#!/usr/bin/env python3
"""Prints what Dask costs and gains on this machine (figures only, nothing asserted):
in-process batch (1 and 2 threads), a LocalCluster with 1 and with 2 workers, and the
overhead of one partition.  usage: measure.py [N_ORGANIZATIONS [REPETITIONS]]

The cluster's worker processes are started with multiprocessing's "spawn", which imports this
file again in each of them: everything runs under `if __name__ == "__main__"`."""
import json
import os
import pathlib
import sys
import tempfile
import time

import dask.bag as db
import yaml  # python3-yaml comes with python3-distributed
from distributed import Client, LocalCluster

import conform
import conform.dask as cd

AS_OF = "2026-11-22"
STANDARDS = ["iso9001"]


def timed(fn, reps):
    """The best of `reps` runs, in seconds."""
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    src = pathlib.Path(__file__).resolve().parents[2]
    folder = pathlib.Path(tempfile.mkdtemp())
    full = json.dumps(yaml.safe_load((src / "examples/precision-parts.yaml").read_text()), default=str)
    with open(folder / "orgs.ndjson", "w") as f:
        for i in range(N):
            f.write((full if i % 10 == 0 else json.dumps({"name": f"Org {i}", "employees": 1 + i % 300})) + "\n")
    text = (folder / "orgs.ndjson").read_text()
    cache = str(folder / "cache")
    print(f"{N} organizations, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)

    rules = conform.Engine().compile(STANDARDS, as_of=AS_OF, cache_dir=cache)
    for threads in (1, 2):
        s = timed(lambda: rules.batch_ndjson(text, as_of=AS_OF, threads=threads), reps)
        print(f"in process, {threads} thread{'s' if threads > 1 else ''}: {s:.3f} s, {N / s:,.0f} organizations/s", flush=True)

    size = len(text.encode())
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None,
                          local_directory=str(folder)) as cluster, Client(cluster):
            run = lambda parts: cd.check_bag_ndjson(db.read_text(str(folder / "orgs.ndjson"), blocksize=size // parts + 1),
                                                    STANDARDS, as_of=AS_OF, cache_dir=cache)
            run(8)  # each worker compiles (from the shared cache)
            s = timed(lambda: run(8), reps)
            print(f"LocalCluster, {workers} worker{'s' if workers > 1 else ''}, 8 partitions: {s:.3f} s, "
                  f"{N / s:,.0f} organizations/s", flush=True)
            if workers == 2:
                few, many = 4, 200
                t_few, t_many = timed(lambda: run(few), reps), timed(lambda: run(many), reps)
                print(f"per-partition overhead: ({t_many:.3f} s with {many} partitions - {t_few:.3f} s with {few}) / "
                      f"{many - few} = {(t_many - t_few) / (many - few) * 1000:.1f} ms", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
