"""Conform for Python: evaluate organizations' evidence against management-system standards.

    import conform
    report = conform.check("examples/precision-parts.yaml", standards=["iso9001"], as_of="2026-11-22")
    for f in report.standards[0].findings:
        print(f.clause, f.id, f.verdict)

`Engine` opens a catalogue and compiles standards once (`RuleSet`); a rule set evaluates any
number of organizations, from any number of threads (the GIL is released while evaluating).
Results are plain dataclasses; `Report.json` is exactly what `conform check --format json`
prints, and `RuleSet.batch` returns the records of `conform check --batch`.
See docs/embedding.md; `conform.dask` evaluates on a Dask cluster.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import os
import pathlib
from typing import Any, Iterable, Mapping, Sequence, Union

from . import _conform

__all__ = ["ConformError", "Engine", "RuleSet", "Report", "StandardResult", "Finding", "Fact", "Clause",
           "Certification", "check", "sampling_plan", "abi_version", "version", "has_jit"]

abi_version = _conform.abi_version
version = _conform.version
has_jit = _conform.has_jit

Evidence = Union[Mapping[str, Any], str, "os.PathLike[str]"]


class ConformError(Exception):
    """A failure of the library: `status` (conform.h's conform_status), the first error
    rendered like the CLI (str(e)), and every diagnostic as dicts (code, message, help, file,
    line, column, data_path)."""

    def __init__(self, message: str, status: int = 9, diagnostics_json: str = "[]"):
        super().__init__(message)
        self.status = status
        try:
            self.diagnostics = json.loads(diagnostics_json)
        except ValueError:
            self.diagnostics = []

    @property
    def code(self) -> str | None:
        """The code of the first error (E0602, E0704 …), if any."""
        for d in self.diagnostics:
            if d.get("severity") == "error":
                return d.get("code")
        return None


_conform._set_error_class(ConformError)


@dataclasses.dataclass(frozen=True)
class Fact:
    expr: str
    value: str
    path: str | None


@dataclasses.dataclass(frozen=True)
class Finding:
    standard: str
    clause: str
    id: str
    verdict: str  # conform | nonconform | not_evidenced | not_applicable | blocked
    grade: str | None  # major | minor | observation when nonconform
    message: str | None
    says: str
    witness: str | None
    facts: list[Fact]
    deviation: dict[str, str] | None = None  # the accepted deviation covering this gap, if any

    @property
    def open_gap(self) -> bool:
        """Fails the run: a gap (nonconform, not evidenced) no accepted deviation covers, or blocked."""
        return (self.verdict in ("nonconform", "not_evidenced") and not self.deviation) or self.verdict == "blocked"


@dataclasses.dataclass(frozen=True)
class Clause:
    clause: str
    title: str
    verdict: str  # the worst verdict of its requirements and sub-clauses
    counts: dict[str, int]


@dataclasses.dataclass(frozen=True)
class StandardResult:
    standard: str
    title: str
    edition: str
    summary: dict[str, int]
    clauses: list[Clause]
    findings: list[Finding]
    warnings: list[dict[str, str]]


@dataclasses.dataclass(frozen=True)
class Report:
    evidence: str
    as_of: str
    engine: str
    standards: list[StandardResult]
    json: str = dataclasses.field(repr=False)  # as `conform check --format json` prints it

    @property
    def conforms(self) -> bool:
        """No open gap: `conform check`'s exit status 0 (with the same deviations). Every
        requirement conforms or is not applicable, or is nonconform / not evidenced and covered
        by an accepted deviation in force; none is blocked."""
        return not any(f.open_gap for s in self.standards for f in s.findings)

    def verdicts(self) -> dict[tuple[str, str], str]:
        """(standard, requirement id) → verdict."""
        return {(f.standard, f.id): f.verdict for s in self.standards for f in s.findings}

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self.json)

    def render(self, fmt: str) -> str:
        """Any format of `conform check --format`: text, json, html, junit, sarif, oscal, csv, md."""
        return self._native.render(fmt)

    @staticmethod
    def from_json(text: str) -> "Report":
        d = json.loads(text)
        standards = []
        for s in d["standards"]:
            findings = [Finding(r["standard"], r["clause"], r["id"], r["verdict"], r.get("grade"), r.get("message"),
                                r.get("says", ""), r.get("witness"),
                                [Fact(f["expr"], f["value"], f.get("path")) for f in r.get("facts", [])],
                                r.get("deviation"))
                        for r in s["requirements"]]
            clauses = [Clause(c["clause"], c["title"], c["verdict"], c["counts"]) for c in s.get("clauses", [])]
            standards.append(StandardResult(s["standard"], s["title"], s.get("edition", ""), s["summary"], clauses,
                                            findings, s.get("warnings", [])))
        return Report(d.get("evidence", ""), d["as_of"], d["engine"], standards, text)


@dataclasses.dataclass(frozen=True)
class Certification:
    """`conform certify`: the certification lifecycle of one standard's records, the readiness
    for stage 1 and stage 2 / the decision gate, the IAF MD 1 sampling plan."""
    standard: str
    state: str  # of the current record: active, suspended, expired, … none
    stage1: str  # ready | at_risk | not_ready | not_assessed
    stage2: str  # stage 2 / the decision gate
    active: bool  # active with nothing overdue: `conform certify`'s exit status 0
    records: int
    deadlines: int
    overdue: int
    irregularities: int
    sampling_sites: int  # n of the sampling plan; 0 without one
    json: str = dataclasses.field(repr=False)  # as `conform certify --format json` prints it

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self.json)

    def text(self, *, color: bool = False, max_items: int = 12) -> str:
        """As `conform certify` prints it (max_items=0: every readiness item, like --all)."""
        return self._native.text(color, max_items)

    @staticmethod
    def _from(native: "_conform.Certification") -> "Certification":
        c = Certification(json=native.json(), **native.summary())
        object.__setattr__(c, "_native", native)
        return c


def sampling_plan(sites: int, *, risk_increase: int = 0, met: Sequence[str] = (), not_met: Sequence[str] = (),
                  rules: bool = False) -> Certification:
    """`conform certify --sites N`: the IAF MD 1 sampling plan for `sites` sites (besides the
    central function); `met` / `not_met` name eligibility conditions (legal_link …)."""
    return Certification._from(_conform.certify_plan(sites, risk_increase, list(met), list(not_met), rules))


def _date(as_of: Union[str, datetime.date, None]) -> str:
    if as_of is None:
        return "today"
    if isinstance(as_of, datetime.date):
        return as_of.isoformat()
    return str(as_of)


def _params(params: Mapping[str, Any] | None) -> dict[str, str]:
    out = {}
    for k, v in (params or {}).items():
        out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return out


def _json_default(v: Any) -> Any:
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()[:10] if not isinstance(v, datetime.datetime) else v.isoformat()
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    if hasattr(v, "item") and callable(v.item):  # numpy / pandas scalars (dataframe rows)
        return v.item()
    raise TypeError(f"cannot write {type(v).__name__} as evidence")


def to_json_line(evidence: Mapping[str, Any] | str) -> str:
    """One organization as one NDJSON line (dicts are serialized; dates as YYYY-MM-DD)."""
    if isinstance(evidence, str):
        return evidence.strip().replace("\n", " ")
    return json.dumps(evidence, default=_json_default, separators=(",", ":"))


class RuleSet:
    """Standards compiled together; immutable and safe to share between threads."""

    def __init__(self, native: "_conform.RuleSet"):
        self._native = native

    @property
    def standards(self) -> list[str]:
        return self._native.standards()

    @property
    def engine(self) -> str:
        return self._native.engine()

    def load(self, evidence: Evidence, *, strict: bool = False,
             positions: bool | None = None) -> "_conform.Evidence":
        """A dict (the root entity's fields), a path (str or os.PathLike) to a YAML/JSON file,
        or YAML/JSON text (a str with a newline or starting with `{`).

        `positions`: remember the line of every value, so findings name evidence lines (default
        for files and text). A dict has no lines: it loads without them, through the JSON fast
        path; pass positions=False for JSON files and text too when only verdicts matter."""
        if isinstance(evidence, Mapping):
            return self._native.load_string(to_json_line(evidence), "<dict>", "json", strict, bool(positions))
        keep = True if positions is None else positions
        if isinstance(evidence, os.PathLike):
            return self._native.load_file(os.fspath(evidence), "auto", strict, keep)
        if isinstance(evidence, str):
            if "\n" in evidence or evidence.lstrip().startswith("{"):
                return self._native.load_string(evidence, "<string>", "auto", strict, keep)
            return self._native.load_file(evidence, "auto", strict, keep)
        raise TypeError(f"evidence must be a dict, a path or a str, not {type(evidence).__name__}")

    def check(self, evidence: Evidence, *, as_of: Union[str, datetime.date, None] = None,
              params: Mapping[str, Any] | None = None, explain: bool = True, strict: bool = False,
              deviations: Union[str, os.PathLike, None] = None, positions: bool | None = None) -> Report:
        """Evaluates one organization; raises ConformError if it cannot be loaded, a parameter
        is invalid or the `deviations` file (accepted deviations, as --deviations) is wrong.
        `positions` as in load()."""
        ev = self.load(evidence, strict=strict, positions=positions)
        native = self._native.evaluate(ev, _date(as_of), _params(params), explain, os.fspath(deviations or ""))
        report = Report.from_json(native.json())
        object.__setattr__(report, "_native", native)
        return report

    def certify(self, evidence: Evidence, standard: str | None = None, *,
                as_of: Union[str, datetime.date, None] = None, params: Mapping[str, Any] | None = None,
                sites: int | None = None, risk_increase: int = 0, met: Sequence[str] = (),
                not_met: Sequence[str] = (), strict: bool = False) -> Certification:
        """`conform certify`: the evidence's certification records for `standard` (default: the
        rule set's only standard). The rule set must come from a catalogue with the
        `certification` schema module (the installed one has it)."""
        ev = self.load(evidence, strict=strict)
        native = self._native.certify(ev, standard or "", _date(as_of), _params(params),
                                      -1 if sites is None else sites, risk_increase, list(met), list(not_met), False)
        return Certification._from(native)

    def batch_ndjson(self, ndjson: str, *, as_of: Union[str, datetime.date, None] = None,
                     params: Mapping[str, Any] | None = None, threads: int = 0, first_line: int = 1) -> str:
        """`conform check --batch` on NDJSON text: one JSON record per non-blank line."""
        return self._native.batch(ndjson, _date(as_of), _params(params), threads, first_line)

    def batch(self, organizations: Iterable[Mapping[str, Any] | str], *,
              as_of: Union[str, datetime.date, None] = None, params: Mapping[str, Any] | None = None,
              threads: int = 0) -> list[dict[str, Any]]:
        """Evaluates many organizations (dicts or JSON text) on `threads` cores (0: all): one
        record per organization, in input order — {"line", "standards": [...]} or, for one
        that cannot be loaded, {"line", "error": {"code", "message", "path"}}."""
        text = "".join(to_json_line(o) + "\n" for o in organizations)
        out = self.batch_ndjson(text, as_of=as_of, params=params, threads=threads)
        return [json.loads(line) for line in out.splitlines()]


class Engine:
    """An open catalogue: `plugin_dirs` first, then $CONFORM_PLUGIN_PATH (use_env), then the
    catalogue installed with the library (use_installed)."""

    def __init__(self, plugin_dirs: Sequence[Union[str, os.PathLike]] = (), *, use_env: bool = True,
                 use_installed: bool = True):
        self._native = _conform.Engine([os.fspath(d) for d in plugin_dirs], use_env, use_installed)

    def catalogue(self) -> list[dict[str, str]]:
        return json.loads(self._native.catalogue_json())

    def compile(self, standards: Sequence[str], *, engine: str = "jit", cache: bool = True,
                cache_dir: Union[str, os.PathLike, None] = None,
                as_of: Union[str, datetime.date, None] = None) -> RuleSet:
        """Compiles `standards` ("iso9001", "iso9001@2015"); the compiled-program and object
        caches make a second compile of the same sources fast (also in another process)."""
        return RuleSet(self._native.compile(list(standards), engine, cache, os.fspath(cache_dir or ""), _date(as_of)))


@functools.lru_cache(maxsize=16)
def _rules(standards: tuple[str, ...], engine: str, as_of: str, plugin_dirs: tuple[str, ...]) -> RuleSet:
    return Engine(plugin_dirs).compile(standards, engine=engine, as_of=as_of)


def check(evidence: Evidence, standards: Sequence[str], *, as_of: Union[str, datetime.date, None] = None,
          params: Mapping[str, Any] | None = None, engine: str = "jit",
          plugin_dirs: Sequence[Union[str, os.PathLike]] = (), explain: bool = True,
          deviations: Union[str, os.PathLike, None] = None) -> Report:
    """Evaluates one organization against `standards` (compiled once per process and reused)."""
    rules = _rules(tuple(standards), engine, _date(as_of), tuple(os.fspath(d) for d in plugin_dirs))
    return rules.check(evidence, as_of=as_of, params=params, explain=explain, deviations=deviations)
