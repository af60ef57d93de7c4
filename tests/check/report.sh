#!/usr/bin/env bash
# report.sh NAME ETWHF FIXTURE_DIR — what `etwhf check` tells about a failing
# case (docs/check.md, "Reading a failure"), on the hand-written fixture
# corpus (fixture_corpus.c: ids 2, 8, 9 carry a Source 4 event; 3, 6, 9 are
# n_ cases; 1-4 and 10 payload, 5-7 record, 8-9 file) and on small generated
# corpora. Exit 0 when the control holds, 1 with a message when it does not.
set -uo pipefail
name=$1
export ETWHF=$2
fx=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
odd=$here/odd_decoder.sh
wrong=$here/../wrong_decoder.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

fail() { echo "FAIL [$name]: $*" >&2; [ -s "$out/report" ] && head -c 4000 "$out/report" >&2; exit 1; }
# run EXPECTED_EXIT ARGS...: etwhf check ARGS..., report in $out/report, stderr in $out/err.
run() {
  local want=$1; shift
  "$ETWHF" check "$@" >"$out/report" 2>"$out/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "etwhf check $* exited $rc, expected $want; stderr: $(head -c 600 "$out/err")"
}
is() {
  local got; got=$(jq -c "$1" "$out/report") || fail "report is not JSON"
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}
has() { grep -qF -- "$1" "$out/report" || fail "the report lacks: $1"; }
lacks() { ! grep -qF -- "$1" "$out/report" || fail "the report has: $1"; }
err_has() { grep -qF -- "$1" "$out/err" || fail "stderr lacks: $1 (it is: $(head -c 600 "$out/err"))"; }
# The reproduce line of case file $1 in mode $2 from the text report.
rerun_line() { grep -A40 -F "$1" "$out/report" | grep -m1 "^    \[$2\] rerun: " | sed "s/^    \[$2\] rerun: //"; }

