#!/usr/bin/env bash
# `etwhf decode --input record|payload` on hand-written bytes: the exact JSON
# lines of docs/spec/output.md §2, CSV, text, filters, standard input, strict mode.
. "$(dirname "$0")/lib.sh" "$@"

# docs/spec/format.md §8, byte for byte (TID 0x1A2C, PID 0x0F10, SystemTime 0x1234567890).
REC64='02 00 02 C0 34 00 24 10 2C 1A 00 00 10 0F 00 00
       90 78 56 34 12 00 00 00 00 00 00 00 00 00 00 00
       00 00 A5 C4 D2 01 00 00 A0 F3 A5 C4 D2 01 00 00
       03 00 00 00 | 00 00 00 00'
REC32='02 00 01 C0 2C 00 24 10 2C 1A 00 00 10 0F 00 00
       90 78 56 34 12 00 00 00 00 00 00 00 00 00 00 00
       00 00 A5 00 A0 F3 A5 00 03 00 00 00 | 00 00 00 00'
LINE64='{"type":"HeapFree","buffer":null,"offset":0,"header":"system64","version":2,"pointer_size":8,"cpu":0,"pid":3856,"tid":6700,"timestamp":"78187493520","heap_handle":"0x1d2c4a50000","address":"0x1d2c4a5f3a0","source":3,"source_name":"MAINPATH"}'
LINE32_AT56='{"type":"HeapFree","buffer":null,"offset":56,"header":"system32","version":2,"pointer_size":4,"cpu":0,"pid":3856,"tid":6700,"timestamp":"78187493520","heap_handle":"0xa50000","address":"0xa5f3a0","source":3,"source_name":"MAINPATH"}'

hexfile "$TMP/rec64.bin" "$REC64"
hexfile "$TMP/rec32.bin" "$REC32"
hexfile "$TMP/both.bin" "$REC64" "$REC32"

run decode --input record "$TMP/rec64.bin"
expect_rc 0 "64-bit record"
expect_eq "$OUT" "$LINE64" "64-bit docs/spec/format.md §8 record: exact JSON line"

run decode --input record "$TMP/both.bin"
expect_rc 0 "two records"
expect_eq "$OUT" "$LINE64
$LINE32_AT56" "64-bit then 32-bit record: exact JSON lines, second at offset 56"

# The record without its alignment pad is still a whole record.
head -c 52 "$TMP/rec64.bin" >"$TMP/rec64_nopad.bin"
run decode --input record "$TMP/rec64_nopad.bin"
expect_eq "$OUT" "$LINE64" "record without its trailing pad"

# Standard input, with --opt=value spelling.
STDIN="$TMP/rec64.bin" run decode --input=record -
expect_rc 0 "stdin"
expect_eq "$OUT" "$LINE64" "'-' reads standard input"

# --stats: the summary comes last and counts the record.
run decode --input record --stats "$TMP/both.bin"
expect_eq "$(jqo 'select(.type=="summary")')" \
    '{"type":"summary","buffers":0,"buffers_skipped":0,"events_total":2,"heap_free":2,"heap_alloc":0,"heap_realloc":0,"errors":0,"warnings":0,"bytes":104}' \
    "summary line of a bare record input"
expect_eq "$(jqo '.type' | tail -n 1)" "summary" "summary is the last line"
run decode --input record --stats --quiet "$TMP/both.bin"
expect_eq "$(jqo '.type')" "summary" "--stats --quiet prints only the summary"

# ---- payloads -----------------------------------------------------------------
# 64-bit HeapFree payload of §5.4 (20 bytes).
hexfile "$TMP/free64.bin" '00 00 A5 C4 D2 01 00 00 A0 F3 A5 C4 D2 01 00 00 03 00 00 00'
run decode --input payload --pointer-size 8 "$TMP/free64.bin"
expect_rc 0 "free payload"
expect_eq "$OUT" \
    '{"type":"HeapFree","buffer":null,"offset":0,"header":null,"version":null,"pointer_size":8,"cpu":0,"pid":null,"tid":null,"timestamp":"0","heap_handle":"0x1d2c4a50000","address":"0x1d2c4a5f3a0","source":3,"source_name":"MAINPATH"}' \
    "64-bit free payload: exact JSON line (no header: header, version, pid, tid null)"
