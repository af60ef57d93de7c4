#!/usr/bin/env bash
# gen_corpus.sh STEP ETWHF DIR [ARG] — a generated corpus checked both ways.
#   gen DIR GEN-OPTIONS   etwhf gen --out DIR --force GEN-OPTIONS (one word, split here)
#   inproc DIR            etwhf check DIR: our decoder in-process, both modes
#   decode DIR [SAMPLE]   etwhf check DIR --decoder "etwhf decode {args} {file}"
#                         --mode both --strict-codes (SAMPLE cases; 0 = all)
#   clean DIR             removes DIR
# A check must agree on every case; otherwise the report's first mismatches
# are printed (where the generator's oracle and the decoder part ways).
set -uo pipefail
step=$1 etwhf=$2 dir=$3 arg=${4:-}

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
  decode) check --decoder "'$etwhf' decode {args} {file}" --mode both --strict-codes --sample "${arg:-0}" ;;
  clean) rm -rf "$dir" ;;
  *) echo "gen_corpus.sh: unknown step '$step'" >&2; exit 2 ;;
esac
