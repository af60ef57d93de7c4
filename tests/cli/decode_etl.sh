#!/usr/bin/env bash
# `etwhf decode` and `etwhf info` on whole traces written by mketl.py (straight
# from docs/spec/format.md, not by etwhf's generator): buffer/offset/cpu of events,
# perfinfo events, several files, --wall-clock for each clock type, info's JSON.
. "$(dirname "$0")/lib.sh" "$@"
mketl() { python3 "$TESTS_DIR/mketl.py" "$@" || fail "mketl.py $*"; }

START=132394766711387363 # 2020-07-17T16:24:31.1387363Z
T0='2020-07-17T16:24:31.1387363Z'

# ---- events in a trace ---------------------------------------------------------------
mketl "$TMP/t.etl" --cpu 3 --event free --event 'alloc:hdr=system32,heap=0xa50000,addr=0xa52010,size=16,src=2' \
    --event 'free:hdr=perfinfo64,src=1' --event 'realloc:pid=7,tid=8'
run decode --stats "$TMP/t.etl"
expect_rc 0 "intact trace"
expect_eq "$(jqo 'select(.type|startswith("Heap")) | [.type, .buffer, .offset, .header, .cpu, .pid, .tid] | @csv')" \
    '"HeapFree",1,4168,"system64",3,3856,6700
"HeapAlloc",1,4224,"system32",3,3856,6700
"HeapFree",1,4272,"perfinfo64",3,,
"HeapReAlloc",1,4312,"system64",3,7,8' "buffer index, file offsets, header names, cpu, ids (null for perfinfo)"
expect_eq "$(jqo 'select(.type=="HeapFree") | .timestamp' | head -n 1)" "1000000000" "raw timestamp"
expect_eq "$(jqo 'select(.type=="summary") | [.buffers, .buffers_skipped, .events_total, .heap_free, .heap_alloc, .heap_realloc, .errors, .warnings, .bytes] | @csv')" \
    "2,0,5,2,1,1,0,0,8192" "summary of the trace"
expect_eq "$(jqo 'select(has("inner_offset"))' | wc -l)" "0" "no inner_offset outside expanded buffers"
expect_eq "$(jqo 'select(.type=="diag")' | wc -l)" "0" "no diagnostics"

run decode --format text "$TMP/t.etl"
expect_match "$(printf '%s\n' "$OUT" | sed -n 3p)" '^HeapFree +buf +1 off +4272 perfinfo64 v2 cpu +3 pid +- tid +- ' \
    "text: perfinfo event without ids"

# --buffer-limit: 4 KiB buffers fit 4K, not 72 bytes (then no stride is usable).
run decode --buffer-limit=4K --quiet --stats "$TMP/t.etl"
expect_rc 0 "--buffer-limit 4K"
run decode --buffer-limit 72 --quiet "$TMP/t.etl"
expect_rc 1 "--buffer-limit 72"
expect_eq "$(jqo 'select(.severity=="error") | .code')" "BUFFER_SIZE" "--buffer-limit 72: BUFFER_SIZE"

# Several files: every line has "file", each file its summary.
cp "$TMP/t.etl" "$TMP/u,v.etl"
run decode --stats --type free "$TMP/t.etl" "$TMP/u,v.etl"
expect_rc 0 "two traces"
expect_eq "$(jqo '[.file, .type] | @csv')" "\"$TMP/t.etl\",\"HeapFree\"
\"$TMP/t.etl\",\"HeapFree\"
\"$TMP/t.etl\",\"summary\"
\"$TMP/u,v.etl\",\"HeapFree\"
\"$TMP/u,v.etl\",\"HeapFree\"
\"$TMP/u,v.etl\",\"summary\"" "two files: lines in file order, each named"
run decode --format csv --type alloc "$TMP/t.etl" "$TMP/u,v.etl"
ROW=',HeapAlloc,1,4224,,system32,2,4,3,3856,6700,1000000000,0xa50000,0xa52010,0x10,,,,,2,LOWFRAG'
expect_eq "$(printf '%s\n' "$OUT" | tail -n 2)" "$TMP/t.etl$ROW
\"$TMP/u,v.etl\"$ROW" "csv: the file column, quoted when it holds a comma"

