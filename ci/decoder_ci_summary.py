"""The summary of ci/decoder-ci: OUT/summary.md (the job summary) and OUT/junit.xml
(GitLab's test report), from OUT/steps.tsv, OUT/check/report.json (`etwhf check
--json`) and OUT/campaign/report.json (`ci/fuzz --against`).

Paths in the rerun lines start with the name of OUT, so they work from the folder
that holds the unpacked artifact (the action names the artifact after OUT)."""
import argparse
import json
import os
import re
import shlex
import sys
from xml.sax.saxutils import escape, quoteattr

LEVELS = ("L0", "L1", "L2", "L3", "L4")
CLASS_ROWS = 20  # classes shown per table; the reports hold them all


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_steps(out):
    rows = []
    try:
        with open(os.path.join(out, "steps.tsv"), encoding="utf-8") as f:
            for line in f:
                name, secs, status = line.rstrip("\n").split("\t")
                rows.append((name, float(secs), int(status)))
    except (OSError, ValueError):
        pass
    return rows


def required(level):
    return LEVELS[:LEVELS.index(level) + 1]


def decoder_option(protocol):
    return "--decoder-batch" if protocol == "batch" else "--decoder"


def check_classes(report, level):
    """The cases that fail a required level, grouped by (lowest level failed,
    outcome, first differing field): [(key, [case...])], largest first."""
    need = set(required(level))
    groups = {}
    for case in report.get("not_agreeing", []):
        failed = [lv for lv in case.get("levels_failed", []) if lv in need]
        if not failed:
            continue
        fields = case.get("fields") or ["(none)"]
        key = (min(failed), case.get("outcome", "?"), fields[0])
        groups.setdefault(key, []).append(case)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def campaign_rerun(cls, repro, cmd_opt):
    """A class's rerun line from the artifact's parent folder, in the agreed form
    `etwhf check FILE --decoder-batch CMD --require Lk`, rebuilt rather than copied:
    the campaign's own line runs in its folder, where a decoder command with a
    relative path breaks, and per process it names ci/per_process_batch.py at a path
    of the CI machine. The level is the campaign's (it knows which levels a one-file
    check judges)."""
    level = re.search(r"--require (L[0-4])\b", cls.get("rerun") or "")
    line = "etwhf check %s %s" % (repro, cmd_opt)
    if level:
        line += " --require " + level.group(1)
        if level.group(1) == "L4":  # what L4 needs compared, as the check step ran it
            line += " --strict-codes --all-heap-events --mode both"
    return line


def md_code(text):
    return "`` %s ``" % text.replace("`", "'") if "`" in text else "`%s`" % text


