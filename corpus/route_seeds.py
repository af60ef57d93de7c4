#!/usr/bin/env python3
"""Turns `etwhf gen` output into per-target seed folders (corpus/regen.sh).

    route_seeds.py GEN_DIR [GEN_DIR...] OUT_DIR

Every case of every GEN_DIR (its manifest.jsonl) becomes a seed in the shape
its target reads:
  payload  → OUT/payload/<case>: selector byte (bit 0 width 8, bits 1-2 event)
             then the payload (fuzz/fuzz_payload.c)
  record   → OUT/record/<case>
  file     → OUT/file/<case>; the first STREAM_SEEDS file cases also go to
             OUT/stream/<case> behind a chunk plan (fuzz/fuzz_stream.c), and the
             first ROUNDTRIP_SEEDS file cases that deliver events to OUT/roundtrip/
OUT/gen/ gets decision streams (fuzz_gen's input is the generator's own
choices, which `etwhf gen` does not write): fixed SHA-256 chains.
Everything is a pure function of the inputs: the same cases give the same bytes.
"""
import hashlib
import json
import os
import sys

STREAM_SEEDS = 10
ROUNDTRIP_SEEDS = 10
GEN_SEEDS = 16
EVENT_BITS = {"free": 1, "alloc": 2, "realloc": 3}
# chunk plans: (byte 0, plan bytes); byte 0's low 4 bits = plan length
PLANS = [
    (0x00, b""),                  # one feed
    (0x01, b"\x01"),              # byte by byte
    (0x02, b"\x48\xf0"),          # a buffer header, then 512-byte chunks
    (0x03, b"\x07\x00\x61"),      # odd sizes with an empty feed between
    (0x81, b"\x20"),              # strict mode, 32-byte chunks
    (0x41, b"\xf1"),              # no decompressor, 1 KiB chunks
]


def cases(gen_dir):
    with open(os.path.join(gen_dir, "manifest.jsonl")) as f:
        lines = f.read().splitlines()[1:]
    for line in lines:
        c = json.loads(line)
        with open(os.path.join(gen_dir, c["file"]), "rb") as f:
            yield c, f.read()


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    *gen_dirs, out = argv
    n_stream = n_round = 0
    for gen_dir in gen_dirs:
        for c, data in cases(gen_dir):
            name = os.path.basename(c["file"])
            if c["layer"] == "payload":
                sel = (1 if c["pointer_size"] == 8 else 0) | EVENT_BITS[c["event"]] << 1
                write(out, "payload", name, bytes([sel]) + data)
            elif c["layer"] == "record":
                write(out, "record", name, data)
            else:
                write(out, "file", name, data)
                if n_stream < STREAM_SEEDS:
                    b0, plan = PLANS[n_stream % len(PLANS)]
                    write(out, "stream", name, bytes([b0]) + plan + data)
                    n_stream += 1
                if n_round < ROUNDTRIP_SEEDS and c["expect"]["events"]:
                    write(out, "roundtrip", name, data)
                    n_round += 1
    for i in range(GEN_SEEDS):
        block = hashlib.sha256(b"etwhf fuzz_gen seed %d" % i).digest()
        stream = b"".join(hashlib.sha256(block + bytes([k])).digest() for k in range(1 + i % 8))
        write(out, "gen", "dstream_%02d" % i, stream)


if __name__ == "__main__":
    main(sys.argv[1:])
