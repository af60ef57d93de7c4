#!/usr/bin/env python3
"""conformance_classes.py — why a third-party reader disagrees, case by case.

    conformance_classes.py READER CORPUS REPORT.json [--id N]...   (READER: etl-parser | dissect.etl)

For every case an `etwhf check --json` report lists under `not_agreeing`,
finds the first place where the library's reading parts from etwhf's walk
(docs/spec/walk.md) and names the disagreement class of
docs/conformance/findings/ it belongs to. Prints one JSON line per case
({"id", "class", "level", "evidence", "faults", "bytes", "file", "detail"}) and a
last line with the classes: {"classes": {class: cases}, "by_level", "level",
"evidence", "smallest"} (see summarize()). `--id N` (repeatable, last) classifies
only those cases.

How: the case is walked twice — by etwhf's walk (the Python example decoder
of examples/decoders/python/, which agrees with etwhf on every case), keeping
every record's place and every heap event's record; and by the library, with
the framing calls its adapter uses (examples/decoders/*/), keeping what it
made of each record at each place (a heap event, no event, an exception) and
where it stopped. Places are (buffer file offset, offset in the buffer as if
uncompressed). Each case is judged at the lowest conformance level it fails
(its `levels_failed` in the report, docs/spec/conformance.md): at L1 and L3
the first HeapFree event etwhf delivers that the library does not deliver the
same way decides the class, and without one extra events or the verdict do;
at L2 only the events of the case's intact prefix count, and without a
difference among them the damage went unreported, which the case's faults
explain. A case counts under that first cause only: a later one is hidden
behind it, as it is for a user of the library. The adapters' environment
variables (ETWHF_ETL_PARSER_PATH, ETWHF_DISSECT_PATH) say where the
libraries are. Informative tooling for the findings, not a judge: the
checker's report says which cases disagree.
"""

import collections
import io
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DECODERS = os.path.join(ROOT, "examples", "decoders")
for sub in ("python", "common", "etl-parser", "dissect-etl"):
    sys.path.insert(0, os.path.join(DECODERS, sub))

import etwhf_format as F  # noqa: E402
import etwhf_walk as W  # noqa: E402
import reader_adapter as ra  # noqa: E402

HEAP_GUID = bytes.fromhex("ab6229228061884ba825346b75f2a24a")
LEVELS = ["L0", "L1", "L2", "L3", "L4"]


def saved_offset_zero(data, off):
    """walk.md B6.0 / C5.0: the buffer at `off` has SavedOffset 0 and its data end in
    Offset (+0x30), as the Windows 7 relogger wrote net.4.5.x86.etl's header buffer."""
    if off is None or off + 0x48 > len(data):
        return False
    size, saved = struct.unpack_from("<II", data, off)
    offset = struct.unpack_from("<I", data, off + 0x30)[0]
    return saved == 0 and 0x48 <= offset <= size


# ---- etwhf's side: every record's place, every HeapFree event's record -------------

class Record:
    __slots__ = ("key", "form", "b2", "b3", "size", "w0", "flags", "items", "heap", "msgflags")


