"""ci/coverage: llvm-cov line and branch coverage of decoder/ from a corpus.

Builds the `coverage` preset (source-based coverage, clang) with the fuzz
targets linked to the standalone driver, replays every target's seeds and
found inputs through it, merges the profiles and writes:
  DIR/html/index.html   llvm-cov show, with branch counts
  DIR/summary.txt       llvm-cov report
  DIR/summary.json      {"lines_pct", "branches_pct", "functions_pct", "targets", "files"}
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import fuzz_build
from fuzz_triage import list_inputs

COVERAGE_EXTRA = {"ETWHF_BUILD_TESTS": "OFF", "ETWHF_BUILD_CLI": "OFF", "LIB_FUZZING_ENGINE": ""}


def llvm_tool(name):
    for candidate in (name, name + "-14"):
        path = shutil.which(candidate)
        if path:
            return path
    return None


def corpus_dirs(corpus_root, target):
    name = fuzz_build.corpus_name(target)
    return [d for d in (os.path.join(corpus_root, name), os.path.join(corpus_root, "found", name))
            if list_inputs(d)]


def replay(binaries, corpus_root, profile_dir, log_path, timeout):
    """Runs each base target over its corpus; returns {target: inputs replayed}."""
    os.makedirs(profile_dir, exist_ok=True)
    replayed = {}
    with open(log_path, "ab") as log:
        for name, path in sorted(binaries.items()):
            if name.endswith("_sa") or name in fuzz_build.NOT_CAMPAIGN:
                continue  # the _sa variants run the same harness on the same inputs
            dirs = corpus_dirs(corpus_root, name)
            if not dirs:
                continue
            env = dict(os.environ, LLVM_PROFILE_FILE=os.path.join(profile_dir, "%s-%%p.profraw" % name),
                       ETWHF_FUZZ_TIMEOUT=str(timeout))
            log.write(("$ %s %s\n" % (path, " ".join(dirs))).encode())
            log.flush()
            # A nonzero exit (an .expect mismatch) still writes the profile; only
            # a crash loses it, and the corpus holds no crashers (merge skips them).
            subprocess.call([path] + dirs, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
            replayed[name] = sum(len(list_inputs(d)) for d in dirs)
    return replayed


def summarize(export_json):
    """Totals of `llvm-cov export -summary-only` → percentages."""
    data = export_json["data"][0]
    totals = data["totals"]
    return {
        "lines_pct": round(totals["lines"]["percent"], 2),
        "branches_pct": round(totals["branches"]["percent"], 2),
        "functions_pct": round(totals["functions"]["percent"], 2),
        "lines": [totals["lines"]["covered"], totals["lines"]["count"]],
        "branches": [totals["branches"]["covered"], totals["branches"]["count"]],
        "files": {os.path.relpath(f["filename"]): round(f["summary"]["lines"]["percent"], 2)
                  for f in data.get("files", [])},
    }


def measure(binaries, profile_dir, out_dir, source_filter):
    profdata, cov = llvm_tool("llvm-profdata"), llvm_tool("llvm-cov")
    if not profdata or not cov:
        raise RuntimeError("llvm-profdata / llvm-cov not found (Debian: llvm)")
    raws = [os.path.join(profile_dir, f) for f in os.listdir(profile_dir) if f.endswith(".profraw")]
    if not raws:
        raise RuntimeError("no profiles were written (no corpus to replay?)")
    merged = os.path.join(out_dir, "coverage.profdata")
    subprocess.check_call([profdata, "merge", "-sparse", "-o", merged] + raws)
    objects = [p for n, p in sorted(binaries.items()) if not n.endswith("_sa") and n not in fuzz_build.NOT_CAMPAIGN]
    obj_args = [objects[0]] + [a for o in objects[1:] for a in ("-object", o)]
    common = ["-instr-profile", merged] + obj_args
    html = os.path.join(out_dir, "html")
    shutil.rmtree(html, ignore_errors=True)
    subprocess.check_call([cov, "show", "-format=html", "-show-branches=count", "-output-dir", html]
                          + common + source_filter, stdout=subprocess.DEVNULL)
    with open(os.path.join(out_dir, "summary.txt"), "w", encoding="utf-8") as f:
        subprocess.check_call([cov, "report", "-show-branch-summary"] + common + source_filter, stdout=f)
    text = subprocess.check_output([cov, "export", "-summary-only", "-format=text"] + common + source_filter)
    return summarize(json.loads(text))


def main(argv=None):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(prog="ci/coverage", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(repo, "build", "coverage-report"), metavar="DIR")
    p.add_argument("--corpus", default=os.path.join(repo, "corpus"), metavar="DIR")
    p.add_argument("--build-root", default=os.path.join(repo, "build"), metavar="DIR")
    p.add_argument("--project", default=repo, metavar="DIR")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--timeout", type=int, default=10, help="per-input seconds (default 10)")
    p.add_argument("--no-build", action="store_true")
    args = p.parse_args(argv)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    build_dir = os.path.join(os.path.abspath(args.build_root), "coverage-fuzz")
    log = os.path.join(out, "coverage.log")
    if not args.no_build:
        print("[coverage] building the coverage preset in %s" % build_dir, flush=True)
        if not fuzz_build.build(repo, os.path.abspath(args.project), "coverage", build_dir, args.jobs, log,
                                COVERAGE_EXTRA):
            print("ci/coverage: the build failed, see %s" % log, file=sys.stderr)
            return 2
    binaries = fuzz_build.find_executables(build_dir)
    if not binaries:
        print("ci/coverage: no fuzz_* executables in %s" % build_dir, file=sys.stderr)
        return 2
    profiles = os.path.join(out, "profiles")
    shutil.rmtree(profiles, ignore_errors=True)
    replayed = replay(binaries, os.path.abspath(args.corpus), profiles, log, args.timeout)
    try:
        summary = measure(binaries, profiles, out, [os.path.join(repo, "decoder")])
    except (RuntimeError, subprocess.CalledProcessError, ValueError, KeyError) as e:
        print("ci/coverage: %s" % e, file=sys.stderr)
        return 2
    summary["targets"] = replayed
    summary["html"] = os.path.join(out, "html", "index.html")
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print("[coverage] decoder/: lines %.1f %%, branches %.1f %% (%s)" % (
        summary["lines_pct"], summary["branches_pct"], summary["html"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
