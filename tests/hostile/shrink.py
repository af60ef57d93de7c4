#!/usr/bin/env python3
"""Issue 23, row 5: a trace file that shrinks while `etwhf decode` reads it
ends with INPUT_SHRANK (docs/spec/walk.md F6), exit 1, never exit 0.

Deterministic, no timing: decode's standard output is a pipe this test does
not read, so after its first 1 MiB read the decoder blocks writing events;
the file is truncated then (behind the read position, and to 0), and only
then is the pipe drained. The reads that follow return nothing: the input
ended at the position read so far, not at the size the file had."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_common import Checks, blocked_writing, ended, fd_position, sanitizer_clean, wait_until  # noqa: E402

ETWHF = os.path.abspath(sys.argv[1])
c = Checks()


def decode_lines(out):
    return [json.loads(x) for x in out.decode().splitlines() if x.strip()]


def one(work, trace, to, fmt_args):
    path = os.path.join(work, "shrinking.etl")
    with open(trace, "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())
    size = os.path.getsize(path)
    p = subprocess.Popen([ETWHF, "decode", "--stats"] + fmt_args + [path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        # Read some, and stuck writing what it decoded: the file is cut now.
        ok = wait_until("decode to read and then block writing",
                        lambda: (fd_position(p.pid, path) or 0) > 0 and blocked_writing(p.pid, 1))
        c.check(ok, "decode never blocked writing after its first read")
        read_at = fd_position(p.pid, path)
        os.truncate(path, to)
        out, err = ended(c, p, f"decode of a file cut to {to}")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    sanitizer_clean(c, err, "decode of a shrinking file")
    lines = decode_lines(out)
    diags = [x for x in lines if x.get("type") == "diag"]
    summary = [x for x in lines if x.get("type") == "summary"]
    what = f"cut to {to} of {size} at read position {read_at}"
    c.check(p.returncode == 1, f"{what}: exit {p.returncode}, expected 1")
    c.check(len(summary) == 1, f"{what}: one summary")
    n = max(to, read_at or 0)
    if summary:
        c.check(summary[0]["bytes"] == n, f"{what}: bytes {summary[0]['bytes']}, expected {n}")
    c.check(bool(diags) and diags[-1]["code"] == "INPUT_SHRANK", f"{what}: INPUT_SHRANK last ({diags[-1:]})")
    if diags and diags[-1]["code"] == "INPUT_SHRANK":
        d = diags[-1]
        c.check(d["severity"] == "error" and d["code_num"] == 29 and d["buffer"] is None and d["offset"] == n,
                f"{what}: INPUT_SHRANK is error 29, buffer null, offset {n}: {d}")
    c.check(sum(1 for d in diags if d["code"] == "INPUT_SHRANK") == 1, f"{what}: INPUT_SHRANK once")


with tempfile.TemporaryDirectory(prefix="etwhf-shrink.") as work:
    trace = os.path.join(work, "trace.etl")
    g = subprocess.run([ETWHF, "gen", "--etl", trace, "--events", "120000", "--seed", "5"], capture_output=True)
    c.check(g.returncode == 0, "gen --etl: " + g.stderr.decode(errors="replace"))
    c.check(os.path.getsize(trace) > 8 << 20, "the trace spans several of the reader's 1 MiB reads")
    # The whole file, untouched: no INPUT_SHRANK, exit 0.
    whole = subprocess.run([ETWHF, "decode", "--stats", "--quiet", trace], capture_output=True)
    c.check(whole.returncode == 0 and b"INPUT_SHRANK" not in whole.stdout, "an unchanged file: exit 0, no INPUT_SHRANK")
    for to in (0, 4096, 1 << 20):
        one(work, trace, to, [])
    # Standard input redirected from a regular file has a size too.
    one_stdin = subprocess.run([ETWHF, "decode", "--stats", "--quiet", "-"], stdin=open(trace, "rb"),
                               capture_output=True)
    c.check(one_stdin.returncode == 0, "standard input from an unchanged file: exit 0")
c.finish()
