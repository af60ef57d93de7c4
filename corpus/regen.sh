#!/usr/bin/env bash
# corpus/regen.sh — regenerates the fuzz seeds corpus/<target>/ with `etwhf gen`.
#
#   corpus/regen.sh [ETWHF]           rewrite corpus/{payload,record,file,stream,roundtrip,gen,xpress}/
#   corpus/regen.sh --check [ETWHF]   exit 1 when the committed seeds differ from a fresh run
#
# ETWHF is the etwhf binary (default: build/ci/etwhf, then etwhf on PATH).
# corpus/xpress/ is written by fuzz/tools/xpress_seeds.c, built here with the
# host compiler ($ETWHF_HOST_CC, default cc) from generated event records.
# Deterministic: fixed seeds and options, so the same generator version gives
# the same bytes on every machine. found/ and regressions/ are never touched.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
etwhf=${1:-}
if [ -z "$etwhf" ]; then
  if [ -x "$here/../build/ci/etwhf" ]; then etwhf=$here/../build/ci/etwhf; else etwhf=etwhf; fi
fi
targets=(payload record file stream roundtrip gen xpress)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A small mix of every layer, fault and form, then compressed traces.
"$etwhf" gen --out "$tmp/mixed" --seed 20261125 --count 48 >/dev/null
"$etwhf" gen --out "$tmp/compressed" --seed 20261126 --count 6 --layer file --compressed-rate 1000 >/dev/null
python3 "$here/route_seeds.py" "$tmp/mixed" "$tmp/compressed" "$tmp/seeds"

# fuzz_xpress: compressed blocks of intact heap event records (every length
# form, offset 8192, damaged streams), checked against the decompressor.
src=$here/..
"${ETWHF_HOST_CC:-cc}" -std=c11 -O1 -I"$src/format/include" -I"$src/decoder/include" -I"$src/decoder" -I"$src/gen/include" \
  "$src/fuzz/tools/xpress_seeds.c" "$src/gen/xpress_compress.c" "$src/decoder/xpress.c" -o "$tmp/xpress_seeds"
"$etwhf" gen --out "$tmp/records" --seed 20261127 --count 64 --layer record --faults none >/dev/null
mkdir "$tmp/seeds/xpress"
"$tmp/xpress_seeds" "$tmp/seeds/xpress" "$tmp/records"/cases/*

if [ "$check" = 1 ]; then
  status=0
  for t in "${targets[@]}"; do
    if ! diff -r -q "$tmp/seeds/$t" "$here/$t" >"$tmp/diff" 2>&1; then
      echo "corpus/$t differs from a fresh generation (run corpus/regen.sh):" >&2
      head -20 "$tmp/diff" >&2
      status=1
    fi
  done
  [ "$status" = 0 ] && echo "corpus seeds are fresh: ${targets[*]}"
  exit "$status"
fi
for t in "${targets[@]}"; do
  rm -rf "${here:?}/$t"
  cp -r "$tmp/seeds/$t" "$here/$t"
  echo "corpus/$t: $(ls "$here/$t" | wc -l) seeds, $(du -sk "$here/$t" | cut -f1) KiB"
done
