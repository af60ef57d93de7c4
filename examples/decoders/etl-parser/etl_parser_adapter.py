#!/usr/bin/env python3
"""etl_parser_adapter.py — airbus-cert/etl-parser in front of `etwhf check`.

Reads each .etl file with the library's public API — `etl.etl.build_from_stream`
then `EtlFile.parse(observer)` — and reports the heap events in the records the
library hands to the observer. etl-parser has no heap-event parser (its kernel
MOF parsers cover header, file, image, disk I/O, process and thread events), so
the adapter reads the three heap payloads of docs/spec/format.md §6.3 from the
payload bytes the library gives each record, with the library's framing and
nothing else:

| callback (record class) | heap record when | type | width | payload |
|---|---|---|---|---|
| on_system_trace (SystemTraceRecord: system, compact) | header.group = 0x10 | header.type | marker 32 / 64 | mof_data |
| on_perfinfo_trace (PerfInfoTraceRecord) | header.group = 0x10 | header.type | marker 32 / 64 | mof_data |
| on_trace_record (TraceRecord: FULL header) | guid = heap GUID | class.type | marker 32 / 64 | user_data |
| on_event_record (EventRecord: EVENT_HEADER) | provider_id = heap GUID | event_descriptor.Opcode | marker 32 / 64 | user_data |

WinTraceRecord (the library's reading of byte 3 = 0x90) carries no opcode and is
never a heap record here. An exception the library raises is one error line
(code READER_EXCEPTION, naming the exception and the library's frame), and the
decode ends there, as it does for a caller of the library; records handed out
before it are reported. `--stats` adds a summary: `buffers` = the chunks the
library framed (the header buffer included), `events_total` = 1 (the logfile
record, `EtlFile.get_header`) + the records handed to the observer.

The library is imported from ETWHF_ETL_PARSER_PATH (a checkout of
airbus-cert/etl-parser: the folder holding `etl/`), or from the normal import
path. It needs `construct` (Debian: python3-construct). See README.md.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import reader_adapter as ra  # noqa: E402

ra.library_path("ETWHF_ETL_PARSER_PATH")

WIDTH_64 = {"SYSTEM_TRACE_MARKER_64", "COMPACT_TRACE_MARKER_64", "PERFINFO_TRACE_MARKER_64",
            "TRACE_HEADER_TYPE_FULL_HEADER64", "EVENT_HEADER_EVENT64"}


def width(marker):
    """The pointer width of the record's header type, as the library named it."""
    return 8 if str(marker.type.enum) in WIDTH_64 else 4


def number(value):
    """A construct Enum field as its integer (a named value is a string with .intvalue)."""
    return getattr(value, "intvalue", value)


def guid_bytes(guid):
    """The library's Guid struct back to its 16 bytes on disk."""
    inner = guid.inner
    return (inner.data1.to_bytes(4, "little") + inner.data2.to_bytes(2, "little")
            + inner.data3.to_bytes(2, "little") + bytes(inner.data4))


def heap_record(kind, src):
    """(type, marker, payload bytes) of a record the library parsed, where `kind` is the
    record class etl.etl's Chunk names it ("SystemTraceRecord", …) and `src` its
    construct Container; type is None when the record is not a heap record."""
    if kind == "SystemTraceRecord":
        hdr = src.system_header.header
        heap = number(hdr.group) == ra.HEAP_GROUP
        return (hdr.type if heap else None), src.system_header.marker, src.mof_data
    if kind == "PerfInfoTraceRecord":
        heap = number(src.header.group) == ra.HEAP_GROUP
        return (src.header.type if heap else None), src.marker, src.mof_data
    if kind == "TraceRecord":
        hdr = src.event_header
        heap = guid_bytes(hdr.guid) == ra.HEAP_GUID_BYTES
        return (hdr["class"].type if heap else None), hdr.marker, src.user_data
    if kind == "EventRecord":
        hdr = src.event_header
        heap = guid_bytes(hdr.provider_id) == ra.HEAP_GUID_BYTES
        return (hdr.event_descriptor.Opcode if heap else None), hdr.marker, src.user_data
    return None, None, b""   # WinTraceRecord: no opcode


class EtlParser:
    name = "etl-parser"

    def probe(self):
        import construct
        import etl.etl
        return {"reader": self.name, "module": os.path.dirname(etl.etl.__file__),
                "construct": ".".join(map(str, construct.version))}

    def decode(self, path, report):
        from etl.etl import IEtlFileObserver, build_from_stream

        def record(kind, obj):
            """Each record the library hands out: counted, and its heap event read."""
            report.counts["events_total"] += 1
            event_type, marker, payload = heap_record(kind, obj.source)
            if event_type in ra.LINE_TYPE:
                ra.payload_event(report, event_type, width(marker), payload)

        class Observer(IEtlFileObserver):
            def on_system_trace(self, obj):
                record("SystemTraceRecord", obj)

            def on_perfinfo_trace(self, obj):
                record("PerfInfoTraceRecord", obj)

            def on_trace_record(self, obj):
                record("TraceRecord", obj)

            def on_event_record(self, obj):
                record("EventRecord", obj)

            def on_win_trace(self, obj):
                record("WinTraceRecord", obj)

        with open(path, "rb") as f:
            data = f.read()
        try:
            etl_file = build_from_stream(data)
        except Exception as e:
            report.library_raised(e)
            return
        report.counts["buffers"] = 1 + len(etl_file.chunks)
        report.counts["events_total"] = 1
        try:
            etl_file.parse(Observer())
        except Exception as e:
            report.library_raised(e)


if __name__ == "__main__":
    sys.exit(ra.main(EtlParser()))
