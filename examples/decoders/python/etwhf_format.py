"""The byte format's constants and tables (docs/spec/format.md, docs/spec/diagnostics.md).

Everything here is data: header forms, heap event layouts, diagnostic codes
and their severities, and the little-endian readers the walk uses.
"""

import struct

BUFFER_HEADER = 0x48                  # every buffer starts with this many header bytes
BH_PROCESSOR = 0x28                   # buffer header: u16 ProcessorIndex (or u8 ProcessorNumber)
BH_STATE = 0x2C                       # buffer header: State; buffer 0's low 16 bits = compression format
BH_FLAGS = 0x34                       # buffer header: u16 BufferFlag
DEFAULT_BUFFER_LIMIT = 16 << 20       # L: the largest buffer (or expansion) accepted
LOGFILE_COMPRESSED = 0x04000000       # LogFileMode bit of a compressed file (F3)
LOGFILE_CIRCULAR = 0x00000002         # LogFileMode bit of a circular log (F5.2 does not apply)
XPRESS_FORMAT = 3                     # low 16 bits of buffer 0's State (C4)
# {222962AB-6180-4B88-A825-346B75F2A24A} as stored on disk (Windows GUID layout).
HEAP_GUID = bytes.fromhex("AB 62 29 22 80 61 88 4B A8 25 34 6B 75 F2 A2 4A")

# Buffer flags (BufferFlag, buffer header +0x34).
FLAG_EVENTS_LOST = 0x0002
FLAG_BUFFER_LOST = 0x0004
FLAG_PROC_INDEX = 0x0020
FLAG_COMPRESSED = 0x0040

# The diagnostics: name -> (number, severity). Numbers never change.
DIAGNOSTICS = {
    "FILE_EMPTY": (1, "error"),
    "FILE_TOO_SHORT": (2, "error"),
    "LOGFILE_MISSING": (3, "error"),
    "LOGFILE_SHORT": (4, "error"),
    "LOGFILE_POINTER_SIZE": (5, "warning"),
    "LOGFILE_BUFFER_SIZE": (6, "warning"),
    "BUFFERS_WRITTEN": (7, "warning"),
    "EVENTS_LOST": (8, "warning"),
    "TRUNCATED_TAIL": (9, "error"),
    "BUFFER_SIZE": (10, "error"),
    "SAVED_OFFSET": (11, "error"),
    "COMPRESSED_UNSUPPORTED": (12, "error"),
    "DECOMPRESS": (13, "error"),
    "MARKER": (20, "error"),
    "HEADER_TYPE": (21, "error"),
    "RECORD_SIZE": (22, "error"),
    "PERFINFO_EXT": (23, "error"),
    "EXT_ITEM": (24, "error"),
    "HEAP_PAYLOAD_SHORT": (25, "error"),
    "HEAP_PAYLOAD_LONG": (26, "warning"),
    "SOURCE_RESERVED": (27, "warning"),
    "SOURCE_UNKNOWN": (28, "warning"),
    # Raised by a reader that knew a file's size and saw it shrink (walk.md F6); this
    # decoder walks the bytes it was handed, so it never raises it.
    "INPUT_SHRANK": (29, "error"),
}

# Header families: how a record says it is a heap event, and where its fields are.
SYSTEM, COMPACT, PERFINFO, FULL, INSTANCE, EVENT, MESSAGE = range(7)


class Form:
    """One header form of docs/spec/format.md: fixed size H, where the u16 Size is, width."""

    __slots__ = ("name", "family", "fixed", "size_at", "width")

    def __init__(self, name, family, fixed, size_at, width):
        self.name, self.family, self.fixed, self.size_at, self.width = name, family, fixed, size_at, width


# HeaderType byte (record byte 2) -> form; the 12 forms that can carry heap events.
FORMS = {
    0x01: Form("system32", SYSTEM, 0x20, 4, 4),
    0x02: Form("system64", SYSTEM, 0x20, 4, 8),
    0x03: Form("compact32", COMPACT, 0x18, 4, 4),
    0x04: Form("compact64", COMPACT, 0x18, 4, 8),
    0x10: Form("perfinfo32", PERFINFO, 0x10, 4, 4),
    0x11: Form("perfinfo64", PERFINFO, 0x10, 4, 8),
    0x0A: Form("full32", FULL, 0x30, 0, 4),
    0x14: Form("full64", FULL, 0x30, 0, 8),
    0x0B: Form("instance32", INSTANCE, 0x48, 0, 4),
    0x15: Form("instance64", INSTANCE, 0x48, 0, 8),
    0x12: Form("event32", EVENT, 0x50, 0, 4),
    0x13: Form("event64", EVENT, 0x50, 0, 8),
}
FORM_BY_TYPE = tuple(FORMS.get(t) for t in range(256))
MESSAGE_FORM = Form("message", MESSAGE, 8, 0, 0)

# Heap event types (HookId low byte, Class.Type or Opcode) that are decoded.
HEAP_FREE, HEAP_ALLOC, HEAP_REALLOC = 0x24, 0x21, 0x22
EVENT_NAME = {HEAP_FREE: "HeapFree", HEAP_ALLOC: "HeapAlloc", HEAP_REALLOC: "HeapReAlloc"}
COUNT_KEY = {HEAP_FREE: "heap_free", HEAP_ALLOC: "heap_alloc", HEAP_REALLOC: "heap_realloc"}
EVENT_BY_WORD = {"free": HEAP_FREE, "alloc": HEAP_ALLOC, "realloc": HEAP_REALLOC}
# Pointer-sized fields of each payload, in order; a u32 Source follows them.
PAYLOAD_FIELDS = {
    HEAP_FREE: ("heap_handle", "address"),
    HEAP_ALLOC: ("heap_handle", "size", "address"),
    HEAP_REALLOC: ("heap_handle", "new_address", "old_address", "new_size", "old_size"),
}
SOURCE_NAMES = (None, "LOOKASIDE", "LOWFRAG", "MAINPATH", "SLOWPATH", "INVALID", "SEGMENT_HEAP")

# Little-endian readers: unpack_from(buffer, offset) -> tuple.
U16 = struct.Struct("<H").unpack_from
U32 = struct.Struct("<I").unpack_from
U64 = struct.Struct("<Q").unpack_from
MARKER_AND_SIZE4 = struct.Struct("<IH").unpack_from    # record +0 dword, +4 u16
BUFFER_FIELDS = struct.Struct("<II").unpack_from       # BufferSize, SavedOffset
IDS_AND_TIME = struct.Struct("<IIQ").unpack_from       # TID, PID, timestamp at record +8
POINTERS = {(w, k): struct.Struct("<" + ("I" if w == 4 else "Q") * k + "I").unpack_from
            for w in (4, 8) for k in (2, 3, 5)}      # k pointers then the Source


def align8(x):
    return (x + 7) & ~7
