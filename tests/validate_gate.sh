#!/usr/bin/env bash
# pvfuzz validate as a gate (ctest). Two modes:
#   pass   BUILD_DIR: on this build, an existing class (mtmsrd_l1, every
#          flavor) and our mfsrin pass in short mode (--time 5), with the
#          exit status and the verdict table checked; bad input exits 2.
#   mutant SOURCE_DIR BUILD_DIR: a mutant build (mfsrin_index_27, reusing
#          BUILD_DIR's unicorn) fails validate for mfsrin, with failing inputs
#          saved, and passes it for an unrelated class (mfmsr); the kept
#          regression input diverges there.
set -uo pipefail
mode=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

# run_validate BIN OUTDIR ARGS...: sets rc and out
run_validate() {
	local bin=$1 dir=$2; shift 2
	rm -rf "$dir"
	out=$("$bin" validate --out "$dir" "$@" 2>"$dir.err")
	rc=$?
	echo "$out"
}

case "$mode" in
pass)
	build=$2 pv=$2/pvfuzz work=$2/validate-test
	mkdir -p "$work"
	run_validate "$pv" "$work/mtmsrd_l1" --class mtmsrd_l1 --time 5
	[ "$rc" -eq 0 ] || fail "validate mtmsrd_l1 exited $rc"
	[ "$(grep -c ' pass ' <<<"$out")" -eq 20 ] || fail "want 20 passing steps (4 steps x 5 flavors)"
	grep -q "verdict: PASS" <<<"$out" || fail "no PASS verdict"
	grep -qF "[1/20] sweep on book3s32" "$work/mtmsrd_l1.err" || fail "no progress line on stderr"
	grep -Eq "fuzz_diff +book3s32 +pass .* [0-9]+ execs, [1-9][0-9]* new" <<<"$out" ||
		fail "mtmsrd_l1: the fuzz steps do not show executions beyond the seeds"
	run_validate "$pv" "$work/mfsrin" --class mfsrin --time 5 --json
	[ "$rc" -eq 0 ] || fail "validate mfsrin exited $rc"
	grep -q '"passed":true' <<<"$out" || fail "mfsrin: JSON verdict not passed"
	[ "$(grep -o '"result":"pass"' <<<"$out" | wc -l)" -eq 4 ] || fail "mfsrin: want 4 passing steps in the JSON"
	# a fuzz step that only replays its seeds has fuzzed nothing: it fails
	mkdir -p "$work/seeds-only"
	for t in fuzz_diff fuzz_image; do
		printf '#!/bin/sh\nprintf "#397\\tINITED cov: 1 ft: 1 corp: 1/1b exec/s: 0 rss: 1Mb\\n"\n%s\n' \
			'printf "Done 397 runs in 5 second(s)\nstat::number_of_executed_units: 397\n"' >"$work/seeds-only/$t"
		chmod +x "$work/seeds-only/$t"
	done
	run_validate "$pv" "$work/seeds" --class mfmsr --flavor book3s32 --time 5 --fuzzers "$work/seeds-only"
	[ "$rc" -eq 1 ] || fail "a fuzz step that ran only its seeds: exit $rc, want 1"
	grep -q "no input beyond the 397 seeds ran" <<<"$out" || fail "a seeds-only step: no reason given"
	run_validate "$pv" "$work/bad" --class no_such_class
	[ "$rc" -eq 2 ] || fail "unknown class: exit $rc, want 2"
	grep -q "unknown class 'no_such_class'" "$work/bad.err" || fail "unknown class: no message"
	run_validate "$pv" "$work/bad" --class mfsrin --flavor booke32
	[ "$rc" -eq 2 ] || fail "mfsrin on booke32: exit $rc, want 2"
	run_validate "$pv" "$work/bad" --class mfsrin --profile linux
	[ "$rc" -eq 2 ] || fail "mfsrin under linux: exit $rc, want 2"
	run_validate "$pv" "$work/bad" --class mfmsr --time -1
	[ "$rc" -eq 2 ] || fail "--time -1: exit $rc, want 2"
	;;
mutant)
	src=$2 build=$3 mb=$3/mutant-mfsrin_index_27
	cmake -S "$src" -B "$mb" -DCMAKE_C_COMPILER=clang-14 -DPVFUZZ_SANITIZE=ON -DPVFUZZ_LIBFUZZER=ON \
		-DPVFUZZ_MUTANT=mfsrin_index_27 -DPVFUZZ_UNICORN_FROM="$build" >"$mb.log" 2>&1 &&
		cmake --build "$mb" -j"$(nproc)" --target pvfuzz fuzz_diff fuzz_image >>"$mb.log" 2>&1 ||
		{ tail -n 30 "$mb.log"; fail "the mutant build failed"; }
	run_validate "$mb/pvfuzz" "$mb/v-mfsrin" --class mfsrin --time 5
	[ "$rc" -eq 1 ] || fail "mutant: validate mfsrin exited $rc, want 1"
	grep -q "verdict: FAIL" <<<"$out" || fail "mutant: no FAIL verdict"
	grep -q "^  diffsweep   book3s32    FAIL" <<<"$out" || fail "mutant: the differential sweep did not fail"
	ls "$mb/v-mfsrin/failures/" | grep -q . || fail "mutant: no failing input saved"
	run_validate "$mb/pvfuzz" "$mb/v-mfmsr" --class mfmsr --time 5
	[ "$rc" -eq 0 ] || fail "mutant: validate mfmsr (unrelated) exited $rc, want 0"
	out=$("$mb/pvfuzz" repro "$src/corpus/regressions/fuzz_diff/mfsrin-index-27")
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "DIVERGENCE" <<<"$out" ||
		fail "mutant: the regression input mfsrin-index-27 does not diverge (exit $rc)"
	;;
*) fail "usage: validate_gate.sh pass BUILD_DIR | mutant SOURCE_DIR BUILD_DIR" ;;
esac
echo "ok: validate_gate $mode"
