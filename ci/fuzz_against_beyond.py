#!/usr/bin/env python3
"""ci/fuzz_against_beyond.py — which classes of a `ci/fuzz --against` report the fixed corpora
show too, and which only the campaign found.

Judges the decoder over each fixed corpus with the same `etwhf check --decoder-batch` run
the campaign makes, puts every disagreement in a class with the same key
(fuzz_against_judge.py), and prints the campaign's classes with, for each, the fixed
corpora that hold it — none: a class beyond them.

  ci/fuzz_against_beyond.py REPORT_DIR CORPUS... [--etwhf PATH] [--jobs N] [--timeout S] [--json OUT]

CORPUS: folders `etwhf gen --out` wrote (docs/conformance/ uses `--count 1000 --seed 424242`
and `--exhaustive --layer file`). Only the layers the campaign sent are judged.
"""
import argparse
import json
import os
import sys

import fuzz_against_judge as judge


def corpus_keys(etwhf, corpus, cmd, require, jobs, timeout, layers):
    """{class key: cases} of one fixed corpus."""
    argv_layers = ["--layer", ",".join(layers)]
    report = judge.finish_check(judge.start_check(etwhf, corpus, cmd, require, jobs, timeout, argv_layers))
    keys = {}
    for f in judge.failures(corpus, report, require):
        keys[f.key] = keys.get(f.key, 0) + 1
    return keys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report_dir")
    ap.add_argument("corpora", nargs="+")
    ap.add_argument("--etwhf", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    with open(os.path.join(a.report_dir, "report.json"), encoding="utf-8") as f:
        r = json.load(f)
    etwhf = a.etwhf or r["etwhf"]
    found = {}
    for corpus in a.corpora:
        keys = corpus_keys(etwhf, corpus, r["against"], r["require"], a.jobs, a.timeout, r.get("layers", ["file"]))
        found[corpus] = keys
        print("%s: %d class(es), %d case(s) not agreeing" % (corpus, len(keys), sum(keys.values())), flush=True)
    rows = []
    for c in r["classes"]:
        key = (c["level"], c["field"], c["header"], c["diagnostic"], c["stderr"])
        held = [os.path.basename(os.path.normpath(k)) for k, v in found.items() if key in v]
        rows.append(dict(c, fixed_corpora=held))
        print("%-44s %-6s %-24s %-12s %s" % (c["id"], c["source"], c["difference"][:24] if c.get("difference") else "",
                                              c["header"][:12], ", ".join(held) or "BEYOND the fixed corpora"))
    beyond = [x for x in rows if not x["fixed_corpora"]]
    print("%d of %d class(es) beyond the fixed corpora" % (len(beyond), len(rows)))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"against": r["against"], "corpora": {k: {repr(kk): n for kk, n in v.items()}
                                                             for k, v in found.items()}, "classes": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
