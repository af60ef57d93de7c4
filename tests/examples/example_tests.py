#!/usr/bin/env python3
"""example_tests.py STEP ETWHF ... — ctest steps for the Python example decoder.

  gen ETWHF DIR GEN-OPTIONS...    etwhf gen --out DIR --force GEN-OPTIONS
  check ETWHF DIR CMD [OPTS...]   etwhf check DIR --decoder CMD --mode both --strict-codes
                                  --all-heap-events --require L4 OPTS: every case must agree,
                                  at every conformance level
  batch ETWHF DIR CMD [OPTS...]   the same with --decoder-batch CMD (the batch protocol)
  held-out ETWHF DIR PYTHON       the decoder patched into a reader of exactly what public
                                  traces hold (patched_decoder.py observed-only), as a batch
                                  worker: it must agree at L0-L2 (--require L2 exits 0) and
                                  not at L3 (--require L3 exits 1)
  buggy ETWHF DIR PYTHON          the decoder with a real reading bug (no-align8: the next
                                  record at p + Size), as a batch worker: --require L1 exits 1
  misread ETWHF DIR PYTHON [--batch]
                                  the decoder patched to read Source 4 of 64-bit
                                  HeapFree payloads as 3 (patched_decoder.py), recover
                                  mode, per process or as a batch worker: the checker
                                  must report exactly the cases holding such an event,
                                  on the Source alone
  survives ETWHF DIR PYTHON       batch workers patched to raise on every bare payload:
                                  exactly the payload cases fail (status 70, the
                                  traceback as evidence), every other case agrees
  samples ETWHF SAMPLES PYTHON    the third-party samples, whole, cut short and as bare
                                  records: the example's lines and exit status equal
                                  etwhf decode's (an absent sample skips, exit 77;
                                  under CI=true it fails)
  clean ETWHF DIR...              removes each DIR
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "decoders", "python", "etwhf_decoder.py")
PATCHED = os.path.join(HERE, "patched_decoder.py")
SAMPLES = ("lxcore_kernel.etl", "ShutdownPerfDiagLogger.etl", "SelfDescribingSingleEvent.etl")
SKIP = 77


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    return 1


def run_check(etwhf, corpus, cmd, mode, *options, option="--decoder", full=True, show="20"):
    """etwhf check --json, with the example's options when full; returns (exit status, report)."""
    argv = [etwhf, "check", corpus, "--json", "--show", show, option, cmd, "--mode", mode,
            *(("--strict-codes", "--all-heap-events") if full else ()), *options]
    run = subprocess.run(argv, capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        report = None
    if report is None:
        print(run.stdout[-2000:], run.stderr[-2000:], file=sys.stderr)
    return run.returncode, report


def step_gen(etwhf, corpus, *options):
    run = subprocess.run([etwhf, "gen", "--out", corpus, "--force", *options], stdout=subprocess.DEVNULL)
    return run.returncode


def step_check(etwhf, corpus, cmd, *options, option="--decoder"):
    status, report = run_check(etwhf, corpus, cmd, "both", "--require", "L4", *options, option=option)
    if report is None:
        return fail(f"etwhf check exited {status} without a report")
    cpu = report["cpu_seconds"]
    print(f"{report['cases']} cases: {report['totals']}; {report['seconds']:.1f} s, "
          f"CPU checker {cpu['checker']:.1f} s, decoders {cpu['children']:.1f} s "
          f"({1000 * cpu['children'] / max(1, 2 * report['cases']):.1f} ms per run)")
    if status != 0 or not report["agreed"]:
        print(json.dumps({k: report[k] for k in ("by_fault", "by_field", "mismatches")}, indent=1)[:20000],
              file=sys.stderr)
        return fail(f"etwhf check exited {status}: not every case agrees")
    return 0


def step_batch(etwhf, corpus, cmd, *options):
    return step_check(etwhf, corpus, cmd, *options, option="--decoder-batch")


def step_misread(etwhf, corpus, python, batch=None):
    expected = set()
    with open(os.path.join(corpus, "manifest.jsonl"), encoding="utf-8") as f:
        next(f)
        for line in f:
            case = json.loads(line)
            if any(e["pointer_size"] == 8 and e["source"] == 4 for e in case["expect"]["events"]):
                expected.add(case["id"])
    if not expected:
        return fail("the corpus has no 64-bit HeapFree event with Source 4: the control would prove nothing")
    if batch not in (None, "--batch"):
        return fail(f"misread: unknown option {batch}")
    if batch:
        cmd = f"{shlex.quote(python)} {shlex.quote(PATCHED)} misread-source --batch"
    else:
        cmd = f"{shlex.quote(python)} {shlex.quote(PATCHED)} misread-source {{args}} {{file}}"
    status, report = run_check(etwhf, corpus, cmd, "recover",
                               option="--decoder-batch" if batch else "--decoder")
    if report is None:
        return fail(f"etwhf check exited {status} without a report")
    caught = {case["id"] for case in report["not_agreeing"]}
    fields = set(report["by_field"])
    print(f"misread decoder: exit {status}, {len(caught)} cases disagree "
          f"({len(expected)} hold a 64-bit HeapFree with Source 4); fields {sorted(fields)}")
    if status != 1:
        return fail(f"etwhf check exited {status}, expected 1 (a disagreement)")
    if caught != expected:
        return fail(f"caught {sorted(caught - expected)[:10]} not expected, "
                    f"missed {sorted(expected - caught)[:10]}")
    if fields != {"events.source", "heap_events.source"}:
        return fail(f"the disagreement is on {sorted(fields)}, not on the Source")
    return 0


def step_survives(etwhf, corpus, python):
    cmd = f"{shlex.quote(python)} {shlex.quote(PATCHED)} raise-on-payload --batch"
    status, report = run_check(etwhf, corpus, cmd, "both", option="--decoder-batch", show="1000")
    if report is None:
        return fail(f"etwhf check exited {status} without a report")
    layers = {g["name"]: g for g in report["by_layer"]}
    payload = layers.get("payload", {}).get("cases", 0)
    totals = report["totals"]
    print(f"raising batch workers: exit {status}, totals {totals}, {payload} payload cases")
    if not payload:
        return fail("the corpus has no payload case: the control would prove nothing")
    if status != 1 or totals["failed"] != payload or totals["agree"] != report["cases"] - payload:
        return fail(f"expected exactly the {payload} payload cases to fail and the rest to agree")
    for case in report["mismatches"]:
        first = case["differences"][0]
        if case["layer"] != "payload" or first["field"] != "exit_status" or \
                not first["got"].startswith("70: Traceback"):
            return fail(f"case {case['id']}: not a payload case failed with status 70 and its traceback: {case}")
    return 0


def levels_line(report):
    return ", ".join(f"{name} {lv['agree']}/{lv['total']}" if lv["judged"] else f"{name} not judged"
                     for name, lv in report["levels"].items())


def run_patched(etwhf, corpus, python, patch, level, *options):
    """The decoder with PATCH as a batch worker, recover mode, --require LEVEL: (exit status, report)."""
    cmd = f"{shlex.quote(python)} {shlex.quote(PATCHED)} {patch} --batch"
    status, report = run_check(etwhf, corpus, cmd, "recover", "--require", level, *options,
                               option="--decoder-batch", full=False)
    if report is not None:
        print(f"{patch}, --require {level}{' ' if options else ''}{' '.join(options)[:60]}: exit {status}; "
              f"{levels_line(report)}")
    return status, report


def step_held_out(etwhf, corpus, python):
    """observed-only: no reading bug, only what public traces never hold rejected."""
    status, report = run_patched(etwhf, corpus, python, "observed-only", "L2")
    if report is None:
        return fail(f"etwhf check exited {status} without a report")
    levels = report["levels"]
    if status != 0 or not all(levels[k]["judged"] and levels[k]["agree"] == levels[k]["total"] for k in ("L0", "L1", "L2")):
        print(json.dumps(report["mismatches"], indent=1)[:20000], file=sys.stderr)
        return fail("the held-out reader does not agree at every case of L0-L2")
    if not levels["L1"]["total"] or not levels["L2"]["total"]:
        return fail("the corpus has no case in L1 or L2: the control would prove nothing")
    if levels["L3"]["agree"] == levels["L3"]["total"]:
        return fail("the held-out reader agrees at L3: the corpus holds no shape it rejects")
    # --require L3 fails on any case that fails L3: a few of them show it.
    ids = ",".join(str(case["id"]) for case in report["not_agreeing"][:20])
    status, _ = run_patched(etwhf, corpus, python, "observed-only", "L3", "--id", ids)
    if status != 1:
        return fail(f"--require L3 exited {status}, expected 1")
    return 0


def step_buggy(etwhf, corpus, python):
    """no-align8: a real reading bug fails L1, where only observed and documented shapes are."""
    status, report = run_patched(etwhf, corpus, python, "no-align8", "L1")
    if report is None:
        return fail(f"etwhf check exited {status} without a report")
    l1 = report["levels"]["L1"]
    if status != 1 or not l1["judged"] or l1["agree"] == l1["total"]:
        return fail("the reading bug is not caught at L1")
    return 0


def same_lines(ours, theirs, size):
    """Equal lines, except that the summary's `bytes` must be the input's length
    in ours: etwhf decode counts the bytes it had read when the walk ended, which
    is less when a walk ends before the input does (a bare-record walk abandoned
    at its first record, say)."""
    ours, theirs = ours.splitlines(), theirs.splitlines()
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs):
        if a.startswith('{"type":"summary"') and b.startswith('{"type":"summary"'):
            a, b = json.loads(a), json.loads(b)
            if a.pop("bytes") != size:
                return False
            b.pop("bytes")
        if a != b:
            return False
    return True


