"""ci/fuzz --against CMD: a differential campaign against a decoder that speaks the batch
protocol, with etwhf's decoder as the referee (docs/campaigns.md, "Against your decoder").

Rounds until --time: generator rounds (fresh seeds, more faults, every shape),
mutation rounds (byte mutations of the pool) and, when a libFuzzer build of
fuzz_file_sa exists, fuzzer rounds: the units libFuzzer, running beside the rounds at a
lower priority, kept because they grew the referee's coverage.
Each round is judged by one `etwhf check --decoder-batch` run; each
disagreement goes to a class (fuzz_against_judge.py), whose first input is
minimized (fuzz_against_min.py) and kept with a rerun line.

Exit: 0 no class, 1 at least one class, 2 usage (argparse), 3 could not run.
"""
import collections
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import time

import fuzz_against_inputs as inputs
import fuzz_against_judge as judge
import fuzz_against_min as minimize
import fuzz_against_report as report

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFEREE_LEVELS = ("L0", "L3", "L4")  # what a referee corpus can judge (docs/spec/conformance.md)


def say(text):
    print("[against] %s" % text, flush=True)


def find_etwhf(args):
    for path in (args.etwhf, os.environ.get("ETWHF"), os.path.join(REPO, "build", "ci", "etwhf"),
                 os.path.join(REPO, "build", "release", "etwhf"), shutil.which("etwhf")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
    return None


def find_fuzzer(args):
    if args.fuzzer == "none":
        return None
    path = args.fuzzer or os.path.join(REPO, "build", "fuzz-libfuzzer", "fuzz", "fuzz_file_sa")
    return os.path.abspath(path) if os.path.isfile(path) and os.access(path, os.X_OK) else None



def one_case_manifest(header_line, case_line):
    """A manifest of one case, renumbered: a manifest's case lines are ids 0 to
    options.count - 1, each once (docs/spec/manifest.md §3.2), so the case
    becomes id 0 of a corpus of 1."""
    header = json.loads(header_line, object_pairs_hook=collections.OrderedDict)
    case = json.loads(case_line, object_pairs_hook=collections.OrderedDict)
    if isinstance(header.get("options"), dict) and "count" in header["options"]:
        header["options"]["count"] = 1
    case["id"] = 0
    dump = lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n"
    return dump(header) + dump(case)

class Class:
    def __init__(self, key, failure, t, source):
        self.key = key
        self.id = judge.class_id(key)
        self.first = failure
        self.first_seen = t
        self.source = source
        self.count = 0
        with open(failure.path, "rb") as f:
            self.data = f.read()
        self.minimized = self.data
        self.ref_key = None  # the key under the referee's judgement, when the file reproduces there


class Campaign:
    def __init__(self, args, etwhf, out, work):
        self.args = args
        self.etwhf = etwhf
        self.out = out
        self.work = work
        self.cmd = args.against
        self.require = args.require
        self.classes = {}
        self.notes = []
        self.inputs = 0
        self.by_source = {}
        self.min_spent = 0.0
        self.t0 = time.time()

    def now(self):
        return time.time() - self.t0

    def judge_level(self, generated):
        """A referee corpus judges L0, L3, L4 only: at --require L1/L2 its inputs count at L0."""
        return self.require if generated or self.require in REFEREE_LEVELS else "L0"

    def start_round(self, corpus, generated):
        return judge.start_check(self.etwhf, corpus, self.cmd, self.judge_level(generated), self.args.jobs,
                                 self.args.input_timeout)

    def finish_round(self, started, corpus, generated, source):
        fails, n, _ = judge.judged(corpus, judge.finish_check(started), self.judge_level(generated))
        self.inputs += n
        self.by_source[source] = self.by_source.get(source, 0) + n
        fresh = []
        for f in fails:
            c = self.classes.get(f.key)
            if c is None:
                c = self.classes[f.key] = Class(f.key, f, self.now(), source)
                fresh.append(c)
                say("%6.1f s  new class %s (%s input %s)" % (c.first_seen, c.id, source, os.path.basename(f.path)))
            c.count += 1
        return fresh

    def file_reproducer(self, c):
        """A file case judged at L0/L3/L4 reruns as `etwhf check FILE`: confirm it there, then
        minimize it while the key persists."""
        layer = c.first.entry.get("layer", "file")
        if layer != "file" or self.require not in REFEREE_LEVELS:
            return False
        work = os.path.join(self.work, "min-" + c.id)
        m = minimize.Minimizer(self.etwhf, self.cmd, self.require, self.args.jobs, self.args.input_timeout, work)
        try:
            if m._first_keeping([c.data], c.key) is None:
                return False
            c.ref_key = c.key
            # At most a third of the campaign goes to minimizing: a decoder with many classes
            # still gets fuzzed, and the classes past the budget keep their first input.
            budget = min(self.args.minimize_time, self.args.time / 3.0 - self.min_spent)
            t = time.time()
            if budget >= 1 and self.args.minimize_time > 0:
                c.minimized = m.minimize(c.data, c.key, budget)
            self.min_spent += time.time() - t
        except judge.CannotRun as e:
            self.notes.append("%s: minimization stopped: %s" % (c.id, e))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return True

    def keep(self, c):
        """classes/<id>/: the reproducer (a file, or a one-case corpus folder) and rerun.sh."""
        d = os.path.join(self.out, "classes", c.id)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        if c.ref_key is not None:
            name = "reproducer.etl"
            with open(os.path.join(d, name), "wb") as f:
                f.write(c.minimized)
        else:  # the case's own manifest judges it: its lines, copied, and its file
            name = "case"
            os.makedirs(os.path.join(d, name, os.path.dirname(c.first.entry["file"])), exist_ok=True)
            with open(os.path.join(d, name, "manifest.jsonl"), "w", encoding="utf-8") as f:
                f.write(one_case_manifest(c.first.header_line, c.first.line))
            with open(os.path.join(d, name, c.first.entry["file"]), "wb") as f:
                f.write(c.data)
        rerun = judge.rerun_line(self.etwhf, name, self.cmd, self.require)
        with open(os.path.join(d, "rerun.sh"), "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n# Exit 1: the decoder still disagrees (class %s).\ncd \"$(dirname \"$0\")\" && exec %s\n"
                    % (c.id, rerun))
        os.chmod(os.path.join(d, "rerun.sh"), 0o755)
        r = subprocess.run(["sh", os.path.join(d, "rerun.sh")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        diffs = (c.first.detail or {}).get("differences") or []
        d0 = diffs[0] if diffs else None
        return {
            "id": c.id, "level": c.key[0], "field": c.key[1], "header": c.key[2], "diagnostic": c.key[3],
            "stderr": c.key[4], "count": c.count, "first_seen_s": round(c.first_seen, 1), "source": c.source,
            "faults": c.first.faults,
            "reproducer": os.path.join("classes", c.id, name),
            "rerun": "cd %s && %s" % (shlex.quote(os.path.join("classes", c.id)), rerun),
            "size": len(c.data), "minimized_size": len(c.minimized) if c.ref_key is not None else len(c.data),
            "minimized": c.ref_key is not None and len(c.minimized) < len(c.data),
            "reproduces": r.returncode == 1,
            "difference": ("[%s] %s: expected %s, got %s" % (d0["mode"], d0["field"], d0["expected"], d0["got"])
                           if d0 else c.first.entry.get("outcome")),
        }


def schedule(args, fuzzer):
    kinds = ["gen"]
    if "file" in args.layers:
        kinds.append("mut")
        if fuzzer:
            kinds.append("fuzzer")
    return kinds


def make_round(kind, rd, rnd, args, etwhf, seed, rng, pool, mut, slices, deadline):
    """A round's corpus folder in rd (None when a fuzzer slice kept no new unit)."""
    if kind == "gen":
        corpus = os.path.join(rd, "gen")
        inputs.generator_round(etwhf, corpus, seed + rnd, args.round_size, args.layers, args.fault_rate,
                               args.max_faults)
        cases = os.path.join(corpus, "cases")
        files = [n for n in os.listdir(cases) if "_file_" in n]
        for n in rng.sample(files, min(len(files), 100)):
            with open(os.path.join(cases, n), "rb") as f:
                pool.add(f.read())
        return corpus
    in_dir = os.path.join(rd, "in")
    if kind == "mut":
        inputs.mutation_round(pool, mut, in_dir, args.round_size)
    else:
        if slices.harvest(in_dir) == 0:
            return None
        pool.add_files(in_dir)
    corpus = os.path.join(rd, "ref")
    judge.referee_corpus(etwhf, in_dir, corpus)
    return corpus


def work_dir(out, keep):
    """Rounds are written and dropped at a high rate: in memory when /dev/shm exists
    (--keep-work: OUT/work, to look at afterwards)."""
    if not keep and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return os.path.join("/dev/shm", "etwhf-against-%d-%d" % (os.getuid(), os.getpid()))
    return os.path.join(out, "work")


def run(args, etwhf, out, work):
    cp = Campaign(args, etwhf, out, work)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2 ** 31)
    rng = inputs.new_rng(seed)
    pool = inputs.Pool(rng)
    for folder in ("file", os.path.join("found", "file")):
        pool.add_files(os.path.join(REPO, "corpus", folder))
    dict_path = os.path.join(REPO, "fuzz", "file.dict")
    mut = inputs.Mutator(rng, inputs.read_dict(dict_path))
    fuzzer = find_fuzzer(args) if "file" in args.layers else None
    slices = inputs.Fuzzer(fuzzer, cp.work, dict_path, args.input_timeout) if fuzzer else None
    if "file" in args.layers and not fuzzer:
        cp.notes.append("no libFuzzer build of fuzz_file_sa (cmake --preset fuzz-libfuzzer && cmake --build "
                        "build/fuzz-libfuzzer --target fuzz_file_sa, or --fuzzer PATH): mutation rounds used byte "
                        "mutations only, and the plot has no coverage")
    if args.require in ("L1", "L2"):
        cp.notes.append("--require %s: mutated inputs have no known evidence, so they were judged at L0; generated "
                        "inputs at %s" % (args.require, args.require))
    kinds = schedule(args, fuzzer)
    say("against %s at %s for %d s; seed %d; referee %s%s" % (args.against, args.require, args.time, seed, etwhf,
                                                              "; fuzzer %s" % fuzzer if fuzzer else ""))
    deadline = cp.t0 + args.time
    if slices:
        slices.start(int(deadline - time.time()), pool, seed)
    timeline = [(0.0, 0, None)]
    rnd = 0
    pending = None  # (started check, corpus, generated, source, round folder): judged while the next is made

    def finish(p):
        fresh = cp.finish_round(p[0], p[1], p[2], p[3])
        shutil.rmtree(p[4], ignore_errors=True)
        for c in fresh:
            cp.file_reproducer(c)
        timeline.append((cp.now(), len(cp.classes), slices.cov if slices else None))

    while ((time.time() < deadline or rnd == 0) and (args.rounds is None or rnd < args.rounds)
           and not (args.stop_on_class and cp.classes)):
        kind = kinds[rnd % len(kinds)]
        rd = os.path.join(cp.work, "round-%d" % rnd)
        shutil.rmtree(rd, ignore_errors=True)
        os.makedirs(rd)
        corpus = make_round(kind, rd, rnd, args, etwhf, seed, rng, pool, mut, slices, deadline)
        if pending:
            finish(pending)
            pending = None
        if corpus is None:
            shutil.rmtree(rd, ignore_errors=True)
        elif (time.time() < deadline or rnd == 0) and not (args.stop_on_class and cp.classes):
            pending = (cp.start_round(corpus, kind == "gen"), corpus, kind == "gen", kind, rd)
        rnd += 1
    if pending:
        finish(pending)
    inputs.stop_all()
    classes = [cp.keep(c) for c in sorted(cp.classes.values(), key=lambda c: c.first_seen)]
    time_s = cp.now()
    rep = {
        "against": args.against, "require": args.require, "etwhf": etwhf, "seed": seed,
        "time_budget": args.time, "time_s": round(time_s, 1), "rounds": rnd,
        "inputs": cp.inputs, "inputs_per_s": round(cp.inputs / time_s, 1) if time_s > 0 else 0.0,
        "by_source": cp.by_source, "layers": args.layers, "jobs": args.jobs,
        "coverage": slices.cov if slices else None, "classes": classes,
        "timeline": [[round(t, 1), n, cov] for t, n, cov in timeline], "notes": cp.notes,
    }
    rep["plot"] = report.write_plot(out, timeline)
    report.write(out, rep)
    say("%d inputs in %.0f s (%.0f/s), %d round(s); %d class(es); report %s" % (
        cp.inputs, time_s, rep["inputs_per_s"], rnd, len(classes), os.path.join(out, "report.md")))
    for c in classes:
        say("class %s: %d input(s), first at %.1f s, reproducer %s (%d bytes)%s" % (
            c["id"], c["count"], c["first_seen_s"], c["reproducer"], c["minimized_size"],
            "" if c["reproduces"] else " — its rerun does NOT reproduce"))
    return 1 if classes else 0


def main(args):
    etwhf = find_etwhf(args)
    if not etwhf:
        say("no etwhf tool: build it (cmake --preset ci && cmake --build --preset ci), or give --etwhf PATH")
        return 3
    out = os.path.abspath(args.out or os.path.join(REPO, "build", "against-report"))
    shutil.rmtree(os.path.join(out, "classes"), ignore_errors=True)
    shutil.rmtree(os.path.join(out, "work"), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    work = work_dir(out, args.keep_work)
    try:
        return run(args, etwhf, out, work)
    except (judge.CannotRun, RuntimeError, OSError) as e:
        say("could not run: %s" % e)
        return 3
    finally:
        inputs.stop_all()
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(None))
