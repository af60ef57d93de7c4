import struct
import walk
import fuzz_args  # out of place: lives in ci/
