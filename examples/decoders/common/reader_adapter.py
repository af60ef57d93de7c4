"""reader_adapter.py — what the adapters of third-party ETL readers share.

An adapter puts a public library (airbus-cert/etl-parser, fox-it/dissect.etl)
in front of `etwhf check` and reports exactly what that library reads. This
module holds everything that is not the library:

- the two protocols of docs/spec/check-protocol.md: one run per case (§3: the
  case's path as the last word, its layer in ETWHF_LAYER) and the batch
  protocol (§6: `--batch`, one JSON request per line on standard input, each
  answered by its lines and an end line);
- the output lines (§3.4): HeapFree / HeapAlloc / HeapReAlloc, one `diag`
  line of severity error when the library raised, and with `--stats` a
  summary line with the keys of `etwhf decode --stats` that have a meaning
  for the library (buffers, events_total, heap_free, heap_alloc,
  heap_realloc, errors) plus `reader`;
- the heap payload layouts of docs/spec/format.md §6.3, for a library that
  hands out a record's payload bytes but has no heap-event parser.

An adapter is a class with `name`, `probe()` (what was imported, from where)
and `decode(path, report)`, and calls `main(adapter)`. Only whole files are
read: a request for a bare payload or record sequence (layer `payload` or
`record`) is answered with status 2 and a line on standard error, which the
checker reports as a failure of that case — run the check with `--layer
file`. There is no strict mode: a library has one behaviour, so a request in
strict mode is decoded exactly as in recover mode.

Exit status per process: 0 (no error line), 1 (the library raised: an error
line), 2 (usage, or a layer other than file), 3 (I/O: the library cannot be
imported, or the file cannot be read), 70 (the adapter itself failed: a
traceback on standard error, so that its own bug is never read as a
verdict).
"""

import json
import os
import struct
import sys
import traceback

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_IO, EXIT_FAILED = 0, 1, 2, 3, 70
# examples/decoders/: frames in here are the adapters', not the library's.
ADAPTERS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

# docs/spec/format.md §6.1: the heap provider, its group and the three types read.
HEAP_GUID_TEXT = "222962ab-6180-4b88-a825-346b75f2a24a"
# On disk (u32, u16, u16, 8 bytes, little-endian): AB 62 29 22 80 61 88 4B A8 25 34 6B 75 F2 A2 4A.
HEAP_GUID_BYTES = bytes.fromhex("ab6229228061884ba825346b75f2a24a")
HEAP_GROUP = 0x10
HEAP_FREE, HEAP_ALLOC, HEAP_REALLOC = 0x24, 0x21, 0x22
LINE_TYPE = {HEAP_FREE: "HeapFree", HEAP_ALLOC: "HeapAlloc", HEAP_REALLOC: "HeapReAlloc"}
COUNT_KEY = {HEAP_FREE: "heap_free", HEAP_ALLOC: "heap_alloc", HEAP_REALLOC: "heap_realloc"}
# format.md §6.3: the W-sized fields of each payload in order; Source (u32) follows them.
PAYLOAD_FIELDS = {
    HEAP_FREE: ("heap_handle", "address"),
    HEAP_ALLOC: ("heap_handle", "size", "address"),
    HEAP_REALLOC: ("heap_handle", "new_address", "old_address", "new_size", "old_size"),
}


class Report:
    """The lines of one decode, and the counts for its summary."""

    def __init__(self, reader):
        self.reader = reader
        self.lines = []
        self.counts = {"buffers": 0, "events_total": 0, "heap_free": 0, "heap_alloc": 0,
                       "heap_realloc": 0, "errors": 0}

    def event(self, event_type, width, fields):
        """A heap event as the library read it: `fields` maps the keys of
        PAYLOAD_FIELDS[event_type] and "source" to integers."""
        line = {"type": LINE_TYPE[event_type]}
        for key in PAYLOAD_FIELDS[event_type]:
            line[key] = "0x%x" % fields[key]
        line["source"] = fields["source"]
        line["pointer_size"] = width
        self.lines.append(json.dumps(line))
        self.counts[COUNT_KEY[event_type]] += 1

    def error(self, code, message):
        self.lines.append(json.dumps({"type": "diag", "severity": "error", "code": code,
                                      "message": message}))
        self.counts["errors"] += 1

    def library_raised(self, exc):
        """The library raised while reading: one error line naming the exception
        and the innermost frame of the library's own code that raised it."""
        where = ""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if not os.path.abspath(frame.filename).startswith(ADAPTERS_DIR):
                where = " (%s:%d %s)" % (os.path.basename(frame.filename), frame.lineno, frame.name)
                break
        text = str(exc).replace("\n", " ")
        if len(text) > 300:
            text = text[:300] + "…"
        self.error("READER_EXCEPTION", "%s: %s%s" % (type(exc).__name__, text, where))

    def summary(self):
        return json.dumps({"type": "summary", "reader": self.reader, **self.counts})