# Compressed buffer: offset is the buffer's, inner_offset the record's in the
# expanded bytes (first record at 0x48); diagnostics there carry it too.
mketl "$TMP/c.etl" --compress --cpu 2 --event free --event 'free:src=9'
run decode --stats "$TMP/c.etl"
expect_rc 0 "compressed trace"
expect_eq "$(jqo 'select(.type!="summary") | [.type, .code // "", .buffer, .offset, .inner_offset] | @csv')" \
    '"HeapFree","",1,4096,72
"diag","SOURCE_UNKNOWN",1,4096,128
"HeapFree","",1,4096,128' "compressed: offsets of events and diagnostics"
expect_eq "$(jqo 'select(.type!="summary") | keys_unsorted | .[index("offset") + 1]' | sort -u)" "inner_offset" \
    "inner_offset follows offset"
run decode --format csv "$TMP/c.etl"
expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f3-5)" "1,4096,72" "csv: buffer, offset, inner_offset"

# `bytes` is the input's length however it arrives: a strict stop early in a
# file, the same bytes through a pipe, and input that is not a trace at all
# (read in one piece or in many) all count every byte (the library's reader,
# which decode uses, measures a regular file's rest and drains a pipe).
mketl "$TMP/s.etl" --event free --event free
printf '\x00' | dd of="$TMP/s.etl" bs=1 seek=$((4096 + 0x48 + 3)) conv=notrunc 2>/dev/null # MARKER
head -c 3000000 /dev/zero | tr '\0' '\377' >>"$TMP/s.etl"
size=$(stat -c %s "$TMP/s.etl")
run decode --strict --stats "$TMP/s.etl"
expect_rc 1 "strict: the first error"
expect_eq "$(jqo 'select(.type=="diag") | .code')" "MARKER" "strict: the MARKER diagnostic"
expect_eq "$(jqo 'select(.type=="summary") | .bytes')" "$size" "strict stop: bytes is the file's length"
file_summary=$(jqo -c 'select(.type=="summary")')
"$ETWHF" decode --strict --stats - <"$TMP/s.etl" >"$TMP/out" 2>"$TMP/err"
RC=$?
expect_rc 1 "strict through a pipe"
expect_eq "$(jq -c 'select(.type=="summary")' <"$TMP/out")" "$file_summary" "strict: the same summary through a pipe"
head -c 3000000 /dev/urandom >"$TMP/random.bin"
run decode --stats --quiet "$TMP/random.bin"
expect_eq "$(jqo 'select(.type=="summary") | .bytes')" "3000000" "not a trace: bytes is the file's length"
cat "$TMP/random.bin" | "$ETWHF" decode --stats --quiet - >"$TMP/out" 2>"$TMP/err"
expect_eq "$(jq -r 'select(.type=="summary") | .bytes' <"$TMP/out")" "3000000" "not a trace, through a pipe: the same"

# ---- --wall-clock ----------------------------------------------------------------------
wall() { # wall DESCRIPTION EXPECTED-TIMESTAMPS MKETL-ARGS...
    local what=$1 expected=$2
    shift 2
    mketl "$TMP/w.etl" --start "$START" "$@"
    run decode --wall-clock "$TMP/w.etl"
    expect_rc 0 "$what"
    expect_eq "$(jqo 'select(.type=="HeapFree") | .timestamp' | tr '\n' ' ')" "$expected" "$what"
}
# QPC at 3 MHz: one tick is 3.33 units of 100 ns, rounded down (before the
# logfile record too); 3,000,000 ticks are one second.
wall "clock 1 (QPC)" "$T0 2020-07-17T16:24:31.1387366Z 2020-07-17T16:24:32.1387363Z 2020-07-17T16:24:31.1387359Z " \
    --clock 1 --perf-freq 3000000 --header-ts 1000000000 \
    --event free:ts=+0 --event free:ts=+1 --event free:ts=+3000000 --event free:ts=999999999
wall "clock 2 (system time)" "$T0 1601-01-01T00:00:00.0000000Z 9999-12-31T23:59:59.9999999Z " \
    --clock 2 --event "free:ts=$START" --event free:ts=0 --event free:ts=2650467743999999999
