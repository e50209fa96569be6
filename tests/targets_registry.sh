#!/usr/bin/env bash
# One registry of fuzz targets (check/targets.def): `pvfuzz targets`, the
# scripts' reader (scripts/lib/targets.sh) and the build (CMake's list,
# given as $3) name the same targets in the same order; every target has
# its entry point, options, seed corpus and regressions folder; every seed
# starts with its own target's id (byte 0) and a platform (byte 1).
# Usage: targets_registry.sh SOURCE_DIR PVFUZZ "CMAKE;LIST"
set -euo pipefail
src=$1 pv=$2 cmake_list=$3
fail() { echo "targets_registry: $*"; exit 1; }
. "$src/scripts/lib/targets.sh"
tool=$("$pv" targets --names | paste -sd' ')
script=$(PVFUZZ_TOP=$src pvfuzz_targets | paste -sd' ')
build=${cmake_list//;/ }
[ -n "$tool" ] || fail "pvfuzz targets printed nothing"
[ "$tool" = "$script" ] || fail "pvfuzz targets says '$tool', scripts/lib/targets.sh '$script'"
[ "$tool" = "$build" ] || fail "pvfuzz targets says '$tool', CMake built '$build'"
echo "targets: $tool (the tool, the scripts and CMake agree)"
# the ids: pvfuzz targets' first column, as the scripts read them back
while read -r id name _; do
	[ "$(PVFUZZ_TOP=$src pvfuzz_target_of_id "$id")" = "$name" ] || fail "id $id: the scripts read another target than $name"
done < <("$pv" targets)
nplat=$("$pv" platforms --names | wc -l)
[ "$nplat" -ge 1 ] && [ "$nplat" -le 256 ] || fail "the platform table has $nplat rows (1 to 256: byte 1 of an input)"
for t in $tool; do
	id=$("$pv" targets | awk -v t="$t" '$2 == t { print $1 }')
	[ -f "$src/fuzzers/$t.c" ] || fail "$t: no entry point fuzzers/$t.c"
	[ -f "$src/fuzzers/$t.options" ] || fail "$t: no libFuzzer options fuzzers/$t.options"
	[ -d "$src/corpus/$t" ] && [ -d "$src/corpus/regressions/$t" ] || fail "$t: no corpus/$t/ or corpus/regressions/$t/"
	n=0
	for f in "$src/corpus/$t"/* "$src/corpus/regressions/$t"/*; do
		[ -f "$f" ] || continue
		read -r b0 b1 < <(od -An -tu1 -N2 "$f")
		[ -n "${b1:-}" ] || fail "$f: shorter than the two header bytes"
		[ "$b0" = "$id" ] || fail "$f: byte 0 is $b0, not $t's id $id (an input of the old one-byte header? scripts/convert-inputs.py)"
		[ "$b1" -lt "$nplat" ] || fail "$f: byte 1 is $b1, past the $nplat platforms (seeds name a row exactly)"
		n=$((n + 1))
	done
	echo "$t: id $id, $n seeds and regressions, each with its header"
done
