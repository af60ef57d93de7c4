"""How the (target, engine) pairs share the slots and the time of the fuzzing phase.

Every slot is one CPU. When there are more pairs than slots, pairs run one after
another in their slot and the slot's time is divided among them, so the phase
ends after --time seconds unless the per-pair minimum stretches it. When there
are more slots than pairs, each pair runs for the whole time and the spare
slots become helpers: an AFL++ CmpLog secondary first (where a CmpLog build
exists), then more AFL++ secondaries or more libFuzzer fork jobs.
"""
from dataclasses import dataclass, field


@dataclass
class Pair:
    target: str
    engine: str
    slot: int = 0
    seconds: int = 0
    helpers: int = 0  # extra slots this pair uses besides its own

    @property
    def name(self):
        return "%s/%s" % (self.target, self.engine)


@dataclass
class Plan:
    pairs: list
    slots: int
    phase_seconds: int
    asked_seconds: int
    notes: list = field(default_factory=list)

    def slot_pairs(self, slot):
        return [p for p in self.pairs if p.slot == slot]

    def slot_seconds(self, slot):
        return sum(p.seconds for p in self.slot_pairs(slot))


def _split(total, parts):
    """total seconds split into `parts` integers that add up to total."""
    base, rem = divmod(total, parts)
    return [base + (1 if i < rem else 0) for i in range(parts)]


def make_plan(targets, engines, jobs, seconds, min_seconds, cmplog=True):
    if not targets or not engines:
        raise ValueError("nothing to fuzz: no targets or no engines")
    pairs = [Pair(t, e) for t in targets for e in engines]
    notes = []
    if len(pairs) <= jobs:
        for i, p in enumerate(pairs):
            p.slot, p.seconds = i, max(seconds, min_seconds)
        _give_helpers(pairs, jobs - len(pairs), cmplog)
        used = len(pairs) + sum(p.helpers for p in pairs)
        if used < jobs:
            notes.append("%d slot(s) left idle" % (jobs - used))
    else:
        for i, p in enumerate(pairs):
            p.slot = i % jobs
        for slot in range(jobs):
            mine = [p for p in pairs if p.slot == slot]
            for p, s in zip(mine, _split(seconds, len(mine))):
                p.seconds = max(s, min_seconds)
    plan = Plan(pairs, min(jobs, len(pairs)), 0, seconds, notes)
    plan.phase_seconds = max(plan.slot_seconds(s) for s in range(plan.slots))
    if plan.phase_seconds > seconds:
        notes.append("the minimum of %d s per pair stretches the fuzzing phase to %d s (asked: %d s)"
                     % (min_seconds, plan.phase_seconds, seconds))
    return plan


def _give_helpers(pairs, spare, cmplog):
    """Spare slots: one CmpLog secondary per AFL pair first, then round-robin."""
    if spare <= 0:
        return
    if cmplog:
        for p in pairs:
            if spare and p.engine == "afl":
                p.helpers += 1
                spare -= 1
    i = 0
    while spare > 0:
        pairs[i % len(pairs)].helpers += 1
        spare -= 1
        i += 1


def next_budget(now, slot_deadline, pairs_left, min_seconds):
    """Seconds for the next pair of a slot: the time left shared by the pairs left.

    Re-computed before each pair so that start-up overheads of earlier pairs are
    absorbed instead of piling up past the deadline."""
    if pairs_left <= 0:
        return 0
    left = int(round(slot_deadline - now))
    return max(min_seconds, left // pairs_left)


def describe(plan, cmplog=True):
    """Lines printed before the campaign starts."""
    targets = sorted({p.target for p in plan.pairs})
    engines = list(dict.fromkeys(p.engine for p in plan.pairs))
    lines = ["plan: %d pair(s) = %d target(s) x %d engine(s) (%s) on %d slot(s)"
             % (len(plan.pairs), len(targets), len(engines), ",".join(engines), plan.slots)]
    per = sorted({p.seconds for p in plan.pairs})
    per_text = "%d s" % per[0] if len(per) == 1 else "%d-%d s" % (per[0], per[-1])
    lines.append("plan: each pair fuzzes %s (--time %d s x %d slot(s) / %d pair(s)); fuzzing phase %d s"
                 % (per_text, plan.asked_seconds, plan.slots, len(plan.pairs), plan.phase_seconds))
    helpers = [p for p in plan.pairs if p.helpers]
    for p in helpers:
        lines.append("plan: %s gets %d extra slot(s)%s" % (
            p.name, p.helpers, " (first: CmpLog secondary)" if p.engine == "afl" and cmplog else ""))
    lines.extend("plan: " + n for n in plan.notes)
    return lines
