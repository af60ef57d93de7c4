"""Harness speed: exec/s of each fuzz target against two empty targets built
with the same flags and run on the same seeds, libFuzzer (ASan+UBSan) and
AFL++ persistent mode, one run at a time:
  fuzz_empty         links nothing (the engine scans a one-counter map)
  fuzz_empty_linked  links what fuzz_file / fuzz_record link, never calls it
                     (the engine scans the targets' map); measured for the
                     targets with a goal, which is judged against it
                     (bench/analysis.md says why)."""
import os
import shutil

from common import WORK, log, rel
from load import TRACK
from fuzzrun import afl, base_name, fuzz_build, libfuzzer, seed_dir, targets

GOALS = {"payload": 0.8, "record": 0.8, "file": 0.3}
BASELINES = ("empty", "empty_linked")
GOAL_BASELINE = "empty_linked"


def measure(seconds, reps=2):
    """Each target and its baselines run `reps` times, alternating, and the
    fastest run of each kept: other people's load on the shared box only ever
    slows a run down (fuzz_empty under AFL++ moved 10x between two runs), so
    the best run is the estimate of what the harness can do."""
    os.makedirs(os.path.join(WORK, "logs"), exist_ok=True)
    res = {"seconds": seconds, "reps": reps, "goal_baseline": GOAL_BASELINE, "engines": {}}
    for engine, preset in (("libFuzzer", "fuzz-libfuzzer"), ("AFL++", "fuzz-afl")):
        if engine == "AFL++" and not shutil.which("afl-fuzz"):
            res["engines"][engine] = {"gap": "afl-fuzz is not installed"}
            continue
        log(f"building {preset}")
        bdir = fuzz_build(preset, baselines=True)
        names = targets(bdir)
        if "empty" not in names:
            res["engines"][engine] = {"gap": "no fuzz_empty target"}
            continue
        rows, base_rate = {}, {b: {} for b in BASELINES}
        for t in [n for n in names if n not in BASELINES]:
            seeds, n_seeds = seed_dir(t)
            base = base_name(t)
            # the linked baseline only where a goal is judged against it: it costs a run per target
            todo = [b for b in BASELINES if b in names and base not in base_rate[b] and
                    (b == "empty" or base in GOALS)]
            try:
                runs, by_base = [], {b: [] for b in todo}
                for _ in range(reps):  # the baselines on the same seeds, alternating with the target
                    for b in todo:
                        by_base[b].append(rate(engine, bdir, b, seconds, seeds))
                    runs.append(rate(engine, bdir, t, seconds, seeds))
                for b in todo:
                    base_rate[b][base] = best_run(by_base[b])
                r = best_run(runs)
            finally:
                shutil.rmtree(seeds, ignore_errors=True)
            r.update({"seeds": n_seeds, "goal": GOALS.get(base)})
            for b in BASELINES:
                if base in base_rate[b]:
                    e = base_rate[b][base]["exec_s"]
                    r[f"{b}_exec_s"] = e
                    r[f"{b}_load"] = base_rate[b][base].get("load")  # the ratio rests on both runs
                    r[ratio_key(b)] = r["exec_s"] / e if e else None
            rows[t] = r
            log(f"{engine} fuzz_{t}: {r['exec_s']:.0f} exec/s, " +
                ", ".join(f"{r[ratio_key(b)]:.2f}x fuzz_{b}" for b in BASELINES if r.get(ratio_key(b)) is not None))
        res["engines"][engine] = {"build": rel(bdir), "targets": rows, **base_rate}
    return res


def ratio_key(baseline):
    """`ratio` against fuzz_empty (the key older results have), `ratio_<b>` against the others."""
    return "ratio" if baseline == "empty" else f"ratio_{baseline}"


def best_run(runs):
    """The fastest run, with every run's rate beside it."""
    best = dict(max(runs, key=lambda r: r["exec_s"]))
    best["all_exec_s"] = [round(r["exec_s"]) for r in runs]
    return best


def rate(engine, bdir, target, seconds, seeds):
    """One run, between two load snapshots."""
    binary = os.path.join(bdir, "fuzz", "fuzz_" + target)
    logp = os.path.join(WORK, "logs", f"speed-{engine}-{target}.log")
    with TRACK.group() as load:
        if engine == "libFuzzer":
            execs, secs, crashes = libfuzzer(binary, seconds, seeds, log_path=logp)
            cmd = f"{rel(binary)} -max_total_time={seconds} CORPUS SEEDS"
        else:
            execs, secs, crashes = afl(binary, seconds, seeds, log_path=logp)
            cmd = f"afl-fuzz -V {seconds} -i SEEDS -o OUT -- {rel(binary)}"
    return {"execs": execs, "seconds": secs, "exec_s": execs / secs if secs else 0, "crashes": crashes, "cmd": cmd,
            "load": load}
