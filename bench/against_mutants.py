#!/usr/bin/env python3
"""bench/against_mutants.py — time to the first disagreement of `ci/fuzz --against` for every
rule mutant of testing/mutant_list.h run as a batch decoder (issue 20's power benchmark).

Builds the planted build (build/planted, ETWHF_PLANTED_BUGS=ON, as ci/rule-coverage does),
then runs, one mutant at a time,

    ci/fuzz --against 'env ETWHF_MUTANT=ID build/planted/etwhf decode --batch' \\
            --require L4 --time T --stop-on-class --minimize-time 0 --seed S

with the planted build's etwhf (no mutant switched on) as the referee. L4: a mutant that
changes only codes (mutant_list.h's codes flag) shows only there; any other shows at L3
first, and the table names the level of the first class. Writes a Markdown table and JSON.

  bench/against_mutants.py [--time 60] [--mutants A,B] [--only-missed] [--layers LIST] [--out DIR] [--jobs 2]

--only-missed: the mutants the fixed default corpus misses (docs/rule-coverage.md:
survived or codes only on the drawn corpus where killed was the goal), first in any run.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(bdir):
    if not os.path.exists(os.path.join(bdir, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", ROOT, "-B", bdir, "-DETWHF_PLANTED_BUGS=ON", "-DETWHF_BUILD_FUZZ=OFF",
                        "-DCMAKE_BUILD_TYPE=Release", "-DETWHF_WERROR=ON"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", bdir, "-j2", "--target", "etwhf_cli", "etwhf_mutants_table"], check=True,
                   stdout=subprocess.DEVNULL)


def mutants(bdir):
    exe = os.path.join(bdir, "testing", "etwhf_mutants_table")
    return json.loads(subprocess.run([exe], check=True, stdout=subprocess.PIPE).stdout)


def missed_by_default():
    """Mutants whose drawn-corpus cell in docs/rule-coverage.md misses the goal."""
    out = []
    with open(os.path.join(ROOT, "docs", "rule-coverage.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\| `([^`]+)` (\*codes\* )?\| [^|]+ \| [^|]+ \| [^|]+ \| ([^|]+) \| ([^|]+) \|", line)
            if not m:
                continue
            drawn = m.group(4)
            codes = bool(m.group(2))
            if "survived" in drawn or ("codes only" in drawn and not codes):
                out.append(m.group(1))
    return out


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_one(etwhf, mutant, seconds, seed, jobs, work, layers):
    out = os.path.join(work, mutant)
    cmd = "env ETWHF_MUTANT=%s %s decode --batch" % (mutant, etwhf)
    argv = [os.path.join(ROOT, "ci", "fuzz"), "--against", cmd, "--etwhf", etwhf, "--require", "L4",
            "--time", str(seconds), "--stop-on-class", "--minimize-time", "0", "--seed", str(seed),
            "--jobs", str(jobs), "--layers", layers, "--out", out]
    t0 = time.time()
    rc = subprocess.call(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.time() - t0
    row = {"mutant": mutant, "exit": rc, "wall_s": round(wall, 1)}
    try:
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            r = json.load(f)
    except (OSError, ValueError):
        return dict(row, found=False, note="no report (exit %d)" % rc)
    cls = sorted(r["classes"], key=lambda c: c["first_seen_s"])
    row.update(found=bool(cls), inputs=r["inputs"])
    if cls:
        c = cls[0]
        row.update(first_s=c["first_seen_s"], level=c["level"], field=c["field"], header=c["header"],
                   source=c["source"], reproduces=c["reproduces"], classes=len(cls))
    return row


def table(rows, seconds, meta):
    found = [r for r in rows if r.get("found") and r["first_s"] <= seconds]
    lines = ["Time to the first class of `ci/fuzz --against` per rule mutant (`--require L4 --time %d "
             "--stop-on-class --layers %s`, seed %d, %d jobs); %s." % (seconds, meta["layers"], meta["seed"], meta["jobs"],
                                                          meta["when"]),
             "",
             "Found within %d s: **%d of %d** (%.1f %%)%s." % (
                 seconds, len(found), len(rows), 100.0 * len(found) / max(1, len(rows)),
                 "; equivalent mutants counted as not found" if meta.get("equivalent") else ""),
             "",
             "| mutant | default corpus | first class at (s) | level | field | header | found by | inputs judged | rerun reproduces |",
             "|---|---|---:|---|---|---|---|---:|---|"]
    for r in rows:
        if r.get("found"):
            lines.append("| `%s` | %s | %.1f | %s | %s | %s | %s | %s | %s |" % (
                r["mutant"], r["default"], r["first_s"], r["level"], r["field"], r["header"], r["source"],
                format(r["inputs"], ","), "yes" if r["reproduces"] else "NO"))
        else:
            lines.append("| `%s` | %s | not found | | | | | %s | |" % (
                r["mutant"], r["default"], format(r.get("inputs", 0), ",")))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--time", type=int, default=60)
    ap.add_argument("--mutants", default=None)
    ap.add_argument("--only-missed", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--layers", default="file",
                    help="what the campaign sends (etwhf decode --batch takes all: file,record,payload)")
    ap.add_argument("--name", default=None, help="results file name (default against-mutants[-missed])")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "planted"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    if not a.no_build:
        build(a.build)
    etwhf = os.path.join(a.build, "etwhf")
    table_all = {m["id"]: m for m in mutants(a.build)}
    missed = missed_by_default()
    ids = a.mutants.split(",") if a.mutants else (missed if a.only_missed else
                                                  missed + [i for i in table_all if i not in missed])
    work = "/dev/shm/etwhf-against-mutants-%d" % os.getuid() if os.path.isdir("/dev/shm") else \
        os.path.join(a.build, "against-mutants")
    rows = []
    meta = {"seed": a.seed, "jobs": a.jobs, "load_before": load(), "time": a.time, "layers": a.layers}
    for mid in ids:
        row = run_one(etwhf, mid, a.time, a.seed, a.jobs, work, a.layers)
        m = table_all.get(mid, {})
        row["default"] = ("**missed**" if mid in missed else "caught") + (" (codes)" if m.get("codes_only") else "") + \
            (" (equivalent)" if m.get("equivalent") else "")
        rows.append(row)
        print("%-36s %s" % (mid, ("%.1f s %s %s" % (row["first_s"], row["level"], row["field"])) if row.get("found")
                                else "not found in %d s" % a.time), flush=True)
    subprocess.call(["rm", "-rf", work])
    meta["load_after"] = load()
    meta["when"] = "%s UTC, load %s before, %s after" % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                                                         meta["load_before"], meta["load_after"])
    os.makedirs(a.out, exist_ok=True)
    name = a.name or "against-mutants" + ("-missed" if a.only_missed else "")
    with open(os.path.join(a.out, name + ".json"), "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    md = table(rows, a.time, meta)
    with open(os.path.join(a.out, name + ".md"), "w", encoding="utf-8") as f:
        f.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
