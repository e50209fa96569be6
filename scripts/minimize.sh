#!/usr/bin/env bash
# Shrinks a crashing fuzz input with libFuzzer's -minimize_crash, keeping
# the bug: the input is replayed first (pvfuzz repro), its crash identity
# (failed check, class, flavor: check/crash.c) is read, and only that
# identity counts as a crash while minimising (PVFUZZ_KEEP_CRASH), so the
# result fails the same check as the original, which is checked again at
# the end. An input that does not fail under the profile given is not
# minimised: the script says under which profile it does fail. Uses the
# targets built by scripts/fuzz.sh in build-fuzz/ (built here if missing).
# Writes FILE.min (through a temporary file; FILE itself is never written)
# and prints the command that reproduces it.
#
# Usage: scripts/minimize.sh [--target T] [--profile fixed|linux|any|kernel:DIR] [--runs N]
#                            [--build-dir DIR] FILE
#   --target T   default: read from the input's first byte
#   --profile P  the profiles the crash was found with (default $PVFUZZ_PROFILE or fixed)
#   --runs N     minimisation attempts (default 20000)
#   --build-dir DIR  a build with libFuzzer targets and pvfuzz (default
#                build-fuzz/, which scripts/fuzz.sh builds when it is missing)
# Exit: 0 minimised (or already minimal), 1 FILE does not fail under the
# profile (or the result does not fail the same way), 2 usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
. scripts/lib/targets.sh
target= profile=${PVFUZZ_PROFILE:-fixed} runs=20000 file= bdir=build-fuzz
die() { echo "scripts/minimize.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--target) target=${2:-}; pvfuzz_is_target "$target" || die "unknown target '$target' ($(pvfuzz_targets | paste -sd' '))"; shift 2 ;;
	--profile) profile=${2:-}
		case "$profile" in
		fixed|linux|any) ;;
		kernel:?*) [ -d "${profile#kernel:}" ] || die "--profile $profile: no such directory"
			profile="kernel:$(cd "${profile#kernel:}" && pwd)" ;;
		*) die "--profile must be fixed, linux, any or kernel:DIR" ;;
		esac
		shift 2 ;;
	--runs) runs=${2:-}; [[ "$runs" =~ ^[0-9]{1,9}$ ]] && [ "$runs" -gt 0 ] ||
			die "--runs must be a whole number from 1 to 999999999, not '$runs'"; shift 2 ;;
	--build-dir) bdir=${2:-}; [ -x "$bdir/pvfuzz" ] || die "--build-dir: no pvfuzz in '$bdir'"; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) [ -z "$file" ] || die "one FILE at a time"; file=$1; shift ;;
	esac
done
[ -n "$file" ] || die "no FILE given (see --help)"
[ -f "$file" ] && [ -r "$file" ] || die "cannot read '$file'"
[ "$(wc -c <"$file")" -ge 2 ] || die "'$file' is shorter than the two header bytes of a fuzz input"
if [ -z "$target" ]; then # byte 0 is the target's id (check/targets.def)
	first=$(od -An -tu1 -N1 "$file" | tr -d ' ')
	target=$(pvfuzz_target_of_id "$first") || die "'$file': byte 0 is $first, the id of no fuzz target (give --target)"
fi
if [ "$bdir" = build-fuzz ] && { [ ! -x "build-fuzz/fuzzers/$target" ] || [ ! -x build-fuzz/pvfuzz ]; }; then
	echo "building the fuzz targets first (scripts/fuzz.sh's build)"
	scripts/fuzz.sh --time 1 --targets "$target" >/dev/null || true
	[ -x "build-fuzz/fuzzers/$target" ] || die "the build failed (see build-fuzz/build.log)"
fi
[ -x "$bdir/fuzzers/$target" ] || die "no libFuzzer build of $target in $bdir/fuzzers"

# identity FILE: check/class/flavor of its failure under $profile, or
# "passed:<profiles it fails under>"
identity() {
	local j
	j=$("$bdir/pvfuzz" repro --json --target "$target" --profile "$profile" "$1" 2>/dev/null || true)
	field() { sed -n -E "s/.*\"$1\":\"([^\"]*)\".*/\\1/p" <<<"$j"; }
	if [ "$(field verdict)" = failed ]; then
		echo "$(field check)/$(field class)/$(field flavor)"
	else
		echo "passed:$(field fails_under)"
	fi
}
id=$(identity "$file")
case "$id" in
passed:?*) echo "scripts/minimize.sh: $file does not fail under --profile $profile; it fails under --profile" \
		"${id#passed:}: run again with that profile" >&2; exit 1 ;;
passed:) echo "scripts/minimize.sh: $file does not fail under --profile $profile, nor under fixed or linux:" \
		"nothing to minimise (a crash of the tool itself? replay it with $bdir/fuzzers/$target)" >&2; exit 1 ;;
esac
IFS=/ read -r k_check k_class k_flavor <<<"$id"
echo "$target: $file fails check $k_check (class $k_class, flavor $k_flavor); minimising, keeping that failure"

out=$file.min
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
log=${TMPDIR:-/tmp}/pvfuzz-minimize.$$.log
PVFUZZ_PROFILE=$profile PVFUZZ_KEEP_CRASH=$id "$bdir/fuzzers/$target" -minimize_crash=1 -runs="$runs" \
	-exact_artifact_path="$tmp" "$file" >"$log" 2>&1 || true
if [ ! -s "$tmp" ]; then
	# libFuzzer writes nothing when no smaller input keeps the crash
	cp "$file" "$tmp"
	echo "no smaller input fails that way: $out is a copy"
fi
got=$(identity "$tmp")
[ "$got" = "$id" ] || { echo "scripts/minimize.sh: the result fails as '$got', not '$id' (log: $log)" >&2; exit 1; }
chmod 644 "$tmp" && mv "$tmp" "$out"
trap - EXIT
rm -f "$log"
echo "$target: $(wc -c <"$file") bytes -> $(wc -c <"$out") bytes, the same failure: $out"
echo "reproduce: $bdir/pvfuzz repro --target $target --profile $profile $out"
