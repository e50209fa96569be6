#!/usr/bin/env bash
# A soak with a number: fuzz_diff pinned to each flavor (PVFUZZ_FLAVOR), then
# fuzz_image over every flavor, fixed profile, from the shipped seeds and
# regressions (and the real-kernel seeds of scripts/kernel-corpus.sh when
# they exist), in the sanitized libFuzzer build of scripts/fuzz.sh
# (build-fuzz/). Each row runs --jobs libFuzzer processes side by side
# (-jobs/-workers: each loads the seeds once and fuzzes for --minutes, all
# sharing the row's corpus), then a table: flavor, target, runs, wall time,
# CPU minutes (measured), divergences and other crashes (each crash file
# replayed by pvfuzz repro: a divergence, or a crash that is no verdict,
# such as the emulator dying; a process that finds one stops, so
# the count is at most --jobs per row). A false positive is as serious as a
# missed bug: the expected count is zero everywhere.
#
# Each soak writes build-fuzz/soak/<date-time>/, one folder per row with its
# corpus, its findings (crashes/) and libFuzzer's log; nothing of an earlier
# soak is touched. Not part of the default tests (docs/fuzzing.md, "Soak").
#
# Usage: scripts/soak.sh [--minutes M] [--flavors LIST] [--jobs J] [--no-image]
#   --minutes M     wall minutes per row, a whole number >= 1 (default 1)
#   --flavors LIST  comma-separated flavors for fuzz_diff (default all five;
#                   none: only the fuzz_image row)
#   --jobs J        libFuzzer workers per row (default: the number of cores)
#   --no-image      leave out the fuzz_image row
# Exit status: 0 no divergence, 1 a divergence (the reproduction commands are
# printed), 2 usage error, 3 the build failed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
. scripts/lib/targets.sh
. scripts/lib/apt.sh
. scripts/lib/fuzz-options.sh

