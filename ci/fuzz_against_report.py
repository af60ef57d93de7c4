"""ci/fuzz --against: report.json, report.md and the plot (classes over time beside the
referee's coverage), in the style of the engine campaign's report (ci/fuzz_report.py)."""
import os
import shutil
import subprocess

import fuzz_report


def render_markdown(r):
    lines = ["# Campaign against a decoder", ""]
    n = len(r["classes"])
    lines.append("- verdict: **%s**" % ("FAILED: %d class(es) of disagreement" % n if n else
                                         "passed: no disagreement at %s" % r["require"]))
    lines.append("- decoder: `%s`" % r["against"])
    lines.append("- level required: %s (referee: etwhf's decoder, %s)" % (r["require"], r["etwhf"]))
    lines.append("- %s inputs in %.0f s: %s inputs/s (generator %s, mutations %s, fuzzer units %s); "
                 "%d rounds; seed %s" % (format(r["inputs"], ","), r["time_s"], format(int(r["inputs_per_s"]), ","),
                                         format(r["by_source"].get("gen", 0), ","),
                                         format(r["by_source"].get("mut", 0), ","),
                                         format(r["by_source"].get("fuzzer", 0), ","), r["rounds"], r["seed"]))
    if r.get("coverage") is not None:
        lines.append("- referee coverage (libFuzzer edges of fuzz_file_sa): %s" % r["coverage"])
    if r.get("plot"):
        lines.append("- classes and coverage over time: %s" % r["plot"])
    lines += ["", "## Classes", ""]
    if not n:
        lines.append("None.")
    else:
        lines += ["| class | level | field | header | expected first error | decoder stderr | count | first seen (s) "
                  "| size (minimized) | reproduces |", "|---|---|---|---|---|---|---:|---:|---|---|"]
        for c in r["classes"]:
            lines.append("| `%s` | %s | %s | %s | %s | %s | %d | %.1f | %d (%d) | %s |" % (
                c["id"], c["level"], c["field"], c["header"], c["diagnostic"], c["stderr"] or "-", c["count"],
                c["first_seen_s"], c["size"], c["minimized_size"],
                {True: "yes", False: "NO"}.get(c.get("reproduces"), "not checked")))
        lines.append("")
        for c in r["classes"]:
            lines += ["### %s" % c["id"], "",
                      "- found by: %s input%s" % (c["source"], " (faults: %s)" % ", ".join(c["faults"])
                                                   if c.get("faults") else ""),
                      "- reproducer: `%s`" % c["reproducer"], "- rerun: `%s`" % c["rerun"]]
            if c.get("difference"):
                lines.append("- first difference: %s" % c["difference"])
            lines.append("")
    lines += ["## How to read this", "",
              "Every input is judged by `etwhf check` against etwhf's decoder, the referee: generated inputs "
              "against their manifest, any other input against etwhf's reading of it (`etwhf gen --from`). "
              "Disagreements are grouped by class (level, first differing field, header form, expected first "
              "error, decoder stderr signature); the first input of a class is minimized while the class "
              "persists and kept under classes/<class>/ with rerun.sh. See docs/campaigns.md, "
              "\"Against your decoder\".", ""]
    if r.get("notes"):
        lines += ["## Notes", ""] + ["- " + x for x in r["notes"]] + [""]
    return "\n".join(lines)


def write_plot(out_dir, timeline):
    """timeline: [(seconds, classes, coverage or None)]. Returns the image's name or None."""
    gnuplot = shutil.which("gnuplot")
    data_dir = os.path.join(out_dir, "plot-data")
    os.makedirs(data_dir, exist_ok=True)
    data = os.path.join(data_dir, "timeline.dat")
    with open(data, "w", encoding="utf-8") as f:
        f.write("# seconds classes referee_coverage\n")
        for t, n, cov in timeline:
            f.write("%.1f %d %s\n" % (t, n, "NaN" if cov is None else cov))
    if not gnuplot or not timeline:
        return None
    terminals = subprocess.run([gnuplot, "-e", "set terminal"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")
    if "pngcairo" in terminals:
        image, term = "plot.png", "pngcairo size 1000,480 font 'sans,10'"
    else:
        image, term = "plot.svg", "svg size 1000,480"
    has_cov = any(c is not None for _, _, c in timeline)
    script = ["set terminal %s" % term, "set termoption noenhanced",
              "set output '%s'" % os.path.join(out_dir, image),
              "set title 'Classes of disagreement over time, beside the referee coverage'",
              "set xlabel 'seconds'", "set ylabel 'classes'", "set grid", "set key left top",
              "set yrange [0:*]"]
    plot = "plot '%s' using 1:2 with steps lw 2 lc rgb '%s' title 'classes'" % (data, fuzz_report.PALETTE[3])
    if has_cov:
        script += ["set y2label 'referee edges (libFuzzer cov)'", "set y2tics", "set ytics nomirror"]
        plot += (", '%s' using 1:3 axes x1y2 with linespoints lw 1.5 pt 7 ps 0.5 lc rgb '%s' title 'referee coverage'"
                 % (data, fuzz_report.PALETTE[0]))
    script.append(plot)
    script_path = os.path.join(data_dir, "plot.gp")
    with open(script_path, "w", encoding="utf-8") as f:
        f.write("\n".join(script) + "\n")
    rc = subprocess.call([gnuplot, script_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return image if rc == 0 and os.path.isfile(os.path.join(out_dir, image)) else None


def write(out_dir, report):
    fuzz_report.write_json(os.path.join(out_dir, "report.json"), report)
    with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as f:
        f.write(render_markdown(report))
