#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: honours $CC, $CXX, $CFLAGS, $CXXFLAGS,
# $LIB_FUZZING_ENGINE, $SRC and $OUT as the OSS-Fuzz builder sets them, and
# writes into $OUT each target, <target>_seed_corpus.zip, <target>.dict and
# <target>.options. unicorn is built from its release tarball (downloaded
# and checksum-checked when ../shared/vendor is not beside the checkout).
# Check the result with scripts/check-build.sh "$OUT".
: "${CC:?}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:?}" "${SRC:?}" "${OUT:?}"
here=$(cd "$(dirname "$0")/.." && pwd)
build=${WORK:-$here/build-oss-fuzz}/pvfuzz-build
cd "$here"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DPVFUZZ_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" -DPVFUZZ_STATIC_DEPS=ON
targets="fuzz_check_ins fuzz_diff fuzz_image fuzz_disasm_xcheck"
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