class RecordWalk(W.Walk):
    """The example decoder's walk, remembering each record (R1-R5 passed, or the one
    that stopped a region) and the record of each delivered heap event."""

    def __init__(self):
        self.records_seen = []
        self.events = []      # (key, line)
        self.diags = []
        self._key = None
        super().__init__(self._on_event, self.diags.append)

    def _on_event(self, line):
        self.events.append((self._key, line))

    @staticmethod
    def start_of(rg):
        return rg.expanded_at if rg.expanded_at is not None else rg.origin

    def records(self, rg):
        data, p, end = rg.data, rg.start, rg.end
        while p + 8 <= end:
            marker, size4 = W.MARKER_AND_SIZE4(data, p)
            if marker == 0xFFFFFFFF:
                break
            b3 = marker >> 24
            form, size = None, None
            if b3 & 0x40:
                form = W.FORM_BY_TYPE[marker >> 16 & 0xFF]
                size = None if form is None else (size4 if form.size_at == 4 else marker & 0xFFFF)
            elif b3 & 0x10:
                form, size = W.MESSAGE_FORM, marker & 0xFFFF
            r = Record()
            r.key = (self.start_of(rg), p - rg.origin)
            r.form = form.name if form else None
            r.b2, r.b3, r.size, r.w0 = marker >> 16 & 0xFF, b3, size, marker & 0xFFFF
            r.flags = r.items = r.msgflags = None
            r.heap = False
            self.records_seen.append(r)
            if not b3 & 0x80 or form is None or size is None or size < form.fixed or p + size > end:
                break
            if form.family == F.EVENT:
                r.flags = struct.unpack_from("<H", data, p + 4)[0]
                r.items = self.item_sizes(data, p, size) if r.flags & 1 else []
                r.heap = bytes(data[p + 0x18:p + 0x28]) == HEAP_GUID
            elif form.family == F.MESSAGE:
                r.msgflags = struct.unpack_from("<H", data, p + 6)[0]
            elif form.family in (F.FULL, F.INSTANCE):
                r.heap = bytes(data[p + 0x18:p + 0x28]) == HEAP_GUID
            else:
                r.heap = data[p + 7] == 0x10
            p += W.align8(size)
        super().records(rg)

    @staticmethod
    def item_sizes(data, p, size):
        q, out = 0x50, []
        while q + 8 <= size:
            item = struct.unpack_from("<H", data, p + q)[0]
            out.append(item)
            if item < 8 or not struct.unpack_from("<H", data, p + q + 4)[0] & 1:
                break
            q += item
        return out

    def record_body(self, rg, p, size, form):
        self._key = (self.start_of(rg), p - rg.origin)
        super().record_body(rg, p, size, form)


def etwhf_side(data):
    walk = RecordWalk()
    walk.run(data, "file")
    return walk


# ---- the library's side --------------------------------------------------------------

class LibraryWalk:
    """What the library made of a file: `opened` (None, or the exception opening
    raised), `places` {key: kind, heap} with heap = None, an exception name, or
    (type, width, fields), `buffers` [file offsets visited] and `stop` (None, or
    (key or buffer offset, exception name, message) where the library raised)."""

    def __init__(self):
        self.opened = None
        self.places = {}
        self.order = []
        self.buffers = []
        self.buffer_info = {}     # file offset: (BufferSize, the Offset field, compressed)
        self.stop = None
        self.lost = set()         # places parsed but never handed out (etl-parser: a failing buffer)


def exception_text(e):
    return "%s: %s" % (type(e).__name__, str(e).split("\n")[0][:120])


def etl_parser_side(data):
    import etl_parser_adapter as adapter
    from etl.etl import Chunk, EtlChunk, build_from_stream
    lib = LibraryWalk()
    try:
        build_from_stream(data)
    except Exception as e:
        lib.opened = exception_text(e)
    stream = io.BytesIO(data)
    while stream.tell() < len(data):
        pos = stream.tell()
        try:
            chunk = EtlChunk.parse_stream(stream)
        except Exception as e:
            lib.stop = (pos, "framing", exception_text(e))
            return lib
        lib.buffers.append(pos)
        if pos == 0:
            continue          # buffer 0: the logfile record only (EtlFile.get_header)
        records = io.BytesIO(chunk.payload)
        while True:
            p = records.tell()
            try:
                rec = Chunk.parse_stream(records)
            except Exception as e:
                # EtlFile.parse builds a whole buffer's list of records before the
                # observer sees one: a record that fails takes those before it along.
                lost = [k for k in lib.order if k[0] == pos]
                lib.order = [k for k in lib.order if k[0] != pos]
                for k in lost:
                    del lib.places[k]
                lib.lost.update(lost)
                lib.stop = ((pos, 0x48 + p), "record", exception_text(e))
                return lib
            event_type, marker, payload = adapter.heap_record(rec.type, rec.value)
            heap = None
            if event_type in ra.LINE_TYPE:
                report = ra.Report("etl-parser")
                ra.payload_event(report, event_type, adapter.width(marker), payload)
                line = json.loads(report.lines[0])
                heap = (line["type"], line) if line["type"] != "diag" else "HEAP_PAYLOAD_SHORT"
            key = (pos, 0x48 + p)
            lib.places[key] = (rec.type, heap)
            lib.order.append(key)
            if records.tell() == len(chunk.payload):
                break
    return lib


