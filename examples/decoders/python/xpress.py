"""MS-XCA plain LZ77 ("XPRESS") decompression, as step C4 of docs/spec/walk.md needs it.

Written from Microsoft's open specification [MS-XCA] section 2.4; the stream
is described in docs/spec/format.md. A compressed buffer must expand to
exactly the length its SavedOffset names: `decompress(stream, out_len)`
returns those bytes, or raises XpressError with one of the four reasons
below (the reason ends the DECOMPRESS diagnostic's message).

The loop runs once per token (a run of literals counts as one), never once
per output byte: literal runs and match copies are slice operations.
"""

import struct

# The reasons, worded as etwhf's own decompressor words them.
TRUNCATED = "compressed stream ends before the output is complete"
BAD_OFFSET = "back-reference before the start of the output"
OVERRUN = "match runs past the expected output length"
BAD_LENGTH = "inconsistent extended match length"

_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from


class XpressError(Exception):
    """The stream cannot give exactly the asked-for bytes; str() is the reason."""


def decompress(stream, out_len):
    """Expands `stream` (bytes) to exactly `out_len` bytes.

    Input left over once `out_len` bytes are out is ignored, as C4 says.
    """
    out = bytearray()
    n = len(stream)
    ip = 0                # next unread byte of the stream
    flags = 0             # the current 32-bit flag word, read from bit 31 down
    bit = 0               # flag bits of that word not used yet
    nibble_at = None      # a length byte whose high half the next long match takes

    while len(out) < out_len:
        if bit == 0:
            if ip + 4 > n:
                raise XpressError(TRUNCATED)
            flags = _U32(stream, ip)[0]
            ip += 4
            bit = 32
        bit -= 1

        if not flags >> bit & 1:
            # A 0 bit is a literal byte. The zero bits below it are literals
            # too: copy the whole run at once instead of a byte per token.
            below = flags & ((1 << bit) - 1)
            run = bit + 1 if below == 0 else bit - (below.bit_length() - 1)
            run = min(run, out_len - len(out))
            if ip + run > n:
                raise XpressError(TRUNCATED)
            out += stream[ip:ip + run]
            ip += run
            bit -= run - 1
            continue

        # A 1 bit is a match: u16 = (offset - 1) << 3 | (length - 3).
        if ip + 2 > n:
            raise XpressError(TRUNCATED)
        word = _U16(stream, ip)[0]
        ip += 2
        offset = (word >> 3) + 1
        length = word & 7
        if length == 7:
            # Longer matches: a 4-bit nibble (two matches share one byte, the
            # first takes its low half), then a byte, then a u16 or u32.
            if nibble_at is None:
                if ip >= n:
                    raise XpressError(TRUNCATED)
                length = stream[ip] & 0x0F
                nibble_at = ip
                ip += 1
            else:
                length = stream[nibble_at] >> 4
                nibble_at = None
            if length == 15:
                if ip >= n:
                    raise XpressError(TRUNCATED)
                length = stream[ip]
                ip += 1
                if length == 255:
                    if ip + 2 > n:
                        raise XpressError(TRUNCATED)
                    length = _U16(stream, ip)[0]
                    ip += 2
                    if length == 0:
                        if ip + 4 > n:
                            raise XpressError(TRUNCATED)
                        length = _U32(stream, ip)[0]
                        ip += 4
                    # The u16 / u32 holds length - 3 whole: it cannot be below
                    # what the shorter forms already cover.
                    if length < 15 + 7:
                        raise XpressError(BAD_LENGTH)
                    length -= 15 + 7
                length += 15
            length += 7
        length += 3

        start = len(out) - offset
        if start < 0:
            raise XpressError(BAD_OFFSET)
        if length > out_len - len(out):
            raise XpressError(OVERRUN)
        if offset >= length:
            out += out[start:start + length]
        else:
            # An overlapping copy repeats the last `offset` bytes, as the
            # byte-by-byte copy of MS-XCA would.
            pattern = out[start:]
            out += (pattern * (length // offset + 1))[:length]
    return bytes(out)
