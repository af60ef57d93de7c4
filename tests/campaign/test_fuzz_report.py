"""Report, corpus caps and preset resolution (ci/fuzz_report.py, ci/fuzz_corpus.py,
ci/fuzz_build.py), with fake campaign results."""
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "ci"))
import fuzz_build  # noqa: E402
import fuzz_corpus  # noqa: E402
import fuzz_report  # noqa: E402


def fake_report():
    targets = [fuzz_report.target_entry("fuzz_record", "libfuzzer", 30.0, 900000, 40, 1),
               fuzz_report.target_entry("fuzz_record", "afl", 30.0, 600000, 25, 0, note="x")]
    crash = {"target": "fuzz_record", "category": "crash", "kind": "segv", "key": "crash:segv:f",
             "frames": ["f", "g"], "summary": "AddressSanitizer: SEGV", "sources": ["libfuzzer"], "files": 12,
             "known": False, "minimized": True, "regression": "corpus/regressions/fuzz_record/crash_segv_f_0123",
             "size": 9, "standalone": True, "reproduce": "fuzz_record x"}
    return {"targets": targets, "coverage": {"lines_pct": 81.25, "branches_pct": 70.5, "html": "coverage/html/index.html"},
            "crashes": [crash], "reproduced": 1, "not_reproduced": 2, "corpus": [
                {"target": "fuzz_record", "files": 3, "bytes": 99, "added": 3, "removed": 0, "dropped": 1}],
            "engines": ["libfuzzer", "afl"], "jobs": 2, "time_budget": 60, "phase_seconds": 61.0,
            "wall_seconds": 200.0, "plot": "coverage-over-time.png", "notes": ["a note"]}


class ReportTest(unittest.TestCase):
    def test_target_entry_schema(self):
        e = fuzz_report.target_entry("fuzz_x", "afl", 20, 1000, 7, 2)
        self.assertEqual(set(e), {"name", "engine", "seconds", "execs", "exec_per_sec", "corpus_files", "crashes_unique"})
        self.assertEqual(e["exec_per_sec"], 50.0)
        self.assertEqual(fuzz_report.target_entry("fuzz_x", "afl", 0, 10, 0, 0)["exec_per_sec"], 0.0)

    def test_json_and_markdown(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "report.json")
            fuzz_report.write_json(path, fake_report())
            with open(path) as f:
                back = json.load(f)
            self.assertEqual(back["coverage"]["lines_pct"], 81.25)
            self.assertEqual(back["targets"][0]["engine"], "libfuzzer")
        md = fuzz_report.render_markdown(fake_report())
        for text in ("FAILED: 1 finding(s)", "| fuzz_record | libfuzzer | 30 | 900,000 | 30,000 | 40 | 1 |",
                     "lines 81.2 %", "crash:segv:f", "corpus/regressions/fuzz_record/crash_segv_f_0123",
                     "did not reproduce", "1 over the caps dropped", "a note"):
            self.assertIn(text, md)
        clean = dict(fake_report(), crashes=[], reproduced=0, not_reproduced=0)
        self.assertIn("passed: nothing reproduced", fuzz_report.render_markdown(clean))
        self.assertNotIn("did not reproduce", fuzz_report.render_markdown(clean))
        fixed = fuzz_report.render_markdown(dict(clean, regressions_fixed=2))
        self.assertIn("passed: nothing reproduced", fixed)
        self.assertIn("no longer fail (fixed bugs, kept so they stay fixed): 2", fixed)
        self.assertNotIn("did not reproduce", fixed)

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed")
    def test_plot(self):
        with tempfile.TemporaryDirectory() as d:
            path = fuzz_report.write_plot(d, [("fuzz_a/libfuzzer", "libfuzzer", [(0, 10, 0), (5, 40, 900)]),
                                              ("fuzz_a/afl", "afl", [(0, 5, 0), (5, 30, 800)]),
                                              ("fuzz_b/afl", "afl", [])])
            self.assertIsNotNone(path)
            self.assertGreater(os.path.getsize(path), 1000)


