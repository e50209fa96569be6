#!/usr/bin/env bash
# The check OSS-Fuzz's check_build makes, runnable here: every fuzz target
# in OUT runs -runs=4 -seed=1337 and must print "Done 4 runs". Also checks
# that each has its seed corpus, dictionary and options.
# Usage: scripts/check-build.sh OUT
set -uo pipefail
out=${1:?usage: scripts/check-build.sh OUT}
[ -d "$out" ] || { echo "check-build: no such directory: $out" >&2; exit 2; }
fail=0 n=0
for t in "$out"/fuzz_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	n=$((n + 1))
	for extra in "${name}_seed_corpus.zip" "$name.dict" "$name.options"; do
		[ -f "$out/$extra" ] || { echo "FAIL $name: $extra missing"; fail=1; }
	done
	log=$(cd "$out" && timeout 120 "./$name" -runs=4 -seed=1337 2>&1)
	if grep -q "Done 4 runs" <<<"$log"; then
		echo "ok   $name: Done 4 runs"
	else
		echo "FAIL $name:"; tail -n 15 <<<"$log"; fail=1
	fi
done
[ "$n" -gt 0 ] || { echo "check-build: no fuzz targets in $out" >&2; exit 1; }
exit $fail
