#!/usr/bin/env python3
"""Where a program's instructions go, per source function, inlined code
included: callgrind's own per-function view charges everything inlined into
record_step to record_step (93 % of decode), which says little.

  valgrind --tool=callgrind --dump-instr=no --compress-strings=no \\
      --compress-pos=no --callgrind-out-file=OUT PROGRAM ARGS...
  bench/lib/callgrind_fn.py OUT [N]

PROGRAM built with -g and otherwise the release flags (the code is the same:
-g changes no instruction). Each cost line of OUT carries its source file and
line, inlined lines too; the line is charged to the C function whose
definition encloses it in that file (a definition is a line at column 0 that
names a function and does not end with ';' — the project's style). Costs of
calls are skipped, so the figures are exclusive. Prints the top N (10)."""
import collections
import os
import re
import sys

DEF = re.compile(r"^(?:static\s+)?(?:inline\s+)?[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\(")


def definitions(path, cache={}):  # noqa: B006 - per-run memo
    """[(first line, function name)] of a C source file, in order."""
    if path not in cache:
        starts = []
        try:
            with open(path, errors="replace") as f:
                for i, line in enumerate(f, 1):
                    if line[:1].isalpha() or line[:1] == "_":
                        m = DEF.match(line)
                        if m and not line.rstrip().endswith(";"):
                            starts.append((i, m.group(1)))
        except OSError:
            starts = None
        cache[path] = starts
    return cache[path]


def enclosing(path, line, fallback):
    defs = definitions(path) if path.startswith("/") else None
    if not defs:
        return fallback
    name = fallback
    for first, fn in defs:
        if first > line:
            break
        name = fn
    return name


def per_function(lines):
    """{(file, function): Ir} and the total, from callgrind's output format
    written uncompressed (fl=/fi=/fe=/fn= names, absolute line numbers)."""
    cost, total = collections.Counter(), 0
    fl = fi = fn = None
    after_call = False
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("fl="):
            fl = fi = line[3:]
        elif line.startswith(("fi=", "fe=")):
            fi = line[3:]
        elif line.startswith("fn="):
            fn, fi = line[3:], fl
        elif line.startswith("calls="):
            after_call = True      # the next cost line is the call's inclusive cost
        elif line[:1].isdigit():
            if after_call:
                after_call = False
                continue
            num, ir = line.split()[:2]
            total += int(ir)
            cost[(fi, enclosing(fi or "", int(num), fn))] += int(ir)
    return cost, total


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        cost, total = per_function(f)
    root = os.getcwd() + "/"
    print(f"total {total:,} instructions")
    for (path, fn), ir in cost.most_common(int(sys.argv[2]) if len(sys.argv) == 3 else 10):
        where = path[len(root):] if path and path.startswith(root) else path
        print(f"{ir / total * 100:5.1f} %  {ir:>13,}  {fn}  ({where})")


if __name__ == "__main__":
    main()
