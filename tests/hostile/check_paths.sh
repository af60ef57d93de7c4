#!/usr/bin/env bash
# Issue 23, row 15: a case "file" that leaves the corpus folder — '..', an
# absolute path, a symlink (of the file or of a folder on its way) that
# leads out — refuses the manifest (exit 3, naming the line) before any
# decoder runs; nothing outside is handed to a decoder or named in a report,
# whatever --id or --rerun-failed select. Symlinks that stay inside work.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

bounded gen --out "$TMP/c" --count 20 --seed 15 --layer payload,record
expect_rc 0 "a 20-case corpus"
# A decoder that notes every path it is handed, for the proof that none ran.
cat >"$TMP/spy.sh" <<SPY
#!/bin/sh
echo "\$*" >>"$TMP/handed"
cat "\$1" >/dev/null
SPY
chmod +x "$TMP/spy.sh"
printf '{"report":"etwhf check","not_agreeing":[{"id":5}]}\n' >"$TMP/rerun.json"

# corpus NAME FILE: a copy of $TMP/c whose case 5 names FILE.
corpus() {
    mkdir -p "$TMP/$1" && cp -r "$TMP/c/cases" "$TMP/$1/cases" &&
        jq -c --arg f "$2" 'if .id == 5 then .file = $f else . end' "$TMP/c/manifest.jsonl" >"$TMP/$1/manifest.jsonl"
}
refused() { # refused DESCRIPTION DIR PATTERN
    local what=$1 dir=$2 pattern=$3 how
    for how in "" "--id 5" "--id 0" "--rerun-failed $TMP/rerun.json" "--decoder $TMP/spy.sh --id 5" \
        "--decoder-batch $TMP/spy.sh"; do
        # shellcheck disable=SC2086 # the options
        bounded check "$dir" $how
        expect_rc 3 "$what ${how:+($how)}"
        expect_match "$ERR" "manifest.jsonl line 7: \"file\" .*$pattern" "$what ${how:+($how)}: names the line and why"
        CHECKS=$((CHECKS + 1))
        if printf '%s' "$OUT" | grep -q passwd; then fail "$what ${how:+($how)}: the report names the file"; fi
    done
    CHECKS=$((CHECKS + 1))
    if [ -e "$TMP/handed" ]; then
        fail "$what: a decoder was handed $(cat "$TMP/handed")"
        rm -f "$TMP/handed"
    fi
}

corpus up ../../../../../../../../etc/passwd
refused "'..' up to /etc/passwd" "$TMP/up" "goes up with '..'"
corpus inner cases/../../c/cases/x.bin
refused "'..' inside the path" "$TMP/inner" "goes up with '..'"
corpus abs /etc/passwd
refused "an absolute path" "$TMP/abs" "is an absolute path"
corpus link cases/passwd && ln -s /etc/passwd "$TMP/link/cases/passwd"
refused "a symlink to /etc/passwd" "$TMP/link" "leads out of the corpus folder through a symlink"
corpus dirlink cases/etc/passwd && ln -s /etc "$TMP/dirlink/cases/etc"
refused "a folder symlink to /etc" "$TMP/dirlink" "leads out of the corpus folder through a symlink"
corpus rel cases/up/etc/passwd && ln -s ../.. "$TMP/rel/cases/up"
refused "a relative symlink up and out" "$TMP/rel" "leads out of the corpus folder through a symlink"
corpus dangling cases/gone && ln -s /nonexistent/x "$TMP/dangling/cases/gone"
refused "a symlink that does not resolve" "$TMP/dangling" "goes through a symlink that does not resolve"
# cases/ itself a symlink to another corpus's folder: out, refused.
mkdir "$TMP/shared" && ln -s "$TMP/c/cases" "$TMP/shared/cases" && cp "$TMP/c/manifest.jsonl" "$TMP/shared/"
bounded check "$TMP/shared"
expect_rc 3 "cases/ linked from another folder"
expect_match "$ERR" "manifest.jsonl line 2: \"file\" .* leads out of the corpus folder" "cases/ linked: names the first case"

# Symlinks that stay inside are followed, and the corpus folder may itself be one.
f5=$(jq -r 'select(.id == 5) | .file' "$TMP/c/manifest.jsonl")
corpus inside cases/alias && ln -s "$(basename "$f5")" "$TMP/inside/cases/alias"
mkdir "$TMP/inside/more" && ln -s ../cases "$TMP/inside/more/cases"
jq -c 'if .id == 6 then .file = "more/cases/" + (.file | ltrimstr("cases/")) else . end' \
    "$TMP/inside/manifest.jsonl" >"$TMP/m" && mv "$TMP/m" "$TMP/inside/manifest.jsonl"
ln -s "$TMP/inside" "$TMP/inside-link"
bounded check "$TMP/inside-link"
expect_rc 0 "symlinks inside the corpus folder (and the folder a symlink)"
# A name holding control characters is escaped in the message.
corpus esc "$(printf '/tmp/a\nFORGED\033[31m')"
bounded check "$TMP/esc"
expect_rc 3 "an absolute path with control characters"
expect_eq "$(wc -l <"$TMP/err" | tr -d ' ')" 1 "the message stays one line"
expect_match "$ERR" 'a\\nFORGED\\x1b\[31m' "the name escaped"

finish