def dissect_side(data):
    import dissect_etl_adapter as adapter
    from dissect.etl import ETL
    from dissect.etl.exceptions import NoMoreEventsError
    lib = LibraryWalk()
    try:
        etl = ETL(io.BytesIO(data))
    except Exception as e:
        lib.opened = exception_text(e)
        return lib
    try:
        for buf in etl.buffers():
            lib.buffers.append(buf.offset)
            offset = 0
            try:   # Buffer.__iter__: its header is read here, and EOFError ends the buffer quietly
                lib.buffer_info[buf.offset] = (buf.size, buf.filled_bytes, bool(buf.header.BufferFlag & 0x40))
                while offset < buf.filled_bytes:
                    record = buf.read_record(offset)
                    key = (buf.offset, 0x48 + offset)
                    try:
                        found = adapter.heap_event(record)
                        heap = None if found is None else (ra.LINE_TYPE[found[0]], found)
                    except Exception as e:
                        lib.places[key] = (type(record.header).__name__, exception_text(e))
                        lib.order.append(key)
                        lib.stop = (key, "heap", exception_text(e))
                        return lib
                    lib.places[key] = (type(record.header).__name__, heap)
                    lib.order.append(key)
                    offset += record.aligned_size
            except (EOFError, NoMoreEventsError):
                pass
            except Exception as e:
                lib.stop = ((buf.offset, 0x48 + offset), "record", exception_text(e))
                return lib
    except Exception as e:
        lib.stop = (None, "buffer", exception_text(e))
    return lib


# ---- the classes ------------------------------------------------------------------

def first_missing_record(ours, lib, buffer_start):
    """The first record etwhf walks in that buffer that the library has no place for."""
    for r in ours.records_seen:
        if r.key[0] == buffer_start and r.key not in lib.places:
            return r
    return None


def record_shape(r):
    """What about a record makes a library stumble, in the findings' words."""
    if r is None:
        return "none"
    if r.form is None or not r.b3 & 0x80:
        return "damaged"
    if r.b3 != 0xC0 and r.form != "message":
        return "byte3"
    if r.form == "message":
        return "message"
    if r.form.startswith("instance"):
        return "instance"
    if r.items and any(i % 8 for i in r.items):
        return "item_unaligned"
    return r.form


def free_tuple(line):
    return (int(str(line["heap_handle"]), 0), int(str(line["address"]), 0), line["source"],
            line["pointer_size"])


def lowest_level(levels_failed):
    """The lowest level a case fails (L0 < L1 < … < L4), or None."""
    return min(levels_failed, key=LEVELS.index) if levels_failed else None


