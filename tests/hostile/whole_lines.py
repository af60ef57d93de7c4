#!/usr/bin/env python3
"""Issue 23, row 11 (decode): SIGTERM or SIGHUP to `etwhf decode` while it is
in the middle of writing leaves only whole lines: the last JSON line is never
cut in half, and the exit status is 128 + the signal.

Deterministic: decode reads an endless trace (`etwhf gen --etl -` of 10^11
events) and writes to a pipe this test does not read, so it blocks in
write() with a large block half taken by the pipe. The signal comes then;
only after it is the pipe drained. A decode that died there would leave the
pipe holding a cut line; one that handles the signal finishes its block."""
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_common import Checks, blocked_writing, ended, sanitizer_clean, wait_until  # noqa: E402

ETWHF = os.path.abspath(sys.argv[1])
c = Checks()


def hup_ignored():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("SigIgn:"):
                return int(line.split()[1], 16) & 1
    return 0


for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGTERM if hup_ignored() else signal.SIGHUP):
    for fmt in ("jsonl", "csv", "text"):
        gen = subprocess.Popen([ETWHF, "gen", "--etl", "-", "--events", "100000000000"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
        p = subprocess.Popen([ETWHF, "decode", "--format", fmt, "-"], stdin=gen.stdout, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        gen.stdout.close()
        what = f"{fmt}, {signal.Signals(sig).name}"
        try:
            c.check(wait_until(f"{what}: decode to block writing", lambda: blocked_writing(p.pid, 1)),
                    f"{what}: decode never blocked writing")
            p.send_signal(sig)
            out, err = ended(c, p, f"{what}: decode after the signal")
        finally:
            for q in (p, gen):
                if q.poll() is None:
                    q.kill()
                q.wait()
        sanitizer_clean(c, err, what)
        c.check(p.returncode == 128 + sig, f"{what}: exit {p.returncode}, expected {128 + sig}")
        c.check(out.endswith(b"\n"), f"{what}: the output ends with a whole line ({out[-80:]!r})")
        lines = out.split(b"\n")[:-1]
        c.check(len(lines) > 100, f"{what}: {len(lines)} lines written before the signal")
        if fmt == "jsonl":
            bad = 0
            for x in lines:
                try:
                    json.loads(x)
                except ValueError:
                    bad += 1
            c.check(bad == 0, f"{what}: {bad} lines are not JSON")
        elif fmt == "csv":
            c.check(all(x.count(b",") == 20 for x in lines), f"{what}: every CSV row has 21 cells")
        else:
            c.check(all(x.startswith(b"Heap") and b" source " in x for x in lines), f"{what}: every text line whole")
c.finish()
