"""The walk of docs/spec/walk.md over one input held in memory.

A `Walk` reads a whole .etl file (steps F1-F5, B1-B7, C3-C5), a bare run of
records (R1-R9 over the input as one region) or one bare heap payload (R9),
and hands what it finds to two callbacks, in walk order:

    on_event(line)  a dict with the keys of a HeapFree / HeapAlloc /
                    HeapReAlloc line of docs/spec/output.md, in their order
    on_diag(line)   a dict with the keys of a "diag" line

and keeps the counts of the summary line in `walk.summary`. In strict mode
the walk stops right after the first error diagnostic: `diag()` raises
`Stopped`, which unwinds every step at once (nothing after it is emitted, F5
included). Byte layouts are those of docs/spec/format.md; the codes, their
severities and offsets those of docs/spec/diagnostics.md.

Every read of the input is bounded first: a record's fields are read only
after R5 proved its Size lies inside the region, a payload's only after R9
proved its length.
"""

import xpress
from etwhf_format import (
    BUFFER_HEADER, BH_PROCESSOR, BH_STATE, BH_FLAGS, DEFAULT_BUFFER_LIMIT, LOGFILE_CIRCULAR, LOGFILE_COMPRESSED,
    XPRESS_FORMAT, HEAP_GUID, FLAG_EVENTS_LOST, FLAG_BUFFER_LOST, FLAG_PROC_INDEX, FLAG_COMPRESSED,
    DIAGNOSTICS, PERFINFO, EVENT, MESSAGE, FORM_BY_TYPE, MESSAGE_FORM, EVENT_NAME, COUNT_KEY,
    EVENT_BY_WORD, PAYLOAD_FIELDS, SOURCE_NAMES, U16, U32, U64, MARKER_AND_SIZE4, BUFFER_FIELDS,
    IDS_AND_TIME, POINTERS, align8,
)


class Stopped(Exception):
    """Strict mode met its first error: the walk ends here."""


class Region:
    """A run of records in memory: `data[start:end]`, and how to name a place in it.

    `origin` turns a position into the record's offset in its buffer as if it
    had not been compressed (the walk's coordinates, docs/spec/walk.md):
    `p - origin`. `saved_end` is where SavedOffset puts the end; it is past
    `end` only when the input was cut inside the buffer (R1, R5). In an
    expanded buffer `expanded_at` is the buffer's file offset: a place there
    is that offset plus an inner_offset.
    """

    __slots__ = ("data", "start", "end", "saved_end", "origin", "buffer", "cpu", "expanded_at")

    def __init__(self, data, start, end, saved_end, origin, buffer, cpu, expanded_at=None):
        self.data, self.start, self.end, self.saved_end = data, start, end, saved_end
        self.origin, self.buffer, self.cpu, self.expanded_at = origin, buffer, cpu, expanded_at

    def where(self, p):
        """(offset, inner_offset or None) of the record at p."""
        if self.expanded_at is None:
            return p, None
        return self.expanded_at, p - self.origin


