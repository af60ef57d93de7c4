#!/usr/bin/env bash
# cli_mistakes.sh ETWHF [SAMPLES_DIR] — a newcomer's mistakes with every
# subcommand: each gets a message on stderr that names the problem, the exit
# code of docs/spec/output.md §6, no output that looks complete, and nothing of the
# user's overwritten. Complements tests/cli/decode_exit.sh (decode, info) and
# tests/gen/gen_cli.sh (gen) and tests/check/controls.sh (check); what those
# cover is not repeated here.
#
# Unreadable inputs as root (chmod 000 does not stop root): /proc/self/mem
# (open works, read fails: EIO) always, and mode-000 files read as `nobody`
# through runuser or setpriv when available. A full disk: /dev/full, a file
# size limit (RLIMIT_FSIZE with SIGXFSZ ignored: writes fail with EFBIG), and
# a 256 KiB tmpfs in a private mount namespace when `unshare -rm` works.
# shellcheck source-path=SCRIPTDIR source=../cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh" "$@"

GOOD=$TMP/good.etl
"$ETWHF" gen --etl "$GOOD" --events 300 --seed 4 2>/dev/null || { echo "FAIL: cannot generate a trace" >&2; exit 1; }
"$ETWHF" gen --out "$TMP/corpus" --count 8 --seed 4 2>/dev/null || { echo "FAIL: cannot generate a corpus" >&2; exit 1; }
: >"$TMP/empty"

# ---- usage: exit 2, names the problem, points to --help, stdout empty, nothing created --
usage() { # usage CMD PATTERN ARGS...
    local cmd=$1 pattern=$2
    shift 2
    run "$cmd" "$@"
    expect_rc 2 "$cmd $*"
    expect_match "$ERR" "$pattern" "$cmd $*: names the problem"
    expect_match "$ERR" "try 'etwhf $cmd --help'" "$cmd $*: points to --help"
    expect_eq "$OUT" "" "$cmd $*: nothing on stdout"
}
run
expect_rc 2 "no command"
expect_match "$ERR" "commands:" "no command: the usage lists the commands"
run decod "$GOOD"
expect_rc 2 "a misspelt command"
expect_match "$ERR" "unknown command 'decod'" "a misspelt command is named"
usage decode "invalid value '-1' for --pid" --pid -1 "$GOOD"
usage decode "invalid value '-1' for --buffer-limit" --buffer-limit -1 "$GOOD"
usage decode "invalid value '-8' for --pointer-size" --input payload --pointer-size -8 "$GOOD"
usage decode "unknown option '--stats=1'" --stats=1 "$GOOD"
usage info "invalid value|unknown option" --buffer-limit x "$GOOD"
usage gen "invalid value '-5' for --count" --out "$TMP/new1" --count -5
usage gen "invalid value '-1' for --events" --etl "$TMP/new1.etl" --events -1
usage gen "invalid value '-1' for --seed" --out "$TMP/new1" --seed -1
usage gen "invalid value '-1' for --fault-rate" --out "$TMP/new1" --fault-rate -1
usage gen "invalid value '1001' for --compressed-rate" --out "$TMP/new1" --compressed-rate 1001
usage gen "invalid --buffer-size '0'" --etl "$TMP/new1.etl" --events 3 --buffer-size 0
usage gen "invalid value '5' for --pointer-size" --etl "$TMP/new1.etl" --events 3 --pointer-size 5
usage gen "option --etl needs a value" --etl
usage gen "unexpected argument 'cases'" --out "$TMP/new1" cases
CHECKS=$((CHECKS + 1))
if [ -e "$TMP/new1" ] || [ -e "$TMP/new1.etl" ]; then fail "a usage error created output"; fi
usage check "--jobs needs a whole number ≥ 1, not '-1'" "$TMP/corpus" --jobs -1
usage check "--timeout needs seconds > 0 .*not '-1'" "$TMP/corpus" --timeout -1
usage check "--timeout needs seconds > 0 .*not 'abc'" "$TMP/corpus" --timeout abc
usage check "--show needs a whole number ≥ 0, not '-2'" "$TMP/corpus" --show -2
usage check "--sample needs a whole number ≥ 0, not '-1'" "$TMP/corpus" --sample -1
usage check "option --decoder needs a value" "$TMP/corpus" --decoder

