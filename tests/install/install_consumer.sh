#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs consumers of
# the decoder and of the check library against it with find_package(etwhf)
# and with pkg-config.
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
echo "install consumer: ok"
