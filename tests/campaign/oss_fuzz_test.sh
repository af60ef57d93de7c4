#!/usr/bin/env bash
# ci/oss-fuzz/build.sh run locally with OSS-Fuzz's variables, once per engine
# form: LIB_FUZZING_ENGINE as a flag (-fsanitize=fuzzer, clang) and as a
# library (AFL++'s libAFLDriver.a, afl-clang-fast). Checks what lands in $OUT
# and that a built target runs one input.
#   oss_fuzz_test.sh WORKDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:?usage: oss_fuzz_test.sh WORKDIR}
fail() { echo "oss-fuzz build test: FAIL: $*" >&2; exit 1; }

# The targets every form must deliver, and the extra structure-aware ones of libFuzzer.
base_targets=(fuzz_payload fuzz_record fuzz_file fuzz_stream fuzz_gen fuzz_roundtrip)
sa_targets=(fuzz_record_sa fuzz_file_sa fuzz_stream_sa)

run_form() { # run_form NAME CC CXX FLAGS ENGINE
  local name=$1 cc=$2 cxx=$3 flags=$4 engine=$5
  local out=$work/$name/out w=$work/$name/work
  rm -rf "${work:?}/${name:?}"
  mkdir -p "$out" "$w"
  echo "== oss-fuzz build, $name: CC=$cc LIB_FUZZING_ENGINE=$engine"
  env -u LIB_FUZZING_ENGINE CC="$cc" CXX="$cxx" CFLAGS="$flags" CXXFLAGS="$flags" \
    LIB_FUZZING_ENGINE="$engine" SANITIZER=address FUZZING_ENGINE="$name" ARCHITECTURE=x86_64 \
    SRC="$repo/.." WORK="$w" OUT="$out" ETWHF_OSS_FUZZ_JOBS=2 \
    bash "$repo/ci/oss-fuzz/build.sh" >"$work/$name.log" 2>&1 || { tail -30 "$work/$name.log"; fail "$name build failed"; }
  if grep -rqs -- '-Werror' "$w"/etwhf-build/*/CMakeFiles/*/flags.make; then fail "$name: built with -Werror"; fi
  grep -q "^$cxx " "$w/etwhf-build/fuzz/CMakeFiles/fuzz_payload.dir/link.txt" || fail "$name: fuzzers not linked by \$CXX"
  for t in "${base_targets[@]}"; do
    [ -x "$out/$t" ] || fail "$name: $out/$t missing"
    [ -f "$out/$t.options" ] || fail "$name: $out/$t.options missing"
  done
  for t in fuzz_payload fuzz_record fuzz_file fuzz_stream; do
    [ -f "$out/$t.dict" ] || fail "$name: $out/$t.dict missing"
  done
  [ ! -e "$out/fuzz_empty" ] || fail "$name: the exec/s baseline fuzz_empty is not a fuzz target"
  # every seed corpus that exists must be a valid zip of plain files
  for z in "$out"/*_seed_corpus.zip; do
    [ -e "$z" ] || continue
    unzip -tq "$z" >/dev/null || fail "$name: $z is not a valid zip"
  done
  # One input through a built target, the way the engine's driver runs files.
  printf '\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00' >"$work/$name/input"
  ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_payload" "$work/$name/input" >"$work/$name/run.log" 2>&1 \
    || { cat "$work/$name/run.log"; fail "$name: fuzz_payload does not run one input"; }
}

run_form libfuzzer clang clang++ \
  "-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
  "-fsanitize=fuzzer"
for t in "${sa_targets[@]}"; do
  [ -x "$work/libfuzzer/out/$t" ] || fail "libfuzzer: $work/libfuzzer/out/$t missing"
done
grep -q 'Running: .*input\|Executed .*input' "$work/libfuzzer/run.log" || fail "libfuzzer: the run log shows no input executed"

run_form afl afl-clang-fast afl-clang-fast++ "-O1 -fno-omit-frame-pointer -gline-tables-only" \
  /usr/lib/afl/libAFLDriver.a
symbols=$(nm "$work/afl/out/fuzz_payload")
grep -q __afl_ <<<"$symbols" || fail "afl: fuzz_payload carries no AFL++ instrumentation"
echo "oss-fuzz build test: passed (both engine forms)"
