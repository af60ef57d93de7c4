"""The machine's load around each measured command group, and whether a
wall-clock goal measured in it may be judged.

A goal that depends on wall time is judged only when other people's
1-minute load was at most LIMIT before and after every group it rests on.
The 1-minute load average counts this benchmark's own process too, so its
share is taken out: the kernel updates the average every 5 s as
    load = load * e^(-5/60) + runnable * (1 - e^(-5/60))
(EXP_1 = 1884/2048 in kernel/sched/loadavg.c), so one process that has run
for t seconds adds 1 - e^(-t/60) to it, and that share decays by e^(-t/60)
over t seconds of sleep. bench/run runs one process at a time and is busy
from start to end except while it waits for quiet, so `Tracker` keeps that
share as it goes (an expectation over where the kernel's 5 s ticks fall)."""
import contextlib
import math
import time

LIMIT = 0.5        # other people's 1-minute load above this: wall-clock goals are not judged
POLL_S = 5         # the kernel recomputes the averages every 5 s


def read_loadavg(path="/proc/loadavg"):
    """[1 min, 5 min, 15 min]."""
    with open(path) as f:
        return [float(x) for x in f.read().split()[:3]]


def own_share(prev, seconds, busy, procs=1):
    """This benchmark's share of the 1-minute average after `seconds` more
    of running `procs` processes (busy) or of sleeping (not busy)."""
    keep = math.exp(-max(seconds, 0.0) / 60.0)
    return prev * keep + (procs * (1.0 - keep) if busy else 0.0)


def others(snap):
    """Other people's 1-minute load in one snapshot (never below zero)."""
    return max(0.0, snap["load"][0] - snap["own"])


def verdict(groups):
    """(judged, worst) over the load records of the groups a figure rests
    on: judged when others' load stayed ≤ LIMIT before and after each;
    `worst` is the highest raw 1-minute load among them (None: no record)."""
    snaps = [g[k] for g in groups if g for k in ("before", "after") if g.get(k)]
    if not snaps:
        return False, None
    return all(others(s) <= LIMIT for s in snaps), max(s["load"][0] for s in snaps)


class Tracker:
    """Snapshots of /proc/loadavg with this process tree's own share beside
    them, and the optional wait for quiet before each group."""

    def __init__(self, wait_s=0, reader=read_loadavg, clock=time.monotonic, sleep=time.sleep):
        self.wait_s = wait_s
        self.own = 0.0
        self.procs = 1
        self._read, self._clock, self._sleep = reader, clock, sleep
        self._t = clock()

    def _advance(self, busy):
        now = self._clock()
        self.own = own_share(self.own, now - self._t, busy, self.procs)
        self._t = now

    def snap(self):
        self._advance(True)
        return {"load": self._read(), "own": round(self.own, 3)}

    def wait_quiet(self):
        """Waits up to wait_s seconds for others' load to fall to LIMIT.
        Returns the seconds waited (None when not asked to wait)."""
        if self.wait_s <= 0:
            return None
        start = self._clock()
        while others(self.snap()) > LIMIT and self._clock() - start < self.wait_s:
            self._sleep(min(POLL_S, max(0.1, self.wait_s - (self._clock() - start))))
            self._advance(False)
        return round(self._clock() - start, 1)

    @contextlib.contextmanager
    def group(self, procs=1):
        """Around one measured command group: yields a dict that gets
        `before`, `after`, `seconds` and `waited_s` (when waiting)."""
        rec = {}
        waited = self.wait_quiet()
        if waited is not None:
            rec["waited_s"] = waited
        rec["before"] = self.snap()
        t0 = self._clock()
        self.procs = procs
        try:
            yield rec
        finally:
            rec["after"] = self.snap()
            self.procs = 1
            rec["seconds"] = round(self._clock() - t0, 1)


TRACK = Tracker()
