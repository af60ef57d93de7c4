#!/usr/bin/env bash
# levels.sh NAME ETWHF — conformance levels and --require (docs/spec/conformance.md)
# on a small generated corpus, end to end through the CLI: the counts per
# level against what the manifest says, the levels each failing case names,
# the exit status --require gives, the usage errors of levels a run cannot
# judge, and two report rules (a rerun: line only for the modes that
# differed; --explain does not call a strict walk's unreached events
# differing). Exit 0 when the control holds, 1 with a message when it does not.
set -uo pipefail
name=$1
export ETWHF=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=control_lib.sh
. "$here/control_lib.sh"
has() { grep -qF -- "$1" "$out/report" || fail "the report lacks: $1"; }
lacks() { ! grep -qF -- "$1" "$out/report" || fail "the report has: $1"; }
err_has() { grep -qF -- "$1" "$out/err" || fail "stderr lacks: $1 (it is: $(head -c 600 "$out/err"))"; }

c=$out/c
"$ETWHF" gen --out "$c" --count 300 --seed 11 >/dev/null 2>&1 || fail "gen"
m=$c/manifest.jsonl
# The levels' sets, from the manifest alone.
member() { jq -s -c "[.[1:][] | select($1) | .id] | length" "$m"; }
n_all=$(member 'true')
n_l1=$(member '.faults == [] and .evidence != "chosen"')
n_l2=$(member '.faults != [] and .evidence != "chosen"')
if [ "$n_l1" -eq 0 ] || [ "$n_l2" -eq 0 ]; then
  fail "the corpus has no L1 or no L2 case: the control would prove nothing"
fi
decode="'$ETWHF' decode {args} {file}"