def classify(reader, case, data, verdict_got, level="L3"):
    """(class, detail) of one case that does not agree, judged at `level`, the lowest
    level it fails: at L1 and L3 every HeapFree event and the verdict count; at L2
    only the events of the intact prefix (expect.intact_prefix.events) and an error
    where one is expected — what happens after the damage is not what fails it."""
    ours = etwhf_side(data)
    lib = (etl_parser_side if reader == "etl-parser" else dissect_side)(data)
    by_key = {r.key: r for r in ours.records_seen}
    expect = case["expect"]
    faults = case["faults"]
    side = EP if reader == "etl-parser" else DS
    if lib.opened:
        return side.opened(lib.opened, case, data)
    if case["compressed"] and reader == "etl-parser":
        return "ep.compression", "compressed file: %d buffer(s) framed" % len(lib.buffers)
    frees = [(key, line) for key, line in ours.events if line["type"] == "HeapFree"]
    if level == "L2":
        frees = frees[:(expect.get("intact_prefix") or {}).get("events", 0)]
    for key, line in frees:
        r = by_key.get(key)
        got = lib.places.get(key)
        if got is None:
            if lib.stop:
                return side.stopped(lib, by_key, faults, data, key)
            if key[0] not in lib.buffers:
                return side.buffer_not_read(lib, key, faults, data)
            return side.record_not_read(lib, first_missing_record(ours, lib, key[0]), faults)
        kind, heap = got
        if isinstance(heap, str):
            return side.heap_raised(r, heap, lib, key)
        if heap is None:
            return side.no_event(r, kind)
        if heap[0] != "HeapFree" or free_tuple(line) != lib_free_tuple(reader, heap):
            return side.fields(r, line, heap)
    delivered = [lib.places[k][1] for k in lib.order if lib.places[k][1]
                 and not isinstance(lib.places[k][1], str) and lib.places[k][1][0] == "HeapFree"]
    if level == "L2":
        # The prefix is there, each event at its record; what fails L2 is an extra
        # event among them, or the damage going unreported.
        if [lib_free_tuple(reader, h) for h in delivered[:len(frees)]] != [free_tuple(l) for _, l in frees]:
            return side.extra(lib, ours, faults)
        return side.verdict("ok", faults, expect)
    if len(delivered) > len(expect["events"]) or (lib.stop is None and len(delivered) != len(expect["events"])):
        return side.extra(lib, ours, faults)
    if lib.stop:
        return side.stopped(lib, by_key, faults, data)
    for key in lib.order:   # a heap record of another type the library misread
        if isinstance(lib.places[key][1], str):
            return side.heap_raised(by_key.get(key), lib.places[key][1], lib, key)
    if verdict_got != expect["verdict"]:
        return side.verdict(verdict_got, faults, expect)
    return "unexplained", ""


def lib_free_tuple(reader, heap):
    return free_tuple(heap[1] if reader == "etl-parser" else dict(heap[1][2], pointer_size=heap[1][1]))


SHAPE_CLASS = {
    "etl-parser": {"instance": "ep.instance", "message": "ep.message", "byte3": "ep.byte3",
                   "item_unaligned": "ep.ext-item-size"},
    "dissect.etl": {"byte3": "ds.byte3"},
}