expect_eq "$(jqo 'keys_unsorted | join(",")')" \
    'type,buffer,offset,header,version,pointer_size,cpu,pid,tid,timestamp,heap_handle,address,source,source_name' \
    "HeapFree key order"

# 32-bit HeapAlloc payload: heap, size, address, source 1.
hexfile "$TMP/alloc32.bin" '00 00 A5 00 | 40 00 00 00 | 10 20 A5 00 | 01 00 00 00'
run decode --input payload --pointer-size 4 --event alloc "$TMP/alloc32.bin"
expect_rc 0 "alloc payload"
expect_eq "$(jqo '[.type, .pointer_size, .heap_handle, .size, .address, .source, .source_name] | @csv')" \
    '"HeapAlloc",4,"0xa50000","0x40","0xa52010",1,"LOOKASIDE"' "32-bit alloc payload values"
expect_eq "$(jqo 'keys_unsorted | .[10:] | join(",")')" 'heap_handle,size,address,source,source_name' \
    "HeapAlloc key order"
run decode --input payload --pointer-size 4 --event alloc --format csv "$TMP/alloc32.bin"
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" ',HeapAlloc,,0,,,,4,0,,,0,0xa50000,0xa52010,0x40,,,,,1,LOOKASIDE' \
    "csv row of a bare payload: no header, version, pid, tid"
run decode --input payload --pointer-size 4 --event alloc --format text "$TMP/alloc32.bin"
expect_match "$OUT" '^HeapAlloc +buf +- off +0 - +v- cpu +0 pid +- tid +- time +0 heap 0x00a50000 address 0x00a52010 size +64 source 1 \(LOOKASIDE\)$' \
    "text line of a bare payload"

# 64-bit HeapReAlloc payload: heap, new, old, new size, old size, source 4.
hexfile "$TMP/realloc64.bin" '00 00 A5 C4 D2 01 00 00  00 10 A6 C4 D2 01 00 00  A0 F3 A5 C4 D2 01 00 00
                              00 01 00 00 00 00 00 00  80 00 00 00 00 00 00 00  04 00 00 00'
run decode --input payload --pointer-size 8 --event realloc "$TMP/realloc64.bin"
expect_rc 0 "realloc payload"
expect_eq "$(jqo '[.type, .heap_handle, .new_address, .old_address, .new_size, .old_size, .source_name] | @csv')" \
    '"HeapReAlloc","0x1d2c4a50000","0x1d2c4a61000","0x1d2c4a5f3a0","0x100","0x80","SLOWPATH"' \
    "64-bit realloc payload values"
expect_eq "$(jqo 'keys_unsorted | .[10:] | join(",")')" \
    'heap_handle,new_address,old_address,new_size,old_size,source,source_name' "HeapReAlloc key order"

# Source 6 and 9: warnings, the event is still delivered, exit 0.
hexfile "$TMP/src6.bin" '00 00 A5 00 A0 F3 A5 00 06 00 00 00'
run decode --input payload --pointer-size 4 "$TMP/src6.bin"
expect_rc 0 "a warning is not an error"
expect_eq "$(jqo '[.type, .code // .source_name] | @csv')" '"diag","SOURCE_RESERVED"
"HeapFree","SEGMENT_HEAP"' "Source 6: SOURCE_RESERVED before its event"
hexfile "$TMP/src9.bin" '00 00 A5 00 A0 F3 A5 00 09 00 00 00'
run decode --input payload --pointer-size 4 "$TMP/src9.bin"
expect_eq "$(jqo 'select(.type=="HeapFree") | .source_name')" "null" "unknown Source: source_name null"
expect_eq "$(jqo 'select(.type=="diag") | [.severity, .code, .code_num, .buffer, .offset] | @csv')" \
    '"warning","SOURCE_UNKNOWN",28,,0' "unknown Source: warning with buffer null"

# A short payload: error diagnostic, no event, exit 1.
head -c 10 "$TMP/free64.bin" >"$TMP/short.bin"
run decode --input payload --pointer-size 8 "$TMP/short.bin"
expect_rc 1 "short payload is an error"
expect_eq "$(jqo '[.type, .severity, .code, .code_num, .buffer, .offset, (.message|type)] | @csv')" \
    '"diag","error","HEAP_PAYLOAD_SHORT",25,,0,"string"' "short payload diag line"
