"""ci/fuzz --against: one round judged by `etwhf check`, and each disagreement's class.

Inputs the generator wrote are judged against their own manifest (the
generator's expectation; levels L1/L2 too). Any other input (a mutation, a
unit libFuzzer kept) goes through `etwhf gen --from`: a referee corpus whose
expectation is etwhf's decoder's reading of each file (docs/spec/conformance.md
§5). For a file case at L0, L3 or L4 both give the same expectation (etwhf's
decoder agrees with its generator on every generated case), so a class found
either way reruns as `etwhf check FILE --decoder-batch CMD --require Lk`.

A class key (docs/campaigns.md): the lowest level the input fails, the first
differing field (without its event index), the header form of the first
differing event (its family: system, not system64), the first error the
expectation names ("ok" when none; only when no event differs), and the
decoder's stderr signature (exception type and innermost frame of a Python
traceback, a signal, or nothing).
"""
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess

# The levels a key names: a failure at L1 or L2 is one at L3 as well
# (docs/spec/conformance.md), so L0, L3, L4 first keep keys alike whichever
# manifest judged the input.
LEVEL_ORDER = ("L0", "L3", "L4", "L1", "L2")
NO_ANSWER = ("crash", "timeout", "failed")
NO_EVENT = "(no differing event)"  # check's first_differing_header when no event differed


class CannotRun(Exception):
    """etwhf check could not run the round (usage, unreadable corpus, no decoder)."""


def check_argv(etwhf, target, cmd, require, jobs, timeout):
    argv = [etwhf, "check", target, "--decoder-batch", cmd, "--require", require]
    if require == "L4":  # the level needs everything compared (docs/check.md)
        argv += ["--strict-codes", "--all-heap-events", "--mode", "both"]
    return argv + ["--timeout", str(timeout), "--jobs", str(jobs)]


def rerun_line(etwhf, target, cmd, require):
    """The shell line that reruns a reproducer: the file (or case folder) and the command."""
    argv = check_argv(etwhf, target, cmd, require, 1, 10)[:-4]
    return " ".join(shlex.quote(a) for a in argv)


def referee_corpus(etwhf, inputs_dir, corpus_dir):
    """`etwhf gen --from`: the referee's expectation for every file of inputs_dir."""
    shutil.rmtree(corpus_dir, ignore_errors=True)  # gen --force empties only folders of its own names
    r = subprocess.run([etwhf, "gen", "--from", inputs_dir, "--out", corpus_dir],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise CannotRun("etwhf gen --from %s: %s" % (inputs_dir, r.stderr.strip()))


def start_check(etwhf, corpus_dir, cmd, require, jobs, timeout, extra=()):
    """Starts judging a corpus (the --json report goes to a file beside it): the campaign
    prepares the next round meanwhile. `extra`: more check options (a --layer filter)."""
    argv = check_argv(etwhf, corpus_dir, cmd, require, jobs, timeout) + ["--json", "--show", "1000000"] + list(extra)
    out = open(corpus_dir.rstrip("/") + ".check.json", "w+b")
    err = open(corpus_dir.rstrip("/") + ".check.err", "w+b")
    return subprocess.Popen(argv, stdout=out, stderr=err), argv, out, err


def finish_check(started):
    """The --json report of a started check; CannotRun when check could not judge the corpus."""
    proc, argv, out, err = started
    rc = proc.wait()
    out.seek(0)
    err.seek(0)
    text, why = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    out.close()
    err.close()
    if rc not in (0, 1):
        raise CannotRun("%s: exit %d: %s" % (" ".join(map(shlex.quote, argv)), rc, why.strip()[-600:]))
    try:
        return json.loads(text)
    except ValueError:
        raise CannotRun("etwhf check printed no JSON report: %s" % why[-600:])


def run_check(etwhf, corpus_dir, cmd, require, jobs, timeout):
    return finish_check(start_check(etwhf, corpus_dir, cmd, require, jobs, timeout))


_FILE = re.compile(r'"file":"((?:[^"\\]|\\.)*)"')


def manifest_lines(corpus_dir):
    """{file: line text} and the header line of a corpus's manifest. Lines are parsed only
    for the cases that disagree: a round's manifest is megabytes of expectations."""
    cases, header = {}, None
    with open(os.path.join(corpus_dir, "manifest.jsonl"), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            if header is None:
                header = line
                continue
            m = _FILE.search(line)
            if m:
                cases[json.loads('"%s"' % m.group(1))] = line
    return header, cases


_FRAME = re.compile(r'File "([^"]*)", line \d+, in (\S+)')
_EXC = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Fault))\b")


