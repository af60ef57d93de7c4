# lib.sh — shared helpers of the CLI test scripts (sourced, not run).
#
# Usage from a script:  . "$(dirname "$0")/lib.sh" "$@"   (args: ETWHF SAMPLES_DIR)
# Each check counts; the script ends with `finish`, which fails when any
# check failed or when no check ran at all (a test that asserts nothing is a
# defect). Exit 77 means "skipped" (ctest SKIP_RETURN_CODE).

set -u
ETWHF=${1:?usage: script ETWHF [SAMPLES_DIR]}
case $ETWHF in /*) ;; *) ETWHF=$PWD/$ETWHF ;; esac
SAMPLES=${2:-}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../proc_wait.sh
. "$TESTS_DIR/../proc_wait.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/etwhf-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CHECKS=0
FAILS=0
RC=0
OUT=
ERR=

fail() {
    FAILS=$((FAILS + 1))
    printf 'FAIL: %s\n' "$*" >&2
}

check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1
    shift
    CHECKS=$((CHECKS + 1))
    "$@" || fail "$what"
}

# Runs etwhf with the given arguments (stdin from $STDIN when set), storing
# stdout, stderr and the exit status. A sanitizer report on stderr is a failure
# whatever the test expects.
run() {
    "$ETWHF" "$@" <"${STDIN:-/dev/null}" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$TMP/err"; then
        fail "sanitizer report for: etwhf $*"
        cat "$TMP/err" >&2
    fi
}

# interrupt_reading FIFO ARGS...: etwhf ARGS in the background, stdout and
# stderr in $TMP/out and $TMP/err; SIGINT once it has its handler and is
# blocked reading FIFO (not after a guessed delay: on a loaded machine the
# signal could land before the handler, or between the handler and the
# read). RC is its exit status.
interrupt_reading() {
    local fifo=$1 pid
    shift
    "$ETWHF" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    if proc_wait_until "etwhf $* to block reading $fifo" proc_interruptible_read "$pid" "$fifo"; then
        kill -INT "$pid"
    else
        kill -KILL "$pid"
    fi
    wait "$pid"
    RC=$?
}

expect_rc() { # expect_rc CODE DESCRIPTION
    CHECKS=$((CHECKS + 1))
    if [ "$RC" != "$1" ]; then
        fail "$2: exit status $RC, expected $1"
        printf '  stdout: %s\n  stderr: %s\n' "${OUT:0:600}" "${ERR:0:600}" >&2
    fi
}

expect_eq() { # expect_eq ACTUAL EXPECTED DESCRIPTION
    CHECKS=$((CHECKS + 1))
    if [ "$1" != "$2" ]; then
        fail "$3"
        printf '  actual:   %s\n  expected: %s\n' "$1" "$2" >&2
    fi
}

expect_match() { # expect_match TEXT EXTENDED-REGEX DESCRIPTION
    CHECKS=$((CHECKS + 1))
    if ! printf '%s\n' "$1" | grep -qE -- "$2"; then
        fail "$3"
        printf '  text: %s\n  wanted: /%s/\n' "${1:0:600}" "$2" >&2
    fi
}

# expect_usage CMD DESCRIPTION PATTERN ARGS...: `etwhf CMD ARGS` is a usage
# error: exit 2, a message matching PATTERN, a pointer to --help, nothing on
# stdout.
expect_usage() {
    local cmd=$1 what=$2 pattern=$3
    shift 3
    run "$cmd" "$@"
    expect_rc 2 "$what"
    expect_match "$ERR" "$pattern" "$what: names the problem"
    expect_match "$ERR" "try 'etwhf $cmd --help'" "$what: points to --help"
    expect_eq "$OUT" "" "$what: nothing on stdout"
}

# hexfile FILE HEX...: writes the bytes (spaces and '|' ignored).
hexfile() {
    local f=$1
    shift
    printf '%s' "$*" | tr -d ' |\n' | xxd -r -p >"$f"
}

# jq over the captured stdout: jqo FILTER → its raw output, one line per result.
jqo() { printf '%s\n' "$OUT" | jq -rc "$@"; }

# need_sample NAME: sets SAMPLE to its path, or skips the whole script (exit
# 77; under CI=true a missing sample fails instead). Call it directly, not in $(...).
need_sample() {
    local p="$SAMPLES/$1"
    if [ -z "$SAMPLES" ] || [ ! -r "$p" ]; then
        if [ "${CI:-}" = true ]; then
            printf 'FAIL: sample %s not found in "%s" (CI=true: a missing sample is a failure)\n' "$1" "$SAMPLES" >&2
            exit 1
        fi
        printf 'SKIP: sample %s not found in "%s"\n' "$1" "$SAMPLES" >&2
        exit 77
    fi
    SAMPLE=$p
}

finish() {
    if [ "$CHECKS" -eq 0 ]; then
        echo "FAIL: no check ran" >&2
        exit 1
    fi
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS of $CHECKS checks failed" >&2
        exit 1
    fi
    echo "all $CHECKS checks passed"
    exit 0
}
