#!/usr/bin/env bash
# Issue 23, row 14 for check: an option that takes one value, given twice, is
# a usage error (a second value would replace the first silently); the lists
# --id, --layer and --header add up (docs/spec/check-protocol.md §1); flags
# may repeat. (Row 12, `check --help` to a full device: help.sh.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

usage() { expect_usage check "$1" "$2" "$TMP/c" "${@:3}"; } # usage DESCRIPTION PATTERN ARGS...
bounded gen --out "$TMP/c" --count 30 --seed 14 --layer payload,record
expect_rc 0 "a 30-case corpus"
printf '{"report":"etwhf check","not_agreeing":[{"id":5}]}\n' >"$TMP/r.json"
D="$ETWHF decode {args} {file}"

usage "--timeout twice" "--timeout given twice" --timeout 1 --timeout 2
usage "--require twice" "--require given twice" --require L1 --require L2
usage "--require twice, the same" "--require given twice" --require L3 --require=L3
usage "--jobs twice" "--jobs given twice" --jobs 1 --jobs 2
usage "--sample twice" "--sample given twice" --sample 1 --sample 2
usage "--show twice" "--show given twice" --show 1 --show 2
usage "--mode twice" "--mode given twice" --mode recover --mode strict
usage "--fault twice" "--fault given twice" --fault none --fault payload_short
usage "--compressed twice" "--compressed given twice" --compressed yes --compressed no
usage "--decoder twice" "--decoder given twice" --decoder "$D" --decoder "$D"
usage "--decoder-batch twice" "--decoder-batch given twice" --decoder-batch "$ETWHF decode --batch" \
    --decoder-batch "$ETWHF decode --batch"
usage "--decoder and --decoder-batch" "one decoder at a time" --decoder "$D" --decoder-batch "$ETWHF decode --batch"
usage "--rerun-failed twice" "--rerun-failed given twice" --rerun-failed "$TMP/r.json" --rerun-failed "$TMP/r.json"

# Lists add up; flags may repeat.
bounded check "$TMP/c" --id 1 --id 2,3 --json
expect_rc 0 "--id given three times"
expect_eq "$(jqo .cases)" 3 "--id 1 --id 2,3 checks the three cases"
bounded check "$TMP/c" --id 4 --rerun-failed "$TMP/r.json" --json
expect_eq "$(jqo .cases)" 2 "--id and --rerun-failed add up"
bounded check "$TMP/c" --layer payload --layer record --json --json
expect_rc 0 "--layer twice, --json twice"
expect_eq "$(jqo .cases)" 30 "--layer payload --layer record: both layers"
bounded check "$TMP/c" --layer payload --json
n_payload=$(jqo .cases)
bounded check "$TMP/c" --layer payload --layer payload --json
expect_eq "$(jqo .cases)" "$n_payload" "--layer payload twice: payload cases once"
bounded check "$TMP/c" --decoder "$D" --strict-codes --strict-codes --all-heap-events --all-heap-events --id 1
expect_rc 0 "flags given twice"

finish
