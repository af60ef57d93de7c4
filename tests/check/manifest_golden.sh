#!/usr/bin/env bash
# manifest_golden.sh ETWHF WORKDIR — `etwhf gen --out` writes the manifest
# byte for byte as tests/check/golden/ has it: key order, number and name
# spellings, the options line for default, listed and exhaustive options.
# A change to the generator's output (ETWHF_GEN_VERSION) or to the manifest
# format changes these files on purpose: regenerate them with
#   manifest_golden.sh ETWHF WORKDIR --update
set -euo pipefail
etwhf=$1 work=$2 update=${3:-}
golden=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/golden
rm -rf "$work"
mkdir -p "$work"
status=0
one() { # one NAME GEN-OPTIONS...
  local name=$1; shift
  "$etwhf" gen --out "$work/$name" "$@" >/dev/null
  if [ "$update" = --update ]; then
    cp "$work/$name/manifest.jsonl" "$golden/$name.jsonl"
  elif ! cmp -s "$work/$name/manifest.jsonl" "$golden/$name.jsonl"; then
    echo "FAIL: etwhf gen --out $* writes another manifest than golden/$name.jsonl:" >&2
    diff <(tr ',' '\n' <"$golden/$name.jsonl") <(tr ',' '\n' <"$work/$name/manifest.jsonl") | head -20 >&2
    status=1
  fi
}
one defaults --seed 7 --count 16
one listed --seed 11 --count 10 --layer payload,file --pointer-size 4,mixed --source 3,SEGMENT_HEAP,0xFFFFFFFF \
  --header system32,event64,full32 --faults payload_short,decompress_corrupt,record_size_overrun --fault-rate 700 \
  --max-faults 1 --compressed-rate 1000
one exhaustive --seed 5 --exhaustive --layer payload,record --pointer-size 8 --source 3 --header compact64 --faults none
one documented --seed 13 --count 12 --evidence documented
rm -rf "$work"
if [ "$update" = --update ]; then echo "tests/check/golden/: 4 manifests rewritten"
elif [ "$status" = 0 ]; then echo "manifests: 4 identical to tests/check/golden/"; fi
exit "$status"
