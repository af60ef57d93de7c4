#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs consumers of
# the decoder and of the check library against it with find_package(etwhf)
# and with pkg-config; then checks that the unstable etwhf/layout.h is
# installed but refuses a program that did not opt in.
set -euo pipefail
build=$1 src=$2 cc=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/etwhf/decode.h"
test -f "$tmp/prefix/include/etwhf/format.h"
test -f "$tmp/prefix/include/etwhf/check.h"
cmake -S "$src/consumer" -B "$tmp/consumer" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
"$tmp/consumer/consumer_cmake"
"$tmp/consumer/consumer_check"
pc=$(find "$tmp/prefix" -name etwhf.pc | head -n 1)
export PKG_CONFIG_PATH=$(dirname "$pc")
"$cc" "$src/consumer/consumer.c" $(pkg-config --cflags --libs etwhf) -o "$tmp/consumer_pc"
# A static etwhf_check needs its private jansson and cJSON: pkg-config --static names it.
"$cc" "$src/consumer/consumer_check.c" $(pkg-config --cflags --libs --static etwhf_check) -o "$tmp/consumer_check_pc"
"$tmp/consumer_check_pc"
"$tmp/consumer_pc"
# A static etwhf_check needs its private jansson and cJSON: pkg-config --static names it.
"$cc" "$src/consumer/consumer_check.c" $(pkg-config --cflags --libs --static etwhf_check) -o "$tmp/consumer_check_pc"
"$tmp/consumer_check_pc"
test -x "$tmp/prefix/bin/etwhf" && "$tmp/prefix/bin/etwhf" --version
test -f "$tmp/prefix/include/etwhf/layout.h"
printf '#include <etwhf/layout.h>\nint main(void) { return ETWHF_BUFFER_HEADER_SIZE != 0x48; }\n' >"$tmp/layout.c"
if "$cc" -c -I"$tmp/prefix/include" "$tmp/layout.c" -o "$tmp/layout.o" 2>"$tmp/layout.err"; then
  echo "FAIL: etwhf/layout.h compiled without ETWHF_LAYOUT_UNSTABLE" >&2
  exit 1
fi
grep -q ETWHF_LAYOUT_UNSTABLE "$tmp/layout.err"
"$cc" -DETWHF_LAYOUT_UNSTABLE -I"$tmp/prefix/include" "$tmp/layout.c" -o "$tmp/layout"
"$tmp/layout"
echo "install consumer: ok"