# ---- unreadable, empty, not what was expected ------------------------------------
io() { # io WANT CMD PATTERN ARGS...: exit WANT, message, nothing on stdout
    local want=$1 cmd=$2 pattern=$3
    shift 3
    run "$cmd" "$@"
    expect_rc "$want" "$cmd $*"
    expect_match "$ERR" "$pattern" "$cmd $*: message"
    expect_eq "$OUT" "" "$cmd $*: nothing on stdout"
}
io 3 decode "cannot read '/proc/self/mem': Input/output error" /proc/self/mem
io 3 info "cannot read '/proc/self/mem': Input/output error" /proc/self/mem
mkdir -p "$TMP/eio/cases"
ln -s /proc/self/mem "$TMP/eio/manifest.jsonl"
io 3 check "cannot read .*manifest.jsonl: Input/output error" "$TMP/eio"
mkdir -p "$TMP/nomanifest/cases"
: >"$TMP/nomanifest/manifest.jsonl"
io 3 check "manifest.jsonl is empty" "$TMP/nomanifest"
io 3 check "not a folder" /dev/null   # a regular file is a referee case (conformance.md §1.5), a device is neither
io 1 info "FILE_EMPTY" "$TMP/empty"
STDIN=$TMP/empty io 1 info "standard input: error FILE_EMPTY" -
STDIN=$TMP io 3 decode "cannot read 'standard input': Is a directory" -
io 3 gen "cannot write '$TMP': Is a directory" --etl "$TMP" --events 3
io 3 gen "cannot write '$TMP/no/such/dir/t.etl': No such file or directory" --etl "$TMP/no/such/dir/t.etl" --events 3
run decode "$TMP/empty"
expect_rc 1 "decode: an empty file is readable but not a trace"
expect_eq "$(jqo .code)" "FILE_EMPTY" "decode: an empty file is FILE_EMPTY"