def render(args, steps, check, campaign, name):
    cmd_opt = "%s %s" % (decoder_option(args.protocol), shlex.quote(args.decoder))
    check_failed = check is not None and not check.get("passed", False)
    classes = campaign.get("classes", []) if campaign else []
    # the fuzzer build is best effort: the campaign's notes say what its absence costs
    failed_steps = [s for s in steps if s[2] not in (0, 1) and s[0] != "fuzzer"]
    ok = not check_failed and not classes and not failed_steps and check is not None
    lines = ["## etwhf decoder CI: %s" % ("passed" if ok else "FAILED"), ""]
    lines.append("Decoder (%s protocol): %s; required level **%s**; corpus `etwhf gen --count %s --seed %s`; "
                 "campaign %s." % (args.protocol, md_code(args.decoder), args.level, args.count, args.seed,
                                   "%s s" % args.time if int(args.time) else "off"))
    lines += ["", "| step | seconds | exit |", "|---|---:|---:|"]
    lines += ["| %s | %.1f | %d |" % s for s in steps]
    logs = {"build": "build.log", "check": "check/stderr.txt", "corpus": "corpus.log"}
    for s in failed_steps:
        lines += ["", "**Step `%s` could not run (exit %d)**: see the job log%s." %
                  (s[0], s[2], " and `%s/%s`" % (name, logs[s[0]]) if s[0] in logs else "")]

    lines += ["", "### Conformance levels (`etwhf check`)", ""]
    if check is None:
        lines.append("No check report (`%s/check/report.json`): the check did not run to its end." % name)
    else:
        lines += ["| level | name | agree | total | |", "|---|---|---:|---:|---|"]
        need = required(args.level)
        for lv in LEVELS:
            info = check.get("levels", {}).get(lv, {})
            if not info.get("judged"):
                why = info.get("reason", "") if lv in need else "only with level %s" % lv
                lines.append("| %s | %s | | | not judged: %s |" % (lv, info.get("name", ""), why))
                continue
            good = info["agree"] == info["total"]
            mark = ("pass" if good else "**FAIL**") if lv in need else ("agrees" if good else "fails (not required)")
            lines.append("| %s | %s | %d | %d | %s |" % (lv, info.get("name", ""), info["agree"], info["total"], mark))
        groups = check_classes(check, args.level)
        if groups:
            total = sum(len(c) for _, c in groups)
            lines += ["", "%d case(s) fail a required level, in %d class(es) (lowest level failed, outcome, "
                      "first differing field):" % (total, len(groups)), "",
                      "| level | outcome | field | cases | first case | explain it |", "|---|---|---|---:|---|---|"]
            for (lv, outcome, field), cases in groups[:CLASS_ROWS]:
                first = cases[0]
                explain = "etwhf check %s/corpus --id %d --explain %s" % (name, first["id"], cmd_opt)
                lines.append("| %s | %s | %s | %d | `%s` | %s |" % (lv, outcome, field, len(cases), first["file"],
                                                                   md_code(explain)))
            if len(groups) > CLASS_ROWS:
                lines.append("| … %d more in `%s/check/report.json` | | | | | |" % (len(groups) - CLASS_ROWS, name))
            lines += ["", "Rerun every failing case:", "", "```sh",
                      "etwhf check %s/corpus --rerun-failed %s/check/report.json %s --require %s"
                      % (name, name, cmd_opt, args.level), "```"]

    if int(args.time):
        lines += ["", "### Campaign (`ci/fuzz --against`)", ""]
        if campaign is None:
            lines.append("No campaign report (`%s/campaign/report.json`)." % name)
        else:
            lines.append("%s inputs in %s s (%s/s): **%d class(es)**." % (
                campaign.get("inputs", "?"), campaign.get("time_s", "?"), campaign.get("inputs_per_s", "?"),
                len(classes)))
            if classes:
                lines += ["", "| level | field | header | count | first seen (s) | reproducer | rerun |",
                          "|---|---|---|---:|---:|---|---|"]
                for c in classes[:CLASS_ROWS]:
                    repro = "%s/campaign/%s" % (name, c.get("reproducer", "?"))
                    rerun = campaign_rerun(c, repro, cmd_opt)
                    caveat = " (its rerun did not reproduce it)" if c.get("reproduces") is False else ""
                    lines.append("| %s | %s | %s | %s | %s | `%s`%s | %s |" % (
                        c.get("level", "?"), c.get("field", "?"), c.get("header", ""), c.get("count", "?"),
                        c.get("first_seen_s", "?"), repro, caveat, md_code(rerun)))
                if len(classes) > CLASS_ROWS:
                    lines.append("| … %d more in `%s/campaign/report.md` | | | | | | |" % (len(classes) - CLASS_ROWS, name))
            for note in campaign.get("notes", []):
                lines += ["", "Note: " + note]
    held = "`check/report.json`, `corpus/`" + (", `campaign/report.md`, `campaign/classes/`" if int(args.time) else "")
    lines += ["", "Reports, reproducers and the corpus: the artifact `%s` (%s). The rerun lines need `etwhf` on PATH "
              "and run from the folder that holds the unpacked artifact, with your decoder's command working there "
              "as it does in CI." % (name, held), ""]
    return "\n".join(lines)


def junit(args, check, campaign):
    """One test case per required level, one per campaign class (or one for none)."""
    suites = []
    if check is not None:
        cases = []
        for lv in required(args.level):
            info = check.get("levels", {}).get(lv, {})
            body = ""
            if not info.get("judged"):
                body = "<failure message=%s/>" % quoteattr("not judged: %s" % info.get("reason", ""))
            elif info["agree"] != info["total"]:
                body = "<failure message=%s/>" % quoteattr("%d of %d cases agree" % (info["agree"], info["total"]))
            cases.append('<testcase classname="etwhf.check" name=%s>%s</testcase>'
                         % (quoteattr("%s %s" % (lv, info.get("name", ""))), body))
        suites.append(("etwhf check", cases))
    if campaign is not None:
        cases = []
        for c in campaign.get("classes", []):
            msg = "%s %s: %s input(s)" % (c.get("level", "?"), c.get("field", "?"), c.get("count", "?"))
            cases.append('<testcase classname="etwhf.campaign" name=%s><failure message=%s>%s</failure></testcase>'
                         % (quoteattr("class %s" % c.get("reproducer", "?")), quoteattr(msg), escape(c.get("rerun", ""))))
        if not cases:
            cases.append('<testcase classname="etwhf.campaign" name="no class"></testcase>')
        suites.append(("etwhf campaign", cases))
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for suite, cases in suites:
        fails = sum("<failure" in c for c in cases)
        out.append('<testsuite name=%s tests="%d" failures="%d">' % (quoteattr(suite), len(cases), fails))
        out += cases
        out.append("</testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def main(argv):
    p = argparse.ArgumentParser(prog="decoder_ci_summary.py")
    for key in ("out", "decoder", "protocol", "level", "time", "seed", "count"):
        p.add_argument("--" + key, required=True)
    args = p.parse_args(argv)
    name = os.path.basename(os.path.normpath(args.out))
    check = load_json(os.path.join(args.out, "check", "report.json"))
    campaign = load_json(os.path.join(args.out, "campaign", "report.json")) if int(args.time) else None
    with open(os.path.join(args.out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(render(args, read_steps(args.out), check, campaign, name))
    with open(os.path.join(args.out, "junit.xml"), "w", encoding="utf-8") as f:
        f.write(junit(args, check, campaign))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
