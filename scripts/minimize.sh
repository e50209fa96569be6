#!/usr/bin/env bash
# Shrinks a crashing fuzz input with libFuzzer's -minimize_crash, using the
# targets built by scripts/fuzz.sh in build-fuzz/ (built here if missing).
# Writes FILE.min and prints the command that reproduces it.
#
# Usage: scripts/minimize.sh [--target T] [--profile fixed|linux|any|kernel:DIR] [--runs N] FILE
#   --target T   default: read from the input's first byte
#   --profile P  the profiles the crash was found with (default $PVFUZZ_PROFILE or fixed)
#   --runs N     minimisation attempts (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(fuzz_check_ins fuzz_diff fuzz_image fuzz_disasm_xcheck)
target= profile=${PVFUZZ_PROFILE:-fixed} runs=20000 file=
die() { echo "scripts/minimize.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--target) target=${2:-}; [[ " ${targets[*]} " == *" $target "* ]] || die "unknown target '$target'"; shift 2 ;;
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
	-h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) [ -z "$file" ] || die "one FILE at a time"; file=$1; shift ;;
	esac
done
[ -n "$file" ] || die "no FILE given (see --help)"
[ -f "$file" ] && [ -r "$file" ] || die "cannot read '$file'"
[ -s "$file" ] || die "'$file' is empty"
if [ -z "$target" ]; then
	first=$(od -An -tu1 -N1 "$file" | tr -d ' ')
	target=${targets[$((first >> 6))]}
fi
if [ ! -x "build-fuzz/fuzzers/$target" ]; then
	echo "building the fuzz targets first (scripts/fuzz.sh's build)"
	scripts/fuzz.sh --time 1 --targets "$target" >/dev/null || true
fi
out=$file.min
PVFUZZ_PROFILE=$profile "build-fuzz/fuzzers/$target" -minimize_crash=1 -runs="$runs" \
	-exact_artifact_path="$out" "$file" >"${TMPDIR:-/tmp}/pvfuzz-minimize.log" 2>&1 || true
[ -s "$out" ] || { tail -n 20 "${TMPDIR:-/tmp}/pvfuzz-minimize.log" >&2; echo "scripts/minimize.sh: no smaller crashing input" >&2; exit 1; }
echo "$target: $(wc -c <"$file") bytes -> $(wc -c <"$out") bytes: $out"
echo "reproduce: build-fuzz/pvfuzz repro --target $target --profile $profile $out"
