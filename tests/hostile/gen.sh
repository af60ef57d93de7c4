#!/usr/bin/env bash
# Issue 23, rows 9, 10, 11 and 14 (gen): `gen --etl` never replaces a file
# without --force; an option of the other mode, an empty list item or a
# single-value option given twice is a usage error; SIGTERM and SIGHUP leave
# no temporary and keep an existing file; an open() waiting for a FIFO's
# reader ends on a signal.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

HUP=$(hup_or_term)
code() { echo $((128 + $(kill -l "$1"))); }
usage() { expect_usage gen "$@"; } # usage DESCRIPTION PATTERN ARGS...

# ---- row 9: an existing FILE is replaced only with --force ------------------------
printf 'the user keeps this\n' >"$TMP/old.etl"
run gen --etl "$TMP/old.etl" --events 10
expect_rc 3 "gen --etl over an existing file"
expect_match "$ERR" "'$TMP/old.etl' exists \(use --force to replace it\)" "gen --etl over an existing file: message"
expect_eq "$(cat "$TMP/old.etl")" "the user keeps this" "gen --etl without --force: the file is unchanged"
: >"$TMP/empty.etl"
run gen --etl "$TMP/empty.etl" --events 10
expect_rc 3 "gen --etl over an existing empty file"
ln -s "$TMP/old.etl" "$TMP/link.etl"
run gen --etl "$TMP/link.etl" --events 10
expect_rc 3 "gen --etl over a link to a file"
expect_eq "$(cat "$TMP/old.etl")" "the user keeps this" "gen --etl over a link: the file is unchanged"
run gen --etl "$TMP/old.etl" --events 10 --force
expect_rc 0 "gen --etl --force replaces the file"
CHECKS=$((CHECKS + 1))
[ "$(head -c 4 "$TMP/old.etl" | od -An -tx1 | tr -d ' ')" != "74686520" ] || fail "--force did not replace the file"
run gen --etl "$TMP/new.etl" --events 10
expect_rc 0 "gen --etl to a new file needs no --force"
run gen --etl /dev/null --events 10
expect_rc 0 "gen --etl to a device needs no --force"

# ---- row 10: options a mode does not use; empty list items ---------------------------
for opt in "--fault-rate 7" "--max-faults 2" "--compressed-rate 3" "--faults all" "--faults none" "--count 5" \
    "--exhaustive" "--layer file" "--source 3" "--header system64" "--evidence all"; do
    # shellcheck disable=SC2086 # word splitting wanted: option and value
    usage "gen --etl with $opt" "${opt%% *} belongs to corpus mode \(--out\), not to --etl" \
        --etl "$TMP/x.etl" --events 5 $opt
done
for opt in "--events 5" "--pure" "--buffer-size 8K"; do
    # shellcheck disable=SC2086
    usage "gen --out with $opt" "${opt%% *} belongs to trace mode \(--etl\), not to --out" --out "$TMP/c" $opt
done
for list in "system64,," ",system64" "system64,,system32" ""; do
    usage "--header '$list'" "an empty item in the list '$list' for --header" --out "$TMP/c" --header "$list"
done
usage "--layer 'file,'" "an empty item" --out "$TMP/c" --layer "file,"
usage "--source '3,,4'" "an empty item" --out "$TMP/c" --source "3,,4"
usage "--faults 'a,'" "an empty item" --out "$TMP/c" --faults "marker_cleared,"
usage "--pointer-size '4,'" "an empty item" --out "$TMP/c" --pointer-size "4,"
CHECKS=$((CHECKS + 1))
[ ! -e "$TMP/c" ] && [ ! -e "$TMP/x.etl" ] || fail "a refused gen wrote something"

# ---- row 14: a single-value option given twice; lists are a union ---------------------
usage "--seed twice" "--seed given twice" --out "$TMP/c" --seed 1 --seed 2
usage "--count twice" "--count given twice" --out "$TMP/c" --count 1 --count 2
usage "--fault-rate twice" "--fault-rate given twice" --out "$TMP/c" --fault-rate 1 --fault-rate 2
usage "--faults twice" "--faults given twice" --out "$TMP/c" --faults all --faults none
usage "--out twice" "--out given twice" --out "$TMP/c" --out "$TMP/d"
usage "--events twice" "--events given twice" --etl "$TMP/x.etl" --events 1 --events 2
usage "--etl --pointer-size twice" "--pointer-size given twice" --etl "$TMP/x.etl" --events 1 --pointer-size 4 \
    --pointer-size 8
run gen --out "$TMP/union" --count 40 --layer payload --layer record --pointer-size 4 --pointer-size 8
expect_rc 0 "list options given twice: the union"
CHECKS=$((CHECKS + 1))
layers=$(tail -n +2 "$TMP/union/manifest.jsonl" | jq -r .layer | sort -u | paste -sd, -)
[ "$layers" = "payload,record" ] || fail "--layer payload --layer record drew layers '$layers'"

# ---- row 11: signals during gen --etl: no temporary, the old file kept ---------------
for sig in TERM "$HUP" INT; do
    printf 'the user keeps this\n' >"$TMP/keep.etl"
    start gen --etl "$TMP/keep.etl" --force --events 100000000000
    temp_written() { [ -n "$(find "$TMP" -maxdepth 1 -name '.keep.etl.tmp' -size +0)" ]; }
    proc_wait_until "gen --etl to write its temporary" temp_written || fail "gen --etl wrote no temporary"
    stop_with "$sig" "$(code "$sig")" "gen --etl, SIG$sig"
    expect_eq "$(cat "$TMP/keep.etl")" "the user keeps this" "gen --etl, SIG$sig: the old file is kept"
    expect_eq "$(find "$TMP" -maxdepth 1 -name '.*.tmp' | wc -l)" 0 "gen --etl, SIG$sig: no temporary left"
done
# ... and during gen --out: no manifest, no temporary manifest.
for sig in TERM "$HUP"; do
    rm -rf "$TMP/int"
    start gen --out "$TMP/int" --count 100000000
    cases_written() { [ -n "$(ls -A "$TMP/int/cases" 2>/dev/null)" ]; }
    proc_wait_until "gen --out to write cases" cases_written || fail "gen --out wrote no case"
    stop_with "$sig" "$(code "$sig")" "gen --out, SIG$sig"
    CHECKS=$((CHECKS + 1))
    [ -z "$(find "$TMP/int" -maxdepth 1 -name '*manifest*')" ] || fail "gen --out, SIG$sig: a manifest was left"
done

# ---- a FIFO nobody reads: open() waits; a signal ends it -----------------------------
mkfifo "$TMP/fifo"
start gen --etl "$TMP/fifo" --events 10
proc_wait_until "gen --etl FIFO to wait in open()" proc_opening "$PID" || fail "gen --etl FIFO never waited in open()"
stop_with INT 130 "gen --etl to a FIFO without a reader, SIGINT"
expect_eq "$(grep -c 'Interrupted system call' "$TMP/err")" 0 "gen --etl FIFO: not reported as an I/O error"

finish
