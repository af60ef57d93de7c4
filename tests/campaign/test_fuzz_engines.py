"""Engine command lines and progress parsing (ci/fuzz_engines.py), on fake logs."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci"))
import fuzz_engines as eng  # noqa: E402

FORK_LOG = """INFO: -fork=1: fuzzing in separate process(s)
INFO: -fork=1: 1 seed inputs, starting to fuzz in /tmp/libFuzzerTemp.FuzzWithFork8553.dir
#16591: cov: 11 ft: 11 corp: 1 exec/s 0 oom/timeout/crash: 0/0/0 time: 0s job: 1 dft_time: 0
==8560==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000
#24984: cov: 24 ft: 18 corp: 6 exec/s 0 oom/timeout/crash: 0/0/1 time: 1s job: 2 dft_time: 0
#2762869: cov: 25 ft: 19 corp: 7 exec/s 12 oom/timeout/crash: 1/2/137 time: 15s job: 138 dft_time: 0
INFO: fuzzed for 15 seconds, wrapping up soon
"""

STATS = """start_time        : 1795613655
execs_done        : 141706
corpus_count      : 8
saved_crashes     : 2
saved_hangs       : 1
edges_found       : 11
bitmap_cvg        : 73.33%
"""

PLOT = """# relative_time, cycles_done, cur_item, corpus_count, pending_total, pending_favs, map_size, saved_crashes, saved_hangs, max_depth, execs_per_sec, total_execs, edges_found
5, 1, 0, 4, 1, 0, 50.00%, 0, 0, 1, 9000.00, 45000, 7
10, 38, 7, 8, 0, 0, 73.33%, 2, 0, 2, 14459.48, 141706, 11
"""


class LibFuzzerTest(unittest.TestCase):
    def test_last_status_line(self):
        s = eng.parse_libfuzzer_log(FORK_LOG)
        self.assertEqual(s, {"execs": 2762869, "cov": 25, "ft": 19, "corpus": 7, "ooms": 1, "timeouts": 2,
                             "crashes": 137, "time": 15})

    def test_no_status_yet(self):
        self.assertEqual(eng.parse_libfuzzer_log("INFO: Seed: 3\n")["execs"], 0)

    def test_timeline(self):
        self.assertEqual(eng.libfuzzer_timeline(FORK_LOG), [(0, 11, 16591), (1, 24, 24984), (15, 25, 2762869)])

    def test_command(self):
        argv = eng.libfuzzer_command("/b/fuzz_x", "/w/corpus", ["/w/seeds"], "/w/art", 30, 2, 2, 2048,
                                     dict_path="/s/fuzz_x.dict",
                                     options={"max_len": "4096", "timeout": "99", "fork": "9"})
        self.assertEqual(argv[0], "/b/fuzz_x")
        for flag in ("-fork=2", "-ignore_crashes=1", "-max_total_time=30", "-timeout=2", "-rss_limit_mb=2048",
                     "-artifact_prefix=/w/art/", "-dict=/s/fuzz_x.dict", "-max_len=4096"):
            self.assertIn(flag, argv)
        # our time limits win over an .options file
        self.assertNotIn("-timeout=99", argv)
        self.assertNotIn("-fork=9", argv)
        self.assertEqual(argv[-2:], ["/w/corpus", "/w/seeds"])  # new inputs go to the first folder

    def test_options_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.options")
            with open(path, "w") as f:
                f.write("[libfuzzer]\nmax_len = 65536\ndict = x.dict\n\n[afl]\nfoo = 1\n")
            self.assertEqual(eng.read_options(path), {"max_len": "65536", "dict": "x.dict"})
            self.assertEqual(eng.read_options(os.path.join(d, "missing")), {})


class AflTest(unittest.TestCase):
    def test_instances(self):
        runs = eng.afl_instances("/b/fuzz_x", "/c/fuzz_x", "/w/in", "/w/out", 20, 2, 2, "/s/x.dict", 4096)
        self.assertEqual([name for name, _ in runs], ["main", "cmplog", "sec2"])
        main, cmplog, sec = (argv for _, argv in runs)
        self.assertEqual(main[:3], ["afl-fuzz", "-M", "main"])
        self.assertIn("-V", main)
        self.assertEqual(main[main.index("-V") + 1], "20")
        self.assertEqual(main[main.index("-t") + 1], "2000")
        self.assertEqual(cmplog[cmplog.index("-c") + 1], "/c/fuzz_x")
        self.assertNotIn("-c", sec)
        self.assertEqual(main[-2:], ["--", "/b/fuzz_x"])

    def test_no_cmplog_build_plain_secondaries(self):
        runs = eng.afl_instances("/b/x", None, "/i", "/o", 5, 1, 1)
        self.assertEqual([name for name, _ in runs], ["main", "sec1"])

    def test_env_never_touches_host_settings(self):
        env = eng.afl_env({"ASAN_OPTIONS": "x=1", "PATH": "/bin"}, "/m.so")
        for key in ("AFL_SKIP_CPUFREQ", "AFL_NO_AFFINITY", "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "AFL_NO_UI"):
            self.assertEqual(env[key], "1")
        self.assertEqual(env["AFL_CUSTOM_MUTATOR_LIBRARY"], "/m.so")
        self.assertNotIn("ASAN_OPTIONS", env)  # afl-fuzz sets the ones it needs
        self.assertNotIn("AFL_FINAL_SYNC", env)  # not in AFL++ 4.04c

    def test_stats_summed_over_instances(self):
        with tempfile.TemporaryDirectory() as out:
            for inst, execs in (("main", "100"), ("cmplog", "50")):
                os.makedirs(os.path.join(out, inst))
                with open(os.path.join(out, inst, "fuzzer_stats"), "w") as f:
                    f.write(STATS.replace("141706", execs))
            with open(os.path.join(out, "main", "plot_data"), "w") as f:
                f.write(PLOT)
            s = eng.read_afl_stats(out)
            self.assertEqual((s["execs"], s["crashes"], s["hangs"], s["edges"], s["instances"]), (150, 4, 2, 11, 2))
            self.assertEqual(eng.afl_plot_rows(out), [(5, 7, 45000), (10, 11, 141706)])
            self.assertEqual(eng.read_afl_stats(os.path.join(out, "none"))["execs"], 0)


if __name__ == "__main__":
    unittest.main()
