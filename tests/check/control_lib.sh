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
# hangers N: at least N processes hang on the FIFO now.
hangers() { [ "$(pgrep -fc -- "$BAD_DECODER_HANG")" -ge "$1" ]; }
# stop_hanging SIG DECODER_OPTION CMD: etwhf check with a decoder that hangs on
# the n_ cases, stopped by SIG once one hangs: it must end by that signal
# (exit 128 + its number: 130, 143, 129) and
# leave no decoder running.
stop_hanging() {
  local sig=$1 pid rc want
  "$ETWHF" check "$fx" --timeout 600 "$2" "$3" >"$out/report" 2>"$out/err" &
  pid=$!
  proc_wait_until "a hanging decoder" hangers 1 || { kill -KILL "$pid"; fail "no decoder hung"; }
  kill -"$sig" "$pid"
  wait "$pid"; rc=$?
  if [ "$sig" = INT ]; then want=130; else want=$((128 + $(kill -l "$sig"))); fi
  [ "$rc" -eq "$want" ] || fail "SIG$sig gave exit $rc, expected $want"
  hangers_gone || fail "SIG$sig left a decoder running"
}

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
