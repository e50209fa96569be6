#!/usr/bin/env bash
# The main job: a short fuzzing campaign with a summary.
# Installs what is missing, builds the fuzz targets with clang-14, libFuzzer,
# ASan and UBSan in build-fuzz/, runs every target for --time seconds over
# its seed corpus (and the regressions, and the seeds scripts/kernel-corpus.sh
# cut from a real kernel when they exist), printing a progress line, then a
# summary table, then the crashes sorted by scripts/triage.sh into known
# findings (corpus/regressions/known-findings.tsv, docs/findings.md) and new
# ones. Exits 1 on a new crash, printing the reproduction commands; 0 when
# there is none or every crash is a known finding (only possible under an
# upstream profile); 2 on a usage error, 3 when the build fails. Each run writes its own folder
# build-fuzz/run/<UTC time>/<target>/ (libFuzzer's log, crashes/) and prints
# it; no earlier run's crashes are deleted. The growing corpus is kept in
# build-fuzz/corpus/<profile>/<target>/ (one per kernel tree for kernel:DIR).
#
# Usage: scripts/fuzz.sh [--time SECONDS] [--jobs N] [--fork N] [--keep-going]
#                        [--profile fixed|linux|any|kernel:DIR] [--targets LIST]
#                        [--build-dir DIR] [--json FILE] [-- LIBFUZZER-FLAG...]
#   --time SECONDS  per target (default 60)
#   --jobs N, --fork N  passed to libFuzzer (-jobs/-workers, -fork)
#   --keep-going    do not stop at the first crash (libFuzzer -fork with
#                   -ignore_crashes); crashes are grouped by their failed check.
#                   Always on under linux, any and kernel:DIR
#   --profile P     which engine profiles run (default fixed; linux finds the
#                   upstream hazards of spec section 8; kernel:DIR runs a
#                   kernel's own patch code, docs/kernel-mode.md)
#   --targets LIST  comma-separated subset of the targets
#   --build-dir DIR build and run in DIR instead of build-fuzz/ (its run/ and
#                   corpus/ folders too)
#   --json FILE     also write the summary as JSON: per target runs, exec/s,
#                   coverage, corpus, crashes; the run folder; new and known
#                   crashes (written to a temporary file, then renamed)
#   -- FLAGS        the rest goes to every libFuzzer run as it is (for example
#                   -- -max_len=2000 -use_value_profile=1); after the
#                   target's own .options, so it wins
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
. scripts/lib/apt.sh
. scripts/lib/fuzz-options.sh
. scripts/lib/targets.sh

mapfile -t all_targets < <(pvfuzz_targets) # check/targets.def, cheapest first
time_s=60 jobs=0 fork=0 keep_going=0 profile=fixed targets=("${all_targets[@]}") json="" passthrough=() bdir=build-fuzz
die() { echo "scripts/fuzz.sh: $*" >&2; exit 2; }
# a whole number that bash can compare: at most 9 digits
posint() { [[ "$2" =~ ^[0-9]{1,9}$ ]] && [ "$2" -ge "${3:-1}" ] || die "$1 must be a whole number from ${3:-1} to 999999999, not '$2'"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--time) posint --time "${2:-}"; time_s=$2; shift 2 ;;
	--jobs) posint --jobs "${2:-}"; jobs=$2; shift 2 ;;
	--fork) posint --fork "${2:-}"; fork=$2; shift 2 ;;
	--keep-going) keep_going=1; shift ;;
	--profile)
		case "${2:-}" in
		fixed|linux|any) profile=$2 ;;
		kernel:?*) [ -d "${2#kernel:}" ] || die "--profile $2: no such directory (scripts/kernel-mode/build.sh prints it)"
			profile="kernel:$(cd "${2#kernel:}" && pwd)" ;;
		*) die "--profile must be fixed, linux, any or kernel:DIR" ;;
		esac
		shift 2 ;;
	--targets)
		[ -n "${2:-}" ] || die "--targets needs a list (${all_targets[*]})"
		IFS=, read -r -a targets <<<"$2"
		[ ${#targets[@]} -gt 0 ] || die "--targets needs a list (${all_targets[*]})"
		for t in "${targets[@]}"; do [[ " ${all_targets[*]} " == *" $t "* ]] || die "unknown target '$t' (${all_targets[*]})"; done
		shift 2 ;;
	--json) [ -n "${2:-}" ] || die "--json needs a file"; json=$2; shift 2 ;;
	--build-dir) [ -n "${2:-}" ] || die "--build-dir needs a folder"; bdir=$2; shift 2 ;;
	--) shift
		for a in "$@"; do [[ "$a" == -* ]] || die "after --, only libFuzzer flags (-name=value), not '$a'"; done
		passthrough=("$@"); break ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

