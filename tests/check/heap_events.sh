#!/usr/bin/env bash
# heap_events.sh NAME ETWHF DIR [COUNT] — `etwhf check` and the manifest's heap_events,
# a project extension beyond docs/spec/manifest.md (docs/check.md): every heap event
# of any type with its fields. DIR is scratch space (emptied first); COUNT
# (default 150, at least 40: the first needs five cases with a 32-bit
# HeapReAlloc of two sizes) sizes the 32-bit corpus of the first three.
#   swapped_caught   a decoder that swaps NewSize/OldSize of 32-bit HeapReAlloc
#                    events (realloc32_swapped.sh) is caught with
#                    --all-heap-events on exactly the cases holding such an
#                    event with two different sizes, and on no field but
#                    heap_events.size; without the option it agrees (§7 reads
#                    HeapFree lines only); etwhf decode itself agrees with it
#   free_only        a decoder printing HeapFree lines only agrees by default,
#                    and is caught on heap_events.count with --all-heap-events
#   old_manifest     the same corpus without heap_events (a version-3
#                    manifest) still checks: in-process and through etwhf
#                    decode it agrees, and the swapped decoder is not caught
#   consistent       in every case of a drawn corpus (all layers and widths),
#                    heap_events' HeapFree entries are `events` in order and its
#                    HeapAlloc / HeapReAlloc entries number heap_alloc / heap_realloc
#   planted          (planted builds) ETWHF_PLANTED=realloc32_sizes_swapped,
#                    in-process: caught with heap_events, missed without
set -uo pipefail
name=$1
export ETWHF=$2
dir=$3
count=${4:-150}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
swapped="'$here/realloc32_swapped.sh' {args} {file}"
decode="'$ETWHF' decode {args} {file}"

fail() { echo "FAIL [$name]: $*" >&2; [ -s "$dir/report" ] && head -c 3000 "$dir/report" >&2; exit 1; }

# run EXPECTED_EXIT CORPUS ARGS...: etwhf check, JSON report in $dir/report.
run() {
  local want=$1 corpus=$2; shift 2
  "$ETWHF" check "$corpus" --json --jobs 2 "$@" >"$dir/report" 2>"$dir/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "etwhf check $corpus $* exited $rc, expected $want; stderr: $(head -c 600 "$dir/err")"
}
is() {
  local got; got=$(jq -c "$1" "$dir/report") || fail "report is not JSON"
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}
# Ids of the cases whose heap_events hold a 32-bit HeapReAlloc with two different sizes.
swap_ids() {
  tail -n +2 "$1/manifest.jsonl" | jq -c -s '[.[] | select(any(.expect.heap_events[];
      .type == "HeapReAlloc" and .pointer_size == 4 and .new_size != .old_size)) | .id]'
}
# strip SRC DST: a copy of corpus SRC whose manifest lacks heap_events (and
# what later generator versions added: shapes, evidence, intact_prefix).
strip() {
  mkdir -p "$2"
  # the cases copied (hard links where it can): a case path through a symlink
  # out of the corpus folder is refused (docs/spec/manifest.md §3)
  rm -rf "$2/cases"
  cp -al "$1/cases" "$2/cases" 2>/dev/null || cp -r "$1/cases" "$2/cases"
  { head -n 1 "$1/manifest.jsonl"
    tail -n +2 "$1/manifest.jsonl" | jq -c 'del(.expect.heap_events, .expect.intact_prefix, .shapes, .evidence)'; } \
    >"$2/manifest.jsonl"
  ! grep -q heap_events "$2/manifest.jsonl" || fail "heap_events left in $2"
}

rm -rf "$dir"
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
# 32-bit cases of every layer: bare ReAlloc payloads, ReAlloc neighbours in records and files.
corpus=$dir/c
"$ETWHF" gen --out "$corpus" --pointer-size 4 --count "$count" --seed 20260601 >/dev/null || fail "etwhf gen failed"

case $name in
  swapped_caught)
    ids=$(swap_ids "$corpus")
    [ "$(jq length <<<"$ids")" -ge 5 ] || fail "the corpus holds too few 32-bit HeapReAlloc events: $ids"
    run 0 "$corpus" --decoder "$decode" --all-heap-events --mode both --strict-codes
    run 1 "$corpus" --decoder "$swapped" --all-heap-events --mode both
    is '[.not_agreeing[].id]' "$ids"
    is '.by_field | keys' '["heap_events.size"]'
    jq -e '.mismatches[0].differences[0].field | test("^heap_events\\[[0-9]+\\]\\.(new|old)_size$")' \
      "$dir/report" >/dev/null || fail "the first difference does not name a size"
    run 0 "$corpus" --decoder "$swapped"
    ;;
  free_only)
    [ "$(tail -n +2 "$corpus/manifest.jsonl" | jq -s '[.[].expect.heap_alloc + .[].expect.heap_realloc] | add')" -gt 0 ] ||
      fail "the corpus holds no HeapAlloc or HeapReAlloc event"
    run 0 "$corpus" --decoder "'$ETWHF' decode --type free {args} {file}" --mode both --strict-codes
    run 1 "$corpus" --decoder "'$ETWHF' decode --type free {args} {file}" --all-heap-events
    is '[.by_field | keys[] | select(startswith("heap_events"))]' '["heap_events.count","heap_events.type"]'
    ;;
  old_manifest)
    strip "$corpus" "$dir/old"
    run 0 "$dir/old"
    run 0 "$dir/old" --decoder "$decode" --all-heap-events --mode both --strict-codes
    run 0 "$dir/old" --decoder "$swapped" --all-heap-events
    ;;
  consistent)
    all=$dir/all
    "$ETWHF" gen --out "$all" --count 400 --seed 20260602 >/dev/null || fail "etwhf gen failed"
    bad=$(tail -n +2 "$all/manifest.jsonl" | jq -c -s '[.[] | select(
        ([.expect.heap_events[] | select(.type == "HeapFree") | {heap_handle, address, source, pointer_size}]
           != .expect.events) or
        ([.expect.heap_events[] | select(.type == "HeapAlloc")] | length) != .expect.heap_alloc or
        ([.expect.heap_events[] | select(.type == "HeapReAlloc")] | length) != .expect.heap_realloc) | .id]')
    [ "$bad" = "[]" ] || fail "heap_events disagrees with events or the counts in cases $bad"
    [ "$(tail -n +2 "$all/manifest.jsonl" | jq -s '[.[].expect.heap_events | length] | add')" -gt 400 ] ||
      fail "too few heap events to mean anything"
    ;;
  planted)
    ex=$dir/ex
    "$ETWHF" gen --out "$ex" --exhaustive --seed 5 >/dev/null || fail "etwhf gen --exhaustive failed"
    run 0 "$ex"
    ETWHF_PLANTED=realloc32_sizes_swapped run 1 "$ex"
    is '.by_field | keys' '["heap_events.size"]'
    strip "$ex" "$dir/old"
    ETWHF_PLANTED=realloc32_sizes_swapped run 0 "$dir/old"
    ;;
  *) echo "heap_events.sh: unknown control '$name'" >&2; exit 2 ;;
esac
echo "heap_events control $name holds"
