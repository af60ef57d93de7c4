"""BENCHMARKS.md from bench/results/*.json: every figure with the command
that reproduces it, the machine and the date, as a ratio against a baseline
measured in the same run, and each goal marked met or missed."""
import json
import os

import goals as thresholds
import load as loadavg
from common import ROOT, load
from cost import IR_GOALS, IR_GOALS_RUN

MiB = 1 << 20
COMPS = ("default", "ptr8", "pure64")


def mbps(bps):
    return f"{bps / 1e6:,.0f} MB/s"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def timed_verdict(ok, groups, unrecorded="per-group load not recorded"):
    """met / missed for a wall-clock goal whose figure was measured while
    other people's 1-minute load stayed ≤ 0.5 in every group it rests on,
    "not judged" otherwise (bench/lib/load.py)."""
    judged, worst = loadavg.verdict(groups)
    if judged:
        return verdict(ok)
    return f"not judged (load {worst:.2f})" if worst is not None else f"not judged ({unrecorded})"


def fmt_load(snap):
    return " ".join(f"{x:.2f}" for x in snap["load"])


def load_cell(g):
    """A group's 1-minute load before → after, with this benchmark's own share."""
    if not g or "before" not in g:
        return "—"
    b, a = g["before"], g["after"]
    return f"{b['load'][0]:.2f} → {a['load'][0]:.2f} (own {b['own']:.2f} → {a['own']:.2f})"


def machine_line(d):
    m = d.get("machine", {})
    ld = d.get("load")
    if ld:
        where = f"load {fmt_load(ld['before'])} before, {fmt_load(ld['after'])} after"
    else:  # older results: one reading, taken when the section had finished
        where = f"load {m.get('load_at_start', '?')} at the section's end"
    return (f"*Measured {m.get('date', '?')} on {m.get('cores', '?')} cores × {m.get('cpu', '?')} "
            f"({where}), commit {m.get('commit', '?')}, by `{d.get('command', '?')}`.*")


def unrecorded(d):
    """What an older result without per-group load records says instead."""
    m = (d or {}).get("machine", {})
    return (f"load {m['load_at_start'].split()[0]} at the section's end; no per-group record"
            if m.get("load_at_start") else "no load record")


def gens(t):
    """The generator's figures per composition (older results: one, default)."""
    g = (t or {}).get("gen") or {}
    return {"default": g} if "cmd" in g else g


def older_code(t, c):
    """A note for the wall-clock figures when the throughput section measured
    another commit than the cost section (the code may have changed since
    they were taken: the quiet run is to be made again); "" otherwise."""
    tc, cc = ((t or {}).get("machine") or {}).get("commit"), ((c or {}).get("machine") or {}).get("commit")
    return f"; at {tc}, the instruction counts at {cc}" if tc and cc and tc != cc else ""


def goals_rows(t, c, h, o, b, pe=None):
    rows = []
    measured_peers = bool((pe or {}).get("readers"))
    dec = (t or {}).get("decode", {})
    why = unrecorded(t)
    older = older_code(t, c)
    for comp, d in dec.items():
        if "counting_ratio" in d:
            grp = [d.get("load")]
            cpu = f" (CPU {d['counting_ratio_cpu']:.2f}×{older})" if "counting_ratio_cpu" in d else ""
            goal = thresholds.RATIO_GOALS.get(comp, 0.5)
            rows.append((f"decode counting ({comp}) ≥ {goal}× read-and-sum", f"{d['counting_ratio']:.2f}×{cpu}",
                         timed_verdict(d["counting_ratio"] >= goal, grp, why)))
            cpu = (f" (per CPU second {d['jsonl_free_per_cpu_s'] / 1e6:.1f} M{older})"
                   if "jsonl_free_per_cpu_s" in d else "")
            rows.append((f"decode JSON Lines ({comp}) ≥ 10 M HeapFree/s", f"{d['jsonl_free_per_s'] / 1e6:.1f} M/s{cpu}",
                         timed_verdict(d["jsonl_free_per_s"] >= 10e6, grp, why)))
            if not measured_peers:  # the peers section measures the readers themselves
                rows.append((f"decode ({comp}) ≥ 100× the Python ETL reader (0.6 MB/s, quoted)",
                             f"{d['vs_python_jsonl']:.0f}× (JSON Lines), {d['vs_python_counting']:.0f}× (counting)",
                             timed_verdict(d["vs_python_jsonl"] >= 100, grp, why)))
    r = (t or {}).get("rss")
    if r:
        worst = max(r["counting"]["delta_kib"], r["jsonl"]["delta_kib"])
        rows.append((f"peak RSS flat: {r['small_bytes'] // MiB} MiB vs {r['big_bytes'] // MiB} MiB within 1 MiB",
                     f"{worst:+d} KiB", verdict(worst <= 1024)))
    for comp, g in gens(t).items():
        cpu = f" (CPU {g['ratio_cpu']:.2f}×{older})" if "ratio_cpu" in g else ""
        goal = thresholds.RATIO_GOALS.get(comp, 0.5)
        rows.append((f"gen --etl ({comp}) ≥ {goal}× read-and-sum", f"{g['ratio']:.2f}×{cpu}",
                     timed_verdict(g["ratio"] >= goal, [g.get("load")], why)))
    for comp in COMPS:
        d = (c or {}).get(comp) or {}
        for prog, what in (("decode", "decode counting"), ("gen", "gen --etl")):
            goal = (IR_GOALS.get(prog) or {}).get(comp)
            if goal and (d.get(prog) or {}).get("ir_ratio") is not None:
                x = d[prog]
                ok = x["ir_ratio"] <= goal
                miss = wall_missed(t, c, prog, comp) if ok else None
                rows.append((f"{what} ({comp}) instructions per byte ≤ {goal}× read-and-sum's (callgrind)",
                             f"{x['ir_ratio']:.2f}× ({x['ir_per_byte'][-1]:.2f} against "
                             f"{d['read_and_sum']['ir_per_byte'][-1]:.2f})",
                             f"**missed**: under the goal, but {miss}" if miss else verdict(ok)))
    for reader, r in ((pe or {}).get("readers") or {}).items():
        for f, x in (r.get("files") or {}).items():
            if x.get("ratio") is not None:
                rows.append((f"decode ≥ 100× {reader} on {f} (parse time alone)",
                             f"{x['ratio']:,.0f}× (CPU {x['ratio_cpu']:,.0f}×)",
                             timed_verdict(x["ratio"] >= 100, [pe.get("etwhf_load"), x.get("load")], unrecorded(pe))))
    hwhy = unrecorded(h)
    for eng, e in ((h or {}).get("engines") or {}).items():
        for name, row in (e.get("targets") or {}).items():
            judged = harness_judged(row)
            if row.get("goal") and judged:
                key, base = judged
                other = "" if key == "ratio" else f" ({row['ratio']:.2f}× fuzz_empty)"
                rows.append((f"{eng} fuzz_{name} ≥ {row['goal']}× fuzz_{base}", f"{row[key]:.2f}×{other}",
                             timed_verdict(row[key] >= row["goal"], [row.get("load"), row.get(f"{base}_load")], hwhy)))
    if o and o.get("score"):
        rows.append(("oracle power: `etwhf check` catches each planted bug", f"{o['score'][0]}/{o['score'][1]}",
                     verdict(o["score"][0] == o["score"][1])))
    if b and b.get("analysis"):
        best = best_config(b)
        if best:
            name, n_ok, total = best
            seedless = best_config({"analysis": {k: v for k, v in b["analysis"].items() if "seeds" not in k},
                                    "configs": b.get("configs")})
            extra = f"; without seeds, {seedless[0]}: {seedless[1]}/{seedless[2]}" if seedless else ""
            rows.append(("best fuzzing configuration triggers every bug, median ≤ 60 s",
                         f"{name}: {n_ok}/{total}{extra}", verdict(n_ok == total)))
    return rows


