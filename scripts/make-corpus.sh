#!/usr/bin/env bash
# Remakes the seed corpora under corpus/<target>/ and fuzzers/pvfuzz.dict:
# assembles corpus/src/kernel_text.S with the cross binutils (32- and 64-bit),
# then runs the generator, which knows each target's input layout.
# corpus/regressions/ is left alone.
#
# Usage: scripts/make-corpus.sh [--build-dir DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
[ "${1:-}" = --build-dir ] && build=${2:?--build-dir needs a value}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --build "$build" --target pvfuzz_make_corpus >/dev/null
powerpc-linux-gnu-as -a32 -mbig -many -mregnames --defsym PV64=0 -o "$tmp/k32.o" corpus/src/kernel_text.S
powerpc64-linux-gnu-as -a64 -mbig -many -mregnames --defsym PV64=1 -o "$tmp/k64.o" corpus/src/kernel_text.S
powerpc-linux-gnu-objcopy -O binary -j .text "$tmp/k32.o" "$tmp/k32.bin"
powerpc64-linux-gnu-objcopy -O binary -j .text "$tmp/k64.o" "$tmp/k64.bin"
. scripts/lib/targets.sh
for t in $(pvfuzz_targets); do rm -rf "corpus/$t"; done
"$build/fuzzers/pvfuzz_make_corpus" corpus fuzzers/pvfuzz.dict "$tmp/k32.bin" "$tmp/k64.bin"
