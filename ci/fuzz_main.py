"""ci/fuzz: the whole campaign, in order (see ci/fuzz --help and docs/campaigns.md).

deps → builds → plan → seeds (crashing seeds and regressions are findings too)
→ fuzzing phase → corpus merge → triage → coverage → plot → report → exit code.
"""
import os
import shutil
import subprocess
import sys
import time

import fuzz_args
import fuzz_build as fb
import fuzz_corpus
import fuzz_coverage
import fuzz_engines as eng
import fuzz_findings
import fuzz_plan
import fuzz_report
import fuzz_runner
import fuzz_triage as tri

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def say(text):
    print("[fuzz] %s" % text, flush=True)


class Context:
    """What the runner and the steps need to know about this campaign."""

    def __init__(self, args, out):
        self.args = args
        self.out = out
        self.work = os.path.join(out, "work")
        self.project = os.path.abspath(args.project or REPO)
        self.corpus = os.path.abspath(args.corpus or os.path.join(REPO, "corpus"))
        self.build_root = os.path.abspath(args.build_root or os.path.join(REPO, "build"))
        self.builds = fb.Builds()
        self.notes = []

    def seed_dir(self, target):
        return os.path.join(self.work, fb.base_name(target), "seeds")

    def _fuzz_file(self, target, suffix):
        """fuzz/<name><suffix> (fuzz/record.dict), from the project first, then this repository."""
        name = fb.corpus_name(target)
        for folder in (os.path.join(self.project, "fuzz"), self.project, os.path.join(REPO, "fuzz")):
            path = os.path.join(folder, name + suffix)
            if os.path.isfile(path):
                return path
        return None

    def dict_path(self, target):
        return self._fuzz_file(target, ".dict")

    def options(self, target):
        """[libfuzzer] options; a relative dict is resolved like ClusterFuzz does, beside the binary."""
        path = self._fuzz_file(target, ".options")
        opts = eng.read_options(path)
        if "dict" in opts and not os.path.isabs(opts["dict"]):
            binary = self.builds.libfuzzer.get(target) or ""
            for folder in (os.path.dirname(binary), os.path.dirname(path or "")):
                candidate = os.path.join(folder, opts["dict"])
                if folder and os.path.isfile(candidate):
                    opts["dict"] = candidate
                    break
            else:
                del opts["dict"]  # dict_path() supplies fuzz/<name>.dict instead
        return opts

    def corpus_dirs(self, base):
        """(seeds, found, regressions) folders of a target."""
        name = fb.corpus_name(base)
        return (os.path.join(self.corpus, name), os.path.join(self.corpus, "found", name),
                os.path.join(self.corpus, "regressions", name))


# ---- steps -------------------------------------------------------------------------

def install_deps():
    rc = subprocess.call(["bash", os.path.join(REPO, "ci", "deps.sh"), "fuzz"])
    if rc != 0:
        say("missing packages (see above); install them and run again")
    return rc == 0


def do_builds(ctx, engines):
    log = os.path.join(ctx.out, "build.log")
    wanted = []
    if "libfuzzer" in engines:
        wanted.append(("libfuzzer", fb.PRESET_OF["libfuzzer"], fb.PRESET_OF["libfuzzer"], {}))
    if "afl" in engines:
        wanted.append(("afl", fb.PRESET_OF["afl"], fb.PRESET_OF["afl"], {}))
        # A CmpLog secondary needs a spare slot: with at least as many pairs as
        # slots there is none, and the CmpLog build is skipped.
        spare = len(guess_targets(ctx)) * len(engines) < ctx.args.jobs
        if spare and fb.preset_exists(REPO, fb.PRESET_OF["afl-cmplog"]):
            wanted.append(("afl_cmplog", fb.PRESET_OF["afl-cmplog"], fb.PRESET_OF["afl-cmplog"], {}))
    preset, folder, extra = fb.REPLAY
    wanted.append(("replay", preset, folder, dict(extra, LIB_FUZZING_ENGINE="")))
    for attr, preset, folder, extra in wanted:
        build_dir = os.path.join(ctx.build_root, folder)
        if not ctx.args.no_build:
            t0 = time.time()
            kind = {"afl_cmplog": "afl", "replay": "standalone"}.get(attr, attr)
            ok = fb.build(REPO, ctx.project, preset, build_dir, ctx.args.jobs, log, extra,
                          fb.build_targets(kind, ctx.args.targets))
            say("build %-16s %s (%ds)" % (preset, "ok" if ok else "FAILED, see " + log, time.time() - t0))
            if not ok:
                return False
        setattr(ctx.builds, attr, fb.find_executables(build_dir))
        if attr == "afl":
            ctx.builds.afl_mutator = fb.find_file(build_dir, "libetwhf_afl_mutator.so")
    return True


