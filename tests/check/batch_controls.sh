#!/usr/bin/env bash
# batch_controls.sh NAME ETWHF FIXTURE_DIR PYTHON — one control of `etwhf check
# --decoder-batch` (docs/spec/check-protocol.md §6) on the hand-written fixture
# corpus (fixture_corpus.c): 10 cases, ids 1-10, of which ids 3, 6, 9 are n_
# (error) cases. bad_batch_decoder.py fails in one way on exactly those; a
# lost case must cost that case alone: the others agree, and (with --jobs 1)
# each lost case is followed by a fresh worker while cases remain. Exit 0
# when the control holds, 1 with a message when it does not.
#
# Worker counts are asserted as check-protocol.md §6.4 bounds them, no
# tighter: one worker, one more per lost case, and — only for a decoder that
# writes on standard error — at most one more per job for the switch to one
# request at a time (§6.3). Whether that switch happens, and at which case,
# depends on when the checker reads which pipe (stderr written for case 3
# may already be there when it reads case 1's end line), so no count here
# may depend on it.
set -uo pipefail
name=$1
export ETWHF=$2
fx=$3
py=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=control_lib.sh
. "$here/control_lib.sh"
export BAD_BATCH_LOG=$out/workers
: >"$BAD_BATCH_LOG"
# workers MIN [MAX]: how many workers the run started (MAX defaults to MIN).
workers() {
  local n max=${2:-$1}; n=$(wc -l <"$BAD_BATCH_LOG")
  [ "$n" -ge "$1" ] && [ "$n" -le "$max" ] ||
    fail "$n worker(s) started, expected $([ "$1" = "$max" ] && echo "$1" || echo "$1 to $max")"
}
bad() { echo "'$py' '$here/bad_batch_decoder.py' $1"; }
# lost HOW TOTALS FIELD [SWITCH]: the three n_ cases lost one way, one
# worker each: 4 in all, 5 when the switch to one request at a time may
# replace one (SWITCH 1: the decoder writes on stderr).
lost() {
  run 1 "$fx" --json --jobs 1 --timeout 60 --decoder-batch "$(bad "$1")"
  totals "$2"
  is '[.not_agreeing[].id]' '[3,6,9]'
  is '.mismatches[0].differences[0].field' "$3"
  workers 4 $((4 + ${4:-0}))
}