class EP:
    """etl-parser."""

    @staticmethod
    def opened(what, case, data):
        faults = case["faults"]
        if what.startswith("IndexError"):
            if saved_offset_zero(data, 0):
                return "ep.saved-offset-zero", "buffer 0 has SavedOffset 0 (data end in Offset), not framed: " \
                    "build_from_stream raised %s; faults %s" % (what, faults)
            return "ep.buffer-framing", "buffer 0 not framed, so build_from_stream raised %s; faults %s" % (
                what, faults)
        return "ep.stop-on-error", "build_from_stream raised %s; faults %s" % (what, faults)

    @staticmethod
    def stopped(lib, by_key, faults, data, missing=None):
        key, where, what = lib.stop
        if where == "framing":
            if saved_offset_zero(data, key):
                return "ep.saved-offset-zero", "buffer at %d has SavedOffset 0 (data end in Offset): " \
                    "framing stopped (%s)" % (key, what)
            return by_fault("etl-parser", "ok", faults, None, default=(
                "ep.buffer-framing", "chunk framing stopped at offset %d (%s); faults %s" % (key, what, faults)))
        r = by_key.get(key)
        place = "buffer at %d +0x%x" % key
        cls = SHAPE_CLASS["etl-parser"].get(record_shape(r))
        if cls:
            return cls, "%s record at %s: %s" % (r.form, place, what)
        if missing in lib.lost:
            return "ep.whole-buffer", "the HeapFree event at %s precedes %s at %s (etwhf: %s) in its buffer " \
                "and is lost with it; faults %s" % (missing, what, place, "no record there" if r is None
                                                    else r.form, faults)
        return "ep.stop-on-error", "%s at %s (etwhf: %s); faults %s" % (
            what, place, "no record there" if r is None else r.form, faults)

    @staticmethod
    def buffer_not_read(lib, key, faults, data):
        if lib.buffers and saved_offset_zero(data, key[0]):
            return "ep.saved-offset-zero", "buffer at %d has SavedOffset 0 (data end in Offset): not framed" % key[0]
        return by_fault("etl-parser", "ok", faults, None, default=(
            "ep.buffer-framing", "buffer at %d not framed (chunks at %s); faults %s" % (key[0], lib.buffers, faults)))

    @staticmethod
    def record_not_read(lib, missing, faults):
        return "unexplained", "record %s not framed; faults %s" % (missing and missing.form, faults)

    @staticmethod
    def heap_raised(r, what, lib=None, key=None):
        if r is not None and r.items and any(i % 8 for i in r.items):
            return "ep.ext-item-size", "%s item sizes %s: %s" % (r.form, r.items, what)
        if r is not None and r.form.startswith("perfinfo") and r.w0 & 0x8700:
            return "ep.perfinfo-ext", "%s Version word 0x%04x: %s" % (r.form, r.w0, what)
        return "unexplained", "heap record %s: %s" % (r and r.form, what)

    @staticmethod
    def no_event(r, kind):
        return "unexplained", "heap record %s read as %s without an event" % (r.form, kind)

    @staticmethod
    def fields(r, line, heap):
        if r.form.startswith("perfinfo") and r.w0 & 0x8700:
            return "ep.perfinfo-ext", "%s Version word 0x%04x" % (r.form, r.w0)
        if r.items and any(i % 8 for i in r.items):
            return "ep.ext-item-size", "%s item sizes %s" % (r.form, r.items)
        return "unexplained", "%s: %s vs %s" % (r.form, line, heap)

    @staticmethod
    def extra(lib, ours, faults):
        return EP.verdict("ok", faults, {"errors": "more HeapFree events than expected"})

    @staticmethod
    def verdict(got, faults, expect):
        return by_fault("etl-parser", got, faults, expect)


