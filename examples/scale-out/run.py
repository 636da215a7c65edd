#!/usr/bin/env python3
"""Evaluate NDJSON files on a running Dask cluster; prints `conform check --batch` records.
usage: run.py SCHEDULER FILE_OR_GLOB --standard ID [--standard ID] [--as-of DATE] [--cache-dir DIR]"""
import argparse
import sys
import time

import dask.bag as db
from distributed import Client

import conform.dask as cd

ap = argparse.ArgumentParser()
ap.add_argument("scheduler")
ap.add_argument("files")
ap.add_argument("--standard", "-s", action="append", required=True)
ap.add_argument("--as-of", default="today")
ap.add_argument("--cache-dir", default=None)
ap.add_argument("--blocksize", default="8MiB")
ap.add_argument("--repeat", type=int, default=1, help="evaluate N times, print the records once and every time")
a = ap.parse_args()

with Client(a.scheduler) as client:
    bag = db.read_text(a.files, blocksize=a.blocksize)
    for run in range(a.repeat):  # the first run includes each worker's compile
        start = time.perf_counter()
        out = cd.check_bag_ndjson(bag, a.standard, as_of=a.as_of, cache_dir=a.cache_dir)
        seconds = time.perf_counter() - start
        records = out.count("\n")
        print(f"run {run + 1}: {records} records in {seconds:.2f} s ({records / seconds:,.0f} organizations/s)",
              file=sys.stderr)
    sys.stdout.write(out)
    print(f"workers: {len(client.scheduler_info()['workers'])}, partitions: {bag.npartitions}, compiles per worker: "
          f"{sorted(client.run(cd.worker_compiles).values())}", file=sys.stderr)
