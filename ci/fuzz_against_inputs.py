"""ci/fuzz --against: where a round's inputs come from.

- generator rounds: `etwhf gen` with a fresh seed, more faults per case and
  every shape, only the layers the decoder takes;
- mutation rounds: byte mutations of the pool (inputs earlier rounds and the
  repository's seeds hold), aware of the buffer header's fields: a size or
  an offset set to 0, 0x48, the buffer size, all ones, ... is what rule
  mistakes hide behind (docs/rule-coverage.md's survivors);
- the fuzzer: libFuzzer's fuzz_file_sa (the structure-aware mutator,
  fuzz/mutator.c, and fuzz/file.dict) runs beside the rounds, seeded with the
  pool; the units it keeps grew the REFEREE's edge coverage, the feedback a
  foreign, uninstrumented decoder cannot give, and make the fuzzer rounds.
"""
import os
import random
import re
import shutil
import struct
import subprocess
import time

POOL_CAP = 4000        # inputs kept for mutation (memory: a few tens of MiB)
MAX_LEN = 65536        # as fuzz/file.options
BUFFER_HEADER = 0x48   # docs/spec/format.md: every buffer starts with it
INTERESTING32 = (0, 1, 8, 0x47, 0x48, 0x49, 0x50, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF8)
INTERESTING8 = (0, 1, 0x7F, 0x80, 0xFF, 0x40, 0x10, 0xC0, 0xD0)


def read_dict(path):
    """The byte strings of a libFuzzer dictionary (name="\\x01\\x02" lines)."""
    out = []
    if not path or not os.path.isfile(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r'\s*[\w.-]*\s*=\s*"(.*)"\s*$', line)
            if m:
                out.append(m.group(1).encode("latin-1").decode("unicode_escape").encode("latin-1"))
    return [t for t in out if t]


class Pool:
    """Inputs to mutate, bounded: newer ones replace random older ones."""

    def __init__(self, rng):
        self.rng = rng
        self.items = []

    def add(self, data):
        if not data or len(data) > MAX_LEN:
            return
        if len(self.items) < POOL_CAP:
            self.items.append(bytes(data))
        else:
            self.items[self.rng.randrange(POOL_CAP)] = bytes(data)

    def add_files(self, folder, limit=None):
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        if limit is not None and len(names) > limit:
            names = self.rng.sample(names, limit)
        for n in names:
            p = os.path.join(folder, n)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    self.add(f.read(MAX_LEN + 1))

    def write(self, folder):
        os.makedirs(folder, exist_ok=True)
        for i, data in enumerate(self.items):
            with open(os.path.join(folder, "pool_%05d" % i), "wb") as f:
                f.write(data)


def generator_round(etwhf, out_dir, seed, count, layers, fault_rate, max_faults):
    """A generator corpus in out_dir (its manifest judges it); raises on failure."""
    argv = [etwhf, "gen", "--out", out_dir, "--force", "--seed", str(seed), "--count", str(count),
            "--layer", ",".join(layers), "--fault-rate", str(fault_rate), "--max-faults", str(max_faults),
            "--evidence", "all"]
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))


def _buffer_size(data):
    if len(data) >= 4:
        b = struct.unpack_from("<I", data, 0)[0]
        if BUFFER_HEADER <= b <= len(data) and b % 8 == 0:
            return b
    return 0


def _set32(data, off, value):
    if 0 <= off and off + 4 <= len(data):
        struct.pack_into("<I", data, off, value & 0xFFFFFFFF)


