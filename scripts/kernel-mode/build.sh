#!/usr/bin/env bash
# Builds a kernel tree's own PV patch code (arch/powerpc/kernel/kvm.o and
# kvm_emul.o) for one flavor with Debian's cross compiler, links it with our
# shim (shim.c, hcall.S) into a flat binary, and writes a description the
# emulator reads. `pvfuzz ... --profile kernel:<out>` then runs that code.
# See docs/kernel-mode.md.
#
# Usage: scripts/kernel-mode/build.sh [--kernel-src DIR] --flavor F [--out DIR] [--force]
#   --kernel-src DIR  a Linux source tree (default: Debian's linux-source-6.1,
#                     unpacked on first use under .cache/kernel-mode/)
#   --flavor F        book3s64, book3s64le, book3s32, booke32, booke64, or all
#   --out DIR         where the result goes: DIR/<flavor>/kernel.{bin,elf,meta}
#                     (default: .cache/kernel-mode/out); the kernel's object
#                     tree is DIR/<flavor>/obj
#   --force           rebuild even when the cached result is up to date
# Prints the directory to give as kernel:<dir> on stdout; progress on stderr.
# Exit: 0 built (or cached), 1 the kernel code did not build or link for the
# flavor, 2 bad usage or missing tools.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/scripts/lib/apt.sh"

die() { echo "scripts/kernel-mode/build.sh: $*" >&2; exit 2; }
say() { echo "kernel-mode: $*" >&2; }

src="" flavor="" out="$repo/.cache/kernel-mode/out" force=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-src) src=${2:-}; [ -n "$src" ] || die "--kernel-src needs a directory"; shift 2 ;;
	--flavor) flavor=${2:-}; [ -n "$flavor" ] || die "--flavor needs a name"; shift 2 ;;
	--out) out=${2:-}; [ -n "$out" ] || die "--out needs a directory"; shift 2 ;;
	--force) force=1; shift ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "$flavor" ] || die "--flavor is required (book3s64, book3s64le, book3s32, booke32, booke64, all)"
[ ! -e "$out" ] || [ -d "$out" ] || die "--out: '$out' is a file, not a directory"

# flavor -> cross prefix, defconfig target, shim compiler flags
flavor_cross() {
	case "$1" in
	book3s64|book3s64le|booke64) echo powerpc64-linux-gnu- ;;
	book3s32|booke32) echo powerpc-linux-gnu- ;;
	esac
}
flavor_defconfig() {
	case "$1" in
	book3s64) echo ppc64_defconfig ;;      # POWER, big-endian, ELFv1
	book3s64le) echo ppc64le_defconfig ;;  # POWER, little-endian, ELFv2
	book3s32) echo pmac32_defconfig ;;     # PowerMac G3/G4: Book3S 32-bit
	booke32) echo mpc85xx_defconfig ;;     # e500v2
	booke64) echo corenet64_smp_defconfig ;; # e5500/e6500: Book3E 64-bit
	esac
}
flavor_cflags() {
	case "$1" in
	book3s64|booke64) echo "-m64 -mbig-endian -mabi=elfv1 -mcmodel=medium" ;;
	book3s64le) echo "-m64 -mlittle-endian -mabi=elfv2 -mcmodel=medium" ;;
	book3s32|booke32) echo "-m32 -mcpu=powerpc" ;;
	esac
}
all_flavors="book3s64 book3s64le book3s32 booke32 booke64"
if [ "$flavor" = all ]; then
	status=0
	for f in $all_flavors; do
		"$0" ${src:+--kernel-src "$src"} --flavor "$f" --out "$out" $([ $force = 1 ] && echo --force) >/dev/null || status=$?
	done
	[ "$status" = 0 ] && echo "$out"
	exit $status
fi
[ -n "$(flavor_cross "$flavor")" ] || die "unknown flavor '$flavor' (book3s64, book3s64le, book3s32, booke32, booke64, all)"
cross=$(flavor_cross "$flavor")

ensure_packages "${PVFUZZ_KERNEL_PACKAGES[@]}" || die "cannot install the cross toolchain"

if [ -z "$src" ]; then
	ensure_packages linux-source-6.1 || die "cannot install linux-source-6.1"
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -1)
	[ -n "$tarball" ] || die "linux-source-6.1 is installed but /usr/src/linux-source-6.1.tar.* is missing"
	src="$repo/.cache/kernel-mode/linux-source-6.1"
	if [ ! -f "$src/.pvfuzz-unpacked" ]; then
		say "unpacking $tarball (once)"
		rm -rf "$src"
		mkdir -p "$repo/.cache/kernel-mode"
		tar -C "$repo/.cache/kernel-mode" -xf "$tarball"
		touch "$src/.pvfuzz-unpacked"
	fi
fi
[ -d "$src" ] || die "--kernel-src: no such directory: $src"
src=$(cd "$src" && pwd)
for f in arch/powerpc/kernel/kvm.c arch/powerpc/kernel/kvm_emul.S Makefile; do
	[ -f "$src/$f" ] || die "--kernel-src $src: not a Linux tree with PowerPC KVM guest code (no $f)"
done

dest="$out/$flavor"
obj="$dest/obj"
mkdir -p "$obj"
dest=$(cd "$dest" && pwd)
obj="$dest/obj"
kmake() { make -s -C "$src" O="$obj" ARCH=powerpc CROSS_COMPILE="$cross" "$@"; }

