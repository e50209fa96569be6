#!/usr/bin/env bash
# Mutation score: how many deliberate engine bugs (src/mutants.def) the suite
# catches, and how fast. For each mutant it builds the engine with
# -DPVFUZZ_MUTANT=<name> (build-mutants/: clang-14, libFuzzer, ASan, UBSan),
# runs the sweeps (pvfuzz sweep --all on a sample, pvfuzz diffsweep on every
# flavor), then each fuzz target over its seed corpus, sharing --budget
# seconds, and stops at the first check that fails. The unmutated engine
# runs the same checks first and must come out clean (no false positive).
# Prints a row per mutant and the score, and rewrites docs/mutation-score.md.
#
# Usage: scripts/mutation-score.sh [--budget SECONDS] [--mutants a,b,...] [--checks LIST] [--no-doc]
#   --budget S     fuzzing seconds per mutant, shared by the targets that check
#                  the engine (check/targets.def; default 60)
#   --mutants L    only these mutants (the document is then not rewritten)
#   --checks LIST  only these checks, in this order: sweep, diffsweep, fuzz
#                  (default all three; e.g. --checks diffsweep shows what the
#                  oracle alone catches; the document is then not rewritten)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
. scripts/lib/apt.sh

budget=60 only= write_doc=1 checks=sweep,diffsweep,fuzz
die() { echo "scripts/mutation-score.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--budget) budget=${2:-}; [[ "$budget" =~ ^[0-9]{1,9}$ ]] && [ "$budget" -ge 4 ] || die "--budget must be a number of seconds from 4 to 999999999"; shift 2 ;;
	--mutants) only=${2:-}; [ -n "$only" ] || die "--mutants needs a list"; write_doc=0; shift 2 ;;
	--checks) checks=${2:-}; shift 2
		[[ "$checks" =~ ^(sweep|diffsweep|fuzz)(,(sweep|diffsweep|fuzz))*$ ]] ||
			die "--checks takes a list of sweep, diffsweep, fuzz"
		write_doc=0 ;;
	--no-doc) write_doc=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

mapfile -t names < <(sed -n 's/^\([a-z0-9_]*\) |.*/\1/p' src/mutants.def)
if [ -n "$only" ]; then
	IFS=, read -r -a want <<<"$only"
	for m in "${want[@]}"; do [[ " ${names[*]} " == *" $m "* ]] || die "unknown mutant '$m' (src/mutants.def)"; done
	names=("${want[@]}")
fi
describe() { sed -n "s/^$1 | \([^|]*\) | \(.*\)/\1: \2/p" src/mutants.def; }

ensure_packages "${PVFUZZ_BUILD_PACKAGES[@]}"
build=build-mutants
. scripts/lib/targets.sh
mapfile -t targets < <(pvfuzz_engine_targets) # check/targets.def: those that check the engine, cheapest first
flavors=(book3s32 booke32 book3s64 booke64 book3s64le)
mkdir -p "$build"

build_with() {
	cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang-14 -DPVFUZZ_SANITIZE=ON -DPVFUZZ_LIBFUZZER=ON \
		-DPVFUZZ_MUTANT="$1" >"$build/build.log" 2>&1 &&
	cmake --build "$build" -j"$(nproc)" --target pvfuzz "${targets[@]}" >>"$build/build.log" 2>&1
}

# Runs the checks in order; prints "<check> <seconds>" for the first that
# fails, or "- <seconds>" when all pass. A crash of a check counts as failing.
run_checks() {
	local start=$SECONDS rc
	set +e
	if [[ ",$checks," == *,sweep,* ]]; then
		"$build/pvfuzz" sweep --all --sample 300000 --threads 2 >"$build/check.log" 2>&1
		rc=$?
		[ $rc -ne 0 ] && { echo "sweep $((SECONDS - start))"; set -e; return; }
	fi
	if [[ ",$checks," == *,diffsweep,* ]]; then
		for f in "${flavors[@]}"; do
			"$build/pvfuzz" diffsweep --flavor "$f" --states 12 >"$build/check.log" 2>&1
			rc=$?
			[ $rc -ne 0 ] && { echo "diffsweep:$f $((SECONDS - start))"; set -e; return; }
		done
	fi
	if [[ ",$checks," == *,fuzz,* ]]; then
		local per=$((budget / ${#targets[@]}))
		for t in "${targets[@]}"; do
			rm -rf "$build/fz"; mkdir -p "$build/fz/corpus" "$build/fz/crash"
			(cd "$build/fz" && "../fuzzers/$t" -max_total_time="$per" -timeout=25 -dict=../../fuzzers/pvfuzz.dict \
				-artifact_prefix=crash/ corpus "../../corpus/$t") >"$build/check.log" 2>&1
			rc=$?
			[ $rc -ne 0 ] && { echo "$t $((SECONDS - start))"; set -e; return; }
		done
	fi
	set -e
	echo "- $((SECONDS - start))"
}

echo "baseline: the unmutated engine under the same checks"
build_with "" || { tail -n 20 "$build/build.log"; die "the build failed"; }
read -r by secs < <(run_checks)
if [ "$by" != - ]; then
	echo "FALSE POSITIVE: the unmutated engine fails '$by' (log: $build/check.log)"; tail -n 30 "$build/check.log"; exit 1
fi
echo "baseline clean in ${secs}s"

rows=() caught=0 times=()
printf '\n%-28s %-7s %-22s %8s\n' mutant caught "caught by" seconds
for m in "${names[@]}"; do
	if ! build_with "$m"; then
		tail -n 20 "$build/build.log"; die "the mutant $m does not build"
	fi
	read -r by secs < <(run_checks)
	if [ "$by" = - ]; then
		printf '%-28s %-7s %-22s %8s\n' "$m" no - "$secs"
		rows+=("| \`$m\` | no | - | - | $(describe "$m") |")
	else
		caught=$((caught + 1)); times+=("$secs")
		printf '%-28s %-7s %-22s %8s\n' "$m" yes "$by" "$secs"
		rows+=("| \`$m\` | yes | $by | $secs | $(describe "$m") |")
	fi
done
build_with "" >/dev/null 2>&1 || true # leave the build directory unmutated

median=-
if [ ${#times[@]} -gt 0 ]; then
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
fi
echo
echo "score: $caught of ${#names[@]} mutants caught; median time to detection ${median}s (budget ${budget}s)"

if [ "$write_doc" = 1 ]; then
	{
		echo "# Mutation score"
		echo
		echo "Generated by \`scripts/mutation-score.sh --budget $budget\` on $(date -u +%Y-%m-%d); do not edit."
		echo
		echo "Each mutant is one deliberate bug from \`src/mutants.def\`, compiled into the engine"
		echo "with \`-DPVFUZZ_MUTANT=<name>\`. The checks run in this order and stop at the first"
		echo "that fails: \`pvfuzz sweep --all --sample 300000\`, \`pvfuzz diffsweep --states 12\` on"
		echo "each flavor, then each fuzz target over its seed corpus for a quarter of the budget."
		echo "The unmutated engine passed the same checks first (no false positive)."
		echo
		echo "**Score: $caught of ${#names[@]} caught. Median time to detection: ${median} s.**"
		echo
		echo "| mutant | caught | by | seconds | where: what |"
		echo "|---|---|---|---|---|"
		printf '%s\n' "${rows[@]}"
	} >docs/mutation-score.md
	echo "wrote docs/mutation-score.md"
fi
[ "$caught" -eq "${#names[@]}" ]