class CorpusTest(unittest.TestCase):
    def test_caps_keep_smallest(self):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, size in enumerate((5, 1, 3, 4, 2)):
                p = os.path.join(d, "f%d" % i)
                with open(p, "wb") as f:
                    f.write(b"x" * size)
                paths.append(p)
            kept, dropped = fuzz_corpus.apply_caps(paths, max_files=3, max_bytes=100)
            self.assertEqual([os.path.getsize(p) for p in kept], [1, 2, 3])
            self.assertEqual(len(dropped), 2)
            kept, _ = fuzz_corpus.apply_caps(paths, max_files=10, max_bytes=6)
            self.assertEqual([os.path.getsize(p) for p in kept], [1, 2, 3])

    def test_default_caps(self):
        self.assertEqual((fuzz_corpus.MAX_FILES, fuzz_corpus.MAX_BYTES), (500, 2 * 1024 * 1024))

    def test_install_replaces_inputs_keeps_readme(self):
        with tempfile.TemporaryDirectory() as d:
            found = os.path.join(d, "found")
            os.makedirs(found)
            for name, data in (("old", b"old"), ("README.md", b"# about"), ("keep", b"k")):
                with open(os.path.join(found, name), "wb") as f:
                    f.write(data)
            new = os.path.join(d, "n1")
            with open(new, "wb") as f:
                f.write(b"new")
            added, removed = fuzz_corpus.install([new, os.path.join(found, "keep")], found)
            self.assertEqual((added, removed), (2, 2))
            names = sorted(os.listdir(found))
            self.assertIn("README.md", names)
            self.assertEqual(len(names), 3)  # README + two inputs named by content


class PresetTest(unittest.TestCase):
    def test_inheritance_and_environment(self):
        presets = {
            "base": {"name": "base", "cacheVariables": {"A": "1", "B": "base"}},
            "mid": {"name": "mid", "inherits": "base", "cacheVariables": {"B": "mid", "S": "${sourceDir}/x"},
                    "environment": {"E": "1"}},
            "leaf": {"name": "leaf", "inherits": ["mid"], "cacheVariables": {"C": {"type": "BOOL", "value": True},
                                                                              "D": False}},
        }
        self.assertEqual(fuzz_build.resolve_cache(presets, "leaf", "/src"),
                         {"A": "1", "B": "mid", "S": "/src/x", "C": "ON", "D": "OFF"})
        self.assertEqual(fuzz_build.resolve_env(presets, "leaf"), {"E": "1"})

    def test_repository_presets_exist(self):
        repo = os.path.join(HERE, "..", "..")
        for name in ("fuzz-libfuzzer", "fuzz-afl", "coverage", "asan"):
            self.assertTrue(fuzz_build.preset_exists(repo, name), name)

    def test_build_targets(self):
        self.assertIsNone(fuzz_build.build_targets("afl", None))
        self.assertEqual(fuzz_build.build_targets("libfuzzer", ["fuzz_a_sa"]), ["fuzz_a_sa"])
        self.assertEqual(fuzz_build.build_targets("afl", ["fuzz_a_sa", "fuzz_b"]), ["etwhf_afl_mutator", "fuzz_a", "fuzz_b"])
        self.assertEqual(fuzz_build.build_targets("standalone", ["fuzz_a_sa"]), ["fuzz_a"])

    def test_names(self):
        self.assertEqual(fuzz_build.base_name("fuzz_record_sa"), "fuzz_record")
        self.assertEqual(fuzz_build.layout_of("fuzz_stream_sa"), "stream")
        b = fuzz_build.Builds()
        b.libfuzzer = {"fuzz_record": "/l/r", "fuzz_record_sa": "/l/rs", "fuzz_empty": "/l/e"}
        b.afl = {"fuzz_record": "/a/r", "fuzz_payload": "/a/p"}
        b.afl_mutator = "/a/m.so"
        self.assertEqual(b.targets(["libfuzzer", "afl"]), ["fuzz_payload", "fuzz_record", "fuzz_record_sa"])
        self.assertEqual(b.afl_binary("fuzz_record_sa"), ("/a/r", None, "/a/m.so", "record"))
        self.assertFalse(b.has("fuzz_payload", "libfuzzer"))


if __name__ == "__main__":
    unittest.main()
