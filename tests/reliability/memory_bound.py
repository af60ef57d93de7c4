#!/usr/bin/env python3
"""memory_bound.py ETWHF PEAK_RSS WORKDIR [--big-mib N] [--no-hostile] [--sanitized] [--keep]

Bounded memory, measured (peak RSS of `etwhf decode`, through peak_rss):

 1. streamed: `etwhf gen --etl - --events N | etwhf decode --stats --quiet -`
    for a 1 MiB and an N MiB trace (default 256): the peak may not grow with
    the trace (difference at most 1 MiB), and every event is decoded.
 2. hostile framing: traces whose logfile BufferSize and buffers' BufferSize
    (and SavedOffset) claim 1 GiB or 4 GiB, a valid trace of 16 MiB buffers, and a compressed
    buffer whose SavedOffset claims an expansion of almost 1 GiB, decoded
    from the file and from a pipe under --buffer-limit 1M, 16M (default) and
    1G: the peak above a small trace's may not exceed twice what the limit
    lets the decoder hold (a buffer and an expansion), capped by the bytes
    that exist, plus 4 MiB. (--sanitized: ASan's quarantine off for the
    decodes, and limit/8 more allowed: the shadow ASan writes for an
    allocation of the limit's size, where a plain build keeps a claimed
    expansion virtual until bytes are written to it.)

Prints one JSON line per measurement; exit 1 when a bound does not hold.
"""
import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys

MIB = 1 << 20
SLACK = 4 * MIB
LIMITS = {"1M": MIB, "16M": 16 * MIB, "1G": 1 << 30}
EVENTS_PER_MIB = 11300  # `gen --etl` writes ~92.9 bytes per HeapFree event with its neighbours

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def peak_decode(a, args, stdin_cmd=None, stdin_file=None):
    """Peak RSS (bytes), exit status and summary of one `etwhf decode`."""
    out = os.path.join(a.workdir, "rss")
    cmd = [a.peak_rss, out, a.etwhf, "decode", "--stats", "--quiet", *args]
    feeder = None
    if stdin_cmd:
        feeder = subprocess.Popen(stdin_cmd, stdout=subprocess.PIPE)
        stdin = feeder.stdout
    else:
        stdin = open(stdin_file, "rb") if stdin_file else subprocess.DEVNULL
    env = dict(os.environ)
    if a.sanitized:
        # ASan keeps freed blocks in quarantine: a stage grown by doubling
        # would count every size it had. Measure the decoder, not the tool.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0"
    p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if feeder:
        feeder.stdout.close()
        feeder.wait()
    elif stdin_file:
        stdin.close()
    if b"Sanitizer" in p.stderr or b"runtime error" in p.stderr:
        fail("sanitizer report: " + p.stderr.decode(errors="replace")[:2000])
    kib, rc = open(out).read().split()
    lines = [json.loads(x) for x in p.stdout.decode().splitlines() if x.strip()]
    summary = next((x for x in lines if x.get("type") == "summary"), {})
    return int(kib) * 1024, int(rc), summary


def gen_trace(a, path, events, buffer_size="64K"):
    subprocess.run([a.etwhf, "gen", "--etl", path, "--events", str(events), "--buffer-size", buffer_size],
                   check=True)


def patch_strides(src, dst, value, saved=None):
    """Copies a trace, its logfile BufferSize and every buffer's BufferSize
    set to value (and SavedOffset to saved, when given)."""
    data = bytearray(open(src, "rb").read())
    stride = struct.unpack_from("<I", data, 0x48 + 0x20)[0]
    struct.pack_into("<I", data, 0x48 + 0x20, value)
    for off in range(0, len(data), stride):
        struct.pack_into("<I", data, off, value)
        if saved is not None:
            struct.pack_into("<I", data, off + 4, saved)
    open(dst, "wb").write(data)


def claim_expansion(a, dst):
    """A generated compressed trace whose first compressed buffer claims an
    expansion of 1 GiB - 0x48 bytes."""
    corpus = os.path.join(a.workdir, "compressed")
    subprocess.run([a.etwhf, "gen", "--out", corpus, "--force", "--layer", "file", "--count", "20",
                    "--fault-rate", "0", "--compressed-rate", "1000", "--seed", "3"], check=True,
                   stderr=subprocess.DEVNULL)
    for case in sorted(glob.glob(os.path.join(corpus, "cases", "*.etl"))):
        data = bytearray(open(case, "rb").read())
        off = 0
        while off + 0x48 <= len(data):
            size, = struct.unpack_from("<I", data, off)
            flags, = struct.unpack_from("<H", data, off + 0x34)
            if size < 0x48:
                break
            if flags & 0x40:
                struct.pack_into("<I", data, off + 4, (1 << 30))
                open(dst, "wb").write(data)
                return
            off += size
    raise SystemExit("memory_bound.py: no compressed buffer in the generated corpus")


