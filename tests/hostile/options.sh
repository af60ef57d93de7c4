#!/usr/bin/env bash
# Issue 23, rows 10 and 14 (decode) and the bounded reading of requests: a
# single-value option given twice is a usage error, --type given twice is the
# union, `decode - -` is refused, --batch refuses the options each request
# carries, and a request line past its limit is answered with a clear error
# while the requests after it are still read.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

usage() { expect_usage decode "$1" "$2" "${@:4}"; } # usage DESCRIPTION PATTERN decode ARGS...
python3 "$TESTS_DIR/mketl.py" "$TMP/t.etl" --event free --event alloc --event realloc

# ---- row 14: given twice ----------------------------------------------------------------
usage "--strict --mode recover" "--mode \(or --strict\) given twice" decode --strict --mode recover "$TMP/t.etl"
usage "--mode twice" "--mode \(or --strict\) given twice" decode --mode strict --mode strict "$TMP/t.etl"
usage "--strict twice" "--mode \(or --strict\) given twice" decode --strict --strict "$TMP/t.etl"
usage "--format twice" "--format given twice" decode --format csv --format text "$TMP/t.etl"
usage "--input twice" "--input given twice" decode --input file --input record "$TMP/t.etl"
usage "--pid twice" "--pid given twice" decode --pid 1 --pid 2 "$TMP/t.etl"
usage "--tid twice" "--tid given twice" decode --tid 1 --tid=2 "$TMP/t.etl"
usage "--heap twice" "--heap given twice" decode --heap 1 --heap 1 "$TMP/t.etl"
usage "--buffer-limit twice" "--buffer-limit given twice" decode --buffer-limit 1M --buffer-limit 2M "$TMP/t.etl"
usage "--pointer-size twice" "--pointer-size given twice" decode --input payload --pointer-size 4 --pointer-size 8 \
    "$TMP/t.etl"
usage "--event twice" "--event given twice" decode --input payload --pointer-size 8 --event free --event alloc \
    "$TMP/t.etl"
usage "decode - -" "'-' \(standard input\) given 2 times" decode - -
usage "decode - FILE -" "'-' \(standard input\) given 2 times" decode - "$TMP/t.etl" -
# Flags may repeat: they say the same thing twice.
run decode --stats --stats --quiet --quiet "$TMP/t.etl"
expect_rc 0 "flags given twice"
# --type is a union.
run decode --type free --type alloc "$TMP/t.etl"
expect_rc 0 "--type free --type alloc"
expect_eq "$(jqo .type | paste -sd, -)" "HeapFree,HeapAlloc" "--type free --type alloc prints both, and only them"
run decode --type realloc --type all "$TMP/t.etl"
expect_eq "$(jqo .type | paste -sd, -)" "HeapFree,HeapAlloc,HeapReAlloc" "--type all in a union is all"
run decode --type free "$TMP/t.etl"
expect_eq "$(jqo .type | paste -sd, -)" "HeapFree" "one --type replaces the default"

# ---- row 10: --batch takes these from each request ------------------------------------------
for opt in "--input file" "--mode strict" "--strict" "--pointer-size 8" "--event alloc"; do
    # shellcheck disable=SC2086 # option and value
    usage "--batch with $opt" "${opt%% *}.* comes with each request in --batch mode" decode --batch $opt
done

# ---- requests are read with a bound -------------------------------------------------------------
{
    printf '{"id":1,"file":"%s","layer":"file","mode":"recover"}\n' "$TMP/t.etl"
    printf '{"id":2,"file":"'
    head -c 2000000 /dev/zero | tr '\0' 'x'
    printf '","layer":"file","mode":"recover"}\n'
    printf '{"id":3,"file":"%s","layer":"file","mode":"strict"}\n' "$TMP/t.etl"
} >"$TMP/req"
STDIN="$TMP/req" bounded decode --batch
expect_rc 0 "decode --batch with an over-long request line"
expect_match "$ERR" "request: a request line longer than 1048576 bytes" "the over-long line is named"
expect_eq "$(jqo 'select(.type=="end") | "\(.id):\(.status)"' | paste -sd, -)" "1:0,null:2,3:0" \
    "every request answered, the over-long one with status 2"
CHECKS=$((CHECKS + 1))
[ "$(wc -c <"$TMP/err")" -lt 1000 ] || fail "the message about an over-long line quotes it"

finish
