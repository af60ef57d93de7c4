#!/usr/bin/env python3
"""batch_driver.py — replays a corpus through one batch decoder and checks the framing.

    batch_driver.py CORPUS --batch CMD [--per-process CMD] [--reference CMD]
                    [--sample N] [--stats] [--fails-on LAYER] [--timeout S]

Every case of CORPUS/manifest.jsonl goes to one process started with the
--batch CMD, in recover and then strict mode, as the requests of the batch
protocol (docs/spec/check-protocol.md): one JSON object per line on its
standard input, answered by that case's lines and an end line
{"type":"end","id":N,"status":S}. Each request also carries a key no
decoder knows (it must be ignored), and every fifth one has no "args" (the
decoder must take the case from "layer", "pointer_size", "event", "mode").

What must hold, or the driver says which request broke it and exits 1:
  - every answer line is a JSON object with a "type", and the end line
    carries the request's id and the status of its lines: 1 when some diag
    has severity "error", else 0 (70 for the cases of layer --fails-on
    LAYER: those must fail, each with a traceback on stderr, and the worker
    must go on with the next request);
  - --per-process CMD (with {args} and {file}, run with the ETWHF_*
    variables `etwhf check` sets): its lines and exit status equal the batch
    answer, for an even sample of --sample N requests (0: all);
  - --reference CMD (e.g. "etwhf decode {args} {file}"): its lines equal the
    batch answer on every key but "message" (the words are the decoder's own),
    for the same sample;
  - at the end of its input the batch process exits 0.
--stats adds --stats to every case's flags, so summary lines are compared too.

It prints the batch speed: requests answered per second of wall time, and the
batch process's CPU time per request.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import threading
import time

MODES = ("recover", "strict")


def load_cases(corpus):
    with open(os.path.join(corpus, "manifest.jsonl"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    return [json.loads(line) for line in lines[1:] if line.strip()]


def case_args(case, mode, stats):
    """etwhf decode's own flags for a case in a mode, as `etwhf check` builds {args}."""
    args = ["--mode", mode, "--input", case["layer"]]
    if case["layer"] == "payload":
        args += ["--pointer-size", str(case["pointer_size"]), "--event", case["event"]]
    return args + (["--stats"] if stats else [])


def case_env(case, mode, path):
    env = dict(os.environ, ETWHF_FILE=path, ETWHF_LAYER=case["layer"], ETWHF_MODE=mode,
               ETWHF_POINTER_SIZE=str(case["pointer_size"]))
    env.pop("ETWHF_EVENT", None)
    if case["layer"] == "payload":
        env["ETWHF_EVENT"] = case["event"]
    return env


def expand(cmd, args, path):
    words = []
    for word in shlex.split(cmd):
        if word == "{args}":
            words += args
        else:
            words.append(word.replace("{file}", path))
    return words


def parse_lines(text, where):
    """The JSON objects of an answer; raises ValueError naming the first bad line."""
    objects = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if not isinstance(obj, dict) or "type" not in obj:
            raise ValueError(f"{where}: line {number} is not a JSON object with a type: {line[:200]!r}")
        objects.append(obj)
    return objects


