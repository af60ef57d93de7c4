#!/usr/bin/env bash
# gen_corpus.sh STEP ETWHF DIR [ARG] — a generated corpus checked both ways.
#   gen DIR GEN-OPTIONS   etwhf gen --out DIR --force GEN-OPTIONS (one word, split here)
#   inproc DIR            etwhf check DIR: our decoder in-process, both modes
#   decode DIR [SAMPLE [OPTION COMMAND]]
#                         etwhf check DIR --decoder "etwhf decode {args} {file}"
#                         --mode both --strict-codes --all-heap-events (SAMPLE
#                         cases; 0 = all); OPTION COMMAND replace the --decoder
#                         pair (tests/check/CMakeLists.txt chooses them)
#   tiny DIR PY           the worked example of docs/check.md: a payload corpus,
#                         tests/check/tiny_decoder.py agrees on it; without its
#                         length check it fails (a traceback, no output) on
#                         exactly the payload_short cases
#   clean DIR             removes DIR
# A check must agree on every case; otherwise the report's first mismatches
# are printed (where the generator's oracle and the decoder part ways).
set -uo pipefail
step=$1 etwhf=$2 dir=$3 arg=${4:-}
dec_opt=${5:---decoder} dec_cmd=${6:-"'$etwhf' decode {args} {file}"}

# check ARGS...: runs etwhf check, prints the measurements, fails unless all agree.
check() {
  local rep; rep=$(mktemp)
  "$etwhf" check "$dir" --json --show 20 "$@" >"$rep"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "etwhf check $* exited $rc" >&2
    jq '{totals, by_fault: [.by_fault[] | select(.agree != .cases)], by_field, mismatches}' "$rep" >&2 ||
      cat "$rep" >&2
    rm -f "$rep"
    return 1
  fi
  jq -r '"\(.cases) cases, all agree; \(.seconds) s, \(.cases_per_second | floor) cases/s; CPU: checker \(.cpu_seconds.checker) s, decoders \(.cpu_seconds.children) s"' "$rep"
  local agreed; agreed=$(jq -r '.agreed' "$rep")
  rm -f "$rep"
  [ "$agreed" = true ]
}

case $step in
  gen)
    start=$(date +%s)
    "$etwhf" gen --out "$dir" --force $arg || exit 1 # $arg: several options in one word
    echo "generated $(($(wc -l <"$dir/manifest.jsonl") - 1)) cases in $(($(date +%s) - start)) s"
    ;;
  inproc) check ;;
  decode) check "$dec_opt" "$dec_cmd" --mode both --strict-codes --all-heap-events --sample "${arg:-0}" ;;
  tiny)
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    "$etwhf" gen --out "$dir" --force --layer payload --count 60 --seed 1 >/dev/null || exit 1
    check --decoder "'$arg' '$here/tiny_decoder.py' {file}" --strict-codes --mode both || exit 1
    sed 's/    if len(data) < need:/    if False:/' "$here/tiny_decoder.py" >"$dir/forgetful.py"
    "$etwhf" check "$dir" --json --decoder "'$arg' '$dir/forgetful.py' {file}" --strict-codes >"$dir/report"
    [ $? -eq 1 ] || { echo "the forgetful decoder was not caught" >&2; exit 1; }
    # It dies with a traceback and prints nothing: a failure of the decoder
    # (exit_status), told apart from a verdict, with the traceback's end.
    jq -e '[.by_fault[] | select(.agree != .cases) | .name] == ["payload_short"] and
           .totals.failed == ([.by_fault[] | select(.name == "payload_short") | .cases] | add) and
           .totals.disagree == 0 and (.by_field | keys) == ["exit_status"] and
           (.mismatches[0].differences[0].got | test("^1 and no output; stderr ends: struct.error")) and
           (.mismatches[0].runs.recover.stderr_tail | test("Traceback \\(most recent call last\\)"))' \
      "$dir/report" >/dev/null ||
      { echo "the forgetful decoder's mismatches are not all and only payload_short's:" >&2; cat "$dir/report" >&2; exit 1; }
    rm -rf "$dir"
    ;;
  clean) rm -rf "$dir" ;;
  *) echo "gen_corpus.sh: unknown step '$step'" >&2; exit 2 ;;
esac
