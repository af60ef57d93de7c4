#!/usr/bin/env bash
# Exit codes of `etwhf decode` and `etwhf info` (docs/spec/output.md §6): usage,
# I/O failures on input and output, several files, SIGINT.
. "$(dirname "$0")/lib.sh" "$@"

hexfile "$TMP/good.bin" '02 00 02 C0 34 00 24 10 2C 1A 00 00 10 0F 00 00
    90 78 56 34 12 00 00 00 00 00 00 00 00 00 00 00
    00 00 A5 C4 D2 01 00 00 A0 F3 A5 C4 D2 01 00 00 03 00 00 00 00 00 00 00'
printf 'not a trace at all' >"$TMP/bad.bin"

# ---- usage: exit 2, one message naming the problem, and a pointer to --help --
usage_case() { # usage_case DESCRIPTION PATTERN CMD ARGS...
    local what=$1 pattern=$2
    shift 2
    expect_usage "$1" "$what" "$pattern" "${@:2}"
}
usage_case "unknown option" "unknown option '--bogus'" decode --bogus "$TMP/good.bin"
usage_case "--pointer-size 5" "invalid value '5' for --pointer-size" decode --input payload --pointer-size 5 "$TMP/good.bin"
usage_case "--type bogus" "invalid value 'bogus' for --type" decode --type bogus "$TMP/good.bin"
usage_case "--format xml" "invalid value 'xml' for --format" decode --format xml "$TMP/good.bin"
usage_case "--mode lax" "invalid value 'lax' for --mode" decode --mode lax "$TMP/good.bin"
usage_case "--input tape" "invalid value 'tape' for --input" decode --input tape "$TMP/good.bin"
usage_case "--event destroy" "invalid value 'destroy' for --event" decode --input payload --pointer-size 8 --event destroy "$TMP/good.bin"
usage_case "--pid text" "invalid value 'x1' for --pid" decode --pid x1 "$TMP/good.bin"
usage_case "--tid too large" "invalid value '4294967296' for --tid" decode --tid 4294967296 "$TMP/good.bin"
usage_case "--heap overflow" "invalid value '0x10000000000000000' for --heap" decode --heap 0x10000000000000000 "$TMP/good.bin"
usage_case "--buffer-limit 2G" "invalid value '2G' for --buffer-limit" decode --buffer-limit 2G "$TMP/good.bin"
usage_case "--buffer-limit 8" "invalid value '8' for --buffer-limit" decode --buffer-limit 8 "$TMP/good.bin"
usage_case "missing value" "option --type needs a value" decode "$TMP/good.bin" --type
usage_case "missing FILE" "no FILE given" decode --stats
usage_case "payload without width" "--input payload needs --pointer-size" decode --input payload "$TMP/good.bin"
usage_case "width without payload" "--pointer-size applies only to --input payload" decode --pointer-size 8 "$TMP/good.bin"
usage_case "info without FILE" "no FILE given" info
usage_case "info with two FILEs" "one FILE at a time" info "$TMP/good.bin" "$TMP/bad.bin"
usage_case "info unknown option" "unknown option '--json'" info --json "$TMP/good.bin"

# --help: exit 0 on stdout, and it documents every option.
run decode --help
expect_rc 0 "decode --help"
for opt in --input --pointer-size --event --mode --strict --buffer-limit --format --type --pid --tid --heap \
    --wall-clock --stats --quiet --help "Exit status" "Example"; do
    expect_match "$OUT" "$opt" "decode --help mentions $opt"
done
run info --help
expect_rc 0 "info --help"
expect_match "$OUT" "start_time" "info --help lists the keys"

# Options after the file and `--` before a file named like an option.
cp "$TMP/good.bin" "$TMP/--odd"
run decode "$TMP/good.bin" --input record
expect_rc 0 "options after FILE"
(cd "$TMP" && "$ETWHF" decode --input record -- --odd >"$TMP/out" 2>"$TMP/err")
RC=$?
expect_rc 0 "'--' ends options"
expect_eq "$(jq -r .type <"$TMP/out")" "HeapFree" "'--' then a FILE named like an option"

