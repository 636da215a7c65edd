#!/usr/bin/env python3
"""Evaluate NDJSON files on a running Dask cluster; prints `conform check --batch` records.
usage: run.py SCHEDULER FILE_OR_GLOB --standard ID [--standard ID] [--as-of DATE] [--cache-dir DIR]"""
import argparse
import sys

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
a = ap.parse_args()

with Client(a.scheduler) as client:
    bag = db.read_text(a.files, blocksize=a.blocksize)
    sys.stdout.write(cd.check_bag_ndjson(bag, a.standard, as_of=a.as_of, cache_dir=a.cache_dir))
    print(f"workers: {len(client.scheduler_info()['workers'])}, compiles per worker: "
          f"{sorted(client.run(cd.worker_compiles).values())}", file=sys.stderr)
