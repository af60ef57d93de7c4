#!/usr/bin/env bash
# realloc32_swapped.sh ARGS... — `etwhf decode ARGS...` with the planted bug
# realloc32_sizes_swapped (testing/planted.c) done by hand on its output:
# NewSize and OldSize swapped on every 32-bit HeapReAlloc line. Only the
# heap_events extension of the manifest can catch it (`etwhf check
# --all-heap-events`); HeapFree lines are untouched. ETWHF names the etwhf binary.
set -o pipefail
"${ETWHF:-etwhf}" decode "$@" |
  sed -E 's/^(\{"type":"HeapReAlloc",.*"pointer_size":4,.*"new_size":)("[^"]*")(,"old_size":)("[^"]*")/\1\4\3\2/'
