"""The public Python ETL readers on the real sample traces, parse time alone
on both sides: etwhf in one process (bench/decode_time.c), each reader in
one interpreter after its import (bench/peer_parse.py).

Where things are (each a variable, with a default beside the clone, as the
tests find the samples):
  ETWHF_SAMPLES_DIR or --samples DIR       the real traces (../shared/samples);
                                           those of 1 MiB and more are used
  ETWHF_THIRDPARTY or --thirdparty DIR     the readers' source trees
                                           (../thirdparty): dissect.etl,
                                           dissect.cstruct, dissect.util,
                                           etl-parser
  ETWHF_PEER_PYTHON                        the interpreter to run them with
                                           (default: the first of
                                           /usr/bin/python3 and this one that
                                           imports the reader)
A reader whose sources or dependencies are missing is skipped with a message.
"""
import json
import os
import statistics
import subprocess
import sys

from common import ROOT, WORK, log, rel, run
from load import TRACK

MIN_BYTES = 1 << 20
READERS = {
    # reader: (source trees under the third-party folder, the module that must import)
    "dissect.etl": (["dissect.etl", "dissect.cstruct", "dissect.util"], "dissect.etl.etl"),
    "etl-parser": (["etl-parser"], "etl.etl"),
}
READ_SHARE = 0.9    # a reader "reads" a file when it delivers at least this share of its records
PEER_REPS = 3       # timed parses per reader and file (etl-parser takes seconds per MiB)
ETWHF_REPS = 20     # etwhf's decodes take milliseconds


def default_dir(env, arg, *parts):
    return os.path.abspath(arg or os.environ.get(env) or os.path.join(ROOT, *parts))


def decode_time_tool(bdir):
    """bench/decode_time.c linked against the release build's libraries."""
    out = os.path.join(WORK, "decode_time")
    libs = [os.path.join(bdir, "decoder", "libetwhf.a"), os.path.join(bdir, "format", "libetwhf_format.a")]
    run(["cc", "-O2", "-std=gnu11", "-Wall", "-Wextra", "-I", os.path.join(ROOT, "decoder", "include"),
         "-I", os.path.join(ROOT, "format", "include"), "-o", out, os.path.join(ROOT, "bench", "decode_time.c"), *libs])
    return out


def find_python(paths, module):
    """(interpreter, None) that imports `module` with `paths` first on
    sys.path, or (None, why not)."""
    cands = [os.environ["ETWHF_PEER_PYTHON"]] if os.environ.get("ETWHF_PEER_PYTHON") else ["/usr/bin/python3", sys.executable]
    why = []
    for py in dict.fromkeys(cands):
        if not os.path.exists(py):
            why.append(f"{py}: absent")
            continue
        code = f"import sys; sys.path[:0] = {paths!r}; import {module}"
        r = subprocess.run([py, "-c", code], capture_output=True, text=True)
        if r.returncode == 0:
            return py, None
        why.append(f"{py}: {(r.stderr.strip().splitlines() or ['?'])[-1][:160]}")
    return None, "; ".join(why)


def measure(bdir, samples_arg=None, thirdparty_arg=None):
    samples = default_dir("ETWHF_SAMPLES_DIR", samples_arg, "..", "shared", "samples")
    third = default_dir("ETWHF_THIRDPARTY", thirdparty_arg, "..", "thirdparty")
    # Commands and results name the folders by their variables: the paths are this machine's.
    def shown(path):
        for var, d in (("$ETWHF_SAMPLES_DIR", samples), ("$ETWHF_THIRDPARTY", third)):
            if (path + "/").startswith(d + "/"):
                return var + path[len(d):]
        return rel(path)

    res = {"min_bytes": MIN_BYTES, "readers": {}}
    if not os.path.isdir(samples):
        res["gap"] = "no samples folder (set ETWHF_SAMPLES_DIR or --samples; default ../shared/samples)"
        log(res["gap"])
        return res
    files = sorted(os.path.join(samples, f) for f in os.listdir(samples)
                   if f.endswith(".etl") and os.path.getsize(os.path.join(samples, f)) >= MIN_BYTES)
    res["files"] = [os.path.basename(f) for f in files]
    if not files:
        res["gap"] = f"no trace of {MIN_BYTES >> 20} MiB or more in the samples folder"
        return res
    tool = decode_time_tool(bdir)
    res["etwhf_cmd"] = f"{rel(tool)} --reps {ETWHF_REPS} FILE (bench/decode_time.c)"
    res["etwhf"] = {}
    with TRACK.group() as res["etwhf_load"]:
        r = subprocess.run([tool, "--reps", str(ETWHF_REPS), *files], capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            raise RuntimeError(f"decode_time failed: {r.stderr[-400:]}")
        for line in r.stdout.splitlines():
            x = json.loads(line)
            res["etwhf"][os.path.basename(x["file"])] = x
            x["file"] = shown(x["file"])
    for reader, (trees, module) in READERS.items():
        paths = [os.path.join(third, t) for t in trees]
        missing = [p for p in paths if not os.path.isdir(p)]
        if missing:
            why = f"{reader} skipped: {', '.join(shown(m) for m in missing)} absent (set ETWHF_THIRDPARTY or --thirdparty)"
            log(why)
            res["readers"][reader] = {"skipped": why}
            continue
        py, why = find_python(paths, module)
        if not py:
            why = f"{reader} skipped: no interpreter imports {module} ({why}; set ETWHF_PEER_PYTHON)"
            log(why)
            res["readers"][reader] = {"skipped": why}
            continue
        rows = {}
        for f in files:
            cmd = [py, os.path.join(ROOT, "bench", "peer_parse.py"), reader, f, "--reps", str(PEER_REPS)]
            for p in paths:
                cmd += ["--path", p]
            log(f"{reader} on {os.path.basename(f)}")
            with TRACK.group() as grp:
                r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600)
            try:
                x = json.loads(r.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                x = {"error": f"no result (exit {r.returncode}): {r.stderr.strip()[-200:]}"}
            x["load"] = grp
            x["cmd"] = " ".join([rel(py), "bench/peer_parse.py", reader, shown(f), "--reps", str(PEER_REPS)] +
                                [f"--path {shown(p)}" for p in paths])
            x["file"] = shown(f)
            e = res["etwhf"].get(os.path.basename(f))
            if e and not x.get("error") and x.get("records", 0) < READ_SHARE * e["records"]:
                # etl-parser passes over XPRESS-compressed buffers without a word
                x["error"] = (f"delivered {x.get('records', 0):,} of the {e['records']:,} records: "
                              "it cannot read this file")
            if x.get("seconds") and not x.get("error") and e:
                x["ratio"] = statistics.median(x["seconds"]) / statistics.median(e["seconds"])
                x["ratio_cpu"] = statistics.median(x["cpu_seconds"]) / statistics.median(e["cpu_seconds"])
            rows[os.path.basename(f)] = x
        res["readers"][reader] = {"python": py, "files": rows}
    return res

