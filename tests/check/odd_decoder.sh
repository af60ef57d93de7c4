#!/usr/bin/env bash
# odd_decoder.sh HOW — decoders for tests/check/report.sh, each wrong in one
# way the report must make plain. ETWHF names the etwhf binary.
#   env       takes the case from its environment only (ETWHF_FILE, _LAYER,
#             _MODE, _POINTER_SIZE, _EVENT) and misreports Source 4 as 3, as
#             tests/wrong_decoder.sh does: a rerun without the variables
#             cannot reproduce it
#   stderr30  on n_ cases writes 30 numbered lines to stderr and exits 3
#   badkey    on payload cases prints an event whose source is -1, padded
#             to a line of over 300 bytes
how=$1
case $how in
  env)
    args=(--mode "$ETWHF_MODE" --input "$ETWHF_LAYER")
    if [ "$ETWHF_LAYER" = payload ]; then
      args+=(--pointer-size "$ETWHF_POINTER_SIZE" --event "$ETWHF_EVENT")
    fi
    set -o pipefail
    "${ETWHF:-etwhf}" decode "${args[@]}" "$ETWHF_FILE" |
      sed -e 's/"source":4,"source_name":"SLOWPATH"/"source":3,"source_name":"MAINPATH"/g'
    ;;
  stderr30)
    case $(basename -- "$ETWHF_FILE") in
      n_*) for i in $(seq 1 30); do echo "odd_decoder: complaint $i" >&2; done; exit 3 ;;
    esac
    exec "${ETWHF:-etwhf}" decode --mode "$ETWHF_MODE" --input "$ETWHF_LAYER" "$ETWHF_FILE" ;;
  badkey)
    pad=$(printf 'x%.0s' $(seq 1 300))
    printf '{"type":"HeapFree","heap_handle":"0x1","address":"0x2","source":-1,"pointer_size":8,"pad":"%s"}\n' "$pad" ;;
esac
