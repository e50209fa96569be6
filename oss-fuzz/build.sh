#!/bin/bash -eu
# projects/pvfuzz/build.sh for google/oss-fuzz: the project's own script.
"$SRC/pvfuzz/scripts/oss-fuzz-build.sh"
