#!/usr/bin/env bash
# corpus/regen.sh — regenerates the fuzz seeds corpus/<target>/ with `etwhf gen`.
#
#   corpus/regen.sh [ETWHF]           rewrite corpus/{payload,record,file,stream,roundtrip,gen}/
#   corpus/regen.sh --check [ETWHF]   exit 1 when the committed seeds differ from a fresh run
#
# ETWHF is the etwhf binary (default: build/ci/etwhf, then etwhf on PATH).
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
targets=(payload record file stream roundtrip gen)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A small mix of every layer, fault and form, then compressed traces.
"$etwhf" gen --out "$tmp/mixed" --seed 20261125 --count 48 >/dev/null
"$etwhf" gen --out "$tmp/compressed" --seed 20261126 --count 6 --layer file --compressed-rate 1000 >/dev/null
python3 "$here/route_seeds.py" "$tmp/mixed" "$tmp/compressed" "$tmp/seeds"

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
