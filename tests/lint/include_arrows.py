#!/usr/bin/env python3
"""include_arrows.py — the layers' arrows of docs/architecture.md, checked on
the real #include graph (and on the Python examples' imports).

  include_arrows.py ROOT               fails listing each include the map forbids
  include_arrows.py --expect N ROOT    self-check: passes only when exactly N are
  include_arrows.py --graph ROOT       prints the folder graph it found (arrow: count)

Every quoted #include (and <etwhf/...>) is resolved the way the build's
include paths would: the including file's folder, its layer's folder, the
public include roots (LAYER/include), then the private folders a target adds
(decoder/ for tools/census, testing/ for the planted decoder, tests/common/;
a test also sees the folders of what it tests).
A file's layer is its top folder. An include is out of place when
  - it resolves to nothing in the tree (a drifted or generated name);
  - its layer may not depend on the target's layer (ARROWS);
  - it reaches into another layer's folder past that layer's include/ (only
    the public headers cross a layer), unless EXCEPTIONS names the pair;
  - it names a third-party library a layer must not link (THIRD_PARTY).
The examples are copied out of the tree by their users: a module under
examples/ may import nothing that lives elsewhere in the tree."""
import os
import re
import sys

# layer -> the layers its sources may include (its own always). docs/architecture.md
# draws the same table; a change here is a change there.
ARROWS = {
    "format": set(),
    "testing": {"format"},
    "decoder": {"format"},
    "gen": {"format"},
    "check": {"format", "decoder", "gen"},
    "cli": {"format", "decoder", "gen", "check"},
    "fuzz": {"format", "decoder", "gen"},
    "tools": {"format", "decoder", "gen", "check"},
    "bench": {"format", "decoder", "gen"},
    "tests": None,  # any layer, any header: tests reach internals on purpose
}
# The layers whose headers other layers see only through LAYER/include/.
LIBRARIES = ("format", "decoder", "gen", "check")
# (including file, included file): the arrows the map names one by one.
EXCEPTIONS = {
    # the planted build's switches: hooks.h is the decoder's one door to testing/
    ("decoder/hooks.h", "testing/mutants.h"),
    ("decoder/hooks.h", "testing/planted.h"),
    # etl-census reads untrusted bytes through the decoder's checked cursor
    ("tools/census/census.h", "decoder/cursor.h"),
    # the compression benchmark draws the compression tests' data
    ("bench/xpress_bench.c", "tests/xpress/xpress_data.h"),
}
# Third-party headers -> the layers that may include them.
THIRD_PARTY = {
    "jansson.h": {"check", "cli", "tests"},
    "cJSON.h": {"check", "tests"},
    "cjson/cJSON.h": {"check", "tests"},
    "cmocka.h": {"tests"},
}
PRIVATE_DIRS = ("testing", "decoder", "tests/common")
SKIP_DIRS = {".git", "build", "out", "__pycache__", "include_arrows_fixture"}

INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)
IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t]+([A-Za-z_][\w.]*)", re.M)


def strip_comments(text):
    """Block comments blanked, lines kept (a comment may show an #include)."""
    return re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def walk(root):
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build"))
        for f in sorted(files):
            yield os.path.relpath(os.path.join(dirpath, f), root)


def layer(rel):
    return rel.split(os.sep, 1)[0]


def resolve(root, rel, name, angle):
    here = os.path.dirname(rel)
    roots = [] if angle else [here, layer(rel)]
    roots += [os.path.join(lib, "include") for lib in LIBRARIES] + list(PRIVATE_DIRS)
    if layer(rel) == "tests":  # a test's target adds the folder of what it tests
        roots += [d for d in ARROWS if d != "tests"] + sorted(
            os.path.join("tests", d) for d in os.listdir(os.path.join(root, "tests")))
    for r in roots:
        cand = os.path.normpath(os.path.join(r, name))
        if not cand.startswith("..") and os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def check_include(root, rel, kind, name):
    src = layer(rel)
    if kind == "<":
        if name in THIRD_PARTY and src not in THIRD_PARTY[name]:
            return f"{rel}: <{name}> is a third-party library {src}/ must not use"
        if not name.startswith("etwhf/"):
            return None
    target = resolve(root, rel, name, kind == "<")
    if target is None:
        return f'{rel}: "{name}" names no file in the tree'
    dst = layer(target)
    if dst == src or (rel, target) in EXCEPTIONS:
        return None
    allowed = ARROWS.get(src, set())
    if allowed is not None and dst not in allowed:
        return f"{rel}: includes {target}: no arrow {src}/ -> {dst}/ (docs/architecture.md)"
    if allowed is not None and dst in LIBRARIES and not target.startswith(dst + "/include/"):
        return f"{rel}: includes {target}: only {dst}/include/ crosses a layer"
    return None


def module_homes(files):
    homes = {}
    for rel in files:
        if rel.endswith(".py"):
            homes.setdefault(os.path.basename(rel)[:-3], set()).add(layer(rel))
    return homes


def problems(root, graph=None):
    files = list(walk(root))
    found = []
    for rel in files:
        if not rel.endswith((".c", ".h")):
            continue
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = strip_comments(f.read())
        for m in INCLUDE.finditer(text):
            p = check_include(root, rel, m.group(1), m.group(2))
            if p:
                found.append(p)
            elif graph is not None and m.group(1) == '"':
                t = resolve(root, rel, m.group(2), False)
                if t and layer(t) != layer(rel):
                    key = (layer(rel), layer(t))
                    graph[key] = graph.get(key, 0) + 1
    homes = module_homes(files)
    for rel in files:
        if layer(rel) != "examples" or not rel.endswith(".py"):
            continue
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for m in IMPORT.finditer(text):
            top = m.group(1).split(".")[0]
            where = homes.get(top, set())
            if where and "examples" not in where:
                found.append(f"{rel}: imports {top}, which lives in {', '.join(sorted(where))}/, not examples/")
    return found


def main(argv):
    expect = None
    graph = None
    if argv[:1] == ["--expect"]:
        expect, argv = int(argv[1]), argv[2:]
    elif argv[:1] == ["--graph"]:
        graph, argv = {}, argv[1:]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(argv[0], graph)
    for p in found:
        print(p)
    if graph is not None:
        for (a, b), n in sorted(graph.items()):
            print(f"{a} -> {b}: {n}")
    if expect is not None:
        if len(found) != expect:
            print(f"include_arrows: expected {expect} problems in the fixture, found {len(found)}", file=sys.stderr)
            return 1
        return 0
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
