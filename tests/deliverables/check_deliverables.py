#!/usr/bin/python3
"""End-to-end checks of `conform check`'s deliverable formats, run by ctest (see CMakeLists.txt).

    check_deliverables.py CONFORM SOURCE_DIR SCRATCH TEST

TEST is one of:
  formats   one evaluation writes json, junit, sarif, oscal, xlsx, csv, md; each is validated:
            SARIF and OSCAL against their official schemas (tests/deliverables/schemas, copies of
            ../shared/schemas), JUnit with junitparser, XLSX read back (zip + XML), CSV with the
            csv module; every count agrees with the JSON report.
  text      the young-company text report names no requirement id and shows no code-shaped
            fact; --quiet prints no empty clause heading.
  html      the HTML report renders in headless Chromium without console errors, fetches
            nothing, its findings (count and grades) equal the JSON's, and a screenshot is made.
  diff      `conform diff` of two assessments lists closed and new gaps (text and JSON).
  deviations  accepted deviations are reported as accepted, expired ones warn, unknown ids fail.

Prints "N passed, N failed" and exits non-zero on any failure.
"""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

CONFORM, SOURCE, SCRATCH, WHICH = sys.argv[1:5]
AS_OF = "2026-11-22"
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, flush=True)


def run(*args, expect=(0, 1)):
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([CONFORM, *args], cwd=SOURCE, capture_output=True, text=True, env=env)
    if p.returncode not in expect:
        print(p.stdout[-2000:], p.stderr[-2000:])
        raise SystemExit(f"conform {' '.join(args)} exited {p.returncode}")
    return p


def out(name):
    return os.path.join(SCRATCH, name)


def gaps(report):
    """(standard, id, verdict, grade) of every nonconform or not-evidenced requirement."""
    return [(s["standard"], r["id"], r["verdict"], r["grade"]) for s in report["standards"] for r in s["requirements"]
            if r["verdict"] in ("nonconform", "not_evidenced")]


def assess(example="examples/precision-parts.yaml", *extra):
    """One evaluation writing every format; returns the JSON report."""
    args = ["check", example, "-s", "iso9001", "--as-of", AS_OF, "--format", "json"]
    for fmt, name in [("junit", "j.xml"), ("sarif", "s.sarif"), ("oscal", "o.json"), ("xlsx", "r.xlsx"), ("csv", "r.csv"),
                      ("md", "r.md"), ("html", "r.html")]:
        args += ["--output", f"{fmt}={out(name)}"]
    p = run(*args, *extra)
    return json.loads(p.stdout)


# ---- formats -------------------------------------------------------------------------------

