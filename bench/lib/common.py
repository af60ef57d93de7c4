"""What every benchmark section shares: paths, builds, timing, the machine,
and the results files that BENCHMARKS.md is written from."""
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.path.join(ROOT, "build")
WORK = os.path.join(BUILD_ROOT, "bench")            # traces, corpora, logs (never committed)
RESULTS = os.path.join(ROOT, "bench", "results")    # one JSON per section (committed)
JOBS = "2"                                          # the box has 2 shared cores


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def rel(path):
    """A path as the reproducing command shows it: relative to the clone
    when it lies inside it (/dev/null stays as it is)."""
    if os.path.isabs(path) and (path + "/").startswith(ROOT + "/"):
        return os.path.relpath(path, ROOT)
    return path


def show(cmd):
    return " ".join(shlex.quote(rel(str(c))) for c in cmd)


def run(cmd, check=True, **kw):
    kw.setdefault("cwd", ROOT)
    r = subprocess.run(cmd, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{show(cmd)} exited {r.returncode}")
    return r


def median(xs):
    return statistics.median(xs) if xs else None


# ---- builds -----------------------------------------------------------------

def preset_cache(name):
    """The cache variables and environment of a CMakePresets.json configure
    preset, inherits resolved, so bench builds use the project's own flags."""
    with open(os.path.join(ROOT, "CMakePresets.json")) as f:
        presets = {p["name"]: p for p in json.load(f)["configurePresets"]}
    cache, env = {}, {}

    def walk(n):
        p = presets[n]
        inh = p.get("inherits", [])
        for parent in ([inh] if isinstance(inh, str) else inh):
            walk(parent)
        cache.update(p.get("cacheVariables", {}))
        env.update(p.get("environment", {}))
    walk(name)
    cache.pop("CMAKE_EXPORT_COMPILE_COMMANDS", None)
    return cache, env


def cmake_build(name, cache, targets=None, env_extra=None):
    """Configures build/bench-<name> with `cache` and builds `targets`."""
    bdir = os.path.join(BUILD_ROOT, "bench-" + name)
    env = dict(os.environ, **(env_extra or {}))
    args = ["cmake", "-S", ROOT, "-B", bdir, "-Wno-dev"] + [f"-D{k}={v}" for k, v in sorted(cache.items())]
    logf = os.path.join(WORK, "logs", f"build-{name}.log")
    os.makedirs(os.path.dirname(logf), exist_ok=True)
    with open(logf, "w") as out:
        run(args, stdout=out, stderr=subprocess.STDOUT, env=env)
        cmd = ["cmake", "--build", bdir, "-j", JOBS]
        for t in targets or []:
            cmd += ["--target", t]
        run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    return bdir


def release_build():
    """The decoder, generator and CLI as a developer ships them (Release)."""
    cache, _ = preset_cache("release")
    cache.update({"ETWHF_BUILD_TESTS": "OFF", "ETWHF_BUILD_FUZZ": "OFF"})
    return cmake_build("release", cache, ["etwhf_cli"])


def compile_tool(src, out, extra=()):
    cc = shutil.which("cc") or "gcc"
    run([cc, "-O2", "-std=gnu11", "-Wall", "-Wextra", "-o", out, src, *extra])
    return out


# ---- the machine ------------------------------------------------------------

def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "commit": out(["git", "rev-parse", "--short", "HEAD"]) + (" (dirty)" if out(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results", ":!BENCHMARKS.md"]) else ""),
        "cc": out(["cc", "--version"]).splitlines()[0] if out(["cc", "--version"]) else "",
    }


# ---- timing -----------------------------------------------------------------

class Runs(list):
    """Wall seconds of some runs; .cpu holds their CPU seconds (user + sys),
    .user and .sys the two parts."""
    cpu = user = sys = ()


def time_runs(cmd, reps, shell=False, warm=True):
    """Wall seconds of `reps` runs after one warm-up run (page cache warm;
    `warm=False`: no warm-up, one run when reps is 0), stdout to /dev/null.
    The CPU seconds of the same runs (user + sys, the process and the
    children it waited for) go to .cpu: on a shared box they suffer less
    from other people's load than wall time. Their total is exact (the
    scheduler's runtime); the user/sys split is the kernel's tick sample."""
    times, user, sys_ = Runs(), [], []
    for i in range(reps + 1) if warm else range(1, max(reps, 1) + 1):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             shell=shell, cwd=ROOT)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode not in (0, 1):  # decode exits 1 on error diagnostics: still a full run
            raise RuntimeError(f"{cmd} exited {p.returncode}")
        if i:
            times.append(dt)
            user.append(ru.ru_utime)
            sys_.append(ru.ru_stime)
    times.user, times.sys = user, sys_
    times.cpu = [u + s for u, s in zip(user, sys_)]
    return times


def time_interleaved(cmds, reps, shell=False):
    """{name: Runs} for the commands in `cmds` ({name: cmd}), run in rounds:
    one warm-up round, then `reps` rounds each running every command once
    in turn, so that a change in the machine's load during the group falls
    on all of them alike rather than on whichever ran last."""
    runs = {k: Runs() for k in cmds}
    parts = {k: ([], []) for k in cmds}
    for i in range(reps + 1):
        for k, cmd in cmds.items():
            one = time_runs(cmd, 0, shell=shell, warm=False)
            if i:
                runs[k].append(one[0])
                parts[k][0].append(one.user[0])
                parts[k][1].append(one.sys[0])
    for k, r in runs.items():
        r.user, r.sys = parts[k]
        r.cpu = [u + s for u, s in zip(*parts[k])]
    return runs


def cpu_of(times):
    return list(times.cpu)


def syscall_shim():
    """bench/syscall_cpu.c as an LD_PRELOAD library (see there), or None
    when it cannot be built."""
    out = os.path.join(WORK, "syscall_cpu.so")
    cc = shutil.which("cc") or "gcc"
    r = subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", out, os.path.join(ROOT, "bench", "syscall_cpu.c"), "-ldl"],
                       capture_output=True, text=True)
    return out if r.returncode == 0 else None


