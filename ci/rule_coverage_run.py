"""Runs `etwhf check` in-process with each rule mutant (testing/)
switched on, over a generated corpus, one mode at a time, and sorts the cases
that disagree: by the fields they differ on, the faults they carry and the
mode. Used by ci/rule-coverage."""
import json
import os
import subprocess

# Fields a check that reads severities only (no --strict-codes) never compares:
# the code sets, and strict mode's first error (code and offset; offsets are
# never read from a decoder command either).
CODE_FIELDS = {"errors", "warnings", "first_error"}
MODES = ("recover", "strict")


def mutant_table(build):
    tool = os.path.join(build, "testing", "etwhf_mutants_table")
    return json.loads(subprocess.run([tool], capture_output=True, text=True, check=True).stdout)


def generate(etwhf, out, options):
    """The corpus `etwhf gen --out out <options>`, rebuilt only when the
    options or the generator changed (the manifest's first line says)."""
    manifest = os.path.join(out, "manifest.jsonl")
    stamp = os.path.join(out, "rule-coverage.options")
    want = " ".join(options) + "\n" + str(os.path.getmtime(etwhf))
    if os.path.exists(manifest) and os.path.exists(stamp) and open(stamp).read() == want:
        return read_head(manifest)
    os.makedirs(out, exist_ok=True)
    subprocess.run([etwhf, "gen", "--out", out, "--force", *options], check=True, capture_output=True)
    with open(stamp, "w") as f:
        f.write(want)
    return read_head(manifest)


def read_head(manifest):
    with open(manifest) as f:
        head = json.loads(f.readline())
        cases = sum(1 for _ in f)
    return {"generator_version": head.get("generator_version"), "cases": cases}


def check(etwhf, corpus, mutant, mode, jobs):
    """One in-process `etwhf check`; the cases that did not agree."""
    env = dict(os.environ)
    env.pop("ETWHF_PLANTED", None)
    env.pop("ETWHF_MUTANT", None)
    if mutant:
        env["ETWHF_MUTANT"] = mutant
    cmd = [etwhf, "check", corpus, "--json", "--jobs", str(jobs), "--mode", mode, "--timeout", "10"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()[:300]}")
    rep = json.loads(r.stdout)
    return [{"file": os.path.basename(c["file"]), "fields": c.get("fields", []), "faults": c.get("faults", []),
             "outcome": c.get("outcome")} for c in rep.get("not_agreeing", [])]


def verdict(cases_by_mode):
    """killed: some case differs in events, verdict or counts (or crashed):
    caught without --strict-codes. codes: only code sets or the first error
    differ: caught only when codes are compared. survived: every case agrees."""
    full = {m: [c for c in cs if set(c["fields"]) - CODE_FIELDS or c["outcome"] in ("crash", "timeout")]
            for m, cs in cases_by_mode.items()}
    if any(full.values()):
        return "killed", full
    if any(cases_by_mode.values()):
        return "codes", cases_by_mode
    return "survived", {}


def summarize(cases_by_mode):
    status, killing = verdict(cases_by_mode)
    files, faults = [], {}
    for m in MODES:
        for c in killing.get(m, []):
            if c["file"] not in files:
                files.append(c["file"])
            for f in c["faults"] or ["intact"]:
                faults[f] = faults.get(f, 0) + 1
    return {"status": status,
            "modes": [m for m in MODES if killing.get(m)],
            "cases": {m: len(cases_by_mode.get(m, [])) for m in MODES},
            "killing_cases": len(files),
            "faults": sorted(faults, key=lambda f: (-faults[f], f)),
            "files": files[:3]}


def run_mutant(etwhf, corpus, mutant, jobs, modes=MODES):
    return summarize({m: check(etwhf, corpus, mutant, m, jobs) for m in modes})