ensure_packages "${PVFUZZ_BUILD_PACKAGES[@]}"
case "$bdir" in /*) ;; *) bdir=$PWD/$bdir ;; esac
mkdir -p "$bdir" 2>/dev/null && [ -d "$bdir" ] || { echo "scripts/fuzz.sh: cannot make the build folder '$bdir'" >&2; exit 3; }
echo "building the fuzz targets in $bdir/ (log: $bdir/build.log)"
if ! { cmake -S . -B "$bdir" -DCMAKE_C_COMPILER=clang-14 -DPVFUZZ_SANITIZE=ON -DPVFUZZ_LIBFUZZER=ON &&
       cmake --build "$bdir" -j"$(nproc)"; } >"$bdir/build.log" 2>&1; then
	tail -n 30 "$bdir/build.log" >&2
	echo "scripts/fuzz.sh: the build failed" >&2
	exit 3
fi

# libFuzzer flags from fuzzers/<target>.options ([libfuzzer] key = value)
# the last libFuzzer status line: "#N ... cov: C ... corp: K/... exec/s: E"
# (-fork mode writes "exec/s N" without the colon)
field() { grep -a -o -E "$2:? *[0-9]+" <<<"$1" | tail -n 1 | grep -o '[0-9]*$' || true; }

# upstream code trips the known findings within seconds (and the shipped
# regressions reproduce them at load time): keep fuzzing past them
if [ "$profile" != fixed ] && [ "$keep_going" = 0 ]; then
	echo "profile $profile: upstream code has known findings (docs/findings.md): running as with --keep-going"
	keep_going=1
fi
export PVFUZZ_PROFILE=$profile
# Each run writes a folder of its own (logs, crashes) and never deletes an
# earlier one; the growing corpus is kept per profile (and per kernel tree),
# so that one tree's inputs are not mixed into another's.
top=$PWD
stamp=$(date -u +%Y%m%d-%H%M%S)
runroot=$bdir/run/$stamp
n=1; while [ -e "$runroot" ]; do runroot=$bdir/run/$stamp-$n; n=$((n + 1)); done
case "$profile" in
kernel:*) ckey=kernel-$(printf '%s' "${profile#kernel:}" | cksum | cut -d' ' -f1) ;;
*) ckey=$profile ;;
esac
# the corpus kept between runs is of one input format: a new format starts
# a new corpus instead of reading the old one as noise
ckey=format$PVFUZZ_INPUT_FORMAT/$ckey
echo "this run's logs and crashes: $runroot/"
declare -A runs rate cov corp crashes
failed=0
for t in "${targets[@]}"; do
	run=$runroot/$t
	corpus=$bdir/corpus/$ckey/$t
	mkdir -p "$run/crashes" "$corpus"
	extra=()
	[ "$jobs" -gt 0 ] && extra+=("-jobs=$jobs" "-workers=$jobs")
	[ "$keep_going" = 1 ] && [ "$fork" = 0 ] && fork=1
	[ "$fork" -gt 0 ] && extra+=("-fork=$fork")
	[ "$keep_going" = 1 ] && extra+=("-ignore_crashes=1" "-ignore_timeouts=1")
	extra+=("${passthrough[@]}")
	log=$run/fuzz.log
	# seeds cut from the Debian kernel (scripts/kernel-corpus.sh), when made
	kernel_seeds=()
	kdir=$(kernel_seeds_dir "$t") && kernel_seeds=("$top/${kdir#./}")
	echo "== $t: ${time_s}s, profile $profile${kernel_seeds[*]:+, with the kernel seeds of .cache/kernel-corpus/$t}"
	mapfile -t opts < <(libfuzzer_options "$t") # here: the subshell below runs in $run
	(cd "$run" && exec "$bdir/fuzzers/$t" -max_total_time="$time_s" -print_final_stats=1 -timeout=25 \
		-dict="$top/fuzzers/pvfuzz.dict" -artifact_prefix=crashes/ "${opts[@]}" "${extra[@]}" \
		"$corpus" "$top/corpus/$t" "$top/corpus/regressions/$t" "${kernel_seeds[@]}") >"$log" 2>&1 &
	pid=$!
	start=$SECONDS
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		line=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 || true)
		[ -n "$line" ] && printf '   [%s] %3ds/%ds  runs %s  exec/s %s  cov %s  corpus %s\n' "$t" $((SECONDS - start)) \
			"$time_s" "$(grep -a -o '^#[0-9]*' <<<"$line" | tr -d '#')" "$(field "$line" exec/s)" \
			"$(field "$line" cov)" "$(field "$line" corp)"
	done
	wait "$pid" || true
	all=$(cat "$log" "$run"/fuzz-*.log 2>/dev/null || true)
	last=$(grep -a -E '^#[0-9]+' <<<"$all" | tail -n 1 || true)
	runs[$t]=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' <<<"$all" | grep -o '[0-9]*$' | awk '{s += $1} END {if (NR) print s}' || true)
	[ -n "${runs[$t]}" ] || runs[$t]=$(grep -a -o '^#[0-9]*' <<<"$last" | tr -d '#')
	rate[$t]=$(grep -a -o 'stat::average_exec_per_sec: *[0-9]*' <<<"$all" | grep -o '[0-9]*$' | awk '{s += $1} END {if (NR) print s}' || true)
	# -fork mode has no final stats and its lines give the last job's rate
	# (0 as it stops): the whole run's runs over its "time: N" seconds
	secs=$(grep -a -o 'time: [0-9]*s' <<<"$last" | grep -o '[0-9]*' || true)
	[ -n "${rate[$t]}" ] || [ -z "$secs" ] || [ "$secs" = 0 ] || [ -z "${runs[$t]}" ] || rate[$t]=$((runs[$t] / secs))
	[ -n "${rate[$t]}" ] || rate[$t]=$(field "$last" exec/s)
	cov[$t]=$(field "$last" cov)
	corp[$t]=$(field "$last" corp)
	crashes[$t]=$(find "$run/crashes" -type f | wc -l)
	[ "${crashes[$t]}" -gt 0 ] && failed=1
done

echo
printf '%-20s %12s %10s %10s %8s %8s\n' target runs exec/s coverage corpus crashes
for t in "${targets[@]}"; do
	printf '%-20s %12s %10s %10s %8s %8s\n' "$t" "${runs[$t]:-?}" "${rate[$t]:-?}" "${cov[$t]:-?}" "${corp[$t]}" "${crashes[$t]}"
done
status=0 tri=""
if [ "$failed" -ne 0 ]; then
	# known findings (upstream profiles) apart from new crashes
	echo
	tri=$(scripts/triage.sh --pvfuzz "$bdir/pvfuzz" --profile "$profile" "$runroot") || status=$?
	echo "$tri"
	echo "  (each crash also replays with PVFUZZ_PROFILE=$profile $bdir/fuzzers/<target> FILE)"
fi
if [ -n "$json" ]; then
	new_n=$(sed -n -E 's/^[0-9]+ crash(es)?, profile .*: ([0-9]+) new, ([0-9]+) known.*/\2/p' <<<"$tri")
	known_n=$(sed -n -E 's/^[0-9]+ crash(es)?, profile .*: ([0-9]+) new, ([0-9]+) known.*/\3/p' <<<"$tri")
	tmpj=$(mktemp "$json.XXXXXX")
	{
		printf '{"profile":"%s","seconds_per_target":%s,"run":"%s","targets":[' "$profile" "$time_s" "$runroot"
		sep=""
		for t in "${targets[@]}"; do
			printf '%s{"target":"%s","runs":%s,"exec_per_s":%s,"coverage":%s,"corpus":%s,"crashes":%s}' "$sep" "$t" \
				"${runs[$t]:-null}" "${rate[$t]:-null}" "${cov[$t]:-null}" "${corp[$t]:-null}" "${crashes[$t]:-0}"
			sep=,
		done
		printf '],"new_crashes":%s,"known_crashes":%s}\n' "${new_n:-0}" "${known_n:-0}"
	} >"$tmpj" && mv "$tmpj" "$json"
	echo "summary as JSON: $json"
fi
if [ "$failed" -ne 0 ]; then
	[ "$status" = 0 ] || { echo "NEW CRASHES found"; exit 1; }
	echo "only known findings: nothing new"
	exit 0
fi
echo "no crashes"
