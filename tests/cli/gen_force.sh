#!/usr/bin/env bash
# gen_force.sh ETWHF — `etwhf gen --out DIR --force` empties only a folder an
# earlier `gen --out` wrote: a folder of the user's, the current directory
# (or a parent of it), the home directory and / are refused with exit 2 and a
# message, and nothing in them changes. Emptying a previous output (also one
# with a report beside the manifest, or one an interrupted run left) works.
. "$(dirname "$0")/lib.sh" "$@"

# A listing of everything under DIR (names, sizes, times), to compare.
snapshot() { find "$1" -printf '%P %y %s %T@\n' | sort; }

# refused WHY-REGEX DESCRIPTION ARGS...: exit 2, the message, DIR unchanged.
refused() {
    local why=$1 what=$2 dir=$TMP/subject
    shift 2
    snapshot "$dir" >"$TMP/before"
    run gen --count 3 --force "$@"
    expect_rc 2 "$what"
    expect_match "$ERR" "--force refuses to empty '[^']*': $why" "$what: the message says why"
    expect_match "$ERR" "^--force (only|never) empties .*choose a new --out folder$" \
        "$what: the message says what to do"
    snapshot "$dir" >"$TMP/after"
    check "$what: nothing changed" cmp -s "$TMP/before" "$TMP/after"
}

fresh_gen_dir() { # a previous output, in $TMP/subject
    rm -rf "$TMP/subject"
    run gen --out "$TMP/subject" --count 4 --seed 9
    expect_rc 0 "setup: gen --out"
}

# ---- folders that are not gen's -----------------------------------------------
mkdir -p "$TMP/subject/src"
printf 'notes\n' >"$TMP/subject/notes.txt"
refused "it has no manifest.jsonl, so no etwhf gen output is there \\(it holds '(src|notes.txt)'\\)" \
    "a folder of the user's files" --out "$TMP/subject"

rm -rf "$TMP/subject" && mkdir -p "$TMP/subject" && printf 'x\n' >"$TMP/subject/thesis.tex"
refused "it has no manifest.jsonl, so .*'thesis.tex'" "a folder with one file" --out "$TMP/subject"

rm -rf "$TMP/subject" && mkdir -p "$TMP/subject" && printf '{"rows":1}\n' >"$TMP/subject/manifest.jsonl"
refused "its manifest.jsonl is not one etwhf gen wrote" "a manifest.jsonl of another tool" --out "$TMP/subject"

fresh_gen_dir
mkdir "$TMP/subject/photos"
refused "'photos' is a folder, link or device" "a gen output with a folder of the user's in it" --out "$TMP/subject"

fresh_gen_dir
mkdir "$TMP/subject/cases/keep"
refused "'cases/keep' is not a case file" "a folder inside cases/" --out "$TMP/subject"

fresh_gen_dir
printf 'mine\n' >"$TMP/subject/cases/todo.txt"
refused "'cases/todo.txt' is not a case file" "a user's file in cases/" --out "$TMP/subject"

fresh_gen_dir
ln -s / "$TMP/subject/root-link"
refused "'root-link' is a folder, link or device" "a link in the folder" --out "$TMP/subject"
rm "$TMP/subject/root-link"

# ---- places never emptied, even when they hold a gen output --------------------
fresh_gen_dir
cd "$TMP/subject" || exit 1
refused "it is the current directory" "--out ." --out .
cd "$TMP/subject/cases" || exit 1
refused "it is the current directory or holds it" "--out .. (a parent of the current directory)" --out ..
cd "$TMP" || exit 1

HOME=$TMP/subject refused "it is the home directory" "--out ~" --out "$TMP/subject"
HOME=$TMP/subject/ refused "it is the home directory" "--out ~ (HOME with a trailing slash)" --out "$TMP/subject/."

# `/` for real only as an unprivileged user, so that a regression cannot remove anything.
# That user runs a copy of the tool: the build tree may sit in a folder only
# root can enter (a clone in a mode-700 mktemp folder).
mkdir -p "$TMP/nobody"
chmod 755 "$TMP" "$TMP/nobody"
cp "$ETWHF" "$TMP/nobody/etwhf"
chmod 755 "$TMP/nobody/etwhf"
if [ "$(id -u)" = 0 ] && setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/nobody/etwhf" --help >/dev/null 2>&1; then
    (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/nobody/etwhf" gen --out / --force --count 1) \
        >/dev/null 2>"$TMP/err.root"
    RC=$?
    expect_rc 2 "--out / --force"
    expect_match "$(cat "$TMP/err.root")" "refuses to empty '/': it is the root folder" "--out /: the message"
elif [ "$(id -u)" != 0 ]; then
    run gen --out / --force --count 1 # an unprivileged user cannot remove anything there anyway
    expect_rc 2 "--out / --force"
    expect_match "$ERR" "refuses to empty '/': it is the root folder" "--out /: the message"
else
    echo "note: --out / not run (cannot run etwhf as an unprivileged user here)"
fi

# ---- what --force still empties --------------------------------------------------
fresh_gen_dir
printf '{"report":1}\n' >"$TMP/subject/report.json"
run gen --out "$TMP/subject" --force --count 5 --seed 10
expect_rc 0 "a previous output with a report beside the manifest"
check "the report is gone" test ! -e "$TMP/subject/report.json"
expect_eq "$(ls "$TMP/subject/cases" | wc -l)" 5 "--force: the new 5 cases only"

rm "$TMP/subject/manifest.jsonl"
: >"$TMP/subject/.manifest.jsonl.tmp"
: >"$TMP/subject/cases/.y_file_intact_000009.etl.tmp"
run gen --out "$TMP/subject" --force --count 2 --seed 11
expect_rc 0 "what an interrupted run leaves (cases/ and the temporary manifest)"
expect_eq "$(find "$TMP/subject" -name '*.tmp' | wc -l)" 0 "the temporaries are gone"
expect_eq "$(ls "$TMP/subject/cases" | wc -l)" 2 "--force after an interrupted run: 2 cases"

ln -s "$TMP/subject" "$TMP/link"
run gen --out "$TMP/link" --force --count 3 --seed 12
expect_rc 0 "a link to a previous output"
check "the link is still a link" test -L "$TMP/link"
expect_eq "$(ls "$TMP/subject/cases" | wc -l)" 3 "--force through a link empties the folder it points to"

run gen --out "$TMP/new" --force --count 1
expect_rc 0 "--force on a folder that does not exist yet"

run gen --help
expect_match "$OUT" "never /, the home or the current folder" "--help tells what --force refuses"

finish
