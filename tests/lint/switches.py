#!/usr/bin/env python3
"""switches.py — every test switch in decoder/ is a statement of its own
(decoder/hooks.h): the condition of an `if` that holds nothing of the rule's.

  switches.py FILE...              fails listing each switch out of place
  switches.py --expect N FILE...   self-check: passes only when exactly N are

A switch is in place when
  - ETWHF_MUTANT_ON(...) or ETWHF_MUTANT_FLIPS(...) opens an `if` condition:
    `if (ETWHF_MUTANT_ON(id) && its own condition)`;
  - ETWHF_PLANT(...) closes an `if` condition whose other operands are joined
    by && alone (the planted bug's guards: where its site counts as reached).
Any other ETWHF_MUTANT* or ETWHF_PLANT* name (the expression switches the
decoder had, ETWHF_MUTANT_VALUE and the like) is out of place anywhere but in
hooks.h, which defines the three."""
import os
import re
import sys

SWITCH = re.compile(r"\bETWHF_(MUTANT|PLANT)\w*")
OPENS = ("ETWHF_MUTANT_ON", "ETWHF_MUTANT_FLIPS")


def strip_comments(text):
    """Comments and string literals blanked, offsets kept (they may name a
    switch in words)."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', blank, text, flags=re.S)


def closing_paren(text, i):
    """Index of the parenthesis closing the one at i."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


def condition_start(text, i):
    """Index just past the `if (` whose condition holds offset i, or -1."""
    depth = 0
    for j in range(i - 1, -1, -1):
        c = text[j]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                return j + 1 if re.search(r"\bif\s*$", text[:j]) else condition_start(text, j)
            depth -= 1
        elif c in ";{}" and depth == 0:
            return -1
    return -1


def misplaced(text):
    """(offset, reason) of each switch out of place."""
    out = []
    for m in SWITCH.finditer(text):
        name = m.group(0)
        if name not in OPENS and name != "ETWHF_PLANT":
            out.append((m.start(), f"{name} is no switch of decoder/hooks.h"))
            continue
        after = re.match(r"\s*\(", text[m.end():])
        if not after:
            out.append((m.start(), f"{name} without its arguments"))
            continue
        start = condition_start(text, m.start())
        if start < 0:
            out.append((m.start(), f"{name} outside an if condition"))
            continue
        end = closing_paren(text, start - 1)
        if name in OPENS:
            if text[start:m.start()].strip():
                out.append((m.start(), f"{name} does not open its if condition"))
            continue
        args_end = closing_paren(text, m.end() + after.end() - 1)
        guards = text[start:m.start()].strip()
        if text[args_end + 1:end].strip():
            out.append((m.start(), "ETWHF_PLANT does not close its if condition"))
        elif guards and (not guards.endswith("&&") or re.search(r"\|\||\?|ETWHF_(MUTANT|PLANT)", guards)):
            out.append((m.start(), "ETWHF_PLANT's guards are not a plain && chain"))
    return out


def main(argv):
    expect = None
    if argv[:1] == ["--expect"]:
        expect, argv = int(argv[1]), argv[2:]
    found = []
    argv = [p for p in argv if os.path.basename(p) != "hooks.h"]
    for path in argv:
        text = strip_comments(open(path, encoding="utf-8").read())
        for off, why in misplaced(text):
            found.append(f"{path}:{text.count(chr(10), 0, off) + 1}: {why}")
    print("\n".join(found))
    if expect is not None:
        ok = len(found) == expect
        print(f"self-check: {len(found)} switches out of place, {expect} expected: {'ok' if ok else 'FAIL'}")
        return 0 if ok else 1
    if found:
        print(f"{len(found)} switches out of place: write each as a statement of its own (decoder/hooks.h)")
        return 1
    print(f"{len(argv)} files: every switch is a statement of its own")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
