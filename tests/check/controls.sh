#!/usr/bin/env bash
# controls.sh NAME ETWHF FIXTURE_DIR — one control of `etwhf check` (docs/spec/
# check-protocol.md) on the hand-written fixture corpus (fixture_corpus.c): 10 cases, of
# which ids 3, 6, 9 are n_ (error) cases and ids 2, 8, 9 carry a Source 4 event.
# Exit 0 when the control holds, 1 with a message when it does not.
set -uo pipefail
name=$1
export ETWHF=$2
fx=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
wrong=$here/../wrong_decoder.sh
bad=$here/bad_decoder.sh
# shellcheck source-path=SCRIPTDIR source=control_lib.sh
. "$here/control_lib.sh"

decode="'$ETWHF' decode {args} {file}"
case $name in
  inproc_agrees)
    run 0 "$fx" --json --jobs 2
    totals '[10,0,0,0,0,0]'
    is '.modes' '["recover","strict"]'
    is '.agreed' 'true'
    run 0 "$fx" --jobs 1
    grep -q '^result: all 10 case(s) agree$' "$out/report" || fail "text report lacks the result line"
    ;;
  decode_agrees)
    run 0 "$fx" --json --decoder "$decode"
    totals '[10,0,0,0,0,0]'
    run 0 "$fx" --json --decoder "$decode" --mode both --strict-codes --jobs 3
    totals '[10,0,0,0,0,0]'
    is '.runs' '20'
    run 0 "$fx" --json --decoder "$decode" --mode strict --strict-codes
    totals '[10,0,0,0,0,0]'
    ;;
  wrong_decoder_caught)
    run 1 "$fx" --json --decoder "$wrong {args} {file}"
    totals '[7,3,0,0,0,0]'
    is '[.not_agreeing[].id]' '[2,8,9]'
    is '.by_field' '{"events.source":3}'
    is '[.by_header[] | select(.name=="system64") | .disagree]' '[2]'
    is '[.by_fault[] | select(.name=="truncated_tail_data") | .disagree]' '[1]'
    is '.mismatches[0].differences[0] | [.field, .expected, .got]' '["events[0].source","4","3"]'
    run 1 "$fx" --decoder "$wrong {args} {file}" --mode both
    grep -q 'cases/y_file_intact_000008.etl .*: disagree' "$out/report" || fail "text report lacks case 8"
    grep -q '\[strict\] events\[0\].source: expected 4, got 3' "$out/report" || fail "text report lacks the strict difference"
    grep -q '^result: 3 of 10 case(s) do not agree$' "$out/report" || fail "text report lacks the result line"
    ;;
  crash_reported)
    run 1 "$fx" --json --decoder "$bad crash {args} {file}"
    totals '[7,0,3,0,0,0]'
    is '[.not_agreeing[].id]' '[3,6,9]'
    is '.mismatches[0].differences[0].got' '"SIGSEGV"'
    run 1 "$fx" --json --decoder "$bad asan {args} {file}"
    totals '[7,0,3,0,0,0]'
    jq -e '.mismatches[0].differences[0].got | contains("ERROR: AddressSanitizer")' "$out/report" >/dev/null ||
      fail "the sanitizer line is not in the report"
    run 1 "$fx" --json --decoder "$bad exit2 {args} {file}"
    totals '[7,0,0,0,3,0]'
    ;;
  hang_times_out)
    # The error cases never finish and the others finish at once, so a
    # timeout of many times an honest decode under ASan on a loaded machine
    # tells them apart. That check returns at all proves it killed them.
    run 1 "$fx" --json --timeout 10 --jobs 3 --decoder "$bad hang {args} {file}"
    totals '[7,0,0,3,0,0]'
    is '[.not_agreeing[].id]' '[3,6,9]'
    hangers_gone || fail "a hanging decoder was left running"
    ;;
  interrupt_kills)
    # SIGINT, and SIGTERM and SIGHUP (a CI cancel, `timeout`, a closed
    # terminal): every decoder's process group is killed.
    for sig in INT TERM HUP; do
      stop_hanging "$sig" --decoder "$bad hang {args} {file}"
    done
    ;;
  orphan_judged)
    # A decoder that exits leaving a child of its own that holds its pipes
    # is judged on its exit (check-protocol.md §3.3), not timed out, and the
    # child is killed with its group. With --timeout 600 a checker that waits
    # for the pipes instead would not return within the wait limit.
    "$ETWHF" check "$fx" --json --timeout 600 --decoder "$bad orphan {args} {file}" >"$out/report" 2>"$out/err" &
    pid=$!
    proc_wait_until "etwhf check to return" eval '! kill -0 "$pid" 2>/dev/null' || { kill -KILL "$pid"; fail "still waiting for the orphans' pipes"; }
    wait "$pid"; rc=$?
    [ "$rc" -eq 0 ] || fail "exit $rc, expected 0; stderr: $(head -c 600 "$out/err")"
    totals '[10,0,0,0,0,0]'
    hangers_gone || fail "an orphan outlived the check"
    ;;
  file_cases_only)
    run 0 "$fx" --json --decoder "'$ETWHF' decode"
    totals '[2,0,0,0,0,8]'
    [ "$(jq -r '.not_agreeing | length' "$out/report")" = 0 ] || fail "skipped cases listed as not agreeing"
    ;;
  io_errors)
    run 3 "$out/no-such-dir"
    grep -q "cannot read corpus folder" "$out/err" || fail "no message for a missing folder"
    mkdir "$out/c"
    run 3 "$out/c"
    grep -q "manifest.jsonl" "$out/err" || fail "no message for a missing manifest"
    cp -r "$fx/." "$out/c/"
    sed -i '4s/"verdict":"error"/"verdict":"maybe"/' "$out/c/manifest.jsonl"
    run 3 "$out/c"
    grep -q "manifest.jsonl line 4: expect.verdict" "$out/err" || fail "the malformed line is not named: $(cat "$out/err")"
    cp "$fx/manifest.jsonl" "$out/c/manifest.jsonl"
    rm "$out/c/cases/y_record_intact_000005.bin"
    run 3 "$out/c"
    grep -q "y_record_intact_000005.bin' (manifest line 6)" "$out/err" || fail "the missing case is not named"
    run 3 "$fx" --decoder "/no/such/decoder {file}"
    ;;
  usage_errors)
    run 2
    run 2 "$fx" "$fx"
    run 2 "$fx" --mode sometimes
    run 2 "$fx" --jobs 0
    run 2 "$fx" --timeout 0
    run 2 "$fx" --timeout 1.2345
    run 2 "$fx" --decoder "'unterminated"
    run 2 "$fx" --bogus
    run 0 "$fx" --help
    grep -q '^usage: etwhf check DIR' "$out/report" || fail "--help prints no usage"
    ;;
  sample)
    run 0 "$fx" --json --sample 4
    is '[.cases, .manifest_cases]' '[4,10]'
    totals '[4,0,0,0,0,0]'
    ;;
  *) echo "controls.sh: unknown control '$name'" >&2; exit 2 ;;
esac
echo "ok [$name]"