class Mutator:
    def __init__(self, rng, tokens):
        self.rng = rng
        self.tokens = tokens

    def header_field(self, data):
        """A 4-byte field of a buffer header (or the logfile after it) set to an edge value."""
        r = self.rng
        b = _buffer_size(data)
        base = r.randrange(max(1, len(data) // b)) * b if b else 0
        off = base + 4 * r.randrange((BUFFER_HEADER + 0x40) // 4)
        old = struct.unpack_from("<I", data, off)[0] if off + 4 <= len(data) else 0
        choices = INTERESTING32 + (b, b - 8, b + 8, old + 8, old - 8, old + 1, old ^ 0x80000000, len(data))
        _set32(data, off, r.choice(choices))

    def mutate_once(self, data, other):
        r = self.rng
        n = len(data)
        op = r.randrange(10)
        if n == 0:
            data.extend(r.choice(self.tokens) if self.tokens else b"\0" * 8)
        elif op <= 2:
            self.header_field(data)
        elif op == 3:
            data[r.randrange(n)] ^= 1 << r.randrange(8)
        elif op == 4:
            data[r.randrange(n)] = r.choice(INTERESTING8)
        elif op == 5:
            _set32(data, r.randrange(max(1, n // 4)) * 4, r.choice(INTERESTING32 + (r.getrandbits(32),)))
        elif op == 6:  # cut: at a record boundary (8) or anywhere
            cut = r.randrange(n) & (~7 if r.random() < 0.7 else ~0)
            del data[cut:]
        elif op == 7:  # drop or repeat an 8-aligned chunk
            a = r.randrange(n) & ~7
            ln = 8 * r.randint(1, 32)
            if r.random() < 0.5:
                del data[a:a + ln]
            elif n + ln <= MAX_LEN:
                data[a:a] = data[a:a + ln]
        elif op == 8 and self.tokens:
            t = r.choice(self.tokens)
            a = r.randrange(n)
            data[a:a + len(t)] = t
        elif other:
            a = r.randrange(n)
            data[a:] = other[r.randrange(len(other)):][:MAX_LEN - a]

    def mutate(self, base, other):
        data = bytearray(base)
        for _ in range(self.rng.randint(1, 4)):
            self.mutate_once(data, other)
        return bytes(data[:MAX_LEN])


def mutation_round(pool, mutator, out_dir, count):
    os.makedirs(out_dir, exist_ok=True)
    rng = mutator.rng
    for i in range(count):
        base = rng.choice(pool.items)
        other = rng.choice(pool.items)
        with open(os.path.join(out_dir, "mut_%05d" % i), "wb") as f:
            f.write(mutator.mutate(base, other))


_COV = re.compile(rb"\bcov: (\d+)")


RUNNING = []  # fuzzers started, stopped by stop_all() whatever ends the campaign


def stop_all():
    while RUNNING:
        RUNNING.pop().stop()


class Fuzzer:
    """libFuzzer's fuzz_file_sa beside the rounds for the whole campaign, at a lower priority
    (nice 10: the rounds and the decoder come first), on a corpus folder seeded with the pool.
    Each harvest takes the units it kept since the last (files a second old: libFuzzer has
    written them whole); its last "cov:" is the referee's edge count."""

    def __init__(self, binary, work, dict_path, timeout):
        self.binary = binary
        self.dir = os.path.join(work, "fuzzer-corpus")
        self.seeds = os.path.join(work, "fuzzer-seeds")
        self.artifacts = os.path.join(work, "fuzzer-artifacts")
        self.log = os.path.join(work, "fuzzer.log")
        self.dict_path = dict_path
        self.timeout = timeout
        self.cov = None
        self.seen = set()
        self.proc = None
        for d in (self.dir, self.seeds, self.artifacts):
            os.makedirs(d, exist_ok=True)

    def start(self, seconds, pool, seed):
        pool.write(self.seeds)
        argv = ["nice", "-n", "10", self.binary, "-max_total_time=%d" % max(1, seconds),
                "-timeout=%d" % self.timeout, "-rss_limit_mb=2560", "-max_len=%d" % MAX_LEN,
                "-seed=%d" % (seed % 2**31 or 1), "-print_final_stats=0", "-reload=0",
                "-artifact_prefix=%s/" % self.artifacts]
        if self.dict_path:
            argv.append("-dict=%s" % self.dict_path)
        argv += [self.dir, self.seeds]
        env = dict(os.environ, ETWHF_MUTATOR_LAYOUT="file",
                   ASAN_OPTIONS="detect_leaks=0:symbolize=0:allocator_may_return_null=1")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, env=env)
        RUNNING.append(self)

    def _read_cov(self):
        try:
            with open(self.log, "rb") as f:
                f.seek(max(0, os.path.getsize(self.log) - 4096))
                covs = _COV.findall(f.read())
        except OSError:
            return
        if covs:
            self.cov = int(covs[-1])

    def harvest(self, out_dir):
        """Copies the new units into out_dir; how many."""
        self._read_cov()
        now = time.time()
        new = []
        for n in os.listdir(self.dir):
            if n in self.seen:
                continue
            p = os.path.join(self.dir, n)
            try:
                if now - os.path.getmtime(p) < 1.0:
                    continue
            except OSError:
                continue
            self.seen.add(n)
            new.append(n)
        copied = 0
        os.makedirs(out_dir, exist_ok=True)
        for n in new:
            try:  # libFuzzer replaces a unit by a smaller one with the same coverage (-reduce_inputs)
                shutil.copyfile(os.path.join(self.dir, n), os.path.join(out_dir, "lf_" + n))
                copied += 1
            except OSError:
                pass
        return copied

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._read_cov()


def new_rng(seed):
    return random.Random(seed)
