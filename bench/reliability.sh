#!/usr/bin/env bash
# bench/reliability.sh [--skip-build] — the reliability figures of
# docs/reliability.md, measured on a Release build (build/reliability-release):
#
#   recovery  test_recovery --traces 10000 (figures (a), (b), (c))
#   memory    a 4 GiB trace streamed through a pipe,
#             `etwhf gen --etl - --events N | /usr/bin/time -v etwhf decode --stats --quiet -`,
#             and memory_bound.py with the 4 GiB trace and the hostile files
#
# Writes bench/reliability-results/{recovery.jsonl,memory.jsonl,stream-4GiB.txt}
# and prints a summary. Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=$PWD
build=$src/build/reliability-release
out=$src/bench/reliability-results
events=46300000 # ~4.3 GB with the writer's neighbours (~92.9 bytes per HeapFree)
mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "bench/reliability.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

if [ "${1:-}" != --skip-build ]; then
  cmake --preset release -B "$build" -DETWHF_SAMPLES_DIR="$src/../shared/samples" >/dev/null
  cmake --build "$build" -j 2 --target etwhf_cli test_recovery peak_rss >/dev/null
fi
etwhf=$build/etwhf

echo "== recovery (10,000 traces per experiment)"
"$build/tests/reliability/test_recovery" --traces 10000 --json "$out/recovery.jsonl" >/dev/null
cat "$out/recovery.jsonl"

echo "== a 4 GiB trace through a pipe"
"$etwhf" gen --etl - --events "$events" | /usr/bin/time -v "$etwhf" decode --stats --quiet - \
  >"$out/stream-4GiB.summary" 2>"$out/stream-4GiB.txt"
cat "$out/stream-4GiB.summary"
grep -E "Maximum resident|Elapsed|Exit status" "$out/stream-4GiB.txt"
bytes=$(sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' "$out/stream-4GiB.summary")
[ "${bytes:-0}" -ge 4294967296 ] || { echo "the trace was not 4 GiB ($bytes bytes)" >&2; exit 1; }

echo "== peak RSS: 1 MiB vs 4 GiB streamed, hostile BufferSize / SavedOffset"
python3 "$src/tests/reliability/memory_bound.py" "$etwhf" "$build/tests/reliability/peak_rss" \
  "$build/memory-work" --big-mib 4096 | tee "$out/memory.jsonl"