def choose_targets(ctx):
    available = ctx.builds.targets(ctx.args.engines)
    if ctx.args.targets is None:
        return available
    missing = [t for t in ctx.args.targets if t not in available]
    if missing:
        say("unknown or unbuilt target(s): %s (built: %s)" % (", ".join(missing), ", ".join(available) or "none"))
        return None
    return ctx.args.targets


def reproducer_for(ctx, base):
    """libFuzzer build when there is one (dedup tokens, -minimize_crash), else the standalone driver."""
    a = ctx.args
    if base in ctx.builds.libfuzzer:
        return tri.Reproducer(ctx.builds.libfuzzer[base], "libfuzzer", a.input_timeout, a.rss_limit_mb)
    if base in ctx.builds.replay:
        return tri.Reproducer(ctx.builds.replay[base], "standalone", a.input_timeout, a.rss_limit_mb)
    return None


def standalone_for(ctx, base):
    a = ctx.args
    path = ctx.builds.replay.get(base)
    return tri.Reproducer(path, "standalone", a.input_timeout, a.rss_limit_mb) if path else None


def prepare_seeds(ctx, bases):
    """Copies each target's seeds and found inputs (by content) into its seed folder; the
    ones that fail are findings, left out of the seeds (AFL++ refuses crashing seeds).
    Returns {base: [tri.Finding]}."""
    findings = {}
    for base in bases:
        seeds_dir = os.path.join(ctx.work, base, "seeds")
        os.makedirs(seeds_dir, exist_ok=True)
        seed_d, found_d, regr_d = ctx.corpus_dirs(base)
        origin = {}
        for source, folder in (("seed", seed_d), ("found", found_d)):
            for p in tri.list_inputs(folder):
                name = tri.sha1_of(p)
                if name not in origin:
                    origin[name] = (source, p)
                    shutil.copyfile(p, os.path.join(seeds_dir, name))
        findings[base] = [tri.Finding(base, p, "regression") for p in tri.list_inputs(regr_d)]
        failing = failing_seeds(ctx, base, seeds_dir)
        for name in failing:
            source, path = origin[name]
            findings[base].append(tri.Finding(base, path, source))
            os.remove(os.path.join(seeds_dir, name))
        if not tri.list_inputs(seeds_dir):
            # Both engines need one input that runs; one zero byte is the smallest.
            with open(os.path.join(seeds_dir, "empty-seed"), "wb") as f:
                f.write(b"\0")
        if failing:
            say("%s: %d seed(s) fail and are triaged instead of fuzzed" % (base, len(failing)))
    return findings


def failing_seeds(ctx, base, seeds_dir):
    """Names in seeds_dir that crash, hang or exhaust memory: one batch run, then one
    run per file only when the batch failed."""
    rep = standalone_for(ctx, base) or reproducer_for(ctx, base)
    if rep is None or not tri.list_inputs(seeds_dir):
        return []
    batch = tri.Reproducer(rep.binary, rep.kind, rep.timeout, rep.rss)
    if batch.kind == "libfuzzer":
        batch.argv = lambda path: [rep.binary, "-runs=0", "-timeout=%d" % rep.timeout,
                                   "-rss_limit_mb=%d" % rep.rss, path]
    if batch.run(seeds_dir) is None:
        return []
    return [os.path.basename(p) for p in tri.list_inputs(seeds_dir) if rep.run(p) is not None]


def merge_corpus(ctx, base, runs):
    seed_d, found_d, _ = ctx.corpus_dirs(base)
    queues = [d for r in runs if fb.base_name(r.pair.target) == base for d in r.queue_dirs()]
    work = os.path.join(ctx.work, base, "merge")
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "merge.log")
    seeds = tri.list_inputs(seed_d)
    a = ctx.args
    if base in ctx.builds.libfuzzer:
        new = fuzz_corpus.merge_libfuzzer(ctx.builds.libfuzzer[base], seeds, [found_d] + queues, work,
                                          a.input_timeout, a.rss_limit_mb, log)
    elif base in ctx.builds.afl:
        new = fuzz_corpus.merge_afl(ctx.builds.afl[base], seeds, [found_d] + queues, work, a.input_timeout, log)
    else:
        return None
    before = len(tri.list_inputs(found_d))
    kept, dropped = fuzz_corpus.apply_caps(new, a.found_max_files, a.found_max_kib * 1024)
    added, removed = fuzz_corpus.install(kept, found_d)
    return {"target": fb.corpus_name(base), "files": len(kept), "bytes": sum(os.path.getsize(p) for p in kept),
            "added": added, "removed": removed, "dropped": len(dropped), "before": before}


