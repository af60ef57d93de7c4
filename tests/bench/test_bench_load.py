#!/usr/bin/env python3
"""The load rule in bench/lib (load.py, report.py): this benchmark's own
share of the 1-minute load, the wait for quiet, which wall-clock goals are
judged, and the instruction threshold derived from CPU times (goals.py)."""
import math
import os
import sys
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "lib"))

import goals  # noqa: E402
import load  # noqa: E402
import report  # noqa: E402


class FakeMachine:
    """A clock that only moves when slept on or told to, and a load that
    follows a script of (time from, 1-minute load)."""

    def __init__(self, script):
        self.now, self.script = 0.0, script

    def clock(self):
        return self.now

    def sleep(self, s):
        self.now += s

    def reader(self):
        l1 = [v for t, v in self.script if t <= self.now][-1]
        return [l1, l1, l1]


def snap(l1, own=0.0):
    return {"load": [l1, l1, l1], "own": own}


def group(before, after):
    return {"before": before, "after": after}


class OwnShare(unittest.TestCase):
    def test_busy_approaches_one_process(self):
        self.assertAlmostEqual(load.own_share(0.0, 60, True), 1 - math.exp(-1))
        self.assertAlmostEqual(load.own_share(0.0, 600, True), 1.0, places=4)
        self.assertAlmostEqual(load.own_share(0.0, 60, True, procs=2), 2 * (1 - math.exp(-1)))

    def test_sleep_decays(self):
        self.assertAlmostEqual(load.own_share(0.8, 60, False), 0.8 * math.exp(-1))
        self.assertEqual(load.own_share(0.8, 0, False), 0.8)

    def test_kernel_constant(self):
        # EXP_1 in kernel/sched/loadavg.c: 1884/2048 per 5 s tick
        self.assertAlmostEqual(math.exp(-5 / 60), 1884 / 2048, places=3)


class Verdict(unittest.TestCase):
    def test_quiet_groups_are_judged(self):
        self.assertEqual(load.verdict([group(snap(0.2), snap(0.4))]), (True, 0.4))

    def test_loaded_before_or_after_is_not(self):
        self.assertEqual(load.verdict([group(snap(0.2), snap(0.7))]), (False, 0.7))
        self.assertEqual(load.verdict([group(snap(0.6), snap(0.1))]), (False, 0.6))
        self.assertEqual(load.verdict([group(snap(0.1), snap(0.1)), group(snap(0.1), snap(0.9))]), (False, 0.9))

    def test_own_share_is_not_others_load(self):
        # 0.9 of which 0.6 is this benchmark's own process: others 0.3
        self.assertEqual(load.verdict([group(snap(0.9, 0.6), snap(0.9, 0.6))]), (True, 0.9))
        self.assertEqual(load.verdict([group(snap(1.2, 0.6), snap(0.9, 0.6))]), (False, 1.2))

    def test_no_record_is_not_judged(self):
        self.assertEqual(load.verdict([]), (False, None))
        self.assertEqual(load.verdict([None, {}]), (False, None))

    def test_report_strings(self):
        quiet, loud = [group(snap(0.1), snap(0.2))], [group(snap(3.0), snap(2.5))]
        self.assertEqual(report.timed_verdict(True, quiet), "**met**")
        self.assertEqual(report.timed_verdict(False, quiet), "**missed**")
        self.assertEqual(report.timed_verdict(True, loud), "not judged (load 3.00)")
        self.assertEqual(report.timed_verdict(True, [None], "x"), "not judged (x)")

    def test_goal_rows_mark_loaded_ratios(self):
        d = {"counting_ratio": 0.6, "counting_ratio_cpu": 0.6, "jsonl_free_per_s": 12e6,
             "jsonl_free_per_cpu_s": 12e6, "vs_python_jsonl": 900, "vs_python_counting": 2000}
        t = {"decode": {"default": dict(d, load=group(snap(2.0), snap(2.1))),
                        "pure64": dict(d, load=group(snap(0.1), snap(0.2)))}}
        rows = {g: v for g, _, v in report.goals_rows(t, None, None, None, None)}
        self.assertEqual(rows["decode counting (default) ≥ 0.5× read-and-sum"], "not judged (load 2.10)")
        self.assertEqual(rows["decode JSON Lines (default) ≥ 10 M HeapFree/s"], "not judged (load 2.10)")
        self.assertEqual(rows["decode counting (pure64) ≥ 0.6× read-and-sum"], "**met**")

    def test_pure64_is_judged_at_its_own_ratio(self):
        # 0.55x meets the 0.5x goal of the other compositions, not pure64's 0.6x
        d = {"counting_ratio": 0.55, "jsonl_free_per_s": 12e6, "vs_python_jsonl": 900, "vs_python_counting": 2000}
        quiet = group(snap(0.1), snap(0.2))
        t = {"decode": {"ptr8": dict(d, load=quiet), "pure64": dict(d, load=quiet)}}
        rows = {g: v for g, _, v in report.goals_rows(t, None, None, None, None)}
        self.assertEqual(rows["decode counting (ptr8) ≥ 0.5× read-and-sum"], "**met**")
        self.assertEqual(rows["decode counting (pure64) ≥ 0.6× read-and-sum"], "**missed**")