def wall_missed(t, c, prog, comp):
    """Why an instruction goal met may not say so: the wall-clock goal it
    stands for was judged (quiet run) and missed at the same commit — the
    threshold then needs deriving again (bench/lib/goals.py). None otherwise."""
    if not t or not c or t.get("quick") or (t.get("machine") or {}).get("commit") != (c.get("machine") or {}).get("commit"):
        return None
    x = (t.get("decode") or {}).get(comp) if prog == "decode" else (t.get("gen") or {}).get(comp)
    key = "counting_ratio" if prog == "decode" else "ratio"
    if not x or key not in x or x[key] >= thresholds.RATIO_GOALS.get(comp, 0.5) or not loadavg.verdict([x.get("load")])[0]:
        return None
    return (f"the wall-clock goal it stands for was judged missed ({x[key]:.2f}×) at the same commit: "
            "derive the threshold again")


def configs(b):
    """The campaign's configurations in the order bench/lib/bugs.py runs them."""
    order = b.get("configs") or []
    return [c for c in order if c in b["analysis"]] + sorted(c for c in b["analysis"] if c not in order)


def best_config(b):
    """Most bugs with a median ≤ 60 s; ties go to the smaller sum of medians."""
    best, best_key = None, None
    for cfg in configs(b):
        cells = b["analysis"][cfg]
        ok = [c["median"] for c in cells.values() if c["median"] is not None and c["median"] <= 60]
        key = (-len(ok), sum(ok))
        if best_key is None or key < best_key:
            best, best_key = (cfg, len(ok), len(cells)), key
    return best


