"""per_process_batch.py CMD — a per-process decoder (docs/spec/check-protocol.md §3)
as a batch worker (§6), so that `ci/fuzz --against`, which speaks only the batch
protocol, can run a decoder written for `etwhf check --decoder`.

For each request line: CMD is split as §3.1 splits it (a POSIX shell's words, no
shell), `{args}` and `{file}` expanded, the ETWHF_* variables of §3.2 set; the
command runs with standard input from /dev/null and its standard error passed
through; its standard output is the answer, its exit status the end line's
`status`. A command that died by a signal takes this worker down with the same
signal, so the checker judges a crash as it would per process. Without `{file}`
in CMD the path is appended; such a decoder reads files only, so the caller sends
it file cases only (ci/decoder-ci passes `--layers file`)."""
import json
import os
import shlex
import signal
import subprocess
import sys

CASE_VARS = ("ETWHF_FILE", "ETWHF_LAYER", "ETWHF_POINTER_SIZE", "ETWHF_EVENT", "ETWHF_MODE")


def expand(words, request):
    args, path = request["args"], request["file"]
    out = []
    for w in words:
        if w == "{args}":
            out += args
        else:
            out.append(w.replace("{args}", " ".join(args)).replace("{file}", path))
    if not any("{file}" in w for w in words):
        out.append(path)
    return out


def environment(request):
    env = {k: v for k, v in os.environ.items() if k not in CASE_VARS}
    env.update(ETWHF_FILE=request["file"], ETWHF_LAYER=request["layer"],
               ETWHF_POINTER_SIZE=str(request["pointer_size"]), ETWHF_MODE=request["mode"])
    if request.get("event") is not None:
        env["ETWHF_EVENT"] = request["event"]
    return env


def main(argv):
    if len(argv) != 1:
        print("usage: per_process_batch.py CMD", file=sys.stderr)
        return 2
    words = shlex.split(argv[0])
    if not words:
        print("per_process_batch.py: empty command", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        run = subprocess.run(expand(words, request), env=environment(request), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, check=False)
        if run.returncode < 0:  # died by a signal: so does the worker, with what it printed so far
            out.write(run.stdout)
            out.flush()
            signal.signal(-run.returncode, signal.SIG_DFL)
            os.kill(os.getpid(), -run.returncode)
        out.write(run.stdout)
        if run.stdout and not run.stdout.endswith(b"\n"):
            out.write(b"\n")
        out.write(b'{"type":"end","id":%d,"status":%d}\n' % (request["id"], run.returncode))
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
