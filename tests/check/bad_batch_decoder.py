#!/usr/bin/env python3
"""bad_batch_decoder.py HOW — a batch decoder (docs/spec/check-protocol.md §6) that
answers every request as `etwhf decode` would, except on cases whose file name
starts with n_ (the corpus's error cases), where it fails in one way:

  crash    kills itself with SIGSEGV
  hang     becomes `cat FIFO`, blocked for ever opening BAD_DECODER_HANG (which
           nobody writes)
  exit     prints the case's first line, then exits 0 without the end line
  garbage  prints a line that is not JSON, then answers as usual
  asan     prints a sanitizer report on stderr, then answers as usual
  wrongid  answers with an end line naming another id
  status   answers with "status":70 (a failure it reports itself) and goes on
  silent   answers with no line and "status":1, as a loop that caught its own
           exception would: a decoder that died on the case, not a verdict

ETWHF names the etwhf binary. When BAD_BATCH_LOG is set each worker appends
its pid to that file as it starts, so a test can count the workers started.
"""

import json
import os
import signal
import subprocess
import sys


def main():
    how = sys.argv[1]
    etwhf = os.environ.get("ETWHF", "etwhf")
    log = os.environ.get("BAD_BATCH_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
    out = sys.stdout
    for text in sys.stdin:
        if not text.strip():
            continue
        request = json.loads(text)
        run = subprocess.run([etwhf, "decode", *request["args"], request["file"]], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, check=False)
        sys.stderr.write(run.stderr)
        end = {"type": "end", "id": request["id"], "status": run.returncode}
        bad = os.path.basename(request["file"]).startswith("n_")
        if bad and how == "crash":
            sys.stderr.write("bad_batch_decoder: about to crash\n")
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGSEGV)
        elif bad and how == "hang":
            # cat's command line names the FIFO, so a test can find the hanging process.
            os.execvp("cat", ["cat", "--", os.environ["BAD_DECODER_HANG"]])
        elif bad and how == "exit":
            out.write(run.stdout.splitlines(keepends=True)[0] if run.stdout else "")
            out.flush()
            sys.stderr.write("bad_batch_decoder: leaving without an end line\n")
            sys.exit(0)
        elif bad and how == "garbage":
            out.write("this is not JSON\n")
        elif bad and how == "asan":
            sys.stderr.write("==42==ERROR: AddressSanitizer: heap-buffer-overflow (pretend)\n")
            sys.stderr.flush()
        elif bad and how == "wrongid":
            end["id"] += 1000
        elif bad and how == "status":
            end["status"] = 70
        elif bad and how == "silent":
            sys.stderr.write("bad_batch_decoder: KeyError swallowed\n")
            sys.stderr.flush()
            end["status"] = 1
            out.write(json.dumps(end) + "\n")
            out.flush()
            continue
        out.write(run.stdout + json.dumps(end) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
