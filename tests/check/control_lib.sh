# shellcheck shell=bash
# control_lib.sh — sourced by controls.sh and batch_controls.sh: the scratch
# folder, the FIFO the hanging decoders block on, and the helpers that run
# `etwhf check` and read its JSON report. Needs $name (the control) and
# $here (tests/check) set; sets $out.
out=$(mktemp -d)
# shellcheck source-path=SCRIPTDIR source=../proc_wait.sh
. "$here/../proc_wait.sh"
# The hanging decoder blocks on this FIFO; its path names its processes, and
# any still there at exit (a failed control) are ended with the folder.
export BAD_DECODER_HANG=$out/never-written
mkfifo "$BAD_DECODER_HANG"
cleanup() {
  local left; left=$(pgrep -f -- "$BAD_DECODER_HANG")
  # shellcheck disable=SC2086 # one pid a word
  [ -z "$left" ] || kill -KILL $left 2>/dev/null
  rm -rf "$out"
}
trap cleanup EXIT
hangers_gone() { proc_wait_until "the hanging decoders to be gone" proc_none "$BAD_DECODER_HANG"; }

fail() { echo "FAIL [$name]: $*" >&2; [ -s "$out/report" ] && head -c 3000 "$out/report" >&2; exit 1; }

# run EXPECTED_EXIT ARGS...: etwhf check ARGS..., report in $out/report, stderr in $out/err.
run() {
  local want=$1; shift
  "$ETWHF" check "$@" >"$out/report" 2>"$out/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "etwhf check $* exited $rc, expected $want; stderr: $(head -c 600 "$out/err")"
}
# is JQ_FILTER EXPECTED: the JSON report's value.
is() {
  local got; got=$(jq -c "$1" "$out/report") || fail "report is not JSON"
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}
totals() { is '.totals | [.agree, .disagree, .crash, .timeout, .failed, .skipped]' "$1"; }
