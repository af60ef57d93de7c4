#!/usr/bin/env bash
# measure.sh — one short run of each target with one engine: exec/s and the
# share of executions that reached the event sink (ETWHF_FUZZ_STATS).
# One run at a time; prints one Markdown table row per target.
#
#   fuzz/tools/measure.sh libfuzzer BUILD_DIR SECONDS TARGET...
#   fuzz/tools/measure.sh afl       BUILD_DIR SECONDS TARGET...
#
# Seeds come from corpus/<name>/ (fuzz_empty gets one byte). Never changes
# host settings: AFL++ runs with AFL_SKIP_CPUFREQ, AFL_NO_AFFINITY and
# AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES.
set -euo pipefail
engine=$1 build=$2 secs=$3
shift 3
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seeds_for() { # seeds_for NAME DIR
  mkdir -p "$2"
  if [ -d "$src/corpus/$1" ] && ls "$src/corpus/$1" | grep -qv README; then
    find "$src/corpus/$1" -maxdepth 1 -type f ! -name 'README*' -exec cp {} "$2/" \;
  else
    printf 'x' >"$2/one"
  fi
}

sink_share() { # sink_share FILES... → "reached/execs (fraction)"
  awk '/sink reached in/ {r += $5; e += $7} END {if (e) printf "%d/%d (%.3f)", r, e, r / e; else print "n/a"}' "$@"
}

for name in "$@"; do
  bin=$build/fuzz/fuzz_$name
  seeds_for "$name" "$work/$name.seeds"
  dict=()
  [ -f "$build/fuzz/fuzz_$name.dict" ] && dict=(-dict="$build/fuzz/fuzz_$name.dict")
  if [ "$engine" = libfuzzer ]; then
    mkdir -p "$work/$name.corpus"
    keep=()
    if [ -n "${ETWHF_KEEP_CRASHES:-}" ]; then
      mkdir -p "$ETWHF_KEEP_CRASHES/$name"
      keep=(-artifact_prefix="$ETWHF_KEEP_CRASHES/$name/")
    fi
    ETWHF_FUZZ_STATS=1 "$bin" -max_total_time="$secs" -print_final_stats=1 "${dict[@]}" "${keep[@]}" \
      "$work/$name.corpus" "$work/$name.seeds" >"$work/$name.log" 2>&1 || true
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/$name.log")
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$work/$name.log")
    cov=$(grep -Eo 'cov: [0-9]+' "$work/$name.log" | tail -1 | awk '{print $2}')
    crash=$(grep -c 'ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error' "$work/$name.log" || true)
    echo "| fuzz_$name | libFuzzer | $execs | $rate | $(sink_share "$work/$name.log") | cov $cov | crashes $crash |"
    [ "$crash" = 0 ] || { echo "--- fuzz_$name crash log:" >&2; grep -A30 'ERROR' "$work/$name.log" | head -50 >&2; }
  else
    afl_dict=()
    [ -f "$build/fuzz/fuzz_$name.dict" ] && afl_dict=(-x "$build/fuzz/fuzz_$name.dict")
    AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
      ETWHF_FUZZ_STATS="$work/$name.stats" \
      afl-fuzz -V "$secs" "${afl_dict[@]}" -i "$work/$name.seeds" -o "$work/$name.afl" -- "$bin" \
      >"$work/$name.log" 2>&1 || true
    st=$work/$name.afl/default/fuzzer_stats
    execs=$(awk -F': *' '/^execs_done/ {print $2}' "$st")
    rate=$(awk -F': *' '/^execs_per_sec/ {print $2}' "$st")
    cvg=$(awk -F': *' '/^bitmap_cvg/ {print $2}' "$st")
    stab=$(awk -F': *' '/^stability/ {print $2}' "$st")
    crash=$(awk -F': *' '/^saved_crashes/ {print $2}' "$st")
    shopt -s nullglob
    stats=("$work/$name.stats".*)
    share=n/a
    [ ${#stats[@]} -gt 0 ] && share=$(sink_share "${stats[@]}")
    echo "| fuzz_$name | AFL++ | $execs | $rate | $share | map $cvg, stability $stab | crashes $crash |"
    if [ "$crash" != 0 ] && [ -n "${ETWHF_KEEP_CRASHES:-}" ]; then
      mkdir -p "$ETWHF_KEEP_CRASHES/$name"
      cp "$work/$name.afl/default/crashes/"id* "$ETWHF_KEEP_CRASHES/$name/" 2>/dev/null || true
    fi
  fi
done
