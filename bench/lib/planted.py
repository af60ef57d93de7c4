"""The planted build (testing/ linked into the decoder) and oracle power: with
each planted bug switched on alone, does `etwhf check` on the exhaustive
corpus report at least one disagreement?"""
import json
import os
import shutil
import subprocess

from common import WORK, cmake_build, log, preset_cache, rel, run


def planted_build():
    """Release flags, ETWHF_PLANTED_BUGS on, CLI and tests: one build serves
    every bug (ETWHF_PLANTED picks them at run time)."""
    cache, _ = preset_cache("release")
    cache.update({"ETWHF_PLANTED_BUGS": "ON", "ETWHF_BUILD_FUZZ": "OFF", "ETWHF_BUILD_TESTS": "ON"})
    return cmake_build("planted", cache, ["etwhf_cli", "test_planted_seeds", "etwhf_planted_table"])


def bug_table(bdir):
    tool = os.path.join(bdir, "testing", "etwhf_planted_table")
    if not os.path.exists(tool):  # a planted fuzz build: only the library was built
        subprocess.run(["cmake", "--build", bdir, "--target", "etwhf_planted_table"], check=True,
                       capture_output=True)
    return json.loads(subprocess.run([tool], capture_output=True, text=True, check=True).stdout)


def seeds_test(bdir):
    """tests/bench in the planted build: each bug's seed triggers its canary
    and changes the output when switched on."""
    r = subprocess.run(["ctest", "--test-dir", bdir, "-R", "^bench_", "--output-on-failure"],
                       capture_output=True, text=True)
    return {"passed": r.returncode == 0, "tail": r.stdout.strip().splitlines()[-3:]}


def check_report(etwhf, corpus, planted):
    env = dict(os.environ)
    env.pop("ETWHF_PLANTED", None)
    if planted:
        env["ETWHF_PLANTED"] = str(planted)
    cmd = [etwhf, "check", corpus, "--json", "--jobs", "2"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    rep = {}
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        pass
    rep = rep if isinstance(rep, dict) else {}
    totals = rep.get("totals", {})
    faults = sorted(f["name"] for f in rep.get("by_fault", []) if f.get("disagree") or f.get("crash"))
    return {"exit": r.returncode, "cases": rep.get("cases"), "disagree": totals.get("disagree"),
            "crash": totals.get("crash"), "timeout": totals.get("timeout"), "fields": rep.get("by_field", {}),
            "faults": faults,
            "cmd": (f"ETWHF_PLANTED={planted} " if planted else "") + " ".join([rel(etwhf), "check", rel(corpus),
                                                                              "--json"])}


def oracle(bdir):
    etwhf = os.path.join(bdir, "etwhf")
    res = {"seeds_test": seeds_test(bdir), "bugs": bug_table(bdir)}
    corpus = os.path.join(WORK, "exhaustive")
    shutil.rmtree(corpus, ignore_errors=True)
    g = subprocess.run([etwhf, "gen", "--exhaustive", "--out", corpus], capture_output=True, text=True)
    res["gen_cmd"] = f"{rel(etwhf)} gen --exhaustive --out {rel(corpus)}"
    if g.returncode != 0:
        res["gap"] = f"`etwhf gen --exhaustive` failed ({g.returncode}): {g.stderr.strip()[:200]}"
        log(res["gap"])
        return res
    manifest = os.path.join(corpus, "manifest.jsonl")
    res["cases"] = sum(1 for _ in open(manifest)) - 1 if os.path.exists(manifest) else None
    res["control"] = check_report(etwhf, corpus, None)
    res["per_bug"] = {}
    for b in res["bugs"]:
        r = check_report(etwhf, corpus, b["id"])
        r["caught"] = r["exit"] == 1
        res["per_bug"][str(b["id"])] = r
        log(f"oracle: bug {b['id']} {b['name']}: {'caught' if r['caught'] else 'missed'} (exit {r['exit']})")
    res["score"] = [sum(r["caught"] for r in res["per_bug"].values()), len(res["bugs"])]
    return res
