#!/usr/bin/env python3
"""Writes a small .etl trace for the CLI tests, straight from docs/spec/format.md (§3, §4,
§6.3, Appendix A) and independent of etwhf's generator, so the tests do not check the
decoder against code that shares its assumptions.

One header buffer with the logfile record, then one data buffer holding the
given heap events. With --header-from, the header buffer is copied from an
existing trace (a real sample) and the data buffer takes its stride. With
--compress, the file is marked compressed (LogFileMode 0x04000000, docs/spec/format.md
§2.2) and the data buffer holds its events as an MS-XCA plain LZ77 stream made
of literals only (a zero flag word before every 32 bytes), which any
conforming decompressor expands.

Event syntax (repeatable --event):  KIND:key=value,...
  KIND   free | alloc | realloc
  keys   hdr=system64|system32|perfinfo64 (default system64), ts=N or ts=+N
         (relative to the logfile record's SystemTime), pid, tid, heap, addr,
         size, new, old, new_size, old_size, src (default 3)
"""
import argparse
import struct
import sys

BUF_HDR = 0x48


def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def u64(b, o):
    return struct.unpack_from("<Q", b, o)[0]


def buffer_header(size, saved, flags, btype, seq, cpu, timestamp=0):
    h = bytearray(BUF_HDR)
    struct.pack_into("<III", h, 0, size, saved, saved)
    struct.pack_into("<QQ", h, 0x10, timestamp, seq)
    struct.pack_into("<HHI", h, 0x28, cpu, 1, 3)
    struct.pack_into("<IHH", h, 0x30, saved, flags, btype)
    return h


def xpress_literals(data):
    out = bytearray()
    for i in range(0, len(data), 32):
        out += b"\0\0\0\0" + data[i:i + 32]
    return bytes(out)


def utf16z(s):
    return s.encode("utf-16-le") + b"\0\0"


def logfile_record(a, buffer_size, buffers_written):
    lf = bytearray(0x118)
    struct.pack_into("<IIII", lf, 0, buffer_size, 0x0501000A, 19041, 2)
    struct.pack_into("<QIII", lf, 0x10, a.end, 156250, 0, a.mode)
    struct.pack_into("<IIIII", lf, 0x24, buffers_written, 0, 8, 0, a.cpu_mhz)
    struct.pack_into("<QQ", lf, 0x38, 10, 7)
    struct.pack_into("<QQQII", lf, 0xF8, a.boot, a.perf_freq, a.start, a.clock, 0)
    payload = bytes(lf) + utf16z(a.logger) + utf16z(a.log_file)
    size = 0x20 + len(payload)
    hdr = struct.pack("<HBBHHIIQII", 2, 0x02, 0xC0, size, 0x0000, 0x10, 0x20, a.header_ts, 0, 0)
    return hdr + payload


def parse_event(text):
    kind, _, rest = text.partition(":")
    ev = {"kind": kind, "hdr": "system64", "ts": "+0", "pid": 0x0F10, "tid": 0x1A2C, "heap": 0x1D2C4A50000,
          "addr": 0x1D2C4A5F3A0, "size": 0x40, "new": 0x1D2C4A60000, "old": 0x1D2C4A5F3A0, "new_size": 0x80,
          "old_size": 0x40, "src": 3}
    for kv in filter(None, rest.split(",")):
        k, _, v = kv.partition("=")
        if k not in ev:
            sys.exit("mketl: unknown event key " + k)
        ev[k] = v if k in ("hdr", "ts") else int(v, 0)
    if kind not in ("free", "alloc", "realloc"):
        sys.exit("mketl: unknown event kind " + kind)
    return ev


