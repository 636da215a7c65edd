#!/usr/bin/python3
"""`make bench`: Conform side by side with its peers, plus Conform's own figures.

Builds the peers of ../shared/bench/peers in a copy under BUILD/bench/peers (the shared folder is
never written), runs every engine ROUNDS times interleaved, and prints markdown tables:

  1. peers50: ns/check per engine, ratio to g++ -O2 std::string, Conform JIT vs json-logic-engine;
  2. `conform check --batch` organizations/s with 1 and 2 threads (and the ratio): peers50, and
     ISO 9001 over examples/precision-parts.yaml as NDJSON (needs python3-yaml);
  3. the second workload (bench/catalogue/workload2): Conform vs its hand-written C++ reference;
  4. evidence growth ×1 ×10 ×100: growth factor of load and evaluation time;
  5. cold start: native compile of ISO 9001 and of every standard, the first and a warm single
     `conform check` (--engine auto and jit), `conform --version` — wall time and peak RSS, with
     issue 14's targets beside them;
  6. O1 against O2 for the generated code (only when every section runs, or SECTIONS=6);
  7. one ISO 9001 organization whose documents grow to 150,000 (~55 MB of JSON): a whole
     `conform check` with its report, its growth, and both engines' reports compared.

Every figure is a median over ROUNDS fresh processes. Checksums must agree: a row whose checksum
differs from the g++ reference is marked WRONG and the script exits 1. Timings are printed, never
asserted. Environment: BUILD (build), ROUNDS (3), RECORDS (100000), PEERS_DIR (the peers' source),
SECTIONS: a comma-separated subset of 1-7 (default 1,2,3,4,5,7 and the O1/O2 table 6), e.g.
SECTIONS=2 (only the batch table), SECTIONS=5 (only the cold/warm rows), SECTIONS=6 (O1 against O2),
SECTIONS=7 (one organization with 1,500 / 15,000 / 150,000 documents).
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.path.join(REPO, os.environ.get("BUILD", "build")))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
RECORDS = int(os.environ.get("RECORDS", "100000"))
CONFORM = os.path.join(BUILD, "cli", "conform")
CATALOGUE = os.path.join(REPO, "bench", "catalogue")
AS_OF = "2024-10-04"
failed = False


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, cwd=None, env=None, check=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return r


def json_lines(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def peers_source():
    cands = [os.environ.get("PEERS_DIR", ""), os.path.join(REPO, "..", "shared", "bench", "peers")]
    # In a git worktree, ../shared is relative to the main checkout.
    r = run(["git", "-C", REPO, "rev-parse", "--git-common-dir"], check=False)
    if r.returncode == 0:
        common = os.path.abspath(os.path.join(REPO, r.stdout.strip()))
        cands.append(os.path.join(os.path.dirname(common), "..", "shared", "bench", "peers"))
    for c in cands:
        if c and os.path.isfile(os.path.join(c, "rules.txt")):
            return os.path.abspath(c)
    return None


def build_peers():
    """Returns (peers_dir, {engine: argv}) of the peers that could be built."""
    src = peers_source()
    engines = {}
    if not src:
        say("peers: ../shared/bench/peers not found (set PEERS_DIR): peer rows skipped")
        return None, engines
    dst = os.path.join(BUILD, "bench", "peers")
    os.makedirs(dst, exist_ok=True)
    for sub in ("cpp", "js"):
        os.makedirs(os.path.join(dst, sub), exist_ok=True)
        for f in os.listdir(os.path.join(src, sub)):
            p = os.path.join(src, sub, f)
            if os.path.isfile(p) and f.endswith((".cpp", ".hpp", ".js", ".json")):
                shutil.copy2(p, os.path.join(dst, sub, f))
    shutil.copy2(os.path.join(src, "rules.txt"), dst)
    if not shutil.which("node"):
        say("peers: node not found (apt-get install nodejs): the peers' data cannot be generated; peer rows skipped")
        return None, engines
    js, cpp = os.path.join(dst, "js"), os.path.join(dst, "cpp")
    data = os.path.join(dst, "data", "records.ndjson")
    stamp = os.path.join(dst, "data", f"records.{RECORDS}")
    if not os.path.exists(stamp):
        say(f"peers: generating {RECORDS} organizations")
        run(["node", "gen_cpp_inputs.js", str(RECORDS)], cwd=js)
        run(["node", "gen_ndjson.js", str(RECORDS), data], cwd=js)
        for f in os.listdir(os.path.join(dst, "data")):
            if f.startswith("records.") and f[8:].isdigit():
                os.remove(os.path.join(dst, "data", f))
        open(stamp, "w").close()
    if shutil.which("g++"):
        for exe, srcf in (("native", "native.cpp"), ("native_interned", "native_interned.cpp")):
            out = os.path.join(cpp, exe)
            if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(stamp):
                run(["g++", "-O2", "-std=c++17", "-o", exe, srcf], cwd=cpp)
        engines["cpp-native-g++O2"] = (cpp, ["./native", str(RECORDS), "9", "cpp-native-g++O2"])
        engines["cpp-native-interned-g++O2"] = (cpp, ["./native_interned", str(RECORDS), "9", "cpp-native-interned-g++O2"])
    else:
        say("peers: g++ not found: the C++ reference rows are skipped")
    if not os.path.isdir(os.path.join(js, "node_modules")) and shutil.which("npm"):
        say("peers: npm ci (test tooling only)")
        r = run(["npm", "ci", "--no-audit", "--no-fund"], cwd=js, check=False)
        if r.returncode != 0:
            say("peers: npm ci failed (no registry?): the JavaScript rows are skipped")
    if os.path.isdir(os.path.join(js, "node_modules")):
        for e in ("js-native", "json-logic-engine-compiled"):
            engines[e] = (js, ["node", "bench_js.js", e, str(RECORDS), "5"])
    else:
        say("peers: npm or node_modules missing: the JavaScript rows (json-logic-engine) are skipped")
    engines["conform"] = (None, [os.path.join(BUILD, "bench", "conform_peers"), data, str(RECORDS), "5"])
    return dst, engines


def peers_table(dst, engines):
    rows = {}
    for k in range(ROUNDS):
        for name, (cwd, argv) in engines.items():
            r = run(argv, cwd=cwd, check=False)
            if r.returncode != 0:
                say(f"peers: {name} failed: {r.stderr.strip()[-300:]}")
                continue
            for j in json_lines(r.stdout):
                rows.setdefault(j["engine"], []).append(j)
        say(f"peers: round {k + 1}/{ROUNDS} done")
    ref = "cpp-native-g++O2"
    ns = {e: med([x["ns_per_check"] for x in rs]) for e, rs in rows.items()}
    sums = {e: sorted({x["checksum"] for x in rs}) for e, rs in rows.items()}
    print(f"\n### 1. peers50 ({RECORDS} organizations × 50 checks; median of {ROUNDS} processes)\n")
    print("| engine | ns/check (median) | range | × g++ -O2 std::string | checksum |")
    print("|---|---|---|---|---|")
    want = sums.get(ref, [None])[0]
    global failed
    for e in sorted(ns, key=ns.get):
        vals = [x["ns_per_check"] for x in rows[e]]
        ok = want is None or sums[e] == [want]
        failed |= not ok
        ratio = f"{ns[e] / ns[ref]:.2f}" if ref in ns else ""
        print(f"| {e} | {ns[e]:.1f} | {min(vals):.1f}–{max(vals):.1f} | {ratio} | {','.join(sums[e])}{'' if ok else ' WRONG'} |")
    jit, jle = ns.get("conform-jit"), ns.get("json-logic-engine-compiled")
    print()
    if jit and ref in ns:
        print(f"- Conform JIT vs g++ -O2 std::string: **{jit / ns[ref]:.2f}× the time** (target ≤ 1.0)")
    if jit and jle:
        print(f"- Conform JIT vs json-logic-engine (compiled): **{jle / jit:.1f}× faster** (target ≥ 8)")
    comp = [x.get("compile_ms") for x in rows.get("conform-jit", []) if x.get("compile_ms")]
    if comp:
        print(f"- JIT compile of the 50 checks (no cache): {med(comp):.0f} ms")


def isolated_conform():
    """A copy of the CLI outside the build tree. The CLI adds the installed catalogue (found next to
    the binary) and loads all its schema modules, whose root `organization` clashes with a bench
    package's own root; the copy sees only --plugin-dir."""
    d = os.path.join(BUILD, "bench", "isolated")
    exe = os.path.join(d, "conform")
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(CONFORM):
        if os.path.exists(exe):
            os.remove(exe)
        shutil.copy2(CONFORM, exe)
    return exe


