#!/usr/bin/env bash
# Issue 23, rows 3 and 4 (check): a manifest is untrusted input, read with
# bounds (docs/spec/manifest.md §3.2). A manifest that is /dev/zero or a FIFO
# is refused before it is read (no endless read, no blocked open), and so is
# such a --rerun-failed report; a line over
# 16 MiB is refused naming its line; running out of memory says so; a manifest
# cut short, with a repeated, out-of-order or extra case line is exit 3 naming
# what is wrong, never a green run. Every run is bounded (lib.sh `bounded`).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

io() { # io DESCRIPTION PATTERN ARGS...: exit 3 and a message matching PATTERN
    local what=$1 pattern=$2
    shift 2
    bounded check "$@"
    expect_rc 3 "$what"
    expect_match "$ERR" "$pattern" "$what: says what is wrong"
    expect_eq "$OUT" "" "$what: no report"
}
# corpus NAME: a folder with the cases of $TMP/c and its own manifest (stdin).
corpus() {
    mkdir -p "$TMP/$1" && cp -r "$TMP/c/cases" "$TMP/$1/cases" && cat >"$TMP/$1/manifest.jsonl"
}

bounded gen --out "$TMP/c" --count 200 --seed 23 --layer payload,record
expect_rc 0 "a 200-case corpus"
M=$TMP/c/manifest.jsonl
bounded check "$TMP/c"
expect_rc 0 "the intact corpus agrees (control)"

# ---- row 3: endless, blocking and over-long manifests -------------------------------------
mkdir "$TMP/zero" && ln -s /dev/zero "$TMP/zero/manifest.jsonl"
io "manifest.jsonl -> /dev/zero" "manifest.jsonl' is a character device, not a regular file" "$TMP/zero"
mkdir "$TMP/fifo" && mkfifo "$TMP/fifo/manifest.jsonl"
io "manifest.jsonl a FIFO without a writer" "manifest.jsonl' is a FIFO, not a regular file" "$TMP/fifo"
mkdir "$TMP/dir" "$TMP/dir/manifest.jsonl"
io "manifest.jsonl a folder" "manifest.jsonl' is a folder, not a regular file" "$TMP/dir"
# --rerun-failed's report is read under the same rule: a FIFO nobody writes or a device
# is refused before it is read.
mkfifo "$TMP/report.fifo"
io "--rerun-failed a FIFO without a writer" "--rerun-failed: .*report.fifo: not a regular file" "$TMP/c" --rerun-failed "$TMP/report.fifo"
io "--rerun-failed /dev/zero" "--rerun-failed: /dev/zero: not a regular file" "$TMP/c" --rerun-failed /dev/zero
{ head -n 2 "$M"; head -c 17000000 /dev/zero | tr '\0' 'x'; echo; tail -n +3 "$M"; } | corpus long
io "a 17 MB line" "manifest.jsonl line 3: longer than 16777216 bytes, the limit of a manifest line" "$TMP/long"
CHECKS=$((CHECKS + 1))
[ "$(wc -c <"$TMP/err")" -lt 1000 ] || fail "the message about an over-long line quotes it"
# A line without a newline at the end of the file is bounded too.
{ head -n 1 "$M"; head -c 17000000 /dev/zero | tr '\0' ' '; printf x; } | corpus tail
io "a 17 MB last line without a newline" "manifest.jsonl line 2: longer than 16777216 bytes" "$TMP/tail"

# Out of memory while a (valid, 16 MB) line is parsed: "out of memory", not
# "empty" or "not JSON". Not under a sanitizer, which reserves more address
# space than the limit.
if grep -qa '__asan_init' "$ETWHF"; then
    echo "note: sanitizer build, the memory-limit case is left out" >&2
else
    python3 -c 'import sys; sys.stdout.write("{\"manifest\":1,\"x\":[" + ",".join(["[]"] * 5000000) + "]}\n")' |
        corpus oom
    (ulimit -v 200000 && exec "$ETWHF" check "$TMP/oom") >"$TMP/out" 2>"$TMP/err"
    RC=$?
    expect_rc 3 "a manifest that does not fit in 200 MB"
    expect_match "$(cat "$TMP/err")" "manifest.jsonl line 1: out of memory" "running out of memory says so"
fi

# ---- row 4: the case lines against the first line -------------------------------------------
head -n 151 "$M" | corpus cut
io "cut to 150 of 200 cases" "manifest.jsonl: 150 case lines, but its first line's options.count is 200" "$TMP/cut"
bounded check "$TMP/cut" --id 3
expect_rc 3 "a cut manifest is refused whatever the selection"
{ head -n 101 "$M"; head -c 300 <(sed -n 102p "$M"); } | corpus cutline
io "cut inside a line" "manifest.jsonl line 102: not a JSON object" "$TMP/cutline"
{ head -n 11 "$M"; sed -n 11p "$M"; tail -n +12 "$M"; } | corpus dup
io "a duplicated id" "manifest.jsonl line 12: id 9 again \(line 11 has it\)" "$TMP/dup"
{ head -n 10 "$M"; sed -n 12p "$M"; sed -n 11p "$M"; tail -n +13 "$M"; } | corpus order
io "two ids swapped" "manifest.jsonl line 11: id 10 where id 9 is due" "$TMP/order"
{ head -n 10 "$M"; tail -n +12 "$M"; } | corpus gap
io "a case line missing" "manifest.jsonl line 11: id 10 where id 9 is due" "$TMP/gap"
{ cat "$M"; tail -n 1 "$M" | jq -c '.id = 200'; } | corpus extra
io "more case lines than count" "manifest.jsonl line 202: one case line more than the first line's options.count \(200\)" \
    "$TMP/extra"
{ head -n 1 "$M" | jq -c '.options.count = 300'; tail -n +2 "$M"; } | corpus count
io "a count larger than the lines" "200 case lines, but its first line's options.count is 300" "$TMP/count"

finish
