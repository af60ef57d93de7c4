"""Builds of the fuzz targets and one run of a target under libFuzzer or
AFL++, shared by the harness-speed and the bug-finding benchmarks."""
import glob
import os
import shutil
import subprocess
import tempfile
import time

from common import ROOT, WORK, cmake_build, preset_cache

AFL_ENV = {"AFL_NO_UI": "1", "AFL_SKIP_CPUFREQ": "1", "AFL_NO_AFFINITY": "1",
           "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1", "AFL_SKIP_CRASHES": "1"}


def fuzz_build(preset, planted=False, baselines=False):
    """build/bench-<preset>[-planted]: the project's preset flags, the fuzz
    targets only (and the extra exec/s baselines with `baselines`)."""
    cache, env = preset_cache(preset)
    cache.update({"ETWHF_BUILD_TESTS": "OFF", "ETWHF_BUILD_CLI": "OFF",
                  "ETWHF_FUZZ_BASELINES": "ON" if baselines else "OFF"})
    if planted:
        cache["ETWHF_PLANTED_BUGS"] = "ON"
    return cmake_build(preset.replace("fuzz-", "") + ("-planted" if planted else ""), cache, None, env)


def targets(bdir):
    names = []
    for p in sorted(glob.glob(os.path.join(bdir, "fuzz", "fuzz_*"))):
        if os.access(p, os.X_OK) and os.path.isfile(p) and "." not in os.path.basename(p):
            names.append(os.path.basename(p)[len("fuzz_"):])
    return names


def base_name(target):
    return target[:-3] if target.endswith("_sa") else target


def seed_dir(target):
    """corpus/<base>/ (the generated seeds) as a fresh folder; one byte when
    there are none (AFL++ needs at least one input)."""
    d = tempfile.mkdtemp(prefix=f"seeds-{target}-", dir=WORK)
    src = os.path.join(ROOT, "corpus", base_name(target))
    n = 0
    if os.path.isdir(src):
        for f in sorted(os.listdir(src)):
            p = os.path.join(src, f)
            if os.path.isfile(p) and not f.startswith(("README", ".")) and not f.endswith(".expect"):
                shutil.copy(p, d)
                n += 1
    if n == 0:
        with open(os.path.join(d, "one"), "wb") as f:
            f.write(b"x")
    return d, n


def libfuzzer(binary, seconds, seeds=None, env=None, log_path=None, extra=()):
    """Runs until `seconds` have passed, restarting after a crash (libFuzzer
    stops at the first), the corpus kept. Returns (execs, elapsed, crashes)."""
    corpus = tempfile.mkdtemp(prefix="corpus-", dir=WORK)
    art = tempfile.mkdtemp(prefix="artifacts-", dir=WORK)
    start = time.monotonic()
    execs, crashes = 0, 0
    logf = open(log_path or os.devnull, "a")
    try:
        while True:
            left = seconds - (time.monotonic() - start)
            if left < 1:
                break
            cmd = [binary, f"-max_total_time={int(left)}", "-print_final_stats=1", "-rss_limit_mb=2048",
                   "-timeout=10", f"-artifact_prefix={art}/", *extra, corpus] + ([seeds] if seeds else [])
            r = subprocess.run(cmd, env=dict(os.environ, **(env or {})), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, errors="replace", timeout=left + 60)
            logf.write(r.stderr[-20000:])
            for line in r.stderr.splitlines():
                if line.startswith("stat::number_of_executed_units:"):
                    execs += int(line.rpartition(":")[2])
            if r.returncode == 0:
                break
            crashes += 1
            # Without a final stats line after a crash, count the last status line.
            if "stat::number_of_executed_units" not in r.stderr:
                for line in reversed(r.stderr.splitlines()):
                    if line.startswith("#") and " exec/s" in line:
                        execs += int(line[1:].split()[0])
                        break
    finally:
        logf.close()
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(art, ignore_errors=True)
    return execs, time.monotonic() - start, crashes


def afl(binary, seconds, seeds, env=None, cmplog=None, log_path=None):
    """afl-fuzz -V seconds in persistent mode. Returns (execs, run_time, crashes)."""
    out = tempfile.mkdtemp(prefix="afl-", dir=WORK)
    cmd = ["afl-fuzz", "-V", str(int(seconds)), "-i", seeds, "-o", out]
    if cmplog:
        cmd += ["-c", cmplog]
    cmd += ["--", binary]
    full_env = dict(os.environ, **AFL_ENV, **(env or {}))
    with open(log_path or os.devnull, "a") as logf:
        try:
            subprocess.run(cmd, env=full_env, stdout=logf, stderr=subprocess.STDOUT, timeout=seconds + 120)
        except subprocess.TimeoutExpired:
            pass
    stats = {}
    try:
        with open(os.path.join(out, "default", "fuzzer_stats")) as f:
            for line in f:
                k, _, v = line.partition(":")
                stats[k.strip()] = v.strip()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if not stats:
        raise RuntimeError(f"afl-fuzz wrote no fuzzer_stats for {binary} (see {log_path})")
    return int(stats.get("execs_done", 0)), float(stats.get("run_time", seconds)), int(stats.get("saved_crashes", 0))
