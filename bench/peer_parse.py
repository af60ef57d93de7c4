#!/usr/bin/env python3
"""bench/peer_parse.py — times a public Python ETL reader on one trace, parse
time alone: the library is imported first (timed apart), then one warm-up
parse and REPS timed parses in the same process, so neither the interpreter's
start nor the import is counted.

  PYTHON bench/peer_parse.py READER FILE [--reps N] [--path DIR ...]

READER:
  dissect.etl  fox-it/dissect.etl with dissect.cstruct and dissect.util: it
               parses lazily, so each record is parsed whole — its header's
               fields (additional_header_fields(), timestamp) and its payload
               through the provider's manifest where dissect.etl has one
               (record.event; the parsed structure's fields read out).
  etl-parser   airbus-cert/etl-parser: build_from_stream() over the file's
               bytes and parse() with an observer that takes every record
               it delivers (the library parses each record with construct).
--path DIR     put DIR first on sys.path (the readers' source trees), repeatable.

Prints one JSON object: reader, file, records, seconds (each timed parse,
wall), cpu_seconds (process CPU of each), import_s, error (the exception of
the first failing parse, or null; records then counts what it delivered).
Standard library only besides the reader.
"""
import argparse
import json
import sys
import time


def dissect_parse(path, mod, seen):
    n = 0
    with open(path, "rb") as fh:
        for rec in mod.ETL(fh):
            h = rec.header
            h.additional_header_fields()
            _ = h.timestamp
            ev = rec.event
            # Event.event_values() reads the structure through `_values`, an
            # attribute dissect.cstruct 4 no longer has; __values__ is its
            # field dictionary.
            if getattr(ev, "_struct", None) is not None:
                _ = ev._struct.__values__
            n += 1
            seen["records"] = n
    return n


def etl_parser_parse(path, mod, seen):
    class Observer(mod.IEtlFileObserver):
        def take(self, event):
            seen["records"] += 1

        on_system_trace = on_perfinfo_trace = on_trace_record = on_event_record = on_win_trace = take

    seen["records"] = 0
    with open(path, "rb") as f:
        mod.build_from_stream(f.read()).parse(Observer())
    return seen["records"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reader", choices=["dissect.etl", "etl-parser"])
    ap.add_argument("file")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--path", action="append", default=[])
    a = ap.parse_args()
    sys.path[:0] = a.path
    out = {"reader": a.reader, "file": a.file, "records": 0, "seconds": [], "cpu_seconds": [], "error": None}
    t0 = time.perf_counter()
    try:
        if a.reader == "dissect.etl":
            import dissect.etl.etl as mod
            parse = dissect_parse
        else:
            import etl.etl as mod
            parse = etl_parser_parse
    except Exception as e:  # noqa: BLE001 - reported, not raised
        out["error"] = f"import: {type(e).__name__}: {e}"
        print(json.dumps(out))
        return 1
    out["import_s"] = time.perf_counter() - t0
    for i in range(a.reps + 1):  # the first parse warms caches (dissect compiles manifests)
        w0, c0 = time.perf_counter(), time.process_time()
        seen = {"records": 0}
        try:
            n = parse(a.file, mod, seen)
        except Exception as e:  # noqa: BLE001 - a reader that fails cannot read this file
            out["error"] = f"{type(e).__name__}: {str(e)[:200]} (after {seen['records']:,} records)"
            out["records"] = seen["records"]
            break
        w, c = time.perf_counter() - w0, time.process_time() - c0
        out["records"] = n
        if i:
            out["seconds"].append(w)
            out["cpu_seconds"].append(c)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
