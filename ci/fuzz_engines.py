"""Command lines of the two engines and what their output says about progress.

libFuzzer runs in fork mode with -ignore_crashes=1 so one run collects every
crash (timeouts and OOMs are ignored in fork mode by default; we say so
explicitly). Artifacts go to -artifact_prefix; new corpus files to the first
corpus folder. AFL++ runs a -M main plus -S secondaries, each with -V; it never
touches host settings: AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES answers its
core_pattern check, AFL_SKIP_CPUFREQ its governor check, AFL_NO_AFFINITY keeps
it from binding cores other jobs use.
"""
import configparser
import os
import re

AFL_ENV = {
    "AFL_SKIP_CPUFREQ": "1",
    "AFL_NO_AFFINITY": "1",
    "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1",
    # Every engine's output goes to a log file, never to a terminal.
    "AFL_NO_UI": "1",
    "AFL_QUIET": "1",
}

# Sanitizer settings while fuzzing: no symbolization (slow, and reproduction
# symbolizes anyway); while reproducing: symbolized stacks with dedup tokens.
FUZZ_ASAN = "detect_leaks=1:symbolize=0:allocator_may_return_null=1"
REPRO_ASAN = "detect_leaks=1:symbolize=1:dedup_token_length=3:allocator_may_return_null=1:handle_abort=1"
UBSAN = "print_stacktrace=1:halt_on_error=1"


def sanitizer_env(base, reproduce):
    env = dict(base)
    env["ASAN_OPTIONS"] = REPRO_ASAN if reproduce else FUZZ_ASAN
    env["UBSAN_OPTIONS"] = UBSAN + (":symbolize=1" if reproduce else ":symbolize=0")
    return env


def read_options(path):
    """libFuzzer flags from a fuzz/<name>.options file ([libfuzzer] section)."""
    if not path or not os.path.isfile(path):
        return {}
    cp = configparser.ConfigParser()
    try:
        cp.read(path)
    except configparser.Error:
        return {}
    if not cp.has_section("libfuzzer"):
        return {}
    return dict(cp.items("libfuzzer"))


# Flags that ci/fuzz decides itself; an .options file does not override them.
_OWN_FLAGS = {"fork", "ignore_crashes", "ignore_timeouts", "ignore_ooms", "max_total_time",
              "timeout", "rss_limit_mb", "artifact_prefix", "runs", "jobs", "workers", "merge"}


def libfuzzer_command(binary, corpus_dir, seed_dirs, artifact_dir, seconds, forks,
                      timeout, rss_limit_mb, dict_path=None, options=None):
    argv = [binary,
            "-fork=%d" % max(1, forks),
            "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1",
            "-max_total_time=%d" % seconds,
            "-timeout=%d" % timeout,
            "-rss_limit_mb=%d" % rss_limit_mb,
            "-artifact_prefix=%s/" % artifact_dir.rstrip("/")]
    opts = dict(options or {})
    if dict_path and "dict" not in opts:
        opts["dict"] = dict_path
    for key in sorted(opts):
        if key not in _OWN_FLAGS:
            argv.append("-%s=%s" % (key, opts[key]))
    argv.append(corpus_dir)
    argv.extend(seed_dirs)
    return argv


def afl_instances(binary, cmplog_binary, in_dir, out_dir, seconds, helpers, timeout,
                  dict_path=None, max_len=None):
    """[(instance name, argv)] — the main first, then the secondaries."""
    common = ["-i", in_dir, "-o", out_dir, "-V", str(seconds), "-t", str(timeout * 1000), "-m", "none"]
    if dict_path:
        common += ["-x", dict_path]
    if max_len:
        common += ["-G", str(max_len)]
    runs = [("main", ["afl-fuzz", "-M", "main"] + common + ["--", binary])]
    for i in range(helpers):
        name = "sec%d" % (i + 1)
        extra = []
        if i == 0 and cmplog_binary:
            name, extra = "cmplog", ["-c", cmplog_binary]
        runs.append((name, ["afl-fuzz", "-S", name] + extra + common + ["--", binary]))
    return runs


def afl_env(base, mutator_so=None):
    env = {k: v for k, v in base.items() if k not in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "MSAN_OPTIONS")}
    env.update(AFL_ENV)
    if mutator_so:
        env["AFL_CUSTOM_MUTATOR_LIBRARY"] = mutator_so
    return env


_FORK_LINE = re.compile(
    r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s:? ?\d+ "
    r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s", re.M)


def parse_libfuzzer_log(text):
    """Last fork-mode status line: execs, cov, ft, corpus, ooms, timeouts, crashes, time."""
    last = None
    for last in _FORK_LINE.finditer(text):
        pass
    keys = ("execs", "cov", "ft", "corpus", "ooms", "timeouts", "crashes", "time")
    if last is None:
        return dict.fromkeys(keys, 0)
    return dict(zip(keys, (int(g) for g in last.groups())))


def libfuzzer_timeline(text):
    """[(seconds, cov, execs)] from every fork-mode status line."""
    return [(int(m.group(8)), int(m.group(2)), int(m.group(1))) for m in _FORK_LINE.finditer(text)]


def read_fuzzer_stats(path):
    out = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep:
                    out[key.strip()] = value.strip()
    except OSError:
        pass
    return out


def _num(text):
    try:
        return float(text.rstrip("%"))
    except (AttributeError, ValueError):
        return 0.0


def read_afl_stats(out_dir):
    """Summed over the instances of one AFL++ output folder."""
    total = {"execs": 0, "edges": 0, "corpus": 0, "crashes": 0, "hangs": 0, "instances": 0}
    if not os.path.isdir(out_dir):
        return total
    for inst in sorted(os.listdir(out_dir)):
        stats = read_fuzzer_stats(os.path.join(out_dir, inst, "fuzzer_stats"))
        if not stats:
            continue
        total["instances"] += 1
        total["execs"] += int(_num(stats.get("execs_done")))
        total["crashes"] += int(_num(stats.get("saved_crashes", stats.get("unique_crashes"))))
        total["hangs"] += int(_num(stats.get("saved_hangs", stats.get("unique_hangs"))))
        total["corpus"] += int(_num(stats.get("corpus_count", stats.get("paths_total"))))
        total["edges"] = max(total["edges"], int(_num(stats.get("edges_found"))))
    return total


def afl_plot_rows(out_dir, instance="main"):
    """[(seconds, edges, execs)] from plot_data (AFL++ 4.x column order)."""
    rows = []
    try:
        with open(os.path.join(out_dir, instance, "plot_data"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                cols = [c.strip() for c in line.split(",")]
                if len(cols) >= 13:
                    rows.append((int(_num(cols[0])), int(_num(cols[12])), int(_num(cols[11]))))
    except OSError:
        pass
    return rows