# 1. configuration: the flavor's defconfig, a KVM guest, and nothing that
#    would need more of the kernel around kvm.o (tracing hooks, jump labels,
#    the stack protector's per-task canary)
if [ ! -f "$obj/.config" ] || [ "$force" = 1 ]; then
	say "$flavor: configuring $src ($(flavor_defconfig "$flavor"))"
	kmake "$(flavor_defconfig "$flavor")" >&2
	"$src/scripts/config" --file "$obj/.config" -e KVM_GUEST -e EPAPR_PARAVIRT \
		-d FTRACE -d FUNCTION_TRACER -d JUMP_LABEL -d STACKPROTECTOR -d GCC_PLUGINS
	kmake olddefconfig >&2
	grep -q '^CONFIG_KVM_GUEST=y' "$obj/.config" || { echo "kernel-mode: $flavor: CONFIG_KVM_GUEST cannot be enabled in this tree" >&2; exit 1; }
fi

# 2. the two objects (make decides what is stale)
say "$flavor: building arch/powerpc/kernel/kvm.o and kvm_emul.o"
if ! kmake arch/powerpc/kernel/kvm.o arch/powerpc/kernel/kvm_emul.o >&2; then
	echo "kernel-mode: $flavor: the kernel's PV patch code did not build" >&2
	exit 1
fi

# 3. shim + link, when anything it depends on changed
inputs=("$obj/arch/powerpc/kernel/kvm.o" "$obj/arch/powerpc/kernel/kvm_emul.o" "$here/shim.c" "$here/hcall.S" "$here/link.lds" "$0")
stale=$force
[ -f "$dest/kernel.meta" ] || stale=1
for f in "${inputs[@]}"; do [ "$f" -nt "$dest/kernel.meta" ] && stale=1; done
if [ "$stale" = 0 ]; then
	say "$flavor: up to date ($dest)"
	echo "$out"
	exit 0
fi

say "$flavor: linking with the shim"
cflags="$(flavor_cflags "$flavor") -O2 -msoft-float -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fno-stack-protector -fno-pic -fno-common -nostdinc -Wall -Werror"
"${cross}gcc" $cflags -c "$here/shim.c" -o "$obj/pv_shim.o"
"${cross}gcc" $cflags -c "$here/hcall.S" -o "$obj/pv_hcall.o"
# the kernel's own template area becomes unused: the loader places kvm_tmp
# and the range the patch loop skips (kvm_template_start/end) at the caller's area
"${cross}objcopy" --redefine-sym kvm_tmp=pv_kernel_own_tmp --redefine-sym kvm_tmp_end=pv_kernel_own_tmp_end \
	"$obj/arch/powerpc/kernel/kvm_emul.o" "$obj/pv_kvm_emul.o"
ldflags=(-static -nostdlib --emit-relocs --orphan-handling=error --no-warn-mismatch --no-warn-rwx-segments -z noexecstack -T "$here/link.lds")
case "$flavor" in book3s64|booke64|book3s64le) ldflags+=(--no-toc-optimize --no-toc-sort) ;; esac
if ! "${cross}ld" "${ldflags[@]}" -o "$dest/kernel.elf" \
	"$obj/arch/powerpc/kernel/kvm.o" "$obj/pv_kvm_emul.o" "$obj/pv_shim.o" "$obj/pv_hcall.o"; then
	echo "kernel-mode: $flavor: linking the kernel's PV patch code with the shim failed" >&2
	exit 1
fi
"${cross}objcopy" -O binary -j .text -j .opd -j .rodata -j .data -j .got "$dest/kernel.elf" "$dest/kernel.bin"

# 4. the description: symbols the loader needs and every relocation against
#    a layout placeholder
symval() { "${cross}nm" "$dest/kernel.elf" | awk -v s="$1" '$3 == s { print "0x" $1; exit }'; }
{
	echo "pvfuzz-kernel-mode 2"
	echo "flavor $flavor"
	echo "release $(cat "$obj/include/config/kernel.release" 2>/dev/null || echo unknown)"
	echo "source $src"
	echo "base 0x7e000000"
	echo "size $(stat -c %s "$dest/kernel.bin")"
	# kvm.c withholds branch patching below __end_interrupts only with
	# CONFIG_RELOCATABLE on Book3S
	if grep -q '^CONFIG_RELOCATABLE=y' "$obj/.config" && grep -q '^CONFIG_PPC_BOOK3S=y' "$obj/.config"; then
		echo "vectors_rule yes"
	else
		echo "vectors_rule no"
	fi
	case "$flavor" in
	book3s64|booke64) echo "abi elfv1" ;;
	book3s64le) echo "abi elfv2" ;;
	*) echo "abi ppc32" ;;
	esac
	for s in kvm_guest_init pv_kdone pv_kconf pv_kflushes pv_kflush kvm_tmp_index; do
		v=$(symval "$s")
		[ -n "$v" ] || { echo "kernel-mode: $flavor: symbol $s missing from the link" >&2; exit 1; }
		echo "sym $s $v"
	done
	"${cross}readelf" -rW "$dest/kernel.elf" | awk '
		$5 ~ /^(_stext|_etext|__end_interrupts|kvm_tmp|kvm_tmp_end|kvm_template_start|kvm_template_end)$/ {
			add = ($6 == "+") ? $7 : ($6 == "-" ? "-" $7 : "0")
			print "reloc 0x" $1, $3, $5, add
		}'
} > "$dest/kernel.meta.tmp"
grep -q '^reloc .* _stext ' "$dest/kernel.meta.tmp" || { echo "kernel-mode: $flavor: no relocation against _stext found" >&2; exit 1; }
mv "$dest/kernel.meta.tmp" "$dest/kernel.meta"
say "$flavor: $(grep -c '^reloc' "$dest/kernel.meta") layout relocations, $(stat -c %s "$dest/kernel.bin") bytes: $dest"
echo "$out"
