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
  observed-only     a held-out reader that handles exactly what public traces
                    hold and rejects the rest (docs/spec/conformance.md): byte 3
                    of a header form is 0xC0 or the region is abandoned with an
                    error; an extended item whose ItemSize is not a multiple of
                    8 is an error; heap events come in system headers only (a
                    heap record in another form is an ordinary record); Source
                    0 or above 6 is an error. No reading bug: it must agree at
                    L0-L2 and not at L3
  no-align8         a real reading bug: the next record at p + Size, not at
                    p + align8(Size) (walk.md R6.2): it must fail L1
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


class NotObserved(Exception):
    """A record at `p` whose byte 3 public traces never hold (observed-only)."""

    def __init__(self, byte3, p):
        super().__init__(byte3, p)
        self.byte3, self.p = byte3, p


def observed_only():
    read_marker = etwhf_walk.MARKER_AND_SIZE4

    def marker_observed(data, p):
        marker, size4 = read_marker(data, p)
        byte3 = marker >> 24
        if byte3 & 0x40 and byte3 != 0xC0:
            raise NotObserved(byte3, p)
        return marker, size4

    etwhf_walk.MARKER_AND_SIZE4 = marker_observed  # records() reads every marker through it
    records = etwhf_walk.Walk.records

    def records_observed(self, rg):
        try:
            records(self, rg)
        except NotObserved as e:  # the region ends there, as at a bad HeaderType
            self.record_diag(rg, e.p, "HEADER_TYPE",
                             f"byte 3 is 0x{e.byte3:02x}: public traces hold 0xc0 on a header form")

    etwhf_walk.Walk.records = records_observed

    extended_items = etwhf_walk.Walk.extended_items

    def extended_items_observed(self, rg, p, size):
        data, q = rg.data, 0x50
        while q + 8 <= size:  # items the walk would accept: an unaligned one is an error here
            item_size = etwhf_format.U16(data, p + q)[0]
            if item_size < 8 or q + item_size > size:
                break
            if item_size % 8:
                self.record_diag(rg, p, "EXT_ITEM", f"extended item at record +0x{q:x} has ItemSize {item_size}, "
                                 "not a multiple of 8 as in public traces")
                return None
            if not etwhf_format.U16(data, p + q + 4)[0] & 1:
                break
            q += item_size
        return extended_items(self, rg, p, size)

    etwhf_walk.Walk.extended_items = extended_items_observed
    payload = etwhf_walk.Walk.payload

    def payload_observed(self, data, start, end, event_type, line, buffer, offset, inner):
        if line["header"] not in (None, "system32", "system64"):
            return  # heap events in system headers only: this is an ordinary record
        payload(self, data, start, end, event_type, line, buffer, offset, inner)

    etwhf_walk.Walk.payload = payload_observed
    number, _ = etwhf_format.DIAGNOSTICS["SOURCE_UNKNOWN"]
    etwhf_format.DIAGNOSTICS["SOURCE_UNKNOWN"] = (number, "error")


def no_align8():
    etwhf_walk.align8 = lambda size: size


PATCHES = {"misread-source": misread_source, "raise-on-payload": raise_on_payload, "observed-only": observed_only,
           "no-align8": no_align8}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in PATCHES:
        print(f"usage: patched_decoder.py {'|'.join(PATCHES)} [ARGS...]", file=sys.stderr)
        sys.exit(2)
    PATCHES[sys.argv[1]]()
    sys.exit(etwhf_decoder.main(sys.argv[2:]))
