"""From raw findings to regressions: one target's triage, start to end.

Reproduces every finding with one build (so keys compare), groups them by
stack, minimizes one input per new stack, writes it to
corpus/regressions/<target>/ with an `.expect` sidecar (the standalone
driver's format, corpus/regressions/README.md) and checks that the
standalone driver crashes on it too.
"""
import datetime
import os
import re
import shutil

import fuzz_triage as tri

MINIMIZE_SECONDS = 20


_IGNORED = ("crash-", "timeout-", "oom-", "leak-")  # .gitignore's libFuzzer artifact names


def regression_name(repro, data_path):
    """<short-cause>-<date>-<sha8> (corpus/regressions/README.md): the top frame and the kind."""
    first = repro.frames[0] if repro.frames else "unknown"
    cause = re.sub(r"[^A-Za-z0-9_]+", "-", "%s-%s" % (first, repro.kind)).strip("-")[:60]
    if cause.startswith(_IGNORED):
        cause = "in-" + cause
    return "%s-%s-%s" % (cause, datetime.date.today().isoformat(), tri.sha1_of(data_path)[:8])


def sidecar_text(repro, sources, files, original_size, size):
    today = datetime.date.today().isoformat()
    return "\n".join([
        "# Found by ci/fuzz on %s: %s (%s) in %s." % (today, repro.category, repro.kind,
                                                    " > ".join(repro.frames) or "?"),
        "# Dedup key: %s" % repro.key,
        "# Seen by: %s; %d input(s) with this stack; minimized from %d to %d bytes." % (
            ", ".join(sources), files, original_size, size),
        "# While the bug lives the standalone driver crashes here and this regression fails.",
        "# The verdict below is provisional (most decoder crashes are on malformed input):",
        "# write the real one by hand from docs/spec/ when fixing the bug.",
        "verdict: error",
        "",
    ])


class TargetTriage:
    """Triage of one corpus target (a base target and its _sa variant share it)."""

    def __init__(self, target, reproducer, standalone, work, regressions_dir, jobs, minimizer=None):
        self.target = target
        self.reproducer = reproducer    # tri.Reproducer used for every key
        self.standalone = standalone    # tri.Reproducer with the standalone driver, or None
        self.work = work
        self.regressions_dir = regressions_dir
        self.jobs = jobs
        self.minimizer = minimizer      # callable(src, dst) -> bool, or None
        self.not_reproduced = 0
        self.regressions_fixed = 0
        self.skipped = 0

    def run(self, findings):
        """findings: [tri.Finding], corpus sources first. Returns [crash entry dicts]."""
        findings = tri.unique_by_content(findings)
        corpus = [f for f in findings if f.source in ("regression", "seed", "found")]
        engines = sorted((f for f in findings if f not in corpus), key=lambda f: os.path.getsize(f.path))
        room = max(0, tri.MAX_PER_TARGET - len(corpus))
        self.skipped = max(0, len(engines) - room)
        findings = corpus + engines[:room]
        reproduced = tri.reproduce_all(findings, self.reproducer, os.path.join(self.work, "inputs"), self.jobs)
        # A regression that no longer fails is a fixed bug, not a flaky finding:
        # only the engines' own findings count as "did not reproduce".
        self.not_reproduced = len([f for f in findings if f.result is None and f.source in ("libfuzzer", "afl")])
        self.regressions_fixed = len([f for f in findings if f.result is None and f.source == "regression"])
        known = {}
        for f in reproduced:
            if f.source == "regression":
                known.setdefault(f.result.key, f)
        entries = []
        for key, members in sorted(tri.group_by_key(reproduced).items()):
            entries.append(self._entry(key, members, known.get(key)))
        return entries

    def _entry(self, key, members, known):
        rep = members[0]
        sources = sorted({f.source for f in members})
        entry = {"target": self.target, "category": rep.result.category, "kind": rep.result.kind,
                 "key": key, "frames": rep.result.frames, "summary": rep.result.summary,
                 "sources": sources, "files": len(members), "known": known is not None}
        if known is not None:
            path, entry["minimized"] = known.path, False
        else:
            path = self._record(rep, members, sources)
            entry["minimized"] = os.path.getsize(path) < os.path.getsize(rep.copy)
        entry["regression"] = path
        entry["size"] = os.path.getsize(path)
        entry["standalone"] = self._standalone_check(path, key)
        entry["reproduce"] = " ".join(self.reproducer.argv(path))
        return entry

    def _record(self, rep, members, sources):
        src = rep.copy
        data = src
        if rep.result.category == "crash" and self.minimizer:
            small = os.path.join(self.work, "min-%s" % os.path.basename(src))
            if self.minimizer(src, small) and os.path.getsize(small) < os.path.getsize(src):
                again = self.reproducer.run(small)
                if again is not None and again.key == rep.result.key:
                    data = small
        os.makedirs(self.regressions_dir, exist_ok=True)
        dst = os.path.join(self.regressions_dir, regression_name(rep.result, data))
        shutil.copyfile(data, dst)
        with open(dst + ".expect", "w", encoding="utf-8") as f:
            f.write(sidecar_text(rep.result, sources, len(members), os.path.getsize(src), os.path.getsize(data)))
        return dst

    def _standalone_check(self, path, key):
        """True when the standalone driver fails on the input too (it reads our copy, no sidecar)."""
        if self.standalone is None:
            return None
        copy = os.path.join(self.work, "standalone-" + os.path.basename(path))
        shutil.copyfile(path, copy)
        return self.standalone.run(copy) is not None