def step_samples(etwhf, samples, python):
    """Each sample whole, cut at two thirds (a buffer cut short: TRUNCATED_TAIL, in a
    compressed buffer for the compressed sample) and walked as bare records, in both
    modes: the example's lines and exit status equal etwhf decode's."""
    compared = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in SAMPLES:
            path = os.path.join(samples, name)
            if not os.access(path, os.R_OK):
                if os.environ.get("CI") == "true":
                    return fail(f"sample {name} not found in '{samples}' "
                                "(CI=true: a missing sample is a failure)")
                print(f"SKIP: sample {name} not found in '{samples}'", file=sys.stderr)
                return SKIP
            with open(path, "rb") as f:
                data = f.read()
            cut = os.path.join(tmp, "cut-" + name)
            with open(cut, "wb") as f:
                f.write(data[:len(data) * 2 // 3])
            for args in (["--stats", path], ["--stats", "--strict", cut], ["--stats", cut],
                         ["--stats", "--input", "record", path]):
                ours = subprocess.run([python, EXAMPLE, *args], capture_output=True, text=True)
                theirs = subprocess.run([etwhf, "decode", *args], capture_output=True, text=True)
                summary = (ours.stdout.strip().splitlines() or ["(nothing)"])[-1]
                shown = " ".join(os.path.basename(a) for a in args)
                print(f"{shown}: exit {ours.returncode}; {summary}")
                if not same_lines(ours.stdout, theirs.stdout, os.path.getsize(args[-1])) \
                        or ours.returncode != theirs.returncode:
                    print(f"  example (exit {ours.returncode}):\n{ours.stdout[:3000]}{ours.stderr[-2000:]}"
                          f"  etwhf decode (exit {theirs.returncode}):\n{theirs.stdout[:3000]}",
                          file=sys.stderr)
                    return fail(f"{shown}: the example's output differs from etwhf decode's")
                compared += 1
    print(f"{compared} runs on {len(SAMPLES)} samples: the same lines as etwhf decode")
    return 0


def step_clean(etwhf, *corpora):
    del etwhf
    for corpus in corpora:
        shutil.rmtree(corpus, ignore_errors=True)
    return 0


STEPS = {"gen": step_gen, "check": step_check, "batch": step_batch, "misread": step_misread, "survives": step_survives,
         "held-out": step_held_out, "buggy": step_buggy, "samples": step_samples, "clean": step_clean}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in STEPS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(STEPS[sys.argv[1]](*sys.argv[2:]))