def triage(ctx, base, runs, pre_findings):
    findings = list(pre_findings)
    for r in runs:
        if fb.base_name(r.pair.target) != base:
            continue
        if r.pair.engine == "libfuzzer":
            findings += [tri.Finding(base, p, "libfuzzer") for p in tri.libfuzzer_findings(r.artifact_dir)]
        else:
            findings += [tri.Finding(base, p, "afl") for p in tri.afl_findings(r.afl_out)]
    rep = reproducer_for(ctx, base)
    if rep is None:
        return [], len(findings), 0, 0
    minimizer = None
    a = ctx.args
    if rep.kind == "libfuzzer":
        minimizer = lambda src, dst: tri.minimize_libfuzzer(rep.binary, src, dst, a.input_timeout, a.rss_limit_mb,
                                                            fuzz_findings.MINIMIZE_SECONDS)
    elif base in ctx.builds.afl:
        minimizer = lambda src, dst: tri.minimize_afl(ctx.builds.afl[base], src, dst, a.input_timeout,
                                                      fuzz_findings.MINIMIZE_SECONDS)
    tt = fuzz_findings.TargetTriage(base, rep, standalone_for(ctx, base), os.path.join(ctx.work, base, "triage"),
                                    ctx.corpus_dirs(base)[2], a.jobs, minimizer)
    entries = tt.run(findings) if findings else []
    return entries, tt.not_reproduced, tt.skipped, tt.regressions_fixed


def coverage(ctx):
    out = os.path.join(ctx.out, "coverage")
    argv = ["--out", out, "--corpus", ctx.corpus, "--build-root", ctx.build_root, "--project", ctx.project,
            "--jobs", str(ctx.args.jobs)]
    if ctx.args.no_build:
        argv.append("--no-build")
    rc = fuzz_coverage.main(argv)
    summary = os.path.join(out, "summary.json")
    if rc != 0 or not os.path.isfile(summary):
        return {"lines_pct": None, "branches_pct": None, "error": "ci/coverage failed (see %s)" % out}
    import json
    with open(summary, encoding="utf-8") as f:
        s = json.load(f)
    return {"lines_pct": s["lines_pct"], "branches_pct": s["branches_pct"], "functions_pct": s.get("functions_pct"),
            "html": os.path.relpath(s["html"], ctx.out), "summary": os.path.relpath(summary, ctx.out)}


# ---- the campaign -----------------------------------------------------------------

def guess_targets(ctx):
    """Targets as the sources tell them, before anything is built (for the first estimate)."""
    fuzz_dir = os.path.join(ctx.project, "fuzz")
    names = []
    for f in sorted(os.listdir(fuzz_dir)) if os.path.isdir(fuzz_dir) else []:
        path = os.path.join(fuzz_dir, f)
        if f.startswith("fuzz_") and f.endswith(".c"):
            with open(path, encoding="utf-8", errors="replace") as src:
                if "LLVMFuzzerTestOneInput" in src.read():
                    names.append(f[:-2])
    names += ["fuzz_%s_sa" % layout for layout in fb.MUTATOR_LAYOUTS if "fuzz_" + layout in names]
    names = [n for n in names if n not in fb.NOT_CAMPAIGN]
    if ctx.args.targets:
        names = ctx.args.targets
    return names


def estimate(ctx):
    """(fuzzing phase, builds, post-processing) in seconds: a forecast, printed first."""
    targets = guess_targets(ctx) or ["?"]
    plan = fuzz_plan.make_plan(targets, ctx.args.engines, ctx.args.jobs, ctx.args.time, ctx.args.min_pair_time)
    folders = [fb.PRESET_OF[e] for e in ctx.args.engines] + [fb.REPLAY[1], "coverage-fuzz"]
    missing = [d for d in folders if not os.path.isdir(os.path.join(ctx.build_root, d))]
    # Measured on 2 cores: a fresh preset build takes 20-50 s, an up-to-date one a few.
    builds = 0 if ctx.args.no_build else 5 * len(folders) + 40 * len(missing)
    bases = {fb.base_name(t) for t in targets}
    post = 4 * len(bases) + (0 if ctx.args.no_coverage else 15)
    return plan.phase_seconds, builds, post


