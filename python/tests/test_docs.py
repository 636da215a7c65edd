"""Every Python example of docs/embedding.md runs as written (from the source folder)."""
import os
import re

import pytest

from conftest import SRC


def blocks(src=SRC):
    text = (src / "docs/embedding.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_docs_have_python_examples(src):
    assert len(blocks(src)) >= 4


@pytest.mark.parametrize("index", range(len(blocks())))
def test_docs_python_example_runs(src, index, monkeypatch):
    monkeypatch.chdir(src)
    code = blocks(src)[index]
    exec(compile(code, f"docs/embedding.md python example {index + 1}", "exec"), {"__name__": "__main__"})
