"""The instruction thresholds: how many times read-and-sum's instructions per
byte a program may execute and still run at 0.5x read-and-sum.

read-and-sum spends most of its CPU time in the kernel's copy (read()),
which callgrind does not count, so the threshold is not 2x. Model: a
program's CPU time per byte is its kernel time K (the read() copy for the
decoder, write() to /dev/null for the generator) plus its instructions per
byte I divided by its user-space rate U; removing instructions leaves K and
U as they are. It runs at 0.5x when K + I/U = 2T, T being read-and-sum's CPU
time per byte, so the threshold on I is U (2T - K), given here divided by
read-and-sum's instructions per byte.

Every input comes from the same run as the wall-clock goal it stands for:
T, the program's CPU time C and K from the throughput section (the 1 GiB
traces the goal is judged on, medians of interleaved runs; C and T are exact,
the scheduler's runtime), I from the cost section (callgrind, 64 MiB), and
U = I / (C - K). K is the CPU time inside read()/write() measured exactly
(bench/syscall_cpu.c); results from before that shim fall back on the mean
of getrusage's system time, the kernel's 4 ms tick sample, marked "ticks".
Thresholds from a --quick run (64 MiB whole runs, start-up a tenth of
read-and-sum's time) are shown but not used.
"""
import statistics

import load as loadavg

COMPS = ("default", "ptr8", "pure64")
# The wall-clock goal per composition, as a ratio to read-and-sum: 0.5x on the
# default and 64-bit compositions, 0.6x on pure 64-bit (HeapFree records only,
# the simplest walk). The threshold of each instruction goal is for its ratio.
RATIO_GOALS = {"default": 0.5, "ptr8": 0.5, "pure64": 0.6}


def _kernel(x, key, bytes_):
    """(K in s/byte, how it was measured, its standard error or None)."""
    io = x.get(key)
    if io:
        return (io["read_s"] + io["write_s"]) / bytes_, "syscall", None
    sys_ = x.get("sys_s" if key == "syscall" else "base_sys_s") or []
    if not sys_:
        return None, None, None
    se = statistics.stdev(sys_) / len(sys_) ** 0.5 / bytes_ if len(sys_) > 1 else None
    return statistics.mean(sys_) / bytes_, "ticks", se


def threshold(I, C, K, T, I_rs, ratio=0.5):
    """U (T/ratio - K) / I_rs with U = I / (C - K): the instructions per byte
    at which the program runs at `ratio` x read-and-sum; None when C <= K."""
    if C is None or K is None or C <= K:
        return None
    return I / (C - K) * (T / ratio - K) / I_rs


def same_code(t, c):
    """The two sections measured the same commit: U = I / (C - K) needs the
    instructions of the code whose CPU time C is."""
    return (t.get("machine") or {}).get("commit") == (c.get("machine") or {}).get("commit")


def derive(t, c):
    """{comp: {prog: row}} for prog in decode, gen; a row holds T, C, K (ns
    per byte), how K was measured, U (instructions per user ns), I and the
    ratio measured, the threshold (and with a tick-sampled K the threshold
    with K one standard error higher), whether the run could judge it (load),
    and the figures' sources."""
    out = {}
    if not t or not c or t.get("gap") or c.get("gap") or not same_code(t, c):
        return out
    quick = bool(t.get("quick"))
    for comp in COMPS:
        d = (t.get("decode") or {}).get(comp) or {}
        g = (t.get("gen") or {}).get(comp) or {}
        cc = c.get(comp) or {}
        if not cc.get("read_and_sum"):
            continue
        I_rs = cc["read_and_sum"]["ir_per_byte"][-1]
        rows = {}
        if "counting" in d and "cpu_s" in d["counting"]:
            B = d["bytes"]
            T = statistics.median(d["read_and_sum"]["cpu_s"]) / B
            C = statistics.median(d["counting"]["cpu_s"]) / B
            K, how, se = _kernel(d["counting"], "syscall", B)
            rows["decode"] = (T, C, K, how, se, cc["decode"]["ir_per_byte"][-1], d.get("load"))
        if "cpu_s" in g and "base_cpu_s" in g:
            B = g["bytes"]
            T = statistics.median(g["base_cpu_s"]) / B
            C = statistics.median(g["cpu_s"]) / B
            K, how, se = _kernel(g, "syscall", B)
            rows["gen"] = (T, C, K, how, se, cc["gen"]["ir_per_byte"][-1], g.get("load"))
        for prog, (T, C, K, how, se, I, grp) in rows.items():
            thr = threshold(I, C, K, T, I_rs, RATIO_GOALS[comp])
            judged, worst = loadavg.verdict([grp])
            out.setdefault(comp, {})[prog] = {
                "T": T * 1e9, "C": C * 1e9, "K": None if K is None else K * 1e9, "K_how": how,
                "U": I / ((C - K) * 1e9) if K is not None and C > K else None, "I": I, "I_rs": I_rs,
                "measured": I / I_rs, "threshold": thr,
                "threshold_se": threshold(I, C, K + se, T, I_rs, RATIO_GOALS[comp]) if se else None,
                "ratio_goal": RATIO_GOALS[comp],
                "judged": judged and not quick, "worst_load": worst, "quick": quick}
    return out
