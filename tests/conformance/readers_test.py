#!/usr/bin/env python3
"""readers_test.py STEP ETWHF WORKDIR — ctest steps for the third-party reader adapters.

  protocol ETWHF WORKDIR          the adapters' shared plumbing (examples/decoders/common)
                                  with a stub library: batch end lines and statuses, a
                                  payload request answered with status 2, an exception
                                  turned into one error line, a library that cannot be
                                  imported (exit 3); runs everywhere
  etl-parser ETWHF WORKDIR        airbus-cert/etl-parser over small generated corpora:
  dissect.etl ETWHF WORKDIR       fox-it/dissect.etl likewise. Each checks what
                                  docs/conformance/findings/ says of that reader: every
                                  case is answered (no failed, crash or timeout), every
                                  disagreement falls in a named class
                                  (ci/conformance_classes.py), and the classes below
                                  show up where the findings say, each at the level
                                  the findings give it. Exit 77 (ctest's
                                  SKIP_RETURN_CODE) with "skipped: … not importable" when
                                  the library is absent, as in CI.

The libraries are found as the adapters find them: ETWHF_ETL_PARSER_PATH,
ETWHF_DISSECT_PATH (the CMake cache variable ETWHF_READERS_DIR sets both).
"""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DECODERS = os.path.join(ROOT, "examples", "decoders")
CLASSES = os.path.join(ROOT, "ci", "conformance_classes.py")
SKIP = 77
ADAPTERS = {"etl-parser": os.path.join(DECODERS, "etl-parser", "etl_parser_adapter.py"),
            "dissect.etl": os.path.join(DECODERS, "dissect-etl", "dissect_etl_adapter.py")}

# (corpus name, gen options, {class: its level}, classes that must not show up).
# Each corpus is generated so that the named classes are first causes in its cases;
# a class must show up there at exactly the level given — the lowest level its cases
# fail (docs/conformance/README.md). `--evidence documented` keeps chosen shapes out,
# so the cases are in L1's or L2's set; a corpus without it holds the chosen form
# its --header names.
DOCUMENTED = ["--evidence", "documented"]
EXPECT = {
    "etl-parser": [
        # compressed traces: only the header buffer is framed, silently
        ("compressed", ["--header", "system64", "--pointer-size", "8", "--faults", "none",
                        "--compressed-rate", "1000", "--count", "12", *DOCUMENTED], {"ep.compression": "L1"}, set()),
        # INSTANCE neighbours, short MESSAGE records: an exception ends the file; a header
        # buffer with SavedOffset 0 (observed, walk.md B6.0): nothing is framed
        ("system64", ["--header", "system64", "--pointer-size", "8", "--faults", "none",
                      "--compressed-rate", "0", "--count", "40", *DOCUMENTED],
         {"ep.instance": "L1", "ep.message": "L1", "ep.saved-offset-zero": "L1"}, {"ep.compression"}),
        # heap events in PERFINFO records (chosen) with PMC counters: extension bytes read as payload
        ("perfinfo64", ["--header", "perfinfo64", "--pointer-size", "8", "--faults", "none",
                        "--compressed-rate", "0", "--count", "40"], {"ep.perfinfo-ext": "L3"}, set()),
        # damage: a file cut at a buffer boundary reads as complete; a damaged record
        # takes the records before it in its buffer along
        ("damaged", ["--header", "system64", "--pointer-size", "8", "--faults",
                     "truncated_at_boundary,marker_cleared", "--fault-rate", "1000", "--max-faults", "1",
                     "--compressed-rate", "0", "--count", "30", *DOCUMENTED],
         {"ep.truncation": "L2", "ep.whole-buffer": "L2"}, set()),
    ],
    "dissect.etl": [
        # HeapFree in EVENT_HEADER64 records (chosen): the ProviderId is read big-endian, no event
        ("event64", ["--header", "event64", "--pointer-size", "8", "--faults", "none",
                     "--compressed-rate", "0", "--count", "12"], {"ds.provider-byte-order": "L3"}, set()),
        # 64-bit SYSTEM heap events: the manifest's 32-bit fields misread every one
        ("system64", ["--header", "system64", "--pointer-size", "8", "--faults", "none",
                      "--compressed-rate", "0", "--count", "20", *DOCUMENTED], {"ds.pointer-uint32": "L1"}, set()),
        # 32-bit SYSTEM heap events: EtwPointer.as_32bit raises TypeError
        ("system32", ["--header", "system32", "--pointer-size", "4", "--faults", "none",
                      "--compressed-rate", "0", "--count", "12", *DOCUMENTED], {"ds.as-32bit": "L1"}, set()),
        # damage: a compression format other than XPRESS is expanded as XPRESS, silently
        ("damaged", ["--header", "system64", "--pointer-size", "8", "--faults", "compression_format_unsupported",
                     "--fault-rate", "1000", "--compressed-rate", "1000", "--count", "12", *DOCUMENTED],
         {"ds.compression-format": "L2"}, set()),
    ],
}


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    return 1