class Batch:
    """One batch process; stderr is collected by a thread so it can never block the process."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(shlex.split(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)
        self.stderr = []
        self.reader = threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True)
        self.reader.start()

    def ask(self, request):
        """Sends one request, returns (answer lines without the end line, end line)."""
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise ValueError(f"request {request['id']}: the batch process closed its output "
                                 f"(exit status {self.proc.poll()})")
            obj = parse_lines(line, f"request {request['id']}")[0]
            if obj["type"] == "end":
                return lines, obj
            lines.append(line.rstrip("\n"))

    def close(self, timeout):
        """Closes its input; returns (exit status, CPU seconds it used)."""
        self.proc.stdin.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.reader.join(timeout)
                return self.proc.returncode, usage.ru_utime + usage.ru_stime
            time.sleep(0.01)
        self.proc.kill()
        self.proc.wait()
        return None, 0.0


def check_framing(request, lines, end, fails_on):
    objects = parse_lines("\n".join(lines), f"request {request['id']}")
    if end.get("id") != request["id"]:
        return f"end line {json.dumps(end)} answers request {request['id']}"
    if request["layer"] == fails_on:
        want = 70
    else:
        want = 1 if any(o["type"] == "diag" and o.get("severity") == "error" for o in objects) else 0
    if end.get("status") != want:
        return f"end line {json.dumps(end)}: status should be {want}"
    return None


def without_message(text):
    return [{k: v for k, v in obj.items() if k != "message"} for obj in parse_lines(text, "reference")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--batch", required=True)
    ap.add_argument("--per-process")
    ap.add_argument("--reference")
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("--fails-on", choices=("payload", "record", "file"))
    ap.add_argument("--timeout", type=float, default=60)
    opt = ap.parse_args()

    cases = load_cases(opt.corpus)
    requests = []
    for case in cases:
        for mode in MODES:
            path = os.path.join(opt.corpus, case["file"])
            request = {"id": len(requests), "file": path, "layer": case["layer"],
                       "pointer_size": case["pointer_size"], "event": case.get("event"), "mode": mode,
                       "args": case_args(case, mode, opt.stats), "x-not-in-the-protocol": [1, {"a": None}]}
            if len(requests) % 5 == 4 and not opt.stats:
                del request["args"]
            requests.append((case, request))
    if not requests:
        print("batch_driver: the corpus has no cases", file=sys.stderr)
        return 1

    failures = []
    answers = []
    batch = Batch(opt.batch)
    started = time.monotonic()
    try:
        for case, request in requests:
            lines, end = batch.ask(request)
            problem = check_framing(request, lines, end, opt.fails_on)
            if problem:
                failures.append(problem)
            answers.append((lines, end))
    except (ValueError, OSError) as e:
        failures.append(f"the batch process stopped answering: {e}")
    elapsed = time.monotonic() - started
    status, cpu = batch.close(opt.timeout)
    if status != 0:
        failures.append(f"the batch process exited {status} at the end of its input, not 0")
    tracebacks = sum("Traceback (most recent call last)" in line for line in batch.stderr)
    if opt.fails_on:
        expected = sum(r["layer"] == opt.fails_on for _, r in requests[:len(answers)])
        if tracebacks != expected:
            failures.append(f"{tracebacks} tracebacks on the batch process's stderr, expected {expected}")
    elif batch.stderr:
        failures.append("the batch process wrote to stderr: " + "".join(batch.stderr)[:600])
    n = len(answers)
    print(f"{n} requests ({len(cases)} cases x {len(MODES)} modes) through one batch process: "
          f"{elapsed:.2f} s, {n / elapsed:.0f} requests/s; its CPU {cpu:.2f} s, "
          f"{1000 * cpu / max(n, 1):.3f} ms per request")

    # An even sample of cases, each in both modes (requests alternate between them).
    answered_cases = n // len(MODES)
    wanted = max(1, opt.sample // len(MODES)) if opt.sample else answered_cases
    stride = max(1, answered_cases // wanted)
    chosen = [c * len(MODES) + m for c in range(0, answered_cases, stride) for m in range(len(MODES))]
    compared = 0
    for i in chosen:
        case, request = requests[i]
        lines, end = answers[i]
        if request["layer"] == opt.fails_on:
            continue
        args = case_args(case, request["mode"], opt.stats)
        env = case_env(case, request["mode"], request["file"])
        for cmd, exact in ((opt.per_process, True), (opt.reference, False)):
            if not cmd:
                continue
            run = subprocess.run(expand(cmd, args, request["file"]), env=env, stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, encoding="utf-8", timeout=opt.timeout)
            batch_text = "\n".join(lines)
            if exact:
                same = run.stdout.splitlines() == lines and run.returncode == end["status"]
            else:
                same = without_message(run.stdout) == without_message(batch_text)
            if not same:
                failures.append(f"request {request['id']} ({request['file']}, {request['mode']}): "
                                f"`{cmd}` differs from the batch answer\n  it (exit {run.returncode}):\n    "
                                + run.stdout.replace("\n", "\n    ")
                                + f"\n  batch (status {end['status']}):\n    "
                                + batch_text.replace("\n", "\n    "))
        compared += 1
    if opt.per_process or opt.reference:
        what = " and ".join(name for name, cmd in (("per-process", opt.per_process),
                                                   ("reference", opt.reference)) if cmd)
        print(f"{compared} requests compared with the {what} runs")

    for problem in failures[:10]:
        print("FAIL:", problem, file=sys.stderr)
    if failures:
        print(f"{len(failures)} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
