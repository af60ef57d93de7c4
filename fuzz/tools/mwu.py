#!/usr/bin/env python3
"""Median and two-sided Mann-Whitney U test of two small samples.

    mwu.py "A label" a1 a2 ... -- "B label" b1 b2 ...

The p-value is exact (every split of the pooled ranks enumerated, ties given
mid-ranks), which is right for the 5-vs-5 trials the fuzzing docs report.
No third-party packages.
"""
import itertools
import statistics
import sys


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def u_statistic(a, b):
    r = ranks(a + b)
    ra = sum(r[: len(a)])
    return ra - len(a) * (len(a) + 1) / 2


def exact_p(a, b):
    pooled = a + b
    r = ranks(pooled)
    n1 = len(a)
    u_obs = u_statistic(a, b)
    mean_u = n1 * len(b) / 2
    extreme = abs(u_obs - mean_u)
    hits = total = 0
    for idx in itertools.combinations(range(len(pooled)), n1):
        u = sum(r[i] for i in idx) - n1 * (n1 + 1) / 2
        total += 1
        hits += abs(u - mean_u) >= extreme - 1e-9
    return u_obs, hits / total


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    la, a = argv[0], [float(x) for x in argv[1:cut]]
    lb, b = argv[cut + 1], [float(x) for x in argv[cut + 2:]]
    u, p = exact_p(a, b)
    print(f"{la}: n={len(a)} median={statistics.median(a):g} values={a}")
    print(f"{lb}: n={len(b)} median={statistics.median(b):g} values={b}")
    print(f"Mann-Whitney U={u:g} (of {len(a) * len(b)}), two-sided exact p={p:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
