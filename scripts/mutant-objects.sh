#!/usr/bin/env bash
# Checks that every mutant of src/mutants.def still mutates, and only where
# it says: for a mutant of a .c file, that file compiled with
# -DPVFUZZ_MUTANT_<name>=1 gives other machine code or data than without,
# and every other engine file gives the same; for a mutant of templates.S,
# the assembled templates differ. A mutant whose name no longer matches its
# PV_MUTANT()/.ifdef in the code would build the unmutated engine and score
# as "missed" for the wrong reason: this finds it in seconds, without the
# mutation score's hour. Run by ctest (mutants_apply).
#
# Usage: scripts/mutant-objects.sh [--cc CC] [--gen DIR]
#   --cc CC    the C compiler (default: $CC, else clang-14, else cc)
#   --gen DIR  a build's gen/ folder holding pv_templates_gen.h (default build/gen)
# Exit status: 0 every mutant applies, 1 one does not (named), 2 usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
cc=${CC:-} gen=build/gen
die() { echo "scripts/mutant-objects.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--cc) cc=${2:-}; [ -n "$cc" ] || die "--cc needs a compiler"; shift 2 ;;
	--gen) gen=${2:-}; [ -n "$gen" ] || die "--gen needs a folder"; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
if [ -z "$cc" ]; then
	for c in clang-14 cc; do command -v "$c" >/dev/null && { cc=$c; break; }; done
fi
command -v "$cc" >/dev/null || die "no C compiler '$cc'"
[ -f "$gen/pv_templates_gen.h" ] || die "no $gen/pv_templates_gen.h: build first (scripts/test.sh), or give --gen"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sig FILE [DEFINE]: a hash of the object's code and data
sig() {
	"$cc" -O2 -std=gnu11 -c ${2:+"$2"} -Isrc -I"$gen" "$1" -o "$tmp/o.o"
	{ objdump -d --no-show-raw-insn "$tmp/o.o" | tail -n +4
	  objdump -s -j .rodata -j .data -j .data.rel.ro "$tmp/o.o" 2>/dev/null | tail -n +4 || true; } | cksum
}
declare -A normal
for f in src/*.c; do normal[$f]=$(sig "$f"); done
gen_templates() { # OUT [EXTRA_AS_FLAGS]
	sh scripts/gen-templates.sh powerpc-linux-gnu-as powerpc64-linux-gnu-as powerpc-linux-gnu-nm \
		powerpc-linux-gnu-objcopy src/templates.S "$1" "${2:-}"
}
gen_templates "$tmp/normal.h"

failed=0 n=0
while IFS='|' read -r name where _; do
	name=${name// /} where=${where// /}
	case $name in ''|\#*) continue ;; esac
	n=$((n + 1))
	if [ "$where" = templates.S ]; then
		gen_templates "$tmp/m.h" "--defsym MUTANT_$name=1"
		if cmp -s "$tmp/normal.h" "$tmp/m.h"; then
			echo "FAIL: $name: the templates assemble the same with it (no .ifdef MUTANT_$name?)"; failed=1
		else
			echo "ok: $name changes src/templates.S"
		fi
		continue
	fi
	[ -f "src/$where" ] || { echo "FAIL: $name: src/$where does not exist (src/mutants.def)"; failed=1; continue; }
	bad=""
	for f in src/*.c; do
		s=$(sig "$f" "-DPVFUZZ_MUTANT_$name=1")
		if [ "$f" = "src/$where" ]; then
			[ "$s" != "${normal[$f]}" ] || bad="$bad; $f compiles the same with it (no PV_MUTANT($name, ...)?)"
		else
			[ "$s" = "${normal[$f]}" ] || bad="$bad; it also changes $f"
		fi
	done
	if [ -n "$bad" ]; then
		echo "FAIL: $name${bad}"; failed=1
	else
		echo "ok: $name changes src/$where and nothing else"
	fi
done < <(grep -v '^#' src/mutants.def)
[ "$n" -gt 0 ] || { echo "FAIL: no mutant read from src/mutants.def"; exit 1; }
[ "$failed" = 0 ] && echo "mutant-objects: all $n mutants apply where src/mutants.def says"
exit "$failed"