def peers_md(pe):
    out = ["## Against the public Python ETL readers", "", machine_line(pe), ""]
    if pe.get("gap"):
        return out + [f"Not measured: {pe['gap']}.", ""]
    out += [f"The real traces of {pe['min_bytes'] >> 20} MiB and more in the samples folder "
            f"(`ETWHF_SAMPLES_DIR`: {', '.join(pe.get('files', []))}), parse time alone on both sides: etwhf in one "
            f"process (`{pe['etwhf_cmd']}`: open, etwhf_decode_fd with event and diagnostic callbacks, finish; "
            "median of the timed runs after a warm-up run), each reader in one interpreter after its import, "
            "one warm-up parse then the timed ones (bench/peer_parse.py: dissect.etl parses lazily, so every "
            "record's header fields and its payload through the provider's manifest are read out; etl-parser "
            "parses every record it delivers). The readers' sources come from `ETWHF_THIRDPARTY`; one that is "
            "absent is skipped. A reader that raises on a file cannot read it: no ratio.", "",
            "| trace | bytes | etwhf records | etwhf median | reader | reader records | reader median | × etwhf (CPU) | error | 1-min load before → after |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for reader, r in (pe.get("readers") or {}).items():
        if r.get("skipped"):
            continue
        for f, x in (r.get("files") or {}).items():
            e = (pe.get("etwhf") or {}).get(f) or {}
            em = f"{median(e['seconds']) * 1e3:.2f} ms" if e.get("seconds") else "—"
            xm = f"{median(x['seconds']):.3f} s" if x.get("seconds") else "—"
            ratio = f"{x['ratio']:,.0f}× ({x['ratio_cpu']:,.0f}×)" if x.get("ratio") is not None else "—"
            out.append(f"| {f} | {e.get('bytes', 0):,} | {e.get('records', 0):,} | {em} | {reader} | "
                       f"{x.get('records', 0):,} | {xm} | {ratio} | {x.get('error') or ''} | {load_cell(x.get('load'))} |")
    skipped = [r["skipped"] for r in (pe.get("readers") or {}).values() if r.get("skipped")]
    if skipped:
        out += [""] + [f"- {w}" for w in skipped]
    cmds = [x["cmd"] for r in (pe.get("readers") or {}).values() for x in (r.get("files") or {}).values() if x.get("cmd")]
    if cmds:
        out += ["", "Commands:", ""] + [f"- `{c}`" for c in cmds]
    return out + [""]


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return (xs[n // 2] + xs[(n - 1) // 2]) / 2 if n else None


def throughput_md(t):
    out = ["## Decoder and generator throughput", "", machine_line(t), ""]
    if t.get("gap"):
        return out + [f"Not measured: {t['gap']}.", ""]
    runs = (f"median of {t['reps']} interleaved runs (rounds of read-and-sum, counting and JSON Lines; of the "
            "generator and read-and-sum) after a warm-up round" if any(d.get("interleaved") for d in t["decode"].values())
            else f"median of {t['reps']} runs after a warm-up run")
    out += [f"Trace size {t['big_bytes'] // MiB} MiB, {runs} (page cache warm). Baseline: `bench/read_and_sum` "
            "(read() into a 1 MiB buffer, sum as uint64_t, -O2) on the same file in the same run.", ""]
    out += ["Ratios are by wall time (the goals); \"CPU\" repeats them by CPU seconds (user + sys) of the same "
            "runs, which the box's other load disturbs less.", "",
            "| trace | bytes | read-and-sum | decode counting | ratio (CPU) | decode JSON Lines | ratio (CPU) | HeapFree/s JSON (per CPU s) | heap events/s (JSON) | 1-min load before → after |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for comp, d in t["decode"].items():
        if "counting_Bps" not in d:
            out.append(f"| {comp} | piped: see below | | | | | | | | {load_cell(d.get('load'))} |")
            continue
        cpu = lambda k: f" ({d[k]:.2f}×)" if k in d else ""  # noqa: E731
        per_cpu = f" ({d['jsonl_free_per_cpu_s'] / 1e6:.2f} M)" if "jsonl_free_per_cpu_s" in d else ""
        out.append(f"| {comp} | {d['bytes']:,} | {mbps(d['base_Bps'])} | {mbps(d['counting_Bps'])} | "
                   f"{d['counting_ratio']:.2f}×{cpu('counting_ratio_cpu')} | {mbps(d['jsonl_Bps'])} | "
                   f"{d['jsonl_ratio']:.2f}×{cpu('jsonl_ratio_cpu')} | {d['jsonl_free_per_s'] / 1e6:.2f} M{per_cpu} | "
                   f"{d['jsonl_events_per_s'] / 1e6:.2f} M | {load_cell(d.get('load'))} |")
    out += ["", "Commands (median seconds):", ""]
    for comp, d in t["decode"].items():
        for k in ("read_and_sum", "counting", "jsonl", "gen_only"):
            if k in d:
                out.append(f"- {comp}, {k}: `{d[k]['cmd']}` — {d[k]['median_s']:.3f} s")
        if "summary" in d:
            s = d["summary"]
            out.append(f"- {comp} trace: {s['events_total']:,} records, {s['heap_free']:,} HeapFree, "
                       f"{s['heap_alloc']:,} HeapAlloc, {s['heap_realloc']:,} HeapReAlloc, {s['buffers']:,} buffers, "
                       f"{s['errors']} errors, {s['warnings']} warnings")
    d = t["decode"].get("default", {})
    if "vs_python_jsonl" in d:
        out += ["", f"Against a quoted figure for the Python ETL readers (airbus-cert/etl-parser about "
                f"{t['python_reader_mbps_quoted']} MB/s, **not measured here**): etwhf decodes the default trace at "
                f"{mbps(d['jsonl_Bps'])} to JSON Lines, {d['vs_python_jsonl']:.0f}× that figure "
                f"({d['vs_python_counting']:.0f}× in counting mode). The readers themselves are measured on the real "
                "samples in \"Against the public Python ETL readers\" (`bench/run --only peers`)."]
    r = t.get("rss")
    if r:
        out += ["", "### Peak memory in file size", "",
                f"Maximum resident set (`/usr/bin/time -v`), default composition, {r['small_bytes'] // MiB} MiB "
                f"against {r['big_bytes'] // MiB} MiB:", "",
                "| mode | small | big | difference | command (big) |", "|---|---|---|---|---|"]
        for mode in ("counting", "jsonl"):
            m = r[mode]
            out.append(f"| {mode} | {m['small_kib']} KiB | {m['big_kib']} KiB | {m['delta_kib']:+d} KiB | `{m['cmd']}` |")
    if gens(t):
        out += ["", "### Generator", "",
                "`etwhf gen --etl /dev/null` against read-and-sum on the file the same command writes:", "",
                "| trace | command | median | speed | read-and-sum | ratio (CPU) | 1-min load before → after |",
                "|---|---|---|---|---|---|---|"]
        for comp, g in gens(t).items():
            cpu = f" ({g['ratio_cpu']:.2f}×)" if "ratio_cpu" in g else ""
            out.append(f"| {comp} | `{g['cmd']}` | {g['median_s']:.3f} s for {g['bytes']:,} bytes | {mbps(g['Bps'])} | "
                       f"{mbps(g['base_Bps'])} | {g['ratio']:.2f}×{cpu} | {load_cell(g.get('load'))} |")
    return out + [""]


def cost_md(c):
    out = ["## Instructions per byte (callgrind)", "", machine_line(c), ""]
    if c.get("gap"):
        return out + [f"Not measured: {c['gap']}.", ""]
    if "sizes" not in c:  # an older result: instructions per event only
        return out + ["Older result without instructions per byte; run `bench/run --only cost`.", ""]
    sizes = " and ".join(f"{x // MiB} MiB" for x in c["sizes"])
    out += [f"User-space instructions (valgrind --tool=callgrind: repeatable to the instruction, the kernel's work "
            f"not counted) of decode counting (`etwhf decode --stats --quiet`), of `etwhf gen --etl /dev/null` with "
            f"the options and event count that wrote the trace, and of read-and-sum, on traces of about {sizes}. "
            "Per byte of the trace (input for the decoder and read-and-sum, output for the generator), whole run "
            "at each size: the two columns agree when start-up is negligible. \"marginal\" divides the "
            "difference between the sizes by the difference in bytes (or heap events, or records).", "",
            "| trace | program | instr / byte (each size) | marginal instr / byte | × read-and-sum | "
            "instr / heap event | instr / record |", "|---|---|---|---|---|---|---|"]
    for comp in COMPS:
        d = c.get(comp)
        if not d:
            continue
        for k in ("read_and_sum", "decode", "gen"):
            x = d[k]
            ratio = f"{x['ir_ratio']:.2f}×" if "ir_ratio" in x else ""
            per = lambda v: f"{v:.0f}" if v is not None and k != "read_and_sum" else ""  # noqa: E731
            out.append(f"| {comp} | {k} | {' / '.join(f'{v:.3f}' for v in x['ir_per_byte'])} | "
                       f"{x['ir_per_byte_marginal']:.3f} | {ratio} | {per(x['ir_per_heap_event'])} | "
                       f"{per(x['ir_per_record'])} |")
    out += ["", "Commands (the larger trace):", ""]
    for comp in COMPS:
        if c.get(comp):
            out += [f"- {comp}: " + "; ".join(f"`{v}`" for v in c[comp]["cmds"].values())]
    return out + [""]


def goals_md(t, c):
    """The thresholds the instruction goals stand for, derived from this
    run's figures (bench/lib/goals.py), beside the fixed goals."""
    rows = thresholds.derive(t, c)
    out = ["### Instruction goals: the thresholds", "", IR_GOALS_TEXT.format(run=IR_GOALS_RUN), ""]
    if not rows:
        if t and c and not thresholds.same_code(t, c):
            return out + [f"Not derived from these results: the throughput section measured commit "
                          f"{(t.get('machine') or {}).get('commit', '?')}, the cost section commit "
                          f"{(c.get('machine') or {}).get('commit', '?')}; the model needs both of one build "
                          "(`bench/run --only throughput,cost`). The goals' own derivation is in bench/analysis.md.", ""]
        return out + ["Not derived: the throughput or the cost section has no results yet.", ""]
    src = t.get("machine", {})
    out += [f"This run's figures: CPU times from the throughput section ({src.get('date', '?')}, commit "
            f"{src.get('commit', '?')}, {t.get('big_bytes', 0) // MiB} MiB traces), instructions from the cost "
            f"section ({(c.get('machine') or {}).get('date', '?')}, commit {(c.get('machine') or {}).get('commit', '?')}).", "",
            "| trace | program | read-and-sum CPU ns/B (T) | program CPU ns/B (C) | kernel ns/B (K) | instr / user ns (U) | "
            "measured × read-and-sum | threshold for the ratio goal (0.5×; pure64 0.6×) | goal | |", "|---|---|---|---|---|---|---|---|---|---|"]
    for comp in COMPS:
        for prog in ("decode", "gen"):
            x = (rows.get(comp) or {}).get(prog)
            if not x:
                continue
            k = "—" if x["K"] is None else f"{x['K']:.4f}" + (" (ticks)" if x["K_how"] == "ticks" else "")
            u = "—" if x["U"] is None else f"{x['U']:.2f}"
            thr = "—" if x["threshold"] is None else f"{x['threshold']:.2f}×"
            if x["threshold"] is not None and not x["judged"]:
                thr += (" (not judged: quick run)" if x["quick"] else
                        f" (not judged: load {x['worst_load']:.2f})" if x["worst_load"] is not None else " (not judged)")
            goal = IR_GOALS.get(prog, {}).get(comp)
            out.append(f"| {comp} | {'decode counting' if prog == 'decode' else 'gen --etl'} | {x['T']:.4f} | "
                       f"{x['C']:.4f} | {k} | {u} | {x['measured']:.2f}× | {thr} | "
                       f"{'' if goal is None else f'≤ {goal}×'} | {'met' if goal and x['measured'] <= goal else 'missed' if goal else ''} |")
    return out + [""]


IR_GOALS_TEXT = (
    "The wall-clock goals (decode counting and gen --etl ≥ 0.5× read-and-sum on the 1 GiB traces, ≥ 0.6× on pure64) move with the "
    "machine's load; the instruction goals stand in for them at any load. They are not \"2× read-and-sum's "
    "instructions\": read-and-sum spends most of its CPU time in the kernel's copy (`read()`), which callgrind does "
    "not count. Model (bench/lib/goals.py): a program's CPU time per byte C is its kernel time K (the same `read()` "
    "copy for the decoder, `write()` to /dev/null for the generator) plus its instructions per byte I divided by its "
    "user-space rate U = I / (C − K); removing instructions leaves K and U as they are. It runs at r× when "
    "K + I/U = T/r, T being read-and-sum's CPU time per byte, so the threshold on I is U·(T/r − K) (r = 0.5, 0.6 on "
    "pure64), shown divided by "
    "read-and-sum's instructions per byte. T, C and K come from the throughput section's 1 GiB traces, the ones the "
    "wall-clock goal is judged on (medians of interleaved runs; C and T are the scheduler's exact runtime), K from "
    "the CPU time inside `read()`/`write()` measured exactly by bench/syscall_cpu.c (older results: the mean of "
    "getrusage's tick-sampled system time, marked \"ticks\"), I from the cost section. The goals are fixed numbers, "
    "the thresholds of the quiet full runs of {run}, rounded down to a tenth; this table derives them again from the "
    "latest results, judged by load like the wall-clock goals, so that a drift, a new host or a change of the "
    "user-space rate shows. An instruction goal under its threshold is shown missed when the wall-clock goal it "
    "stands for was judged missed at the same commit.")


def harness_judged(row):
    """(ratio key, baseline) the goal is judged against: fuzz_empty_linked
    where it was measured (bench/analysis.md says why), else fuzz_empty."""
    if row.get("ratio_empty_linked") is not None:
        return "ratio_empty_linked", "empty_linked"
    if row.get("ratio") is not None:
        return "ratio", "empty"
    return None


def harness_md(h):
    out = ["## Fuzz harness speed", "", machine_line(h), "",
           f"Each target for {h['seconds']} s ({h.get('reps', 1)} runs alternating with the baselines', the "
           "fastest of each kept: load only slows runs down) on its generated seeds (`corpus/<name>/`, one byte when there are "
           "none), against two empty targets built with the same flags and run on the same seeds, one run at a time: "
           "`fuzz_empty` links nothing, so the engine handles a one-counter map; `fuzz_empty_linked` links the decoder and "
           "the harness checks that fuzz_file and fuzz_record link but never calls them, so the engine handles the "
           "targets' map (measured for the targets with a goal). Goals are judged against `fuzz_empty_linked` where it "
           "was measured (see the analysis below), the ratio against `fuzz_empty` stays beside it. "
           "libFuzzer builds carry ASan+UBSan (preset fuzz-libfuzzer); AFL++ runs persistent mode "
           "(preset fuzz-afl, `afl-fuzz -V`).", ""]
    for eng, e in h["engines"].items():
        if e.get("gap"):
            out += [f"{eng}: not measured: {e['gap']}.", ""]
            continue
        out += [f"### {eng}", "",
                "| target | seeds | exec/s (runs) | fuzz_empty exec/s (runs) | ratio | "
                "fuzz_empty_linked exec/s (runs) | ratio | goal | crashes | 1-min load, fastest run |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        runs = lambda x: f" ({', '.join(f'{v:,}' for v in x['all_exec_s'])})" if x.get("all_exec_s") else ""  # noqa: E731
        for name, r in e["targets"].items():
            base = name[:-3] if name.endswith("_sa") else name
            cells = []
            for b, key in (("empty", "ratio"), ("empty_linked", "ratio_empty_linked")):
                if r.get(f"{b}_exec_s") is None or r.get(key) is None:
                    cells += ["—", "—"]
                    continue
                cells += [f"{r[f'{b}_exec_s']:,.0f}{runs(e.get(b, {}).get(base, {}))}", f"{r[key]:.2f}×"]
            judged = harness_judged(r)
            goal = (f"≥ {r['goal']}× fuzz_{judged[1]} "
                    f"{timed_verdict(r[judged[0]] >= r['goal'], [r.get('load'), r.get(judged[1] + '_load')], unrecorded(h))}"
                    if r.get("goal") and judged else "")
            out.append(f"| fuzz_{name} | {r['seeds']} | {r['exec_s']:,.0f}{runs(r)} | {' | '.join(cells)} | "
                       f"{goal} | {r['crashes']} | {load_cell(r.get('load'))} |")
        first = next(iter(e["targets"].values()), None)
        if first:
            out += ["", f"Command shape: `{first['cmd']}`."]
        out.append("")
    return out


def oracle_md(o):
    out = ["## Oracle power", "", machine_line(o), ""]
    out += [f"Planted-bug seeds (tests/bench in the planted build): "
            f"{'pass' if o['seeds_test']['passed'] else 'FAIL'} — every bug's hand-built input triggers its "
            "canary and changes the output when the bug is on.", ""]
    if o.get("gap"):
        return out + [f"Not measured: {o['gap']}.", ""]
    ctl = o["control"]
    out += [f"Corpus: `{o['gen_cmd']}` ({o.get('cases')} cases). Control, no bug on: `{ctl['cmd']}` exits "
            f"{ctl['exit']} ({'agrees' if ctl['exit'] == 0 else 'DISAGREES — the score below means nothing'}).",
            "", f"**Score: {o['score'][0]} of {o['score'][1]} planted bugs caught.**", "",
            "| # | bug | layer | caught | cases disagreeing | fields | faults of those cases |",
            "|---|---|---|---|---|---|---|"]
    for b in o["bugs"]:
        r = o["per_bug"][str(b["id"])]
        fields = ", ".join(f"{k} {v}" for k, v in sorted(r.get("fields", {}).items()))
        faults = ", ".join(r.get("faults", [])[:6]) + (" …" if len(r.get("faults", [])) > 6 else "")
        out.append(f"| {b['id']} | {b['name']} | {b['layer']} | {'yes' if r['caught'] else '**no**'} | "
                   f"{r.get('disagree')} of {r.get('cases')} | {fields} | {faults} |")
    out += ["", "Each row: `ETWHF_PLANTED=<#> build/bench-planted/etwhf check build/bench/exhaustive --json`."]
    return out + [""]


def xpress_md(x):
    out = ["## XPRESS decompressor", "", machine_line(x), ""]
    if x.get("gap"):
        return out + [f"Not measured: {x['gap']}.", ""]
    return out + [f"`{x['cmd']}` (exit {x['exit']}), its output as printed:", "", "```", *x["output"], "```", ""]


def protocols_md(p):
    out = ["## `etwhf check`: a process per case or batch workers", "", machine_line(p), "",
           "Cases/s of `etwhf check --jobs 2` over the default corpus (`etwhf gen --count 1000 --seed 1`, "
           "recover mode) with the Python example and `etwhf decode`, each per process (`--decoder`) and "
           "as batch workers (`--decoder-batch`, docs/spec/check-protocol.md §6). Goals: the Python "
           "example ≥ 1,000 cases/s and ≥ 50× per process in batch; `etwhf decode --batch` ≥ 20,000 "
           "cases/s. Wall-clock figures: each row shows the load it ran at.", ""]
    return out + [f"`{p['cmd']}` (exit {p['exit']}), its output as printed:", "", *p["output"], ""]


def _results(name):
    path = os.path.join(ROOT, "bench", "results", name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def against_md():
    """ci/fuzz --against (issue 20): bench/against_speed.py and bench/against_mutants.py write
    their JSON; their own load readings go with each row."""
    speed, mut = _results("against-speed.json"), _results("against-mutants.json")
    if not speed and not mut:
        return []
    out = ["## Campaign against a decoder", "",
           "`ci/fuzz --against CMD` (docs/campaigns.md, \"Against your decoder\"). Goals on 2 cores: ≥ 5,000 "
           "inputs/s against `etwhf decode --batch`, ≥ 1,000/s against examples/decoders/python; ≥ 95 % of the "
           "rule mutants (testing/mutant_list.h, each run as `env ETWHF_MUTANT=ID etwhf decode --batch` of the "
           "planted build) found within 60 s each, every mutant the fixed default corpus misses included. "
           "Wall-clock figures: each row shows the load it ran at.", ""]
    if speed:
        out += ["`bench/against_speed.py --time 60` (a 60 s campaign, seed 1, `--jobs 2`, libFuzzer beside it at "
                "nice 10; the baseline is `etwhf check --decoder-batch` alone over one 2,000-case round, best of "
                "3, the ceiling a campaign's judging has):", "",
                "| decoder | inputs/s | goal | inputs (generator / mutations / fuzzer) | classes | baseline: check "
                "alone, cases/s | load before → after | |", "|---|---:|---:|---|---:|---:|---|---|"]
        for r in speed:
            s = r["by_source"]
            out.append("| %s | %s | %s | %s (%s / %s / %s) | %d | %s | %s → %s | %s |" % (
                r["decoder"], f"{int(r['inputs_per_s']):,}", f"{r['goal']:,}", f"{r['inputs']:,}",
                f"{s.get('gen', 0):,}", f"{s.get('mut', 0):,}", f"{s.get('fuzzer', 0):,}", r["classes"],
                f"{r['baseline_check_per_s']:,}", r["load_before"], r["load_after"],
                "**met**" if r["inputs_per_s"] >= r["goal"] else "**missed**"))
        out.append("")
    if mut:
        rows, meta = mut["rows"], mut["meta"]
        extra = _results("against-mutants-all-layers.json")
        later = {r["mutant"]: r for r in (extra or {}).get("rows", []) if r.get("found")}
        found = [r for r in rows if (r.get("found") and r["first_s"] <= meta["time"]) or r["mutant"] in later]
        missed = [r for r in rows if r["default"].startswith("**missed**")]
        firsts = sorted((later.get(r["mutant"]) or r)["first_s"] for r in found)
        out += ["`bench/against_mutants.py --time %d` (`--require L4 --stop-on-class --layers %s`, seed %d; %s): "
                "**%d of %d** mutants found within %d s (%.1f %%; %d with `--layers file` and %d more with "
                "`--layers file,record,payload`, bench/results/against-mutants-all-layers.json); first class "
                "at a median %.1f s, at most %.1f s. The mutants the default corpus misses: %s." % (
                    meta["time"], meta.get("layers", "file"), meta["seed"], meta["when"], len(found), len(rows),
                    meta["time"], 100.0 * len(found) / max(1, len(rows)), len(found) - len(later), len(later),
                    firsts[len(firsts) // 2] if firsts else 0, firsts[-1] if firsts else 0,
                    ", ".join("`%s` %s" % (r["mutant"], "%.1f s (%s)" % (r["first_s"], r["level"]) if r.get("found")
                                           else "not found") for r in missed)), ""]
        blind = [r for r in rows if not (r.get("found") or r["mutant"] in later)]
        out += ["Goal (≥ 95 %%): **missed** as stated, %.1f %%; of the %d mutants a command check can tell apart "
                "at all (all but the %d below), %d found (%.1f %%), every one the default corpus misses among them "
                "but the equivalent `B6.0.unchecked`." % (
                    100.0 * len(found) / max(1, len(rows)), len(rows) - len(blind), len(blind), len(found),
                    100.0 * len(found) / max(1, len(rows) - len(blind))), ""]
        out += ["Not found, and why:", ""]
        why = {"B6.0.unchecked": "changes only a diagnostic's message text, which no check compares (equivalent)",
               "C3.3.limit_unchecked": "equivalent below 16 MiB (mutant_list.h)",
               "K1.header_buffer_uncounted": "changes only the file counts, which a command check does not read",
               "K2.b3_skip_uncounted": "changes only the file counts, which a command check does not read",
               "K2.decompress_uncounted": "changes only the file counts, which a command check does not read",
               "R6.1.message_uncounted": "changes only the file counts, which a command check does not read",
               "O3.buffer_relative": "changes only event and diagnostic locations, which a command check does "
                                     "not compare",
               "O4.plain_offsets": "changes only event locations, which a command check does not compare"}
        for r in rows:
            if not (r.get("found") or r["mutant"] in later):
                out.append("- `%s`: %s." % (r["mutant"], why.get(r["mutant"], "not found in %d s" % meta["time"])))
        out += ["", "Every mutant's row: bench/results/against-mutants.md.", ""]
    return out


def fmt_t(v):
    return "—" if v is None else f"{v:.1f}"


def bugs_md(b):
    out = ["## Bug-finding power (planted bugs)", "", machine_line(b), ""]
    out += [f"{len(b['bugs'])} bugs planted in the decoder behind `ETWHF_PLANTED_BUGS` (testing/planted.h), each "
            "with a canary that counts reaches and triggers without crashing; the campaign runs with every bug "
            "switched off (the decoder stays correct, the fuzz targets' invariants stay quiet) and reads the "
            "canaries' first-trigger times from `ETWHF_PLANTED_LOG`. Target `fuzz_file` unless the "
            f"configuration says otherwise; {b['trials']} trials × {b['seconds']} s per configuration, "
            f"{b['parallel']} at a time; no dictionaries.", "",
            "| # | bug | layer | conditions at once | what an input needs |", "|---|---|---|---|---|"]
    for x in b["bugs"]:
        out.append(f"| {x['id']} | {x['name']} | {x['layer']} | {x['depth']} | {x['conditions']} |")
    out += ["", "Median time to first trigger in seconds (— : not triggered in most trials), triggered trials / "
            "trials, and against plain libFuzzer the exact two-sided Mann-Whitney U p-value and Vargha-Delaney "
            "A12 (the chance this configuration is faster; 0.5 = no difference). A trial that never triggers "
            f"counts as {b['seconds'] + 1} s in both tests.", ""]
    cfgs = configs(b)
    alone = set((b.get("seeds_alone") or {}).get("triggered", []))
    if b.get("seeds_alone"):
        out += [f"The {b['seeds_alone']['seeds']} generated seeds of `corpus/file/` trigger bugs "
                f"{', '.join(sorted(alone, key=int)) or 'none'} by themselves (decoded once, no mutation; "
                "marked * below): the seeded configurations' times for those bugs measure the seed corpus, "
                "not the fuzzer. Plain libFuzzer and fuzz_gen start from nothing.", ""]
    out += ["| # | " + " | ".join(cfgs) + " |", "|---" * (len(cfgs) + 1) + "|"]
    for x in b["bugs"]:
        cells = []
        for cfg in cfgs:
            c = b["analysis"][cfg].get(str(x["id"]))
            if not c or not c["trials"]:
                cells.append("n/a")
                continue
            s = f"{fmt_t(c['median'])} ({c['triggered']}/{c['trials']}"
            if c["triggered"]:
                s += f", {fmt_t(c['min'])}–{fmt_t(c['max'])}"
            s += ")"
            if "mwu_p" in c:
                s += f" p={c['mwu_p']:.3f} A12={c['a12']:.2f}"
            cells.append(s)
        out.append(f"| {x['id']}{'*' if str(x['id']) in alone else ''} | " + " | ".join(cells) + " |")
    best = best_config(b)
    if best:
        out += ["", f"Best configuration: {best[0]}, {best[1]} of {best[2]} bugs with a median ≤ 60 s."]
    gaps = sorted({r["gap"] for r in b["runs"] if r.get("gap")})
    if gaps:
        out += ["", "Not run: " + "; ".join(gaps) + "."]
    return out + [""]


def quick_figures(section, d):
    """The few numbers a hot-path change moves, by name."""
    out = {}
    if section == "throughput":
        for comp, x in (d.get("decode") or {}).items():
            for k in ("counting_ratio", "counting_ratio_cpu", "jsonl_free_per_cpu_s"):
                if k in x:
                    out[f"{comp} {k}"] = x[k]
        g = d.get("gen") or {}
        if "cmd" in g:  # older results: the default composition only
            out["gen ratio_cpu"] = g.get("ratio_cpu")
        else:
            for comp, x in g.items():
                out[f"{comp} gen ratio_cpu"] = x.get("ratio_cpu")
    if section == "cost":
        for comp in COMPS:
            x = d.get(comp) or {}
            for k in ("decode_ir_per_heap_event", "gen_ir_per_heap_event"):  # older results' names
                if x.get(k) is not None:
                    out[f"{comp} {k}"] = x[k]
            for prog in ("decode", "gen"):
                if (x.get(prog) or {}).get("ir_per_heap_event") is not None:
                    out[f"{comp} {prog}_ir_per_heap_event"] = x[prog]["ir_per_heap_event"]
                    out[f"{comp} {prog}_ir_per_byte"] = x[prog]["ir_per_byte"][-1]
                    out[f"{comp} {prog}_ir_ratio"] = x[prog]["ir_ratio"]
    return out


def compare_quick(section, new):
    """Prints this quick run against the previous one (instruction counts are
    exact; the ratios move with the box's load)."""
    old = load(section + "-quick")
    if not old:
        return
    a, b = quick_figures(section, old), quick_figures(section, new)
    for k in sorted(set(a) & set(b)):
        if a[k] and b[k] is not None:
            print(f"{section:10} {k:40} {a[k]:>14,.2f} -> {b[k]:>14,.2f}  ({(b[k] / a[k] - 1) * 100:+.1f} %)")


def quick_md(tq, cq):
    out = ["## Latest quick check", "", "`bench/run --quick` (64 MiB traces; it also prints each figure against "
           "its previous run). Its results stay in bench/results/*-quick.json; the sections above are the "
           "full run's. Wall-clock figures (throughput) count only when the load was low (see the preamble); "
           "instruction counts (cost) at any load.", ""]
    for d, sec in ((tq, "throughput"), (cq, "cost")):
        if d:
            out += [machine_line(d), ""] + [f"- {k}: {v:,.2f}" for k, v in sorted(quick_figures(sec, d).items())
                                            if v is not None] + [""]
    return out


def write():
    t, c, h, o, x, b, pe = (load(s) for s in ("throughput", "cost", "harness", "oracle", "xpress", "bugs", "peers"))
    p = load("protocols")
    tq, cq = load("throughput-quick"), load("cost-quick")
    t, c = t or tq, c or cq
    lines = ["# Benchmarks", "",
             "<!-- Written by bench/run from bench/results/*.json; do not edit by hand. -->", "",
             "**The machine is shared and noisy**: 2 cores used by several engineers' builds and fuzzers at "
             "the same time. Every figure is a ratio against a baseline measured in the same run for that "
             "reason; absolute numbers move by tens of percent from run to run. Instruction counts (callgrind) "
             "are the stable figures.", "",
             "**Load rule.** bench/run records the load average (1, 5, 15 min, /proc/loadavg) before and after "
             "each section and each measured command group (a trace's read-and-sum, counting and JSON Lines "
             "runs; a generator run with its baseline; one fuzzer run). Load does not slow every program "
             "alike — memory-bound read-and-sum loses more than the decoder — so it flatters the ratios. A "
             "goal that rests on wall time (every ratio against read-and-sum or an empty fuzz target, and "
             "absolute rates such as HeapFree/s) is **not judged** — shown as \"not judged (load X)\", X the "
             "highest 1-minute load among its groups — when other people's 1-minute load was above 0.5 "
             "before or after any group it rests on. Other people's load is the 1-minute load less this "
             "benchmark's own share: one process running for t seconds adds 1 − e^(−t/60) to the 1-minute "
             "average, and the tables show that share (\"own\") beside each reading (bench/lib/load.py). "
             "Instruction counts, memory and the oracle score are judged at any load; so is the fuzzing "
             "campaign, which keeps both cores busy by design (two fuzzers at a time) and whose goal (median ≤ "
             "60 s) is a coarse bound on time to first trigger. `bench/run --wait-quiet SECONDS` waits up to "
             "that long before each section and each group for other people's load to fall to 0.5, for when "
             "other work can pause.", "",
             "Reproduce: `bench/run --quick` (under 2 minutes: throughput on 64 MiB, memory, instructions per "
             "byte — run it before committing a change to a hot path), `bench/run` (everything but the "
             "campaign, ~1 GiB traces, the Python readers on the real samples), `bench/run --bugs` (the fuzzing "
             "campaign, ~35 minutes). The wall-clock goals are judged by `bench/run --wait-quiet 600 --only "
             "throughput,cost,peers` on a quiet machine (it waits for other people's load to fall to 0.5 before "
             "each group and records it). Each section below says which command and which commit produced it.", "",
             "## Goals", "", "| goal | measured | |", "|---|---|---|"]
    rows = goals_rows(t, c, h, o, b, pe)
    lines += [f"| {g} | {m} | {v} |" for g, m, v in rows] or ["| (no results yet) | | |"]
    lines.append("")
    for data, fn in ((t, throughput_md), (c, cost_md), (pe, peers_md), (h, harness_md), (o, oracle_md), (b, bugs_md),
                     (x, xpress_md), (p, protocols_md)):
        if data:
            lines += fn(data)
        if fn is cost_md and c:
            lines += goals_md(t, c)
    lines += against_md()
    if (tq or cq) and (t is not tq or c is not cq):
        lines += quick_md(tq, cq)
    extra = os.path.join(ROOT, "bench", "analysis.md")  # hand-written: where the time goes, gaps
    if os.path.exists(extra):
        with open(extra) as f:
            lines += [f.read().rstrip(), ""]
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))
