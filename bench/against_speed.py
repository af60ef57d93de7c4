#!/usr/bin/env python3
"""bench/against_speed.py — inputs per second of `ci/fuzz --against` against `etwhf decode
--batch` and against examples/decoders/python (issue 20's speed goals on 2 cores: >= 5,000/s
and >= 1,000/s), beside a same-run baseline: `etwhf check --decoder-batch` alone over one
generator round (2,000 file cases, the campaign's fault rate), which bounds what a campaign
of the same decoder can reach. Every row records the load before and after.

  bench/against_speed.py [--time 60] [--etwhf build/release/etwhf] [--jobs 2] [--fuzzer PATH|none]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def baseline(etwhf, cmd, jobs, work):
    corpus = os.path.join(work, "round")
    if not os.path.isdir(corpus):
        subprocess.run([etwhf, "gen", "--out", corpus, "--seed", "1", "--count", "2000", "--layer", "file",
                        "--fault-rate", "800", "--max-faults", "4", "--evidence", "all"], check=True,
                       stdout=subprocess.DEVNULL)
    best = 0.0
    for _ in range(3):
        t = time.time()
        subprocess.run([etwhf, "check", corpus, "--decoder-batch", cmd, "--require", "L3", "--jobs", str(jobs)],
                       stdout=subprocess.DEVNULL, check=True)
        best = max(best, 2000 / (time.time() - t))
    return best


def campaign(etwhf, cmd, seconds, jobs, fuzzer, work):
    out = os.path.join(work, "out")
    argv = [os.path.join(ROOT, "ci", "fuzz"), "--against", cmd, "--etwhf", etwhf, "--time", str(seconds),
            "--seed", "1", "--jobs", str(jobs), "--out", out]
    if fuzzer:
        argv += ["--fuzzer", fuzzer]
    rc = subprocess.call(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        r = json.load(f)
    shutil.rmtree(out, ignore_errors=True)
    return rc, r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--time", type=int, default=60)
    ap.add_argument("--etwhf", default=os.path.join(ROOT, "build", "ci", "etwhf"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--fuzzer", default=None)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "against-speed.json"))
    a = ap.parse_args()
    etwhf = os.path.abspath(a.etwhf)
    work = "/dev/shm/etwhf-against-speed-%d" % os.getuid() if os.path.isdir("/dev/shm") else \
        os.path.join(ROOT, "build", "against-speed")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    decoders = [("etwhf decode --batch", "%s decode --batch" % etwhf, 5000),
                ("examples/decoders/python", "python3 %s --batch" % os.path.join(
                    ROOT, "examples", "decoders", "python", "etwhf_decoder.py"), 1000)]
    rows = []
    for name, cmd, goal in decoders:
        l0 = load()
        base = baseline(etwhf, cmd, a.jobs, work)
        rc, r = campaign(etwhf, cmd, a.time, a.jobs, a.fuzzer, work)
        rows.append({"decoder": name, "goal": goal, "inputs_per_s": r["inputs_per_s"], "inputs": r["inputs"],
                     "time_s": r["time_s"], "rounds": r["rounds"], "by_source": r["by_source"],
                     "classes": len(r["classes"]), "exit": rc, "baseline_check_per_s": round(base),
                     "fuzzer": bool(r.get("coverage") is not None), "load_before": l0, "load_after": load()})
    shutil.rmtree(work, ignore_errors=True)
    print("ci/fuzz --against CMD --time %d --jobs %d --seed 1; baseline: etwhf check --decoder-batch CMD "
          "--jobs %d over one 2,000-case round (best of 3); %s UTC" % (a.time, a.jobs, a.jobs,
                                                                       time.strftime("%Y-%m-%d %H:%M", time.gmtime())))
    print()
    print("| decoder | inputs/s | goal | inputs (gen / mut / fuzzer) | classes | baseline: check alone, cases/s "
          "| load (1, 5, 15 min) before → after |")
    print("|---|---:|---:|---|---:|---:|---|")
    for r in rows:
        s = r["by_source"]
        print("| %s | %s | %s | %s (%s / %s / %s) | %d | %s | %s → %s |" % (
            r["decoder"], format(int(r["inputs_per_s"]), ","), format(r["goal"], ","), format(r["inputs"], ","),
            format(s.get("gen", 0), ","), format(s.get("mut", 0), ","), format(s.get("fuzzer", 0), ","),
            r["classes"], format(r["baseline_check_per_s"], ","), r["load_before"], r["load_after"]))
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
