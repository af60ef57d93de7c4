#!/usr/bin/env bash
# ci/deps.sh — install what the build, tests and campaigns need, when missing.
# Usage: ci/deps.sh [test|fuzz|load|cli]   (sourced or run; idempotent; uses apt-get
# as root, otherwise prints the exact command to run). `load` adds stress-ng
# for ci/test-under-load; `cli` is only what the release etwhf tool and
# ci/decoder-ci need (a decoder author's CI job installs no more).
set -euo pipefail

want_test=(cmake make pkg-config gcc clang llvm libcmocka-dev libjansson-dev libcjson-dev jq valgrind libclang-rt-14-dev procps xxd python3 time clang-format-14)
want_fuzz=(afl++ gnuplot-nox zip unzip)
want_load=(stress-ng)
want_cli=(cmake make pkg-config gcc libjansson-dev libcjson-dev python3)

profile=${1:-test}
pkgs=("${want_test[@]}")
[ "$profile" = fuzz ] && pkgs+=("${want_fuzz[@]}")
[ "$profile" = load ] && pkgs+=("${want_load[@]}")
# afl++ is also needed by the tests that build the AFL++ targets and the OSS-Fuzz script.
pkgs+=(afl++ zip)
# The campaign scripts (ci/fuzz, ci/coverage) and their tests: Python, YAML and
# shell lint for the ClusterFuzzLite files, unzip for the OSS-Fuzz build test.
pkgs+=(python3 python3-yaml shellcheck unzip)
[ "$profile" = cli ] && pkgs=("${want_cli[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "etwhf: missing packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "== installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