def precision_parts(row):
    """examples/precision-parts.yaml as JSON-ready data (dates as text); None without PyYAML."""
    try:
        import yaml
    except ImportError:
        say(f"{row}: python3-yaml missing (scripts/install-deps.sh): skipped")
        return None
    with open(os.path.join(REPO, "examples", "precision-parts.yaml")) as f:
        return json.loads(json.dumps(yaml.safe_load(f), default=str))


def iso9001_ndjson(lines=400):
    """examples/precision-parts.yaml (~190 KB as JSON) repeated as NDJSON; None without PyYAML."""
    out = os.path.join(BUILD, "bench", f"iso9001.{lines}.ndjson")
    if not os.path.exists(out):
        org = precision_parts("the ISO 9001 batch row")
        if org is None:
            return None
        line = json.dumps(org, separators=(",", ":"))
        with open(out, "w") as f:
            f.write((line + "\n") * lines)
    return out


def batch_rate(args, threads, exe=None):
    # --engine jit: the native rate (auto would interpret a batch's first lines on a cold cache).
    engine = [] if "--engine" in args else ["--engine", "jit"]
    r = subprocess.run([exe or isolated_conform(), "check", *args, *engine, "--threads", str(threads), "--timings"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"\(([\d.]+) organizations/s\)", r.stderr)
    if not m:
        raise RuntimeError(f"conform check --batch: no rate in\n{r.stderr[-1000:]}")
    return float(m.group(1))


def batch_table(title, args, exe=None):
    rates = {1: [], 2: []}
    for _ in range(ROUNDS):
        for t in (1, 2):
            rates[t].append(batch_rate(args, t, exe))
    r1, r2 = med(rates[1]), med(rates[2])
    print(f"| {title} | {r1:,.0f} | {r2:,.0f} | {r2 / r1:.2f} |")


def timed(cmd, env=None):
    """Runs cmd to the end: (wall ms, peak RSS MiB or None, stderr text).

    The peak RSS comes from /usr/bin/time, not from os.wait4: Linux carries a process's RSS
    high-water mark across fork and exec, so a direct child of this (large) Python process
    reports at least Python's own peak. /usr/bin/time is small, and its child's mark is the
    command's own."""
    rss_file = None
    if os.access("/usr/bin/time", os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="conform-rss-")
        os.close(fd)
        cmd = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file] + cmd
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    ms = (time.perf_counter() - t) * 1e3
    rss = None
    if rss_file:
        with open(rss_file) as f:
            lines = [l for l in f.read().split() if l.isdigit()]
        os.unlink(rss_file)
        rss = int(lines[-1]) / 1024.0 if lines else None
    return ms, rss, p.stderr.decode(errors="replace")


