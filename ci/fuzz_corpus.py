"""Corpus upkeep: both engines' queues merged into corpus/found/<target>/.

found/ keeps only what adds coverage beyond the seeds: the seeds are put into
the merge's output folder first (libFuzzer -merge=1 counts the first folder as
already kept), new inputs are added only for new features, then the seed
copies are taken out again. Without a libFuzzer build, afl-cmin minimizes and
inputs identical to seeds are dropped. Caps: MAX_FILES files and MAX_BYTES bytes
per target, smallest inputs kept first.
"""
import os
import shutil
import subprocess

import fuzz_engines as eng
from fuzz_triage import list_inputs, sha1_of

MAX_FILES = 500
MAX_BYTES = 2 * 1024 * 1024


def _link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def apply_caps(paths, max_files=MAX_FILES, max_bytes=MAX_BYTES):
    """(kept, dropped): smallest first until either cap is reached."""
    kept, dropped, total = [], [], 0
    for p in sorted(paths, key=lambda p: (os.path.getsize(p), p)):
        size = os.path.getsize(p)
        if len(kept) < max_files and total + size <= max_bytes:
            kept.append(p)
            total += size
        else:
            dropped.append(p)
    return kept, dropped


def merge_libfuzzer(binary, seed_paths, input_dirs, work, timeout, rss_limit_mb, log_path):
    """Paths of the inputs that add coverage beyond the seeds."""
    out = os.path.join(work, "merged")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    seed_names = set()
    for p in seed_paths:
        name = "seed-" + sha1_of(p)
        if name not in seed_names:
            _link_or_copy(p, os.path.join(out, name))
            seed_names.add(name)
    dirs = [d for d in input_dirs if list_inputs(d)]
    if not dirs:
        return []
    argv = [binary, "-merge=1", "-merge_control_file=%s" % os.path.join(work, "merge.ctl"),
            "-timeout=%d" % timeout, "-rss_limit_mb=%d" % rss_limit_mb, out] + dirs
    env = eng.sanitizer_env(dict(os.environ, TMPDIR=work), reproduce=False)
    with open(log_path, "ab") as log:
        subprocess.call(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=work)
    return [p for p in list_inputs(out) if os.path.basename(p) not in seed_names]


def merge_afl(afl_binary, seed_paths, input_dirs, work, timeout, log_path, env_extra=None):
    flat = os.path.join(work, "cmin-in")
    out = os.path.join(work, "cmin-out")
    for d in (flat, out):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(flat)
    seeds = {sha1_of(p) for p in seed_paths}
    for d in list(input_dirs):
        for p in list_inputs(d):
            digest = sha1_of(p)
            if digest not in seeds:
                dst = os.path.join(flat, digest)
                if not os.path.exists(dst):
                    _link_or_copy(p, dst)
    if not list_inputs(flat):
        return []
    env = eng.afl_env(os.environ)
    env.update(env_extra or {})
    # afl-cmin refuses folders under /tmp unless told; ours are private to this run.
    env["AFL_ALLOW_TMP"] = "1"
    argv = ["afl-cmin", "-i", flat, "-o", out, "-t", str(timeout * 1000), "-m", "none", "--", afl_binary]
    with open(log_path, "ab") as log:
        rc = subprocess.call(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=work)
    # afl-cmin refuses some inputs sets (e.g. none gives coverage); keep them all then.
    return list_inputs(out) if rc == 0 and list_inputs(out) else list_inputs(flat)


def install(kept, found_dir):
    """Makes found_dir hold exactly `kept` (named by content), sidecars and READMEs untouched.
    Returns (added, removed) counts."""
    os.makedirs(found_dir, exist_ok=True)
    wanted = {}
    for p in kept:
        wanted.setdefault(sha1_of(p), p)
    present = {os.path.basename(p): p for p in list_inputs(found_dir)}
    added = 0
    for digest, p in wanted.items():  # copy before removing: a kept path may be in found_dir
        dst = os.path.join(found_dir, digest)
        if not os.path.exists(dst):
            shutil.copyfile(p, dst)
            added += 1
    removed = 0
    for name, p in present.items():
        if name not in wanted:
            os.remove(p)
            removed += 1
    return added, removed