class Tracker(unittest.TestCase):
    def test_group_records_before_after_and_own_share(self):
        m = FakeMachine([(0, 0.3)])
        tr = load.Tracker(reader=m.reader, clock=m.clock, sleep=m.sleep)
        with tr.group() as g:
            m.now += 60
        self.assertNotIn("waited_s", g)
        self.assertEqual(g["before"], snap(0.3, 0.0))
        self.assertAlmostEqual(g["after"]["own"], 1 - math.exp(-1), places=3)
        self.assertEqual(g["seconds"], 60.0)

    def test_wait_quiet_stops_when_others_fall(self):
        m = FakeMachine([(0, 2.0), (30, 0.4)])
        tr = load.Tracker(wait_s=300, reader=m.reader, clock=m.clock, sleep=m.sleep)
        with tr.group() as g:
            pass
        self.assertEqual(g["waited_s"], 30.0)
        self.assertEqual(g["before"]["load"][0], 0.4)
        self.assertLess(g["before"]["own"], 0.01)  # sleeping: the own share does not grow

    def test_wait_quiet_gives_up(self):
        m = FakeMachine([(0, 2.0)])
        tr = load.Tracker(wait_s=12, reader=m.reader, clock=m.clock, sleep=m.sleep)
        self.assertEqual(tr.wait_quiet(), 12.0)
        self.assertIsNone(load.Tracker(reader=m.reader, clock=m.clock, sleep=m.sleep).wait_quiet())


class Threshold(unittest.TestCase):
    def test_threshold_is_where_the_model_reaches_half_speed(self):
        T, C, K, I, I_rs = 0.2e-9, 0.25e-9, 0.1e-9, 3.0, 0.5   # s/B, instructions/B
        k = goals.threshold(I, C, K, T, I_rs)                    # U = 3 / 0.15 ns = 20 instr/ns
        self.assertAlmostEqual(k, 20 * (2 * 0.2 - 0.1) / 0.5)
        # at that many instructions per byte the modelled time is twice read-and-sum's
        self.assertAlmostEqual(0.1 + k * 0.5 / 20, 2 * 0.2)
        self.assertIsNone(goals.threshold(I, K, K, T, I_rs))     # no user time: no rate

    @staticmethod
    def results(commit_t="abc", commit_c="abc", syscall=True, quick=False, l1=0.2):
        grp = group(snap(l1), snap(l1))
        n = 1 << 30
        dec = {"bytes": n, "load": grp, "counting_ratio": 0.45,
               "read_and_sum": {"cpu_s": [0.2 * n * 1e-9] * 3},
               "counting": {"cpu_s": [0.5 * n * 1e-9] * 3, "sys_s": [0.1, 0.12, 0.11]}}
        if syscall:
            dec["counting"]["syscall"] = {"read_s": 0.1 * n * 1e-9, "write_s": 0.0, "reads": 1024, "writes": 0}
        t = {"machine": {"commit": commit_t}, "quick": quick, "decode": {"default": dec}}
        c = {"machine": {"commit": commit_c},
             "default": {"read_and_sum": {"ir_per_byte": [0.5]}, "decode": {"ir_per_byte": [3.0], "ir_ratio": 6.0},
                         "gen": {"ir_per_byte": [2.0], "ir_ratio": 4.0}}}
        return t, c

    def test_derive_uses_the_exact_kernel_time(self):
        t, c = self.results()
        x = goals.derive(t, c)["default"]["decode"]
        self.assertEqual(x["K_how"], "syscall")
        self.assertAlmostEqual(x["threshold"], 3.0 / 0.4 * (0.4 - 0.1) / 0.5)
        self.assertTrue(x["judged"])

    def test_derive_falls_back_on_ticks_and_needs_one_commit(self):
        t, c = self.results(syscall=False)
        self.assertEqual(goals.derive(t, c)["default"]["decode"]["K_how"], "ticks")
        self.assertEqual(goals.derive(*self.results(commit_c="def")), {})
        self.assertFalse(goals.derive(*self.results(quick=True))["default"]["decode"]["judged"])
        self.assertFalse(goals.derive(*self.results(l1=3.0))["default"]["decode"]["judged"])

    def test_an_instruction_goal_met_cannot_hide_a_judged_wall_clock_miss(self):
        t, c = self.results()
        self.assertIn("judged missed", report.wall_missed(t, c, "decode", "default"))
        self.assertIsNone(report.wall_missed(*self.results(commit_c="def"), "decode", "default"))
        self.assertIsNone(report.wall_missed(*self.results(l1=3.0), "decode", "default"))
        t["decode"]["default"]["counting_ratio"] = 0.55
        self.assertIsNone(report.wall_missed(t, c, "decode", "default"))


if __name__ == "__main__":
    unittest.main()
