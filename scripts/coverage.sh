#!/usr/bin/env bash
# Coverage of the engine (src/) and the emulator (emulator/) by the test
# suite and the fuzz corpora. Builds with clang source-based coverage in
# build-coverage/ (no sanitizers; unicorn reused from build/ when it is
# there), runs every ctest test but the mutant gate (which builds its own
# tree; the label `kernel` too when Debian's linux-source-6.1 is on the
# machine, as scripts/test.sh does) and every fuzz target's replay driver
# over its seed corpus and regressions, then writes:
#   build-coverage/html/index.html   the llvm-cov HTML report
#   build-coverage/summary.txt       llvm-cov's per-file table
#   docs/coverage.md                 line and branch coverage per file, and
#                                    every handler and template-filling
#                                    function with its uncovered lines
# Exits 1 when a handler or template-filling function has an uncovered line.
#
# Usage: scripts/coverage.sh [--no-doc]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
. scripts/lib/apt.sh
. scripts/lib/targets.sh

write_doc=1
while [ $# -gt 0 ]; do
	case "$1" in
	--no-doc) write_doc=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "scripts/coverage.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

ensure_packages "${PVFUZZ_BUILD_PACKAGES[@]}" "${PVFUZZ_TEST_PACKAGES[@]}" llvm-14
build=build-coverage
reuse=()
[ -f build/unicorn/src/unicorn_ext-build/libunicorn.a ] && reuse=(-DPVFUZZ_UNICORN_FROM="$PWD/build")
mkdir -p "$build"
kernel_mode=OFF
if kernel_tree_present; then
	kernel_mode=ON
else
	echo "coverage: emulator/kernel.c is left to the label kernel, which needs linux-source-6.1 (not here)" >&2
fi
echo "coverage: building in $build/" >&2
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang-14 -DPVFUZZ_COVERAGE=ON -DPVFUZZ_SANITIZE=OFF \
	-DPVFUZZ_LIBFUZZER=OFF -DPVFUZZ_KERNEL_MODE="$kernel_mode" "${reuse[@]}" >"$build/build.log" 2>&1 ||
	{ tail -n 20 "$build/build.log"; exit 2; }
cmake --build "$build" -j"$(nproc)" >>"$build/build.log" 2>&1 || { tail -n 20 "$build/build.log"; exit 2; }

rm -rf "$build/profiles"
mkdir -p "$build/profiles"
export LLVM_PROFILE_FILE="$PWD/$build/profiles/%p-%m.profraw"
echo "coverage: running the tests" >&2
export PVFUZZ_TEST_NO_FULL_SWEEP=1 # test_cli: minutes under coverage counters, no new lines
ctest --test-dir "$build" -E validate_gate --output-on-failure >"$build/ctest.log" 2>&1 ||
	{ tail -n 30 "$build/ctest.log"; echo "coverage: a test failed (log: $build/ctest.log)" >&2; exit 1; }
echo "coverage: replaying the corpora" >&2
for t in $(pvfuzz_targets); do
	"$build/fuzzers/${t}_replay" corpus/$t corpus/regressions/$t >/dev/null
done
unset LLVM_PROFILE_FILE

llvm-profdata-14 merge -sparse "$build"/profiles/*.profraw -o "$build/coverage.profdata"
objects=()
for b in "$build"/pvfuzz "$build"/tests/test_* "$build"/fuzzers/*_replay; do
	[ -x "$b" ] && [ -f "$b" ] && objects+=(-object "$b")
done
sources=(src emulator)
llvm-cov-14 show "${objects[@]:1}" -instr-profile="$build/coverage.profdata" -format=html \
	-show-branches=count -output-dir="$build/html" "${sources[@]}" >/dev/null
llvm-cov-14 report "${objects[@]:1}" -instr-profile="$build/coverage.profdata" "${sources[@]}" \
	>"$build/summary.txt"

# The functions that make rewrites: the table lookup, the single-word and
# template rewrites, the slot fillers, the page-field accesses, and the
# hypervisor model's emulation of every class.
handlers='pv_match|pv_rewrite_simple|pv_tmpl_fill|fill_[a-z0-9_]+|fetch_reg|saved_in|pv_field_access|pv_field_disp|pv_hv_emulate'
llvm-cov-14 report "${objects[@]:1}" -instr-profile="$build/coverage.profdata" -show-functions \
	src/*.c emulator/hv.c >"$build/functions.txt"

# "file lines-covered% branches-covered%" from llvm-cov's table
table=$(awk '$1 ~ /^(src|emulator)\// {
	# columns: Filename Regions Missed Cover Functions Missed Cover Lines Missed Cover Branches Missed Cover
	printf "| `%s` | %s of %s (%s) | %s of %s (%s) |\n", $1, $8 - $9, $8, $10, $11 - $12, $11, $13 }' "$build/summary.txt")
total=$(awk '$1 == "TOTAL" { printf "%s of %s lines (%s), %s of %s branches (%s)", $8 - $9, $8, $10, $11 - $12, $11, $13 }' \
	"$build/summary.txt")
funcs=$(awk -v re="^($handlers)\$" '
	/^File / { file = $2 }
	{ name = $1; sub(/^[a-z_]+\.c:/, "", name) }
	name ~ re { printf "| `%s` | `%s` | %s of %s | %s |\n", name, file, $5 - $6, $5, ($6 == 0 ? "none" : $6) }' \
	"$build/functions.txt" | sed "s#$PWD/##; s#'##g; s#:\`#\`#")
missed=$(grep -vc " none |$" <<<"$funcs" || true)

echo "coverage: $total (src/ and emulator/)"
echo "$funcs"
if [ "$write_doc" = 1 ]; then
	cat >docs/coverage.md <<DOC
# Coverage

Written by \`scripts/coverage.sh\`: clang source-based coverage of \`src/\`
(the engine) and \`emulator/\` by every ctest test (the mutant gate aside;
the kernel-mode label $( [ "$kernel_mode" = ON ] && echo included || echo "not run: no linux-source-6.1"))
and every fuzz target's replay driver over its seed corpus and regressions.
The HTML report is \`build-coverage/html/index.html\`.

Last run: $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown).

**Total: $total.**

| file | lines | branches |
|---|---|---|
$table

## Handlers and template filling

The aim: every line of every function that makes a rewrite is covered.

| function | file | lines covered | missed |
|---|---|---|---|
$funcs

Outside these functions, the HTML report shows every uncovered line and
branch; the file table above is the overview.
DOC
	echo "coverage: wrote docs/coverage.md" >&2
fi
[ "$missed" -eq 0 ] || { echo "coverage: $missed handler function(s) with uncovered lines" >&2; exit 1; }