def main(argv=None):
    args = fuzz_args.parse(sys.argv[1:] if argv is None else argv)
    if args.against is not None:
        import fuzz_against
        return fuzz_against.main(args)
    t_start = time.time()
    out = os.path.abspath(args.out or os.path.join(REPO, "build", "fuzz-report"))
    ctx = Context(args, out)
    shutil.rmtree(ctx.work, ignore_errors=True)
    os.makedirs(ctx.work, exist_ok=True)
    phase, builds, post = estimate(ctx)
    say("expected total: about %d s = builds ~%d s + fuzzing %d s + merge/triage/coverage ~%d s"
        % (phase + builds + post, builds, phase, post))
    if not install_deps():
        return 2
    if not do_builds(ctx, args.engines):
        return 2
    targets = choose_targets(ctx)
    if not targets:
        say("nothing to fuzz")
        return 2
    runnable = [t for t in targets if any(ctx.builds.has(t, e) for e in args.engines)]
    plan = fuzz_plan.make_plan(runnable, args.engines, args.jobs, args.time, args.min_pair_time,
                               cmplog=bool(ctx.builds.afl_cmplog))
    plan.pairs = [p for p in plan.pairs if ctx.builds.has(p.target, p.engine)]
    for t in runnable:
        for e in args.engines:
            if not ctx.builds.has(t, e):
                ctx.notes.append("%s has no %s build: that pair was not run" % (t, e))
    bases = sorted({fb.base_name(t) for t in runnable})
    for line in fuzz_plan.describe(plan, cmplog=bool(ctx.builds.afl_cmplog)):
        say(line)
    pre = prepare_seeds(ctx, bases)
    phase_start = time.time()
    runs = fuzz_runner.Campaign(plan, ctx).run()
    phase_seconds = round(time.time() - phase_start, 1)
    say("fuzzing phase done in %.0f s" % phase_seconds)

    corpus = []
    for base in bases:
        c = merge_corpus(ctx, base, runs)
        if c:
            corpus.append(c)
            say("corpus/found/%s: %d files, %d bytes (+%d -%d)" % (c["target"], c["files"], c["bytes"],
                                                                 c["added"], c["removed"]))
    crashes, not_reproduced, regressions_fixed = [], 0, 0
    for base in bases:
        entries, nr, skipped, fixed = triage(ctx, base, runs, pre.get(base, []))
        crashes += entries
        not_reproduced += nr
        regressions_fixed += fixed
        if skipped:
            ctx.notes.append("%s: %d finding(s) over the triage cap were not reproduced" % (base, skipped))
    for c in crashes:
        c["regression"] = os.path.relpath(c["regression"], REPO) if c["regression"].startswith(REPO) else c["regression"]
        say("%s %s: %s in %s -> %s" % ("KNOWN" if c["known"] else "NEW", c["category"], c["kind"],
                                     " > ".join(c["frames"]) or "?", c["regression"]))
    cov = ({"lines_pct": None, "branches_pct": None, "error": "skipped (--no-coverage)"}
           if args.no_coverage else coverage(ctx))
    plot = fuzz_report.write_plot(out, [(r.pair.name, r.pair.engine, r.timeline) for r in runs])

    per_pair_unique = {}
    for c in crashes:
        for r in runs:
            if fb.base_name(r.pair.target) == c["target"] and r.pair.engine in c["sources"]:
                per_pair_unique[r.pair.name] = per_pair_unique.get(r.pair.name, 0) + 1
    targets_json = []
    for r in sorted(runs, key=lambda r: (r.pair.target, r.pair.engine)):
        s = r.stats()
        extra = {"coverage_counter": s["cov"], "helpers": r.pair.helpers}
        if r.error:
            extra["note"] = r.error
        targets_json.append(fuzz_report.target_entry(r.pair.target, r.pair.engine, r.seconds(), s["execs"],
                                                     r.corpus_files(), per_pair_unique.get(r.pair.name, 0), **extra))
    report = {
        "targets": targets_json,
        "coverage": cov,
        "crashes": crashes,
        "reproduced": len(crashes),
        "not_reproduced": not_reproduced,
        "regressions_fixed": regressions_fixed,
        "corpus": corpus,
        "engines": args.engines,
        "jobs": args.jobs,
        "time_budget": args.time,
        "phase_seconds": phase_seconds,
        "wall_seconds": round(time.time() - t_start, 1),
        "plot": os.path.relpath(plot, out) if plot else None,
        "notes": plan.notes + ctx.notes,
    }
    fuzz_report.write_json(os.path.join(out, "report.json"), report)
    with open(os.path.join(out, "report.md"), "w", encoding="utf-8") as f:
        f.write(fuzz_report.render_markdown(report))
    if not args.keep_work:
        shutil.rmtree(os.path.join(ctx.work), ignore_errors=True)
    total_execs = sum(t["execs"] for t in targets_json)
    say("report: %s (%d s in all, %s execs, decoder/ lines %s %%, branches %s %%)" % (
        os.path.join(out, "report.md"), report["wall_seconds"], format(total_execs, ","),
        cov.get("lines_pct"), cov.get("branches_pct")))
    if crashes:
        say("FAILED: %d crash/timeout/OOM stack(s) reproduced" % len(crashes))
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
