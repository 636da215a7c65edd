"""The Python module: verdicts equal to the CLI's, dict/str/path evidence, batch, errors, GIL."""
import datetime
import json
import pathlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import conform
from conftest import AS_OF, cli, organizations


def test_check_equals_cli(src):
    path = src / "examples/precision-parts.yaml"
    report = conform.check(str(path), standards=["iso9001"], as_of=AS_OF)
    # The library's default engine is jit; the command's, auto (the interpreter for one organization).
    out = cli("check", str(path), "-s", "iso9001", "--as-of", AS_OF, "--format", "json", "--engine", "jit")
    assert report.json == out.stdout
    want = {(r["standard"], r["id"]): r["verdict"] for s in json.loads(out.stdout)["standards"] for r in s["requirements"]}
    assert report.verdicts() == want
    assert report.conforms == (out.returncode == 0)
    gaps = [f for f in report.standards[0].findings if f.verdict == "nonconform"]
    assert gaps and all(f.grade in ("major", "minor", "observation") and f.message for f in gaps)
    assert any(f.clause == "7.1.5.2" for f in gaps)


def test_engines_and_evidence_kinds(src):
    import yaml
    path = src / "examples/integrated-manufacturer.yaml"
    stds = ["iso9001", "iso14001", "iso45001"]
    reports = []
    for engine in ("jit", "interp"):
        rules = conform.Engine().compile(stds, engine=engine, as_of=AS_OF)
        assert rules.standards == stds
        reports.append(rules.check(path, as_of=datetime.date(2026, 11, 22)))     # os.PathLike
        reports.append(rules.check(str(path), as_of=AS_OF))                       # str path
        reports.append(rules.check(path.read_text(), as_of=AS_OF))                # YAML text
        reports.append(rules.check(yaml.safe_load(path.read_text()), as_of=AS_OF))  # dict (dates as date objects)
    verdicts = [r.verdicts() for r in reports]
    assert all(v == verdicts[0] for v in verdicts)
    assert len(verdicts[0]) > 100


def test_positions(src, work):
    """positions=False (JSON through the fast path) and dict evidence: the same findings, without
    evidence lines; files and text keep their lines by default."""
    import yaml
    org = yaml.safe_load((src / "examples/precision-parts.yaml").read_text())
    path = work / "precision-parts.json"
    path.write_text(json.dumps(org, default=str, indent=1))
    rules = conform.Engine().compile(["iso9001"], as_of=AS_OF)

    def strip(report):  # every "location" (of findings, facts, offenders) as None, and how many were set
        located = 0

        def walk(x):
            nonlocal located
            if isinstance(x, dict):
                if "location" in x:
                    located += x["location"] is not None
                    x["location"] = None
                for v in x.values():
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
        d = json.loads(report.json)
        d.pop("evidence", None)
        walk(d)
        return d, located

    with_lines, n_with = strip(rules.check(path, as_of=AS_OF))
    without, n_without = strip(rules.check(path, as_of=AS_OF, positions=False))
    from_dict, n_dict = strip(rules.check(org, as_of=AS_OF))
    assert n_with > 0 and n_without == 0 and n_dict == 0
    assert with_lines == without == from_dict
    assert any(r["verdict"] == "nonconform" for r in without["standards"][0]["requirements"])


def test_batch_equals_cli_batch(src, work):
    text = organizations(src, 300)
    path = work / "orgs.ndjson"
    path.write_text(text)
    rules = conform.Engine().compile(["iso9001", "hs"], as_of=AS_OF)
    out = cli("check", "--batch", str(path), "-s", "iso9001", "-s", "hs", "--as-of", AS_OF)
    assert rules.batch_ndjson(text, as_of=AS_OF, threads=2) == out.stdout
    records = rules.batch([json.loads(line) if line.startswith("{") and '"many"' not in line else line
                           for line in text.splitlines() if line], as_of=AS_OF)
    assert [("error" in r) for r in records] == [("error" in json.loads(l)) for l in out.stdout.splitlines()]
    assert records[7]["error"]["code"] == "E0704" and records[7]["error"]["path"] == "$.employees"


def test_errors_are_conform_errors(src):
    with pytest.raises(conform.ConformError) as e:
        conform.Engine().compile(["iso9999"])
    assert e.value.code == "E0602" and "iso9999" in str(e.value)
    rules = conform.Engine().compile(["iso9001"], as_of=AS_OF)
    with pytest.raises(conform.ConformError) as e:
        rules.check({"name": "A", "employees": "many"}, as_of=AS_OF)
    assert e.value.code == "E0704"
    assert e.value.diagnostics[0]["data_path"] == "$.employees"
    with pytest.raises(conform.ConformError) as e:
        rules.check(src / "examples/precision-parts.yaml", as_of=AS_OF, params={"iso9001.nope": 1})
    assert e.value.code == "E0711"
    with pytest.raises(conform.ConformError) as e:
        rules.check("no/such/file.yaml", as_of=AS_OF)
    assert e.value.code == "E0701"