def oscal_validator(schema):
    """Draft-07 validation whose `pattern` understands the \\p{L} / \\p{N} classes OSCAL uses
    (Python's re has no \\p): \\p{L} → [^\\W\\d_] (a letter), \\p{N} → \\d."""
    import jsonschema

    def pattern(validator, patrn, instance, schema):
        if not validator.is_type(instance, "string"):
            return
        translated = patrn.replace("\\p{L}", "[^\\W\\d_]").replace("\\p{N}", "\\d")
        if not re.search(translated, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    return cls(schema)


def test_formats():
    import jsonschema
    from junitparser import JUnitXml, Failure, Error, Skipped

    report = assess()
    g = gaps(report)
    check(len(g) > 0, "precision-parts has gaps")
    s = report["standards"][0]
    check(report["organization"]["name"] == "Velmont Precision Engineering Ltd", "organization name in JSON")
    check(report["organization"]["assessor"], "assessor in JSON")
    check(report["organization"]["scope"], "scope in JSON")
    check(s["edition"] and s["readiness"]["verdict"] in ("ready", "at_risk", "not_ready"), "edition and readiness in JSON")

    # SARIF: schema-valid; one result per gap, located at a line of the evidence file.
    sarif = json.load(open(out("s.sarif")))
    schema = json.load(open(os.path.join(SOURCE, "tests/deliverables/schemas/sarif-2.1.0_schema.json")))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(sarif), key=str)
    check(not errors, "SARIF valid: " + "; ".join(e.message for e in errors[:3]))
    results = sarif["runs"][0]["results"]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    check(len(results) == len(g), f"SARIF results {len(results)} == gaps {len(g)}")
    check(len(rules) == s["summary"]["requirements"], "a SARIF rule per requirement")
    evidence_lines = open(os.path.join(SOURCE, "examples/precision-parts.yaml")).read().split("\n")
    for res in results:
        rule = rules[res["ruleIndex"]]
        check(rule["id"] == res["ruleId"], "ruleIndex points at its rule")
        check(all(k in rule["properties"] for k in ("clause", "grade")) and rule["shortDescription"]["text"], "rule carries clause, grade, statement")
        region = res["locations"][0]["physicalLocation"].get("region")
        check(region is not None and region["startLine"] >= 1, f"{res['ruleId']} has a line")
        if region:
            # The line holds the deciding field or list item (a key or a `- ` item).
            logical = res["locations"][0].get("logicalLocations", [{}])[0].get("fullyQualifiedName", "")
            line = evidence_lines[region["startLine"] - 1]
            m = re.search(r"\.([a-z_]+)(\[\d+\])?$", logical)
            if m and not m.group(2):
                check(m.group(1) + ":" in line, f"{res['ruleId']}: line {region['startLine']} holds `{m.group(1)}` ({line.strip()})")
            else:
                check(line.strip().startswith("-") or ":" in line, f"{res['ruleId']}: line {region['startLine']} is an item")
        want = {"major": "error", "minor": "warning", "observation": "note"}
        if res["kind"] == "fail":
            check(res["level"] == want[res["properties"]["grade"]], "level follows the grade")

    # The JSON front end keeps positions too: the same evidence as JSON, one key per line.
    import datetime
    import yaml
    data = yaml.safe_load(open(os.path.join(SOURCE, "examples/precision-parts.yaml")))
    as_text = lambda o: o.isoformat() if isinstance(o, (datetime.date, datetime.datetime)) else str(o)
    open(out("pp.json"), "w").write(json.dumps(data, indent=1, default=as_text))
    run("check", out("pp.json"), "-s", "iso9001", "--as-of", AS_OF, "--output", "sarif=" + out("pp.sarif"))
    json_lines = open(out("pp.json")).read().split("\n")
    jres = json.load(open(out("pp.sarif")))["runs"][0]["results"]
    check(len(jres) == len(g), "JSON evidence: same results")
    for res in jres:
        logical = res["locations"][0].get("logicalLocations", [{}])[0].get("fullyQualifiedName", "")
        region = res["locations"][0]["physicalLocation"].get("region")
        m = re.search(r"\.([a-z_]+)$", logical)
        if region and m:
            check(f'"{m.group(1)}":' in json_lines[region["startLine"] - 1], f"JSON evidence: {res['ruleId']} at the `{m.group(1)}` key")

    # OSCAL: schema-valid; findings per applicable requirement, states match the verdicts.
    oscal = json.load(open(out("o.json")))
    schema = json.load(open(os.path.join(SOURCE, "tests/deliverables/schemas/oscal-1.0.4_assessment-results_schema.json")))
    errors = sorted(oscal_validator(schema).iter_errors(oscal), key=str)
    check(not errors, "OSCAL valid: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:3]))
    result = oscal["assessment-results"]["results"][0]
    states = [f["target"]["status"]["state"] for f in result["findings"]]
    applicable = s["summary"]["requirements"] - s["summary"]["not_applicable"]
    check(len(states) == applicable, f"OSCAL findings {len(states)} == applicable {applicable}")
    check(states.count("not-satisfied") == len(g), "OSCAL not-satisfied == gaps")
    obs = {o["uuid"]: o for o in result["observations"]}
    linked = [obs[f["related-observations"][0]["observation-uuid"]] for f in result["findings"]
              if f["target"]["status"]["state"] == "not-satisfied"]
    check(all(o.get("relevant-evidence") for o in linked), "every not-satisfied finding's observation carries evidence")

    # JUnit, read with junitparser: a testcase per requirement; failures carry the grade.
    xml = JUnitXml.fromfile(out("j.xml"))
    cases = [c for suite in xml for c in suite]
    check(len(cases) == s["summary"]["requirements"], f"JUnit testcases {len(cases)} == requirements")
    kinds = {"failure": 0, "error": 0, "skipped": 0}
    grades = {}
    for c in cases:
        for r in c.result:
            if isinstance(r, Failure):
                kinds["failure"] += 1
                grades[r.type] = grades.get(r.type, 0) + 1
            elif isinstance(r, Error):
                kinds["error"] += 1
                check(r.type == "not_evidenced", "errors are not evidenced")
            elif isinstance(r, Skipped):
                kinds["skipped"] += 1
    sm = s["summary"]
    check(kinds == {"failure": sm["nonconform"], "error": sm["not_evidenced"], "skipped": sm["not_applicable"]},
          f"JUnit kinds {kinds} match the summary")
    check(grades.get("minor", 0) == sm["minor"] and grades.get("major", 0) == sm["major"], "failure types are the grades")

    # XLSX read back: Summary and Requirements sheets, a row per requirement.
    z = zipfile.ZipFile(out("r.xlsx"))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = [sh.get("name") for sh in wb.find("m:sheets", ns)]
    check(sheets == ["Summary", "Requirements"], f"sheets {sheets}")
    shared = [si.findtext(".//m:t", "", ns) if si.find("m:t", ns) is not None else "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
              for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    sheet = ET.fromstring(z.read("xl/worksheets/sheet2.xml"))
    rows = []
    for row in sheet.find("m:sheetData", ns):
        vals = []
        for cell in row:
            v = cell.findtext("m:v", "", ns)
            vals.append(shared[int(v)] if cell.get("t") == "s" else v)
        rows.append(vals)
    check(len(rows) == sm["requirements"] + 1, f"XLSX rows {len(rows)} == requirements + header")
    header = rows[0]
    for col in ("clause", "statement", "verdict", "grade", "message", "evidence", "action", "owner", "due"):
        check(col in header, f"XLSX column {col}")
    vi = header.index("verdict")
    check(sum(r[vi] == "nonconform" for r in rows[1:]) == sm["nonconform"], "XLSX nonconform rows")
    summary = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    texts = [shared[int(c.findtext("m:v", "0", ns))] for c in summary.iter(f"{{{ns['m']}}}c") if c.get("t") == "s"]
    check("Velmont Precision Engineering Ltd" in texts, "XLSX summary names the organization")

    # CSV: same rows; action plan filled from the corrective actions where recorded.
    rows = list(csv.DictReader(io.StringIO(open(out("r.csv"), newline="").read())))
    check(len(rows) == sm["requirements"], "CSV rows")
    nc_due = [r for r in rows if r["verdict"] == "nonconform" and r["due"]]
    check(len(nc_due) >= 1 and all(r["owner"] for r in nc_due), "action plan: owner and due from corrective actions")

    md = open(out("r.md")).read()
    check(md.count("\n### ") == len(g), "Markdown: a section per finding")
    check("Velmont Precision Engineering Ltd" in md and "## Action plan" in md, "Markdown header and action plan")

    # --format xlsx to stdout is refused; a bad --output is a usage error.
    check(run("check", "examples/precision-parts.yaml", "-s", "iso9001", "--output", "pdf=x.pdf", expect=(2,)).returncode == 2,
          "unknown output format refused")


# ---- text ----------------------------------------------------------------------------------

def test_text():
    report = json.loads(run("check", "examples/young-company.yaml", "-s", "iso9001", "--as-of", AS_OF, "--format", "json").stdout)
    text = run("check", "examples/young-company.yaml", "-s", "iso9001", "--as-of", AS_OF).stdout
    ids = [r["id"] for s in report["standards"] for r in s["requirements"] if r["says"]]
    shown = [i for i in ids if re.search(r"(?<![\w.$\[])" + re.escape(i) + r"(?![\w])", text)]
    check(not shown, f"no requirement id in the text report: {shown[:5]}")
    code = [l for l in text.split("\n") if re.search(r" == | = |count\(|len\(|\bexists |default\(", l)]
    check(not code, f"no code-shaped fact: {code[:3]}")
    check("Kestrel Systems B.V." in text.split("\n")[0], "header names the organization")
    for needle in ("scope: ", "assessor: ", "edition 2015+A1:2024", "as of 2026-11-22", "certification readiness:"):
        check(needle in text, f"text has {needle!r}")
    check("not recorded" in text and " unknown" not in text, "unknowns read 'not recorded'")
    quiet = run("check", "examples/young-company.yaml", "-s", "iso9001", "--as-of", AS_OF, "--quiet").stdout
    lines = quiet.split("\n")
    heads = [i for i, l in enumerate(lines) if re.match(r"^ *\d+(\.\d+)* [A-Z]", l)]
    for i in heads:
        depth = len(lines[i]) - len(lines[i].lstrip())
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        nxt_depth = len(nxt) - len(nxt.lstrip())
        if not nxt.strip():  # a blank line after a heading: only before the next top-level clause
            check(False, f"empty heading {lines[i]!r}")
        else:
            check(nxt_depth > depth, f"heading {lines[i].strip()!r} has content")
    check("✓" not in quiet, "--quiet hides conforming requirements")


# ---- html ----------------------------------------------------------------------------------

def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_html():
    browser = chromium()
    if not browser:
        print("SKIP: chromium is not installed (scripts/install-deps.sh installs Debian's `chromium`)")
        print("0 passed, 0 failed, 1 skipped")
        raise SystemExit(0)
    report = assess()
    html_path = out("r.html")
    html = open(html_path).read()
    check(not re.search(r"<script|<link|<iframe|src=\"https?:|url\(|@import", html, re.I), "self-contained: nothing to fetch")
    check("@media print" in html and "<svg" in html, "print CSS and an SVG chart")

    def render(path, *extra):
        profile = out("chromium-profile-" + os.path.basename(path) + str(len(extra)))
        shutil.rmtree(profile, ignore_errors=True)
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", *extra, "file://" + path]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=SCRATCH)
        console = [l for l in p.stderr.split("\n") if ":CONSOLE" in l]
        return p, console

    # The console check catches errors: a page with a failing script must be reported.
    bad = out("bad.html")
    open(bad, "w").write("<!DOCTYPE html><html><body><script>console.error('x'); nosuch();</script></body></html>")
    _, console = render(bad, "--dump-dom")
    check(len(console) >= 1, "the console check sees a failing script")

    p, console = render(html_path, "--dump-dom")
    check(p.returncode == 0, "chromium rendered the report")
    check(not console, f"no console messages: {console[:3]}")
    dom = p.stdout
    articles = re.findall(r"<article class=\"finding[^\"]*\"[^>]*>", dom)
    check(len(articles) == len(gaps(report)), f"DOM findings {len(articles)} == JSON gaps {len(gaps(report))}")
    grades = {}
    for a in articles:
        gm = re.search(r"data-grade=\"(\w+)\"", a)
        grades[gm.group(1)] = grades.get(gm.group(1), 0) + 1
    sm = report["standards"][0]["summary"]
    check(grades.get("minor", 0) == sm["minor"] and grades.get("major", 0) == sm["major"]
          and grades.get("none", 0) == sm["not_evidenced"], f"DOM grades {grades} match the JSON")
    m = re.search(r"id=\"finding-count\">(\d+)<", dom)
    check(m and int(m.group(1)) == len(gaps(report)), "executive summary count equals the JSON")
    check(report["organization"]["name"] in dom and report["organization"]["assessor"] in dom, "cover names organization and assessor")

    # A young company: not-evidenced findings too (data-grade "none"), counted like the JSON.
    young = json.loads(run("check", "examples/young-company.yaml", "-s", "iso9001", "--as-of", AS_OF, "--format", "json",
                           "--output", "html=" + out("young.html")).stdout)
    p, console = render(out("young.html"), "--dump-dom")
    yg = re.findall(r"<article class=\"finding[^\"]*\"[^>]*data-grade=\"(\w+)\"", p.stdout)
    ys = young["standards"][0]["summary"]
    check(len(yg) == len(gaps(young)) and yg.count("none") == ys["not_evidenced"] and yg.count("major") == ys["major"],
          f"young company: DOM findings {len(yg)} == JSON gaps {len(gaps(young))}, not evidenced {yg.count('none')}")
    # Blocked requirements are not findings: they are listed apart, and each prerequisite's
    # finding names what waits for it.
    yb = re.search(r"id=\"blocked\">Cannot be assessed yet \((\d+)\)<", p.stdout)
    check(ys["blocked"] > 0 and yb and int(yb.group(1)) == ys["blocked"], f"young company: blocked listed apart ({ys['blocked']})")
    check(len(re.findall(r"<table class=\"blocked\">.*?</table>", p.stdout, re.S)) == 1 and "further requirement" in p.stdout,
          "a prerequisite's finding names the requirements waiting for it")
    check(not console, "young company: no console messages")

    shot = out("report.png")
    if os.path.exists(shot):
        os.remove(shot)
    p, console = render(html_path, f"--screenshot={shot}", "--window-size=1280,1800")
    check(os.path.exists(shot) and open(shot, "rb").read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(shot) > 10000,
          "a screenshot was produced")
    check(not console, "no console messages while screenshotting")


# ---- diff ----------------------------------------------------------------------------------

def test_diff():
    """Two assessments of one organization: the later evidence assigns the support process an
    owner (a closed gap) and is assessed seven months on, when a risk rating has gone stale (a
    new gap)."""
    text = open(os.path.join(SOURCE, "examples/young-company.yaml")).read()
    after_yaml = text.replace("    name: Customer support (office hours)\n", "    name: Customer support (office hours)\n    owner: p-01\n", 1)
    check(after_yaml != text, "the after evidence differs")
    open(out("after.yaml"), "w").write(after_yaml)
    before = run("check", "examples/young-company.yaml", "-s", "iso9001", "--as-of", AS_OF, "--output", "json=" + out("before.json"))
    after = run("check", out("after.yaml"), "-s", "iso9001", "--as-of", "2027-07-01", "--output", "json=" + out("after.json"))
    check(before.stdout == "" and after.stdout == "", "--output alone writes nothing to stdout")
    p = run("diff", out("before.json"), out("after.json"), "--format", "json", expect=(1,))  # 1: there are new gaps
    d = json.loads(p.stdout)
    closed = {e["id"] for e in d["closed"]}
    new = {e["id"] for e in d["new"]}
    check("process_owners_assigned" in closed, f"closed gaps {closed}")
    check("risks_reassessed" in new, f"new gaps {new}")
    for e in d["closed"]:
        check(e["before"]["verdict"] in ("nonconform", "not_evidenced") and e["after"]["verdict"] in ("conform", "not_applicable"),
              f"closed {e['id']} went from a gap to none")
    t = run("diff", out("before.json"), out("after.json"), expect=(1,)).stdout
    check("Closed gaps (" in t and "New gaps (" in t and "Every process has an owner" in t, "text diff lists closed and new gaps")
    h = run("diff", out("before.json"), out("after.json"), "--format", "html", expect=(1,)).stdout
    check(h.count('class="change closed"') == len(closed) and h.count('class="change new"') == len(new), "HTML diff rows")
    same = run("diff", out("before.json"), out("before.json"), "--format", "json")
    check(same.returncode == 0 and not json.loads(same.stdout)["closed"], "a report against itself: no change, exit 0")
    bad = run("diff", out("before.json"), os.path.join(SOURCE, "examples/young-company.yaml"), expect=(2,))
    check("E1104" in bad.stderr, "a file that is not a JSON report is E1104")


# ---- deviations ----------------------------------------------------------------------------

def test_deviations():
    dev = out("deviations.yaml")
    open(dev, "w").write(
        "deviations:\n"
        "  - requirement: calibration_current\n"
        "    justification: The gauge is quarantined; a replacement is in use and recalibration is booked.\n"
        "    approver: Head of Quality\n"
        "    accepted_until: 2027-01-31\n"
        "  - requirement: documents_reviewed_on_time\n"
        "    justification: Review postponed.\n"
        "    approver: Head of Quality\n"
        "    accepted_until: 2026-10-01\n")
    base = json.loads(run("check", "examples/precision-parts.yaml", "-s", "iso9001", "--as-of", AS_OF, "--format", "json").stdout)
    p = run("check", "examples/precision-parts.yaml", "-s", "iso9001", "--as-of", AS_OF, "--format", "json", "--deviations", dev,
            "--output", "junit=" + out("dj.xml"), "--output", "sarif=" + out("ds.sarif"))
    r = json.loads(p.stdout)
    s, b = r["standards"][0], base["standards"][0]
    rows = {x["id"]: x for x in s["requirements"]}
    check(rows["calibration_current"]["verdict"] == "nonconform" and rows["calibration_current"]["deviation"]
          and rows["calibration_current"]["deviation"]["approver"] == "Head of Quality", "accepted: still nonconform, with the deviation")
    check(s["summary"] == b["summary"] and s["accepted"] == 1, "never counted as conform: the summary is unchanged, accepted 1")
    check(rows["documents_reviewed_on_time"]["deviation"] is None, "the expired deviation is ignored")
    check("W1101" in p.stderr, "the expired deviation warns (W1101)")
    text = run("check", "examples/precision-parts.yaml", "-s", "iso9001", "--as-of", AS_OF, "--deviations", dev, "-q").stdout
    check("≈ [minor]" in text and "accepted deviation until 2027-01-31" in text, "text shows the accepted deviation (--quiet too)")
    junit = open(out("dj.xml")).read()
    check('type="accepted_deviation"' in junit, "JUnit: accepted deviation is skipped with its type")
    sarif = json.load(open(out("ds.sarif")))
    sup = [res for res in sarif["runs"][0]["results"] if res.get("suppressions")]
    check(len(sup) == 1 and sup[0]["suppressions"][0]["status"] == "accepted", "SARIF: an accepted suppression")
    # Unknown requirement: an error with did-you-mean; exit 2.
    bad = out("bad-deviations.yaml")
    open(bad, "w").write("deviations:\n  - requirement: calibration_curent\n    justification: x\n    approver: y\n    accepted_until: 2027-01-31\n")
    e = run("check", "examples/precision-parts.yaml", "-s", "iso9001", "--as-of", AS_OF, "--deviations", bad, expect=(2,))
    check("E1103" in e.stderr and "did you mean `calibration_current`" in e.stderr and ":2:" in e.stderr, "E1103 with did-you-mean and line")
    open(bad, "w").write("deviations:\n  - requirement: calibration_current\n    approver: y\n    accepted_until: 2027-01-31\n")
    e = run("check", "examples/precision-parts.yaml", "-s", "iso9001", "--as-of", AS_OF, "--deviations", bad, expect=(2,))
    check("E1102" in e.stderr and "justification" in e.stderr, "a deviation without a justification is E1102")
    # Every gap accepted → exit 0 (accepted gaps do not fail the run), yet still nonconform in the summary.
    gaps_ids = [x["id"] for x in b["requirements"] if x["verdict"] in ("nonconform", "not_evidenced")]
    open(dev, "w").write("deviations:\n" + "".join(
        f"  - requirement: {i}\n    justification: accepted for the test\n    approver: QM\n    accepted_until: 2027-12-31\n" for i in gaps_ids))
    allacc = run("check", "examples/precision-parts.yaml", "-s", "iso9001", "--as-of", AS_OF, "--format", "json", "--deviations", dev)
    check(allacc.returncode == 0 and json.loads(allacc.stdout)["standards"][0]["summary"]["nonconform"] == b["summary"]["nonconform"],
          "all gaps accepted: exit 0, nonconform count unchanged")


TESTS = {"formats": test_formats, "text": test_text, "html": test_html, "diff": test_diff, "deviations": test_deviations}

if __name__ == "__main__":
    os.makedirs(SCRATCH, exist_ok=True)
    TESTS[WHICH]()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
