#!/usr/bin/env python3
"""patched_decoder.py PATCH [ARGS...] — the Python example decoder, wrong on purpose.

Imports examples/decoders/python/etwhf_decoder.py, replaces one function of
it, then runs it with ARGS (per process or --batch), so the tests can show
that a wrong decoder is caught. The example itself stays clean.

  misread-source    the unpacker of 64-bit HeapFree payloads reads Source 4
                    (SLOWPATH) as 3 (MAINPATH): `etwhf check` must report
                    exactly the cases holding such an event
  raise-on-payload  every bare payload raises RuntimeError: a batch worker
                    must answer status 70 for it and go on with the next case
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "decoders", "python"))

import etwhf_decoder  # noqa: E402
import etwhf_format  # noqa: E402
import etwhf_walk  # noqa: E402


def misread_source():
    read_free64 = etwhf_format.POINTERS[8, 2]

    def misread(data, offset):
        heap_handle, address, source = read_free64(data, offset)
        return heap_handle, address, 3 if source == 4 else source

    etwhf_format.POINTERS[8, 2] = misread


def raise_on_payload():
    def fail(self, data, width, event_type):
        raise RuntimeError("planted failure in payload_input")

    etwhf_walk.Walk.payload_input = fail


PATCHES = {"misread-source": misread_source, "raise-on-payload": raise_on_payload}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in PATCHES:
        print(f"usage: patched_decoder.py {'|'.join(PATCHES)} [ARGS...]", file=sys.stderr)
        sys.exit(2)
    PATCHES[sys.argv[1]]()
    sys.exit(etwhf_decoder.main(sys.argv[2:]))
