#!/usr/bin/env python3
"""The load rule in bench/lib (load.py, report.py): this benchmark's own
share of the 1-minute load, the wait for quiet, which wall-clock goals are
judged, and the instruction threshold derived from CPU times."""
import math
import os
import sys
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "lib"))

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
        self.assertEqual(rows["decode counting (pure64) ≥ 0.5× read-and-sum"], "**met**")


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
        base = {"cpu_ns_per_byte": 0.2}                      # read-and-sum: 0.2 ns/B
        prog = {"user_ns_per_byte": 0.15, "sys_ns_per_byte": 0.1}
        k = report.ir_threshold(3.0, prog, base, 0.5)        # U = 3 / 0.15 = 20 instr/ns
        self.assertAlmostEqual(k, 20 * (2 * 0.2 - 0.1) / 0.5)
        # at that many instructions per byte the modelled time is twice read-and-sum's
        self.assertAlmostEqual(prog["sys_ns_per_byte"] + k * 0.5 / 20, 2 * base["cpu_ns_per_byte"])


if __name__ == "__main__":
    unittest.main()
