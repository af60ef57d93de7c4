"""Builds the presets a campaign needs and finds the fuzz executables in them.

The repository's own builds use `cmake --preset P -B ROOT/P`. A different
--project folder (the planted-bug test) has no presets of its own, so the
repository's presets are resolved here and passed as -D settings.
"""
import json
import os
import re
import subprocess

PRESET_OF = {"libfuzzer": "fuzz-libfuzzer", "afl": "fuzz-afl", "afl-cmplog": "fuzz-afl-cmplog"}
# Reproduction and minimization of what AFL++ alone found, and the regression
# replays: the standalone driver under ASan+UBSan. Built from the asan preset
# in a folder of its own so ci/test's build/asan cache is never changed.
REPLAY = ("asan", "fuzz-replay", {"ETWHF_BUILD_TESTS": "OFF", "ETWHF_BUILD_CLI": "OFF"})
# Targets that are not campaign targets: fuzz_empty is the exec/s baseline.
NOT_CAMPAIGN = {"fuzz_empty"}
# Input shapes the structure-aware mutator knows (fuzz/mutator.h).
MUTATOR_LAYOUTS = ("file", "record", "stream")


def load_presets(repo):
    with open(os.path.join(repo, "CMakePresets.json"), encoding="utf-8") as f:
        data = json.load(f)
    return {p["name"]: p for p in data.get("configurePresets", [])}


def _lineage(presets, name):
    """The preset and its ancestors, in the order their settings apply (later wins):
    earlier parents win over later ones, the preset itself over all."""
    parents = presets[name].get("inherits", [])
    if isinstance(parents, str):
        parents = [parents]
    order = []
    for parent in reversed(parents):
        order += _lineage(presets, parent)
    return order + [presets[name]]


def resolve_cache(presets, name, source_dir):
    """cacheVariables of a configure preset after inheritance, macros expanded."""
    merged = {}
    for p in _lineage(presets, name):
        for key, value in p.get("cacheVariables", {}).items():
            if isinstance(value, dict):
                value = value.get("value", "")
            if isinstance(value, bool):
                value = "ON" if value else "OFF"
            merged[key] = str(value).replace("${sourceDir}", source_dir).replace("${presetName}", name)
    return merged


def resolve_env(presets, name):
    env = {}
    for p in _lineage(presets, name):
        env.update({k: v for k, v in p.get("environment", {}).items() if v is not None})
    return env


def _expand_env(value, env):
    return re.sub(r"\$env\{([^}]*)\}|\$penv\{([^}]*)\}",
                  lambda m: env.get(m.group(1) or m.group(2), ""), value)


def configure_command(repo, project, preset, build_dir, extra=None):
    """(argv, env) configuring build_dir like `cmake --preset preset` would."""
    extra = dict(extra or {})
    env = dict(os.environ)
    if os.path.realpath(project) == os.path.realpath(repo):
        argv = ["cmake", "--preset", preset, "-B", build_dir]
    else:
        presets = load_presets(repo)
        env.update({k: _expand_env(v, env) for k, v in resolve_env(presets, preset).items()})
        cache = resolve_cache(presets, preset, repo)
        cache.update(extra)
        extra = {}
        argv = ["cmake", "-S", project, "-B", build_dir]
        argv += ["-D%s=%s" % (k, _expand_env(v, env)) for k, v in sorted(cache.items())]
    argv += ["-D%s=%s" % (k, v) for k, v in sorted(extra.items())]
    return argv, env


def preset_exists(repo, name):
    try:
        return name in load_presets(repo)
    except (OSError, ValueError):
        return False


def build(repo, project, preset, build_dir, jobs, log_path, extra=None, targets=None):
    """Configures and builds (only `targets` when given); True on success. Output goes to log_path."""
    argv, env = configure_command(repo, project, preset, build_dir, extra)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write("$ %s\n" % " ".join(argv))
        log.flush()
        if subprocess.call(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=repo) != 0:
            return False
        argv = ["cmake", "--build", build_dir, "-j", str(jobs)]
        if targets:
            argv += ["--target"] + sorted(set(targets))
        log.write("$ %s\n" % " ".join(argv))
        log.flush()
        return subprocess.call(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=repo) == 0


def find_executables(build_dir, prefix="fuzz_"):
    """{name: path} of executable files named prefix* anywhere in a build tree."""
    found = {}
    for root, dirs, files in os.walk(build_dir):
        dirs[:] = [d for d in dirs if d != "CMakeFiles"]
        for f in files:
            path = os.path.join(root, f)
            if f.startswith(prefix) and "." not in f and os.access(path, os.X_OK):
                found.setdefault(f, path)
    return found


def find_file(build_dir, name):
    for root, dirs, files in os.walk(build_dir):
        dirs[:] = [d for d in dirs if d != "CMakeFiles"]
        if name in files:
            return os.path.join(root, name)
    return None


def build_targets(kind, targets):
    """CMake targets a campaign over `targets` needs from one build kind, or None for all.
    AFL++ builds have no _sa executables: those run the base target with the mutator .so."""
    if not targets:
        return None
    if kind == "libfuzzer":
        return list(targets)
    names = {base_name(t) for t in targets}
    if kind == "afl" and any(t.endswith("_sa") for t in targets):
        names.add("etwhf_afl_mutator")
    return sorted(names)


def base_name(target):
    """fuzz_record_sa → fuzz_record: the structure-aware variant shares inputs."""
    return target[:-3] if target.endswith("_sa") else target


def corpus_name(target):
    """fuzz_record and fuzz_record_sa → record: the folder name under corpus/,
    corpus/found/, corpus/regressions/ and of fuzz/<name>.dict / .options."""
    base = base_name(target)
    return base[len("fuzz_"):] if base.startswith("fuzz_") else base


def layout_of(target):
    """ETWHF_MUTATOR_LAYOUT for a structure-aware target (fuzz_record_sa → record)."""
    return base_name(target)[len("fuzz_"):]


class Builds:
    """Where each engine's executables are, after building."""

    def __init__(self):
        self.libfuzzer = {}   # name → path (-fsanitize=fuzzer builds, _sa included)
        self.afl = {}         # name → path (afl-clang-fast builds, no _sa)
        self.afl_cmplog = {}  # name → path
        self.replay = {}      # name → path (standalone driver, ASan+UBSan)
        self.afl_mutator = None

    def afl_binary(self, target):
        """(binary, cmplog binary, mutator .so, layout) for an AFL++ pair, or None."""
        base = base_name(target)
        if base not in self.afl:
            return None
        if target.endswith("_sa"):
            if not self.afl_mutator:
                return None
            return self.afl[base], self.afl_cmplog.get(base), self.afl_mutator, layout_of(target)
        return self.afl[base], self.afl_cmplog.get(base), None, None

    def targets(self, engines):
        names = set()
        if "libfuzzer" in engines:
            names |= set(self.libfuzzer)
        if "afl" in engines:
            names |= set(self.afl)
            if self.afl_mutator:
                # Which bases have a structure-aware variant: the libFuzzer
                # build says so when it was built, else the mutator's layouts.
                sa = {n for n in self.libfuzzer if n.endswith("_sa")}
                sa = sa or {"fuzz_%s_sa" % layout for layout in MUTATOR_LAYOUTS}
                names |= {n for n in sa if base_name(n) in self.afl}
        return sorted(n for n in names if n not in NOT_CAMPAIGN)

    def has(self, target, engine):
        if engine == "libfuzzer":
            return target in self.libfuzzer
        return self.afl_binary(target) is not None
