#!/usr/bin/env python3
"""decoder_ci_test.py STEP ETWHF WORKDIR — ci/decoder-ci, the script of action.yml
and the GitLab template, run for real on the Python example decoder and on broken
variants of it (tests/examples/patched_decoder.py), with an etwhf already built
(ETWHF=…: no deps, no build). Outcomes are asserted, never times.

  clean     the example, batch protocol, L3, no campaign: exit 0, a passing summary
            (also appended to $GITHUB_STEP_SUMMARY), a JUnit report without failure
  broken    no-align8 (records not 8-aligned), L1: exit 1; the summary says FAILED,
            marks L1, gives a class with an --explain line that reruns the case
            from the artifact's parent folder, and a rerun-every-case line that exits 1
  process   the example per process ({args} {file}) and misread-source per process:
            exit 0 and 1
  adapter   ci/per_process_batch.py turns a per-process decoder into a batch worker
            with the same outcomes as `etwhf check --decoder`
  usage     bad arguments exit 2 and run nothing
  campaign  a `ci/fuzz --against` campaign bounded by rounds: no class for the
            example, a class for no-align8 whose rerun line from the summary fails
            as it should (skipped, exit 77, while ci/fuzz has no --against)
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(REPO, "ci", "decoder-ci")
ADAPTER = os.path.join(REPO, "ci", "per_process_batch.py")
EXAMPLE = os.path.join(REPO, "examples", "decoders", "python", "etwhf_decoder.py")
PATCHED = os.path.join(REPO, "tests", "examples", "patched_decoder.py")
PY = shlex.quote(sys.executable)
CORPUS = ["--count", "150", "--seed", "3"]  # small, and it holds L1 and L2 cases
# Rounds, not seconds, bound a campaign here (--time is far above what they take under load).
ROUNDS = "--rounds %d --round-size 300 --fuzzer none --minimize-time 5"


def fail(message):
    print("decoder-ci test: FAIL: " + message, file=sys.stderr)
    return 1


def run(etwhf, work, name, *args, env=None):
    """ci/decoder-ci with ETWHF set, --out WORK/NAME: (exit status, summary text, out)."""
    out = os.path.join(work, name)
    shutil.rmtree(out, ignore_errors=True)
    e = dict(os.environ, ETWHF=etwhf)
    e.pop("GITHUB_STEP_SUMMARY", None)  # only where a step sets it
    e.update(env or {})
    proc = subprocess.run([SCRIPT, "--out", out, "--jobs", "2", *args], env=e, cwd=work,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    log = proc.stdout.decode(errors="replace")
    print(log[-4000:])
    try:
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            summary = f.read()
    except OSError:
        summary = None
    return proc.returncode, summary, out


def junit_failures(out):
    root = ET.parse(os.path.join(out, "junit.xml")).getroot()
    return [tc.get("name") for tc in root.iter("testcase") if tc.find("failure") is not None]


def level_row(summary, level):
    return next((line for line in summary.splitlines() if line.startswith("| %s |" % level)), "")


def step_clean(etwhf, work):
    github = os.path.join(work, "github-step-summary.md")
    with open(github, "w", encoding="utf-8") as f:
        f.write("earlier step\n")
    status, summary, out = run(etwhf, work, "clean", "--decoder", "%s %s --batch" % (PY, shlex.quote(EXAMPLE)),
                               "--time", "0", *CORPUS, env={"GITHUB_STEP_SUMMARY": github})
    if status != 0 or summary is None:
        return fail("the clean example: exit %d, summary %s" % (status, "missing" if summary is None else "written"))
    if not summary.startswith("## etwhf decoder CI: passed"):
        return fail("the clean example's summary does not say passed:\n" + summary)
    for lv in ("L0", "L1", "L2", "L3"):
        if not level_row(summary, lv).endswith("| pass |"):
            return fail("%s is not a passing row: %r" % (lv, level_row(summary, lv)))
    if "| corpus |" not in summary or "| check |" not in summary:
        return fail("the step table lacks corpus or check")
    with open(github, encoding="utf-8") as f:
        if f.read() != "earlier step\n" + summary:
            return fail("GITHUB_STEP_SUMMARY does not end with the summary, after what was there")
    if junit_failures(out):
        return fail("junit.xml has failures for a clean decoder: %s" % junit_failures(out))
    return 0


def step_broken(etwhf, work):
    decoder = "%s %s no-align8 --batch" % (PY, shlex.quote(PATCHED))
    status, summary, out = run(etwhf, work, "broken", "--decoder", decoder, "--level", "L1", "--time", "0", *CORPUS)
    if status != 1 or summary is None:
        return fail("no-align8 at L1: exit %d (expected 1)" % status)
    if not summary.startswith("## etwhf decoder CI: FAILED") or "**FAIL**" not in level_row(summary, "L1"):
        return fail("the summary does not name the failure at L1:\n" + summary)
    if junit_failures(out) != ["L1 intact"]:
        return fail("junit.xml failures: %s, expected ['L1 intact']" % junit_failures(out))
    explain = [line for line in summary.splitlines() if line.startswith("| L1 |") and "--explain" in line]
    if not explain:
        return fail("no class row at L1 with an --explain line:\n" + summary)
    # The class's line runs from the folder holding the artifact, etwhf on PATH.
    line = explain[0].rsplit("| `", 1)[1].rstrip("` |")
    env = dict(os.environ, PATH=os.path.dirname(etwhf) + os.pathsep + os.environ["PATH"])
    proc = subprocess.run(line, shell=True, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False)
    text = proc.stdout.decode(errors="replace")
    if proc.returncode != 1 or "L1 intact   fails" not in text:  # --explain exits as the check would
        return fail("the --explain line %r: exit %d\n%s" % (line, proc.returncode, text[:3000]))
    rerun = summary.split("```sh\n", 1)[1].split("\n", 1)[0]
    proc = subprocess.run(rerun, shell=True, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False)
    with open(os.path.join(out, "check", "report.json"), encoding="utf-8") as f:
        report = json.load(f)
    if proc.returncode != 1 or "%d cases selected" % len(report["not_agreeing"]) not in proc.stdout.decode():
        return fail("the rerun line %r: exit %d\n%s" % (rerun, proc.returncode, proc.stdout.decode()[:2000]))
    return 0


def step_process(etwhf, work):
    small = ["--count", "24", "--seed", "3"]  # one interpreter per case: keep it small
    status, summary, _ = run(etwhf, work, "process", "--protocol", "process", "--decoder",
                             "%s %s {args} {file}" % (PY, shlex.quote(EXAMPLE)), "--time", "0", "--timeout", "60",
                             *small)
    if status != 0 or "(process protocol)" not in (summary or ""):
        return fail("the example per process: exit %d\n%s" % (status, summary))
    status, summary, _ = run(etwhf, work, "process-misread", "--protocol", "process", "--decoder",
                             "%s %s misread-source {args} {file}" % (PY, shlex.quote(PATCHED)), "--time", "0",
                             "--timeout", "60", "--count", "60", "--seed", "3")
    if status != 1 or "**FAIL**" not in level_row(summary or "", "L3"):
        return fail("misread-source per process: exit %d\n%s" % (status, summary))
    return 0


def check_ids(etwhf, corpus, option, cmd):
    proc = subprocess.run([etwhf, "check", corpus, option, cmd, "--jobs", "2", "--json"], stdout=subprocess.PIPE,
                          check=False)
    report = json.loads(proc.stdout)
    return proc.returncode, [(c["id"], c["outcome"], c["fields"]) for c in report["not_agreeing"]]


def step_adapter(etwhf, work):
    corpus = os.path.join(work, "adapter-corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    subprocess.run([etwhf, "gen", "--out", corpus, "--count", "30", "--seed", "3"], stdout=subprocess.DEVNULL,
                   check=True)
    for cmd in ("%s %s {args} {file}" % (PY, shlex.quote(EXAMPLE)),
                "%s %s misread-source {args} {file}" % (PY, shlex.quote(PATCHED)),
                "%s %s raise-on-payload {args} {file}" % (PY, shlex.quote(PATCHED))):
        direct = check_ids(etwhf, corpus, "--decoder", cmd)
        batch = check_ids(etwhf, corpus, "--decoder-batch", "%s %s %s" % (PY, shlex.quote(ADAPTER), shlex.quote(cmd)))
        print("%s: per process %s, through the adapter %s" % (cmd[-40:], direct[0], batch[0]))
        if direct != batch:
            return fail("%s: per process %s, through the adapter %s" % (cmd, direct, batch))
        if ("patched" in cmd) != bool(direct[1]):  # the broken ones must be caught, or the match proves little
            return fail("%s: %d cases do not agree" % (cmd, len(direct[1])))
    return 0


def step_usage(etwhf, work):
    for args in (["--level", "L5", "--decoder", "x"], ["--decoder", "x", "--protocol", "pipe"], ["--time", "1"],
                 ["--decoder", "x", "--timeout", "0"],
                 ["--decoder", "x", "--count", "0"], ["--decoder", "x", "--bogus"]):
        status, summary, out = run(etwhf, work, "usage", *args)
        if status != 2 or os.path.exists(os.path.join(out, "corpus")):
            return fail("%s: exit %d (expected 2, nothing run)" % (args, status))
    return 0


def step_campaign(etwhf, work):
    helptext = subprocess.run([os.path.join(REPO, "ci", "fuzz"), "--help"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, check=False).stdout.decode(errors="replace")
    if "--against" not in helptext:
        print("decoder-ci test: SKIP: ci/fuzz has no --against yet")
        return 77
    status, summary, out = run(etwhf, work, "campaign-clean", "--decoder", "%s %s --batch" % (PY, shlex.quote(EXAMPLE)),
                               "--time", "3000", "--fuzz-args", ROUNDS % 2, *CORPUS)
    if status != 0 or "**0 class(es)**" not in (summary or ""):
        return fail("a campaign against the clean example: exit %d\n%s" % (status, summary))
    decoder = "%s %s no-align8 --batch" % (PY, shlex.quote(PATCHED))
    status, summary, out = run(etwhf, work, "campaign-broken", "--decoder", decoder, "--level", "L1",
                               "--time", "3000", "--fuzz-args", ROUNDS % 1, *CORPUS)
    with open(os.path.join(out, "campaign", "report.json"), encoding="utf-8") as f:
        classes = json.load(f)["classes"]
    if status != 1 or not classes:
        return fail("a campaign against no-align8: exit %d, %d classes" % (status, len(classes)))
    # The class's rerun line, as the summary gives it, run from the artifact's parent folder.
    repro = os.path.relpath(os.path.join(out, "campaign", classes[0]["reproducer"]), work)
    row = next((line for line in summary.splitlines() if "`%s`" % repro in line), None)
    if row is None:
        return fail("the summary does not name the reproducer %s:\n%s" % (repro, summary))
    line = row.rsplit("| `", 1)[1].rstrip("` |")
    env = dict(os.environ, PATH=os.path.dirname(etwhf) + os.pathsep + os.environ["PATH"])
    proc = subprocess.run(line, shell=True, cwd=work, env=env, check=False)
    if proc.returncode != 1:
        return fail("the rerun line %r of the reproducer: exit %d, expected 1" % (line, proc.returncode))
    return 0


STEPS = {"clean": step_clean, "broken": step_broken, "process": step_process, "adapter": step_adapter,
         "usage": step_usage, "campaign": step_campaign}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in STEPS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    step, etwhf, work = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    os.makedirs(work, exist_ok=True)
    code = STEPS[step](etwhf, work)
    if code == 0:
        print("decoder-ci test %s: passed" % step)
    sys.exit(code)
