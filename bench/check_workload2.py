#!/usr/bin/python3
"""ctest `bench_workload2_answers`: the second workload gives the same answers in every engine.

Generates 400 organizations, runs the hand-written C++ reference and Conform (JIT and interpreter,
evaluation alone and end to end) and fails unless all checksums are equal; runs evidence_growth at
×1 and ×10 and fails unless JIT and interpreter agree. Prints times, asserts none.

    check_workload2.py BUILD_BENCH_DIR SOURCE_BENCH_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

bench, src = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "w2.ndjson")
    subprocess.run([sys.executable, os.path.join(src, "workload2_gen.py"), "400", data], check=True)
    out = subprocess.run([os.path.join(bench, "workload2_ref"), data, "400", "1"], check=True, capture_output=True, text=True).stdout
    out += subprocess.run([os.path.join(bench, "conform_peers"), data, "400", "1", "jit,interp", "workload2", "2024-10-04"],
                          check=True, capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    sums = {r["engine"]: r["checksum"] for r in rows}
    print(sums)
    want = {"workload2-cpp", "workload2-conform-jit", "workload2-conform-interp", "workload2-conform-jit-e2e",
            "workload2-conform-interp-e2e"}
    if set(sums) != want or len(set(sums.values())) != 1:
        sys.exit(f"checksums differ or an engine is missing: {sums}")
    grow = []
    for k in (1, 10):
        f = os.path.join(tmp, f"g{k}.json")
        subprocess.run([sys.executable, os.path.join(src, "workload2_gen.py"), "--grow", str(k), f], check=True)
        grow.append(f"{k}={f}")
    out = subprocess.run([os.path.join(bench, "evidence_growth"), *grow, "1"], check=True, capture_output=True, text=True).stdout
    for r in (json.loads(l) for l in out.splitlines() if l.startswith("{")):
        print(r)
        if r["conform"] != r["interp_conform"]:
            sys.exit(f"JIT and interpreter disagree at ×{r['scale']}: {r}")
print("ok")
