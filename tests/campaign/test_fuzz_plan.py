"""Scheduling of (target, engine) pairs into slots (ci/fuzz_plan.py)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci"))
import fuzz_plan  # noqa: E402

TEN = ["fuzz_%d" % i for i in range(10)]


class PlanTest(unittest.TestCase):
    def test_more_pairs_than_slots_share_the_time(self):
        plan = fuzz_plan.make_plan(TEN, ["libfuzzer", "afl"], 2, 60, 5)
        self.assertEqual(len(plan.pairs), 20)
        self.assertEqual(plan.slots, 2)
        self.assertEqual({p.seconds for p in plan.pairs}, {6})
        self.assertEqual(plan.slot_seconds(0), 60)
        self.assertEqual(plan.slot_seconds(1), 60)
        self.assertEqual(plan.phase_seconds, 60)
        self.assertEqual(plan.notes, [])

    def test_uneven_split_still_ends_in_time(self):
        plan = fuzz_plan.make_plan(TEN, ["libfuzzer", "afl"], 3, 60, 1)
        for slot in range(3):
            self.assertEqual(plan.slot_seconds(slot), 60, slot)
        self.assertEqual(plan.phase_seconds, 60)

    def test_minimum_stretches_the_phase_and_says_so(self):
        plan = fuzz_plan.make_plan(TEN, ["libfuzzer", "afl"], 2, 30, 5)
        self.assertEqual({p.seconds for p in plan.pairs}, {5})
        self.assertEqual(plan.phase_seconds, 50)
        self.assertTrue(any("stretches" in n and "50 s" in n for n in plan.notes), plan.notes)

    def test_every_pair_once(self):
        plan = fuzz_plan.make_plan(["a", "b", "c"], ["libfuzzer", "afl"], 4, 60, 5)
        names = [p.name for p in plan.pairs]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(sorted(names), sorted("%s/%s" % (t, e) for t in "abc" for e in ("libfuzzer", "afl")))

    def test_spare_slots_go_to_afl_cmplog_first(self):
        plan = fuzz_plan.make_plan(["a"], ["libfuzzer", "afl"], 4, 60, 5, cmplog=True)
        by = {p.engine: p for p in plan.pairs}
        self.assertEqual(by["afl"].helpers + by["libfuzzer"].helpers, 2)
        self.assertGreaterEqual(by["afl"].helpers, 1)
        self.assertEqual({p.seconds for p in plan.pairs}, {60})
        lines = fuzz_plan.describe(plan, cmplog=True)
        self.assertTrue(any("CmpLog" in line for line in lines), lines)

    def test_no_spare_slot_no_helper(self):
        plan = fuzz_plan.make_plan(["a"], ["libfuzzer", "afl"], 2, 60, 5)
        self.assertEqual([p.helpers for p in plan.pairs], [0, 0])

    def test_one_slot_runs_everything_in_turn(self):
        plan = fuzz_plan.make_plan(["a", "b"], ["afl"], 1, 61, 5)
        self.assertEqual(plan.slots, 1)
        self.assertEqual(sorted(p.seconds for p in plan.pairs), [30, 31])

    def test_empty_is_an_error(self):
        with self.assertRaises(ValueError):
            fuzz_plan.make_plan([], ["afl"], 2, 60, 5)

    def test_next_budget_absorbs_overruns(self):
        # 3 pairs left, 27 s left → 9 s; an overrun leaves less for the rest
        self.assertEqual(fuzz_plan.next_budget(100, 127, 3, 5), 9)
        self.assertEqual(fuzz_plan.next_budget(100, 112, 3, 5), 5)  # floor at the minimum
        self.assertEqual(fuzz_plan.next_budget(100, 159.6, 1, 5), 60)  # rounds, not truncates
        self.assertEqual(fuzz_plan.next_budget(100, 200, 0, 5), 0)

    def test_describe_states_the_phase(self):
        plan = fuzz_plan.make_plan(TEN, ["libfuzzer", "afl"], 2, 60, 5)
        text = "\n".join(fuzz_plan.describe(plan))
        self.assertIn("20 pair(s)", text)
        self.assertIn("fuzzing phase 60 s", text)
        self.assertIn("6 s", text)


if __name__ == "__main__":
    unittest.main()
