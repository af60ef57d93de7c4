"""ci/fuzz --against: minimizing a class's first input while the class persists.

Delta debugging over buffers (the chain of buffer positions: each BufferSize
leads to the next, which holds for uncompressed strides and compressed
buffers alike), then over 8-byte chunks (records are 8-aligned), then over
bytes; candidates go to the referee in batches (one `etwhf gen --from` and one
`etwhf check` per batch), and the first one that keeps the class's key is
taken. Bounded by a deadline: what is left then is the reproducer.
"""
import os
import shutil
import struct
import time

import fuzz_against_judge as judge

BATCH = 48            # candidates judged per check run
BUFFER_HEADER = 0x48


def buffer_spans(data):
    """[(start, end)] of the buffer positions a BufferSize chain walks; [] when it is not one."""
    spans, p = [], 0
    while p + BUFFER_HEADER <= len(data):
        b = struct.unpack_from("<I", data, p)[0]
        if b < BUFFER_HEADER or b % 8 or p + b > len(data):
            break
        spans.append((p, p + b))
        p += b
    return spans


BUFFERS_WRITTEN = 0x68 + 0x24  # the logfile payload at 0x68, BuffersWritten at +0x24 (docs/spec/format.md §4)


def one_buffer_less(before, after):
    """A buffer cut out of a file whose logfile counted it: count one less, or the cut is a
    truncation (walk.md F5.2, an error) and no class survives it."""
    if len(after) < BUFFERS_WRITTEN + 4:
        return after
    n = struct.unpack_from("<I", before, BUFFERS_WRITTEN)[0]
    if n == len(buffer_spans(before)) and n > 0:
        after = bytearray(after)
        struct.pack_into("<I", after, BUFFERS_WRITTEN, n - 1)
        return bytes(after)
    return after


class Minimizer:
    def __init__(self, etwhf, cmd, require, jobs, timeout, work):
        self.etwhf = etwhf
        self.cmd = cmd
        self.require = require
        self.jobs = jobs
        self.timeout = timeout
        self.work = work
        self.runs = 0

    def _first_keeping(self, candidates, key):
        """Index of the first candidate whose class key is `key`, or None."""
        in_dir = os.path.join(self.work, "in")
        ref = os.path.join(self.work, "ref")
        shutil.rmtree(in_dir, ignore_errors=True)
        os.makedirs(in_dir)
        for i, c in enumerate(candidates):
            with open(os.path.join(in_dir, "c%04d" % i), "wb") as f:
                f.write(c)
        judge.referee_corpus(self.etwhf, in_dir, ref)
        fails, _, _ = judge.judge(self.etwhf, ref, self.cmd, self.require, self.jobs, self.timeout)
        self.runs += 1
        # cases/n_c0012: gen --from prefixes the referee's verdict to the input's name
        hits = sorted(int(os.path.basename(f.path).split("_", 1)[1][1:]) for f in fails if f.key == key)
        return hits[0] if hits else None

    def _pass(self, data, key, cuts, deadline, fix=lambda before, after: after):
        """Removes spans of `cuts(data)` while the key persists; returns the smaller data.
        `fix(before, after)` may mend a field the cut made wrong."""
        progress = True
        while progress and time.time() < deadline:
            progress = False
            spans = cuts(data)
            for i in range(0, len(spans), BATCH):
                if time.time() >= deadline:
                    break
                chunk = spans[i:i + BATCH]
                cands = [fix(data, data[:a] + data[b:]) for a, b in chunk]
                hit = self._first_keeping(cands, key)
                if hit is not None:
                    data = cands[hit]
                    progress = True
                    break
        return data

    def minimize(self, data, key, seconds):
        deadline = time.time() + seconds
        # Buffers, last first: the first holds the logfile, which a file needs.
        data = self._pass(data, key, lambda d: list(reversed(buffer_spans(d)[1:])), deadline, one_buffer_less)
        # Tail cuts, then chunks from large to small (8-aligned), then bytes.
        data = self._pass(data, key, lambda d: [(k, len(d)) for k in
                                                 sorted({len(d) * j // 8 & ~7 for j in range(1, 8)}) if k < len(d)],
                          deadline)
        g = max(8, (len(data) // 4) & ~7)
        while g >= 1 and time.time() < deadline:
            data = self._pass(data, key, lambda d, g=g: [(a, min(a + g, len(d))) for a in range(0, len(d), g)],
                              deadline)
            g = (g // 2) & ~7 if g > 8 else g // 2  # 8-aligned down to records, then 4, 2, 1 bytes
        return data
