#!/usr/bin/env bash
# valgrind_cli.sh ETWHF SAMPLES_DIR WORKDIR — `etwhf decode`, `info`, `gen` and
# `check` under valgrind memcheck, on small inputs, on their success paths and
# on their error paths (missing file, usage error, non-empty --out, a corpus
# without manifest): no invalid access, no use of uninitialised bytes, no
# definite or indirect leak. (MSan cannot reach the CLI: it links jansson.)
#
# valgrind's own verdict is exit status 99, told apart from the tool's
# exit codes (docs/spec/output.md §6), which are checked too. Exit 77 when valgrind is
# missing.
set -u
ETWHF=$1
SAMPLES=$2
W=$3
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
rm -rf "$W" && mkdir -p "$W" || exit 1
CHECKS=0
FAILS=0
# shellcheck disable=SC2054 # the commas belong to valgrind's option values
VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes --child-silent-after-fork=no)

# vg WANT ARGS...: etwhf ARGS under memcheck; the tool must exit WANT.
vg() {
    local want=$1
    shift
    CHECKS=$((CHECKS + 1))
    "${VG[@]}" "$ETWHF" "$@" >"$W/out" 2>"$W/err" </dev/null
    local rc=$?
    if [ "$rc" -eq 99 ] || grep -q '^==[0-9]*==' "$W/err"; then
        FAILS=$((FAILS + 1))
        echo "FAIL: memcheck on: etwhf $*" >&2
        grep '^==' "$W/err" | head -40 >&2
    elif [ "$rc" -ne "$want" ]; then
        FAILS=$((FAILS + 1))
        echo "FAIL: etwhf $*: exit $rc, expected $want: $(head -c 300 "$W/err")" >&2
    fi
}

# gen: a small corpus of every layer, faults and compression included; a trace.
vg 0 gen --out "$W/c" --count 24 --seed 9 --fault-rate 700 --compressed-rate 300 --max-faults 3
vg 0 gen --etl "$W/t.etl" --events 1500 --pointer-size mixed --buffer-size 8K
vg 3 gen --out "$W/c" --count 2              # non-empty without --force
vg 2 gen --out "$W/x" --fault-rate 2000      # usage
vg 0 gen --out "$W/e" --exhaustive --layer payload,record --pointer-size 4 --source 3 --header system32 \
    --faults payload_short,marker_cleared

# decode: traces in every format and mode, bare records and payloads, stdin.
vg 0 decode --stats "$W/t.etl"
vg 0 decode --format csv --type all "$W/t.etl"
vg 0 decode --format text --wall-clock "$W/t.etl"
# Every case of the corpus, a few runs of many files each: memcheck's cost is
# its start-up (~1.5 s a run), and one run walks each file's bytes as its
# own run would. Clean cases exit 0; a run with error cases exits 1.
vg 0 decode --stats --mode recover "$W"/c/cases/[yi]_file_*
vg 1 decode --stats --mode recover "$W"/c/cases/n_file_*
vg 0 decode --input record "$W"/c/cases/[yi]_record_*
vg 1 decode --input record "$W"/c/cases/n_record_*
vg 1 decode --strict --stats "$W"/c/cases/n_file_*
vg 0 decode --input payload --pointer-size 4 --event free "$W"/e/cases/y_payload_w4_free_intact_*
vg 3 decode "$W/missing.etl"
vg 2 decode --pointer-size 5 --input payload "$W/t.etl"
samples=()
for s in lxcore_kernel.etl SelfDescribingSingleEvent.etl; do
    [ -r "$SAMPLES/$s" ] && samples+=("$SAMPLES/$s")
done
if [ ${#samples[@]} -gt 0 ]; then
    vg 0 decode --stats "${samples[@]}"
    vg 0 info "${samples[0]}"
fi

# info
vg 0 info "$W/t.etl"
vg 1 info "$W/c/manifest.jsonl"
vg 3 info "$W/missing.etl"

# check: the in-process workers (forked, so memcheck follows them) and a usage error.
# --timeout: a decode's first run under memcheck translates its code first;
# 120 s is far past that even on a loaded machine (the default is 10 s).
vg 0 check "$W/c" --jobs 1 --mode both --timeout 120
vg 0 check "$W/c" --jobs 2 --sample 5 --json --timeout 120
mkdir -p "$W/empty"
vg 3 check "$W/empty"
vg 2 check "$W/c" --jobs 0

if [ "$CHECKS" -lt 20 ]; then echo "FAIL: only $CHECKS checks ran" >&2; exit 1; fi
if [ "$FAILS" -ne 0 ]; then echo "$FAILS of $CHECKS checks failed" >&2; exit 1; fi
rm -rf "$W"
echo "valgrind_cli: $CHECKS runs clean under memcheck"
