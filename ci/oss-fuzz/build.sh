#!/usr/bin/env bash
# ci/oss-fuzz/build.sh — builds the fuzz targets to OSS-Fuzz's / ClusterFuzzLite's
# contract (https://google.github.io/oss-fuzz/getting-started/new-project-guide/):
#   inputs:  $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $SANITIZER $WORK $OUT [$SRC]
#   output:  $OUT/fuzz_<name>[_sa], fuzz_<name>_seed_corpus.zip, fuzz_<name>.dict,
#            fuzz_<name>.options
# Objects are compiled with $CC $CFLAGS under $WORK; executables are linked by
# $CXX $CXXFLAGS with $LIB_FUZZING_ENGINE (a flag such as -fsanitize=fuzzer, or a
# library such as libAFLDriver.a) through fuzz/CMakeLists.txt's engine rule.
# Never -Werror: compilers in the builder images are newer than ours.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${CC:?CC is not set}" "${CXX:?CXX is not set}" "${OUT:?OUT is not set}" "${WORK:?WORK is not set}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE is not set}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}
SANITIZER=${SANITIZER:-address}
jobs=${ETWHF_OSS_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

build=$WORK/etwhf-build
mkdir -p "$build" "$OUT"

# MemorySanitizer needs every linked byte instrumented: only our own C code and
# libc go into the fuzzers, so nothing else changes; the AFL++ custom mutator
# (.so, plain compiler) is never linked into a target.
echo "etwhf oss-fuzz build: sanitizer=$SANITIZER engine=$LIB_FUZZING_ENGINE cc=$CC"

cmake -S "$src" -B "$build" \
  -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_C_FLAGS="$CFLAGS" \
  -DCMAKE_C_LINK_EXECUTABLE="$CXX $CXXFLAGS <CMAKE_C_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>" \
  -DLIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
  -DETWHF_WERROR=OFF -DETWHF_BUILD_TESTS=OFF -DETWHF_BUILD_CLI=OFF -DETWHF_BUILD_GEN=ON

targets=$(sed -n 's/^ETWHF_FUZZ_TARGETS:INTERNAL=//p' "$build/CMakeCache.txt" | tr ';' ' ')
[ -n "$targets" ] || { echo "oss-fuzz build: fuzz/CMakeLists.txt declared no targets" >&2; exit 1; }
# shellcheck disable=SC2086 # word splitting of the target list is wanted
cmake --build "$build" -j "$jobs" --target $targets

packed=0
for t in $targets; do
  [ "$t" = fuzz_empty ] && continue # the exec/s baseline, not a fuzz target
  name=${t%_sa}
  name=${name#fuzz_} # fuzz_record_sa → record: fuzz/record.dict, corpus/record/
  cp "$build/fuzz/$t" "$OUT/$t"
  if [ -f "$src/fuzz/$name.dict" ]; then cp "$src/fuzz/$name.dict" "$OUT/$t.dict"; fi
  if [ -f "$src/fuzz/$name.options" ]; then cp "$src/fuzz/$name.options" "$OUT/$t.options"; fi
  # Seeds and campaign finds; regressions (crashers) are not seeds.
  zip_list=()
  for d in "$src/corpus/$name" "$src/corpus/found/$name"; do
    [ -d "$d" ] || continue
    while IFS= read -r -d '' f; do zip_list+=("$f"); done < <(
      find "$d" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' ! -name '*.md' ! -name '*.expect' -print0 | sort -z)
  done
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [ ${#zip_list[@]} -gt 0 ]; then
    zip -q -j "$OUT/${t}_seed_corpus.zip" "${zip_list[@]}"
  fi
  packed=$((packed + 1))
done
echo "etwhf oss-fuzz build: $packed fuzz targets in $OUT"
