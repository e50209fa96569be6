#!/usr/bin/env bash
# scripts/fuzz.sh as a CI maintainer calls it: on an existing sanitized
# libFuzzer build (--build-dir), a short run writes a JSON summary that
# parses and counts real runs, libFuzzer flags after -- reach libFuzzer, its
# run folder lands under the build folder, and bad arguments exit 2, an
# unusable build folder exit 3, each with a message.
# Usage: fuzz_script.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -uo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

# -- 1. a short run with a flag passed through, JSON summary
"$src/scripts/fuzz.sh" --build-dir "$build" --time 2 --targets fuzz_check_ins --json "$work/s.json" \
	-- -seed=4242 >"$work/run.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "short run exits 0" || { bad "short run exits $rc"; tail -n 20 "$work/run.log"; }
if python3 - "$work/s.json" "$build" <<'EOF'; then ok "JSON summary parses, counts runs, names a run folder under the build"; else bad "JSON summary"; cat "$work/s.json"; fi
import json, sys, os
j = json.load(open(sys.argv[1]))
t = j["targets"]
assert [x["target"] for x in t] == ["fuzz_check_ins"], t
assert isinstance(t[0]["runs"], int) and t[0]["runs"] > 0, t
assert t[0]["crashes"] == 0 and j["new_crashes"] == 0, j
assert j["profile"] == "fixed" and j["seconds_per_target"] == 2, j
assert os.path.realpath(j["run"]).startswith(os.path.realpath(sys.argv[2]) + "/run/"), j["run"]
assert os.path.isdir(j["run"]), j["run"]
EOF
runlog=$(sed -n 's/.*"run":"\([^"]*\)".*/\1/p' "$work/s.json")/fuzz_check_ins/fuzz.log
if [ -f "$runlog" ] && grep -q '^INFO: Seed: 4242$' "$runlog"; then
	ok "-seed=4242 after -- reached libFuzzer"
else
	bad "the flag after -- did not reach libFuzzer ($runlog)"
fi
grep -q '^no crashes' "$work/run.log" && ok "summary says no crashes" || bad "no 'no crashes' line"

# -- 1b. -fork mode has no final stats: the rate is still the whole run's
"$src/scripts/fuzz.sh" --build-dir "$build" --time 4 --fork 1 --targets fuzz_check_ins --json "$work/f.json" \
	>"$work/fork.log" 2>&1 || bad "fork run exits $?"
if python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["targets"][0]; assert t["runs"] > 0 and t["exec_per_s"] > 0, t' \
	"$work/f.json"; then ok "--fork 1: runs and exec/s counted"; else bad "--fork 1 summary: $(cat "$work/f.json")"; fi

# -- 2. bad arguments: exit 2 with a message, nothing run
expect2() {
	local what=$1; shift
	"$src/scripts/fuzz.sh" --build-dir "$build" "$@" >"$work/e.out" 2>"$work/e.err"
	local r=$?
	if [ "$r" = 2 ] && grep -q 'scripts/fuzz.sh: ' "$work/e.err"; then ok "$what: exit 2 ($(head -n 1 "$work/e.err"))"
	else bad "$what: exit $r, stderr: $(cat "$work/e.err")"; fi
}
expect2 "--time 0" --time 0
expect2 "unknown target" --targets fuzz_nope
expect2 "unknown profile" --profile nonsense
expect2 "word after --" --time 1 -- max_len=64
expect2 "--json without a file" --json
expect2 "--build-dir without a folder" --build-dir

# -- 3. a build folder that cannot be made: exit 3
: >"$work/a-file"
"$src/scripts/fuzz.sh" --build-dir "$work/a-file/sub" --time 1 >"$work/e.out" 2>"$work/e.err"
r=$?
[ "$r" = 3 ] && grep -q 'cannot make the build folder' "$work/e.err" && ok "unusable build folder: exit 3" ||
	bad "unusable build folder: exit $r: $(cat "$work/e.err")"

[ "$fail" = 0 ] && echo "fuzz_script: all passed"
exit "$fail"
