#!/usr/bin/env bash
# Issue 23, row 12: help and version text that cannot be written (standard
# output on /dev/full, or closed) is a failure, exit 3 with a message, not a
# silent exit 0 — for every command, check included.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

if [ ! -w /dev/full ]; then
    echo "SKIP: no writable /dev/full" >&2
    exit 77
fi
for args in "--help" "-h" "help" "--version" "-V" "decode --help" "decode -h" "info --help" "gen --help" "gen -h" "check --help" \
    "check -h"; do
    # shellcheck disable=SC2086 # the command and its option
    "$ETWHF" $args >/dev/full 2>"$TMP/err"
    RC=$?
    expect_rc 3 "etwhf $args >/dev/full"
    expect_match "$(cat "$TMP/err")" "cannot write to standard output: No space left on device" \
        "etwhf $args >/dev/full: says why"
    sanitizer_clean "$TMP/err" "etwhf $args >/dev/full"
    # shellcheck disable=SC2086
    "$ETWHF" $args >&- 2>"$TMP/err"
    RC=$?
    expect_rc 3 "etwhf $args with standard output closed"
    # shellcheck disable=SC2086
    run $args
    expect_rc 0 "etwhf $args to a file"
    CHECKS=$((CHECKS + 1))
    [ -n "$OUT" ] || fail "etwhf $args printed nothing"
done

finish