def test_threads_share_one_rule_set(src):
    rules = conform.Engine().compile(["iso9001", "iso14001", "iso45001"], as_of=AS_OF)
    paths = [src / "examples/precision-parts.yaml", src / "examples/integrated-manufacturer.yaml"] * 8
    want = [rules.check(p, as_of=AS_OF).json for p in paths[:2]]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda p: rules.check(p, as_of=AS_OF).json, paths))
    assert got == want * 8


def test_gil_released_during_evaluation(src):
    """A Python thread keeps running while the native batch evaluates (the GIL is released).
    The switch interval is made huge so the main thread never yields the GIL by itself."""
    rules = conform.Engine().compile(["iso9001"], as_of=AS_OF)
    text = organizations(src, 3000)
    counter = 0
    stop = False

    def spin():
        nonlocal counter
        while not stop:
            counter += 1

    old = sys.getswitchinterval()
    t = threading.Thread(target=spin)
    t.start()
    try:
        sys.setswitchinterval(100.0)
        before = counter
        rules.batch_ndjson(text, as_of=AS_OF, threads=1)
        during = counter - before
    finally:
        stop = True
        sys.setswitchinterval(old)
        t.join()
    assert during > 0, "the Python thread did not run while evaluating: the GIL was held"


def test_certify_equals_cli(src):
    rules = conform.Engine().compile(["iso9001"], engine="interp", as_of=AS_OF)
    for name in ("history.yaml", "applicant.yaml"):
        path = str(src / "examples/certification" / name)
        c = rules.certify(path, "iso9001", as_of=AS_OF)
        out = cli("certify", path, "--standard", "iso9001", "--as-of", AS_OF, "--format", "json")
        assert c.json == out.stdout
        assert c.active == (out.returncode == 0)
        assert c.text(max_items=0) == cli("certify", path, "--standard", "iso9001", "--as-of", AS_OF, "--all",
                                          "--color", "never").stdout
        assert c.to_dict()["standard"] == "iso9001"
    assert rules.certify(str(src / "examples/certification/history.yaml"), as_of=AS_OF).state == "active"
    plan = conform.sampling_plan(25, not_met=["similar_processes"])
    assert plan.sampling_sites == 25 and not plan.active
    assert plan.json == cli("certify", "--sites", "25", "--not-met", "similar_processes", "--format", "json").stdout
    with pytest.raises(conform.ConformError) as e:
        rules.certify(str(src / "examples/certification/history.yaml"), "iso14001", as_of=AS_OF)
    assert e.value.code == "E1208"
    with pytest.raises(conform.ConformError) as e:
        conform.sampling_plan(5, met=["legal_lnk"])
    assert e.value.code == "E1209" and "legal_link" in e.value.diagnostics[0]["help"]


def test_conforms_is_the_exit_status_with_deviations(src, work):
    path = str(src / "examples/precision-parts.yaml")
    rules = conform.Engine().compile(["iso9001"], engine="interp", as_of=AS_OF)
    plain = rules.check(path, as_of=AS_OF)
    gaps = [f.id for f in plain.standards[0].findings if f.verdict in ("nonconform", "not_evidenced")]
    assert len(gaps) >= 2

    def deviations(name, ids):
        p = work / name
        p.write_text("deviations:\n" + "".join(
            f"  - requirement: {i}\n    justification: accepted\n    approver: QA lead\n    accepted_until: 2027-12-31\n"
            for i in ids))
        return p

    for devs, want in ((None, False), (deviations("all.yaml", gaps), True), (deviations("some.yaml", gaps[1:]), False)):
        report = rules.check(path, as_of=AS_OF, deviations=devs)
        args = ["check", path, "-s", "iso9001", "--as-of", AS_OF, "--engine", "interp", "--format", "json"]
        out = cli(*args, *(["--deviations", str(devs)] if devs else []))
        assert report.conforms is want
        assert report.conforms == (out.returncode == 0)
        assert report.conforms == report._native.conforms()  # the dataclass and the library agree
        assert report.json == out.stdout
        accepted = [f for f in report.standards[0].findings if f.deviation]
        assert len(accepted) == (0 if devs is None else len(gaps) - (0 if want else 1))
        assert all(f.verdict in ("nonconform", "not_evidenced") for f in accepted)  # verdicts stay
    with pytest.raises(conform.ConformError) as e:
        rules.check(path, as_of=AS_OF, deviations=deviations("bad.yaml", ["no_such_requirement"]))
    assert e.value.code == "E1103"
