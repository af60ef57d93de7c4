#!/usr/bin/env bash
# ci/test-msan.sh [SAMPLES_DIR] — MemorySanitizer over the code that links
# nothing but libc: the decoder, the generator (format/ only) and the
# standalone fuzz driver. (The CLI and the cmocka tests link jansson and
# cmocka, which MSan cannot see into: ASan+UBSan and valgrind cover those.)
#
#   1. builds the `msan` preset, generator on, in build/msan: every fuzz target
#      that needs only these libraries, with the standalone driver (not the
#      structure-aware _sa variants: a replay runs their base target's code,
#      never their mutator, so it would repeat the base target's replay);
#   2. replays corpus/<t>/, corpus/found/<t>/ and corpus/regressions/<t>/
#      through each target that has any of them (their .expect sidecars too),
#      fuzz_xpress over corpus/xpress/ included; a target with none gets
#      corpus/file and the samples as raw bytes;
#   3. runs the three samples through fuzz_file, and through fuzz_stream in
#      several chunk plans and modes;
#   4. runs decode_files (tests/reliability/decode_files.c: the fd reader over
#      files and pipes, 1-byte feeds, logfile names) over the samples, checking
#      the sample README's buffer and record counts, and over corpus/file/.
#
# SAMPLES_DIR defaults to $ETWHF_SAMPLES_DIR or ../shared/samples; when it is
# missing the sample steps are skipped with a message (a failure when CI=true).
# Exit 0 when MSan stayed silent and every replay passed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=$PWD
samples=${1:-${ETWHF_SAMPLES_DIR:-$src/../shared/samples}}
build=$src/build/msan
jobs=$(nproc 2>/dev/null || echo 2)
export MSAN_OPTIONS=${MSAN_OPTIONS:-halt_on_error=1:print_stats=0}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/etwhf-msan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)

say() { printf '[msan] %s\n' "$*"; }
die() { printf '[msan] FAILED: %s\n' "$*" >&2; exit 1; }

say "build (preset msan, generator on: it links only format/)"
cmake --preset msan -DETWHF_BUILD_GEN=ON >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; die "configure"; }
mapfile -t replay_targets < <(sed -n 's/^ETWHF_FUZZ_TARGETS:INTERNAL=//p' "$build/CMakeCache.txt" | tr ';' '\n' |
  grep -v -e '_sa$' -e '^fuzz_empty$')
[ ${#replay_targets[@]} -gt 0 ] || die "the msan build lists no fuzz targets"
cmake --build --preset msan -j "$jobs" --target etwhf etwhf_format "${replay_targets[@]}" >"$tmp/build.log" 2>&1 ||
  { tail -40 "$tmp/build.log" >&2; die "build"; }

# The small decoder-only program, linked like the fuzz targets (same flags).
cflags=$(sed -n 's/^CMAKE_C_FLAGS:STRING=//p' "$build/CMakeCache.txt")
# shellcheck disable=SC2086
clang -std=gnu11 -Wall -Wextra -Werror $cflags -I"$src/decoder/include" -I"$src/format/include" -I"$src/tests/common" \
  "$src/tests/reliability/decode_files.c" "$build/decoder/libetwhf.a" "$build/format/libetwhf_format.a" \
  -o "$build/decode_files" || die "decode_files does not build"

# ---- 2. corpora ------------------------------------------------------------------
targets=0
for name in "${replay_targets[@]}"; do
  exe=$build/fuzz/$name
  [ -x "$exe" ] || die "$name was not built"
  base=${name#fuzz_}
  dirs=()
  for d in "corpus/$base" "corpus/found/$base" "corpus/regressions/$base"; do
    [ -d "$d" ] && dirs+=("$src/$d")
  done
  if [ ${#dirs[@]} -eq 0 ]; then
    # No seeds of its own: arbitrary bytes still must not upset it.
    dirs=("$src/corpus/file")
    for s in "$samples"/*.etl; do [ -r "$s" ] && dirs+=("$s"); done
    say "$name: no corpus folder of its own; replaying corpus/file and the samples as raw inputs"
  fi
  ETWHF_FUZZ_MIN_INPUTS=1 ETWHF_FUZZ_TIMEOUT=60 "$exe" "${dirs[@]}" >"$tmp/$name.log" 2>&1 ||
    { tail -60 "$tmp/$name.log" >&2; die "$name over ${dirs[*]#"$src"/}"; }
  say "$name: $(tail -1 "$tmp/$name.log")"
  targets=$((targets + 1))
done
[ "$targets" -ge 4 ] || die "only $targets fuzz targets replayed (expected payload, record, file, stream at least)"

# ---- 3., 4. samples ----------------------------------------------------------------
sample_files=()
for s in lxcore_kernel.etl ShutdownPerfDiagLogger.etl SelfDescribingSingleEvent.etl; do
  [ -r "$samples/$s" ] && sample_files+=("$samples/$s")
done
if [ ${#sample_files[@]} -ne 3 ]; then
  [ "${CI:-}" = true ] && die "CI=true but the samples are not all in '$samples'"
  say "SKIP: samples not found in '$samples' (the sample steps did not run)"
else
  mkdir -p "$tmp/stream"
  for f in "${sample_files[@]}"; do
    b=$(basename "$f" .etl)
    # fuzz_stream input: byte 0 (bit 7 strict, bit 6 no decompressor, low 4 bits
    # = plan length), the plan (1..0xEF bytes, 0xF0+ = n x 512, 0 = empty feed), the trace.
    printf '\x03\x07\xf0\x01' | cat - "$f" >"$tmp/stream/$b.recover-7-512-1"
    printf '\x82\x01\x00' | cat - "$f" >"$tmp/stream/$b.strict-1-empty"
    printf '\x41\xf3' | cat - "$f" >"$tmp/stream/$b.nodecompress-2048"
    printf '\x00' | cat - "$f" >"$tmp/stream/$b.whole"
  done
  ETWHF_FUZZ_MIN_INPUTS=3 "$build/fuzz/fuzz_file" "${sample_files[@]}" >"$tmp/file.log" 2>&1 ||
    { tail -60 "$tmp/file.log" >&2; die "fuzz_file over the samples"; }
  say "fuzz_file over the samples: $(tail -1 "$tmp/file.log")"
  ETWHF_FUZZ_MIN_INPUTS=12 "$build/fuzz/fuzz_stream" "$tmp/stream" >"$tmp/stream.log" 2>&1 ||
    { tail -60 "$tmp/stream.log" >&2; die "fuzz_stream over the samples"; }
  say "fuzz_stream over the samples in 4 plans: $(tail -1 "$tmp/stream.log")"
  "$build/decode_files" --samples "$samples" >"$tmp/samples.log" 2>&1 ||
    { cat "$tmp/samples.log" >&2; die "decode_files over the samples"; }
  say "decode_files over the samples: counts as in the samples README"
fi
"$build/decode_files" "$src"/corpus/file/*.etl >"$tmp/corpus.log" 2>&1 ||
  { tail -40 "$tmp/corpus.log" >&2; die "decode_files over corpus/file"; }
say "decode_files over corpus/file: $(wc -l <"$tmp/corpus.log") traces"
say "done in $(( $(date +%s) - t0 ))s: MSan silent"
