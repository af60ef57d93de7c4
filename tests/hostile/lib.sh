# shellcheck shell=bash
# lib.sh — helpers of the hostile-condition scripts (sourced, not run), on top
# of tests/cli/lib.sh (checks, run, expect_*) and tests/proc_wait.sh (waits
# for a state the process reaches, each bounded by ETWHF_WAIT_LIMIT).
#
# Usage:  . "$(dirname "$0")/lib.sh" "$@"   (args: ETWHF [SAMPLES_DIR])

# shellcheck source-path=SCRIPTDIR source=../cli/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh" "$@"

PID=

# A sanitizer report is a failure whatever the test expects.
sanitizer_clean() { # sanitizer_clean FILE DESCRIPTION
    if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$1"; then
        fail "sanitizer report: $2"
        cat "$1" >&2
    fi
}

# start ARGS...: etwhf ARGS in the background (stdin from $STDIN or
# /dev/null), stdout and stderr in $TMP/out and $TMP/err; PID is its id.
start() {
    "$ETWHF" "$@" <"${STDIN:-/dev/null}" >"$TMP/out" 2>"$TMP/err" &
    PID=$!
}

# gone PID: the process has ended (a zombie counts: only wait reaps it).
gone() {
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -z "$state" ] || [ "$state" = Z ]
}

# stop_with SIG CODE DESCRIPTION: once PID has a handler for SIG, sends it
# and expects exit CODE and the "interrupted" message. A process that never
# installs the handler, or goes on after the signal, is killed after the
# wait limit: a failure, never a hang.
stop_with() {
    local sig=$1 code=$2 what=$3 num
    num=$(kill -l "$sig")
    if proc_wait_until "$what: a handler for SIG$sig" proc_signal_caught "$PID" "$num"; then
        kill -s "$sig" "$PID"
        proc_wait_until "$what: to end after SIG$sig" gone "$PID" || kill -KILL "$PID"
    else
        kill -KILL "$PID"
    fi
    wait "$PID"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    expect_rc "$code" "$what"
    expect_match "$ERR" "interrupted" "$what: says it was interrupted"
    sanitizer_clean "$TMP/err" "$what"
}

# bounded ARGS...: etwhf ARGS that must end by itself; a run that goes on
# past the wait limit is killed and fails. Sets RC, OUT, ERR.
bounded() {
    local limit=${ETWHF_WAIT_LIMIT:-120}
    timeout -k 10 "$limit" "$ETWHF" "$@" <"${STDIN:-/dev/null}" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    case $RC in 124 | 137) fail "etwhf $* did not end by itself (killed after ${limit}s)" ;; esac
    sanitizer_clean "$TMP/err" "etwhf $*"
}

# The shell tests run under may ignore SIGHUP (nohup); etwhf then keeps it
# ignored, as it must, and a SIGHUP case is replaced by SIGTERM.
hup_or_term() {
    local ign
    ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
    if (( (16#${ign:-0} >> 0) & 1 )); then echo TERM; else echo HUP; fi
}
