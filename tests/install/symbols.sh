#!/usr/bin/env bash
# The libraries a distribution would ship (format, decoder, generator, check)
# export the public API and nothing else:
#  - static (this build, installed): every global symbol the .a files define
#    starts with etwhf_ (internal ones with etwhf__), so no program that links
#    them meets a clash with a name of its own;
#  - shared (a second, minimal build of the same sources, installed): the
#    dynamic symbol tables hold exactly the ETWHF_API declarations of the
#    installed headers, the SONAME carries the ABI version, and a consumer
#    of the decoder and one of the check library link and run against the
#    .so files;
#  - a planted-bug build cannot be configured for installing.
# Usage: symbols.sh BUILD_DIR SOURCE_DIR CC NM
set -euo pipefail
build=$1 src=$2 cc=$3 nm=$4
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The public API: every name the installed headers declare with ETWHF_API.
public_api() { # public_api INCLUDE_DIR
  cat "$1"/etwhf/*.h | tr '\n' ' ' | grep -oE 'ETWHF_API[^;{]*' |
    grep -oE '\betwhf_[a-z0-9_]+ *(\(|\[|$)' | grep -oE 'etwhf_[a-z0-9_]+' | sort -u
}

cmake --install "$build" --prefix "$tmp/static" >/dev/null
libs=$(find "$tmp/static" -name 'libetwhf*.a' | sort)
[ -n "$libs" ] || fail "no static library installed"
for lib in $libs; do
  bad=$("$nm" -g --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}' | grep -v '^etwhf_' || true)
  [ -z "$bad" ] || fail "$(basename "$lib") defines names without the etwhf_ prefix: $(echo $bad)"
done
echo "static: $(echo "$libs" | wc -l) libraries, every global name prefixed"

# A shared build of the libraries alone.
quietly() { # quietly LOG COMMAND...: the command's output only when it fails
  local log=$1; shift
  "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "$*"; }
}
quietly "$tmp/configure.log" cmake -S "$src" -B "$tmp/build" -DCMAKE_C_COMPILER="$cc" -DBUILD_SHARED_LIBS=ON \
  -DCMAKE_BUILD_TYPE=Release -DETWHF_BUILD_TESTS=OFF -DETWHF_BUILD_FUZZ=OFF -DETWHF_BUILD_CLI=OFF -DETWHF_BUILD_CHECK=ON
quietly "$tmp/build.log" cmake --build "$tmp/build" -j 2
quietly "$tmp/install.log" cmake --install "$tmp/build" --prefix "$tmp/shared"
public_api "$tmp/shared/include" >"$tmp/api.txt"
[ -s "$tmp/api.txt" ] || fail "no ETWHF_API declaration found in the installed headers"
sos=$(find "$tmp/shared" -name 'libetwhf*.so.*.*' -type f | sort)
[ -n "$sos" ] || fail "no shared library installed"
: >"$tmp/exported.txt"
for so in $sos; do
  soname=$(objdump -p "$so" | awk '$1=="SONAME" {print $2}')
  case $soname in
    libetwhf*.so.[0-9]*) ;;
    *) fail "$(basename "$so") has SONAME '$soname', not a versioned one" ;;
  esac
  "$nm" -D --defined-only "$so" | awk 'NF==3 && $2 ~ /[TDRBV]/ {print $3}' >"$tmp/one.txt"
  bad=$(grep -v '^etwhf_' "$tmp/one.txt" || true)
  [ -z "$bad" ] || fail "$(basename "$so") exports names without the etwhf_ prefix: $(echo $bad)"
  internal=$(grep '^etwhf__' "$tmp/one.txt" || true)
  [ -z "$internal" ] || fail "$(basename "$so") exports internal names: $(echo $internal)"
  cat "$tmp/one.txt" >>"$tmp/exported.txt"
  echo "shared: $(basename "$so") (SONAME $soname) exports $(wc -l <"$tmp/one.txt") names"
done
sort -u -o "$tmp/exported.txt" "$tmp/exported.txt"
extra=$(comm -13 "$tmp/api.txt" "$tmp/exported.txt")
missing=$(comm -23 "$tmp/api.txt" "$tmp/exported.txt")
[ -z "$extra" ] || fail "exported but declared in no installed header with ETWHF_API: $(echo $extra)"
[ -z "$missing" ] || fail "declared with ETWHF_API but not exported: $(echo $missing)"
echo "shared: the $(wc -l <"$tmp/api.txt") exported names are exactly the ETWHF_API declarations"

pc=$(find "$tmp/shared" -name etwhf.pc | head -n 1)
export PKG_CONFIG_PATH=$(dirname "$pc")
"$cc" "$src/tests/install/consumer/consumer.c" $(pkg-config --cflags --libs etwhf) -o "$tmp/consumer_so"
objdump -p "$tmp/consumer_so" | grep -q 'NEEDED *libetwhf\.so\.' || fail "the consumer did not link the shared library"
LD_LIBRARY_PATH=$(dirname "$(echo "$sos" | head -n 1)") "$tmp/consumer_so"
"$cc" "$src/tests/install/consumer/consumer_check.c" $(pkg-config --cflags --libs etwhf_check) -o "$tmp/consumer_check_so"
objdump -p "$tmp/consumer_check_so" | grep -q 'NEEDED *libetwhf_check\.so\.' || fail "the check consumer did not link the shared library"
LD_LIBRARY_PATH=$(dirname "$(echo "$sos" | head -n 1)") "$tmp/consumer_check_so"

# A planted build asks for no install rules, and refuses them when asked.
if cmake -S "$src" -B "$tmp/planted" -DETWHF_PLANTED_BUGS=ON -DETWHF_INSTALL=ON -DETWHF_BUILD_TESTS=OFF \
    -DETWHF_BUILD_FUZZ=OFF >"$tmp/planted.log" 2>&1; then
  fail "a planted build configured with ETWHF_INSTALL=ON"
fi
tr -s " \n" "  " <"$tmp/planted.log" | grep -q "must never be installed" || fail "the planted refusal does not say why: $(tail -3 "$tmp/planted.log")"
echo "planted: configuring an installable planted build fails"
echo "symbols: ok"
