"""Instructions per byte (callgrind): decode counting, `gen --etl` and
read-and-sum on the same traces at two sizes, so that the figures are
repeatable to the instruction whatever the machine's load; plus CPU seconds
of the same commands at both sizes, the user/kernel split the instruction
goals are derived from (BENCHMARKS.md, "Instruction goals")."""
import os
import re
import shutil
import statistics
import subprocess

from common import ROOT, log, median, rel, show, time_runs
from load import TRACK
from throughput import COMPOSITIONS, gen_available, gen_cmd, make_trace, read_and_sum, summary_of

MiB = 1 << 20
SIZES = (16 * MiB, 64 * MiB)   # callgrind runs ~50x slower than native: seconds, not minutes
TIMING_REPS = 40               # runs of 15-40 ms: user/sys come from 4 ms ticks, so means of many
# The instruction goals: instructions per byte at most this many times read-and-sum's, per
# composition (their user-space rates differ). Derived from CPU times on the 1 GiB traces of
# this host, provisionally at load 13 (bench/analysis.md, "Instruction goals: the derivation").
IR_GOALS = {"decode": {"default": 3.3, "ptr8": 3.3, "pure64": 6.4},
            "gen": {"default": 4.0, "ptr8": 3.6, "pure64": 6.0}}


def callgrind_ir(cmd):
    """User-space instructions of one run (the kernel's work is not counted)."""
    if not shutil.which("valgrind"):
        raise RuntimeError("valgrind is not installed")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m:
        raise RuntimeError(f"no callgrind total for {cmd}: {r.stderr[-400:]}")
    return int(m.group(1))


def perf_counters(cmd):
    """{"cycles": n, "instructions": n} from `perf stat`, or None where the
    machine exposes no hardware counters (a VM without a virtual PMU)."""
    if not shutil.which("perf"):
        return None
    r = subprocess.run(["perf", "stat", "-x", ",", "-e", "cycles,instructions", "--"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    got = {}
    for line in r.stderr.splitlines():
        f = line.split(",")
        if len(f) >= 3 and f[2] in ("cycles", "instructions") and f[0].strip().isdigit():
            got[f[2]] = int(f[0])
    return got if len(got) == 2 else None


def measure(bdir):
    etwhf = os.path.join(bdir, "etwhf")
    ok, why = gen_available(etwhf)
    if not ok:
        return {"gap": f"`etwhf gen --etl` is not available ({why})"}
    ras = read_and_sum()
    res = {"sizes": list(SIZES), "timing_reps": TIMING_REPS,
           "perf": "supported" if perf_counters(["true"]) else
           "not supported: `perf stat -e cycles,instructions true` reports <not supported>"}
    for comp in COMPOSITIONS:
        res[comp] = composition(etwhf, ras, comp, res["perf"] == "supported")
    return res


def programs(etwhf, ras, comp, path, events):
    return {"read_and_sum": [ras, path], "decode": [etwhf, "decode", "--stats", "--quiet", path],
            "gen": gen_cmd(etwhf, "/dev/null", events, comp)}


def composition(etwhf, ras, comp, perf):
    rows, paths = [], []
    for size in SIZES:
        path, events = make_trace(etwhf, comp, size)
        paths.append(path)
        s = summary_of(etwhf, path)
        log(f"callgrind on {rel(path)}")
        progs = programs(etwhf, ras, comp, path, events)
        rows.append({"file": rel(path), "bytes": os.path.getsize(path), "events_asked": events,
                     "heap_events": s["heap_free"] + s["heap_alloc"] + s["heap_realloc"],
                     "records": s["events_total"],
                     "ir": {k: callgrind_ir(c) for k, c in progs.items()}})
    small, big = rows
    big_progs = programs(etwhf, ras, comp, paths[-1], big["events_asked"])
    out = {"sizes": rows, "cmds": {k: "valgrind --tool=callgrind " + show(c) for k, c in big_progs.items()}}
    db, de, dr = big["bytes"] - small["bytes"], big["heap_events"] - small["heap_events"], big["records"] - small["records"]
    for k in ("read_and_sum", "decode", "gen"):
        d_ir = big["ir"][k] - small["ir"][k]
        out[k] = {"ir_per_byte": [r["ir"][k] / r["bytes"] for r in rows],   # whole run, each size
                  "ir_per_byte_marginal": d_ir / db, "ir_per_heap_event": d_ir / de if de else None,
                  "ir_per_record": d_ir / dr if dr else None}
    base = out["read_and_sum"]["ir_per_byte"][-1]
    out["decode"]["ir_ratio"] = out["decode"]["ir_per_byte"][-1] / base
    out["gen"]["ir_ratio"] = out["gen"]["ir_per_byte"][-1] / base
    out["timing"] = timing([programs(etwhf, ras, comp, p, r["events_asked"]) for p, r in zip(paths, rows)],
                           [r["bytes"] for r in rows], perf)
    return out


def timing(progs_by_size, sizes, perf):
    """CPU nanoseconds per byte of each program, split into user and kernel
    time, as the difference between the two traces divided by the
    difference in bytes: starting a process costs milliseconds here (`true`
    alone took 5 ms of CPU at load 14), a visible part of a 20 ms run, and
    cancels out. One load-recorded group, judged like the throughput
    figures. With the kernel's tick accounting the user/kernel split of one
    short run is a sample of a few 4 ms ticks, so the split is the mean of
    TIMING_REPS runs; the total (exact per run) is their median."""
    out = {}
    with TRACK.group() as out["load"]:
        runs = [{k: time_runs(cmd, TIMING_REPS) for k, cmd in progs.items()} for progs in progs_by_size]
    db = sizes[1] - sizes[0]
    for k in progs_by_size[0]:
        small, big = runs[0][k], runs[1][k]
        marg = lambda f: (f(big) - f(small)) * 1e9 / db  # noqa: E731
        out[k] = {"wall_ns_per_byte": marg(median), "cpu_ns_per_byte": marg(lambda t: median(t.cpu)),
                  "user_ns_per_byte": marg(lambda t: statistics.mean(t.user)),
                  "sys_ns_per_byte": marg(lambda t: statistics.mean(t.sys)),
                  "cpu_ms": [median(small.cpu) * 1e3, median(big.cpu) * 1e3]}
        if perf:
            out[k]["perf"] = perf_counters(progs_by_size[1][k])
    return out
