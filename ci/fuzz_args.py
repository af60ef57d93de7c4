"""Command line of ci/fuzz: parsing and validation only."""
import argparse
import os

ENGINES = ("libfuzzer", "afl")

USAGE_EPILOG = """\
The fuzzing phase alone lasts about --time seconds: the (target, engine) pairs
share --jobs slots, each slot divides the time among its pairs (at least
--min-pair-time seconds each, which can stretch the phase; the plan printed
first says so). Builds, corpus merge, triage and coverage come on top.

Exit status: 0 when nothing reproduced, 1 when a crash, timeout or OOM
reproduced (including ones already in corpus/regressions/), 2 on usage or
setup errors.
"""


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1: %r" % text)
    return value


def _csv(text):
    return [item for item in (part.strip() for part in text.split(",")) if item]


def build_parser():
    p = argparse.ArgumentParser(
        prog="ci/fuzz",
        description="Time-boxed fuzz campaign with libFuzzer and AFL++: builds, fuzzes, "
        "merges the corpus, triages crashes, measures coverage and writes a report.",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--time", type=_positive_int, default=600, metavar="SECONDS",
                   help="wall-clock budget of the fuzzing phase (default 600)")
    p.add_argument("--engines", type=_csv, default=list(ENGINES), metavar="LIST",
                   help="comma-separated engines: libfuzzer,afl (default both)")
    p.add_argument("--targets", type=_csv, default=None, metavar="LIST",
                   help="comma-separated fuzz targets, e.g. fuzz_record,fuzz_file (default: all built)")
    p.add_argument("--jobs", type=_positive_int, default=os.cpu_count() or 1, metavar="N",
                   help="parallel slots (default: number of CPUs)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="report folder (default build/fuzz-report)")
    p.add_argument("--min-pair-time", type=_positive_int, default=5, metavar="SECONDS",
                   help="shortest run a pair gets (default 5)")
    p.add_argument("--input-timeout", type=_positive_int, default=2, metavar="SECONDS",
                   help="per-input time limit in both engines and in reproduction (default 2)")
    p.add_argument("--rss-limit-mb", type=_positive_int, default=2048, metavar="MB",
                   help="per-process memory limit for libFuzzer runs and reproduction (default 2048)")
    p.add_argument("--found-max-files", type=_positive_int, default=500, metavar="N",
                   help="cap of corpus/found/<name>/ in files (default 500)")
    p.add_argument("--found-max-kib", type=_positive_int, default=2048, metavar="KIB",
                   help="cap of corpus/found/<name>/ in KiB (default 2048)")
    p.add_argument("--build-root", default=None, metavar="DIR",
                   help="where the preset builds go (default build/, one folder per preset)")
    p.add_argument("--corpus", default=None, metavar="DIR",
                   help="corpus root with <target>/, found/<target>/, regressions/<target>/ (default corpus/)")
    p.add_argument("--project", default=None, metavar="DIR",
                   help="CMake source folder to build with the presets' settings (default: this "
                   "repository; tests use it to build a planted-bug target)")
    p.add_argument("--no-build", action="store_true",
                   help="use the builds already in --build-root")
    p.add_argument("--no-coverage", action="store_true", help="skip the coverage step")
    p.add_argument("--keep-work", action="store_true",
                   help="keep the engines' raw output folders in DIR/work")
    return p


def parse(argv):
    parser = build_parser()
    args = parser.parse_args(argv)
    bad = [e for e in args.engines if e not in ENGINES]
    if bad or not args.engines:
        parser.error("--engines takes libfuzzer and/or afl, got %r" % ",".join(args.engines))
    # Keep the user's order but drop repeats, so a pair is never scheduled twice.
    args.engines = list(dict.fromkeys(args.engines))
    if args.targets is not None:
        if not args.targets:
            parser.error("--targets is empty")
        args.targets = list(dict.fromkeys(args.targets))
    return args
