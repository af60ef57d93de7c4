#!/usr/bin/env bash
# gen_cli.sh — `etwhf gen` from the outside: usage errors (2), I/O errors and a
# non-empty --out (3), --force, byte-identical reruns, --etl to files, pipes and
# devices, SIGINT (130, no manifest left), full disk.
# Usage: gen_cli.sh ETWHF WORKDIR
set -u
ETWHF=$1
W=$2
rm -rf "$W" && mkdir -p "$W" || exit 1
CHECKS=0
FAILS=0

fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
# shellcheck source-path=SCRIPTDIR source=../proc_wait.sh
. "$(dirname "$0")/../proc_wait.sh"

# expect CODE DESCRIPTION ARGS...: runs etwhf gen ARGS, wants exit CODE and no
# sanitizer report on stderr.
expect() {
    want=$1 what=$2
    shift 2
    CHECKS=$((CHECKS + 1))
    "$ETWHF" gen "$@" >"$W/out" 2>"$W/err"
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want ($(head -c 300 "$W/err"))"
    if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' "$W/err"; then fail "$what: sanitizer report"; fi
}

# usage errors: exit 2 and one line that names the problem
expect 2 "no mode"
expect 2 "both modes" --out "$W/a" --etl "$W/a.etl" --events 1
expect 2 "missing value" --out
expect 2 "bad layer" --out "$W/a" --layer bogus
expect 2 "bad width" --out "$W/a" --pointer-size 16
expect 2 "bad fault" --out "$W/a" --faults no_such_fault
expect 2 "bad header" --out "$W/a" --header system128
expect 2 "bad source" --out "$W/a" --source MAYBE
expect 2 "bad rate" --out "$W/a" --fault-rate 1001
expect 2 "bad max faults" --out "$W/a" --max-faults 0
expect 2 "exhaustive with count" --out "$W/a" --exhaustive --count 3
expect 2 "nothing fits" --out "$W/a" --layer record --header system64 --pointer-size 4
expect 2 "trace option in corpus mode" --out "$W/a" --pure
expect 2 "etl without events" --etl "$W/a.etl"
expect 2 "corpus option in trace mode" --etl "$W/a.etl" --events 5 --count 4
expect 2 "bad buffer size" --etl "$W/a.etl" --events 5 --buffer-size 4100
expect 2 "unknown option" --out "$W/a" --frobnicate
grep -q "unknown option" "$W/err" || fail "usage message does not name the problem"
[ ! -e "$W/a" ] || fail "a usage error created the output folder"
expect 0 "help" --help
grep -q -- "--exhaustive" "$W/out" || fail "help does not list the options"

# corpus mode: DIR handling
expect 0 "fresh dir" --out "$W/c1" --count 50 --seed 5
[ -f "$W/c1/manifest.jsonl" ] || fail "no manifest"
[ "$(ls "$W/c1/cases" | wc -l)" -eq 50 ] || fail "not 50 case files"
ls -a "$W/c1" "$W/c1/cases" | grep -q '\.tmp$' && fail "temporary files left"
expect 3 "non-empty dir without --force" --out "$W/c1" --count 5
grep -q -- "--force" "$W/err" || fail "the refusal does not mention --force"
expect 0 "rerun same seed" --out "$W/c2" --count 50 --seed 5
diff -r "$W/c1" "$W/c2" >/dev/null || fail "same seed and options, different corpus"
touch "$W/c2/stray.txt"
expect 0 "--force empties" --out "$W/c2" --count 7 --seed 6 --force
[ ! -e "$W/c2/stray.txt" ] || fail "--force left an old file"
[ "$(ls "$W/c2/cases" | wc -l)" -eq 7 ] || fail "--force: not 7 case files"
: >"$W/plainfile"
expect 3 "--out on a regular file" --out "$W/plainfile" --count 1
expect 3 "--out where no folder can be made" --out "$W/nope/deeper" --count 1
expect 0 "layer/width/source/header/fault lists" --out "$W/c3" --count 40 --layer record,file \
    --pointer-size 8,mixed --source 3,SEGMENT_HEAP,0xFFFFFFFF --header system64,event64 \
    --faults marker_cleared,payload_short --fault-rate 1000
if grep -v '"manifest"' "$W/c3/manifest.jsonl" | grep -q -e '"layer":"payload"' -e '"pointer_size":4'; then
    fail "--layer / --pointer-size not respected"
fi
grep -q '"faults":\["payload_short"\]' "$W/c3/manifest.jsonl" || fail "--faults list not used"

# trace mode
expect 0 "etl to a file" --etl "$W/t.etl" --events 3000 --seed 3
[ -s "$W/t.etl" ] || fail "no trace file"
ls -a "$W" | grep -q '\.t\.etl\.tmp$' && fail "trace temporary left"
CHECKS=$((CHECKS + 1))
"$ETWHF" gen --etl - --events 3000 --seed 3 | cmp -s - "$W/t.etl" || fail "--etl - differs from the file"
expect 0 "etl to /dev/null" --etl /dev/null --events 1000 --pointer-size mixed --pure --buffer-size 8K
CHECKS=$((CHECKS + 1))
"$ETWHF" decode --stats --quiet "$W/t.etl" >"$W/stats" || fail "the trace does not decode cleanly"
grep -q '"heap_free":3000,' "$W/stats" || fail "the trace does not hold 3000 HeapFree events"
grep -q '"errors":0,"warnings":0' "$W/stats" || fail "the trace has diagnostics"
if [ -w /dev/full ]; then
    expect 3 "full disk" --etl /dev/full --events 1000
fi

# SIGINT: 130, and the corpus has no manifest
CHECKS=$((CHECKS + 1))
"$ETWHF" gen --etl /dev/null --events 1000000000000 2>/dev/null &
pid=$!
# SIGINT while it writes (its handler installed, bytes out), not after a guessed delay.
writing() { proc_sigint_caught "$pid" && proc_wrote "$pid"; }
proc_wait_until "gen --etl to write" writing || kill -KILL "$pid"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT during --etl: exit $rc"
CHECKS=$((CHECKS + 1))
"$ETWHF" gen --out "$W/int" --count 100000000 2>/dev/null &
pid=$!
writing_cases() { proc_sigint_caught "$pid" && [ -n "$(ls -A "$W/int/cases" 2>/dev/null)" ]; }
proc_wait_until "gen --out to write cases" writing_cases || kill -KILL "$pid"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT during --out: exit $rc"
[ ! -e "$W/int/manifest.jsonl" ] || fail "an interrupted run left a manifest"
ls -a "$W/int" | grep -q manifest && fail "an interrupted run left a manifest temporary"

if [ "$CHECKS" -eq 0 ]; then echo "FAIL: no check ran" >&2; exit 1; fi
if [ "$FAILS" -ne 0 ]; then echo "$FAILS of $CHECKS checks failed" >&2; exit 1; fi
rm -rf "$W"
echo "gen_cli: $CHECKS checks passed"