case $name in
  repro_external)
    # The decoder reads the case from its environment only, so the line
    # reproduces its output only if it carries the variables; it is run in
    # an empty environment from another folder.
    run 1 "$fx" --decoder "$odd env {file}" --mode both
    grep -q '^result: 3 of 10 case(s) do not agree$' "$out/report" || fail "not 3 of 10"
    for mode in recover strict; do
      cmd=$(rerun_line y_payload_intact_000002.bin "$mode")
      [ -n "$cmd" ] || fail "no $mode rerun line for case 2"
      case $cmd in *"ETWHF_MODE=$mode"*"ETWHF_EVENT=free"*) ;; *) fail "the $mode line lacks the variables: $cmd" ;; esac
      got=$(cd / && env -i PATH="$PATH" ETWHF="$ETWHF" bash -c "$cmd") || fail "the $mode line failed: $cmd"
      echo "$got" | grep -q '"source":3' || fail "the $mode line does not reproduce the wrong Source: $got"
    done
    cmd=$(rerun_line y_file_intact_000008.etl recover)
    case $cmd in *"env -u ETWHF_EVENT "*"ETWHF_LAYER=file"*) ;; *) fail "a file case's line must unset ETWHF_EVENT: $cmd" ;; esac
    run 1 "$fx" --json --decoder "$odd env {file}"
    is '[.mismatches[].commands.recover | test("ETWHF_FILE=")] | all' 'true'
    is '[.not_agreeing[].commands.recover | length > 0] | all' 'true'
    ;;
  repro_inproc)
    # A manifest that expects Source 5 where the decoder says 4: in-process
    # disagreement; the line is `etwhf decode` with the case's flags.
    mkdir "$out/c" && cp -r "$fx/." "$out/c/"
    sed -i '3s/"source":4/"source":5/' "$out/c/manifest.jsonl"
    (cd "$out" && "$ETWHF" check c >"$out/report" 2>"$out/err"); [ $? -eq 1 ] || fail "no disagreement"
    cmd=$(rerun_line y_payload_intact_000002.bin recover)
    case $cmd in *"decode --mode recover --input payload --pointer-size 4 --event free c/cases/y_payload_intact_000002.bin)") ;;
      *) fail "the in-process line is not etwhf decode with the case's flags: $cmd" ;; esac
    got=$(cd / && env -i PATH="$PATH" bash -c "$cmd") || fail "the line failed: $cmd"
    echo "$got" | grep -q '"source":4' || fail "the line does not print the event: $got"
    has 'events[0].source: expected 5, got 4 (bare payload, offset 0)'
    ;;
  side_by_side)
    run 1 "$fx" --decoder "$wrong {args} {file}"
    grep -A30 -F 'y_file_intact_000008.etl' "$out/report" >"$out/case8"
    grep -Eq '^ +events\[0\] +expected +HeapFree .*source 4$' "$out/case8" || fail "no expected row: $(cat "$out/case8")"
    grep -Eq '^ +got +HeapFree .*source 3   <- differs$' "$out/case8" || fail "no got row beside it"
    grep -Eq '^ +expected +verdict ok, events: 1$' "$out/case8" || fail "no expected summary"
    ;;
  explain)
    run 1 "$fx" --id 9 --explain --decoder "$wrong {args} {file}"
    for s in 'case 9: ' 'expectation (manifest line 10):' 'fault locations (manifest):' \
             'not in this manifest' '[recover] rerun: ' 'standard output (' 'standard error: empty' \
             "records (etwhf's decoder" 'expected (manifest) and got (decoder)'; do
      has "$s"
    done
    lacks 'first 1 case(s)'
    # An agreeing case is explained too, and an old manifest's lack of locations is said.
    run 0 "$fx" --id 1 --explain
    has 'outcome: agree'
    has '(in-process: the decoder'
    # A generated corpus: every location of the manifest is printed.
    "$ETWHF" gen --out "$out/g" --layer file --count 20 --seed 7 >/dev/null 2>&1 || fail "gen"
    run 0 "$out/g" --id 18 --explain
    loc=$(jq -r 'select(.id == 18) | .locations[0] | "\(.fault) .* buffer \(.buffer), offset \(.offset)"' "$out/g/manifest.jsonl")
    grep -Eq "^  $loc" "$out/report" || fail "the location ($loc) is not printed"
    fe=$(jq -r 'select(.id == 18) | .expect.first_error | "\(.code) +buffer [0-9]+, offset \(.offset): "' "$out/g/manifest.jsonl")
    grep -Eq "^    diag +error +$fe" "$out/report" ||
      fail "the records do not list the RECORD_SIZE diagnostic with its place"
    grep -Eq '^    event +#[0-9]+ +Heap[A-Za-z]+ +[a-z0-9]+ +buffer [0-9]+, offset [0-9]+' "$out/report" ||
      fail "the records do not list events with header form, buffer, offset"
    run 2 "$fx" --explain
    run 2 "$fx" --id 1,2 --explain
    ;;
  filters)
    run 0 "$fx" --json --id 2,8 --id 5
    is '[.cases, .manifest_cases]' '[3,10]'
    run 1 "$fx" --json --decoder "$wrong {args} {file}" --fault truncated_tail_data
    is '[.not_agreeing[].id]' '[9]'
    is '.cases' '1'
    run 0 "$fx" --json --layer payload,record
    is '.cases' '8'
    run 0 "$fx" --json --header system64
    is '.cases' '3'
    run 0 "$fx" --json --fault none --compressed no
    is '.cases' '7'
    run 2 "$fx" --compressed yes
    err_has 'no case of the manifest'"'"'s 10 matches: compressed yes'
    run 2 "$fx" --id 99
    err_has 'case id 99 is not in'
    run 2 "$fx" --layer disk
    run 1 "$fx" --json --decoder "$wrong {args} {file}"
    cp "$out/report" "$out/earlier.json"
    run 1 "$fx" --json --decoder "$wrong {args} {file}" --rerun-failed "$out/earlier.json"
    is '[.cases, [.not_agreeing[].id]]' '[3,[2,8,9]]'
    run 0 "$fx" --json
    cp "$out/report" "$out/green.json"
    run 2 "$fx" --rerun-failed "$out/green.json"
    err_has 'nothing to rerun'
    run 3 "$fx" --rerun-failed "$fx/manifest.jsonl"
    ;;
  stderr_evidence)
    run 1 "$fx" --decoder "$odd stderr30 {file}" --layer file,record
    has '[recover] exit status 3; stderr ends:'
    has '      | odd_decoder: complaint 30'
    grep -q '^      | odd_decoder: complaint 1$' "$out/report" && fail "stderr is not bounded to its tail"
    run 1 "$fx" --json --decoder "$odd stderr30 {file}" --layer file,record
    is '.mismatches[0].runs.recover.exit_status' '3'
    jq -e '.mismatches[0].runs.recover.stderr_tail | test("complaint 30")' "$out/report" >/dev/null || fail "no stderr_tail"
    # Exit 1 with nothing printed is a failure of the decoder, not a verdict.
    run 1 "$fx" --json --decoder "sh -c 'echo Traceback: it broke >&2; exit 1' {file}" --id 1
    is '.totals.failed' '1'
    is '.mismatches[0].differences[0].got' '"1 and no output; stderr ends: Traceback: it broke"'
    ;;
  attribution)
    # Every case counts under one header form (its first differing event's),
    # and a Source misread is attributed to a form the case uses.
    "$ETWHF" gen --out "$out/g" --layer file --count 120 --seed 11 >/dev/null 2>&1 || fail "gen"
    run 1 "$out/g" --json --decoder "$wrong {args} {file}"
    is '([.by_header[].cases] | add) == .cases' 'true'
    is '[.not_agreeing[] | .first_differing_header as $h | .headers | index($h) != null] | all' 'true'
    is '([.by_compressed[].cases] | add) == .cases' 'true'
    run 1 "$out/g" --decoder "$wrong {args} {file}"
    grep -Eq '\] (heap_)?events\[[0-9]+\]\.source: expected 4, got 3 \([a-z]+(32|64) record\)$' "$out/report" ||
      fail "the mismatch line does not name the event's header form"
    has 'not agreeing, by header form of the first differing event:'
    has 'not agreeing, by layer:'
    has 'not agreeing, by compression:'
    # In-process the event's buffer and offset are known too.
    mkdir "$out/c" && cp -r "$fx/." "$out/c/"
    sed -i '9s/"source":4/"source":5/' "$out/c/manifest.jsonl"
    run 1 "$out/c"
    has 'events[0].source: expected 5, got 4 (system64 record, buffer 0, offset'
    ;;
  totals)
    mkdir "$out/empty" && head -1 "$fx/manifest.jsonl" >"$out/empty/manifest.jsonl"
    run 1 "$out/empty"
    err_has 'no case was checked'
    has 'result: no case was checked'
    run 1 "$fx" --layer payload --decoder "'$ETWHF' decode"
    err_has 'every case was skipped'
    run 0 "$fx" --json
    is '.seconds >= .manifest_seconds and .seconds >= .decode_seconds' 'true'
    run 0 "$fx"
    grep -Eq '^  [0-9.]+ s \(manifest [0-9.]+ s, decoding [0-9.]+ s\), [0-9]+ cases/s$' "$out/report" || fail "no time line"
    # A rejected line names the key, and is echoed whole.
    run 1 "$fx" --decoder "$odd badkey {file}" --id 1 --json
    is '.mismatches[0].differences[0].got' '"source: -1 is not a u32"'
    is '.mismatches[0].differences[0].line | length > 300' 'true'
    run 1 "$fx" --decoder "$odd badkey {file}" --id 1
    grep -Eq '^      line 1: \{.*x{300}"\}$' "$out/report" || fail "the rejected line is not echoed whole"
    ;;
  docs_sample)
    # docs/check.md shows real output: its samples' generator version is
    # today's, and the forgetful tiny decoder's first case reads as a run
    # prints it (in the page's folder, /tmp/docs_ex).
    doc=$here/../../docs/check.md
    py=$(command -v python3) || { echo "no python3: nothing to compare"; exit 0; }
    mkdir "$out/w" && cd "$out/w" || fail "cd"
    "$ETWHF" gen --out payloads --layer payload --count 300 --seed 1 >/dev/null 2>&1 || fail "gen"
    v=$(head -1 payloads/manifest.jsonl | jq -r .generator_version)
    bad=$(grep -o '(generator [0-9]*)' "$doc" | grep -v "(generator $v)")
    [ -z "$bad" ] || fail "docs/check.md shows $bad; the generator is version $v"
    sed 's/    if len(data) < need:/    if False:/' "$here/tiny_decoder.py" >tiny_decoder.py
    "$ETWHF" check payloads --decoder "python3 tiny_decoder.py {file}" --strict-codes --id 3 |
      sed "s|$out/w|/tmp/docs_ex|g" >"$out/report"
    sed -n '/^  cases\/n_payload_w8_free_payload_short_000003.bin/,/^$/p' "$out/report" | grep -v '^$' >"$out/case"
    [ "$(wc -l <"$out/case")" -ge 5 ] || fail "the run printed no case block"
    while IFS= read -r line; do
      grep -qxF -- "$line" "$doc" || fail "docs/check.md lacks the line: $line"
    done <"$out/case"
    ;;
  *) echo "report.sh: unknown control '$name'" >&2; exit 2 ;;
esac
echo "ok [$name]"