def stderr_signature(runs):
    """Exception type and innermost frame, a signal, or "" — from the runs' stderr tails."""
    for mode in ("recover", "strict"):
        run = (runs or {}).get(mode)
        if not run:
            continue
        if run.get("signal"):
            return "signal %s" % run["signal"]
        tail = run.get("stderr_tail") or ""
        frames = _FRAME.findall(tail)
        exc = ""
        for line in tail.splitlines():
            m = _EXC.match(line.strip())
            if m:
                exc = m.group(1)
        if frames or exc:
            where = "%s:%s" % (os.path.basename(frames[-1][0]), frames[-1][1]) if frames else "?"
            return "%s at %s" % (exc or "traceback", where)
    return ""


def class_key(entry, detail, expect):
    """(level, field, header, first diagnostic, stderr signature) of one disagreement."""
    failed = entry.get("levels_failed") or []
    level = next((lv for lv in LEVEL_ORDER if lv in failed), failed[0] if failed else "L4")
    outcome = entry.get("outcome", "disagree")
    diffs = (detail or {}).get("differences") or []
    if outcome in NO_ANSWER:
        field = outcome
    elif diffs:
        field = re.sub(r"\[\d+\]", "", diffs[0]["field"])  # events[3].address: one class whatever the index
    else:
        field = (entry.get("fields") or ["?"])[0]
    header = entry.get("first_differing_header") or NO_EVENT
    if header[-2:] in ("32", "64"):  # system64 and system32: one family, one class
        header = header[:-2]
    # The expected first error names the rule at stake when no event differs (a verdict, a
    # code); when an event differs it mostly names the faults drawn around the mistake, and
    # would split one mistake into as many classes as the generator has faults. A crash,
    # timeout or failed run is told apart by its stderr signature instead.
    fe = (expect or {}).get("first_error")
    diag = (fe["code"] if fe else "ok") if header == NO_EVENT and field not in NO_ANSWER else "-"
    return (level, field, header, diag, stderr_signature((detail or {}).get("runs")))


def class_id(key):
    slug = re.sub(r"[^A-Za-z0-9.]+", "_", "%s-%s-%s" % (key[0], key[1], key[3])).strip("_")
    return "%s-%s" % (slug[:48], hashlib.sha1(repr(key).encode()).hexdigest()[:8])


class Failure:
    """One input that did not agree: where it is, its key, what the report said."""

    def __init__(self, path, key, entry, detail, line, header_line, faults):
        self.path = path
        self.key = key
        self.entry = entry
        self.detail = detail
        self.line = line                 # its manifest line, to rebuild a one-case corpus
        self.header_line = header_line   # the manifest's first line
        self.faults = faults


def failures(corpus_dir, report, require):
    """Every input of a judged round that fails a level up to `require`, with its class key
    (a case that differs only in what a higher level compares is no finding)."""
    header, cases = manifest_lines(corpus_dir)
    details = {m["id"]: m for m in report.get("mismatches", [])}
    wanted = {"L%d" % i for i in range(int(require[1]) + 1)}
    out = []
    for entry in report.get("not_agreeing", []):
        if not wanted & set(entry.get("levels_failed") or []):
            continue
        line = cases.get(entry["file"])
        case = json.loads(line) if line else {}
        key = class_key(entry, details.get(entry["id"]), case.get("expect"))
        out.append(Failure(os.path.join(corpus_dir, entry["file"]), key, entry, details.get(entry["id"]), line,
                           header, entry.get("faults") or []))
    return out


def judge(etwhf, corpus_dir, cmd, require, jobs, timeout):
    """(failures, cases judged, report) of a corpus."""
    return judged(corpus_dir, run_check(etwhf, corpus_dir, cmd, require, jobs, timeout), require)


def judged(corpus_dir, report, require):
    return failures(corpus_dir, report, require), int(report.get("cases", 0)), report