class Walk:
    """One input's walk: `Walk(on_event, on_diag, strict).run(data, layer, ...)` -> the summary."""

    def __init__(self, on_event, on_diag, strict=False, buffer_limit=DEFAULT_BUFFER_LIMIT):
        self.on_event = on_event
        self.on_diag = on_diag
        self.strict = strict
        self.limit = buffer_limit
        self.summary = {"buffers": 0, "buffers_skipped": 0, "events_total": 0, "heap_free": 0,
                        "heap_alloc": 0, "heap_realloc": 0, "errors": 0, "warnings": 0, "bytes": 0}

    # ---- reporting ----------------------------------------------------------

    def diag(self, code, buffer, offset, message, inner=None):
        number, severity = DIAGNOSTICS[code]
        self.summary["errors" if severity == "error" else "warnings"] += 1
        line = {"type": "diag", "severity": severity, "code": code, "code_num": number,
                "buffer": buffer, "offset": offset}
        if inner is not None:
            line["inner_offset"] = inner
        line["message"] = message
        self.on_diag(line)
        if severity == "error" and self.strict:
            raise Stopped()

    # ---- the three inputs ---------------------------------------------------

    def run(self, data, layer="file", pointer_size=8, event="free"):
        """Walks `data` as a file, a run of records or a payload; strict stops end it quietly."""
        self.summary["bytes"] = len(data)
        try:
            if layer == "file":
                self.file(data)
            elif layer == "record":
                self.records_input(data)
            else:
                self.payload_input(data, pointer_size, EVENT_BY_WORD[event])
        except Stopped:
            pass
        return self.summary

    def records_input(self, data):
        """--input record: R1-R9 over the whole input as one region from 0."""
        if not data:
            self.diag("FILE_EMPTY", None, 0, "the input is empty")
            return
        self.records(Region(data, 0, len(data), len(data), 0, None, 0))

    def payload_input(self, data, width, event_type):
        """--input payload: R9 alone; the event has no header, so no header fields."""
        if not data:
            self.diag("FILE_EMPTY", None, 0, "the input is empty")
            return
        line = {"type": EVENT_NAME[event_type], "buffer": None, "offset": 0, "header": None,
                "version": None, "pointer_size": width, "cpu": 0, "pid": None, "tid": None,
                "timestamp": "0"}
        self.payload(data, 0, len(data), event_type, line, None, 0, None)

    # ---- F-steps ------------------------------------------------------------

    def file(self, data):
        n = len(data)
        # F1
        if n == 0:
            self.diag("FILE_EMPTY", None, 0, "the input is empty")
            return
        if n < BUFFER_HEADER:
            self.diag("FILE_TOO_SHORT", None, 0,
                      f"the input has {n} bytes, fewer than one 72-byte buffer header")
            return
        logfile = self.logfile(data)  # F2: None when not read
        # F3
        compressed = logfile is not None and logfile["log_file_mode"] & LOGFILE_COMPRESSED
        stride = None
        if not compressed:
            stride = self.stride(data, logfile)
        visited, end = 0, 0
        if compressed or stride is not None:
            visited, end = self.buffers(data, stride, U16(data, BH_STATE)[0])  # F4
        # F5.2: the input ran out exactly where a position would begin, short of
        # what a non-circular log announces: the file was cut at a buffer boundary.
        if (logfile is not None and end == n and not logfile["log_file_mode"] & LOGFILE_CIRCULAR
                and logfile["buffers_written"] > visited):
            self.diag("TRUNCATED_TAIL", visited, n,
                      f"input ends at offset {n}, where buffer position {visited} would begin; the "
                      f"logfile announces {logfile['buffers_written']} buffers")
        # F5.1
        elif logfile is not None and logfile["buffers_written"] != visited:
            self.diag("BUFFERS_WRITTEN", 0, BUFFER_HEADER,
                      f"logfile BuffersWritten {logfile['buffers_written']} differs from the "
                      f"{visited} buffer positions in the file")

    def logfile(self, data):
        """F2: the logfile record at 0x48, whatever buffer 0's header says. Its fields, or None."""
        n = len(data)
        at = BUFFER_HEADER
        if n < at + 8:
            self.diag("LOGFILE_MISSING", 0, at,
                      f"no logfile record at 0x48: the input ends after {n} bytes, before its 8-byte header")
            return None
        header_type, byte3 = data[at + 2], data[at + 3]
        size, hook = U16(data, at + 4)[0], U16(data, at + 6)[0]
        why = None
        if byte3 & 0xC0 != 0xC0:
            why = "byte 3 lacks 0xC0"
        elif header_type not in (1, 2):
            why = "HeaderType is not 1 or 2"
        elif hook != 0:
            why = "HookId is not 0x0000"
        elif at + size > n:
            self.diag("LOGFILE_MISSING", 0, at,
                      f"no logfile record at 0x48: its Size {size} runs past the end of the input "
                      f"({n} bytes)")
            return None
        if why:
            self.diag("LOGFILE_MISSING", 0, at,
                      f"no logfile record at 0x48: {why} (byte 3 0x{byte3:02x}, "
                      f"HeaderType 0x{header_type:02x}, HookId 0x{hook:04x})")
            return None
        # The layout follows the HeaderType (1: 32-bit, 2: 64-bit), never PointerSize.
        width = 8 if header_type == 2 else 4
        layout = 0x118 if width == 8 else 0x110
        payload = size - 0x20 if size > 0x20 else 0
        if payload < layout:
            self.diag("LOGFILE_SHORT", 0, at,
                      f"logfile payload of {payload} bytes (Size {size}) is shorter than the "
                      f"{layout}-byte {width * 8}-bit layout")
            return None
        base = at + 0x20  # TRACE_LOGFILE_HEADER, after the SYSTEM header
        fields = {
            "buffer_size": U32(data, base + 0x00)[0],
            "log_file_mode": U32(data, base + 0x20)[0],
            "buffers_written": U32(data, base + 0x24)[0],
            "pointer_size": U32(data, base + 0x2C)[0],
            "events_lost": U32(data, base + 0x30)[0],
            "buffers_lost": U32(data, base + (0x114 if width == 8 else 0x10C))[0],
        }
        if fields["pointer_size"] not in (4, 8):
            self.diag("LOGFILE_POINTER_SIZE", 0, at,
                      f"logfile PointerSize {fields['pointer_size']} is neither 4 nor 8")
        if fields["events_lost"] or fields["buffers_lost"]:
            self.diag("EVENTS_LOST", 0, at,
                      f"logfile counts {fields['events_lost']} lost events and "
                      f"{fields['buffers_lost']} lost buffers")
        return fields

    def stride(self, data, logfile):
        """F3 for an uncompressed file: the stride S, or None when there is none (the file ends)."""
        b0 = U32(data, 0)[0]
        if logfile is not None:
            lb = logfile["buffer_size"]
            if BUFFER_HEADER <= lb <= self.limit and lb % 8 == 0:
                return lb
            self.diag("LOGFILE_BUFFER_SIZE", 0, BUFFER_HEADER,
                      f"logfile BufferSize {lb} is not a multiple of 8 between 72 and the buffer limit "
                      f"{self.limit}; using buffer 0's BufferSize {b0}")
        if BUFFER_HEADER <= b0 <= self.limit:
            return b0
        self.diag("BUFFER_SIZE", 0, 0,
                  f"no usable stride: buffer 0's BufferSize {b0} is not between 72 and the buffer "
                  f"limit {self.limit}")
        return None

    # ---- B- and C-steps -------------------------------------------------------

    def buffers(self, data, stride, compression_format):
        """F4: walks buffer positions from offset 0; returns how many it visited and
        the offset it stopped at (F5).

        `stride` is S for an uncompressed file, None for a compressed one (each
        buffer's own BufferSize is then its stride). `compression_format` is the
        low 16 bits of buffer 0's State, read even when buffer 0 is compressed.
        """
        n = len(data)
        off = index = visited = 0
        while off < n:
            visited += 1
            present = n - off
            # B1 (compressed files run it before C3)
            if present < BUFFER_HEADER:
                self.diag("TRUNCATED_TAIL", index, off,
                          f"input ends {present} bytes into the buffer header at offset {off} (72 needed)")
                break
            if stride is None:
                step = self.compressed_buffer(data, off, index, compression_format)
                if step is None:
                    break
            else:
                if not self.plain_buffer(data, off, index, stride):
                    break
                step = stride
            off += step
            index += 1
        return visited, off

    def plain_buffer(self, data, off, index, stride):
        """B2-B7 at `off` in an uncompressed file; False when the file ends here."""
        bsize, saved = BUFFER_FIELDS(data, off)
        flags = U16(data, off + BH_FLAGS)[0]
        present = len(data) - off
        truncated = present < stride
        # B3 comes before B4: a buffer skipped for its size raises no TRUNCATED_TAIL.
        if bsize != stride:
            self.summary["buffers_skipped"] += 1
            self.diag("BUFFER_SIZE", index, off,
                      f"BufferSize {bsize} differs from the stride {stride}; buffer skipped")
            return not truncated
        if truncated:  # B4: what is present is still walked, then the file ends
            self.diag("TRUNCATED_TAIL", index, off,
                      f"input ends {present} bytes into the {stride}-byte buffer at offset {off}")
        if flags & FLAG_COMPRESSED:  # B5
            self.summary["buffers_skipped"] += 1
            self.diag("COMPRESSED_UNSUPPORTED", index, off,
                      f"buffer flags 0x{flags:04x} mark a compressed buffer in an uncompressed file; "
                      f"buffer skipped")
        else:
            saved = self.data_end(data, off, bsize, saved)  # B6.0
            if self.saved_offset_ok(off, index, bsize, saved):  # B6, then B7
                self.accept(data, off, index, flags, saved, min(saved, present))
        return not truncated

    def compressed_buffer(self, data, off, index, compression_format):
        """C3-C5 at `off` in a compressed file; the stride to the next position, or None (the end)."""
        bsize, saved = BUFFER_FIELDS(data, off)
        flags = U16(data, off + BH_FLAGS)[0]
        # C3: a cut buffer ends the file; so does an impossible BufferSize
        # (below 0x48 its header is still whole: that is not a cut).
        if bsize >= BUFFER_HEADER and off + bsize > len(data):
            self.diag("TRUNCATED_TAIL", index, off,
                      f"input ends {len(data) - off} bytes into the {bsize}-byte buffer at offset {off}")
            return None
        if bsize < BUFFER_HEADER:
            self.diag("BUFFER_SIZE", index, off,
                      f"BufferSize {bsize} is below the 72-byte buffer header; the file ends")
            return None
        if bsize > self.limit:
            self.diag("BUFFER_SIZE", index, off,
                      f"BufferSize {bsize} is above the buffer limit {self.limit}; the file ends")
            return None
        if not flags & FLAG_COMPRESSED:  # C5: as B6-B7 with this buffer's size
            saved = self.data_end(data, off, bsize, saved)  # C5.0
            if self.saved_offset_ok(off, index, bsize, saved):
                self.accept(data, off, index, flags, saved, saved)
            return bsize
        # C4
        if saved < BUFFER_HEADER:
            self.summary["buffers_skipped"] += 1
            self.diag("SAVED_OFFSET", index, off,
                      f"SavedOffset {saved} is below the 72-byte buffer header; buffer skipped")
        elif saved - BUFFER_HEADER > self.limit:
            self.summary["buffers_skipped"] += 1
            self.diag("SAVED_OFFSET", index, off,
                      f"SavedOffset {saved} expands to {saved - BUFFER_HEADER} bytes, above the buffer "
                      f"limit {self.limit}; buffer skipped")
        elif compression_format != XPRESS_FORMAT:
            self.summary["buffers_skipped"] += 1
            self.diag("COMPRESSED_UNSUPPORTED", index, off,
                      f"compression format {compression_format} is not XPRESS plain LZ77 (3); buffer skipped")
        else:
            self.expand(data, off, index, bsize, saved, flags)
        return bsize

    @staticmethod
    def data_end(data, off, bsize, saved):
        """B6.0, C5.0: SavedOffset 0 with the data end in Offset (+0x30), as a Windows 7
        relogger wrote its header buffer; else SavedOffset as it is."""
        offset = U32(data, off + 0x30)[0]
        return offset if saved == 0 and BUFFER_HEADER <= offset <= bsize else saved

    def saved_offset_ok(self, off, index, bsize, saved):
        """B6 (and C5): SavedOffset must lie in [0x48, BufferSize]; else the buffer is skipped."""
        if saved < BUFFER_HEADER:
            why = f"SavedOffset {saved} is below the 72-byte buffer header; buffer skipped"
        elif saved > bsize:
            why = f"SavedOffset {saved} is past BufferSize {bsize}; buffer skipped"
        else:
            return True
        self.summary["buffers_skipped"] += 1
        self.diag("SAVED_OFFSET", index, off, why)
        return False

    def accept(self, data, off, index, flags, saved, kept):
        """B7 (and C5): count the buffer, report lost events, walk [0x48, kept) of it."""
        self.summary["buffers"] += 1
        lost = flags & (FLAG_EVENTS_LOST | FLAG_BUFFER_LOST)
        if lost:
            what = {FLAG_EVENTS_LOST: "events", FLAG_BUFFER_LOST: "buffers"}.get(lost, "events and buffers")
            self.diag("EVENTS_LOST", index, off, f"buffer flags 0x{flags:04x} report lost {what}")
        cpu = cpu_of(data, off, flags)
        self.records(Region(data, off + BUFFER_HEADER, off + kept, off + saved, off, index, cpu))

    def expand(self, data, off, index, bsize, saved, flags):
        """C4 accept: expand [0x48, BufferSize) to exactly SavedOffset - 0x48 bytes, walk them."""
        out_len = saved - BUFFER_HEADER
        try:
            body = xpress.decompress(data[off + BUFFER_HEADER:off + bsize], out_len)
        except xpress.XpressError as reason:
            self.summary["buffers_skipped"] += 1
            self.diag("DECOMPRESS", index, off,
                      f"XPRESS data of {bsize - BUFFER_HEADER} bytes does not expand to {out_len} bytes: "
                      f"{reason}; buffer skipped")
            return
        self.summary["buffers"] += 1
        # Expanded bytes are placed as if the buffer had not been compressed:
        # the first record's inner_offset is 0x48. An expanded buffer raises no
        # EVENTS_LOST (docs/spec/walk.md).
        cpu = cpu_of(data, off, flags)
        self.records(Region(body, 0, out_len, out_len, -BUFFER_HEADER, index, cpu, off))

    # ---- R-steps --------------------------------------------------------------

    def records(self, rg):
        """R1-R6 over a region; each record that passes R5 goes on to R7-R9."""
        data, p, end = rg.data, rg.start, rg.end
        summary = self.summary
        while True:
            # R1: fewer than 8 bytes left ends the walk
            if p + 8 > end:
                return
            marker, size4 = MARKER_AND_SIZE4(data, p)
            # R2: filler
            if marker == 0xFFFFFFFF:
                return
            byte3 = marker >> 24
            # R3
            if not byte3 & 0x80:
                self.record_diag(rg, p, "MARKER",
                                 f"byte 3 is 0x{byte3:02x}: the trace-header flag 0x80 is missing")
                return
            # R4: byte 3 with 0x40 selects the trace-header forms whatever 0x10 says
            if byte3 & 0x40:
                header_type = marker >> 16 & 0xFF
                form = FORM_BY_TYPE[header_type]
                if form is None:
                    self.record_diag(rg, p, "HEADER_TYPE", f"HeaderType 0x{header_type:02x} is not one "
                                     "of the 12 known header forms")
                    return
                size = size4 if form.size_at == 4 else marker & 0xFFFF
            elif byte3 & 0x10:
                form = MESSAGE_FORM
                size = marker & 0xFFFF
            else:
                self.record_diag(rg, p, "HEADER_TYPE", f"byte 3 is 0x{byte3:02x}: neither an event header "
                                 "(0x40) nor a message (0x10)")
                return
            # R5
            if size < form.fixed:
                self.record_diag(rg, p, "RECORD_SIZE",
                                 f"record size {size} is below its {form.fixed}-byte {form.name} header")
                return
            if p + size > end:
                if p + size <= rg.saved_end:
                    return  # fits before SavedOffset, but the input was cut: TRUNCATED_TAIL said so
                if rg.buffer is None:
                    message = f"record size {size} runs past the end of the input ({end - p} bytes left)"
                else:
                    message = (f"record size {size} at buffer +0x{p - rg.origin:x} runs past SavedOffset "
                               f"{rg.saved_end - rg.origin}")
                self.record_diag(rg, p, "RECORD_SIZE", message)
                return
            # R6
            summary["events_total"] += 1
            if form.family != MESSAGE:
                self.record_body(rg, p, size, form)
            p += align8(size)

    def record_diag(self, rg, p, code, message):
        offset, inner = rg.where(p)
        self.diag(code, rg.buffer, offset, message, inner)

    def record_body(self, rg, p, size, form):
        """R7-R9 for a record whose Size passed R5: find its payload, decide if it is a heap event."""
        data = rg.data
        family = form.family
        start = form.fixed
        if family <= PERFINFO:  # system, compact, perfinfo: HookId = group << 8 | type
            hook = U16(data, p + 6)[0]
            if family == PERFINFO:
                # R7, for every perfinfo record: PMC counters (bits 8-10) and PEBS (bit 15)
                version_word = U16(data, p)[0]
                pmc, pebs = version_word >> 8 & 7, version_word >> 15
                start = 0x10 + 8 * pmc + 8 * pebs
                if start > size:
                    and_pebs = " and a PEBS index" if pebs else ""
                    self.record_diag(rg, p, "PERFINFO_EXT",
                                     f"PERFINFO extension of {pmc} PMC counters{and_pebs} ends at "
                                     f"+0x{start:x}, past record size {size}")
                    return
            if hook >> 8 != 0x10:
                return
            event_type, version = hook & 0xFF, data[p]
        elif family != EVENT:  # full, instance: the heap GUID, then Class.Type
            if data[p + 0x18:p + 0x28] != HEAP_GUID:
                return
            event_type, version = data[p + 4], data[p + 6]
        else:
            # R8, for every event record: extended items before the payload
            if U16(data, p + 4)[0] & 0x0001:
                start = self.extended_items(rg, p, size)
                if start is None:
                    return
            if data[p + 0x18:p + 0x28] != HEAP_GUID:
                return
            event_type, version = data[p + 0x2D], data[p + 0x2A]
        if event_type not in EVENT_NAME:
            return  # other heap types are counted (R6) and skipped

        offset, inner = rg.where(p)
        line = {"type": EVENT_NAME[event_type], "buffer": rg.buffer, "offset": offset}
        if inner is not None:
            line["inner_offset"] = inner
        line["header"] = form.name
        line["version"] = version
        line["pointer_size"] = form.width
        line["cpu"] = rg.cpu
        if family == PERFINFO:  # no ids in a perfinfo header
            line["pid"] = line["tid"] = None
            line["timestamp"] = str(U64(data, p + 8)[0])
        else:
            tid, pid, timestamp = IDS_AND_TIME(data, p + 8)
            line["pid"], line["tid"], line["timestamp"] = pid, tid, str(timestamp)
        self.payload(data, p + start, p + size, event_type, line, rg.buffer, offset, inner)

    def extended_items(self, rg, p, size):
        """R8: the payload's offset after the EVENT_HEADER extended items, or None after EXT_ITEM."""
        data = rg.data
        q = 0x50
        while True:
            if q + 8 > size:
                message = f"extended item at record +0x{q:x} needs 8 bytes; record size is {size}"
            else:
                item_size = U16(data, p + q)[0]
                if item_size < 8:
                    message = f"extended item at record +0x{q:x} has ItemSize {item_size}, below 8"
                elif q + item_size > size:
                    message = (f"extended item at record +0x{q:x} with ItemSize {item_size} runs past "
                               f"record size {size}")
                else:
                    more = U16(data, p + q + 4)[0] & 1  # Linkage: another item follows
                    q += item_size
                    if not more:
                        return q
                    continue
            self.record_diag(rg, p, "EXT_ITEM", message)
            return None

    def payload(self, data, start, end, event_type, line, buffer, offset, inner):
        """R9: the payload data[start:end] of a Free, Alloc or ReAlloc event, its diagnostics, the event.

        `line` holds the header's fields already; the payload's are added here.
        """
        width = line["pointer_size"]
        fields = PAYLOAD_FIELDS[event_type]
        minimum = len(fields) * width + 4
        length = end - start
        name = line["type"]
        if length < minimum:
            self.diag("HEAP_PAYLOAD_SHORT", buffer, offset,
                      f"{name} payload of {length} bytes is shorter than the {minimum}-byte minimum "
                      f"for pointer size {width}", inner)
            return  # the event is dropped
        if length > minimum:
            self.diag("HEAP_PAYLOAD_LONG", buffer, offset,
                      f"{name} payload of {length} bytes is longer than the {minimum}-byte minimum; "
                      f"{length - minimum} extra bytes ignored", inner)
        *values, source = POINTERS[width, len(fields)](data, start)
        for key, value in zip(fields, values):
            line[key] = hex(value)
        line["source"] = source
        line["source_name"] = SOURCE_NAMES[source] if source < len(SOURCE_NAMES) else None
        if source == 6:
            self.diag("SOURCE_RESERVED", buffer, offset,
                      f"{name} Source 6 (SEGMENT_HEAP) is documented as reserved, never returned", inner)
        elif source == 0 or source > 6:
            self.diag("SOURCE_UNKNOWN", buffer, offset,
                      f"{name} Source {source} (0x{source:x}) is not a MEMORY_FROM_* value 1-6", inner)
        self.summary[COUNT_KEY[event_type]] += 1
        self.on_event(line)


def cpu_of(data, off, flags):
    """The buffer's processor: u16 ProcessorIndex with PROC_INDEX, else the u8 ProcessorNumber."""
    return U16(data, off + BH_PROCESSOR)[0] if flags & FLAG_PROC_INDEX else data[off + BH_PROCESSOR]
