#!/usr/bin/python3
"""Writes the second workload's organizations as NDJSON (seeded, so every run is identical).

    workload2_gen.py N OUT.ndjson       N organizations, one per line
    workload2_gen.py --grow K OUT.json  one organization with K × (4 sites, 6 suppliers,
                                        10 findings, 30 trainings): the evidence-growth input

Read by build/bench/conform_peers (package workload2), build/bench/workload2_ref and
build/bench/evidence_growth.
"""
import datetime
import json
import random
import sys

AS_OF = datetime.date(2024, 10, 4)
COUNTRIES = ["DE", "de", "FR", "IT", "ES", "GB", "PL"]
COURSES = ["induction", "safety", "quality", "privacy", "first-aid"]
CATEGORIES = ["metal", "plastics", "logistics", "banned", "services", "it"]
SEVERITIES = ["minor", "major", "observation"]


def day(rng, lo, hi):
    return (AS_OF + datetime.timedelta(days=rng.randint(lo, hi))).isoformat()


def org(rng, i, grow=0):
    sites = []
    for k in range(4 * grow if grow else rng.randint(1, 4)):
        s = {"code": f"S{i % 97}{k}{rng.randint(0, 3)}", "country": rng.choice(COUNTRIES),
             "employees": rng.randint(5, 900), "certified": rng.random() < 0.8}
        if rng.random() < 0.7:
            s["audited"] = day(rng, -600, 0)
        sites.append(s)
    suppliers = []
    for k in range(6 * grow if grow else rng.randint(0, 6)):
        s = {"name": rng.choice(["Acme", "unknown", "UNKNOWN", "Bo", "Norm GmbH", "Delta", "Zed AG"]),
             "rating": rng.randint(0, 5), "approved": rng.random() < 0.7,
             "categories": rng.sample(CATEGORIES, rng.randint(0, 3))}
        if rng.random() < 0.5:
            s["evaluated"] = day(rng, -800, 0)
        suppliers.append(s)
    findings = []
    for k in range(10 * grow if grow else rng.randint(0, 8)):
        raised = rng.randint(-700, -1)
        f = {"site": rng.choice(sites)["code"] if rng.random() < 0.9 else "X9",
             "severity": rng.choice(SEVERITIES), "raised": day(rng, raised, raised)}
        if rng.random() < 0.6:
            f["closed"] = day(rng, raised, min(0, raised + 150))
        if rng.random() < 0.8:
            f["owner"] = rng.choice(["ana", "bo", "", "chen"])
        findings.append(f)
    trainings = []
    for k in range(30 * grow if grow else rng.randint(2, 12)):
        site = rng.choice(sites)["code"]
        trainings.append({"person": f"{site}-{rng.randint(1, 40)}" if rng.random() < 0.85 else f"ext-{k}",
                          "course": rng.choice(COURSES), "hours": rng.randint(1, 16), "done": day(rng, -1100, 0)})
    o = {"name": f"Org {i}", "required_courses": rng.sample(COURSES, rng.randint(1, 3)),
         "sites": sites, "suppliers": suppliers, "findings": findings, "trainings": trainings}
    if rng.random() < 0.8:
        o["contact_email"] = rng.choice(["qa@example.com", "quality.example.com", "x@y"])
    return o


def main():
    rng = random.Random(20241004)
    if sys.argv[1] == "--grow":
        with open(sys.argv[3], "w") as f:
            json.dump(org(rng, 1, int(sys.argv[2])), f, separators=(",", ":"))
        return
    n, out = int(sys.argv[1]), sys.argv[2]
    with open(out, "w") as f:
        for i in range(n):
            f.write(json.dumps(org(rng, i), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
