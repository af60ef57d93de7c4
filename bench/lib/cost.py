"""Instructions per byte (callgrind): decode counting, `gen --etl` and
read-and-sum on the same traces at two sizes, so that the figures are
repeatable to the instruction whatever the machine's load. The thresholds
the instruction goals are derived from combine these with the throughput
section's CPU times on the 1 GiB traces (bench/lib/goals.py)."""
import os
import re
import shutil
import subprocess

from common import ROOT, log, rel, show
from throughput import COMPOSITIONS, gen_available, gen_cmd, make_trace, read_and_sum, summary_of

MiB = 1 << 20
SIZES = (16 * MiB, 64 * MiB)   # callgrind runs ~50x slower than native: seconds, not minutes
# The instruction goals: instructions per byte at most this many times read-and-sum's, per
# composition (their user-space rates differ). Each is the lower of the thresholds that
# bench/lib/goals.py derived from two quiet full runs (1 GiB traces, other people's 1-minute
# load <= 0.45 in every group), rounded down to a tenth: 2026-12-03 04:43 UTC and
# 2026-12-07 07:14 UTC (decode 2.61 / 2.24 / 2.61, gen 4.19 / 5.07 / 10.33 for default / ptr8 /
# pure64, pure64 at its 0.6x goal). The lower one, so that an instruction goal met means the
# wall-clock goal was met in both. bench/analysis.md, "Instruction goals".
IR_GOALS = {"decode": {"default": 2.3, "ptr8": 2.2, "pure64": 2.6},
            "gen": {"default": 3.3, "ptr8": 3.5, "pure64": 6.3}}
IR_GOALS_RUN = "2026-12-03 04:43 UTC and of 2026-12-07 07:14 UTC (the lower of the two)"


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


def measure(bdir):
    etwhf = os.path.join(bdir, "etwhf")
    ok, why = gen_available(etwhf)
    if not ok:
        return {"gap": f"`etwhf gen --etl` is not available ({why})"}
    ras = read_and_sum()
    res = {"sizes": list(SIZES)}
    for comp in COMPOSITIONS:
        res[comp] = composition(etwhf, ras, comp)
    return res


def programs(etwhf, ras, comp, path, events):
    return {"read_and_sum": [ras, path], "decode": [etwhf, "decode", "--stats", "--quiet", path],
            "gen": gen_cmd(etwhf, "/dev/null", events, comp)}


def composition(etwhf, ras, comp):
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
    return out
