"""Crash triage: reproduce every finding, group by stack, minimize, record.

Findings come from libFuzzer artifacts, AFL++ crashes/ and hangs/, and from
replaying the seeds, the found corpus and the regressions. Each is copied into
the triage folder (so no `.expect` sidecar is picked up by the standalone
driver) and run once more with the libFuzzer build or, for AFL-only
campaigns, the standalone driver under ASan+UBSan: AFL++ builds may lack
sanitizers and its persistent mode can carry state between inputs.
"""
import concurrent.futures
import hashlib
import os
import shutil
import signal
import subprocess

import fuzz_engines as eng
import fuzz_stack

MAX_PER_TARGET = 300  # findings reproduced per target; the rest are counted only
_LIBFUZZER_PREFIXES = ("crash-", "timeout-", "oom-", "leak-")
_NOT_INPUTS = (".expect", ".md", ".txt")


def sha1_of(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def list_inputs(folder):
    """Input files of a corpus folder (not READMEs, sidecars or dot-files)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names
            if not n.startswith((".", "README")) and not n.endswith(_NOT_INPUTS)
            and os.path.isfile(os.path.join(folder, n))]


def libfuzzer_findings(artifact_dir):
    return [p for p in list_inputs(artifact_dir) if os.path.basename(p).startswith(_LIBFUZZER_PREFIXES)]


def afl_findings(afl_out):
    found = []
    try:
        instances = sorted(os.listdir(afl_out))
    except OSError:
        return found
    for inst in instances:
        for sub in ("crashes", "hangs"):
            found += [p for p in list_inputs(os.path.join(afl_out, inst, sub))
                      if os.path.basename(p).startswith("id:")]
    return found


class Finding:
    def __init__(self, target, path, source):
        self.target = target
        self.path = path      # where the engine (or the corpus) has it
        self.source = source  # "libfuzzer", "afl", "seed", "found", "regression"
        self.copy = None      # our copy, without sidecars
        self.result = None    # Repro


class Repro:
    def __init__(self, category, kind, frames, summary, output):
        self.category, self.kind, self.frames = category, kind, frames
        self.summary, self.output = summary, output

    @property
    def key(self):
        return fuzz_stack.dedup_key(self.category, self.kind, self.frames)


class Reproducer:
    """Runs one input through a replay binary and reads the report."""

    def __init__(self, binary, kind, timeout, rss_limit_mb):
        self.binary, self.kind = binary, kind  # kind: "libfuzzer" or "standalone"
        self.timeout, self.rss = timeout, rss_limit_mb

    def argv(self, path):
        if self.kind == "libfuzzer":
            return [self.binary, "-timeout=%d" % self.timeout, "-rss_limit_mb=%d" % self.rss,
                    "-runs=1", path]
        return [self.binary, path]

    def run(self, path):
        env = eng.sanitizer_env(os.environ, reproduce=True)
        env["ETWHF_FUZZ_TIMEOUT"] = str(self.timeout)
        killed = False
        try:
            proc = subprocess.run(self.argv(path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=env, timeout=self.timeout * 3 + 20)
            out, rc = proc.stdout.decode("utf-8", "replace"), proc.returncode
        except subprocess.TimeoutExpired as e:
            out, rc, killed = (e.stdout or b"").decode("utf-8", "replace"), None, True
        if rc == 0 and not killed:
            return None
        verdict = fuzz_stack.classify(out, rc, killed)
        if verdict is None:
            return None
        category, kind = verdict
        return Repro(category, kind, fuzz_stack.program_frames(out), fuzz_stack.summary_line(out), out)


def reproduce_all(findings, reproducer, copy_dir, jobs):
    """Copies each finding into copy_dir and reproduces it; returns the reproduced ones."""
    os.makedirs(copy_dir, exist_ok=True)
    for i, f in enumerate(findings):
        f.copy = os.path.join(copy_dir, "%05d-%s" % (i, f.source))
        shutil.copyfile(f.path, f.copy)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for f, result in zip(findings, pool.map(lambda f: reproducer.run(f.copy), findings)):
            f.result = result
    return [f for f in findings if f.result is not None]


def group_by_key(reproduced):
    """{key: [findings]} with each group's smallest input first."""
    groups = {}
    for f in reproduced:
        groups.setdefault(f.result.key, []).append(f)
    for members in groups.values():
        members.sort(key=lambda f: (os.path.getsize(f.copy), f.copy))
    return groups


def unique_by_content(findings):
    """Drops byte-identical inputs (engines and corpora often hold one input twice);
    the first one seen is kept, so list the corpus sources first."""
    seen, out = set(), []
    for f in findings:
        digest = sha1_of(f.path)
        if digest not in seen:
            seen.add(digest)
            out.append(f)
    return out


def _run_bounded(argv, env, seconds, cwd=None):
    """Runs argv in its own session; past `seconds` the whole group is killed
    (libFuzzer's minimizer runs its steps as child processes)."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            env=env, cwd=cwd, start_new_session=True)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def minimize_libfuzzer(binary, path, out_path, timeout, rss_limit_mb, seconds):
    """libFuzzer -minimize_crash; each step keeps the same DEDUP_TOKEN while shrinking,
    and every step writes its result, so stopping at the deadline keeps the best so far."""
    env = eng.sanitizer_env(os.environ, reproduce=True)
    argv = [binary, "-minimize_crash=1", "-runs=1000000", "-max_total_time=%d" % max(1, seconds // 2),
            "-timeout=%d" % timeout, "-rss_limit_mb=%d" % rss_limit_mb,
            "-exact_artifact_path=%s" % out_path, path]
    _run_bounded(argv, env, seconds, cwd=os.path.dirname(out_path))
    return os.path.isfile(out_path) and os.path.getsize(out_path) > 0


def minimize_afl(afl_binary, path, out_path, timeout, seconds, env_extra=None):
    """afl-tmin, for campaigns without a libFuzzer build."""
    env = eng.afl_env(os.environ)
    env.update(env_extra or {})
    argv = ["afl-tmin", "-i", path, "-o", out_path, "-t", str(timeout * 1000), "-m", "none", "--", afl_binary]
    _run_bounded(argv, env, seconds)
    return os.path.isfile(out_path) and os.path.getsize(out_path) > 0
