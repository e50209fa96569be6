#!/usr/bin/env bash
# scripts/triage.sh against the shipped regression inputs: under the linux
# profile the inputs of docs/findings.md are labelled with their finding,
# an input that does not fail on replay is new; under the fixed profile
# every crash is new; the exit status says whether anything is new.
#
# Usage: triage.sh PVFUZZ SOURCE_DIR WORK_DIR
set -euo pipefail
pv=$1 src=$2 work=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"/run/fuzz_diff/crashes "$work"/run/fuzz_image/crashes
reg=$src/corpus/regressions
cp "$reg"/fuzz_diff/linux-mtsrin-r31-r30 "$reg"/fuzz_diff/linux-wrteei0-booke64 "$work"/run/fuzz_diff/crashes/
cp "$reg"/fuzz_image/linux-branch-wraps-booke64 "$work"/run/fuzz_image/crashes/
triage() { set +e; out=$("$src/scripts/triage.sh" --pvfuzz "$pv" "$@" 2>&1); rc=$?; set -e; }

# only known findings: exit 0, each labelled with its number
triage --profile linux "$work/run"
echo "$out"
[ $rc = 0 ] || fail "only known findings: exit $rc"
grep -Eq "known 1 .*fuzz_diff, book3s32: CHECK FAILED: divergence: page sr\[0\]" <<<"$out" || fail "finding 1 not labelled"
grep -Eq "known 2 .*fuzz_diff, booke64: CHECK FAILED: divergence: page msr" <<<"$out" || fail "finding 2 not labelled"
grep -Eq "known 3 .*fuzz_image, booke64: CHECK FAILED: site 0x_ branches to 0x_, outside the used area" <<<"$out" ||
	fail "finding 3 not labelled"
grep -q "3 crashes, profile linux: 0 new, 3 known" <<<"$out" || fail "the count line"

# a crash that is no finding: new, exit 1, with its reproduction command
cp "$reg"/fuzz_diff/high-word-sprg0-book3s32 "$work"/run/fuzz_diff/crashes/
triage --profile linux "$work/run"
[ $rc = 1 ] || fail "a new crash: exit $rc"
grep -Eq "NEW .*fuzz_diff, book3s32: no check failed on replay" <<<"$out" || fail "the new crash is not NEW: $out"
grep -q "repro --target fuzz_diff --profile linux .*/high-word-sprg0-book3s32" <<<"$out" || fail "no repro command"

# fixed: nothing is known
triage --profile fixed "$work/run/fuzz_image"
[ $rc = 1 ] && grep -q "1 crash, profile fixed: 1 new, 0 known" <<<"$out" || fail "under fixed: exit $rc, $out"

# usage errors
triage --profile nonsense "$work/run"
[ $rc = 2 ] || fail "a bad profile: exit $rc"
triage "$work/nowhere"
[ $rc = 2 ] && grep -q "is not a folder" <<<"$out" || fail "a missing folder: exit $rc, $out"
echo "triage: all checks passed"