# ---- exit 0 / 1 -----------------------------------------------------------------
run decode --input record "$TMP/good.bin"
expect_rc 0 "no error diagnostic"
run decode "$TMP/bad.bin"
expect_rc 1 "readable input that is not a trace"
expect_eq "$(jqo '[.code, .buffer, .offset] | @csv')" '"FILE_TOO_SHORT",,0' "18 bytes: FILE_TOO_SHORT, buffer null"

# ---- I/O: exit 3 with a message naming the file ------------------------------------
run decode "$TMP/missing.etl"
expect_rc 3 "missing file"
expect_match "$ERR" "cannot read '$TMP/missing.etl': No such file or directory" "missing file: message"
run decode "$TMP"
expect_rc 3 "directory"
expect_match "$ERR" "cannot read '$TMP': Is a directory" "directory: message"
if [ "$(id -u)" != 0 ]; then
    cp "$TMP/good.bin" "$TMP/locked.bin"
    chmod 000 "$TMP/locked.bin"
    run decode --input record "$TMP/locked.bin"
    expect_rc 3 "unreadable file"
    expect_match "$ERR" "Permission denied" "unreadable file: message"
fi
run info "$TMP/missing.etl"
expect_rc 3 "info: missing file"
run info "$TMP"
expect_rc 3 "info: directory"
run info "$TMP/bad.bin"
expect_rc 1 "info: not a trace"
expect_match "$ERR" "FILE_TOO_SHORT" "info: the F1/F2 diagnostic on stderr"
expect_eq "$OUT" "" "info: nothing on stdout for a non-trace"

# ---- several files: each named, the worst status wins, the rest still decoded -------
run decode --input record --stats "$TMP/good.bin" "$TMP/missing.etl" "$TMP/good.bin"
expect_rc 3 "several files, one missing"
expect_eq "$(jqo 'select(.type=="summary") | .file' | wc -l)" "2" "the files after the missing one are decoded"
expect_eq "$(jqo '.file' | sort -u)" "$TMP/good.bin" "with several FILEs every line has \"file\""
expect_eq "$(jqo 'keys_unsorted[0]' | sort -u)" "file" "\"file\" is the first key"
run decode "$TMP/good.bin" "$TMP/bad.bin"
expect_rc 1 "several files, one with an error"
run decode --input record "$TMP/good.bin" "$TMP/good.bin"
expect_rc 0 "several good files"
run decode --input record "$TMP/bad.bin" "$TMP/missing.etl"
expect_rc 3 "I/O failure outranks an error"

# ---- write failures ---------------------------------------------------------------
if [ -w /dev/full ]; then
    "$ETWHF" decode --input record "$TMP/good.bin" >/dev/full 2>"$TMP/err"
    RC=$?
    expect_rc 3 "stdout is /dev/full"
    expect_match "$(cat "$TMP/err")" "cannot write to standard output: No space left on device" "/dev/full: message"
    python3 "$TESTS_DIR/mketl.py" "$TMP/trace.etl"
    "$ETWHF" info "$TMP/trace.etl" >/dev/full 2>"$TMP/err"
    RC=$?
    expect_rc 3 "info: stdout is /dev/full"
    expect_match "$(cat "$TMP/err")" "cannot write to standard output" "info to /dev/full: message"
fi

# ---- SIGINT: exit 130 ----------------------------------------------------------------
# The decoder blocks on a FIFO that never delivers; SIGINT comes once it is
# blocked there.
mkfifo "$TMP/fifo"
exec 9<>"$TMP/fifo" # hold the FIFO open so the reader never sees end of input
interrupt_reading "$TMP/fifo" decode --input record "$TMP/fifo"
exec 9>&-
expect_rc 130 "SIGINT while reading"
expect_match "$(cat "$TMP/err")" "etwhf decode: interrupted" "SIGINT: handled (message), not a kill"

finish