def compile_and_single():
    """Issue 14's cold/warm rows: each figure is a fresh process, start to exit, median of ROUNDS."""
    ev = os.path.join(REPO, "examples", "precision-parts.yaml")
    check = [CONFORM, "check", ev, "-s", "iso9001", "--as-of", "2026-11-22", "-q", "--timings"]
    # The rows time one process each, on the caches they name: without the installed cache layer
    # (docs/caching.md), except the row that shows it.
    layer_env = dict(os.environ, CONFORM_NO_BACKGROUND_COMPILE="1")
    env = dict(layer_env, CONFORM_INSTALL_CACHE="0")
    rows = {}

    def add(name, ms, rss=None):
        rows.setdefault(name, []).append((ms, rss))

    n_standards = 0
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as cache:
            ms, rss, err = timed(check + ["--engine", "jit", "--cache-dir", cache], env)
            m = re.search(r"native code ([\d.]+) ms", err)
            if m:
                add("cold ISO 9001 native compile (`check --engine jit`, empty cache: `native code` of --timings)", float(m.group(1)))
            add("first `check --engine jit`, empty cache (the old default), start to exit", ms, rss)
        with tempfile.TemporaryDirectory() as cache:
            ms, rss, _ = timed([CONFORM, "cache", "warm", "--cache-dir", cache, "--as-of", "2026-11-22", "--quiet"], env)
            n_standards = len([f for f in os.listdir(cache) if f.startswith("native-")])
            add("all standards of the catalogue compiled, one by one (`cache warm`, empty cache)", ms, rss)
        with tempfile.TemporaryDirectory() as cache:
            ms, rss, _ = timed(check + ["--cache-dir", cache], env)
            add("first `check` (--engine auto), empty cache, start to exit", ms, rss)
        with tempfile.TemporaryDirectory() as cache:
            ms, rss, _ = timed(check + ["--cache-dir", cache], layer_env)
            add("first `check` (--engine auto), empty cache, installed cache layer, start to exit", ms, rss)
        with tempfile.TemporaryDirectory() as cache:
            timed(check + ["--cache-dir", cache], env)
            ms, rss, _ = timed(check + ["--cache-dir", cache], env)
            add("warm `check` (--engine auto), start to exit", ms, rss)
            timed(check + ["--cache-dir", cache, "--engine", "jit"], env)  # fills the object cache
            ms, rss, _ = timed(check + ["--cache-dir", cache, "--engine", "jit"], env)
            add("warm `check --engine jit` (object cache hit), start to exit", ms, rss)
        ms, rss, _ = timed([CONFORM, "--version"], env)
        add("`conform --version`, start to exit", ms, rss)
    targets = {"cold ISO 9001 native": "< 400 ms", "all standards": "< 1,500 ms (7 standards)",
               "first `check` (--engine auto)": "< 150 ms", "warm `check` (--engine auto)": "< 25 ms, < 40 MiB",
               "`conform --version`": "< 40 MiB"}
    print(f"\n### 5. Cold start and single check (`conform check examples/precision-parts.yaml -s iso9001 -q`; "
          f"fresh processes, median of {ROUNDS}; `all standards` = {n_standards} rule sets)\n")
    print("| figure | ms (median) | runs | peak RSS MiB | target (issue 14) |")
    print("|---|---|---|---|---|")
    for name, xs in rows.items():
        ms = [x[0] for x in xs]
        rss = [x[1] for x in xs if x[1] is not None]
        target = next((v for k, v in targets.items() if name.startswith(k) or k in name), "")
        print(f"| {name} | {med(ms):.0f} | {', '.join(f'{x:.0f}' for x in ms)} | "
              f"{f'{med(rss):.1f}' if rss else ''} | {target} |")


