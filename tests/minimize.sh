#!/usr/bin/env bash
# scripts/minimize.sh keeps the bug: a 327-byte book3s32 input whose first
# word is finding 1 (mtsrin r31,r30, linux profile) shrinks to an input that
# fails the same check on the same class and flavor; without the profile it
# was found with, the script says which profile that is instead of
# minimising; the input itself is never written.
#
# Usage: minimize.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
in=$work/big-mtsrin
# the header (target, platform) of the regression input, 5 words (selector 3: a raw word):
# mtsrin r31,r30; nop; sync; nop; li r3,1; then 300 bytes of start state
python3 - "$src/corpus/regressions/fuzz_diff/linux-mtsrin-r31-r30" "$in" <<'PY'
import random, sys
head = open(sys.argv[1], 'rb').read()[:2]
words = [0x7fe0f1e4, 0x60000000, 0x7c0004ac, 0x60000000, 0x38600001]
random.seed(7)
body = b''.join(bytes([3]) + w.to_bytes(4, 'big') for w in words)
open(sys.argv[2], 'wb').write(head + bytes([len(words)]) + body + bytes(random.randrange(256) for _ in range(300)))
PY
sum=$(cksum <"$in")
set +e
msg=$("$src/scripts/minimize.sh" --build-dir "$build" --profile fixed "$in" 2>&1); rc=$?
set -e
[ $rc = 1 ] && grep -q "fails under --profile linux" <<<"$msg" || fail "without its profile: exit $rc, $msg"
[ ! -e "$in.min" ] || fail "without its profile, something was written"
"$src/scripts/minimize.sh" --build-dir "$build" --profile linux --runs 1500 "$in"
[ "$(cksum <"$in")" = "$sum" ] || fail "the input was changed"
[ -s "$in.min" ] || fail "no $in.min"
[ "$(wc -c <"$in.min")" -lt "$(wc -c <"$in")" ] || fail "not smaller: $(wc -c <"$in.min") bytes"
j=$("$build/pvfuzz" repro --json --profile linux "$in.min" || true)
grep -q '"check":"divergence","class":"mtsrin"' <<<"$j" && grep -q '"flavor":"book3s32"' <<<"$j" ||
	fail "the minimised input fails otherwise: $j"
echo "minimize: all checks passed ($(wc -c <"$in") -> $(wc -c <"$in.min") bytes, the same failure)"
