#!/usr/bin/env bash
# Seed inputs cut from a real kernel: fetches the Debian ppc64el kernel if
# it is not there yet (scripts/fetch-debian-kernel.sh), then writes, for
# every patch site whose real-code differential is equivalent,
#   .cache/kernel-corpus/fuzz_diff/   the straight-line block around the site
#                                     (up to 8 words, raw selectors)
#   .cache/kernel-corpus/fuzz_image/  256 words of real text around the site,
#                                     at its real address
# scripts/fuzz.sh adds these to the shipped seeds when they exist; the
# shipped synthetic seeds stay the default.
#
# Usage: scripts/kernel-corpus.sh [--pvfuzz PATH] [--out DIR]
#   --pvfuzz PATH  the pvfuzz to use (default build/pvfuzz, made by scripts/test.sh)
#   --out DIR      default .cache/kernel-corpus
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
pv=build/pvfuzz out=.cache/kernel-corpus
die() { echo "scripts/kernel-corpus.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--pvfuzz) pv=${2:-}; shift 2 ;;
	--out) out=${2:-}; [ -n "$out" ] || die "--out needs a directory"; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -x "$pv" ] || die "$pv not found: run scripts/test.sh first, or give --pvfuzz PATH"
vm=$(scripts/fetch-debian-kernel.sh)
rm -rf "$out"
mkdir -p "$out"
"$pv" diff --vmlinux "$vm" --sites all --states 16 --seeds-out "$out" | tail -n 6
. scripts/lib/targets.sh
echo "$PVFUZZ_INPUT_FORMAT" >"$out/format" # the input format the seeds are in (scripts/lib/targets.sh)
for t in fuzz_diff fuzz_image; do
	echo "$t: $(ls "$out/$t" | wc -l) seeds in $out/$t"
done
