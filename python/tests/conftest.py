import json
import os
import pathlib
import subprocess

import pytest

SRC = pathlib.Path(os.environ.get("CONFORM_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2])).resolve()
BIN = os.environ.get("CONFORM_BIN", str(SRC / "build/cli/conform"))
AS_OF = "2026-11-22"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BIN, *args], capture_output=True, text=True)


@pytest.fixture(scope="session")
def src() -> pathlib.Path:
    return SRC


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> pathlib.Path:
    return tmp_path_factory.mktemp("conform")


def organizations(src: pathlib.Path, n: int) -> str:
    """n organizations as NDJSON: the two full examples, small variants, a few bad and blank lines."""
    import yaml
    full = []
    for name in ("precision-parts.yaml", "integrated-manufacturer.yaml", "young-company.yaml"):
        with open(src / "examples" / name) as f:
            full.append(json.dumps(yaml.safe_load(f), default=str, separators=(",", ":")))
    lines = []
    for i in range(n):
        k = i % 50
        if k == 7:
            lines.append('{"name": "X", "employees": "many"}')  # E0704
        elif k == 19:
            lines.append("not json")              # E0702
        elif k == 23:
            lines.append("")                      # blank: counted, no record
        elif k % 10 == 0:
            lines.append(full[(i // 10) % len(full)])
        else:
            lines.append(json.dumps({"name": f"Org {i}", "employees": 1 + i % 300,
                                     "documents": [] if i % 3 else [{"id": f"D{i}", "code": f"QM-{i}", "title": "Quality manual",
                                                                   "doc_type": "manual", "version": "1",
                                                                   "status": "approved" if i % 2 else "draft"}]}))
    return "\n".join(lines) + "\n"