def syscall_cpu(shim, cmd, reps=3, shell=False):
    """The CPU seconds a command spends inside read() and write(), exactly
    (bench/syscall_cpu.c), median of `reps` runs with the shim preloaded:
    {"read_s", "write_s", "reads", "writes"}. None without the shim."""
    if not shim:
        return None
    log_path = os.path.join(WORK, "syscall_cpu.log")
    rows = []
    for _ in range(reps):
        if os.path.exists(log_path):
            os.unlink(log_path)
        env = dict(os.environ, LD_PRELOAD=shim, ETWHF_SYSCALL_CPU_LOG=log_path)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           shell=shell, cwd=ROOT, env=env)
        if r.returncode not in (0, 1):
            raise RuntimeError(f"{cmd} exited {r.returncode} with the syscall shim")
        with open(log_path) as f:
            lines = f.read().split("\n")
        # One line per process that used the shim; a shell adds its own.
        vals = [sum(int(x.split()[i]) for x in lines if x.strip()) for i in range(4)]
        rows.append(vals)
    med = lambda i: statistics.median(v[i] for v in rows)  # noqa: E731
    return {"read_s": med(0) / 1e9, "write_s": med(1) / 1e9, "reads": med(2), "writes": med(3)}


def max_rss_kib(cmd):
    """Peak resident set of one run, as /usr/bin/time -v reports it."""
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, cwd=ROOT)
    for line in r.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1])
    raise RuntimeError(f"no max RSS from /usr/bin/time for {cmd}")


# ---- results ----------------------------------------------------------------

def save(section, data):
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, section + ".json"), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def load(section):
    try:
        with open(os.path.join(RESULTS, section + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
