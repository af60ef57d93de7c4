#!/usr/bin/env bash
# Issue 23, row 13: untrusted text — file names, names from a trace's logfile
# record, bytes of a request line — reaches a terminal or a log escaped. No
# raw control character (C0 but the line ends, DEL, C1 such as U+009B CSI,
# the line separators, bidirectional overrides) on standard error or in the
# text format, and a name can never forge a second line; JSON escapes them.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# A name that would end a message, colour the terminal, start a CSI sequence
# (U+009B), reverse what follows (U+202E) and hold a byte that is not UTF-8.
EVIL=$(printf 'a\nb\033[31mred\033[0m\302\2332J\342\200\256txt.\377')
# raw_controls FILE: 0 when FILE holds any of them (line ends between lines
# excepted).
raw_controls() {
    LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}
clean() { # clean FILE LINES DESCRIPTION: no raw controls, exactly LINES lines
    CHECKS=$((CHECKS + 1))
    if raw_controls "$1"; then
        fail "$3: raw control characters"
        od -c "$1" | head -5 >&2
    fi
    [ -z "$2" ] || expect_eq "$(wc -l <"$1")" "$2" "$3: $2 line(s), none forged"
}

mkdir "$TMP/d"
python3 "$TESTS_DIR/mketl.py" "$TMP/good.etl" --event free --event alloc
cp "$TMP/good.etl" "$TMP/d/$EVIL"

# ---- decode -----------------------------------------------------------------------
run decode "$TMP/missing-$EVIL"
expect_rc 3 "decode a missing file with a hostile name"
clean "$TMP/err" 1 "decode: the cannot-read message"
expect_match "$ERR" 'cannot read .*missing-a\\nb\\x1b\[31mred\\x1b\[0m\\u009b2J\\u202etxt\.\\xff' \
    "decode: the name shown escaped"
run decode --format text --stats "$TMP/d/$EVIL" "$TMP/good.etl"
clean "$TMP/out" 4 "decode --format text: the event lines"
clean "$TMP/err" 2 "decode --format text: the summaries"
expect_match "$(head -1 "$TMP/out")" '/d/a\\nb\\x1b\[31mred\\x1b\[0m\\u009b2J\\u202etxt\.\\xff: HeapFree ' \
    "decode --format text: each event line names its file, escaped"
run decode --format text --stats --wall-clock --input record "$TMP/d/$EVIL"
clean "$TMP/err" 2 "decode --format text: a diagnostic and a summary"
# The --wall-clock note (a record input has no logfile record) names the file.
hexfile "$TMP/d/$EVIL.rec" '02 00 02 C0 34 00 24 10 2C 1A 00 00 10 0F 00 00
    90 78 56 34 12 00 00 00 00 00 00 00 00 00 00 00
    00 00 A5 C4 D2 01 00 00 A0 F3 A5 C4 D2 01 00 00 03 00 00 00 00 00 00 00'
run decode --wall-clock --input record "$TMP/d/$EVIL.rec"
expect_rc 0 "decode --wall-clock of a record input"
clean "$TMP/err" 1 "decode --wall-clock: the note"
expect_match "$ERR" '\\u202etxt\.\\xff\.rec: --wall-clock: the input has no logfile record' "the note names the file escaped"
run decode --format csv --stats "$TMP/d/$EVIL" "$TMP/good.etl"
clean "$TMP/err" 2 "decode --format csv: the summaries on standard error"
run decode "$TMP/d/$EVIL" "$TMP/good.etl"
expect_rc 0 "decode two files, one with a hostile name"
clean "$TMP/out" 4 "decode jsonl: the lines"
WANT=$(printf '%s' "$TMP/d/$EVIL" | sed 's/\xff/\xef\xbf\xbd/')
CHECKS=$((CHECKS + 1))
head -1 "$TMP/out" | jq -e --arg w "$WANT" '.file == $w' >/dev/null ||
    fail "decode jsonl: \"file\" is the name, JSON-escaped (an invalid byte as U+FFFD)"
run decode --bogus-"$EVIL"
expect_rc 2 "an unknown option with a hostile name"
clean "$TMP/err" 2 "decode: the usage message"

# ---- info: a missing file, and names inside the trace --------------------------------
run info "$TMP/missing-$EVIL"
expect_rc 3 "info: a missing file"
clean "$TMP/err" 1 "info: the cannot-read message"
LOGGER=$(printf 'log\033]0;title\007ger\302\233\342\200\256')
python3 "$TESTS_DIR/mketl.py" "$TMP/names.etl" --logger "$LOGGER" --log-file "$(printf 'C:\\x\ny\177.etl')" --event free
run info "$TMP/names.etl"
expect_rc 0 "info on a trace with hostile names"
clean "$TMP/out" 1 "info: the JSON object"
expect_eq "$(jqo .logger_name)" "$LOGGER" "info: logger_name decodes to the name"
cp "$TMP/names.etl" "$TMP/d/$EVIL.etl"
printf 'x' | dd of="$TMP/d/$EVIL.etl" bs=1 seek=$((0x4B)) conv=notrunc 2>/dev/null # no logfile record
run info "$TMP/d/$EVIL.etl"
expect_rc 1 "info: not a trace"
clean "$TMP/err" "" "info: the header diagnostics"

# ---- gen --------------------------------------------------------------------------------
run gen --etl "$TMP/no-such-$EVIL/t.etl" --events 3
expect_rc 3 "gen --etl into a missing folder with a hostile name"
clean "$TMP/err" 1 "gen --etl: the message"
mkdir -p "$TMP/corpus"
run gen --out "$TMP/corpus" --count 2
mkdir "$TMP/corpus/$EVIL"
run gen --out "$TMP/corpus" --count 2 --force
expect_rc 2 "gen --force on a folder holding a hostile name"
clean "$TMP/err" 2 "gen --force: the refusal and its hint"
run gen --out "$TMP/x" --header "$EVIL"
expect_rc 2 "gen: a hostile list item"
clean "$TMP/err" 2 "gen: the usage message"

# ---- decode --batch: a hostile path, a hostile line ----------------------------------------
{
    printf '{"id":1,"file":"%s/missing-a\\nb\\u001b[31m\\u009b","layer":"file","mode":"recover"}\n' "$TMP"
    printf '{"id":2,\001\033[2J\n'
    printf '{"id":3,"file":"%s","layer":"file","mode":"recover"}\n' "$TMP/good.etl"
} >"$TMP/req"
STDIN="$TMP/req" run decode --batch
expect_rc 0 "decode --batch with hostile requests"
clean "$TMP/err" 2 "decode --batch: the two messages"
expect_eq "$(jqo 'select(.type=="end") | .status' | paste -sd, -)" "3,2,0" "decode --batch: every request answered"

finish
