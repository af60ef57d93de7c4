"""Decoder and generator throughput against read-and-sum, and peak memory
in file size. Each measured command group (read-and-sum and the commands
divided by it) carries the load before and after it (bench/lib/load.py)."""
import json
import os
import subprocess

from common import (ROOT, WORK, compile_tool, cpu_of, log, max_rss_kib, median, rel, run, show, syscall_cpu,
                    syscall_shim, time_interleaved, time_runs)
from load import TRACK

PYTHON_READER_MBPS = 0.6  # airbus-cert/etl-parser on these machines: quoted, not measured here
# "default": neighbours, several CPUs, 32/64-bit mix; "ptr8": the same neighbours, 64-bit
# records only (the CLI's own default); "pure64": HeapFree records only, 64-bit.
COMPOSITIONS = {"default": ["--pointer-size", "mixed"], "ptr8": ["--pointer-size", "8"],
                "pure64": ["--pointer-size", "8", "--pure"]}


def gen_available(etwhf):
    r = subprocess.run([etwhf, "gen", "--etl", "-", "--events", "1"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    return r.returncode == 0, r.stderr.strip()[:200]


def gen_cmd(etwhf, out, events, comp):
    return [etwhf, "gen", "--etl", out, "--events", str(events)] + COMPOSITIONS[comp]


def make_trace(etwhf, comp, target_bytes):
    """A trace of about target_bytes (calibrated on 100k events); reused when
    it exists already with the same command."""
    d = os.path.join(WORK, "data")
    os.makedirs(d, exist_ok=True)
    probe = os.path.join(d, f"probe-{comp}.etl")
    run(gen_cmd(etwhf, probe, 100000, comp), stdout=subprocess.DEVNULL)
    per_event = os.path.getsize(probe) / 100000
    os.unlink(probe)
    events = max(1000, int(target_bytes / per_event))
    path = os.path.join(d, f"{comp}-{events}.etl")
    if not os.path.exists(path):
        log(f"writing {rel(path)} ({target_bytes >> 20} MiB)")
        run(gen_cmd(etwhf, path + ".tmp", events, comp), stdout=subprocess.DEVNULL)
        os.rename(path + ".tmp", path)
    return path, events


def summary_of(etwhf, path):
    r = subprocess.run([etwhf, "decode", "--stats", "--quiet", path], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        obj = json.loads(line)
        if obj.get("type") == "summary":
            return obj
    raise RuntimeError(f"no summary from decode of {path}")


def disk_free(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def read_and_sum():
    return compile_tool(os.path.join(ROOT, "bench", "read_and_sum.c"), os.path.join(WORK, "read_and_sum"))


def measure(bdir, big_bytes, reps):
    etwhf = os.path.join(bdir, "etwhf")
    ok, why = gen_available(etwhf)
    res = {"big_bytes": big_bytes, "reps": reps, "python_reader_mbps_quoted": PYTHON_READER_MBPS}
    if not ok:
        res["gap"] = f"`etwhf gen --etl` is not available ({why}): no trace to decode"
        log(res["gap"])
        return res
    ras = read_and_sum()
    os.makedirs(WORK, exist_ok=True)
    shim = syscall_shim()
    res["syscall_shim"] = bool(shim)
    free = disk_free(WORK)
    res["disk_free_bytes"] = free
    piped = free < 3 * big_bytes
    res["piped"] = piped
    res["decode"] = {}
    for comp in COMPOSITIONS:
        res["decode"][comp] = one_composition(etwhf, ras, comp, big_bytes, reps, piped, shim)
    res["rss"] = rss(etwhf, big_bytes)
    if not piped:
        res["gen"] = {comp: gen_speed(etwhf, ras, comp, big_bytes, reps, shim) for comp in COMPOSITIONS}
    return res


def one_composition(etwhf, ras, comp, big_bytes, reps, piped, shim):
    if piped:  # disk short: generate into the decoder, as the same code path
        return piped_composition(etwhf, comp, big_bytes, reps)
    path, events = make_trace(etwhf, comp, big_bytes)
    size = os.path.getsize(path)
    summ = summary_of(etwhf, path)
    out = {"file": rel(path), "bytes": size, "events_asked": events, "summary": summ}
    cmds = {"read_and_sum": [ras, path], "counting": [etwhf, "decode", "--stats", "--quiet", path],
            "jsonl": [etwhf, "decode", path]}
    with TRACK.group() as out["load"]:
        runs = time_interleaved(cmds, reps)
        # The kernel's copy, exactly: what the instruction thresholds need
        # (bench/analysis.md, "The kernel share"); separate runs, untimed.
        io = {k: syscall_cpu(shim, cmds[k]) for k in ("read_and_sum", "counting")}
    base, count, jsonl = runs["read_and_sum"], runs["counting"], runs["jsonl"]
    out["interleaved"] = True
    out["read_and_sum"] = {"cmd": show([ras, path]), "s": base, "median_s": median(base)}
    out["counting"] = {"cmd": show([etwhf, "decode", "--stats", "--quiet", path]), "s": count,
                       "median_s": median(count)}
    out["jsonl"] = {"cmd": show([etwhf, "decode", path]) + " > /dev/null", "s": jsonl, "median_s": median(jsonl)}
    out["base_Bps"] = size / median(base)
    out["counting_Bps"] = size / median(count)
    out["jsonl_Bps"] = size / median(jsonl)
    out["counting_ratio"] = out["counting_Bps"] / out["base_Bps"]
    out["jsonl_ratio"] = out["jsonl_Bps"] / out["base_Bps"]
    out["jsonl_free_per_s"] = summ["heap_free"] / median(jsonl)
    out["jsonl_events_per_s"] = (summ["heap_free"] + summ["heap_alloc"] + summ["heap_realloc"]) / median(jsonl)
    # The same ratios by CPU seconds: less sensitive to the box's other load.
    for k, t in (("read_and_sum", base), ("counting", count), ("jsonl", jsonl)):
        out[k].update({"cpu_s": cpu_of(t), "user_s": t.user, "sys_s": t.sys})
        if io.get(k):
            out[k]["syscall"] = io[k]
    out["counting_ratio_cpu"] = median(cpu_of(base)) / median(cpu_of(count))
    out["jsonl_ratio_cpu"] = median(cpu_of(base)) / median(cpu_of(jsonl))
    out["jsonl_free_per_cpu_s"] = summ["heap_free"] / median(cpu_of(jsonl))
    out["vs_python_counting"] = out["counting_Bps"] / 1e6 / PYTHON_READER_MBPS
    out["vs_python_jsonl"] = out["jsonl_Bps"] / 1e6 / PYTHON_READER_MBPS
    return out


def piped_composition(etwhf, comp, big_bytes, reps):
    probe = os.path.join(WORK, "data", f"probe-{comp}.etl")
    os.makedirs(os.path.dirname(probe), exist_ok=True)
    run(gen_cmd(etwhf, probe, 100000, comp), stdout=subprocess.DEVNULL)
    events = int(big_bytes / (os.path.getsize(probe) / 100000))
    os.unlink(probe)
    g = " ".join(gen_cmd(etwhf, "-", events, comp))
    cmds = {"gen_only": f"{g} > /dev/null",
            "counting": f"{g} | {etwhf} decode --stats --quiet -",
            "jsonl": f"{g} | {etwhf} decode - > /dev/null"}
    out = {"events_asked": events, "note": "disk short: generator piped into the decoder"}
    with TRACK.group(procs=2) as out["load"]:  # generator and decoder run side by side
        for k, c in cmds.items():
            t = time_runs(c, reps, shell=True)
            out[k] = {"cmd": c.replace(ROOT + "/", ""), "s": t, "median_s": median(t)}
    return out


def rss(etwhf, big_bytes):
    """Peak RSS on a 1 MiB and a big trace of the default composition, both
    modes: flat in file size means the difference stays under 1 MiB."""
    small, _ = make_trace(etwhf, "default", 1 << 20)
    big, _ = make_trace(etwhf, "default", big_bytes)
    out = {}
    for mode, extra in (("counting", ["--stats", "--quiet"]), ("jsonl", [])):
        s = max_rss_kib([etwhf, "decode", *extra, small])
        b = max_rss_kib([etwhf, "decode", *extra, big])
        out[mode] = {"small_kib": s, "big_kib": b, "delta_kib": b - s,
                     "cmd": "/usr/bin/time -v " + show([etwhf, "decode", *extra, big])}
    out["small_bytes"] = os.path.getsize(small)
    out["big_bytes"] = os.path.getsize(big)
    return out


def gen_speed(etwhf, ras, comp, big_bytes, reps, shim):
    path, events = make_trace(etwhf, comp, big_bytes)
    size = os.path.getsize(path)
    cmd = gen_cmd(etwhf, "/dev/null", events, comp)
    out = {"cmd": show(cmd), "bytes": size, "interleaved": True}
    with TRACK.group() as out["load"]:
        runs = time_interleaved({"gen": cmd, "read_and_sum": [ras, path]}, reps)
        io = {"syscall": syscall_cpu(shim, cmd), "base_syscall": syscall_cpu(shim, [ras, path])}
    t, base = runs["gen"], runs["read_and_sum"]
    out.update({k: v for k, v in io.items() if v})
    out.update({"s": t, "median_s": median(t), "Bps": size / median(t), "base_Bps": size / median(base),
                "ratio": median(base) / median(t), "cpu_s": cpu_of(t), "user_s": t.user, "sys_s": t.sys,
                "base_cpu_s": cpu_of(base), "base_user_s": base.user, "base_sys_s": base.sys,
                "ratio_cpu": median(cpu_of(base)) / median(cpu_of(t))})
    return out
