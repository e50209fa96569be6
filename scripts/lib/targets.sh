# The fuzz targets, read from their one registry, check/targets.def (the
# same rows `pvfuzz targets` prints and CMake builds), so that no script
# keeps a list of its own. Source it from the top of the tree, or set
# PVFUZZ_TOP. tests/CMakeLists.txt (ctest targets_registry) checks that
# these functions, `pvfuzz targets --names` and the build agree.

# pvfuzz_rows: "id name engine" for every row, in the registry's order (the
# one reader of the file; the functions below pick their column from it)
pvfuzz_rows() {
	sed -n 's/^PVF_TARGET(\([0-9]*\), *[A-Z_0-9]*, *\([a-z_0-9]*\), *[a-z_0-9]*, *[A-Za-z_0-9]*, *\([01]\),.*/\1 \2 \3/p' \
		"${PVFUZZ_TOP:-.}/check/targets.def"
}

# pvfuzz_targets: the names, one per line, in the registry's order (cheapest first)
pvfuzz_targets() { pvfuzz_rows | awk '{ print $2 }'; }

# pvfuzz_engine_targets: those that check the patch engine (the engine
# column is 1), whose mutants scripts/mutation-score.sh counts
pvfuzz_engine_targets() { pvfuzz_rows | awk '$3 == 1 { print $2 }'; }

# pvfuzz_target_of_id N: the name of the target whose id (byte 0 of its
# inputs) is N; nothing and status 1 when there is none
pvfuzz_target_of_id() {
	local name
	name=$(pvfuzz_rows | awk -v id="$1" '$1 == id { print $2 }')
	[ -n "$name" ] && echo "$name"
}

# pvfuzz_is_target NAME: status 0 when NAME is a target
pvfuzz_is_target() { pvfuzz_targets | grep -qx -- "$1"; }

# The format of fuzz inputs (pvf.h: two header bytes since December 2026).
# scripts/kernel-corpus.sh writes it into its folder; a folder of another
# format is not used as seeds (its inputs would be read as noise).
PVFUZZ_INPUT_FORMAT=2

# kernel_seeds_dir TARGET: the real-kernel seeds of scripts/kernel-corpus.sh
# for TARGET, when they exist in the current format; status 1 otherwise
kernel_seeds_dir() {
	local d=${PVFUZZ_TOP:-.}/.cache/kernel-corpus
	[ -d "$d/$1" ] && [ "$(cat "$d/format" 2>/dev/null)" = "$PVFUZZ_INPUT_FORMAT" ] && echo "$d/$1"
}