def heap_record(ev, header_ts):
    ps = 4 if ev["hdr"].endswith("32") else 8
    ptr = "<I" if ps == 4 else "<Q"
    ts = ev["ts"]
    ts = header_ts + int(ts[1:], 0) if ts.startswith("+") else int(ts, 0)
    fields = {"free": ("heap", "addr"), "alloc": ("heap", "size", "addr"),
              "realloc": ("heap", "new", "old", "new_size", "old_size")}[ev["kind"]]
    # defaults are 64-bit values: a 32-bit event keeps their low half
    payload = b"".join(struct.pack(ptr, ev[f] & (0xFFFFFFFF if ps == 4 else ~0)) for f in fields) + struct.pack("<I", ev["src"])
    hook = 0x1000 | {"free": 0x24, "alloc": 0x21, "realloc": 0x22}[ev["kind"]]
    if ev["hdr"] == "perfinfo64":
        size = 0x10 + len(payload)
        rec = struct.pack("<HBBHHQ", 2, 0x11, 0xC0, size, hook, ts) + payload
    else:
        htype = 0x01 if ps == 4 else 0x02
        size = 0x20 + len(payload)
        rec = struct.pack("<HBBHHIIQII", 2, htype, 0xC0, size, hook, ev["tid"], ev["pid"], ts, 0, 0) + payload
    return rec + b"\0" * (-len(rec) % 8)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--header-from", help="copy the header buffer of this trace")
    p.add_argument("--buffer-size", type=lambda s: int(s, 0), default=0x1000)
    p.add_argument("--clock", type=int, default=1, help="ReservedFlags: 1 QPC, 2 system time, 3 CPU cycles")
    p.add_argument("--perf-freq", type=int, default=10_000_000)
    p.add_argument("--cpu-mhz", type=int, default=3000)
    p.add_argument("--start", type=int, default=132394766711387363, help="StartTime FILETIME")
    p.add_argument("--end", type=int, default=132394766811387363)
    p.add_argument("--boot", type=int, default=132394000000000000)
    p.add_argument("--mode", type=lambda s: int(s, 0), default=0x00010001, help="LogFileMode")
    p.add_argument("--header-ts", type=lambda s: int(s, 0), default=1_000_000_000)
    p.add_argument("--cpu", type=int, default=1, help="ProcessorIndex of the data buffer")
    p.add_argument("--event", action="append", default=[], type=parse_event)
    p.add_argument("--compress", action="store_true", help="compress the data buffer (XPRESS literals)")
    p.add_argument("--logger", default="etwhf test", help="LoggerName (any text, controls included)")
    p.add_argument("--log-file", default="C:\\etwhf\\test.etl", help="LogFileName")
    a = p.parse_args()
    if a.compress:
        a.mode |= 0x04000000

    if a.header_from:
        with open(a.header_from, "rb") as f:
            head = f.read(0x10000)
        bsize = u32(head, 0)
        header_buf = bytearray(head[:bsize])
        header_ts = u64(header_buf, BUF_HDR + 0x10)
        # BuffersWritten: the two buffers written here (walk.md F5).
        struct.pack_into("<I", header_buf, BUF_HDR + 0x20 + 0x24, 2)
        header_buf = bytes(header_buf)
    else:
        bsize = a.buffer_size
        header_ts = a.header_ts
        rec = logfile_record(a, bsize, 2)
        saved = BUF_HDR + len(rec) + (-len(rec) % 8)
        body = buffer_header(bsize, saved, 0x21, 4, 0, 0) + rec + b"\0" * (-len(rec) % 8)
        header_buf = body + b"\xff" * (bsize - len(body))

    events = b"".join(heap_record(ev, header_ts) for ev in a.event)
    saved = BUF_HDR + len(events)
    if saved > bsize:
        sys.exit("mketl: events do not fit one buffer")
    if a.compress:
        packed = xpress_literals(events)
        data = buffer_header(BUF_HDR + len(packed), saved, 0x60, 0, 1, a.cpu, header_ts) + packed
    else:
        data = buffer_header(bsize, saved, 0x20, 0, 1, a.cpu, header_ts) + events
        data += b"\xff" * (bsize - len(data))
    with open(a.out, "wb") as f:
        f.write(header_buf + data)


if __name__ == "__main__":
    main()