def opt_levels():
    """O1 against O2 for the generated code: compile time (ISO 9001; every standard) against
    evaluation speed (ISO 9001 batch, 1 thread, evaluation only: `organizations/s` of --timings)."""
    ev = os.path.join(REPO, "examples", "precision-parts.yaml")
    iso = iso9001_ndjson()
    env = dict(os.environ, CONFORM_NO_BACKGROUND_COMPILE="1", CONFORM_INSTALL_CACHE="0")  # compile, not load
    rows = {}
    for _ in range(ROUNDS):
        for lvl in (1, 2):
            r = rows.setdefault(lvl, {"iso": [], "all": [], "rate": []})
            _, _, err = timed([CONFORM, "check", ev, "-s", "iso9001", "--as-of", "2026-11-22", "-q", "--timings",
                               "--engine", "jit", "--no-cache", "--opt-level", str(lvl)], env)
            m = re.search(r"native code ([\d.]+) ms", err)
            if m:
                r["iso"].append(float(m.group(1)))
            with tempfile.TemporaryDirectory() as cache:
                ms, _, _ = timed([CONFORM, "cache", "warm", "--cache-dir", cache, "--as-of", "2026-11-22", "--quiet",
                                  "--opt-level", str(lvl)], env)
                r["all"].append(ms)
                if iso:
                    r["rate"].append(batch_rate(["--batch", iso, "-s", "iso9001", "--as-of", "2026-11-22", "--no-explain",
                                                 "--cache-dir", cache, "--opt-level", str(lvl)], 1, CONFORM))
    print(f"\n### 6. O1 against O2 for the generated code (median of {ROUNDS})\n")
    print("| opt level | ISO 9001 native compile ms | every standard (`cache warm`) ms | ISO 9001 batch orgs/s, 1 thread |")
    print("|---|---|---|---|")
    for lvl, r in rows.items():
        print(f"| O{lvl} | {med(r['iso']):.0f} | {med(r['all']):.0f} | {med(r['rate']):,.0f} |")
    o1, o2 = rows[1], rows[2]
    if o1["iso"] and o2["iso"]:
        print(f"\nO1 compiles ISO 9001 in {med(o1['iso']) / med(o2['iso']):.2f}× the time of O2; "
              f"evaluates at {med(o1['rate']) / med(o2['rate']):.2f}× its rate." if o1["rate"] and o2["rate"] else "")


