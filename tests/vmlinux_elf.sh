#!/usr/bin/env bash
# pvfuzz patch --vmlinux on small hand-made kernels (tests/data/tiny_vmlinux.S)
# assembled and linked here by the cross binutils: the symbol lookup, a
# missing symbol, big- and little-endian images, a template area out of
# branch range, the vectors rule, and input that is not a PowerPC ELF.
#
# Usage: vmlinux_elf.sh PVFUZZ SOURCE_DIR WORK_DIR
set -uo pipefail
pv=$1 src=$2/tests/data/tiny_vmlinux.S work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

# kernel NAME as-flags...: assembles and links NAME.elf (64-bit BE unless told)
kernel() {
	local name=$1 as=powerpc64-linux-gnu-as ld=powerpc64-linux-gnu-ld emul=elf64ppc end=-mbig bits=-a64
	local text=0xc000000000000000 far=0xc000000002800000
	shift
	case "${1:-}" in
	le) end=-mlittle emul=elf64lppc; shift ;;
	32) as=powerpc-linux-gnu-as ld=powerpc-linux-gnu-ld emul=elf32ppc bits="-a32 -many"
	    text=0xc0000000 far=0xc2800000; shift ;;
	esac
	$as $bits $end -mregnames "$@" -o "$name.o" "$src" || fail "assembling $name"
	$ld -m $emul -e _stext -Ttext=$text --section-start=.kvmtmp=$far -o "$name.elf" "$name.o" || fail "linking $name"
}
# patch ARGS...: runs pvfuzz patch --vmlinux, sets out/err/rc
patch() {
	out=$("$pv" patch --vmlinux "$@" 2>err.txt)
	rc=$?
	err=$(cat err.txt)
}
want() { grep -qE -- "$1" <<<"$out" || { echo "$out"; fail "$2: no line matching '$1'"; }; }

# symbol lookup: the flavor from the ELF, every symbol at the address nm gives
kernel be
patch be.elf
[ "$rc" -eq 0 ] || fail "be.elf: exit $rc: $err"
want "^flavor book3s64 \(from the ELF\)" "be.elf flavor"
for s in _stext _etext kvm_template_start kvm_template_end kvm_tmp kvm_tmp_end __end_interrupts; do
	a=$(powerpc64-linux-gnu-nm be.elf | awk -v s=$s '$3 == s { print $1 }' | sed 's/^0*//')
	want "^  $s +0x$a\$" "symbol $s"
done
# the two sites outside the template code, not the one inside it
want "^mfmsr +1 +0\$" "be.elf mfmsr count"
want "^mtmsrd_l1 +2 +0\$" "be.elf mtmsrd_l1 count"

# big and little endian: the same code, patched alike, in each byte order
patch be.elf --out be.text
first=$(od -An -tx1 -N4 be.text | tr -d ' ')
[ "$first" = e860f058 ] || fail "be: first word patched to $first, want e860f058 (ld r3,-4008(0))"
kernel le le
patch le.elf --out le.text
[ "$rc" -eq 0 ] || fail "le.elf: exit $rc: $err"
want "^flavor book3s64le \(from the ELF\)" "le.elf flavor"
want "^mtmsrd_l1 +2 +0\$" "le.elf mtmsrd_l1 count"
first=$(od -An -tx1 -N4 le.text | tr -d ' ')
[ "$first" = 58f060e8 ] || fail "le: first word patched to $first, want 58f060e8 (ld r3,-4008(0) little-endian)"
patch le.elf --flavor book3s64
[ "$rc" -eq 2 ] && grep -q "does not fit" <<<"$err" || fail "le.elf --flavor book3s64: exit $rc, '$err'"
kernel k32 32
patch k32.elf
[ "$rc" -eq 0 ] || fail "k32.elf: exit $rc: $err"
want "^flavor book3s32 \(from the ELF\)" "k32.elf flavor"

