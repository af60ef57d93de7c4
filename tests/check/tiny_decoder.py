#!/usr/bin/env python3
"""tiny_decoder.py FILE — the "decoder of one's own" of docs/check.md.

Decodes one bare heap payload (docs/spec/format.md §6.3) and prints the JSON lines
`etwhf check` reads (docs/spec/output.md §2 and check-protocol.md). It takes what it needs from the
environment `etwhf check --decoder` sets: ETWHF_LAYER, ETWHF_POINTER_SIZE,
ETWHF_EVENT. Other layers it does not know: it says so on stderr and exits 2,
which the checker reports as a decoder failure.
"""
import json
import os
import struct
import sys

# Minimum payload length per event at width 4 and 8 (docs/spec/format.md §6.3).
MINIMUM = {"free": (12, 20), "alloc": (16, 28), "realloc": (24, 44)}
LINE_TYPE = {"free": "HeapFree", "alloc": "HeapAlloc", "realloc": "HeapReAlloc"}


def emit(obj):
    print(json.dumps(obj, separators=(",", ":")))


def diag(severity, code):
    emit({"type": "diag", "severity": severity, "code": code, "offset": 0})


def main():
    if os.environ.get("ETWHF_LAYER") != "payload":
        print("tiny_decoder: only bare payloads", file=sys.stderr)
        return 2
    width = int(os.environ["ETWHF_POINTER_SIZE"])
    event = os.environ.get("ETWHF_EVENT", "free")
    data = open(sys.argv[1], "rb").read()
    if not data:
        diag("error", "FILE_EMPTY")
        return 1
    need = MINIMUM[event][width == 8]
    if len(data) < need:
        diag("error", "HEAP_PAYLOAD_SHORT")
        return 1
    if len(data) > need:
        diag("warning", "HEAP_PAYLOAD_LONG")
    ptr = "<Q" if width == 8 else "<I"
    pointers = [struct.unpack_from(ptr, data, i * width)[0] for i in range((need - 4) // width)]
    source = struct.unpack_from("<I", data, need - 4)[0]
    if source == 6:
        diag("warning", "SOURCE_RESERVED")
    elif source == 0 or source > 6:
        diag("warning", "SOURCE_UNKNOWN")
    line = {"type": LINE_TYPE[event], "pointer_size": width, "heap_handle": hex(pointers[0]), "source": source}
    if event == "free":
        line["address"] = hex(pointers[1])
    emit(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
