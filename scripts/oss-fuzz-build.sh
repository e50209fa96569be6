#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: honours $CC, $CXX, $CFLAGS, $CXXFLAGS,
# $LIB_FUZZING_ENGINE, $SRC, $OUT and $WORK as the OSS-Fuzz builder sets
# them, and writes into $OUT each target, <target>_seed_corpus.zip,
# <target>.dict and <target>.options. A fuzz-only build (PVFUZZ_FUZZ_ONLY):
# no tool, no tests, no cmocka (libelf, static, for fuzz_vmlinux); no build type of ours, so the
# builder's -O and -g stand; the targets linked with $CXX. unicorn is built
# from its release tarball with flags of its own (cmake/Unicorn.cmake):
# $SRC/unicorn-2.1.4.tar.gz when the Dockerfile fetched it, else
# ../shared/vendor beside the checkout, else downloaded; the checksum is
# checked in every case. Check the result with scripts/oss-fuzz-check.sh.
case "${1:-}" in
-h|--help) . "$(dirname "$0")/lib/usage.sh"; usage; exit 0 ;;
"") ;;
*) echo "scripts/oss-fuzz-build.sh: takes no arguments, only the OSS-Fuzz environment (see --help)" >&2; exit 2 ;;
esac
: "${CC:?}" "${CXX:?}" "${CFLAGS:=}" "${CXXFLAGS:=}" "${LIB_FUZZING_ENGINE:?}" "${SRC:?}" "${OUT:?}"
here=$(cd "$(dirname "$0")/.." && pwd)
build=${WORK:-$here/build-oss-fuzz}/pvfuzz-build
tarball=()
[ -f "$SRC/unicorn-2.1.4.tar.gz" ] && tarball=(-DPVFUZZ_UNICORN_TARBALL="$SRC/unicorn-2.1.4.tar.gz")
# scripts/oss-fuzz-check.sh builds unicorn once for all its rows
[ -n "${PVFUZZ_UNICORN_FROM:-}" ] && tarball+=(-DPVFUZZ_UNICORN_FROM="$PVFUZZ_UNICORN_FROM")
cd "$here"
cmake -S . -B "$build" -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
	-DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
	-DPVFUZZ_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" -DPVFUZZ_STATIC_DEPS=ON "${tarball[@]}"
targets=$(PVFUZZ_TOP=. && . scripts/lib/targets.sh && pvfuzz_targets | paste -sd" ") # check/targets.def
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets
mkdir -p "$OUT"
for t in $targets; do
	cp "$build/fuzzers/$t" "$OUT/$t"
	rm -f "$OUT/${t}_seed_corpus.zip"
	(cd "corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
	cp fuzzers/pvfuzz.dict "$OUT/$t.dict"
	cp "fuzzers/$t.options" "$OUT/$t.options"
done
echo "oss-fuzz-build: $targets -> $OUT"
