"""Triage from raw findings to regressions (ci/fuzz_findings.py, ci/fuzz_triage.py),
with a fake replay binary that prints sanitizer-shaped reports."""
import os
import shutil
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci"))
import fuzz_findings  # noqa: E402
import fuzz_triage as tri  # noqa: E402

# Crashes when the input starts with A or B (two stacks), "hangs" on T; anything
# after the first byte only changes the printed values, never the stack.
FAKE = r'''#!/usr/bin/env python3
import sys
data = open(sys.argv[-1], "rb").read()
tag = data[:1]
if tag == b"A":
    print("==1==ERROR: AddressSanitizer: SEGV on unknown address 0x%04x" % len(data))
    print("    #0 0x1 in bug_a /s/d.c:1:1\n    #1 0x2 in on_event /s/d.c:9:1\n    #2 0x3 in LLVMFuzzerTestOneInput /s/f.c:3:1")
    print("SUMMARY: AddressSanitizer: SEGV /s/d.c:1:1 in bug_a")
    sys.exit(1)
if tag == b"B":
    print("==1==ERROR: AddressSanitizer: ABRT on unknown address 0x1")
    print("    #0 0x7 in raise x.c:1:1\n    #1 0x7 in abort y.c:1:1\n    #2 0x1 in bug_b /s/d.c:5:1")
    print("    #3 0x2 in on_event /s/d.c:9:1\n    #4 0x3 in LLVMFuzzerTestOneInput /s/f.c:3:1")
    sys.exit(1)
if tag == b"T":
    print("==1== ERROR: libFuzzer: timeout after 2 seconds\n    #0 0x1 in spin /s/d.c:7:1")
    sys.exit(70)
sys.exit(0)
'''


def shrink(src, dst):
    """A stand-in minimizer: keeps the first byte, the part that decides the stack."""
    with open(src, "rb") as f, open(dst, "wb") as g:
        g.write(f.read()[:1])
    return True


class FindingsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.bin = os.path.join(self.dir, "fuzz_fake")
        with open(self.bin, "w") as f:
            f.write(FAKE)
        os.chmod(self.bin, os.stat(self.bin).st_mode | stat.S_IXUSR)
        self.raw = os.path.join(self.dir, "raw")
        os.makedirs(self.raw)
        self.regr = os.path.join(self.dir, "regressions", "fuzz_fake")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, name, data):
        path = os.path.join(self.raw, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def triage(self, findings, minimizer=shrink):
        rep = tri.Reproducer(self.bin, "libfuzzer", 2, 2048)
        alone = tri.Reproducer(self.bin, "standalone", 2, 2048)
        tt = fuzz_findings.TargetTriage("fuzz_fake", rep, alone, os.path.join(self.dir, "work"), self.regr, 2,
                                        minimizer)
        return tt, tt.run(findings)

    def regression_inputs(self):
        return sorted(os.path.basename(p) for p in tri.list_inputs(self.regr))

    def test_many_files_two_stacks_two_regressions(self):
        findings = []
        for i in range(25):
            findings.append(tri.Finding("fuzz_fake", self.write("crash-a%d" % i, b"A" + bytes([i]) * (i + 3)), "libfuzzer"))
            findings.append(tri.Finding("fuzz_fake", self.write("id:%06d,sig:06" % i, b"B" * (i + 2)), "afl"))
        findings.append(tri.Finding("fuzz_fake", self.write("crash-flaky", b"no crash now"), "libfuzzer"))
        tt, entries = self.triage(findings)
        self.assertEqual(len(entries), 2)
        self.assertEqual(sorted(e["kind"] for e in entries), ["abort", "segv"])
        self.assertEqual(tt.not_reproduced, 1)
        names = self.regression_inputs()
        self.assertEqual(len(names), 2, names)
        for e in entries:
            self.assertFalse(e["known"])
            self.assertTrue(e["minimized"])
            self.assertEqual(e["size"], 1)
            self.assertTrue(e["standalone"])
            self.assertTrue(os.path.isfile(e["regression"] + ".expect"))
            self.assertEqual(e["files"], 25)
        by_kind = {e["kind"]: e for e in entries}
        self.assertEqual(by_kind["segv"]["frames"], ["bug_a", "on_event", "LLVMFuzzerTestOneInput"])
        self.assertEqual(by_kind["abort"]["sources"], ["afl"])

    def test_fixed_regression_is_not_a_flaky_finding(self):
        fixed = tri.Finding("fuzz_fake", self.write("old-bug", b"fixed long ago"), "regression")
        flaky = tri.Finding("fuzz_fake", self.write("id:000001,sig:06", b"no crash now"), "afl")
        tt, entries = self.triage([fixed, flaky])
        self.assertEqual(entries, [])
        self.assertEqual(tt.not_reproduced, 1)
        self.assertEqual(tt.regressions_fixed, 1)

    def test_sidecar_is_the_driver_format(self):
        _, entries = self.triage([tri.Finding("fuzz_fake", self.write("c", b"Axyz"), "libfuzzer")])
        with open(entries[0]["regression"] + ".expect") as f:
            lines = [line.strip() for line in f if line.strip()]
        keys = [line.split(":", 1)[0] for line in lines if not line.startswith("#")]
        self.assertEqual(keys, ["verdict"])
        self.assertIn("verdict: error", lines)
        self.assertTrue(any("crash:segv:bug_a" in line for line in lines))

    def test_known_regression_still_counts_and_is_not_rewritten(self):
        os.makedirs(self.regr)
        old = os.path.join(self.regr, "bug_a-segv-2026-01-01")
        with open(old, "wb") as f:
            f.write(b"A")
        findings = [tri.Finding("fuzz_fake", old, "regression"),
                    tri.Finding("fuzz_fake", self.write("crash-new", b"A123456"), "libfuzzer")]
        _, entries = self.triage(findings)
        self.assertEqual(len(entries), 1)
        self.assertTrue(entries[0]["known"])
        self.assertEqual(entries[0]["regression"], old)
        self.assertEqual(self.regression_inputs(), ["bug_a-segv-2026-01-01"])

    def test_timeouts_are_kept_as_found(self):
        _, entries = self.triage([tri.Finding("fuzz_fake", self.write("timeout-1", b"T" * 40), "libfuzzer")])
        self.assertEqual((entries[0]["category"], entries[0]["size"], entries[0]["minimized"]), ("timeout", 40, False))

    def test_minimized_input_must_keep_the_stack(self):
        def wrong(src, dst):  # "minimizes" into the other bug
            with open(dst, "wb") as g:
                g.write(b"B")
            return True
        _, entries = self.triage([tri.Finding("fuzz_fake", self.write("c", b"A" * 10), "afl")], wrong)
        self.assertEqual(entries[0]["size"], 10)
        self.assertFalse(entries[0]["minimized"])

    def test_identical_inputs_counted_once(self):
        a = self.write("one", b"A1")
        b = self.write("two", b"A1")
        self.assertEqual(len(tri.unique_by_content([tri.Finding("t", a, "seed"), tri.Finding("t", b, "afl")])), 1)

    def test_clean_inputs_give_nothing(self):
        tt, entries = self.triage([tri.Finding("fuzz_fake", self.write("s", b"hello"), "seed")])
        self.assertEqual((entries, tt.not_reproduced), ([], 0))
        self.assertFalse(os.path.isdir(self.regr))

    def test_regression_name_is_tracked_by_git(self):
        r = tri.Repro("crash", "heap-buffer-overflow", ["walk_record", "x"], "", "")
        path = self.write("n", b"x")
        name = fuzz_findings.regression_name(r, path)
        self.assertRegex(name, r"^walk_record-heap-buffer-overflow-\d{4}-\d\d-\d\d-[0-9a-f]{8}$")
        odd = tri.Repro("timeout", "timeout", ["timeout"], "", "")
        # .gitignore ignores libFuzzer's artifact names: a regression must never look like one
        self.assertFalse(fuzz_findings.regression_name(odd, path).startswith(("crash-", "timeout-", "oom-", "leak-")))


class EngineOutputsTest(unittest.TestCase):
    def test_finding_files(self):
        with tempfile.TemporaryDirectory() as d:
            art = os.path.join(d, "art")
            os.makedirs(art)
            for n in ("crash-1", "timeout-2", "oom-3", "leak-4", "slow-unit-5", "README.txt"):
                open(os.path.join(art, n), "w").close()
            self.assertEqual([os.path.basename(p) for p in tri.libfuzzer_findings(art)],
                             ["crash-1", "leak-4", "oom-3", "timeout-2"])
            for sub in ("main/crashes", "main/hangs", "cmplog/crashes", "main/queue"):
                os.makedirs(os.path.join(d, "out", sub))
                open(os.path.join(d, "out", sub, "id:000000,sig:11"), "w").close()
            open(os.path.join(d, "out", "main", "crashes", "README.txt"), "w").close()
            self.assertEqual(len(tri.afl_findings(os.path.join(d, "out"))), 3)


if __name__ == "__main__":
    unittest.main()
