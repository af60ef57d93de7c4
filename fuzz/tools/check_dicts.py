#!/usr/bin/env python3
"""Checks the fuzz dictionaries and options (ctest fuzz_dicts_valid).

    check_dicts.py FUZZ_DIR      every FUZZ_DIR/<name>.dict and <name>.options
    check_dicts.py --self-test   the line parser rejects what the engines reject

libFuzzer stops at start-up on a dictionary line it cannot parse ("ParseDictionaryFile:
error in line N") and AFL++ on a keyword over 128 bytes, so a typo in a .dict
would only surface in a campaign. Each entry line must be name="value" (name
optional) with only \\\\, \\" and \\xNN escapes, a value of 1 to 64 bytes (libFuzzer
truncates longer words), names unique in the file. Each <name>.options that
names a dictionary must name fuzz_<name>.dict (fuzz/CMakeLists.txt installs
<name>.dict under that name beside the target), and that .dict must exist.
"""
import os
import re
import sys

ENTRY = re.compile(r'^([A-Za-z0-9_]*)=?"(.*)"$')
MAX_WORD = 64


def parse_value(body):
    """The bytes of a quoted value, or None when an escape is invalid."""
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c == '"':
            return None  # an unescaped quote inside the value
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in ("\\", '"'):
            out += nxt.encode()
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", body[i + 2:i + 4]):
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        else:
            return None
    return bytes(out)


def line_problem(line):
    """None for a valid entry, blank or comment line; else what is wrong."""
    s = line.strip()
    if not s or s.startswith("#"):
        return None
    m = ENTRY.match(s)
    if not m:
        return 'not name="value"'
    value = parse_value(m.group(2))
    if value is None:
        return "bad escape or quote in the value"
    if not value or len(value) > MAX_WORD:
        return "value of %d bytes (1 to %d)" % (len(value), MAX_WORD)
    return None


def check_dict(path):
    problems, names = [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            p = line_problem(line)
            if p:
                problems.append("%s:%d: %s" % (path, n, p))
                continue
            m = ENTRY.match(line.strip())
            if m and m.group(1):
                if m.group(1) in names:
                    problems.append("%s:%d: name %s used twice" % (path, n, m.group(1)))
                names.add(m.group(1))
    if not names and not problems:
        problems.append("%s: no entries" % path)
    return problems, len(names)


def check_options(fuzz_dir, name):
    path = os.path.join(fuzz_dir, name + ".options")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*dict\s*=\s*(\S+)", line)
            if not m:
                continue
            if m.group(1) != "fuzz_%s.dict" % name:
                return ["%s: dict = %s, expected fuzz_%s.dict" % (path, m.group(1), name)]
            if not os.path.exists(os.path.join(fuzz_dir, name + ".dict")):
                return ["%s: names a dictionary, but %s.dict is missing" % (path, name)]
    return []


def self_test():
    bad = ['x="\\q"', 'x="a"b"', 'x=abc', 'x=""', 'x="%s"' % ("\\x41" * (MAX_WORD + 1)), 'x="\\x4"']
    good = ['x="\\x00\\xff"', '"abc"', 'a_1="\\\\\\""', "# comment", ""]
    wrong = [b for b in bad if line_problem(b) is None] + [g for g in good if line_problem(g) is not None]
    for w in wrong:
        print("self-test: misjudged line %r" % w)
    print("self-test: %d lines, %d misjudged" % (len(bad) + len(good), len(wrong)))
    return 1 if wrong else 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    if len(argv) != 1:
        sys.exit(__doc__)
    fuzz_dir = argv[0]
    problems, summary = [], []
    for f in sorted(os.listdir(fuzz_dir)):
        name, ext = os.path.splitext(f)
        if ext == ".dict":
            p, n = check_dict(os.path.join(fuzz_dir, f))
            problems += p
            summary.append("%s %d" % (name, n))
        elif ext == ".options":
            problems += check_options(fuzz_dir, name)
    for p in problems:
        print(p)
    if not summary:
        problems.append("no .dict in %s" % fuzz_dir)
        print(problems[-1])
    print("dictionaries (named entries): %s; %d problems" % (", ".join(summary), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
