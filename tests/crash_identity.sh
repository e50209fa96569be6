#!/usr/bin/env bash
# Crash identity (check/crash.c): a failing input aborts through frames
# named after its check, class and flavor, the top frames ClusterFuzz takes
# a crash's state from. Two inputs of one finding give the same frames;
# inputs of different findings give different ones.
#
# Usage: crash_identity.sh FUZZERS_DIR SOURCE_DIR
set -euo pipefail
fz=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
sym=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
[ -n "$sym" ] || fail "no llvm-symbolizer (apt-get install llvm-14): the stack cannot be read"
# state TARGET INPUT: the three frames above abort(), as ClusterFuzz reads them
state() {
	local log
	log=$(PVFUZZ_PROFILE=linux ASAN_SYMBOLIZER_PATH=$sym "$fz/$1" "$2" 2>&1 || true) # it crashes: that is the point
	grep -E '^ +#[0-9]+ ' <<<"$log" | sed -n -E 's/.* in (crash_[a-z]+_[A-Za-z0-9_]+) .*/\1/p' | head -n 3 | tr '\n' ' '
}
reg=$src/corpus/regressions
a=$(state fuzz_diff "$reg/fuzz_diff/linux-mtsrin-r31-r30")
b=$(state fuzz_diff "$reg/fuzz_diff/linux-mtsrin-r30-r5")
c=$(state fuzz_diff "$reg/fuzz_diff/linux-wrteei0-booke64")
d=$(state fuzz_image "$reg/fuzz_image/linux-branch-wraps-booke64")
echo "finding 1 (r31,r30): $a"
echo "finding 1 (r30,r5):  $b"
echo "finding 2:           $c"
echo "finding 3:           $d"
[ "$a" = "crash_flavor_book3s32 crash_class_MTSRIN crash_check_divergence " ] || fail "finding 1: frames '$a'"
[ "$a" = "$b" ] || fail "one finding, two crash states: '$a' and '$b'"
[ "$c" = "crash_flavor_booke64 crash_class_WRTEEI_0 crash_check_divergence " ] || fail "finding 2: frames '$c'"
[ "$d" = "crash_flavor_booke64 crash_class_none crash_check_branch_outside_area " ] || fail "finding 3: frames '$d'"
echo "crash identity: all checks passed"