def environment():
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, env=environment(), **kw)


def gen(etwhf, corpus, options):
    done = run([etwhf, "gen", "--out", corpus, "--force", "--layer", "file", "--seed", "31", *options])
    if done.returncode != 0:
        raise RuntimeError("etwhf gen failed: " + done.stderr)


# ---- the shared plumbing, with a stub library ------------------------------------------

STUB = '''
import os, sys
sys.path.insert(0, %(common)r)
import reader_adapter as ra

class Stub:
    name = "stub"
    def probe(self):
        if os.environ.get("STUB_ABSENT"):
            raise ImportError("No module named 'stub_library'")
        return {"reader": "stub"}
    def decode(self, path, report):
        data = open(path, "rb").read()
        report.counts["events_total"] = 1
        if data.startswith(b"RAISE"):
            try:
                raise ValueError("stub cannot read this")
            except ValueError as e:
                report.library_raised(e)
            return
        # one HeapFree read from the first 20 bytes, as a 64-bit payload
        ra.payload_event(report, ra.HEAP_FREE, 8, data[:20])

sys.exit(ra.main(Stub()))
'''


def step_protocol(etwhf, work):
    os.makedirs(work, exist_ok=True)
    stub = os.path.join(work, "stub_adapter.py")
    with open(stub, "w") as f:
        f.write(STUB % {"common": os.path.join(DECODERS, "common")})
    good, bad, short = (os.path.join(work, n) for n in ("good.etl", "bad.etl", "short.etl"))
    with open(good, "wb") as f:
        f.write((0x1000).to_bytes(8, "little") + (0x1040).to_bytes(8, "little") + (3).to_bytes(4, "little"))
    with open(bad, "wb") as f:
        f.write(b"RAISE")
    with open(short, "wb") as f:
        f.write(b"\1\2\3")
    py = sys.executable
    # per process
    done = run([py, stub, "--stats", good])
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    if done.returncode != 0 or lines[0] != {"type": "HeapFree", "heap_handle": "0x1000", "address": "0x1040",
                                            "source": 3, "pointer_size": 8} or lines[-1]["type"] != "summary":
        return fail("per-process run of a good file: exit %d, %s" % (done.returncode, done.stdout))
    done = run([py, stub, bad])
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    if done.returncode != 1 or len(lines) != 1 or lines[0]["severity"] != "error" or \
            "ValueError: stub cannot read this" not in lines[0]["message"]:
        return fail("an exception must be one error line and exit 1: %d %s" % (done.returncode, done.stdout))
    done = run([py, stub, short])
    if done.returncode != 1 or "HEAP_PAYLOAD_SHORT" not in done.stdout:
        return fail("a short payload must be an error line: %s" % done.stdout)
    done = subprocess.run([py, stub, good], capture_output=True, text=True,
                          env=dict(environment(), ETWHF_LAYER="payload"))
    if done.returncode != 2 or "--layer file" not in done.stderr:
        return fail("a payload case must exit 2 with a hint: %d %s" % (done.returncode, done.stderr))
    done = subprocess.run([py, stub, good], capture_output=True, text=True,
                          env=dict(environment(), STUB_ABSENT="1"))
    if done.returncode != 3 or "not importable" not in done.stderr:
        return fail("an absent library must exit 3 and say so: %d %s" % (done.returncode, done.stderr))
    # batch: requests in, answers with end lines out, in order
    requests = [{"id": 1, "file": good, "layer": "file", "pointer_size": 8, "event": None, "mode": "recover",
                 "args": ["--mode", "recover", "--input", "file"]},
                {"id": 2, "file": bad, "layer": "file", "pointer_size": 8, "event": None, "mode": "recover",
                 "args": ["--mode", "recover", "--input", "file"]},
                {"id": 3, "file": good, "layer": "payload", "pointer_size": 8, "event": "free",
                 "mode": "recover", "args": []}]
    done = run([py, stub, "--batch"], input="".join(json.dumps(r) + "\n" for r in requests))
    ends = [json.loads(x) for x in done.stdout.splitlines() if '"end"' in x]
    if done.returncode != 0 or ends != [{"type": "end", "id": 1, "status": 0}, {"type": "end", "id": 2, "status": 1},
                                        {"type": "end", "id": 3, "status": 2}]:
        return fail("batch answers: exit %d, %s" % (done.returncode, done.stdout))
    # through the checker: payload and record cases fail (status 2), file cases are judged
    corpus = os.path.join(work, "corpus")
    done = run([etwhf, "gen", "--out", corpus, "--force", "--count", "30", "--seed", "8"])
    if done.returncode != 0:
        return fail("etwhf gen: " + done.stderr)
    done = run([etwhf, "check", corpus, "--decoder-batch", "%s %s --batch" % (py, stub), "--json", "--show", "0"])
    report = json.loads(done.stdout)
    manifest = [json.loads(x) for x in open(os.path.join(corpus, "manifest.jsonl")).read().splitlines()[1:]]
    not_file = sum(1 for c in manifest if c["layer"] != "file")
    file_cases = len(manifest) - not_file
    totals = report["totals"]
    if totals["failed"] != not_file or totals["agree"] + totals["disagree"] != file_cases or totals["crash"]:
        return fail("checker totals %s: expected %d failed (non-file) and %d judged" % (totals, not_file, file_cases))
    print("protocol: per process, batch and through etwhf check: ok (%s)" % totals)
    return 0