wall "clock 3 (CPU cycles at 2500 MHz)" "$T0 $T0 2020-07-17T16:24:32.1387363Z " \
    --clock 3 --cpu-mhz 2500 --event free:ts=+0 --event free:ts=+1 --event free:ts=+2500000000
run decode --wall-clock --format csv "$TMP/w.etl"
expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f12)" "$T0" "--wall-clock in csv"
run decode --wall-clock --format text "$TMP/w.etl"
expect_match "$(printf '%s\n' "$OUT" | head -n 1)" " time $T0 heap " "--wall-clock in text"

# Without a usable clock the timestamps stay raw, and stderr says so once.
mketl "$TMP/w.etl" --clock 7 --event free --event free
run decode --wall-clock "$TMP/w.etl"
expect_eq "$(jqo .timestamp | tr '\n' ' ')" "1000000000 1000000000 " "unknown clock type: raw values"
expect_eq "$(printf '%s\n' "$ERR" | grep -c 'wall-clock')" "1" "unknown clock type: said once"
mketl "$TMP/w.etl" --clock 1 --perf-freq 0 --event free
run decode --wall-clock "$TMP/w.etl"
expect_match "$ERR" "PerfFreq is 0" "PerfFreq 0: said why"
hexfile "$TMP/rec.bin" '02 00 02 C0 34 00 24 10 2C 1A 00 00 10 0F 00 00
    90 78 56 34 12 00 00 00 00 00 00 00 00 00 00 00
    00 00 A5 C4 D2 01 00 00 A0 F3 A5 C4 D2 01 00 00 03 00 00 00 00 00 00 00'
cat "$TMP/rec.bin" "$TMP/rec.bin" >"$TMP/rec2.bin"
run decode --wall-clock --input record "$TMP/rec2.bin"
expect_rc 0 "--wall-clock on a bare record"
expect_eq "$(jqo .timestamp | tr '\n' ' ')" "78187493520 78187493520 " "bare records: raw values"
expect_eq "$(printf '%s\n' "$ERR" | grep -c 'no logfile record; timestamps stay raw')" "1" "bare records: said once"

# ---- info --------------------------------------------------------------------------------
mketl "$TMP/i.etl" --start "$START" --mode 0x04000001 --clock 1
run info "$TMP/i.etl"
expect_rc 0 "info"
expect_eq "$OUT" '{"logger_name":"etwhf test","log_file_name":"C:\\etwhf\\test.etl","buffer_size":4096,"buffers_written":2,"pointer_size":8,"number_of_processors":2,"events_lost":0,"buffers_lost":0,"log_file_mode":"0x04000001","compressed":true,"provider_version":19041,"cpu_speed_mhz":3000,"timer_resolution":156250,"perf_freq":10000000,"clock_type":1,"start_time":"2020-07-17T16:24:31.1387363Z","end_time":"2020-07-17T16:24:41.1387363Z","boot_time":"2020-07-16T19:06:40.0000000Z"}' \
    "info: exact JSON object"
STDIN="$TMP/i.etl" run info -
expect_eq "$(jqo .logger_name)" "etwhf test" "info reads standard input"

# info stops after the logfile record: a huge tail of garbage is never read.
mketl "$TMP/big.etl" --start "$START"
head -c 4096 "$TMP/big.etl" >"$TMP/head.etl"
(cat "$TMP/head.etl"; yes 'garbage' | head -c 50000000) >"$TMP/big.etl"
run info "$TMP/big.etl"
expect_rc 0 "info on a trace with a garbage tail"
expect_eq "$(jqo .start_time)" "$T0" "info on a trace with a garbage tail: start_time"
# From a FIFO that stays open, info must return without waiting for more input.
mkfifo "$TMP/fifo"
exec 9<>"$TMP/fifo"
cat "$TMP/head.etl" >&9
timeout 10 "$ETWHF" info "$TMP/fifo" >"$TMP/out" 2>"$TMP/err"
RC=$?
exec 9>&-
expect_rc 0 "info returns once the logfile record has arrived"

finish
