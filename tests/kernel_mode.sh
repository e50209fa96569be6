#!/usr/bin/env bash
# ctest label `kernel` (cmake -DPVFUZZ_KERNEL_MODE=ON): the kernel profile on
# every Debian kernel tree that is on the machine (linux-source-6.1,
# linux-source-6.12; docs/kernel-mode.md). Needs a package, the cross
# compilers (scripts/kernel-mode/build.sh installs them) and a few minutes
# for the first build of each tree.
#
# Usage: kernel_mode.sh PVFUZZ SOURCE_DIR BUILD_DIR
set -euo pipefail
pvfuzz=$1 src=$2 build=$3
fuzzers="$build/fuzzers"
fail() { echo "FAIL ($pkg): $*" >&2; exit 1; }
step() { echo "== $pkg: $* (at $((SECONDS - t_start)) s)"; }
t_start=$SECONDS

trees=()
for p in linux-source-6.1 linux-source-6.12; do
	if ls /usr/src/"$p".tar.* >/dev/null 2>&1 || [ -f "$src/.cache/kernel-mode/$p/.pvfuzz-unpacked" ]; then
		trees+=("$p")
	else
		echo "== $p: not on this machine, not checked (apt-get install $p)"
	fi
done
[ ${#trees[@]} -gt 0 ] || { pkg=none; fail "no Debian kernel tree on this machine"; }


# The variants of the first tree (checked at the end): NAME FLAVOR FILE OLD NEW
py_edit='import sys; s = open(sys.argv[1]).read(); a, b = sys.argv[3], sys.argv[4]; assert a in s, "not found"; open(sys.argv[2], "w").write(s.replace(a, b, 1))'
vroot="$build/kernel-mode/variants"
make_variant() { # in the background builder: copy, edit, build; NAME-out.rc says how it went
	local name=$1 flavor=$2 file=$3 old=$4 new=$5 tree=$src/.cache/kernel-mode/${trees[0]}
	local copy="$vroot/$name" vout="$vroot/$name-out"
	{ rm -rf "$copy" && cp -al "$tree" "$copy" && rm -f "$copy/$file" &&
	  python3 -c "$py_edit" "$tree/$file" "$copy/$file" "$old" "$new" &&
	  "$src/scripts/kernel-mode/build.sh" --kernel-src "$copy" --pvfuzz "$pvfuzz" --flavor "$flavor" --out "$vout" >/dev/null
	} 2>"$vout.log"
	echo $? >"$vout.rc"
}
build_variants() {
	set +e # each variant's outcome is in its .rc file
	make_variant extra-nop book3s64 arch/powerpc/kernel/kvm_emul.S 'kvm_emulate_mtmsr:'$'\n' 'kvm_emulate_mtmsr:'$'\n\tnop\n'
	make_variant wide-mask book3s64 arch/powerpc/kernel/kvm_emul.S '#define MSR_SAFE_BITS (MSR_EE | MSR_RI)' \
		'#define MSR_SAFE_BITS (MSR_EE | MSR_ME | MSR_RI)'
	make_variant no-skip book3s64 arch/powerpc/kernel/kvm.c \
		$'\t\tif (p >= kvm_template_start && p < kvm_template_end) {\n\t\t\tp = kvm_template_end - 1;\n\t\t\tcontinue;\n\t\t}\n' ''
	make_variant no-mfmsr book3s64 arch/powerpc/kernel/kvm.c \
		$'\tcase KVM_INST_MFMSR:\n\t\tkvm_patch_ins_ld(inst, magic_var(msr), inst_rt);\n\t\tbreak;\n' ''
	# (BookE has DEAR at SPR 61; upstream's #ifdef CONFIG_BOOKE came later)
	make_variant old-dar booke32 arch/powerpc/kernel/kvm.c \
		$'#ifdef CONFIG_BOOKE\n\tcase KVM_INST_MFSPR(SPRN_DEAR):\n#else\n\tcase KVM_INST_MFSPR(SPRN_DAR):\n#endif\n' \
		$'\tcase KVM_INST_MFSPR(SPRN_DAR):\n'
}
use_variant() { # NAME: wait for its build; vdir is its kernel:DIR
	vdir="$vroot/$1-out"
	while [ ! -f "$vdir.rc" ] && kill -0 "$builder" 2>/dev/null; do sleep 1; done
	[ "$(cat "$vdir.rc" 2>/dev/null)" = 0 ] || fail "$1: build.sh: $(tail -n 3 "$vdir.log" 2>/dev/null)"
}
builder=""
trap '[ -z "$builder" ] || kill "$builder" 2>/dev/null || true' EXIT

for pkg in "${trees[@]}"; do
out="$build/kernel-mode/$pkg"
step "build every flavor"
status=0
"$src/scripts/kernel-mode/build.sh" --kernel-package "$pkg" --pvfuzz "$pvfuzz" --flavor all --out "$out" || status=$?
built=()
for f in book3s64 book3s64le book3s32 booke32 booke64; do
	if [ -f "$out/$f/kernel.meta" ]; then built+=("$f"); else echo "   $f did not build"; fi
done
echo "   built: ${built[*]} (build.sh exit $status)"
[ -f "$out/book3s64/kernel.meta" ] || fail "book3s64 did not build"
[ "$status" = 0 ] || fail "build.sh --flavor all exited $status"
if [ "$pkg" = "${trees[0]}" ]; then
	# the first tree is unpacked: its variants build one after the other
	# beside the checks below
	rm -rf "$vroot" && mkdir -p "$vroot"
	build_variants >/dev/null 2>&1 &
	builder=$!
fi

step "a second run is cached"
t0=$(date +%s)
"$src/scripts/kernel-mode/build.sh" --kernel-package "$pkg" --flavor book3s64 --out "$out" 2>"$out/second.log" >/dev/null
t1=$(date +%s)
grep -q "up to date" "$out/second.log" || fail "second build.sh run was not cached: $(cat "$out/second.log")"
[ $((t1 - t0)) -lt 30 ] || fail "second build.sh run took $((t1 - t0)) s"
echo "   $((t1 - t0)) s"

step "the kernel's own rewrite of mfmsr r3 on book3s64"
got=$("$pvfuzz" patch --flavor book3s64 --profile "kernel:$out" 0x7c6000a6)
echo "$got"
grep -q "0xe860f058  ld r3, -0xfa8(0)" <<<"$got" || fail "mfmsr r3 is not ld r3,msr(0)"

step "the linux profile agrees with the kernel, word for word"
"$pvfuzz" agree --profile "kernel:$out" | tail -n 1
"$pvfuzz" agree --profile "kernel:$out" --json | grep -q '"verdict":"differ"' && fail "pvfuzz agree found a difference"
"$pvfuzz" agree --profile "kernel:$out" >/dev/null || fail "pvfuzz agree exited non-zero"

step "the findings reproduce on the kernel's code"
check_finding() { # FLAVOR FILE EXPECT
	[ -f "$out/$1/kernel.meta" ] || { echo "   $2: $1 not built, not checked"; return; }
	local r
	r=$("$pvfuzz" repro --profile "kernel:$out" "$src/corpus/regressions/$2" 2>&1 || true)
	grep -q "profile kernel:.* (Linux" <<<"$r" || fail "$2: not run by the kernel profile"
	grep -Eq "$3" <<<"$r" || fail "$2: expected /$3/ under the kernel profile, got: $(tail -n 3 <<<"$r")"
	echo "   $2: $(grep -Em1 "$3" <<<"$r")"
}
check_finding book3s32 fuzz_diff/linux-mtsrin-r31-r30 "CHECK FAILED: divergence: page sr\[0\]"
check_finding book3s32 fuzz_diff/linux-mtsrin-r30-r5 "CHECK FAILED: divergence: page sr\[0\]"
check_finding booke64 fuzz_diff/linux-wrteei0-booke64 "CHECK FAILED: divergence: page msr"
check_finding booke64 fuzz_image/linux-branch-wraps-booke64 "CHECK FAILED: site .* outside the used area"
r=$("$pvfuzz" patch --flavor book3s64 --profile "kernel:$out" 0x7c20046c)
grep -q "0x60000000  nop" <<<"$r" || fail "finding 4: the kernel left tlbsync with reserved bits alone: $r"
echo "   tlbsync with reserved bits set: rewritten to nop"

step "the oracle with the kernel profile"
"$pvfuzz" diff --flavor book3s64 --profile "kernel:$out" --states 100 0x7c600124 0x7c6000a6 0x7c010164 |
	grep -q "^equivalent: .*profile kernel:" || fail "pvfuzz diff under the kernel profile"
for f in "${built[@]}"; do
	# (wrteei 0 is left out: on booke64 it is finding 2)
	case $f in
	booke*) w="0x7ca00106 0x7c008146 0x7c6000a6" ;;
	book3s32) w="0x7c600124 0x7ca031e4" ;;
	*) w="0x7c600124 0x7ca10164" ;;
	esac
	# shellcheck disable=SC2086
	"$pvfuzz" diff --flavor "$f" --profile "kernel:$out" --features none --states 50 $w >/dev/null ||
		fail "pvfuzz diff on $f under the kernel profile: $w"
