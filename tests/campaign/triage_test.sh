#!/usr/bin/env bash
# Triage, proven: one ci/fuzz run with both engines over a target with two
# planted bugs (planted/planted_target.c, each triggered by a committed seed)
# ends with exactly two minimized regressions, each reproduced by the
# standalone driver, however many crash files the engines wrote. A second run
# shows that crashes already in the regressions still fail the run.
# ci/fuzz's fuzzing phase is time-boxed by design: nothing asserted here
# depends on how far the engines got in it (the planted bugs reach triage
# through the seeds). That both engine builds execute inputs is shown by
# runs counted in inputs, not seconds.
#   triage_test.sh WORKDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:?usage: triage_test.sh WORKDIR}
fail() { echo "triage test: FAIL: $*" >&2; exit 1; }

rm -rf "$work/corpus" "$work/out" "$work/out2"
mkdir -p "$work/corpus/planted"
cp "$here/planted/seeds/"* "$work/corpus/planted/"
common=(--project "$here/planted" --build-root "$work/build" --corpus "$work/corpus"
        --targets fuzz_planted --jobs 2 --no-coverage)

set +e
"$repo/ci/fuzz" "${common[@]}" --time 6 --out "$work/out"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "ci/fuzz exited $rc, expected 1 (crashes reproduced)"

python3 - "$work/out/report.json" <<'PY' || fail "report.json does not show the two planted bugs"
import json, sys
r = json.load(open(sys.argv[1]))
crashes = r["crashes"]
tops = sorted(c["frames"][0] for c in crashes)
assert tops == ["planted_bug_a", "planted_bug_b"], tops
assert len({c["key"] for c in crashes}) == 2
assert all(c["standalone"] is True and not c["known"] for c in crashes), crashes
engines = {t["engine"]: t for t in r["targets"]}
assert set(engines) == {"libfuzzer", "afl"}, engines
files = sum(c["files"] for c in crashes)
seen_by = sorted({s for c in crashes for s in c["sources"]})
print("triage test: %d crash files from %s -> %d regressions" % (files, ", ".join(seen_by), len(crashes)))
PY

# Each engine build ci/fuzz made runs every seed once: libFuzzer's -runs=0
# executes the corpus and stops; afl-showmap runs each input through the
# AFL++ build (shared-memory input, fork server) and writes its coverage map.
clean="$work/clean-seeds"
rm -rf "$clean" "$work/maps" && mkdir -p "$clean"
cp "$here/planted/seeds/clean_"* "$clean/"
"$work/build/fuzz-libfuzzer/fuzz_planted" -runs=0 "$clean" >"$work/libfuzzer-runs.log" 2>&1 ||
  { tail -20 "$work/libfuzzer-runs.log" >&2; fail "the libFuzzer build does not run its clean seeds"; }
grep -q '^Done [1-9][0-9]* runs' "$work/libfuzzer-runs.log" || fail "the libFuzzer build ran no input"
afl-showmap -q -i "$here/planted/seeds" -o "$work/maps" -- "$work/build/fuzz-afl/fuzz_planted" \
  >"$work/afl-showmap.log" 2>&1 || { tail -20 "$work/afl-showmap.log" >&2; fail "afl-showmap failed"; }
for f in "$here/planted/seeds/"*; do
  [ -s "$work/maps/$(basename "$f")" ] || fail "the AFL++ build left no coverage map for $(basename "$f")"
done

regr="$work/corpus/regressions/planted"
mapfile -t inputs < <(find "$regr" -maxdepth 1 -type f ! -name '*.expect' ! -name '.*' | sort)
[ "${#inputs[@]}" -eq 2 ] || fail "expected 2 regressions in $regr, found ${#inputs[@]}"
replay="$work/build/fuzz-replay/fuzz_planted"
[ -x "$replay" ] || fail "no standalone driver at $replay"
for f in "${inputs[@]}"; do
  [ -f "$f.expect" ] || fail "$f has no .expect sidecar"
  size=$(stat -c %s "$f")
  [ "$size" -le 20 ] || fail "$f is $size bytes: not minimized (a 64-bit HeapFree payload is 20)"
  set +e
  out=$(ASAN_OPTIONS=handle_abort=1:symbolize=1 ETWHF_FUZZ_TIMEOUT=5 "$replay" "$f" 2>&1)
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "the standalone driver does not crash on $f"
  grep -qE 'planted_bug_(a|b)' <<<"$out" || fail "the standalone driver's report on $f names no planted bug"
done

# Known crashes still fail the run, and are not recorded twice.
set +e
# (Its fuzzing is beside the point: one slot, the shortest run ci/fuzz allows.)
"$repo/ci/fuzz" "${common[@]}" --no-build --engines libfuzzer --jobs 1 --time 1 --min-pair-time 1 --out "$work/out2"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "second run exited $rc, expected 1 (known regressions still crash)"
python3 - "$work/out2/report.json" <<'PY' || fail "second report does not mark the crashes as known"
import json, sys
crashes = json.load(open(sys.argv[1]))["crashes"]
assert len(crashes) == 2 and all(c["known"] for c in crashes), crashes
PY
n=$(find "$regr" -maxdepth 1 -type f ! -name '*.expect' ! -name '.*' | wc -l)
[ "$n" -eq 2 ] || fail "the second run wrote new regressions ($n files)"
echo "triage test: passed"