def streamed(a):
    small, big = EVENTS_PER_MIB, EVENTS_PER_MIB * a.big_mib
    res = {}
    for name, n in (("1MiB", small), ("%dMiB" % a.big_mib, big)):
        rss, rc, s = peak_decode(a, ["-"], stdin_cmd=[a.etwhf, "gen", "--etl", "-", "--events", str(n)])
        res[name] = rss
        print(json.dumps({"measure": "streamed", "trace": name, "bytes": s.get("bytes"), "peak_rss": rss,
                          "exit": rc}))
        if rc != 0 or s.get("heap_free") != n or s.get("errors") != 0:
            fail("streamed %s: exit %d, summary %s" % (name, rc, s))
    grow = res["%dMiB" % a.big_mib] - res["1MiB"]
    print(json.dumps({"measure": "streamed_growth", "bytes": grow}))
    if grow > MIB:
        fail("peak RSS grew by %d bytes from a 1 MiB to a %d MiB trace" % (grow, a.big_mib))
    return res["1MiB"]


def hostile(a, baseline):
    w = a.workdir
    base = os.path.join(w, "base.etl")
    gen_trace(a, base, 8 * EVENTS_PER_MIB)
    files = {}
    files["stride_1GiB"] = os.path.join(w, "stride_1GiB.etl")
    patch_strides(base, files["stride_1GiB"], 1 << 30)
    # SavedOffset 1 GiB too: buffer 0's walk runs over every byte present.
    files["stride_saved_1GiB"] = os.path.join(w, "stride_saved_1GiB.etl")
    patch_strides(base, files["stride_saved_1GiB"], 1 << 30, 1 << 30)
    files["stride_4GiB"] = os.path.join(w, "stride_4GiB.etl")
    patch_strides(base, files["stride_4GiB"], 0xFFFFFFF8)
    files["buffers_16MiB"] = os.path.join(w, "buffers_16MiB.etl")
    gen_trace(a, files["buffers_16MiB"], 48 * EVENTS_PER_MIB, "16M")
    files["expansion_1GiB"] = os.path.join(w, "expansion_1GiB.etl")
    claim_expansion(a, files["expansion_1GiB"])
    for name, path in files.items():
        size = os.path.getsize(path)
        for lname, limit in LIMITS.items():
            for via in ("file", "pipe"):
                if via == "file":
                    rss, rc, s = peak_decode(a, ["--buffer-limit", lname, path])
                else:
                    rss, rc, s = peak_decode(a, ["--buffer-limit", lname, "-"], stdin_cmd=["cat", path])
                allowed = 2 * min(limit, size) + SLACK + (limit // 8 if a.sanitized else 0)
                print(json.dumps({"measure": "hostile", "file": name, "file_bytes": size, "limit": lname,
                                  "via": via, "peak_rss": rss, "above_baseline": rss - baseline,
                                  "allowed": allowed, "exit": rc, "errors": s.get("errors")}))
                if rc not in (0, 1) or not s:
                    fail("%s (%s, limit %s): exit %d" % (name, via, lname, rc))
                if rss - baseline > allowed:
                    fail("%s (%s, limit %s): peak %d bytes above a small trace's, allowed %d" %
                         (name, via, lname, rss - baseline, allowed))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("etwhf")
    ap.add_argument("peak_rss")
    ap.add_argument("workdir")
    ap.add_argument("--big-mib", type=int, default=256)
    ap.add_argument("--no-hostile", action="store_true")
    ap.add_argument("--sanitized", action="store_true", help="the build uses ASan (shadow memory)")
    ap.add_argument("--keep", action="store_true", help="keep WORKDIR's traces")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    baseline = streamed(a)
    if not a.no_hostile:
        hostile(a, baseline)
    if failures:
        print("%d bound(s) do not hold" % len(failures), file=sys.stderr)
        return 1
    print("all bounds hold")
    if not a.keep:
        shutil.rmtree(a.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
