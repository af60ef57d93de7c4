#!/usr/bin/env bash
# Issue 23, row 7: a FIFO whose writer sends 160 KiB of a trace and stalls.
# Everything those bytes hold must be printed while `etwhf decode` waits for
# more (the decoder's on_wait hook flushes before a read that would block),
# not when the input ends; then a signal ends the wait (exit 130).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# 8 KiB buffers: 160 KiB is 20 whole buffers, every event of which the walk
# delivers before the input goes on.
bounded gen --etl "$TMP/t.etl" --events 20000 --seed 7 --buffer-size 8K
expect_rc 0 "a trace to stream"
head -c 163840 "$TMP/t.etl" >"$TMP/prefix.etl"
bounded decode "$TMP/prefix.etl"
# The prefix as a file ends with what only its end can say (F5.2 at 163840);
# every line before that is what the stalled decode must have printed.
grep -v '"offset":163840,' "$TMP/out" >"$TMP/want"
CHECKS=$((CHECKS + 1))
[ "$(grep -c HeapFree "$TMP/want")" -gt 700 ] || fail "the 160 KiB prefix holds too few events to tell"

for format in jsonl text; do
    mkfifo "$TMP/fifo"
    exec 9<>"$TMP/fifo" # a writer that never closes: the input stalls, never ends
    start decode --format "$format" "$TMP/fifo"
    head -c 163840 "$TMP/t.etl" >"$TMP/fifo" &
    FEED=$!
    wait "$FEED"
    # Every byte sent has been read once decode waits in read() on an empty FIFO.
    proc_wait_until "decode to wait for more input" proc_interruptible_read "$PID" "$TMP/fifo" ||
        fail "$format: decode never waited on the stalled FIFO"
    cp "$TMP/out" "$TMP/seen-while-stalled"
    stop_with INT 130 "$format: decode of a stalled FIFO, SIGINT"
    exec 9>&-
    rm -f "$TMP/fifo"
    if [ "$format" = jsonl ]; then
        CHECKS=$((CHECKS + 1))
        cmp -s "$TMP/seen-while-stalled" "$TMP/want" ||
            fail "jsonl: while the input stalled, decode had printed $(wc -l <"$TMP/seen-while-stalled") lines of the $(wc -l <"$TMP/want") it had decoded"
    else
        expect_eq "$(grep -c '^HeapFree' "$TMP/seen-while-stalled")" "$(grep -c HeapFree "$TMP/want")" \
            "text: every HeapFree decoded was printed while the input stalled"
    fi
done

# A FIFO as the second FILE: open() waits for its writer, and what the first
# FILE gave (events and a diagnostic) is out before it does.
printf 'not a trace at all' >"$TMP/bad.bin"
mkfifo "$TMP/fifo"
start decode "$TMP/prefix.etl" "$TMP/bad.bin" "$TMP/fifo"
proc_wait_until "decode to wait in open() of the third FILE" proc_opening "$PID" ||
    fail "decode never waited in open() of a FIFO"
expect_eq "$(grep -c HeapFree "$TMP/out")" "$(grep -c HeapFree "$TMP/want")" \
    "every event of the first FILE was written before decode waited on the third"
expect_eq "$(grep -c FILE_TOO_SHORT "$TMP/out")" 1 "the second FILE's diagnostic was written before decode waited"
stop_with INT 130 "decode FILE FILE FIFO, SIGINT while the FIFO's open() waits"

finish
