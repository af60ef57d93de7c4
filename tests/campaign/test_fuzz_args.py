"""Command line of ci/fuzz (ci/fuzz_args.py)."""
import contextlib
import io
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci"))
import fuzz_args  # noqa: E402


def parse_error(argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            fuzz_args.parse(argv)
        except SystemExit as e:
            return e.code, err.getvalue()
    return None, ""


class ArgsTest(unittest.TestCase):
    def test_defaults(self):
        a = fuzz_args.parse([])
        self.assertEqual(a.engines, ["libfuzzer", "afl"])
        self.assertIsNone(a.targets)
        self.assertEqual(a.time, 600)
        self.assertGreaterEqual(a.jobs, 1)

    def test_all_options(self):
        a = fuzz_args.parse(["--time", "60", "--engines", "afl", "--targets", "fuzz_a, fuzz_b,fuzz_a",
                             "--jobs", "3", "--out", "/tmp/x"])
        self.assertEqual((a.time, a.engines, a.targets, a.jobs, a.out),
                         (60, ["afl"], ["fuzz_a", "fuzz_b"], 3, "/tmp/x"))

    def test_engine_order_kept_repeats_dropped(self):
        self.assertEqual(fuzz_args.parse(["--engines", "afl,libfuzzer,afl"]).engines, ["afl", "libfuzzer"])

    def test_rejects(self):
        for argv in (["--engines", "honggfuzz"], ["--engines", ","], ["--time", "0"], ["--time", "x"],
                     ["--jobs", "-1"], ["--targets", ","], ["--bogus"]):
            code, err = parse_error(argv)
            self.assertEqual(code, 2, argv)
            self.assertIn("ci/fuzz", err, argv)


if __name__ == "__main__":
    unittest.main()
