#!/usr/bin/env bash
# gen_usage.sh ETWHF — `etwhf gen`'s messages: an out-of-range --max-faults
# gives one clear error (not two that contradict each other), `--out -` is
# refused without creating a folder named '-', the progress line on a terminal
# is erased at the end, and docs/decode.md's RECORD_SIZE line is what the
# decoder prints for the case the page names.
. "$(dirname "$0")/lib.sh" "$@"
cd "$TMP" || exit 1

for bad in 5 0 x; do
    run gen --out "$TMP/c" --count 2 --max-faults "$bad"
    expect_rc 2 "--max-faults $bad"
    expect_eq "$(grep -c '^etwhf gen:' "$TMP/err")" 1 "--max-faults $bad: one message"
    expect_match "$ERR" "--max-faults takes 1 to 4, not '$bad'" "--max-faults $bad: the message gives the range"
done

run gen --out - --count 2
expect_rc 2 "--out -"
expect_match "$ERR" "--out needs a folder" "--out -: the message says why"
check "--out -: no folder named '-'" test ! -e "$TMP/-"

if command -v script >/dev/null; then
    # On a terminal the progress line is drawn with \r; the last thing gen
    # writes to it must erase the line (ESC[K), not leave "N/N cases".
    script -qec "'$ETWHF' gen --out '$TMP/tty' --count 5 --seed 1" /dev/null >"$TMP/screen" 2>&1
    tail_bytes=$(tail -c 8 "$TMP/screen" | od -An -c | tr -s ' ')
    expect_match "$tail_bytes" '\\r 033 \[ K' "the progress line is erased at the end"
fi

run gen --out "$TMP/rs" --layer file --count 20 --seed 7
expect_rc 0 "gen for the docs/decode.md sample"
run decode "$TMP/rs/cases/n_file_record_size_overrun_000018.etl"
line=$(grep '"code":"RECORD_SIZE"' "$TMP/out" | head -1)
check "docs/decode.md quotes the RECORD_SIZE line as printed ($line)" \
    grep -qF -- "$line" "$TESTS_DIR/../../docs/decode.md"
finish