case $name in
  inproc)
    # etwhf's own decoder, in-process: every level judged, every case agrees.
    run 0 "$c" --json --require L4
    is '.levels | map_values(.judged) | [.[]]' '[true,true,true,true,true]'
    is '[.levels[] | .total]' "[$n_all,$n_l1,$n_l2,$n_all,$n_all]"
    is '[.levels[] | .agree]' "[$n_all,$n_l1,$n_l2,$n_all,$n_all]"
    is '[.levels.L1.name, .require, .passed]' '["intact","L4",true]'
    run 0 "$c"
    has "  L1 intact  "
    has "$n_l1/$n_l1 agree"
    ;;
  usage)
    # A level the run cannot judge is a usage error naming what to add.
    run 2 "$c" --require L5
    err_has "--require is a level L0, L1, L2, L3 or L4"
    run 2 "$c" --decoder "$decode" --require L4
    err_has "add --strict-codes --all-heap-events --mode both"
    run 2 "$c" --decoder "$decode" --strict-codes --mode both --require L4
    err_has "HeapAlloc and HeapReAlloc events not compared (add --all-heap-events)"
    run 2 "$c" --mode strict --require L1
    err_has "add --mode recover or --mode both"
    run 2 "$c" --fault no_such_fault
    err_has "--fault: 'no_such_fault' is not a fault name; the names are none (intact cases), payload_empty"
    # What cannot be judged is said in the report too.
    run 0 "$c" --decoder "$decode" --json --sample 20
    is '[.levels.L4.judged, (.levels.L4.reason | test("add --strict-codes"))]' '[false,true]'
    run 0 "$c" --mode strict --json --sample 20
    is '[.levels[] | .judged]' '[true,false,false,false,false]'
    # A manifest without evidence (before generator 7): L1 and L2 cannot be
    # judged, L3 and L4 can (their judgement holds L1's and L2's).
    old=$out/old
    # (the cases copied, hard links where it can: a symlink out of the folder is refused)
    mkdir -p "$old" && { cp -al "$c/cases" "$old/cases" 2>/dev/null || cp -r "$c/cases" "$old/cases"; }
    jq -c 'del(.evidence, .shapes)' "$m" >"$old/manifest.jsonl"
    run 2 "$old" --require L2
    err_has "regenerate the corpus with etwhf gen"
    run 0 "$old" --require L4 --json
    is '[.levels[] | .judged]' '[true,false,false,true,true]'
    is '.levels.L1.reason | test("grades no case by evidence")' 'true'
    ;;
  judged)
    # A decoder that reads Source 4 as 3 (tests/wrong_decoder.sh's sed
    # behind etwhf decode --batch: one process per job, not per case),
    # recover mode, no options: each case holding a Source 4 event fails L3, and
    # also L1 when it is in L1's set, and L2 when it is in L2's set and the
    # event lies in the intact prefix. No other case fails any level.
    jq -c -s '[.[1:][] | (.expect.events | map(.source == 4) | index(true)) as $i | select($i != null) |
               {id, levels: (if .evidence == "chosen" then ["L3"]
                             elif .faults == [] then ["L1","L3"]
                             elif $i < .expect.intact_prefix.events then ["L2","L3"]
                             else ["L3"] end)}]' "$m" >"$out/want"
    [ "$(jq length "$out/want")" -gt 0 ] || fail "no case holds a Source 4 event"
    wrong_batch="sh -c 'exec \"\$ETWHF\" decode --batch | sed -u -e \"s/\\\"source\\\":4,/\\\"source\\\":3,/g\"'"
    run 1 "$c" --json --decoder-batch "$wrong_batch"
    jq -c '[.not_agreeing[] | {id, levels: .levels_failed}]' "$out/report" >"$out/got"
    cmp -s "$out/want" "$out/got" || fail "levels failed: expected $(head -c 400 "$out/want"), got $(head -c 400 "$out/got")"
    is '.levels.L0 | [.agree, .total]' "[$n_all,$n_all]"
    l1=$(jq '[.[] | select(.levels[0] == "L1")] | length' "$out/want")
    l2=$(jq '[.[] | select(.levels[0] == "L2")] | length' "$out/want")
    is '.levels.L1 | [.agree, .total]' "[$((n_l1 - l1)),$n_l1]"
    is '.levels.L2 | [.agree, .total]' "[$((n_l2 - l2)),$n_l2]"
    # --require: exit 0 exactly when no case fails a level up to the one
    # named. The cases that agree agree at every level, so the runs take
    # only the others (--rerun-failed).
    cp "$out/report" "$out/first.json"
    again=(--rerun-failed "$out/first.json" --decoder-batch "$wrong_batch")
    run 0 "$c" "${again[@]}" --require L0
    has "every case agrees at L0 (--require L0)"
    want=$([ "$l1" -gt 0 ] && echo 1 || echo 0)
    run "$want" "$c" "${again[@]}" --require L1
    want=$([ "$((l1 + l2))" -gt 0 ] && echo 1 || echo 0)
    run "$want" "$c" "${again[@]}" --require L2
    [ "$want" -eq 0 ] || has "not agreeing at L0-L2:"
    run 1 "$c" "${again[@]}" --require L3
    has "do not agree at L0-L3 (--require L3)"
    # The text report lists the levels each shown case fails.
    id=$(jq -r '.[0].id' "$out/want")
    lv=$(jq -r '.[0].levels | join(", ")' "$out/want")
    grep -E "\(id $id, .*: disagree; levels failed: $lv\$" "$out/report" >/dev/null ||
      fail "case $id's line does not say 'levels failed: $lv'"
    ;;
  rerun_modes)
    # A decoder that ignores strict mode (it always runs recover): in strict
    # mode it does not stop at the first error, and only there does it
    # differ. Its recover runs agree, most exiting 1 (errors reported): no
    # rerun line for them.
    # (strict in {args} turned into recover: a repeated --mode is a usage error)
    ignore="sh -c 'for a; do shift; [ \"\$a\" = strict ] && a=recover; set -- \"\$@\" \"\$a\"; done; exec \"\$ETWHF\" decode \"\$@\"' sh {args} {file}"
    run 1 "$c" --decoder "$ignore" --mode both --show 1000 --sample 150
    has "[strict] rerun: "
    lacks "[recover] rerun: "
    lacks "[recover] exit status"
    ;;
  explain_prefix)
    # A file case with an error and HeapFree events after its first fault's
    # damage: strict mode stops before them, which is allowed. --explain
    # must not mark them as differing (it showed them "<- differs").
    id=$(jq -s -r '[.[1:][] | select(.layer == "file" and .expect.verdict == "error" and
                    .expect.intact_prefix.events < (.expect.events | length))] | .[0].id' "$m")
    [ "$id" != null ] || fail "no file case with events after its first fault"
    run 0 "$c" --id "$id" --explain
    has "[strict] expected (manifest) and got (decoder), side by side:"
    lacks "<- differs"
    has "intact prefix (L2): "
    has "levels (docs/spec/conformance.md):"
    has "; evidence: "
    ;;
  *) echo "levels.sh: unknown control '$name'" >&2; exit 2 ;;
esac
echo "ok [$name]"