class DS:
    """dissect.etl."""

    @staticmethod
    def opened(what, case, data):
        faults = case["faults"]
        if what.startswith("UnicodeDecodeError") and (
                "names.lone_surrogate" in case.get("shapes", ["names.lone_surrogate"])):
            return "ds.names", what
        if "invalid pointer size" in what:
            return "ds.pointer-size", what
        return "ds.stop-on-error", "ETL() raised %s; faults %s" % (what, faults)

    @staticmethod
    def stopped(lib, by_key, faults, data, missing=None):
        key, where, what = lib.stop
        r = by_key.get(key)
        if "InvalidMarkerError" in what and r is not None and r.b3 & 0xF0 == 0xD0:
            return "ds.byte3", "byte 3 0x%02x of a %s record at %s: %s" % (r.b3, r.form, key, what)
        if "NotImplementedError" in what:
            return "ds.message", "MESSAGE record at %s: %s" % (key, what)
        if "as_32bit" in what:
            return "ds.as-32bit", "%s record at %s: %s" % (r.form if r else None, key, what)
        if "ord() expected" in what and "compressed_flag_in_uncompressed_file" not in faults:
            return "ds.compressed-longer", "%s at %s" % (what, key)
        if where == "buffer" and "EOFError" in what:   # a buffer header past the end of the input
            return by_fault("dissect.etl", "error", faults, None)
        return "ds.stop-on-error", "%s at %s (etwhf: %s); faults %s" % (
            what, key, "no record there" if r is None else r.form, faults)

    @staticmethod
    def buffer_not_read(lib, key, faults, data):
        if "buffers_written" in faults:
            return "ds.buffers-written", "BuffersWritten bounds the walk; faults %s" % faults
        return DS.verdict(None, faults, None)

    @staticmethod
    def record_not_read(lib, missing, faults):
        size, filled, compressed = lib.buffer_info.get(missing.key[0] if missing else None, (0, 0, False))
        if compressed and size > filled:
            return "ds.compressed-longer", "compressed stream of %d bytes cut to min(BufferSize, Offset %d)" % (
                size - 0x48, filled)
        if any(f.startswith("truncated") for f in faults):
            return "ds.truncation", "the cut buffer ends silently; faults %s" % faults
        return "unexplained", "record %s at %s not reached; faults %s" % (
            missing.form if missing else None, missing.key if missing else None, faults)

    @staticmethod
    def heap_raised(r, what, lib=None, key=None):
        if "as_32bit" in what:
            return "ds.as-32bit", "%s: %s" % (r and r.form, what)
        # A payload cut short: the record lies in a compressed buffer whose stream
        # the library read only in part (min(BufferSize, Offset) − 0x48 bytes).
        info = lib.buffer_info.get(key[0]) if lib and key else None
        if info and info[2] and info[0] > info[1] and "EOFError" in what:
            return "ds.compressed-longer", "compressed stream of %d bytes cut to min(BufferSize, Offset %d): " \
                "%s heap record: %s" % (info[0] - 0x48, info[1], r and r.form, what)
        return "ds.stop-on-error", "%s heap record: %s" % (r and r.form, what)

    @staticmethod
    def no_event(r, kind):
        if r.form.startswith("event"):
            return "ds.provider-byte-order", r.form
        if r.form.startswith(("full", "instance")):
            return "ds.no-opcode", r.form
        if r.w0 not in (0, 2):
            return "ds.version-key", "%s Version word 0x%04x" % (r.form, r.w0)
        return "unexplained", "%s (%s) without an event" % (r.form, kind)

    @staticmethod
    def fields(r, line, heap):
        if heap[1][1] == 8:
            return "ds.pointer-uint32", "%s: heap 0x%x address 0x%x source %d read as %s" % (
                r.form, *free_tuple(line)[:3], heap[1][2])
        return "unexplained", "%s: %s vs %s" % (r.form, line, heap)

    @staticmethod
    def extra(lib, ours, faults):
        if any(f.startswith("truncated") for f in faults):
            return "ds.truncation", "a cut buffer is read; faults %s" % faults
        return DS.verdict(None, faults, None)

    @staticmethod
    def verdict(got, faults, expect):
        return by_fault("dissect.etl", got, faults, expect)


# When no event tells, the fault a case holds does: (fault name prefixes, class, why).
FAULT_CLASSES = {
    "etl-parser": [
        (("compressed_flag_in_uncompressed_file", "compression_format_unsupported"), "ep.compression",
         "buffer flag 0x40 and the compression format not read"),
        (("ext_item_bad_size",), "ep.ext-item-size", "ItemSize not read"),
        (("perfinfo_ext_overrun",), "ep.perfinfo-ext", "PMC/PEBS bits not read"),
        (("truncated",), "ep.truncation", "a cut file reads as complete: the chunks present are returned"),
        (("buffer_size", "buffer0_size", "stride", "saved_offset"), "ep.buffer-framing",
         "buffers framed by their own BufferSize and SavedOffset"),
        (("logfile_missing",), "ep.logfile-form", "logfile record taken in another header form"),
    ],
    "dissect.etl": [
        (("compression_format_unsupported",), "ds.compression-format", "format in State not read"),
        (("buffer_size", "buffer0_size", "stride"), "ds.buffer-stride", "buffers stepped by their own BufferSize"),
        (("decompress_corrupt",), "ds.decompress", "lzxpress expands a damaged stream without an error"),
        (("record_size_overrun", "logfile_missing"), "ds.record-size",
         "Size not checked against the buffer or the input"),
        (("ext_item_bad_size",), "ds.ext-items", "extended items never bound the payload"),
        (("payload_short",), "ds.pointer-uint32", "12-byte template at every width"),
        (("saved_offset", "compressed_saved_offset"), "ds.offset-field", "Offset (0x30) used, not SavedOffset"),
        (("truncated",), "ds.truncation", "the cut file reads as complete"),
        (("buffers_written",), "ds.buffers-written", "buffers past BuffersWritten are never read, "
         "nor the damage in them"),
    ],
}


