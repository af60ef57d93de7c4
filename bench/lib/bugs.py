"""Bug-finding power (Magma-style): time to the first trigger of each planted
bug's canary (testing/planted.h), per fuzzing configuration, with the bugs
switched off so the decoder stays correct and one trial finds many bugs.

Every trial is a fresh run with its own ETWHF_PLANTED_LOG; the canary writes
one line the first time a bug triggers in a process, with a wall-clock
stamp, so the harness reads time-to-trigger without the fuzzer stopping."""
import concurrent.futures
import os
import shutil
import statistics
import subprocess
import sys
import time

from common import ROOT, WORK, log
from fuzzrun import afl, fuzz_build, libfuzzer, seed_dir
from planted import bug_table

sys.path.insert(0, os.path.join(ROOT, "fuzz", "tools"))
import mwu  # noqa: E402  (exact Mann-Whitney U of the fuzzing docs)

CONFIGS = [
    # name, engine, build, target, seeds
    ("libFuzzer", "libfuzzer", "fuzz-libfuzzer", "file", False),
    ("libFuzzer + seeds", "libfuzzer", "fuzz-libfuzzer", "file", True),
    ("libFuzzer + seeds + structure-aware mutator", "libfuzzer", "fuzz-libfuzzer", "file_sa", True),
    ("AFL++ + seeds", "afl", "fuzz-afl", "file", True),
    ("AFL++ + seeds + CmpLog", "afl-cmplog", "fuzz-afl", "file", True),
    ("fuzz_gen (libFuzzer)", "libfuzzer", "fuzz-libfuzzer", "gen", False),
]
BASELINE = CONFIGS[0][0]


def builds():
    b = {"fuzz-libfuzzer": fuzz_build("fuzz-libfuzzer", planted=True),
         "fuzz-afl": fuzz_build("fuzz-afl", planted=True)}
    b["cmplog"] = fuzz_build("fuzz-afl-cmplog", planted=True)
    return b


def one_trial(cfg, trial, bdirs, seconds):
    name, engine, build, target, use_seeds = cfg
    tag = f"{name.replace(' ', '_').replace('+', 'p')}-{trial}"
    plog = os.path.join(WORK, "bugs", tag + ".planted")
    flog = os.path.join(WORK, "bugs", tag + ".log")
    for p in (plog, flog):
        if os.path.exists(p):
            os.unlink(p)
    binary = os.path.join(bdirs[build], "fuzz", "fuzz_" + target)
    if not os.path.exists(binary):
        return {"config": name, "trial": trial, "gap": f"no fuzz_{target} in {build}"}
    env = {"ETWHF_PLANTED_LOG": plog}
    seeds, n = seed_dir(target) if use_seeds or engine.startswith("afl") else (None, 0)
    t0 = time.time_ns()
    try:
        if engine == "libfuzzer":
            execs, secs, crashes = libfuzzer(binary, seconds, seeds, env=env, log_path=flog,
                                             extra=[f"-seed={trial + 1}"])
        else:
            cmplog = os.path.join(bdirs["cmplog"], "fuzz", "fuzz_" + target) if engine == "afl-cmplog" else None
            execs, secs, crashes = afl(binary, seconds, seeds, env=env, cmplog=cmplog, log_path=flog)
    finally:
        if seeds:
            shutil.rmtree(seeds, ignore_errors=True)
    first_t, first_r = {}, {}
    if os.path.exists(plog):
        with open(plog) as f:
            for line in f:
                kind, bid, ns = line.split()
                dt = (int(ns) - t0) / 1e9
                d = first_t if kind == "T" else first_r
                if dt <= seconds and (bid not in d or dt < d[bid]):
                    d[bid] = round(dt, 3)
    return {"config": name, "trial": trial, "seeds": n, "execs": execs, "seconds": secs, "crashes": crashes,
            "triggered": first_t, "reached": first_r}


