#!/usr/bin/env bash
# The OSS-Fuzz and ClusterFuzzLite build, checked by OSS-Fuzz's own scripts.
# No container engine runs here, so this is the nearest check to the real
# base images: for each row it sets the environment base-builder sets
# (SANITIZER_FLAGS_* and COVERAGE_FLAGS* from the vendored base-builder.env,
# the way compile.base-builder combines them into CFLAGS/CXXFLAGS, and what
# compile_libfuzzer or compile_afl add), runs our scripts/oss-fuzz-build.sh
# into an $OUT of its own, then the vendored base-runner scripts over it:
# bad_build_check (what `helper.py check_build` runs) on every target, and
# run_fuzzer on each for --time seconds. Prints a table: row, target,
# check_build verdict, runs, crashes; exits 1 when any row fails.
#
# Rows: address, undefined, coverage (libFuzzer), afl (AFL++, Debian's
# afl++, with ASan as OSS-Fuzz's AFL builds have). A coverage build is not
# a fuzzing build (bad_build_check's engine check wants libFuzzer's
# instrumentation, which OSS-Fuzz's coverage flags replace): its row runs
# every seed once, as the coverage job does, and reads the profile with
# llvm-cov.
#
# Usage: scripts/oss-fuzz-check.sh [--rows LIST] [--time SECONDS] [--work DIR]
#   --rows LIST     comma-separated rows (default: address,undefined,coverage,afl)
#   --time SECONDS  run_fuzzer time per target and row (default 20; 0: only
#                   bad_build_check)
#   --work DIR      where the builds and $OUT folders go (default build-oss-fuzz/)
# Needs ../shared/vendor/oss-fuzz-base-runner beside the checkout (or
# PVFUZZ_OSS_FUZZ_RUNNER=DIR). Installs what it needs (clang, afl++, zip,
# unzip, file). Exit: 0 every row passed, 1 a row failed, 2 usage error or
# the vendored scripts are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
top=$PWD
. scripts/lib/apt.sh
die() { echo "scripts/oss-fuzz-check.sh: $*" >&2; exit 2; }
rows=(address undefined coverage afl) time_s=20 work=$top/build-oss-fuzz
while [ $# -gt 0 ]; do
	case "$1" in
	--rows)
		[ -n "${2:-}" ] || die "--rows needs a list (address, undefined, coverage, afl)"
		IFS=, read -r -a rows <<<"$2"
		for r in "${rows[@]}"; do
			case "$r" in address|undefined|coverage|afl) ;; *) die "unknown row '$r' (address, undefined, coverage, afl)" ;; esac
		done
		shift 2 ;;
	--time) [[ "${2:-}" =~ ^[0-9]{1,5}$ ]] || die "--time must be a whole number of seconds, not '${2:-}'"; time_s=$2; shift 2 ;;
	--work) [ -n "${2:-}" ] || die "--work needs a directory"; mkdir -p "$2"; work=$(cd "$2" && pwd); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
runner=${PVFUZZ_OSS_FUZZ_RUNNER:-$top/../shared/vendor/oss-fuzz-base-runner}
[ -f "$runner/bad_build_check" ] && [ -f "$runner/run_fuzzer" ] && [ -f "$runner/base-builder.env" ] ||
	die "OSS-Fuzz's scripts are not at $runner (../shared/vendor/oss-fuzz-base-runner; or PVFUZZ_OSS_FUZZ_RUNNER=DIR)"
