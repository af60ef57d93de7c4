#!/usr/bin/env bash
# wrong_decoder.sh — a deliberately wrong decoder for `etwhf check`'s control:
# runs `etwhf decode` with the given arguments and misreports one Source value,
# 4 (SLOWPATH) as 3 (MAINPATH). `etwhf check --decoder "tests/wrong_decoder.sh
# {args} {file}"` must catch it on exactly the cases with a Source 4 event.
# ETWHF names the etwhf binary (default: etwhf on PATH).
set -o pipefail
"${ETWHF:-etwhf}" decode "$@" | sed -e 's/"source":4,"source_name":"SLOWPATH"/"source":3,"source_name":"MAINPATH"/g'
