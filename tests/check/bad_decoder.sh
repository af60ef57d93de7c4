#!/usr/bin/env bash
# bad_decoder.sh HOW ARGS... — `etwhf decode ARGS...`, except on cases whose file
# name starts with n_ (the corpus's error cases), where it fails in one way:
#   crash    kills itself with SIGSEGV
#   hang     sleeps far past any --timeout (BAD_DECODER_SLEEP seconds, default 60)
#   asan     prints a sanitizer report on stderr and exits 1
#   exit2    exits with status 2 (a decoder failure, not a verdict)
# The file is the last argument. ETWHF names the etwhf binary.
how=$1
shift
file=${!#}
case $(basename -- "$file") in
  n_*)
    case $how in
      crash) kill -SEGV $$ ;;
      hang) exec sleep "${BAD_DECODER_SLEEP:-60}" ;;
      asan) echo "==42==ERROR: AddressSanitizer: heap-buffer-overflow (pretend)" >&2; exit 1 ;;
      exit2) echo "bad_decoder: giving up" >&2; exit 2 ;;
    esac ;;
esac
exec "${ETWHF:-etwhf}" decode "$@"
