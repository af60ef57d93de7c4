#!/bin/bash -eu
# ClusterFuzzLite's build step: the project's OSS-Fuzz build script does the work
# ($CC $CFLAGS $CXX $CXXFLAGS $LIB_FUZZING_ENGINE $SANITIZER $WORK $OUT are set by the image).
exec "$SRC/etwhf/ci/oss-fuzz/build.sh"
