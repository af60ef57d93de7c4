#!/usr/bin/env bash
# compare_mutator.sh — edge coverage (libFuzzer's final `cov:`) after a fixed
# time, without and with the structure-aware mutator, same seeds, N trials
# each, two processes at a time (one of each), then median + Mann-Whitney U.
#
#   fuzz/tools/compare_mutator.sh BUILD_DIR TARGET SEED_DIR [SECONDS] [TRIALS]
#   e.g. fuzz/tools/compare_mutator.sh build/fuzz-libfuzzer file corpus/file 45 5
#
# BUILD_DIR is a fuzz-libfuzzer build (it has fuzz_TARGET and fuzz_TARGET_sa).
set -euo pipefail
build=$1 target=$2 seeds=$3 secs=${4:-45} trials=${5:-5}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_one() { # run_one BINARY TRIAL LABEL
  local out=$work/$3.$2
  mkdir -p "$out.corpus"
  "$1" -max_total_time="$secs" -seed="$2" -print_final_stats=1 \
    -dict="$build/fuzz/fuzz_$target.dict" "$out.corpus" "$seeds" >"$out.log" 2>&1 || true
  grep -Eo 'cov: [0-9]+' "$out.log" | tail -1 | awk '{print $2}' >"$out.cov"
}

for t in $(seq 1 "$trials"); do
  run_one "$build/fuzz/fuzz_$target" "$t" plain &
  run_one "$build/fuzz/fuzz_${target}_sa" "$t" sa &
  wait
  echo "trial $t: without $(cat "$work/plain.$t.cov"), with $(cat "$work/sa.$t.cov")" >&2
done
plain=$(cat "$work"/plain.*.cov | tr '\n' ' ')
sa=$(cat "$work"/sa.*.cov | tr '\n' ' ')
# shellcheck disable=SC2086
python3 "$here/mwu.py" "fuzz_$target (libFuzzer mutators)" $plain -- "fuzz_${target}_sa (structure-aware)" $sa