def workload2():
    ref = os.path.join(BUILD, "bench", "workload2_ref")
    if not os.path.exists(ref):
        say("workload2: build/bench/workload2_ref missing (build the bench targets); skipped")
        return
    n = str(max(1000, RECORDS // 5))
    data = os.path.join(BUILD, "bench", f"workload2.{n}.ndjson")
    if not os.path.exists(data):
        run(["/usr/bin/python3", os.path.join(REPO, "bench", "workload2_gen.py"), n, data])
    rows = {}
    for _ in range(ROUNDS):
        for argv in ([ref, data, n, "5"],
                     [os.path.join(BUILD, "bench", "conform_peers"), data, n, "5", "jit,interp", "workload2", AS_OF]):
            for j in json_lines(run(argv).stdout):
                rows.setdefault(j["engine"], []).append(j)
    print(f"\n### 3. Second workload (bench/catalogue/workload2, {n} organizations; median of {ROUNDS})\n")
    print("| engine | ns/check (median) | × hand-written C++ | checksum |")
    print("|---|---|---|---|")
    base = med([x["ns_per_check"] for x in rows.get("workload2-cpp", [])]) if "workload2-cpp" in rows else None
    want = rows["workload2-cpp"][0]["checksum"] if "workload2-cpp" in rows else None
    global failed
    for e, rs in sorted(rows.items(), key=lambda kv: med([x["ns_per_check"] for x in kv[1]])):
        v = med([x["ns_per_check"] for x in rs])
        cs = sorted({x["checksum"] for x in rs})
        ok = want is None or cs == [want]
        failed |= not ok
        print(f"| {e} | {v:.1f} | {v / base:.2f} | {','.join(cs)}{'' if ok else ' WRONG'} |" if base else f"| {e} | {v:.1f} | | {cs} |")


def growth():
    g = os.path.join(BUILD, "bench", "evidence_growth")
    if not os.path.exists(g):
        say("growth: build/bench/evidence_growth missing; skipped")
        return
    args = []
    for k in (1, 10, 100):
        f = os.path.join(BUILD, "bench", f"growth{k}.json")
        if not os.path.exists(f):
            run(["/usr/bin/python3", os.path.join(REPO, "bench", "workload2_gen.py"), "--grow", str(k), f])
        args.append(f"{k}={f}")
    rows = {}
    for _ in range(ROUNDS):
        for j in json_lines(run([g, *args]).stdout):
            rows.setdefault(j["scale"], []).append(j)
    print(f"\n### 4. Evidence growth (one workload2 organization, lists ×1 ×10 ×100; `build/bench/evidence_growth`; median of {ROUNDS})\n")
    print("| list elements | JSON bytes | load ms | load growth | JIT eval µs | JIT growth | interp µs | interp growth "
          "| joins JIT µs | growth | joins interp µs | growth |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    base = None
    global failed
    keys = ("load_ms", "eval_us", "interp_us", "join_us", "join_interp_us")
    for s in sorted(rows):
        rs = rows[s]
        v = {k: med([x[k] for x in rs]) for k in keys}
        base = base or v
        failed |= any(x["conform"] != x["interp_conform"] or x["join_conform"] != x["join_interp_conform"] for x in rs)
        g = {k: v[k] / base[k] if base[k] else float("nan") for k in keys}
        print(f"| {50 * s} (×{s}) | {rs[0]['bytes']:,} | {v['load_ms']:.3f} | ×{g['load_ms']:.1f} | "
              f"{v['eval_us']:.1f} | ×{g['eval_us']:.1f} | {v['interp_us']:.1f} | ×{g['interp_us']:.1f} | "
              f"{v['join_us']:.1f} | ×{g['join_us']:.1f} | {v['join_interp_us']:.1f} | ×{g['join_interp_us']:.1f} |")
    print("\nLinear cost is ×10 and ×100. workload2's rules mostly stop at their first failing element; the two "
          "self-join rules of bench/evidence_growth.cc (`all f in findings : count(g in findings where g.site == "
          "f.site) >= 1`, and sites against findings) visit every element: with the join index (docs/performance.md) "
          "they grow linearly, as nested loops they grew quadratically.")


def iso9001_many_documents(n):
    """examples/precision-parts.yaml as JSON with its `documents` grown to n: the originals, then
    copies whose id and code carry a suffix (so references and uniqueness rules still hold)."""
    out = os.path.join(BUILD, "bench", f"iso9001.documents{n}.json")
    if os.path.exists(out):
        return out
    org = precision_parts("documents")
    if org is None:
        return None
    docs, grown = org["documents"], []
    copy = 0
    while len(grown) < n:
        for d in docs[: n - len(grown)]:
            c = dict(d)
            if copy:
                c["id"], c["code"] = f"{d['id']}-{copy}", f"{d['code']}-{copy}"
            grown.append(c)
        copy += 1
    org["documents"] = grown
    with open(out, "w") as f:
        json.dump(org, f, separators=(",", ":"))
    return out


def many_documents():
    """Issue 14's last row: one organization whose evidence grows to 150,000 documents, checked
    whole (`conform check FILE -s iso9001 -f json`, every finding with its evidence lines), warm
    cache. Both engines must give the same report."""
    sizes = (1500, 15000, 150000)
    files = {n: iso9001_many_documents(n) for n in sizes}
    if not all(files.values()):
        return
    env = dict(os.environ, CONFORM_NO_BACKGROUND_COMPILE="1")
    global failed
    rows = {}
    with tempfile.TemporaryDirectory() as cache:
        for n in sizes:
            base = [CONFORM, "check", files[n], "-s", "iso9001", "--as-of", "2026-11-22", "-f", "json",
                    "--cache-dir", cache]
            reports = []
            for engine in ("interp", "jit"):  # also warms the cache
                r = subprocess.run(base + ["--engine", engine], capture_output=True, text=True, env=env)
                try:
                    j = json.loads(r.stdout)
                    reports.append(json.dumps(j.get("standards"), sort_keys=True))
                except ValueError:
                    reports.append(None)
            if reports[0] is None or reports[0] != reports[1]:
                failed = True
                say(f"documents {n}: the interpreter's and the native report differ (or no JSON report)")
            for _ in range(ROUNDS):
                ms, rss, err = timed(base + ["--timings"], env)
                t = {k: float(v) for k, v in re.findall(r"(evidence|evaluation) ([\d.]+) ms", err)}
                rows.setdefault(n, []).append((ms, rss, t.get("evidence", float("nan")), t.get("evaluation", float("nan"))))
    print(f"\n### 7. One organization with many documents (ISO 9001, examples/precision-parts.yaml with `documents` "
          f"grown; `conform check FILE -s iso9001 -f json`, warm cache, start to exit; median of {ROUNDS})\n")
    print("| documents | JSON MB | total ms | growth | evidence ms | evaluation ms | peak RSS MiB | target (issue 14) |")
    print("|---|---|---|---|---|---|---|---|")
    first = None
    for n in sizes:
        xs = rows[n]
        ms = med([x[0] for x in xs])
        first = first or ms
        rss = [x[1] for x in xs if x[1] is not None]
        print(f"| {n:,} | {os.path.getsize(files[n]) / 1e6:.1f} | {ms:.0f} | ×{ms / first:.1f} | "
              f"{med([x[2] for x in xs]):.0f} | {med([x[3] for x in xs]):.0f} | "
              f"{f'{med(rss):.0f}' if rss else ''} | {'< 2,000 ms; linear' if n == 150000 else ''} |")


def main():
    if not os.path.exists(CONFORM):
        say(f"{CONFORM} missing: build first (make build)")
        return 2
    load = os.getloadavg()
    print(f"## make bench — {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · "
          f"load average {load[0]:.1f} (shared machine: read ratios, not absolute times)")
    default = "1,2,3,4,5,7"
    sections = set(os.environ.get("SECTIONS", default).split(","))
    everything = sections == set(default.split(","))
    dst = None
    if sections & {"1", "2"}:
        dst, engines = build_peers()
    if dst and "1" in sections:
        peers_table(dst, engines)
    if "2" in sections:
        print(f"\n### 2. `conform check --batch` (output to /dev/null; median of {ROUNDS})\n")
        print("| workload | orgs/s, 1 thread | orgs/s, 2 threads | 2 vs 1 |")
        print("|---|---|---|---|")
        if dst:
            data = os.path.join(dst, "data", "records.ndjson")
            batch_table("peers50 (50 checks)", ["--batch", data, "-s", "peers50", "--plugin-dir", CATALOGUE,
                                                "--as-of", AS_OF, "--no-explain"])
        iso = iso9001_ndjson()
        if iso:
            batch_table("ISO 9001, examples/precision-parts.yaml as 400 NDJSON lines (~190 KB each)",
                        ["--batch", iso, "-s", "iso9001", "--as-of", "2026-11-22", "--no-explain"], CONFORM)
    if "3" in sections:
        workload2()
    if "4" in sections:
        growth()
    if "5" in sections:
        compile_and_single()
    if everything or "6" in sections:
        opt_levels()
    if "7" in sections:
        many_documents()
    if failed:
        say("checksums differ: some engine gives different answers")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
