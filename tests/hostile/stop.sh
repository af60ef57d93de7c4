#!/usr/bin/env bash
# Issue 23, rows 1, 8 and 11 (decode): SIGINT, SIGTERM and SIGHUP stop
# `etwhf decode` and `etwhf info` whatever the input — reads that never block
# (/dev/zero, a fast pipe), an open() that waits for a FIFO's writer — with
# exit 128 + the signal; diagnostics appear when they are known, not when the
# input ends; strict mode stops reading at its first error.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

HUP=$(hup_or_term)
code() { echo $((128 + $(kill -l "$1"))); }
codes() { printf '%s\n' "$OUT" | jq -r 'select(.type=="diag") | .code' | paste -sd, -; }

# ---- /dev/zero, recover: F2 and F3.5 at byte 72, then the rest is counted ----
# The two diagnostics must be written while the count goes on (on_wait), not
# at the end of an input that has none.
start decode /dev/zero
proc_wait_until "decode /dev/zero to write its diagnostics" grep -q BUFFER_SIZE "$TMP/out" ||
    fail "decode /dev/zero: the diagnostics known at byte 72 were not written while it read"
stop_with INT 130 "decode /dev/zero, SIGINT"
expect_eq "$(codes)" "LOGFILE_MISSING,BUFFER_SIZE" "decode /dev/zero: the two diagnostics, each once"

# ---- /dev/zero as a record sequence: MARKER at 0, then counting; SIGTERM ----
start decode --input record /dev/zero
proc_wait_until "decode --input record /dev/zero to write MARKER" grep -q MARKER "$TMP/out" ||
    fail "decode --input record /dev/zero: MARKER was not written while it read"
stop_with TERM "$(code TERM)" "decode --input record /dev/zero, SIGTERM"
expect_eq "$(codes)" "MARKER" "decode --input record /dev/zero: MARKER once"

# ---- a pipe that never ends: cat /dev/zero | etwhf decode -; SIGHUP ---------
cat /dev/zero | "$ETWHF" decode --stats - >"$TMP/out" 2>"$TMP/err" &
PID=$!
proc_wait_until "decode - to write its diagnostics" grep -q BUFFER_SIZE "$TMP/out" ||
    fail "cat /dev/zero | decode -: the diagnostics were not written while it read"
stop_with "$HUP" "$(code "$HUP")" "cat /dev/zero | decode -, SIG$HUP"
expect_eq "$(codes)" "LOGFILE_MISSING,BUFFER_SIZE" "cat /dev/zero | decode -: the two diagnostics"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.type=="summary")' )" "" "an interrupted file gets no summary"

# ---- strict mode stops reading at its first error -------------------------------
bounded decode --strict /dev/zero
expect_rc 1 "decode --strict /dev/zero ends by itself"
expect_eq "$(codes)" "LOGFILE_MISSING" "decode --strict /dev/zero: the first error only"
bounded decode --strict --input record /dev/zero
expect_rc 1 "decode --strict --input record /dev/zero ends by itself"
expect_eq "$(codes)" "MARKER" "decode --strict --input record /dev/zero: MARKER only"
# 300 MB through a pipe: the stop comes after the first chunk, and `bytes`
# says how much was read (docs/spec/output.md §2.4), far from all of it.
mkfifo "$TMP/zfifo"
head -c 300M /dev/zero >"$TMP/zfifo" 2>/dev/null &
FEED=$!
bounded decode --strict --stats "$TMP/zfifo"
kill "$FEED" 2>/dev/null
wait "$FEED" 2>/dev/null
expect_rc 1 "head -c 300M /dev/zero | decode --strict: ends at its first error"
bytes=$(printf '%s\n' "$OUT" | jq -r 'select(.type=="summary") | .bytes')
CHECKS=$((CHECKS + 1))
[ -n "$bytes" ] && [ "$bytes" -lt 314572800 ] ||
    fail "decode --strict on a 300 MB pipe read on after its first error (bytes $bytes)"
# A regular file in strict mode still counts its whole length, from its size
# (a sparse file: nothing is written to disk).
truncate -s 300M "$TMP/zeros"
bounded decode --strict --stats "$TMP/zeros"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.type=="summary") | .bytes')" 314572800 \
    "decode --strict on a regular file: bytes is its length"
rm -f "$TMP/zeros"

# ---- a FIFO nobody writes to: open() waits; the signal ends it (row 8) ----------
mkfifo "$TMP/fifo"
for sig in INT TERM "$HUP"; do
    start decode "$TMP/fifo"
    proc_wait_until "decode FIFO to wait in open()" proc_opening "$PID" || fail "decode FIFO never waited in open()"
    stop_with "$sig" "$(code "$sig")" "decode FIFO without a writer, SIG$sig"
    expect_eq "$(grep -c 'Interrupted system call' "$TMP/err")" 0 "decode FIFO, SIG$sig: not reported as an I/O error"
done
start info "$TMP/fifo"
proc_wait_until "info FIFO to wait in open()" proc_opening "$PID" || fail "info FIFO never waited in open()"
stop_with TERM "$(code TERM)" "info FIFO without a writer, SIGTERM"
expect_eq "$OUT" "" "an interrupted info prints nothing"
# In a batch too: a request naming the FIFO.
printf '{"id":1,"file":"%s","layer":"file","mode":"recover"}\n' "$TMP/fifo" >"$TMP/req"
STDIN="$TMP/req" start decode --batch
proc_wait_until "decode --batch to wait in open()" proc_opening "$PID" || fail "decode --batch never waited in open()"
stop_with INT 130 "decode --batch on a FIFO without a writer, SIGINT"

finish
