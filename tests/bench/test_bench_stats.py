#!/usr/bin/env python3
"""The campaign's statistics in bench/lib: A12, censored medians, the
Mann-Whitney p-value it reports, and the choice of the best configuration."""
import os
import sys
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "lib"))

import bugs  # noqa: E402
import report  # noqa: E402

TABLE = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]


def run(cfg, trig):
    return {"config": cfg, "triggered": trig, "reached": {k: 0 for k in trig}}


class Stats(unittest.TestCase):
    def test_a12(self):
        self.assertEqual(bugs.a12([1, 2], [3, 4]), 1.0)   # always faster
        self.assertEqual(bugs.a12([3, 4], [1, 2]), 0.0)
        self.assertEqual(bugs.a12([5, 5], [5, 5]), 0.5)   # ties count half
        self.assertAlmostEqual(bugs.a12([1, 3], [2]), 0.5)

    def test_censored_median_and_tests(self):
        base = bugs.BASELINE
        other = bugs.CONFIGS[1][0]
        runs = [run(base, {"1": 10.0}), run(base, {}), run(base, {}),
                run(other, {"1": 1.0, "2": 5.0}), run(other, {"1": 2.0}), run(other, {"1": 3.0})]
        a = bugs.analyse(TABLE, runs, 3, 120)
        self.assertIsNone(a[base]["1"]["median"])          # 2 of 3 trials never triggered
        self.assertEqual(a[base]["1"]["triggered"], 1)
        self.assertEqual(a[other]["1"]["median"], 2.0)
        self.assertIsNone(a[other]["2"]["median"])
        self.assertEqual(a[other]["2"]["min"], 5.0)
        self.assertEqual(a[other]["1"]["a12"], 1.0)        # 1, 2, 3 against 10, 121, 121
        self.assertAlmostEqual(a[other]["1"]["mwu_p"], 0.1)  # the most extreme of 20 splits, two-sided
        self.assertNotIn("mwu_p", a[base]["1"])

    def test_best_config_breaks_ties_by_medians(self):
        b = {"analysis": {"x": {"1": {"median": 5.0}, "2": {"median": None}},
                          "y": {"1": {"median": 1.0}, "2": {"median": 50.0}},
                          "z": {"1": {"median": 2.0}, "2": {"median": 3.0}}},
             "configs": ["x", "y", "z"]}
        self.assertEqual(report.best_config(b), ("z", 2, 2))


if __name__ == "__main__":
    unittest.main()