die() { echo "scripts/soak.sh: $*" >&2; exit 2; }
all_flavors=(book3s32 booke32 book3s64 booke64 book3s64le)
minutes=1 jobs=$(nproc) image=1 flavors=("${all_flavors[@]}")
posint() { [[ "$2" =~ ^[0-9]{1,6}$ ]] && [ "$2" -ge 1 ] || die "$1 must be a whole number >= 1, not '$2'"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--minutes) posint --minutes "${2:-}"; minutes=$2; shift 2 ;;
	--jobs) posint --jobs "${2:-}"; jobs=$2; shift 2 ;;
	--flavors)
		[ -n "${2:-}" ] || die "--flavors needs a list (${all_flavors[*]})"
		IFS=, read -r -a flavors <<<"$2"
		[ "$2" = none ] && flavors=()
		[ ${#flavors[@]} -gt 0 ] && for f in "${flavors[@]}"; do [[ " ${all_flavors[*]} " == *" $f "* ]] || die "unknown flavor '$f' (${all_flavors[*]})"; done
		shift 2 ;;
	--no-image) image=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

rows=()
for f in "${flavors[@]}"; do rows+=("$f:fuzz_diff"); done
[ "$image" = 1 ] && rows+=("all:fuzz_image")
[ ${#rows[@]} -gt 0 ] || die "nothing to run (--flavors none with --no-image)"

ensure_packages "${PVFUZZ_BUILD_PACKAGES[@]}"
mkdir -p build-fuzz
echo "building the fuzz targets in build-fuzz/ (log: build-fuzz/build.log)"
if ! { cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DPVFUZZ_SANITIZE=ON -DPVFUZZ_LIBFUZZER=ON &&
       cmake --build build-fuzz -j"$(nproc)" --target fuzz_diff fuzz_image pvfuzz; } >build-fuzz/build.log 2>&1; then
	tail -n 30 build-fuzz/build.log >&2
	echo "scripts/soak.sh: the build failed" >&2
	exit 3
fi

out=build-fuzz/soak/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"
echo "soak: $minutes min per row, $jobs workers, fixed profile; results in $out/"

declare -A r_runs r_cpu r_div r_other r_wall
total_div=0
export PVFUZZ_PROFILE=fixed
for row in "${rows[@]}"; do
	f=${row%%:*} t=${row#*:}
	dir=$out/$f-$t
	mkdir -p "$dir/corpus" "$dir/crashes"
	seeds=("../../../../corpus/$t" "../../../../corpus/regressions/$t")
	kdir=$(kernel_seeds_dir "$t") && seeds+=("../../../../${kdir#./}")
	pin=()
	[ "$f" != all ] && pin=(env "PVFUZZ_FLAVOR=$f")
	echo "== $t${f:+ on $f}: $minutes min"
	start=$SECONDS
	# CPU time of the row: the children's user+sys seconds, from bash's times
	before=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
	mapfile -t opts < <(libfuzzer_options "$t") # here, before the cd below
	(cd "$dir" && exec "${pin[@]}" "../../../fuzzers/$t" -jobs="$jobs" -workers="$jobs" -print_final_stats=1 \
		-max_total_time=$((minutes * 60)) -timeout=25 -dict=../../../../fuzzers/pvfuzz.dict \
		-artifact_prefix=crashes/ "${opts[@]}" corpus "${seeds[@]}") >"$dir/fuzz.log" 2>&1 &
	pid=$!
	next=$((SECONDS + 60))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		[ $SECONDS -lt $next ] && continue
		next=$((SECONDS + 60))
		line=$(cat "$dir"/fuzz-*.log 2>/dev/null | grep -a -E '^#[0-9]+' | tail -n 1 || true)
		[ -n "$line" ] && printf '   [%s %s] %4ds  %s\n' "$f" "$t" $((SECONDS - start)) "$(cut -c1-90 <<<"$line")"
	done
	wait "$pid" || true
	after=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
	r_runs[$row]=$(cat "$dir"/fuzz-*.log 2>/dev/null | grep -a -o 'stat::number_of_executed_units: *[0-9]*' |
		grep -o '[0-9]*$' | awk '{s += $1} END {if (NR) print s}' || true)
	r_wall[$row]=$((SECONDS - start))
	r_cpu[$row]=$(awk -v a="$before" -v b="$after" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz / 60}')
	# each crash file replayed: a divergence, or a crash that is no verdict
	# (the emulator or a check crashing, which libFuzzer saves the same way)
	r_div[$row]=0 r_other[$row]=0
	while IFS= read -r c; do
		j=$(PVFUZZ_FLAVOR=${f/all/} build-fuzz/pvfuzz repro --json --target "$t" "$c" 2>/dev/null || true)
		if grep -q '"check":"divergence"' <<<"$j"; then
			r_div[$row]=$((r_div[$row] + 1))
		else
			r_other[$row]=$((r_other[$row] + 1))
		fi
	done < <(find "$dir/crashes" -type f)
	total_div=$((total_div + r_div[$row] + r_other[$row]))
done

echo
printf '%-12s %-12s %14s %8s %8s %12s %14s\n' flavor target runs wall-s cpu-min divergences other-crashes
for row in "${rows[@]}"; do
	printf '%-12s %-12s %14s %8s %8s %12s %14s\n' "${row%%:*}" "${row#*:}" "${r_runs[$row]:-?}" "${r_wall[$row]}" \
		"${r_cpu[$row]}" "${r_div[$row]}" "${r_other[$row]}"
done
if [ "$total_div" -gt 0 ]; then
	echo
	echo "FOUND $total_div crash file(s): divergences, and crashes that are no verdict (other-crashes). Reproduce with:"
	find "$out" -path '*/crashes/*' -type f | while read -r c; do
		t=$(basename "$(dirname "$(dirname "$c")")"); t=${t#*-}
		echo "  build-fuzz/pvfuzz repro --target $t $c"
	done
	exit 1
fi
echo "no divergence"
