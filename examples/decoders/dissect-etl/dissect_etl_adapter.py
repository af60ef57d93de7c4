#!/usr/bin/env python3
"""dissect_etl_adapter.py — fox-it/dissect.etl in front of `etwhf check`.

Reads each .etl file with the library's public API — `dissect.etl.ETL(fh)`, its
buffers and their records (what `for record in ETL(fh)` walks) — and reports the
heap events the library itself parses. dissect.etl ships a manifest for the heap
provider (`dissect/etl/manifests/xml/{222962ab-…}.xml`, "Windows Kernel"), so a
heap event is what the library makes of a record:

    record.header.provider_id == HeapGuid          (the library's provider id)
    record.header.opcode in (36, 33, 34) or absent (FULL and INSTANCE headers)
    event = record.event                           (the manifest's template for
                                                    (opcode, version), or none)
    event._event.value in (36 Free, 33 Alloc, 34 ReAlloc)

and its fields are the template's: HeapHandle, FreeAddress, SourceId (Free);
HeapHandle, AllocSize, AllocAddress, SourceId (Alloc); HeapHandle,
NewAllocAddress, OldAllocAddress, NewAllocSize, OldAllocSize, SourceId
(ReAlloc), as the library returns them; `pointer_size` is the header's width
(`header.is_64bit`). A record whose provider is not the heap provider, or whose
(opcode, version) the manifest lacks, is no heap event — as for any caller of
the library. An exception the library raises is one error line (code
READER_EXCEPTION, naming the exception and the library's frame) and ends the
decode, as it ends a caller's loop; records before it are reported. `--stats`
adds a summary: `buffers` = the buffers the library visited, `events_total` =
the records it yielded.

The library is imported from ETWHF_DISSECT_PATH (os.pathsep-separated checkouts
of fox-it/dissect.etl, fox-it/dissect.cstruct 4.x and fox-it/dissect.util, each
the folder holding `dissect/`), or from the normal import path. It needs
`defusedxml` (Debian: python3-defusedxml). See README.md.
"""

import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import reader_adapter as ra  # noqa: E402

ra.library_path("ETWHF_DISSECT_PATH")

HEAP_GUID = uuid.UUID(ra.HEAP_GUID_TEXT)
# The manifest's event values and template field names, per etwhf event type.
TEMPLATE = {
    36: (ra.HEAP_FREE, ("HeapHandle", "FreeAddress", "SourceId")),
    33: (ra.HEAP_ALLOC, ("HeapHandle", "AllocSize", "AllocAddress", "SourceId")),
    34: (ra.HEAP_REALLOC, ("HeapHandle", "NewAllocAddress", "OldAllocAddress", "NewAllocSize",
                           "OldAllocSize", "SourceId")),
}


def heap_event(record):
    """(etwhf type, width, {field: value}) for a heap event the library parsed, else None.
    Every attribute read here is the library's (and may raise)."""
    header = record.header
    if header.provider_id != HEAP_GUID:
        return None
    # Only the three types etwhf decodes are asked for (other heap types are counted
    # and skipped, docs/spec/walk.md R9.2); a header without an opcode (FULL,
    # INSTANCE) leaves the choice to the library.
    if getattr(header, "opcode", None) not in (None, 36, 33, 34):
        return None
    event = record.event
    manifest_event = event._event
    if manifest_event is None or manifest_event.value not in TEMPLATE:
        return None
    event_type, names = TEMPLATE[manifest_event.value]
    keys = ra.PAYLOAD_FIELDS[event_type] + ("source",)
    return event_type, (8 if header.is_64bit else 4), {k: getattr(event, n) for k, n in zip(keys, names)}


class DissectEtl:
    name = "dissect.etl"

    def probe(self):
        import dissect.cstruct
        import dissect.etl
        import dissect.util
        return {"reader": self.name, "module": os.path.dirname(dissect.etl.__file__),
                "dissect.cstruct": os.path.dirname(dissect.cstruct.__file__),
                "dissect.util": os.path.dirname(dissect.util.__file__)}

    def decode(self, path, report):
        from dissect.etl import ETL

        with open(path, "rb") as fh:
            try:
                records = self.walk(ETL(fh), report)
                for record in records:
                    report.counts["events_total"] += 1
                    found = heap_event(record)
                    if found:
                        report.event(*found)
            except Exception as e:
                report.library_raised(e)

    @staticmethod
    def walk(etl, report):
        """ETL.__iter__ (every buffer's records, in order), counting the buffers."""
        for buffer in etl.buffers():
            report.counts["buffers"] += 1
            yield from buffer


if __name__ == "__main__":
    sys.exit(ra.main(DissectEtl()))
