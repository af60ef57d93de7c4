#!/usr/bin/env bash
# bench/xpress.sh — MS-XCA decompression throughput beside memcpy (bench/xpress_bench.c).
#   bench/xpress.sh [SECONDS_PER_ROW]      CC, CFLAGS and ETWHF_SAMPLES_DIR are honoured
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${TMPDIR:-/tmp}/etwhf-xpress-bench.$$
trap 'rm -f "$out"' EXIT
${CC:-cc} ${CFLAGS:--O2 -g -DNDEBUG} -std=gnu11 -Wall -Wextra -I"$src/format/include" -I"$src/decoder/include" -I"$src/decoder" -I"$src/gen/include" \
  -o "$out" "$src/bench/xpress_bench.c" "$src/decoder/xpress.c" "$src/gen/xpress_compress.c"
"$out" "${ETWHF_SAMPLES_DIR:-$src/../shared/samples}" "${1:-0.5}"