def by_fault(reader, got, faults, expect, default=None):
    for prefixes, name, why in FAULT_CLASSES[reader]:
        if any(f.startswith(prefixes) for f in faults):
            return name, "%s; faults %s" % (why, faults)
    if default:
        return default
    return "unexplained", "verdict %s, expected %s; faults %s" % (got, expect and expect.get("errors"), faults)


def summarize(lines):
    """The last line: per class its case count, the cases per lowest failed level
    (`by_level`), the lowest level any of its cases fails (`checker_level`), the
    class's level (`level`: the same), the evidence its
    cases rest on (the manifest's `evidence`, generator 7 on), and its smallest case
    at its checker level (fewest bytes, then lowest id)."""
    out = {"classes": collections.Counter(), "by_level": {}, "level": {}, "evidence": {}, "smallest": {}}
    for x in lines:
        name = x["class"]
        out["classes"][name] += 1
        out["by_level"].setdefault(name, collections.Counter())[x["level"] or "-"] += 1
        out["evidence"].setdefault(name, collections.Counter())[x["evidence"] or "-"] += 1
    out["checker_level"] = {}
    for name, counts in out["by_level"].items():
        judged = [lv for lv in counts if lv in LEVELS]
        out["checker_level"][name] = lowest_level(judged)
        out["level"][name] = out["checker_level"][name]
        at = [x for x in lines if x["class"] == name and x["level"] == out["checker_level"][name]]
        best = min(at, key=lambda x: (x["bytes"], x["id"])) if at else None
        if best:
            out["smallest"][name] = {k: best[k] for k in ("id", "file", "bytes", "evidence", "faults")}
    out["classes"] = dict(out["classes"].most_common())
    out["by_level"] = {k: dict(sorted(v.items())) for k, v in out["by_level"].items()}
    out["evidence"] = {k: dict(v) for k, v in out["evidence"].items()}
    return out


def main(argv):
    only = set()
    while len(argv) > 3 and argv[-2] == "--id":
        only.add(int(argv[-1]))
        argv = argv[:-2]
    if len(argv) != 3 or argv[0] not in ("etl-parser", "dissect.etl"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    reader, corpus, report_path = argv
    ra.library_path("ETWHF_ETL_PARSER_PATH" if reader == "etl-parser" else "ETWHF_DISSECT_PATH")
    with open(report_path) as f:
        report = json.load(f)
    failed = {c["id"]: c.get("levels_failed") for c in report.get("not_agreeing", [])}
    cases = {}
    with open(os.path.join(corpus, "manifest.jsonl")) as f:
        f.readline()
        for line in f:
            case = json.loads(line)
            if case["id"] in failed and (not only or case["id"] in only):
                cases[case["id"]] = case
    adapter = __import__("etl_parser_adapter" if reader == "etl-parser" else "dissect_etl_adapter")
    decoder = adapter.EtlParser() if reader == "etl-parser" else adapter.DissectEtl()
    lines = []
    for case_id in sorted(cases):
        case = cases[case_id]
        path = os.path.join(corpus, case["file"])
        with open(path, "rb") as f:
            data = f.read()
        got = ra.Report(reader)
        decoder.decode(path, got)
        verdict = "error" if got.counts["errors"] else "ok"
        # A report without levels (a checker before them) is judged as a command
        # without flags: L3.
        level = lowest_level(failed[case_id]) if failed[case_id] is not None else "L3"
        try:
            name, detail = classify(reader, case, data, verdict, level or "L3")
        except Exception as e:      # the classifier's own limits, shown rather than hidden
            name, detail = "unexplained", "classifier: " + exception_text(e)
        line = {"id": case_id, "class": name, "level": level, "evidence": case.get("evidence"),
                "faults": case["faults"], "bytes": len(data), "file": case["file"], "detail": detail}
        lines.append(line)
        print(json.dumps(line))
    print(json.dumps(summarize(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
