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

Against your decoder (--against CMD): a differential campaign instead. CMD
speaks the batch protocol (docs/spec/check-protocol.md §6, as for `etwhf check
--decoder-batch`); inputs come from the generator (fresh seeds, more faults,
every shape) and from mutations of the corpus (byte mutations, and libFuzzer's
fuzz_file_sa guided by the referee's coverage when that build exists); etwhf's
decoder is the referee at --require LEVEL. Each disagreement goes to a class,
is minimized and kept with a rerun line under OUT/classes/. Options that apply:
--time, --jobs, --out, --input-timeout, --keep-work and the group above.
Exit: 0 no class, 1 at least one class, 2 usage, 3 the campaign could not run
(etwhf or the decoder command cannot be started). docs/campaigns.md, section
"Against your decoder".
"""

LEVELS = ("L0", "L1", "L2", "L3", "L4")
LAYERS = ("file", "record", "payload")


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
    p.add_argument("--input-timeout", type=_positive_int, default=None, metavar="SECONDS",
                   help="per-input time limit in both engines and in reproduction (default 2); with "
                   "--against, one decode by the decoder (default 10, as etwhf check's --timeout)")
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
    g = p.add_argument_group("against your decoder (a differential campaign; docs/campaigns.md)")
    g.add_argument("--against", default=None, metavar="CMD",
                   help="the decoder command, started like etwhf check --decoder-batch CMD")
    g.add_argument("--require", default="L3", metavar="LEVEL",
                   help="conformance level the decoder must reach, L0-L4 (default L3)")
    g.add_argument("--layers", type=_csv, default=["file"], metavar="LIST",
                   help="layers the decoder takes: file,record,payload (default file); only file "
                   "inputs are mutated")
    g.add_argument("--seed", type=int, default=None, metavar="N",
                   help="first generator seed and mutation seed (default: drawn, and printed)")
    g.add_argument("--etwhf", default=None, metavar="PATH",
                   help="the etwhf tool (default $ETWHF, build/ci/etwhf, build/release/etwhf, etwhf on PATH)")
    g.add_argument("--fuzzer", default=None, metavar="PATH",
                   help="libFuzzer build of fuzz_file_sa for the coverage-guided rounds (default "
                   "build/fuzz-libfuzzer/fuzz/fuzz_file_sa when it exists; 'none', or no build: "
                   "mutation rounds use byte mutations only)")
    g.add_argument("--round-size", type=_positive_int, default=2000, metavar="N",
                   help="inputs per generator or mutation round (default 2000)")
    g.add_argument("--rounds", type=_positive_int, default=None, metavar="N",
                   help="stop after N rounds even before --time (the first round always runs "
                   "whole; tests use it to be independent of the machine's speed)")
    g.add_argument("--fault-rate", type=int, default=800, metavar="PERMILLE",
                   help="generator rounds: cases with faults, per mille (default 800)")
    g.add_argument("--max-faults", type=int, default=4, metavar="N",
                   help="generator rounds: faults per case, 1-4 (default 4)")
    g.add_argument("--minimize-time", type=int, default=20, metavar="SECONDS",
                   help="minimization of one class's first input, at most (default 20; 0: none)")
    g.add_argument("--stop-on-class", action="store_true",
                   help="stop after the round that finds the first class (bench/against_mutants.py: "
                   "time to the first disagreement)")
    return p


def parse(argv):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.input_timeout is None:
        args.input_timeout = 2 if args.against is None else 10
    if args.against is not None:
        if not args.against.strip():
            parser.error("--against needs a command")
        args.require = args.require.upper()
        if args.require not in LEVELS:
            parser.error("--require takes L0, L1, L2, L3 or L4, got %r" % args.require)
        bad = [x for x in args.layers if x not in LAYERS]
        if bad or not args.layers:
            parser.error("--layers takes file, record and/or payload, got %r" % ",".join(args.layers))
        args.layers = list(dict.fromkeys(args.layers))
        if not 0 <= args.fault_rate <= 1000:
            parser.error("--fault-rate takes 0-1000, got %d" % args.fault_rate)
        if args.minimize_time < 0:
            parser.error("--minimize-time takes 0 or more seconds, got %d" % args.minimize_time)
        if not 1 <= args.max_faults <= 4:
            parser.error("--max-faults takes 1-4, got %d" % args.max_faults)
        return args
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
