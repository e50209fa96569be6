#!/usr/bin/env bash
# The Debian kernel (ctest label `vmlinux`): when scripts/fetch-debian-kernel.sh
# has unpacked one, checks that
#  - the per-class counts are the same on two runs, and equal the counts
#    recorded in tests/data/vmlinux-counts/<build id> for that very kernel;
#  - patching twice equals patching once (--verify);
#  - every patched site's real-code differential is equivalent (fixed profile).
# Without a fetched kernel it prints why and exits 77, which ctest reports
# as skipped (SKIP_RETURN_CODE), not passed.
#
# Usage: vmlinux_debian.sh PVFUZZ SOURCE_DIR
set -uo pipefail
pv=$1 src=$2
cache=${PVFUZZ_KERNEL_CACHE:-$src/.cache/debian-kernel}
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ ! -e "$cache/vmlinux" ]; then
	echo "skipped: no fetched kernel at $cache/vmlinux (run scripts/fetch-debian-kernel.sh)"
	exit 77 # ctest: SKIP_RETURN_CODE
fi
vm=$(readlink -f "$cache/vmlinux")
echo "kernel: $vm"

counts() { # "class patched skipped" lines from the JSON report
	"$pv" patch --vmlinux "$vm" --json | /usr/bin/env python3 -c '
import json, sys
d = json.load(sys.stdin)
print("build_id", d["vmlinux"]["build_id"])
for c, v in sorted(d["classes"].items()):
    print(c, v["patched"], v["skipped"])'
}
a=$(counts) || fail "pvfuzz patch --vmlinux failed"
b=$(counts) || fail "pvfuzz patch --vmlinux failed the second time"
[ "$a" = "$b" ] || fail "the counts differ between two runs"
id=$(awk '$1 == "build_id" { print $2 }' <<<"$a")
ref=$src/tests/data/vmlinux-counts/$id
if [ -f "$ref" ]; then
	diff <(cat "$ref") <(echo "$a") || fail "the counts differ from $ref (above)"
	echo "counts: equal to $ref"
else
	echo "counts: stable; no recorded counts for build id $id (a newer kernel than tests/data/vmlinux-counts/ knows):"
	echo "$a"
fi

out=$("$pv" patch --vmlinux "$vm" --verify) || fail "pvfuzz patch --verify: $out"
grep -q "^verify: patching twice equals patching once$" <<<"$out" || fail "no idempotence verdict"
echo "verify: patching twice equals patching once"

out=$("$pv" diff --vmlinux "$vm" --sites all --states 16)
rc=$?
echo "$out" | tail -n 5
[ "$rc" -eq 0 ] || fail "pvfuzz diff --vmlinux --sites all exited $rc"
grep -q "^  divergent:    0$" <<<"$out" || fail "a site diverged"
echo "ok: vmlinux_debian"