# a missing symbol names itself and the option that gives it
kernel notmp --defsym NO_TMP=1
patch notmp.elf
[ "$rc" -eq 2 ] || fail "notmp.elf: exit $rc, want 2"
grep -q "symbol kvm_tmp not found in 'notmp.elf': give it with --tmp ADDR" <<<"$err" || fail "notmp.elf: '$err'"
tmp=$(powerpc64-linux-gnu-nm notmp.elf | awk '$3 == "kvm_template_start" { print $1 }')
patch notmp.elf --tmp 0x$(printf '%x' $((0x$tmp + 8)))
[ "$rc" -eq 0 ] || fail "notmp.elf --tmp: exit $rc: $err"
want "kvm_tmp +0x.*\(given\)" "notmp.elf --tmp given"

# the template area 40 MiB away: the first template site is out of reach
kernel far --defsym FAR=1
patch far.elf
[ "$rc" -eq 0 ] || fail "far.elf: exit $rc: $err"
want "^  0xc000000000000004  mtmsrd_l1 +branch out of range\$" "far.elf skip"
want "^mtmsrd_l1 +1 +1\$" "far.elf mtmsrd_l1 count"
# the same 40 MiB as a hole in the file: _stext.._etext is not all in it
kernel hole --defsym HOLE=1
patch hole.elf
[ "$rc" -eq 2 ] && grep -q "the file holds no bytes for 0xc00000000000" <<<"$err" ||
	fail "hole.elf: exit $rc, want 2 naming the range: '$err'"

# the vectors rule: no branch patching below __end_interrupts; single words still
kernel vec --defsym VECTORS=1
patch vec.elf
want "^  0xc000000000000004  mtmsrd_l1 +below end of vectors\$" "vec.elf skip"
want "^mfmsr +1 +0\$" "vec.elf mfmsr still patched"
patch vec.elf --no-vectors-rule
want "^mtmsrd_l1 +2 +0\$" "vec.elf --no-vectors-rule"

# idempotence on a kernel
patch be.elf --verify
want "^verify: patching twice equals patching once\$" "be.elf --verify"

# the real-code differential: every site equivalent; with the linux profile
# the mtsrin r31,r30 hazard diverges, the block's report is printed, exit 1
out=$("$pv" diff --vmlinux be.elf --sites all 2>&1)
rc=$?
[ "$rc" -eq 0 ] || fail "diff be.elf: exit $rc"
want "^  equivalent: +3 " "diff be.elf equivalent"
out=$("$pv" diff --vmlinux vec.elf --sites all 2>&1)
want "^site 0xc000000000000004 mtmsrd_l1 +not runnable: left unpatched by the patch loop \(below end of vectors\)\$" \
	"diff vec.elf not runnable"
kernel hz 32 --defsym HAZARD=1
out=$("$pv" diff --vmlinux hz.elf --sites all --features sr 2>&1)
rc=$?
[ "$rc" -eq 0 ] || fail "diff hz.elf (fixed): exit $rc"
out=$("$pv" diff --vmlinux hz.elf --sites all --features sr --profile linux 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "diff hz.elf (linux): exit $rc, want 1"
want "^site 0xc0000010 mtsrin +DIVERGENT\$" "diff hz.elf divergent site"
want "^DIVERGENCE: .*kernel block 0xc0000000\.\.0xc0000014" "diff hz.elf report"
want "^  divergent: +1\$" "diff hz.elf summary"

# bad input
patch "$2/README.md"
[ "$rc" -eq 2 ] && grep -q "is not an ELF file" <<<"$err" || fail "README.md: exit $rc, '$err'"
patch "$pv"
[ "$rc" -eq 2 ] && grep -q "not PowerPC" <<<"$err" || fail "an x86 ELF: exit $rc, '$err'"
patch /nonexistent
[ "$rc" -eq 2 ] && grep -q "cannot read" <<<"$err" || fail "/nonexistent: exit $rc, '$err'"
echo "ok: vmlinux_elf"