done
echo "   equivalent on ${built[*]}"

step "the fuzz targets' seeds under the kernel profile"
PVFUZZ_PROFILE="kernel:$out" "$fuzzers/fuzz_check_ins_replay" "$src/corpus/fuzz_check_ins" | tail -n 1
# fuzz_image: seeds whose area lies out of reach show finding 3 (branches
# that wrap); any other failure is a problem
fails=$("$pvfuzz" repro --profile "kernel:$out" "$src"/corpus/fuzz_image/* 2>&1 | grep "^CHECK FAILED" || true)
others=$(grep -Ev "outside the used area|branch slot \(word [0-9]+\) does not return to" <<<"$fails" || true)
[ -z "$others" ] || fail "fuzz_image seeds under the kernel profile: $others"
echo "   fuzz_image: $(ls "$src/corpus/fuzz_image" | wc -l) seeds, $(grep -c . <<<"$fails" || true) show finding 3, no other failure"

step "diffsweep and validate run the kernel's code"
"$pvfuzz" diffsweep --flavor book3s64 --profile "kernel:$out" --states 8 >"$out/diffsweep.log" 2>&1 ||
	fail "diffsweep under the kernel profile: $(tail -n 5 "$out/diffsweep.log")"
head -n 1 "$out/diffsweep.log"
rm -rf "$out/validate" # ours, from an earlier run of this test
"$pvfuzz" validate --profile "kernel:$out" --class mtmsr --flavor book3s64 --time 4 --out "$out/validate" \
	>"$out/validate.log" 2>&1 || fail "validate mtmsr under the kernel profile: $(tail -n 8 "$out/validate.log")"
grep "^verdict" "$out/validate.log"

step "sweep on a sample: the same verdicts as the linux profile"
# (under both, tlbsync with reserved bits set fails the capstone
# cross-check: finding 4)
norm() { sed -E 's/profile .*: ([0-9]+ words)/profile P: \1/; s/ in [0-9.]+ s \([0-9.]+M words\/s\)//'; }
k=$("$pvfuzz" sweep --flavor book3s32 --features sr --profile "kernel:$out" --sample 2000 | norm || true)
l=$("$pvfuzz" sweep --flavor book3s32 --features sr --profile linux --sample 2000 | norm || true)
[ "$k" = "$l" ] || fail "sweep: kernel and linux profiles differ: $(diff <(echo "$l") <(echo "$k") | head)"
grep -E "^sweep|matched" <<<"$k"

step "a real kernel: Debian's ppc64el vmlinux patched by the kernel's own code"
vmlinux=${PVFUZZ_KERNEL_CACHE:-$src/.cache/debian-kernel}/vmlinux
if [ -e "$vmlinux" ] && [ -f "$out/book3s64le/kernel.meta" ]; then
	"$pvfuzz" patch --vmlinux "$vmlinux" --profile linux --out "$out/vmlinux-linux.bin" >/dev/null
	"$pvfuzz" patch --vmlinux "$vmlinux" --profile "kernel:$out" --out "$out/vmlinux-kernel.bin" | grep -E "^time"
	cmp "$out/vmlinux-linux.bin" "$out/vmlinux-kernel.bin" || fail "the kernel's code and the linux profile patch $vmlinux differently"
	echo "   the same bytes as the linux profile"
	rm -f "$out"/vmlinux-*.bin
else
	echo "   skipped: no fetched kernel at $vmlinux (scripts/fetch-debian-kernel.sh)"
fi

step "skip reasons: the same as the linux profile's"
img="$build/kernel-mode/skips.bin" # mtmsr, nop, mfmsr, sync, mtmsrd r5,1, 20 times
python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack(">5I", 0x7c600124, 0x60000000, 0x7c6000a6, 0x7c0004ac, 0x7ca10164) * 20)' >"$img"
for layout in "--area-size 0x400" "--vectors-end 0xc000000000000100" "--area 0xc000000008000000"; do
	reasons() { # PROFILE: the image report's skip counts
		# shellcheck disable=SC2086
		"$pvfuzz" patch --flavor book3s64 --profile "$1" --image "$img" --base 0xc000000000000000 $layout --json |
			grep -o '"skip_reasons":{[^}]*}'
	}
	k=$(reasons "kernel:$out") l=$(reasons linux)
	[ "$k" = "$l" ] || fail "skip reasons with $layout: kernel $k, linux $l"
	grep -Eq '":[1-9]' <<<"$k" || fail "skip reasons with $layout: nothing skipped: $k"
	echo "   $layout: $k"
done

step "bad input"
set +e
msg=$("$pvfuzz" patch --flavor book3s64 --profile "kernel:$out/nowhere" 0x7c6000a6 2>&1); rc=$?
set -e
[ $rc = 2 ] && grep -q "kernel.meta" <<<"$msg" || fail "a missing build: exit $rc, '$msg'"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -z "$builder" ] || kill "$builder" 2>/dev/null || true' EXIT
cp -r "$out/book3s64" "$tmp/"
sed -i '1s/.*/pvfuzz-kernel-mode 99/' "$tmp/book3s64/kernel.meta"
set +e
msg=$("$pvfuzz" patch --flavor book3s64 --profile "kernel:$tmp" 0x7c6000a6 2>&1); rc=$?
set -e
[ $rc = 2 ] && grep -q "format version 99" <<<"$msg" || fail "a stale build: exit $rc, '$msg'"
echo "   $msg"
# a build that cannot run (the ABI line wrong, as 6.12's ELFv2 was read as
# ELFv1): every command says the kernel's code failed, exit 70, never a
# difference or a pass
sed -i '1s/.*/pvfuzz-kernel-mode 3/' "$tmp/book3s64/kernel.meta"
abi=$(awk '$1 == "abi" { print $2 }' "$tmp/book3s64/kernel.meta")
sed -i "s/^abi .*/abi $([ "$abi" = elfv1 ] && echo elfv2 || echo elfv1)/" "$tmp/book3s64/kernel.meta"
seeds=("$src"/corpus/fuzz_diff/*)
seed_diff=${seeds[0]}
for cmd in "agree --profile kernel:$tmp" "patch --flavor book3s64 --profile kernel:$tmp 0x7c6000a6" \
	"diff --flavor book3s64 --profile kernel:$tmp 0x7c6000a6" "repro --profile kernel:$tmp $seed_diff" \
	"repro --profile kernel:$tmp $(echo "$src"/corpus/fuzz_image/*)"; do
	set +e
	# shellcheck disable=SC2086
	msg=$(PVFUZZ_FLAVOR=book3s64 "$pvfuzz" $cmd 2>&1); rc=$?
	set -e
	[ $rc = 70 ] && grep -q "the kernel's code" <<<"$msg" ||
		fail "a build that cannot run: pvfuzz ${cmd%% *}: exit $rc, $(tail -n 2 <<<"$msg")"
done
echo "   a build that cannot run: agree, patch, diff, repro exit 70: $(grep -m1 -o "the kernel's code.*" <<<"$msg")"
rm -rf "$tmp"
trap '[ -z "$builder" ] || kill "$builder" 2>/dev/null || true' EXIT
step "our fixes (patches/linux) applied: findings 1 and 2 are gone"
pout="$build/kernel-mode/$pkg-patched"
"$src/scripts/kernel-mode/build.sh" --kernel-package "$pkg" --apply-patches --pvfuzz "$pvfuzz" --flavor book3s32,booke64 \
	--out "$pout" >/dev/null 2>"$pout.log" || fail "--apply-patches: $(tail -n 3 "$pout.log")"
for r in linux-mtsrin-r31-r30 linux-mtsrin-r30-r5 linux-wrteei0-booke64; do
	# exit 0 and no divergence: the same inputs that diverge on the tree as shipped
	got=$("$pvfuzz" repro --profile "kernel:$pout" "$src/corpus/regressions/fuzz_diff/$r" 2>&1) ||
		fail "patched: $r still fails: $(grep -m1 DIVERGENCE <<<"$got")"
	grep -q "profile kernel:.* (Linux" <<<"$got" || fail "patched: $r was not run by the kernel profile"
done
for f in book3s32 booke64; do
	"$pvfuzz" diffsweep --flavor $f --profile "kernel:$pout" --states 8 >"$pout.$f.ds" 2>&1 ||
		fail "patched: diffsweep $f: $(grep -m1 'first difference' "$pout.$f.ds")"
done
echo "   the three finding inputs: no divergence; diffsweep book3s32 and booke64 pass"
# agree: the fixes change the mtsrin template (book3s32, feature sr) and the
# wrteei 0 template (BookE, 32- and 64-bit); everything else is still upstream's, word for word
"$pvfuzz" agree --profile "kernel:$pout" --json >"$pout.agree.json" || true
"$pvfuzz" agree --profile "kernel:$pout" >"$pout.agree" || true
unexpected=$(grep '"verdict":"differ"' "$pout.agree.json" | grep -Ev '"flavor":"(booke32|booke64|book3s32","features":"sr(,mas)?)"' || true)
[ -z "$unexpected" ] || fail "patched: agree differs where the fixes change nothing: $(head -n 2 <<<"$unexpected")"
for c in '"flavor":"book3s32","features":"sr"' '"flavor":"booke64","features":"none"'; do
	grep "$c" "$pout.agree.json" | grep -q '"verdict":"differ"' || fail "patched: agree finds no change for $c"
done
# the first word that differs (layouts outside the text) is one the fixes are about
firsts=$(awk '/DIFFER/ { want = $3 !~ /^(start|middle|end)$/; c = $1 " " $2 " " $3; next }
	want && /^    (area )?0x/ { print c ": " $0; want = 0 }' "$pout.agree")
[ -n "$firsts" ] || fail "patched: no difference listed by agree"
others=$(grep -v "mtsrin\|wrteei 0" <<<"$firsts" || true)
[ -z "$others" ] || fail "patched: agree's first difference is not an mtsrin or wrteei 0: $(head -n 2 <<<"$others")"
echo "   agree: differs only in the mtsrin (book3s32, sr) and wrteei 0 (BookE) instances"
echo "== $pkg: all checks passed"
done

# A kernel developer's own changes, on the first tree (docs/kernel-mode.md,
# "Judged by the oracle, not by its likeness to 6.1"): copies of the tree
# (hard links, one file replaced), built in the background (above), book3s64
# unless named.
pkg=${trees[0]}
step "a harmless extra instruction in the mtmsr template (its _len follows): no failure"
use_variant extra-nop
grep -q "^tmpl mtmsr .* len 33 " "$vdir/book3s64/kernel.meta" || fail "extra-nop: the mtmsr template is not 33 words"
"$pvfuzz" patch --flavor book3s64 --profile "kernel:$vdir" 0x7c600124 | grep -q "template: mtmsr, 33 words" ||
	fail "extra-nop: the listing does not show the kernel's own 33-word template"
"$pvfuzz" diff --flavor book3s64 --profile "kernel:$vdir" --states 200 0x7c600124 0x7c6000a6 0x7ca00124 >/dev/null ||
	fail "extra-nop: pvfuzz diff"
"$pvfuzz" diffsweep --flavor book3s64 --profile "kernel:$vdir" --states 8 >"$vdir.ds" 2>&1 ||
	fail "extra-nop: diffsweep: $(grep -m1 'first difference' "$vdir.ds")"
"$pvfuzz" sweep --flavor book3s64 --features none --profile "kernel:$vdir" --sample 20000 >"$vdir.sweep" 2>&1 ||
	grep -q "FAIL 0x7c[0-9a-f]*046c" "$vdir.sweep" || fail "extra-nop: sweep: $(grep -m1 FAIL "$vdir.sweep")"
fails=$("$pvfuzz" repro --profile "kernel:$vdir" "$src"/corpus/fuzz_image/* "$src"/corpus/fuzz_check_ins/* 2>&1 |
	grep "^CHECK FAILED" | grep -Ev "outside the used area|does not return to|capstone reads" || true)
[ -z "$fails" ] || fail "extra-nop: the fuzz seeds: $fails"
echo "   33-word mtmsr: patch, diff, diffsweep, sweep and the fuzz seeds pass"

step "the same tree with the safe-bits mask widened to EE|ME|RI: it fails"
use_variant wide-mask
if "$pvfuzz" diffsweep --flavor book3s64 --profile "kernel:$vdir" --states 8 >"$vdir.ds" 2>&1; then
	fail "wide-mask: diffsweep passed"
fi
grep -m1 "first difference" "$vdir.ds"
rm -rf "$vdir.validate"
if "$pvfuzz" validate --profile "kernel:$vdir" --class mtmsr --flavor book3s64 --time 0 --out "$vdir.validate" \
	>"$vdir.vlog" 2>&1; then
	fail "wide-mask: validate passed"
fi
echo "   diffsweep and validate fail"

step "old upstream code without the template-area skip: agree and fuzz_image show it"
use_variant no-skip
"$pvfuzz" agree --profile "kernel:$vdir" --flavor book3s64 >"$vdir.agree" && fail "no-skip: agree agreed"
differ=$(awk '$4 == "DIFFER" { print $3 }' "$vdir.agree" | sort -u | tr '\n' ' ')
[ "$differ" = "end middle start " ] || fail "no-skip: agree differs on '$differ', want only the layouts inside the text"
r=$("$pvfuzz" repro --profile "kernel:$vdir" "$src"/corpus/fuzz_image/* 2>&1 | grep "^CHECK FAILED" || true)
grep -Eq "orig-ins slot|changed an instance already in the area" <<<"$r" || fail "no-skip: fuzz_image seeds do not show it"
echo "   agree differs on start/middle/end only; fuzz_image: $(grep -m1 -Eo "orig-ins slot[^,]*|changed an instance[^:]*" <<<"$r")"
step "a tree without the mfmsr handler: its sites are skipped for want of a handler"
use_variant no-mfmsr
r=$("$pvfuzz" patch --flavor book3s64 --profile "kernel:$vdir" 0x7c6000a6 0x7c600124)
grep -q "skipped: *no handler" <<<"$r" || fail "no-mfmsr: mfmsr is not reported as 'no handler': $r"
[ "$(grep -c skipped <<<"$r")" = 1 ] || fail "no-mfmsr: more than mfmsr skipped: $r"
echo "   mfmsr: $(grep -o "skipped: *no handler" <<<"$r"), mtmsr still patched"
step "old upstream code that rewrote SPR 19 (DAR) on BookE: judged, and a divergence"
use_variant old-dar
r=$("$pvfuzz" patch --flavor booke32 --profile "kernel:$vdir" 0x7c7302a6)
grep -q "class: *none: the linux profile's table does not match it, and the kernel rewrote it" <<<"$r" ||
	fail "old-dar: pvfuzz patch does not show the foreign rewrite: $r"
set +e
r=$("$pvfuzz" diff --flavor booke32 --profile "kernel:$vdir" --states 20 0x7c7302a6 2>&1); rc=$?
set -e
[ $rc = 1 ] && grep -q "^DIVERGENCE" <<<"$r" || fail "old-dar: pvfuzz diff exit $rc: $(head -n 2 <<<"$r")"
grep -q "was rewritten although the linux profile's table does not match it" <<<"$r" ||
	fail "old-dar: the report does not say the table does not match"
echo "   mfspr r3,19 on booke32: $(grep -m1 '^first difference' <<<"$r")"
r=$("$pvfuzz" diff --flavor booke32 --profile "kernel:$vdir" --states 50 0x7c6000a6 0x7c7d0aa6 0x7ca00106)
grep -q "^equivalent" <<<"$r" || fail "old-dar: other words diverge: $(head -n 2 <<<"$r")"
grep -q "reached the end" <<<"$r" || fail "old-dar: no run reached the end: $(sed -n 2p <<<"$r")"
r=$("$pvfuzz" patch --flavor booke32 --profile "kernel:$vdir" 0x7c7d0aa6)
grep -q "skipped: *no handler" <<<"$r" || fail "old-dar: mfspr DEAR is not 'no handler': $r"
echo "   the rest of that tree (mfmsr, mfspr DEAR left alone as 'no handler', wrtee): equivalent"
rm -rf "$build/kernel-mode/variants"

echo "kernel mode: all checks passed on ${trees[*]}"