as_nobody() { # the command as user nobody, when root and runuser/setpriv can
    if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
        runuser -u nobody -- "$@"
    elif [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}
if [ "$(id -u)" != 0 ] || command -v runuser >/dev/null || command -v setpriv >/dev/null; then
    P=$TMP/perm
    mkdir -p "$P/corpus" "$P/ro"
    chmod 755 "$TMP" "$P" "$P/corpus"
    chmod 555 "$P/ro"
    cp "$GOOD" "$P/locked.etl"
    chmod 000 "$P/locked.etl"
    cp -r "$TMP/corpus/." "$P/corpus/"
    chmod -R a+rX "$P/corpus"
    chmod 000 "$P/corpus/manifest.jsonl"
    # The build tree may sit where nobody cannot reach it (a clone in a
    # mode-700 mktemp folder): nobody runs a copy of the tool instead.
    cp "$ETWHF" "$P/etwhf"
    chmod 755 "$P/etwhf"
    for c in "decode $P/locked.etl" "info $P/locked.etl" "check $P/corpus" "gen --out $P/ro/c --count 2" \
        "gen --etl $P/ro/t.etl --events 3"; do
        # shellcheck disable=SC2086
        as_nobody "$P/etwhf" $c </dev/null >"$TMP/out" 2>"$TMP/err"
        RC=$?
        OUT=$(cat "$TMP/out")
        ERR=$(cat "$TMP/err")
        expect_rc 3 "as nobody: etwhf $c"
        expect_match "$ERR" "Permission denied" "as nobody: etwhf $c: says why"
    done
    CHECKS=$((CHECKS + 1))
    [ -z "$(ls -A "$P/ro")" ] || fail "a refused gen left something in the read-only folder"
fi

# ---- writing: full disks, closed stdout, nothing of the user's overwritten ---------------
for c in "decode $GOOD" "info $GOOD" "check $TMP/corpus" "gen --etl - --events 50"; do
    # shellcheck disable=SC2086
    "$ETWHF" $c </dev/null >&- 2>"$TMP/err"
    RC=$?
    expect_rc 3 "etwhf $c with standard output closed"
    expect_match "$(cat "$TMP/err")" "cannot write.*Bad file descriptor" "etwhf $c with standard output closed: message"
    # shellcheck disable=SC2086
    "$ETWHF" $c </dev/null >/dev/full 2>"$TMP/err"
    RC=$?
    expect_rc 3 "etwhf $c to /dev/full"
    expect_match "$(cat "$TMP/err")" "No space left on device" "etwhf $c to /dev/full: message"
done

# An existing trace is replaced only with --force, and only by a complete
# one: a failed or interrupted run leaves it as it was, and no temporary behind.
printf 'the user keeps this\n' >"$TMP/keep.etl"
"$ETWHF" gen --etl "$TMP/keep.etl" --events 10 2>"$TMP/err"
RC=$?
expect_rc 3 "gen --etl over an existing file without --force"
expect_match "$(cat "$TMP/err")" "'$TMP/keep.etl' exists \(use --force to replace it\)" "gen --etl over an existing file: message"
expect_eq "$(cat "$TMP/keep.etl")" "the user keeps this" "gen --etl without --force leaves the old file"
(trap '' XFSZ; ulimit -f 64; exec "$ETWHF" gen --etl "$TMP/keep.etl" --force --events 100000) 2>"$TMP/err"
RC=$?
expect_rc 3 "gen --etl over a file size limit"
expect_match "$(cat "$TMP/err")" "cannot (write|complete) '$TMP/keep.etl': File too large" "gen --etl over a file size limit: message"
expect_eq "$(cat "$TMP/keep.etl")" "the user keeps this" "a failed gen --etl leaves the old file"
"$ETWHF" gen --etl "$TMP/keep.etl" --force --events 100000000000 2>"$TMP/err" &
pid=$!
# Interrupted while writing its temporary (not before: that would prove nothing).
gen_writing() { proc_sigint_caught "$pid" && [ -n "$(find "$TMP" -maxdepth 1 -name '.*.tmp' -size +0)" ]; }
proc_wait_until "gen --etl to write its temporary" gen_writing || kill -KILL "$pid"
kill -INT "$pid"
wait "$pid"
RC=$?
expect_rc 130 "gen --etl interrupted"
expect_eq "$(cat "$TMP/keep.etl")" "the user keeps this" "an interrupted gen --etl leaves the old file"
CHECKS=$((CHECKS + 1))
[ -z "$(find "$TMP" -maxdepth 1 -name '.*.tmp')" ] || fail "a temporary file was left behind"

# --out into a folder that holds the user's files, without --force: untouched.
mkdir -p "$TMP/mine"
printf 'notes\n' >"$TMP/mine/notes.txt"
(ls -lA --time-style=full-iso "$TMP/mine" && stat -c '%Y %s' "$TMP/mine") >"$TMP/before"
io 3 gen "'$TMP/mine' is not empty \\(use --force" --out "$TMP/mine" --count 3
(ls -lA --time-style=full-iso "$TMP/mine" && stat -c '%Y %s' "$TMP/mine") >"$TMP/after"
CHECKS=$((CHECKS + 1))
cmp -s "$TMP/before" "$TMP/after" || fail "gen --out changed a non-empty folder without --force"

# --out under a file size limit: the manifest grows past it; exit 3, no manifest.
(trap '' XFSZ; ulimit -f 8; exec "$ETWHF" gen --out "$TMP/big" --count 400) 2>"$TMP/err"
RC=$?
expect_rc 3 "gen --out over a file size limit"
expect_match "$(cat "$TMP/err")" "File too large" "gen --out over a file size limit: message"
CHECKS=$((CHECKS + 1))
if [ -e "$TMP/big/manifest.jsonl" ] || [ -e "$TMP/big/.manifest.jsonl.tmp" ]; then
    fail "a failed gen --out left a manifest"
fi

# --out on a full file system: a 256 KiB tmpfs in a private mount namespace.
if unshare -rm true 2>/dev/null; then
    mkdir -p "$TMP/fs"
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare -rm sh -c 'mount -t tmpfs -o size=256k etwhf-full "$1" && "$2" gen --out "$1/c" --count 5000 2>"$1/../err.full"
        echo "rc=$?" >"$1/../rc.full"; [ -e "$1/c/manifest.jsonl" ] && echo manifest >>"$1/../rc.full"; :' \
        sh "$TMP/fs" "$ETWHF" 2>/dev/null
    if [ -s "$TMP/rc.full" ]; then
        expect_eq "$(cat "$TMP/rc.full")" "rc=3" "gen --out on a full file system: exit 3 and no manifest"
        expect_match "$(cat "$TMP/err.full")" "No space left on device" "gen --out on a full file system: message"
    fi
fi

# ---- SIGINT: info blocked on a FIFO that never delivers -----------------------------
mkfifo "$TMP/fifo"
exec 9<>"$TMP/fifo"
interrupt_reading "$TMP/fifo" info "$TMP/fifo"
exec 9>&-
expect_rc 130 "info interrupted"
expect_match "$(cat "$TMP/err")" "interrupted" "info interrupted: message"
expect_eq "$(cat "$TMP/out")" "" "info interrupted: nothing on stdout"

finish
