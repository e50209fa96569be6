#!/bin/bash -eu
# ClusterFuzzLite build: the project's OSS-Fuzz style build script.
"$SRC/pvfuzz/scripts/oss-fuzz-build.sh"
