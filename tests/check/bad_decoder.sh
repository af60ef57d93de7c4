#!/usr/bin/env bash
# bad_decoder.sh HOW ARGS... — `etwhf decode ARGS...`, except on cases whose file
# name starts with n_ (the corpus's error cases), where it fails in one way:
#   crash    kills itself with SIGSEGV
#   hang     blocks for ever opening the FIFO BAD_DECODER_HANG (which nobody
#            writes): however slow the machine, it never finishes by itself
#   asan     prints a sanitizer report on stderr and exits 1
#   exit2    exits with status 2 (a decoder failure, not a verdict)
#   orphan   answers as etwhf decode does, then exits leaving a child (in its
#            process group) that holds standard output and error open, blocked
#            for ever on the FIFO BAD_DECODER_HANG
# The file is the last argument. ETWHF names the etwhf binary.
how=$1
shift
file=${!#}
case $(basename -- "$file") in
  n_*)
    case $how in
      crash) kill -SEGV $$ ;;
      hang) exec cat -- "${BAD_DECODER_HANG:?BAD_DECODER_HANG names a FIFO}" ;;
      asan) echo "==42==ERROR: AddressSanitizer: heap-buffer-overflow (pretend)" >&2; exit 1 ;;
      exit2) echo "bad_decoder: giving up" >&2; exit 2 ;;
      orphan)
        "${ETWHF:-etwhf}" decode "$@"
        rc=$?
        cat -- "${BAD_DECODER_HANG:?BAD_DECODER_HANG names a FIFO}" &
        exit "$rc" ;;
    esac ;;
esac
exec "${ETWHF:-etwhf}" decode "$@"