def payload_event(report, event_type, width, payload):
    """format.md §6.3 read from the first byte of `payload`, the bytes the library
    says are the record's payload. Bytes past the minimum are ignored (R9.5); a
    payload shorter than the minimum cannot hold the event, which is what a
    heap-event parser on top of the library would raise on (R9.4)."""
    names = PAYLOAD_FIELDS[event_type]
    need = len(names) * width + 4
    if len(payload) < need:
        report.error("HEAP_PAYLOAD_SHORT", "%s payload of %d bytes, %d needed at width %d"
                     % (LINE_TYPE[event_type], len(payload), need, width))
        return
    code = "<" + ("I" if width == 4 else "Q") * len(names) + "I"
    values = struct.unpack_from(code, bytes(payload[:need]))
    report.event(event_type, width, dict(zip(names + ("source",), values)))


def library_path(variable):
    """Prepends the folders in the environment variable (os.pathsep-separated) to
    sys.path, so the library is imported from a source checkout there."""
    for folder in reversed([p for p in os.environ.get(variable, "").split(os.pathsep) if p]):
        sys.path.insert(0, os.path.abspath(folder))


# ---- the protocols -----------------------------------------------------------------

def decode_path(adapter, path, layer, stats):
    """One case: (status, lines)."""
    if layer != "file":
        print("%s: reads whole .etl files only (layer %s); run etwhf check with --layer file"
              % (adapter.name, layer), file=sys.stderr)
        return EXIT_USAGE, []
    report = Report(adapter.name)
    try:
        with open(path, "rb"):
            pass
    except OSError as e:
        print("%s: cannot read '%s': %s" % (adapter.name, path, e.strerror or e), file=sys.stderr)
        return EXIT_IO, []
    adapter.decode(path, report)
    if stats:
        report.lines.append(report.summary())
    return (EXIT_ERRORS if report.counts["errors"] else EXIT_OK), report.lines


def serve_batch(adapter, stdin, stdout):
    """§6: a request per line, answered in order; an adapter failure answers its
    case with status 70 (the traceback on standard error) and serving goes on."""
    for text in stdin:
        if not text.strip():
            continue
        request_id = None
        try:
            request = json.loads(text)
            request_id = request.get("id")
            status, lines = decode_path(adapter, request["file"], request.get("layer") or "file",
                                        "--stats" in (request.get("args") or []))
        except Exception:
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            status, lines = EXIT_FAILED, []
        lines.append(json.dumps({"type": "end", "id": request_id, "status": status}))
        stdout.write("\n".join(lines) + "\n")
        stdout.flush()
    return EXIT_OK


USAGE = """usage: %(prog)s [--stats] FILE            one .etl file (layer from ETWHF_LAYER, default file)
       %(prog)s --batch                   the batch protocol of docs/spec/check-protocol.md §6
       %(prog)s --probe                   what was imported, from where (exit 3 if it cannot be)
etwhf decode's flags (--mode M, --input L, --pointer-size W, --event E) are accepted, so
`--decoder "%(prog)s {args} {file}"` works; --input other than file is answered with exit 2."""


def main(adapter, argv=None):
    argv = sys.argv[1:] if argv is None else argv
    prog = os.path.basename(sys.argv[0])
    layer = os.environ.get("ETWHF_LAYER") or "file"
    stats = batch = probe = False
    files = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            print(USAGE % {"prog": prog})
            return EXIT_OK
        if arg == "--stats":
            stats = True
        elif arg == "--batch":
            batch = True
        elif arg == "--probe":
            probe = True
        elif arg in ("--mode", "--input", "--pointer-size", "--event") and args:
            value = args.pop(0)
            if arg == "--input":
                layer = value
        elif arg.startswith("-") and arg != "-":
            print("%s: unknown option '%s'\n%s" % (prog, arg, USAGE % {"prog": prog}), file=sys.stderr)
            return EXIT_USAGE
        else:
            files.append(arg)
    try:
        info = adapter.probe()
    except ImportError as e:
        print("%s: %s is not importable: %s" % (prog, adapter.name, e), file=sys.stderr)
        return EXIT_IO
    if probe:
        print(json.dumps(info))
        return EXIT_OK
    if batch:
        return serve_batch(adapter, sys.stdin, sys.stdout)
    if len(files) != 1:
        print(USAGE % {"prog": prog}, file=sys.stderr)
        return EXIT_USAGE
    try:
        status, lines = decode_path(adapter, files[0], layer, stats)
    except Exception:
        traceback.print_exc()
        return EXIT_FAILED
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    return status