def seed_triggers(planted_bdir):
    """Bugs that the seed corpus triggers by itself (no mutation): the planted
    CLI decodes every corpus/file/ seed in recover and strict mode."""
    etwhf = os.path.join(planted_bdir, "etwhf")
    plog = os.path.join(WORK, "bugs", "seeds-alone.planted")
    if os.path.exists(plog):
        os.unlink(plog)
    seeds, n = seed_dir("file")
    try:
        files = [os.path.join(seeds, f) for f in sorted(os.listdir(seeds))]
        env = dict(os.environ, ETWHF_PLANTED_LOG=plog)
        env.pop("ETWHF_PLANTED", None)
        for mode in ("recover", "strict"):
            for f in files:
                subprocess.run([etwhf, "decode", "--quiet", "--mode", mode, f], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        shutil.rmtree(seeds, ignore_errors=True)
    hit = set()
    if os.path.exists(plog):
        with open(plog) as f:
            hit = {line.split()[1] for line in f if line.startswith("T ")}
    return {"seeds": n, "triggered": sorted(hit, key=int)}


def campaign(planted_bdir, trials, seconds, parallel=2):
    os.makedirs(os.path.join(WORK, "bugs"), exist_ok=True)
    log("building the planted fuzz targets")
    bdirs = builds()
    table = bug_table(planted_bdir)
    alone = seed_triggers(planted_bdir)
    log(f"the {alone['seeds']} file seeds alone trigger bugs {alone['triggered']}")
    jobs = [(cfg, t) for t in range(trials) for cfg in CONFIGS]
    log(f"{len(jobs)} trials of {seconds} s, {parallel} at a time: about "
        f"{len(jobs) * seconds / parallel / 60:.0f} min")
    runs = []
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        futs = [pool.submit(one_trial, cfg, t, bdirs, seconds) for cfg, t in jobs]
        for f in concurrent.futures.as_completed(futs):
            r = f.result()
            runs.append(r)
            log(f"{r['config']} #{r['trial']}: {len(r.get('triggered', {}))} bugs triggered "
                f"{r.get('gap', '')}")
    return {"trials": trials, "seconds": seconds, "parallel": parallel, "bugs": table, "runs": runs,
            "seeds_alone": alone, "configs": [c[0] for c in CONFIGS],
            "analysis": analyse(table, runs, trials, seconds)}


def a12(x, y):
    """Vargha-Delaney A12: the chance that a value of x is below (faster than)
    one of y, ties counting half."""
    wins = sum((a < b) + 0.5 * (a == b) for a in x for b in y)
    return wins / (len(x) * len(y))


def analyse(table, runs, trials, seconds):
    censor = seconds + 1  # a trial that never triggers ranks after every one that did
    per = {}
    for r in runs:
        if "gap" in r:
            continue
        per.setdefault(r["config"], []).append(r)
    out = {}
    for cfg, _, _, _, _ in CONFIGS:
        rs = per.get(cfg, [])
        out[cfg] = {}
        for b in table:
            bid = str(b["id"])
            times = [r["triggered"].get(bid) for r in rs]
            vals = [t if t is not None else censor for t in times]
            hit = [t for t in times if t is not None]
            cell = {"times": times, "triggered": len(hit), "trials": len(times),
                    "reached": sum(bid in r["reached"] for r in rs),
                    "median": statistics.median(vals) if vals else None,
                    "min": min(hit) if hit else None, "max": max(hit) if hit else None}
            if cell["median"] is not None and cell["median"] >= censor:
                cell["median"] = None  # not triggered in most trials
            base = [r["triggered"].get(bid) for r in per.get(BASELINE, [])]
            base = [t if t is not None else censor for t in base]
            if cfg != BASELINE and vals and base:
                u, p = mwu.exact_p(vals, base)
                cell.update({"mwu_u": u, "mwu_p": p, "a12": a12(vals, base)})
            out[cfg][bid] = cell
    return out