# ---- a real library ----------------------------------------------------------------------

def step_reader(etwhf, work, reader):
    adapter = ADAPTERS[reader]
    done = run([sys.executable, adapter, "--probe"])
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1]
        print("skipped: %s not importable (%s); set ETWHF_READERS_DIR (CMake) or %s" % (
            reader, why, "ETWHF_ETL_PARSER_PATH" if reader == "etl-parser" else "ETWHF_DISSECT_PATH"))
        return SKIP
    print("%s: %s" % (reader, done.stdout.strip()))
    os.makedirs(work, exist_ok=True)
    status = 0
    for name, options, must, must_not in EXPECT[reader]:
        corpus = os.path.join(work, name)
        gen(etwhf, corpus, options)
        report_path = corpus + ".json"
        done = run([etwhf, "check", corpus, "--decoder-batch", "%s %s --batch" % (sys.executable, adapter),
                    "--layer", "file", "--json", "--show", "0", "--timeout", "300", "--jobs", "2"])
        try:
            report = json.loads(done.stdout)
        except ValueError:
            status |= fail("%s: etwhf check printed no report: %s" % (name, done.stderr[-500:]))
            continue
        with open(report_path, "w") as f:
            f.write(done.stdout)
        totals = report["totals"]
        if totals["failed"] or totals["crash"] or totals["timeout"]:
            status |= fail("%s: every case must be answered: %s" % (name, totals))
        done = run([sys.executable, CLASSES, reader, corpus, report_path])
        lines = [json.loads(x) for x in done.stdout.splitlines() if x.strip()]
        if done.returncode != 0 or not lines:
            status |= fail("%s: conformance_classes.py: %s" % (name, done.stderr[-500:]))
            continue
        summary = lines[-1]
        classes, levels = summary["classes"], summary.get("level", {})
        print("%s: %d of %d agree; levels %s; classes %s" % (
            name, totals["agree"], report["cases"],
            {k: "%s/%s" % (v.get("agree"), v.get("total")) for k, v in report.get("levels", {}).items()
             if v.get("judged")}, {k: "%d at %s" % (n, levels.get(k)) for k, n in classes.items()}))
        if "unexplained" in classes:
            status |= fail("%s: disagreements in no class: %s" % (
                name, [x for x in lines[:-1] if x["class"] == "unexplained"][:5]))
        for cls, level in sorted(must.items()):
            if cls not in classes:
                status |= fail("%s: class %s expected among %s" % (name, cls, classes))
            elif levels.get(cls) != level:
                status |= fail("%s: class %s at %s, expected %s (cases per level %s)" % (
                    name, cls, levels.get(cls), level, summary["by_level"].get(cls)))
        if must_not & set(classes):
            status |= fail("%s: classes %s must not show up here" % (name, sorted(must_not & set(classes))))
        # No class below L3 may rest on a shape etwhf chose: a case failing L1 or L2 is
        # graded observed or documented (the checker's sets hold no other).
        for x in lines[:-1]:
            if x["level"] in ("L1", "L2") and x["evidence"] == "chosen":
                status |= fail("%s: case %d fails %s but is graded chosen" % (name, x["id"], x["level"]))
    if status == 0:
        shutil.rmtree(work, ignore_errors=True)
    return status


def main(argv):
    if len(argv) != 3 or argv[0] not in ("protocol", "etl-parser", "dissect.etl"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    step, etwhf, work = argv
    if step == "protocol":
        status = step_protocol(etwhf, work)
        if status == 0:
            shutil.rmtree(work, ignore_errors=True)
        return status
    return step_reader(etwhf, work, step)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
