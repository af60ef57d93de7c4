"""Runs the planned pairs in their slots, watches them, shows progress.

Each engine process gets its own session, so stopping a pair signals exactly
the processes this run started (the engine and its fork children) by group id.
"""
import os
import signal
import subprocess
import sys
import threading
import time

import fuzz_engines as eng
import fuzz_plan

# Seconds past its budget before a pair is interrupted: libFuzzer's fork mode
# finishes its running job first, which would push every later pair back.
GRACE = 1


def _count_files(folder):
    try:
        return sum(1 for f in os.listdir(folder)
                   if not f.startswith(".") and os.path.isfile(os.path.join(folder, f)))
    except OSError:
        return 0


def _tail(path, size=65536):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


class PairRun:
    """One (target, engine) pair: its processes, its folders, its numbers."""

    def __init__(self, pair, ctx):
        self.pair = pair
        self.ctx = ctx
        self.dir = os.path.join(ctx.work, pair.target, pair.engine)
        self.procs = []
        self.logs = []
        self.started = self.ended = None
        self.budget = 0
        self.timeline = []  # (seconds since start, coverage, execs)
        self.error = None

    # -- folders an engine writes -------------------------------------------------
    @property
    def corpus_dir(self):  # libFuzzer's new inputs
        return os.path.join(self.dir, "corpus")

    @property
    def artifact_dir(self):  # libFuzzer's crash-/timeout-/oom-/leak- files
        return os.path.join(self.dir, "artifacts")

    @property
    def afl_out(self):
        return os.path.join(self.dir, "out")

    def queue_dirs(self):
        if self.pair.engine == "libfuzzer":
            return [self.corpus_dir]
        try:
            return [os.path.join(self.afl_out, i, "queue") for i in sorted(os.listdir(self.afl_out))
                    if os.path.isdir(os.path.join(self.afl_out, i, "queue"))]
        except OSError:
            return []

    # -- running ------------------------------------------------------------------
    def _spawn(self, argv, env, log_name):
        log_path = os.path.join(self.dir, log_name)
        log = open(log_path, "ab")
        log.write(("$ %s\n" % " ".join(argv)).encode())
        log.flush()
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=self.dir, start_new_session=True)
        log.close()
        self.procs.append(proc)
        self.logs.append(log_path)

    def start(self, seconds):
        ctx, pair = self.ctx, self.pair
        os.makedirs(self.dir, exist_ok=True)
        tmp = os.path.join(self.dir, "tmp")
        os.makedirs(tmp, exist_ok=True)
        self.budget = seconds
        self.started = time.time()
        base_env = dict(os.environ, TMPDIR=tmp)
        seeds = ctx.seed_dir(pair.target)
        if pair.engine == "libfuzzer":
            os.makedirs(self.corpus_dir, exist_ok=True)
            os.makedirs(self.artifact_dir, exist_ok=True)
            argv = eng.libfuzzer_command(
                ctx.builds.libfuzzer[pair.target], self.corpus_dir, [seeds], self.artifact_dir, seconds,
                1 + pair.helpers, ctx.args.input_timeout, ctx.args.rss_limit_mb,
                ctx.dict_path(pair.target), ctx.options(pair.target))
            self._spawn(argv, eng.sanitizer_env(base_env, reproduce=False), "libfuzzer.log")
            return
        binary, cmplog, mutator, layout = ctx.builds.afl_binary(pair.target)
        env = eng.afl_env(base_env, mutator)
        if layout:
            env["ETWHF_MUTATOR_LAYOUT"] = layout
        max_len = ctx.options(pair.target).get("max_len")
        for name, argv in eng.afl_instances(binary, cmplog, seeds, self.afl_out, seconds, pair.helpers,
                                            ctx.args.input_timeout, ctx.dict_path(pair.target), max_len):
            self._spawn(argv, env, "afl-%s.log" % name)

    def running(self):
        return any(p.poll() is None for p in self.procs)

    def stop(self):
        for sig in (signal.SIGINT, signal.SIGKILL):
            alive = [p for p in self.procs if p.poll() is None]
            for p in alive:
                try:
                    os.killpg(p.pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.time() + 5
            while any(p.poll() is None for p in alive) and time.time() < deadline:
                time.sleep(0.1)

    def finish(self):
        self.ended = time.time()
        if self.pair.engine == "afl" and not eng.read_afl_stats(self.afl_out)["instances"]:
            self.error = "afl-fuzz did not start (see %s)" % self.logs[0] if self.logs else "no log"
        self.sample()
        if self.pair.engine == "afl":
            # AFL++ 4.04c rewrites fuzzer_stats about once a minute; plot_data adds its points.
            self.timeline = sorted(set(self.timeline) | set(eng.afl_plot_rows(self.afl_out)))

    # -- numbers --------------------------------------------------------------------
    def stats(self):
        if self.pair.engine == "libfuzzer":
            s = eng.parse_libfuzzer_log(_tail(self.logs[0])) if self.logs else eng.parse_libfuzzer_log("")
            return {"execs": s["execs"], "cov": s["cov"], "crashes": s["crashes"],
                    "timeouts": s["timeouts"] + s["ooms"]}
        s = eng.read_afl_stats(self.afl_out)
        return {"execs": s["execs"], "cov": s["edges"], "crashes": s["crashes"], "timeouts": s["hangs"]}

    def sample(self):
        if self.started is None:
            return
        s = self.stats()
        t = int((self.ended or time.time()) - self.started)
        if not self.timeline or self.timeline[-1][1:] != (s["cov"], s["execs"]) or t - self.timeline[-1][0] >= 10:
            self.timeline.append((t, s["cov"], s["execs"]))

    def seconds(self):
        if self.started is None:
            return 0
        return round((self.ended or time.time()) - self.started, 1)

    def corpus_files(self):
        return sum(_count_files(d) for d in self.queue_dirs())


class Campaign:
    """Slots as threads; the calling thread watches and draws progress."""

    def __init__(self, plan, ctx, out=sys.stdout):
        self.plan = plan
        self.ctx = ctx
        self.out = out
        self.tty = out.isatty()
        self.runs = []
        self.lock = threading.Lock()
        self.deadline = 0
        self.stopping = False

    def _slot(self, slot):
        mine = self.plan.slot_pairs(slot)
        slot_deadline = time.time() + self.plan.slot_seconds(slot)
        for i, pair in enumerate(mine):
            if self.stopping:
                return
            seconds = fuzz_plan.next_budget(time.time(), slot_deadline, len(mine) - i,
                                             self.ctx.args.min_pair_time)
            run = PairRun(pair, self.ctx)
            with self.lock:
                self.runs.append(run)
            self._say("start %s for %d s" % (pair.name, seconds))
            try:
                run.start(seconds)
                hard = run.started + seconds + GRACE
                while run.running() and time.time() < hard:
                    time.sleep(0.5)
                if run.running():
                    self._log("%s ran past its budget: interrupted" % pair.name)
            except OSError as e:
                run.error = "could not start: %s" % e
            finally:
                run.stop()
                run.finish()
            s = run.stats()
            self._say("done  %s: %d s, %s execs, cov %d, crashes %d, timeouts %d%s" % (
                pair.name, run.seconds(), format(s["execs"], ","), s["cov"], s["crashes"], s["timeouts"],
                ("  [%s]" % run.error) if run.error else ""))

    def _say(self, text):
        with self.lock:
            if self.tty:
                self.out.write("\r\033[K")
            self.out.write("[fuzz] %s\n" % text)
            self.out.flush()

    def _log(self, text):
        """Only into the pair logs' folder: routine, not worth a console line."""
        with open(os.path.join(self.ctx.work, "campaign.log"), "a", encoding="utf-8") as f:
            f.write(text + "\n")

    def _progress(self):
        with self.lock:
            runs = list(self.runs)
        for r in runs:
            if r.ended is None:
                r.sample()
        if not self.tty:
            return
        totals = [r.stats() for r in runs]
        active = [r.pair.name for r in runs if r.ended is None]
        line = "[fuzz] %3ds left | execs %s | crashes %d | timeouts %d | %s" % (
            max(0, int(self.deadline - time.time())), format(sum(t["execs"] for t in totals), ","),
            sum(t["crashes"] for t in totals), sum(t["timeouts"] for t in totals), " ".join(active))
        with self.lock:
            self.out.write("\r\033[K" + line[:200])
            self.out.flush()

    def run(self):
        self.deadline = time.time() + self.plan.phase_seconds
        threads = [threading.Thread(target=self._slot, args=(s,), daemon=True) for s in range(self.plan.slots)]
        for t in threads:
            t.start()
        try:
            while any(t.is_alive() for t in threads):
                self._progress()
                time.sleep(1)
        except KeyboardInterrupt:
            self.stopping = True
            with self.lock:
                runs = list(self.runs)
            for r in runs:
                r.stop()
            raise
        if self.tty:
            self.out.write("\r\033[K")
        return self.runs
