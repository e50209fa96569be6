#!/usr/bin/env bash
# Sorts the crashes of a fuzzing run into known findings and new ones.
# Each crash is replayed by pvfuzz repro under the run's profile; a crash
# is known when a row of corpus/regressions/known-findings.tsv matches its
# target, flavor, failed check and report (docs/findings.md numbers the
# rows). Under the fixed profile nothing is known. Prints the crashes
# grouped by label and failed check (numbers blanked), then how to
# reproduce each new one (and one of each known group).
#
# Usage: scripts/triage.sh [--pvfuzz BIN] [--profile P] DIR...
#   DIR           a run folder of scripts/fuzz.sh (build-fuzz/run/<time>/,
#                 one sub-folder per target with crashes/) or a target's
#                 folder (<time>/<target>/)
#   --pvfuzz BIN  the pvfuzz to replay with (default build-fuzz/pvfuzz, else
#                 build/pvfuzz)
#   --profile P   the profile the run used: fixed, linux, any or kernel:DIR
#                 (default $PVFUZZ_PROFILE, else fixed)
# Exit status: 0 no new crash (none at all, or only known findings), 1 a new
# crash, 2 usage error.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/usage.sh"
die() { echo "scripts/triage.sh: $*" >&2; exit 2; }
pvfuzz="" profile=${PVFUZZ_PROFILE:-fixed} dirs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--pvfuzz) [ -x "${2:-}" ] || die "--pvfuzz needs an executable, not '${2:-}'"; pvfuzz=$2; shift 2 ;;
	--profile) [ -n "${2:-}" ] || die "--profile needs a value"; profile=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) [ -d "$1" ] || die "'$1' is not a folder"; dirs+=("$1"); shift ;;
	esac
done
[ ${#dirs[@]} -gt 0 ] || die "give a run folder (see --help)"
case "$profile" in fixed|linux|any|kernel:?*) ;; *) die "--profile must be fixed, linux, any or kernel:DIR" ;; esac
if [ -z "$pvfuzz" ]; then
	for p in "$top/build-fuzz/pvfuzz" "$top/build/pvfuzz"; do [ -x "$p" ] && { pvfuzz=$p; break; }; done
	[ -n "$pvfuzz" ] || die "no pvfuzz built (scripts/fuzz.sh or scripts/test.sh builds one; or --pvfuzz BIN)"
fi
known_file=$top/corpus/regressions/known-findings.tsv
[ -f "$known_file" ] || die "$known_file is missing"
. "$top/scripts/lib/targets.sh"
targets=" $(PVFUZZ_TOP=$top pvfuzz_targets | paste -sd" ") " # check/targets.def

# label TARGET FLAVOR CHECK REPORT: "known N" or "NEW"
label() {
	if [ "$profile" != fixed ]; then
		local id tgt fl chk rep
		while IFS=$'\t' read -r id tgt fl chk rep; do
			case "$id" in '#'* | '') continue ;; esac
			[ "$tgt" = "$1" ] && [[ "$2" =~ ^($fl)$ ]] || continue
			grep -Eq -- "$chk" <<<"$3" && grep -Eq -- "$rep" <<<"$4" && { echo "known $id"; return; }
		done <"$known_file"
	fi
	echo NEW
}

# every crash: its target (the folder it is in), label and blanked check
list=$(mktemp)
trap 'rm -f "$list"' EXIT
n=0
for d in "${dirs[@]}"; do
	for c in "$d"/crashes/* "$d"/*/crashes/*; do
		[ -f "$c" ] || continue
		t=$(basename "$(dirname "$(dirname "$c")")")
		[[ " $targets " == *" $t "* ]] || t=$(basename "$(dirname "$c")") # a folder named otherwise
		targ=()
		[[ " $targets " == *" $t "* ]] && targ=(--target "$t")
		set +e
		r=$("$pvfuzz" repro "${targ[@]}" --profile "$profile" "$c" 2>&1)
		rc=$?
		set -e
		[ ${#targ[@]} -gt 0 ] || t=$(grep -m1 -o '^target [a-z_]*' <<<"$r" | cut -d' ' -f2 || echo "?")
		fl=$(grep -m1 -o 'flavor [a-z0-9]*' <<<"$r" | cut -d' ' -f2 || echo "?")
		chk=$(grep -m1 -E '^CHECK FAILED|^==[0-9]+==ERROR' <<<"$r" || true)
		if [ -z "$chk" ]; then
			case $rc in
			70) chk="the emulator failed: $(grep -m1 -o 'failed.*' <<<"$r")" ;;
			0) chk="no check failed on replay (a crash of the tool itself, or a timeout?)" ;;
			*) chk="repro exit $rc: $(tail -n 1 <<<"$r")" ;;
			esac
		fi
		lab=$(label "$t" "$fl" "$chk" "$r")
		blank=$(sed -E 's/0x[0-9a-f]+/0x_/g; s/==[0-9]+==/==/' <<<"$chk")
		printf '%s\t%s\t%s\t%s\t%s\n' "$lab" "$t" "$fl" "$blank" "$c" >>"$list"
		n=$((n + 1))
	done
done
if [ "$n" = 0 ]; then
	echo "no crashes in ${dirs[*]}"
	exit 0
fi
new=$(awk -F'\t' '$1 == "NEW"' "$list" | wc -l)
echo "$n crash$([ "$n" = 1 ] || echo es), profile $profile: $new new, $((n - new)) known (docs/findings.md)"
awk -F'\t' '{ print $1 "\t" $2 ", " $3 ": " $4 }' "$list" | sort | uniq -c | sort -rn |
	awk -F'\t' '{ printf "  %-18s %s\n", $1, $2 }'
echo
if [ "$new" -gt 0 ]; then
	echo "NEW crashes; reproduce with:"
	awk -F'\t' '$1 == "NEW" { print "  " pv " repro --target " $2 " --profile " prof " " $5 }' \
		pv="$pvfuzz" prof="$profile" "$list"
	exit 1
fi
echo "only known findings; one of each:"
sort -t$'\t' -u -k1,1 "$list" | awk -F'\t' '{ print "  " $1 ": " pv " repro --target " $2 " --profile " prof " " $5 }' \
	pv="$pvfuzz" prof="$profile"
