"""The campaign report: report.json for machines, report.md for people, and a
coverage-over-time plot (gnuplot) from the engines' own coverage counters."""
import json
import os
import shutil
import subprocess


# Twelve distinguishable colours: gnuplot's default cycle repeats after eight.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8")


def target_entry(name, engine, seconds, execs, corpus_files, crashes_unique, **extra):
    entry = {
        "name": name,
        "engine": engine,
        "seconds": round(float(seconds), 1),
        "execs": int(execs),
        "exec_per_sec": round(execs / seconds, 1) if seconds > 0 else 0.0,
        "corpus_files": int(corpus_files),
        "crashes_unique": int(crashes_unique),
    }
    entry.update(extra)
    return entry


def write_json(path, report):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def _fmt_pct(value):
    return "n/a" if value is None else "%.1f %%" % value


def render_markdown(report):
    r = report
    lines = ["# Fuzz campaign report", ""]
    lines.append("- verdict: **%s**" % ("FAILED: %d finding(s) reproduced" % r["reproduced"]
                                         if r["reproduced"] else "passed: nothing reproduced"))
    lines.append("- fuzzing phase: %s s asked, %s s used; whole run %s s" % (
        r["time_budget"], r["phase_seconds"], r["wall_seconds"]))
    lines.append("- engines: %s; slots: %s" % (", ".join(r["engines"]), r["jobs"]))
    cov = r["coverage"]
    lines.append("- coverage of decoder/ from the final corpus: lines %s, branches %s%s" % (
        _fmt_pct(cov.get("lines_pct")), _fmt_pct(cov.get("branches_pct")),
        " (HTML: %s)" % cov["html"] if cov.get("html") else ""))
    if r.get("plot"):
        lines.append("- coverage over time: %s" % r["plot"])
    lines += ["", "## Targets", "",
              "| target | engine | seconds | execs | exec/s | corpus files | unique crashes | notes |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    for t in r["targets"]:
        lines.append("| %s | %s | %.0f | %s | %s | %d | %d | %s |" % (
            t["name"], t["engine"], t["seconds"], format(t["execs"], ","), format(int(t["exec_per_sec"]), ","),
            t["corpus_files"], t["crashes_unique"], t.get("note", "")))
    lines += ["", "## Corpus upkeep (corpus/found/)", ""]
    for c in r.get("corpus", []):
        lines.append("- %s: %d files, %d bytes (+%d, -%d%s)" % (
            c["target"], c["files"], c["bytes"], c["added"], c["removed"],
            ", %d over the caps dropped" % c["dropped"] if c.get("dropped") else ""))
    lines += ["", "## Crashes, timeouts and OOMs", ""]
    if not r["crashes"]:
        lines.append("None reproduced.")
    for c in r["crashes"]:
        lines.append("### %s — %s in %s" % (c["target"], c["kind"], " > ".join(c["frames"]) or "?"))
        lines.append("")
        lines.append("- category: %s; seen by: %s; %d file(s) with this stack" % (
            c["category"], ", ".join(c["sources"]), c["files"]))
        lines.append("- dedup key: `%s`" % c["key"])
        if c.get("summary"):
            lines.append("- sanitizer: %s" % c["summary"])
        lines.append("- regression: `%s` (%d bytes%s)%s" % (
            c["regression"], c["size"], ", minimized" if c.get("minimized") else "",
            " — already recorded before this run" if c.get("known") else ""))
        lines.append("- standalone driver reproduces it: %s" % ("yes" if c.get("standalone") else
                                                                 "no" if c.get("standalone") is False else "not checked"))
        lines.append("- reproduce: `%s`" % c["reproduce"])
        lines.append("")
    if r.get("not_reproduced"):
        lines += ["", "Engine findings that did not reproduce (flaky or state carried over by persistent mode): %d"
                  % r["not_reproduced"]]
    if r.get("regressions_fixed"):
        lines += ["", "Regressions replayed that no longer fail (fixed bugs, kept so they stay fixed): %d"
                  % r["regressions_fixed"]]
    lines += ["", "## How to read this", "",
              "Each row is one (target, engine) pair. `execs` is the engine's own count (libFuzzer fork-mode "
              "status lines; AFL++ fuzzer_stats summed over main and secondaries). A crash is counted once per "
              "stack (sanitizer kind + top program frames), however many files the engines wrote; each unique "
              "one is minimized and kept in corpus/regressions/<target>/, where ctest replays it. "
              "See docs/campaigns.md.", ""]
    if r.get("notes"):
        lines += ["## Notes", ""] + ["- " + n for n in r["notes"]] + [""]
    return "\n".join(lines)


def write_plot(out_dir, series, basename="coverage-over-time"):
    """series: [(title, engine, [(seconds, cov, execs)])]. Returns the image path or None."""
    gnuplot = shutil.which("gnuplot")
    data_dir = os.path.join(out_dir, "plot-data")
    os.makedirs(data_dir, exist_ok=True)
    panels = {"libfuzzer": [], "afl": []}
    for i, (title, engine, rows) in enumerate(series):
        if not rows:
            continue
        path = os.path.join(data_dir, "%02d-%s.dat" % (i, title.replace("/", "-")))
        with open(path, "w", encoding="utf-8") as f:
            f.write("# seconds coverage execs\n")
            for row in rows:
                f.write("%d %d %d\n" % tuple(row))
        panels.setdefault(engine, []).append((title.split("/")[0], path))
    if not gnuplot or not any(panels.values()):
        return None
    terminals = subprocess.run([gnuplot, "-e", "set terminal"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")
    if "pngcairo" in terminals:
        image, term = basename + ".png", "pngcairo size 1400,560 font 'sans,10'"
    else:
        image, term = basename + ".svg", "svg size 1400,560"
    script = ["set terminal %s" % term, "set termoption noenhanced", "set output '%s'" % os.path.join(out_dir, image),
              "set multiplot layout 1,2 title 'Coverage over time, from the start of each pair'",
              "set xlabel 'seconds'", "set key outside right top", "set grid"]
    for engine, ylabel in (("libfuzzer", "libFuzzer cov (edges)"), ("afl", "AFL++ edges_found")):
        items = panels.get(engine) or []
        script.append("set title '%s'" % ylabel)
        script.append("set ylabel 'covered'")
        if items:
            script.append("plot " + ", ".join(
                "'%s' using 1:2 with linespoints lw 1.5 lc rgb '%s' pt %d ps 0.5 title '%s'"
                % (p, PALETTE[i % len(PALETTE)], 5 + i // len(PALETTE), t) for i, (t, p) in enumerate(items)))
        else:
            script.append("plot 0 with lines title 'not run'")
    script.append("unset multiplot")
    script_path = os.path.join(data_dir, "plot.gp")
    with open(script_path, "w", encoding="utf-8") as f:
        f.write("\n".join(script) + "\n")
    rc = subprocess.call([gnuplot, script_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = os.path.join(out_dir, image)
    return path if rc == 0 and os.path.isfile(path) else None
