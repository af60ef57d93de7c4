"""Harness speed: exec/s of each fuzz target against fuzz_empty built with
the same flags and run on the same seeds, libFuzzer (ASan+UBSan) and AFL++
persistent mode, one run at a time."""
import os
import shutil

from common import WORK, log, rel
from fuzzrun import afl, base_name, fuzz_build, libfuzzer, seed_dir, targets

GOALS = {"payload": 0.8, "record": 0.8, "file": 0.3}


def measure(seconds, reps=2):
    """Each target and its fuzz_empty baseline run `reps` times, alternating,
    and the fastest run of each kept: other people's load on the shared box
    only ever slows a run down (fuzz_empty under AFL++ moved 10x between two
    runs), so the best run is the estimate of what the harness can do."""
    os.makedirs(os.path.join(WORK, "logs"), exist_ok=True)
    res = {"seconds": seconds, "reps": reps, "engines": {}}
    for engine, preset in (("libFuzzer", "fuzz-libfuzzer"), ("AFL++", "fuzz-afl")):
        if engine == "AFL++" and not shutil.which("afl-fuzz"):
            res["engines"][engine] = {"gap": "afl-fuzz is not installed"}
            continue
        log(f"building {preset}")
        bdir = fuzz_build(preset)
        names = targets(bdir)
        if "empty" not in names:
            res["engines"][engine] = {"gap": "no fuzz_empty target"}
            continue
        rows, empty_rate = {}, {}
        for t in [n for n in names if n != "empty"]:
            seeds, n_seeds = seed_dir(t)
            base = base_name(t)
            try:
                runs, empties = [], []
                for _ in range(reps):
                    if base not in empty_rate:  # the baseline on the same seeds, alternating with the target
                        empties.append(rate(engine, bdir, "empty", seconds, seeds))
                    runs.append(rate(engine, bdir, t, seconds, seeds))
                if empties:
                    empty_rate[base] = best_run(empties)
                r = best_run(runs)
            finally:
                shutil.rmtree(seeds, ignore_errors=True)
            r.update({"seeds": n_seeds, "empty_exec_s": empty_rate[base]["exec_s"],
                      "ratio": r["exec_s"] / empty_rate[base]["exec_s"] if empty_rate[base]["exec_s"] else None,
                      "goal": GOALS.get(base)})
            rows[t] = r
            log(f"{engine} fuzz_{t}: {r['exec_s']:.0f} exec/s, {r['ratio']:.2f}x empty")
        res["engines"][engine] = {"build": rel(bdir), "targets": rows,
                                  "empty": empty_rate}
    return res


def best_run(runs):
    """The fastest run, with every run's rate beside it."""
    best = dict(max(runs, key=lambda r: r["exec_s"]))
    best["all_exec_s"] = [round(r["exec_s"]) for r in runs]
    return best


def rate(engine, bdir, target, seconds, seeds):
    binary = os.path.join(bdir, "fuzz", "fuzz_" + target)
    logp = os.path.join(WORK, "logs", f"speed-{engine}-{target}.log")
    if engine == "libFuzzer":
        execs, secs, crashes = libfuzzer(binary, seconds, seeds, log_path=logp)
        cmd = f"{rel(binary)} -max_total_time={seconds} CORPUS SEEDS"
    else:
        execs, secs, crashes = afl(binary, seconds, seeds, log_path=logp)
        cmd = f"afl-fuzz -V {seconds} -i SEEDS -o OUT -- {rel(binary)}"
    return {"execs": execs, "seconds": secs, "exec_s": execs / secs if secs else 0, "crashes": crashes, "cmd": cmd}