: >"$TMP/empty.bin"
run decode --input payload --pointer-size 8 "$TMP/empty.bin"
expect_rc 1 "empty payload"
expect_eq "$(jqo .code)" "FILE_EMPTY" "empty payload: FILE_EMPTY"

# ---- --type and filters -------------------------------------------------------
# A record stream: free (pid 0x0F10), alloc (pid 7, tid 9, other heap), realloc.
le32() { printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }
mk_rec() { # mk_rec HOOKTYPE PID TID PAYLOAD-HEX... (a system64 record, TID at +8, PID at +0xC)
    local type=$1 pid=$2 tid=$3
    shift 3
    local payload
    payload=$(printf '%s' "$*" | tr -d ' ')
    local size=$((0x20 + ${#payload} / 2))
    printf '0200 02C0 %02x%02x %s10 %s %s 9078563412000000 0000000000000000 %s' \
        $((size & 255)) $((size >> 8)) "$type" \
        "$(le32 "$tid")" "$(le32 "$pid")" "$payload"
    local pad=$(((8 - size % 8) % 8))
    [ "$pad" -gt 0 ] && printf '%0*d' $((pad * 2)) 0
    printf ' '
}
HEAPA='0000A5C4D2010000'
HEAPB='0000B6C4D2010000'
{
    mk_rec 24 3856 6700 "$HEAPA A0F3A5C4D2010000 03000000"
    mk_rec 21 7 9 "$HEAPB 4000000000000000 1020B6C4D2010000 02000000"
    mk_rec 22 3856 6701 "$HEAPA 0010A6C4D2010000 A0F3A5C4D2010000 0001000000000000 8000000000000000 04000000"
} >"$TMP/mixed.hex"
hexfile "$TMP/mixed.bin" "$(cat "$TMP/mixed.hex")"

run decode --input record "$TMP/mixed.bin"
expect_rc 0 "mixed records"
expect_eq "$(jqo .type | tr '\n' ' ')" "HeapFree HeapAlloc HeapReAlloc " "all three types by default"
run decode --input record --type alloc "$TMP/mixed.bin"
expect_eq "$(jqo .type)" "HeapAlloc" "--type alloc"
run decode --input record --type realloc --stats "$TMP/mixed.bin"
expect_eq "$(jqo .type | tr '\n' ' ')" "HeapReAlloc summary " "--type realloc keeps the summary"
expect_eq "$(jqo 'select(.type=="summary") | [.heap_free,.heap_alloc,.heap_realloc] | @csv')" "1,1,1" \
    "summary counts every event whatever --type prints"
run decode --input record --pid 3856 "$TMP/mixed.bin"
expect_eq "$(jqo .type | tr '\n' ' ')" "HeapFree HeapReAlloc " "--pid 3856"
run decode --input record --pid 0xF10 --tid 6701 "$TMP/mixed.bin"
expect_eq "$(jqo .type)" "HeapReAlloc" "--pid (hex) and --tid together"
run decode --input record --heap 0x1d2c4b60000 "$TMP/mixed.bin"
expect_eq "$(jqo .type)" "HeapAlloc" "--heap in hex"
run decode --input record --heap 2004753907712 "$TMP/mixed.bin"
expect_eq "$(jqo .type | tr '\n' ' ')" "HeapFree HeapReAlloc " "--heap in decimal"
run decode --input record --quiet "$TMP/mixed.bin"
expect_eq "$OUT" "" "--quiet prints no event"
expect_rc 0 "--quiet exit status"

# ---- CSV and text ---------------------------------------------------------------
CSV_HEADER='file,type,buffer,offset,inner_offset,header,version,pointer_size,cpu,pid,tid,timestamp,heap_handle,address,size,new_address,old_address,new_size,old_size,source,source_name'
run decode --input record --format csv "$TMP/both.bin"
expect_rc 0 "csv"
expect_eq "$OUT" "$CSV_HEADER
,HeapFree,,0,,system64,2,8,0,3856,6700,78187493520,0x1d2c4a50000,0x1d2c4a5f3a0,,,,,,3,MAINPATH
,HeapFree,,56,,system32,2,4,0,3856,6700,78187493520,0xa50000,0xa5f3a0,,,,,,3,MAINPATH" "csv header and rows"
run decode --input record --format csv "$TMP/mixed.bin"
expect_eq "$(printf '%s\n' "$OUT" | sed -n 3p)" \
    ',HeapAlloc,,56,,system64,2,8,0,7,9,78187493520,0x1d2c4b60000,0x1d2c4b62010,0x40,,,,,2,LOWFRAG' "csv alloc row"
expect_eq "$(printf '%s\n' "$OUT" | sed -n 4p)" \
    ',HeapReAlloc,,120,,system64,2,8,0,3856,6701,78187493520,0x1d2c4a50000,,,0x1d2c4a61000,0x1d2c4a5f3a0,0x100,0x80,4,SLOWPATH' \
    "csv realloc row"
expect_eq "$(printf '%s\n' "$OUT" | awk -F, '{print NF}' | sort -u)" "21" "every csv row has 21 fields"
run decode --input payload --pointer-size 8 --format csv --stats "$TMP/short.bin"
expect_rc 1 "csv with an error"
expect_eq "$OUT" "$CSV_HEADER" "csv: diagnostics are not rows"
expect_eq "$(printf '%s\n' "$ERR" | jq -rc '.type' | tr '\n' ' ')" "diag summary " \
    "csv: diag and summary as JSON lines on stderr"

run decode --input record --format text "$TMP/mixed.bin"
expect_rc 0 "text"
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" "3" "text: one line per event"
expect_match "$(printf '%s\n' "$OUT" | head -n 1)" \
    '^HeapFree +buf +- off +0 system64 +v2 cpu +0 pid +3856 tid +6700 time +78187493520 heap 0x000001d2c4a50000 address 0x000001d2c4a5f3a0 source 3 \(MAINPATH\)$' \
    "text free line"
expect_match "$(printf '%s\n' "$OUT" | sed -n 3p)" \
    '^HeapReAlloc +buf +- off +120 .* new 0x000001d2c4a61000 old 0x000001d2c4a5f3a0 new size +256 old size +128 source 4 \(SLOWPATH\)$' \
    "text realloc line"
expect_eq "$(printf '%s\n' "$OUT" | awk '{print index($0, " heap ")}' | sort -u)" \
    "$(printf '%s\n' "$OUT" | head -n 1 | awk '{print index($0, " heap ")}')" "text columns are aligned"
run decode --input payload --pointer-size 8 --format text "$TMP/short.bin"
expect_eq "$OUT" "" "text: no event for a short payload"
expect_match "$ERR" "^etwhf decode: $TMP/short.bin: error HEAP_PAYLOAD_SHORT \(25\) at offset 0: ." \
    "text: diagnostic sentence on stderr"

# ---- strict mode ----------------------------------------------------------------
# A short free (Size 0x2C in a 64-bit header: 12-byte payload), a good free,
# then a record without the trace-header flag: recover reports both errors and
# the event between them; strict stops at the first.
{
    mk_rec 24 1 1 "$HEAPA A0F3A5C4"
    mk_rec 24 2 2 "$HEAPA A0F3A5C4D2010000 03000000"
    printf '0000000010000000'
} >"$TMP/strict.hex"
hexfile "$TMP/strict.bin" "$(cat "$TMP/strict.hex")"
run decode --input record --stats "$TMP/strict.bin"
expect_rc 1 "recover mode with errors"
expect_eq "$(jqo '.code // .type' | tr '\n' ' ')" "HEAP_PAYLOAD_SHORT HeapFree MARKER summary " \
    "recover: both errors and the event between them"
run decode --input record --mode strict --stats "$TMP/strict.bin"
expect_rc 1 "strict mode"
expect_eq "$(jqo '.code // .type' | tr '\n' ' ')" "HEAP_PAYLOAD_SHORT summary " "strict stops at the first error"
expect_eq "$(jqo 'select(.type=="summary") | [.errors, .heap_free] | @csv')" "1,0" "strict summary counts"
run decode --input record --strict "$TMP/strict.bin"
expect_eq "$(jqo '.code // .type')" "HEAP_PAYLOAD_SHORT" "--strict is --mode strict"

finish