# a copy with the executable bits the base-runner image gives them (the
# vendored files are kept unchanged, bits included)
rm -rf "$work/runner" && mkdir -p "$work/runner"
cp "$runner"/* "$work/runner/"
chmod +x "$work/runner"/*
runner=$work/runner

need=("${PVFUZZ_BUILD_PACKAGES[@]}" zip unzip file binutils python3 llvm-14)
[[ " ${rows[*]} " == *" afl "* ]] && need+=(afl++)
ensure_packages "${need[@]}"

# base-builder's ENV lines: VAR "value" or VAR="value"
envval() {
	sed -n -E "s/^ENV $1[ =]\"(.*)\"\$/\\1/p" "$runner/base-builder.env" | tail -n 1
}
. scripts/lib/targets.sh
mapfile -t targets < <(pvfuzz_targets) # check/targets.def
# one unicorn for every row: it is built with flags of its own whatever the
# row (cmake/Unicorn.cmake), so building it four times would prove nothing
unicorn_from=""
for d in ${PVFUZZ_UNICORN_FROM:-} "$top/build" "$work/address/build/pvfuzz-build"; do
	[ -f "$d/unicorn/src/unicorn_ext-build/libunicorn.a" ] && { unicorn_from=$d; break; }
done

declare -A verdict runs crashes note
failed=0
for row in "${rows[@]}"; do
	dir=$work/$row
	out=$dir/out
	rm -rf "$out" "$dir/tmp" && mkdir -p "$out" "$dir/build" "$dir/tmp"
	# compile.base-builder, for SANITIZER=$row (afl: address) and its engine
	san=$row engine=libfuzzer
	[ "$row" = afl ] && san=address engine=afl
	sanflags=$(envval "SANITIZER_FLAGS_$san")
	covflags=$(envval COVERAGE_FLAGS)
	ov=$(envval "COVERAGE_FLAGS_$san")
	[ -n "$ov" ] && covflags=$ov
	[ "$engine" = afl ] && covflags=""
	# base-builder's own CFLAGS (its Dockerfile), before compile adds the rest
	cflags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
	cflags="$cflags $sanflags $covflags"
	[ "$san" = undefined ] && cflags="$cflags -fno-sanitize=function"
	if [ "$engine" = afl ]; then
		cc=afl-clang-fast cxx=afl-clang-fast++ lfe=/usr/lib/afl/libAFLDriver.a
		# what compile_afl leaves in $OUT for run_fuzzer
		cp "$(command -v afl-fuzz)" "$out/afl-fuzz"
		echo "# AFL++ options of this build (none beyond run_fuzzer's)" >"$out/afl_options.txt"
	else
		cc=clang-14 cxx=clang++-14 lfe=-fsanitize=fuzzer
	fi
	echo "== $row: building into $out (log: $dir/build.log)"
	extra=()
	[ -n "$unicorn_from" ] && extra+=(PVFUZZ_UNICORN_FROM="$unicorn_from")
	if ! env "${extra[@]}" CC=$cc CXX=$cxx CFLAGS="$cflags" CXXFLAGS="$cflags" LIB_FUZZING_ENGINE=$lfe \
		SANITIZER=$san FUZZING_ENGINE=$engine ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c \
		SRC="$dir/src" OUT="$out" WORK="$dir/build" bash -eu scripts/oss-fuzz-build.sh >"$dir/build.log" 2>&1; then
		tail -n 20 "$dir/build.log"
		for t in "${targets[@]}"; do verdict[$row.$t]="BUILD FAILED"; done
		failed=1
		continue
	fi
	[ -z "$unicorn_from" ] && unicorn_from=$dir/build/pvfuzz-build
	# base-runner's environment (its Dockerfile), abbreviated to what the
	# scripts read
	for t in "${targets[@]}"; do
		log=$dir/$t.check.log
		if [ "$row" = coverage ]; then
			# a coverage build is not for fuzzing (bad_build_check's engine
			# check expects libFuzzer's instrumentation): check it as the
			# coverage job uses it, every seed run once with the profile
			# written, then llvm-cov over it
			rm -rf "$dir/$t.corpus" "$dir/$t".profraw && mkdir -p "$dir/$t.corpus"
			unzip -q -o -d "$dir/$t.corpus" "$out/${t}_seed_corpus.zip"
			(cd "$dir/tmp" && LLVM_PROFILE_FILE="$dir/$t.profraw" "$out/$t" -runs=0 "$dir/$t.corpus") >"$log" 2>&1 || true
			runs[$row.$t]=$(grep -a -o -E 'Done [0-9]+ runs' "$log" | grep -o '[0-9]*' || echo "?")
			crashes[$row.$t]=$(grep -a -c -E "^==[0-9]+==ERROR|^CHECK FAILED|deadly signal" "$log" || true)
			pct=""
			if [ -s "$dir/$t.profraw" ] && llvm-profdata-14 merge -sparse "$dir/$t.profraw" -o "$dir/$t.profdata" 2>>"$log"; then
				pct=$(llvm-cov-14 report "$out/$t" -instr-profile="$dir/$t.profdata" 2>>"$log" |
					awk '$1 == "TOTAL" { print $10 }')
			fi
			if [ -n "$pct" ] && [ "${crashes[$row.$t]}" = 0 ]; then
				verdict[$row.$t]=pass note[$row.$t]="seeds run once: $pct of lines covered (llvm-cov)"
			else
				verdict[$row.$t]=FAIL note[$row.$t]="no coverage profile or a crash: see $log"
				failed=1
			fi
			continue
		fi
		if (cd "$dir/tmp" && env PATH="$runner:$PATH" OUT="$out" SANITIZER=$san FUZZING_ENGINE=$engine \
			ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c FUZZER_ARGS="-rss_limit_mb=2560 -timeout=25" \
			AFL_FUZZER_ARGS="-m none" ASAN_OPTIONS="detect_leaks=1:symbolize=1" \
			UBSAN_OPTIONS="silence_unsigned_overflow=1:print_stacktrace=1" MSAN_OPTIONS="" \
			bash "$runner/bad_build_check" "$out/$t") >"$log" 2>&1; then
			verdict[$row.$t]=pass
		else
			verdict[$row.$t]=FAIL
			note[$row.$t]=$(grep -m1 "BAD BUILD" "$log" || tail -n 1 "$log")
			failed=1
		fi
		runs[$row.$t]="-" crashes[$row.$t]="-"
		[ "$time_s" -gt 0 ] || continue
		# run_fuzzer as ClusterFuzzLite starts a target: options, dict, seeds
		flog=$dir/$t.run.log
		corpus=$dir/tmp/${t}_corpus
		rm -rf "$corpus" && mkdir -p "$corpus"
		if [ "$engine" = afl ]; then
			(cd "$dir/tmp" && env PATH="$runner:$PATH" OUT="$out" SANITIZER=$san FUZZING_ENGINE=afl \
				ARCHITECTURE=x86_64 CORPUS_DIR="$corpus" AFL_FUZZER_ARGS="-m none" AFL_NO_UI=1 \
				ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="" MSAN_OPTIONS="" \
				timeout --preserve-status -s INT "$time_s" bash "$runner/run_fuzzer" "$t") >"$flog" 2>&1 || true
			st=$(find /tmp/"${t}_afl_address_out" -name fuzzer_stats 2>/dev/null | head -n 1)
			runs[$row.$t]=$( [ -n "$st" ] && awk -F' *: *' '$1 == "execs_done" { print $2 }' "$st" || echo "?")
			crashes[$row.$t]=$( [ -n "$st" ] && awk -F' *: *' '$1 == "saved_crashes" || $1 == "unique_crashes" { print $2; exit }' "$st" || echo "?")
		else
			(cd "$dir/tmp" && env PATH="$runner:$PATH" OUT="$out" SANITIZER=$san FUZZING_ENGINE=libfuzzer \
				ARCHITECTURE=x86_64 CORPUS_DIR="$corpus" FUZZER_ARGS="-rss_limit_mb=2560 -timeout=25" \
				ASAN_OPTIONS="detect_leaks=1:symbolize=1" UBSAN_OPTIONS="silence_unsigned_overflow=1:print_stacktrace=1" \
				MSAN_OPTIONS="" bash "$runner/run_fuzzer" "$t" -max_total_time="$time_s" -print_final_stats=1) \
				>"$flog" 2>&1 || true
			runs[$row.$t]=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$flog" | grep -o '[0-9]*$' || echo "?")
			crashes[$row.$t]=$(grep -a -c -E "^==[0-9]+==ERROR|^CHECK FAILED|deadly signal" "$flog" || true)
		fi
		case "${crashes[$row.$t]}" in 0) ;; *) failed=1; note[$row.$t]="${note[$row.$t]:-}run: see $flog" ;; esac
		case "${runs[$row.$t]}" in ''|'?'|0) failed=1; note[$row.$t]="${note[$row.$t]:-}no executions: see $flog" ;; esac
	done
done

echo
printf '%-10s %-20s %-12s %10s %8s  %s\n' row target check_build runs crashes note
for row in "${rows[@]}"; do
	for t in "${targets[@]}"; do
		printf '%-10s %-20s %-12s %10s %8s  %s\n' "$row" "$t" "${verdict[$row.$t]:-?}" "${runs[$row.$t]:--}" \
			"${crashes[$row.$t]:--}" "${note[$row.$t]:-}"
	done
done
[ "$failed" = 0 ] && { echo "oss-fuzz-check: every row passed"; exit 0; }
echo "oss-fuzz-check: FAILED (logs in $work/<row>/)"
exit 1