decode_batch="'$ETWHF' decode --batch"
case $name in
  decode_agrees)
    run 0 "$fx" --json --decoder-batch "$decode_batch"
    totals '[10,0,0,0,0,0]'
    is '.runs' '10'
    run 0 "$fx" --json --decoder-batch "$decode_batch" --mode both --strict-codes --all-heap-events --jobs 3
    totals '[10,0,0,0,0,0]'
    is '.runs' '20'
    ;;
  crash)
    # It writes a line on stderr before it dies: whether that arrives while
    # an earlier case's end line is read decides the switch.
    lost crash '[7,0,3,0,0,0]' '"crash"' 1
    is '.mismatches[0].differences[0].got' '"SIGSEGV"'
    is '.mismatches[0].differences[1] | [.field, .got]' '["stderr","bad_batch_decoder: about to crash"]'
    ;;
  exit)
    lost exit '[7,0,0,0,3,0]' '"end line"' 1
    is '.mismatches[0].differences[1].got' '"bad_batch_decoder: leaving without an end line"'
    # The rerun line pipes the one request to the command: pasted into a
    # shell it makes the worker fail the same way.
    cmd=$(jq -r '.mismatches[0].commands.recover' "$out/report")
    case $cmd in *"printf '%s\n' "*'"id":3,'*) ;; *) fail "rerun line is not one request piped to the command: $cmd" ;; esac
    (cd / && bash -c "$cmd") >"$out/rerun" 2>&1
    grep -q "leaving without an end line" "$out/rerun" || fail "the rerun line did not reproduce: $(head -3 "$out/rerun")"
    ;;
  asan)
    # The report arrives with requests queued behind case 3, so whose it is
    # cannot be told: that worker is replaced and the run goes on one
    # request at a time (check-protocol.md §6.3). Each case is still judged
    # with exactly its own stderr: the report names case 3's.
    lost asan '[7,0,3,0,0,0]' '"crash"' 1
    jq -e '.mismatches[0].differences[0].got | contains("ERROR: AddressSanitizer")' "$out/report" >/dev/null ||
      fail "the sanitizer line is not in the report"
    ;;
  wrongid)
    # Nothing on stderr: no switch, exactly one worker per lost case.
    lost wrongid '[7,0,0,0,3,0]' '"end line"'
    is '.mismatches[0].differences[0].expected' '"{\"type\":\"end\",\"id\":3}"'
    ;;
  chatty)
    # A worker that writes 3 MB on each of stdout (lines of a type nobody
    # reads) and stderr before it reads a request: far past what the pipes
    # hold, so the checker must read both while it waits. Every case agrees.
    noisy="sh -c 'yes \"{\\\"type\\\":\\\"note\\\"}\" | head -c 3000000; yes noise | head -c 3000000 >&2; exec \"\$ETWHF\" decode --batch'"
    run 0 "$fx" --json --jobs 2 --decoder-batch "$noisy"
    totals '[10,0,0,0,0,0]'
    ;;
  garbage)
    # A line that is not JSON is a disagreement of that case; the worker goes on.
    run 1 "$fx" --json --jobs 1 --decoder-batch "$(bad garbage)"
    totals '[7,3,0,0,0,0]'
    is '.by_field' '{"output":3}'
    workers 1 # nothing lost, nothing on stderr: the one worker serves every case
    ;;
  status)
    # A status other than 0 or 1 fails that case; the worker goes on.
    run 1 "$fx" --json --jobs 1 --decoder-batch "$(bad status)"
    totals '[7,0,0,0,3,0]'
    is '.mismatches[0].differences[0] | [.field, .got]' '["exit_status","70"]'
    workers 1 # as for garbage
    ;;
  silent)
    # Status 1 and no line: the worker's loop caught an exception (a decoder
    # that died, §3.5), not a verdict; failed, the worker goes on.
    run 1 "$fx" --json --jobs 1 --decoder-batch "$(bad silent)"
    totals '[7,0,0,0,3,0]'
    is '.mismatches[0].differences[0].field' '"exit_status"'
    jq -e '.mismatches[0].differences[0].got | contains("KeyError swallowed")' "$out/report" >/dev/null ||
      fail "the last line of stderr is not in the report"
    # Its stderr line arrives with requests queued: at most one replacement,
    # then one request at a time (check-protocol.md §6.3), as for asan.
    workers 1 2
    ;;
  kept)
    # What a worker printed for a shown case is kept, as per process: the
    # rejected line is echoed, expected stands beside got, --explain shows
    # the output, and nothing says it "was not kept".
    run 1 "$fx" --jobs 1 --decoder-batch "$(bad garbage)"
    grep -q 'was not kept' "$out/report" && fail "the batch report says the output was not kept"
    grep -qF '      line 1: this is not JSON' "$out/report" || fail "the rejected line is not echoed"
    grep -q 'expected (manifest) and got (decoder), side by side' "$out/report" || fail "no side by side"
    run 1 "$fx" --id 3 --explain --decoder-batch "$(bad garbage)"
    grep -qE '^ +1  this is not JSON$' "$out/report" || fail "--explain does not show the worker's output"
    grep -q '^  standard error' "$out/report" || fail "--explain says nothing of stderr"
    ;;
  hang)
    # The n_ cases never answer and the others answer at once: a timeout of
    # many times an honest answer tells them apart on a loaded machine. That
    # the check returns at all proves the hanging workers were killed.
    run 1 "$fx" --json --timeout 10 --jobs 2 --decoder-batch "$(bad hang)"
    totals '[7,0,0,3,0,0]'
    is '[.not_agreeing[].id]' '[3,6,9]'
    hangers_gone || fail "a hanging worker was left running"
    ;;
  interrupt)
    for sig in INT TERM HUP; do
      stop_hanging "$sig" --decoder-batch "$(bad hang)"
    done
    ;;
  spread)
    # Three cases, all hanging, and three jobs: the requests are shared out
    # over the jobs (check-protocol.md §6.3), so the three hang at once
    # rather than one after another in the first worker's queue.
    "$ETWHF" check "$fx" --id 3,6,9 --jobs 3 --timeout 600 --decoder-batch "$(bad hang)" >"$out/report" 2>"$out/err" &
    pid=$!
    proc_wait_until "three workers hanging at once" hangers 3 || { kill -KILL "$pid"; fail "the cases did not go to three workers"; }
    kill -INT "$pid"
    wait "$pid"; rc=$?
    [ "$rc" -eq 130 ] || fail "SIGINT gave exit $rc, expected 130"
    hangers_gone || fail "SIGINT left a worker running"
    ;;
  usage)
    run 2 "$fx" --decoder "'$ETWHF' decode {args} {file}" --decoder-batch "$decode_batch"
    run 2 "$fx" --decoder-batch "'unterminated"
    run 3 "$fx" --decoder-batch "/no/such/decoder"
    grep -q "cannot run '/no/such/decoder'" "$out/err" || fail "the missing decoder is not named"
    ;;
  decode_requests)
    # etwhf decode --batch itself: every request answered in order, one a
    # line it cannot read with status 2, a missing file with 3, then exit 0.
    f=$fx/cases/n_payload_payload_short_000003.bin
    {
      printf '{"id":3,"file":"%s","layer":"payload","pointer_size":4,"event":"free","mode":"recover","x":[1]}\n' "$f"
      printf 'not json\n\n'
      printf '{"id":4,"file":"-","layer":"file","mode":"recover"}\n'
      printf '{"id":5,"file":"%s/none","layer":"file","mode":"strict"}\n' "$out"
      printf '{"id":6,"file":"%s","layer":"payload","pointer_size":8,"event":"alloc","mode":"strict"}' "$f"
    } | "$ETWHF" decode --batch >"$out/answers" 2>"$out/err"
    rc=$?
    [ "$rc" -eq 0 ] || fail "etwhf decode --batch exited $rc at end of input, expected 0"
    got=$(jq -c 'select(.type == "end") | [.id, .status]' "$out/answers" | tr -d '\n')
    [ "$got" = '[3,1][null,2][4,2][5,3][6,1]' ] || fail "end lines $got; answers: $(cat "$out/answers")"
    [ "$(jq -c 'select(.type == "diag") | .code' "$out/answers" | sort -u | tr -d '\n')" = '"HEAP_PAYLOAD_SHORT"' ] ||
      fail "the payload's diagnostics are missing: $(cat "$out/answers")"
    [ "$(grep -c 'etwhf decode: request:' "$out/err")" -eq 2 ] || fail "bad requests not named on stderr: $(cat "$out/err")"
    "$ETWHF" decode --batch "$f" </dev/null >/dev/null 2>&1; [ $? -eq 2 ] || fail "--batch with a FILE is not a usage error"
    "$ETWHF" decode --batch --format csv </dev/null >/dev/null 2>&1; [ $? -eq 2 ] || fail "--batch --format csv is not a usage error"
    ;;
  *) echo "batch_controls.sh: unknown control '$name'" >&2; exit 2 ;;
esac
echo "ok [$name]"
