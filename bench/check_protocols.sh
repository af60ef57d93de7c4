#!/usr/bin/env bash
# bench/check_protocols.sh [ETWHF [PYTHON]] — cases/s of `etwhf check` over the
# default corpus (`etwhf gen --count 1000 --seed 1`, recover mode, --jobs 2)
# per decoder and protocol: the Python example per process (--decoder) and
# as batch workers (--decoder-batch), `etwhf decode` per process and
# `--batch`. Each row is the median of RUNS runs (default 5; 1 for the slow
# per-process Python row), with the 1-minute load average read from
# /proc/loadavg before and after it: these are wall-clock figures on a shared
# machine, worth what the load beside them says. CPU seconds (checker and
# decoders, from the --json report; per case, the manifest's reading
# included) say what an idle machine would need.
#   ETWHF defaults to build/ci/etwhf, PYTHON to /usr/bin/python3 (or python3).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
etwhf=$(realpath "${1:-$root/build/ci/etwhf}")
py=${2:-$(command -v /usr/bin/python3 || command -v python3)}
runs=${RUNS:-5}
example=$root/examples/decoders/python/etwhf_decoder.py
work=$(mktemp -d "${TMPDIR:-/tmp}/etwhf-protocols.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Byte-compiled once, outside the sources: a per-process run must not compile.
export PYTHONPYCACHEPREFIX=$work/pycache
unset PYTHONDONTWRITEBYTECODE
"$etwhf" gen --out "$work/corpus" --count 1000 --seed 1 >/dev/null

load1() { cut -d' ' -f1 /proc/loadavg; }
# row NAME N OPTION CMD: the median cases/s of N runs, and their load.
row() {
  local name=$1 n=$2 opt=$3 cmd=$4 before after rates=() cpu
  before=$(load1)
  for _ in $(seq "$n"); do
    "$etwhf" check "$work/corpus" --json --jobs 2 "$opt" "$cmd" >"$work/report" ||
      { echo "$name: etwhf check failed" >&2; jq -c .totals "$work/report" >&2; exit 1; }
    rates+=("$(jq -r '.cases_per_second | floor' "$work/report")")
    cpu=$(jq -r '"\(.cpu_seconds.checker * 100 | round / 100) s + \(.cpu_seconds.children * 100 | round / 100) s = \((.cpu_seconds.checker + .cpu_seconds.children) * 1e6 / .cases | round) µs/case"' "$work/report")
  done
  after=$(load1)
  local median; median=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")
  printf '| %-38s | %8s | %-26s | %-34s | %s → %s |\n' "$name" "$median" "$(IFS=,; echo "${rates[*]}")" "$cpu" "$before" "$after"
  eval "rate_$5=$median"
}

echo "corpus: etwhf gen --count 1000 --seed 1; etwhf check --jobs 2, recover mode; $(nproc) cores"
echo
echo "| decoder, protocol | cases/s | runs (cases/s) | CPU of the last run: checker + decoders | load (1 min) before → after |"
echo "|---|---|---|---|---|"
row "Python example, per process" 1 --decoder "'$py' '$example' {args} {file}" py_proc
row "Python example, --decoder-batch" "$runs" --decoder-batch "'$py' '$example' --batch" py_batch
row "etwhf decode, per process" "$runs" --decoder "'$etwhf' decode {args} {file}" c_proc
row "etwhf decode --batch, --decoder-batch" "$runs" --decoder-batch "'$etwhf' decode --batch" c_batch
echo
echo "Python: batch / per process = $((rate_py_batch / (rate_py_proc > 0 ? rate_py_proc : 1)))x; etwhf decode: batch / per process = $((rate_c_batch / (rate_c_proc > 0 ? rate_c_proc : 1)))x"
echo "(CPU seconds include reading the 1000-case manifest, ~0.015 s.)"
