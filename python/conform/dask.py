"""Scale-out on Dask: evaluate a Dask bag (e.g. NDJSON read with dask.bag.read_text) or a Dask
dataframe of organizations across a cluster's workers.

    import dask.bag as db
    from distributed import Client
    import conform.dask as cd
    client = Client("tcp://scheduler:8786")
    bag = db.read_text("orgs-*.ndjson", blocksize="16MiB")
    text = cd.check_bag_ndjson(bag, ["iso9001"], as_of="2026-11-22")   # = conform check --batch

Each worker process compiles the standards once (and, with a `cache_dir` all workers can read,
only the first worker of a machine compiles at all: the others load the compiled-program and
object caches). Partitions are evaluated with the GIL released. Results come back in input
order with the line numbers and error records of `conform check --batch`.
"""
from __future__ import annotations

import json
import os
import threading
from typing import Any, Iterable, Mapping, Sequence

import conform

__all__ = ["check_bag", "check_bag_ndjson", "check_dataframe", "evaluate_partition", "worker_compiles"]

_lock = threading.Lock()
_rule_sets: dict[tuple, conform.RuleSet] = {}
_compiles = 0


def _rules(standards: tuple[str, ...], engine: str, as_of: str, plugin_dirs: tuple[str, ...],
           cache_dir: str) -> conform.RuleSet:
    """The rule set of this worker process, compiled on first use (one compile per process)."""
    global _compiles
    key = (standards, engine, as_of, plugin_dirs, cache_dir)
    with _lock:
        rules = _rule_sets.get(key)
        if rules is None:
            rules = conform.Engine(plugin_dirs).compile(standards, engine=engine, as_of=as_of,
                                                        cache_dir=cache_dir or None)
            _rule_sets[key] = rules
            _compiles += 1
        return rules


def worker_compiles() -> int:
    """How many rule sets this process compiled (run it on the workers: client.run)."""
    return _compiles


def evaluate_partition(lines: Iterable[str], standards: Sequence[str], as_of: str, params: Mapping[str, Any] | None,
                       engine: str, plugin_dirs: Sequence[str], cache_dir: str, threads: int) -> list[tuple[int, str]]:
    """Evaluates one partition of NDJSON lines: [(number of input lines, records)], the records
    numbered from 1 within the partition (blank lines count, and give no record)."""
    rules = _rules(tuple(standards), engine, conform._date(as_of), tuple(plugin_dirs), cache_dir)
    count = 0
    parts = []
    for line in lines:
        count += 1
        parts.append(line if line.endswith("\n") else line + "\n")
    records = rules.batch_ndjson("".join(parts), as_of=as_of, params=params, threads=threads)
    return [(count, records)]


def _renumber(partitions: Iterable[tuple[int, str]]) -> str:
    """Partition-local line numbers → input line numbers, partitions in order."""
    out = []
    offset = 0
    for count, records in partitions:
        for rec in records.splitlines():
            # every record starts {"line":N,
            head, rest = rec[len('{"line":'):].split(",", 1)
            out.append(f'{{"line":{int(head) + offset},{rest}\n')
        offset += count
    return "".join(out)


def _options(standards, as_of, params, engine, plugin_dirs, cache_dir, threads):
    return dict(standards=list(standards), as_of=conform._date(as_of), params=dict(params or {}), engine=engine,
                plugin_dirs=[os.fspath(d) for d in plugin_dirs], cache_dir=os.fspath(cache_dir or ""),
                threads=threads)


def check_bag_ndjson(bag, standards: Sequence[str], *, as_of=None, params: Mapping[str, Any] | None = None,
                     engine: str = "jit", plugin_dirs: Sequence[str] = (), cache_dir=None, threads: int = 1,
                     scheduler=None) -> str:
    """Evaluates a bag of NDJSON lines (one organization per line, as dask.bag.read_text gives
    them) and returns exactly what `conform check --batch` writes for the same lines: one
    record per non-blank line, numbered by input line, in input order. `threads` per
    partition (Dask already runs partitions in parallel); `scheduler` as in dask.compute."""
    opts = _options(standards, as_of, params, engine, plugin_dirs, cache_dir, threads)
    parts = bag.map_partitions(evaluate_partition, **opts)
    import dask
    (computed,) = dask.compute(parts.to_delayed(), scheduler=scheduler) if scheduler else dask.compute(parts.to_delayed())
    flat = [item for part in computed for item in part]
    return _renumber(flat)


def check_bag(bag, standards: Sequence[str], **kw) -> list[dict[str, Any]]:
    """check_bag_ndjson, parsed: one dict per record."""
    return [json.loads(line) for line in check_bag_ndjson(bag, standards, **kw).splitlines()]


def _row_partition(df, column, standards, as_of, params, engine, plugin_dirs, cache_dir, threads):
    if column is not None:
        lines = [conform.to_json_line(v if isinstance(v, (str, Mapping)) else {}) for v in df[column]]
    else:
        lines = [conform.to_json_line({k: v for k, v in row.items() if not _missing(v)})
                 for row in df.to_dict(orient="records")]
    return evaluate_partition(lines, standards, as_of, params, engine, plugin_dirs, cache_dir, threads)


def _missing(v) -> bool:
    try:
        return v is None or v != v  # NaN
    except (TypeError, ValueError):
        return False


def check_dataframe(df, standards: Sequence[str], *, column: str | None = None, as_of=None,
                    params: Mapping[str, Any] | None = None, engine: str = "jit", plugin_dirs: Sequence[str] = (),
                    cache_dir=None, threads: int = 1) -> list[dict[str, Any]]:
    """Evaluates a Dask dataframe with one organization per row: either `column` holds each
    organization (JSON text or a dict), or the row's columns are the root entity's fields
    (missing values left out). Records are numbered by row (from 1), in row order."""
    import dask
    opts = _options(standards, as_of, params, engine, plugin_dirs, cache_dir, threads)
    parts = [dask.delayed(_row_partition)(p, column, **opts) for p in df.to_delayed()]
    (computed,) = dask.compute(parts)
    flat = [item for part in computed for item in part]
    return [json.loads(line) for line in _renumber(flat).splitlines()]
