#!/usr/bin/env bash
# Builds a kernel tree's own PV patch code (arch/powerpc/kernel/kvm.o and
# kvm_emul.o) for one flavor with Debian's cross compiler, links it with our
# shim (shim.c, hcall.S) into a flat binary, and writes a description the
# emulator reads. `pvfuzz ... --profile kernel:<out>` then runs that code.
# See docs/kernel-mode.md.
#
# Usage: scripts/kernel-mode/build.sh [--kernel-src DIR | --kernel-package PKG] --flavor F
#                                     [--out DIR] [--force] [--pvfuzz PATH]
#   --kernel-src DIR      a Linux source tree of your own
#   --kernel-package PKG  a Debian kernel source package, installed if missing
#                         and unpacked on first use under .cache/kernel-mode/PKG:
#                         linux-source-6.1 (the default) or linux-source-6.12
#   --flavor F            book3s64, book3s64le, book3s32, booke32, booke64, a
#                         comma-separated list of them, or all; several flavors
#                         build side by side, PVFUZZ_KERNEL_JOBS at a time
#                         (default: the number of cores), each logging to DIR/<flavor>.log
#   --out DIR             where the result goes: DIR/<flavor>/kernel.{bin,elf,meta}
#                         (default: .cache/kernel-mode/out for linux-source-6.1,
#                         .cache/kernel-mode/out-<version> for another package,
#                         .cache/kernel-mode/out-<dir name> for --kernel-src);
#                         the kernel's object tree is DIR/<flavor>/obj
#   --force               rebuild even when the cached result is up to date
#   --pvfuzz PATH         the pvfuzz that runs the self-test after the link
#                         (default build/pvfuzz when it exists)
#   --apply-patches       build a copy of the tree with our fixes for the
#                         findings applied (patches/linux/*.patch, in order):
#                         the copy is <tree>-patched beside the tree, and the
#                         default --out gets -patched too
# The 64-bit ELF ABI (v1 or v2) is read from the built kvm.o, as the tree's
# configuration chose it. After linking, the result patches one mfmsr and one
# mtmsrd under pvfuzz: code that cannot run fails the build, saying why.
# Prints the directory to give as kernel:<dir> on stdout; progress on stderr.
# Exit: 0 built (or cached), 1 the kernel code did not build, link or run for
# the flavor, 2 bad usage or missing tools.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/scripts/lib/apt.sh"
source "$repo/scripts/lib/usage.sh"

die() { echo "scripts/kernel-mode/build.sh: $*" >&2; exit 2; }
say() { echo "kernel-mode: $*" >&2; }

src="" pkg="" flavor="" out="" force=0 pvfuzz="" apply=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-src) src=${2:-}; [ -n "$src" ] || die "--kernel-src needs a directory"; shift 2 ;;
	--kernel-package) pkg=${2:-}; [[ "$pkg" =~ ^linux-source-[0-9]+\.[0-9]+$ ]] ||
			die "--kernel-package takes a Debian package linux-source-X.Y (linux-source-6.1, linux-source-6.12)"
		shift 2 ;;
	--pvfuzz) pvfuzz=${2:-}; [ -x "$pvfuzz" ] || die "--pvfuzz: '$pvfuzz' is not an executable"; shift 2 ;;
	--flavor) flavor=${2:-}; [ -n "$flavor" ] || die "--flavor needs a name"; shift 2 ;;
	--out) out=${2:-}; [ -n "$out" ] || die "--out needs a directory"; shift 2 ;;
	--force) force=1; shift ;;
	--apply-patches) apply=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "$flavor" ] || die "--flavor is required (book3s64, book3s64le, book3s32, booke32, booke64, all)"
[ -z "$src" ] || [ -z "$pkg" ] || die "give --kernel-src or --kernel-package, not both"
[ -n "$src" ] || [ -n "$pkg" ] || pkg=linux-source-6.1
out_given=$out
if [ -z "$out" ]; then
	if [ "$pkg" = linux-source-6.1 ]; then
		out="$repo/.cache/kernel-mode/out"
	elif [ -n "$pkg" ]; then
		out="$repo/.cache/kernel-mode/out-${pkg#linux-source-}"
	else
		out="$repo/.cache/kernel-mode/out-$(basename "$(cd "$src" 2>/dev/null && pwd || echo "$src")")"
	fi
fi
[ "$apply" = 1 ] && [ -z "$out_given" ] && out="$out-patched"
[ ! -e "$out" ] || [ -d "$out" ] || die "--out: '$out' is a file, not a directory"
[ -n "$pvfuzz" ] || { [ -x "$repo/build/pvfuzz" ] && pvfuzz=$repo/build/pvfuzz; } || true

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
flavor_cflags() { # FLAVOR ABI
	case "$1" in
	book3s64|booke64) echo "-m64 -mbig-endian -mabi=$2 -mcmodel=medium" ;;
	book3s64le) echo "-m64 -mlittle-endian -mabi=elfv2 -mcmodel=medium" ;;
	book3s32|booke32) echo "-m32 -mcpu=powerpc" ;;
	esac
}
all_flavors="book3s64 book3s64le book3s32 booke32 booke64"
# --flavor all or a comma-separated list: each flavor in a process of its own
# (below, once the tree is ready)
flavors=$flavor
[ "$flavor" = all ] && flavors=${all_flavors// /,}
IFS=, read -r -a flavor_list <<<"$flavors"
[ ${#flavor_list[@]} -gt 0 ] || die "--flavor needs a name"
for f in "${flavor_list[@]}"; do
	[ -n "$(flavor_cross "$f")" ] || die "unknown flavor '$f' (book3s64, book3s64le, book3s32, booke32, booke64, all)"
done

ensure_packages "${PVFUZZ_KERNEL_PACKAGES[@]}" || die "cannot install the cross toolchain"

if [ -z "$src" ]; then
	ensure_packages "$pkg" || die "cannot install $pkg"
	tarball=$(ls /usr/src/"$pkg".tar.* 2>/dev/null | head -1)
	[ -n "$tarball" ] || die "$pkg is installed but /usr/src/$pkg.tar.* is missing"
	src="$repo/.cache/kernel-mode/$pkg"
	if [ ! -f "$src/.pvfuzz-unpacked" ]; then
		say "unpacking $tarball (once)"
		rm -rf "$src" # ours: .cache/kernel-mode/$pkg is only ever this unpacked tree
		mkdir -p "$repo/.cache/kernel-mode"
		tar -C "$repo/.cache/kernel-mode" -xf "$tarball"
		[ -d "$src" ] || die "$tarball did not unpack into $src"
		touch "$src/.pvfuzz-unpacked"
	fi
fi
[ -d "$src" ] || die "--kernel-src: no such directory: $src"
src=$(cd "$src" && pwd)
for f in arch/powerpc/kernel/kvm.c arch/powerpc/kernel/kvm_emul.S Makefile; do
	[ -f "$src/$f" ] || die "--kernel-src $src: not a Linux tree with PowerPC KVM guest code (no $f)"
done
# our fixes for the findings (docs/findings.md), applied to a copy of the
# tree made of hard links (patch writes the files it changes anew)
if [ "$apply" = 1 ]; then
	sum=$(cat "$repo"/patches/linux/*.patch | cksum | cut -d' ' -f1)
	patched="$src-patched"
	if [ ! -f "$patched/.pvfuzz-patched" ] || [ "$(cat "$patched/.pvfuzz-patched")" != "$sum" ]; then
		# a folder of that name that this script did not make is not touched
		[ ! -e "$patched" ] || [ -f "$patched/.pvfuzz-patched" ] ||
			die "--apply-patches: $patched exists and was not made by this script: move it away"
		say "applying patches/linux/*.patch to a copy of $src"
		rm -rf "$patched" # ours (the marker says so)
		cp -al "$src" "$patched" || die "cannot copy $src to $patched"
		rm -f "$patched/.pvfuzz-unpacked"
		echo incomplete >"$patched/.pvfuzz-patched" # ours from here on, even if a patch fails
		for p in "$repo"/patches/linux/*.patch; do
			patch -d "$patched" -p1 --batch --forward <"$p" >"$patched/.pvfuzz-patch.log" 2>&1 || {
				tail -n 5 "$patched/.pvfuzz-patch.log" >&2
				echo "kernel-mode: $(basename "$p") does not apply to $src" >&2
				exit 1
			}
		done
		echo "$sum" >"$patched/.pvfuzz-patched"
	fi
	src=$patched
fi

if [ ${#flavor_list[@]} -gt 1 ]; then
	# the tree is unpacked and patched: the flavors side by side, one per
	# core (each make is mostly serial), each logging to DIR/<flavor>.log
	jobs=${PVFUZZ_KERNEL_JOBS:-$(nproc)}
	[[ "$jobs" =~ ^[1-9][0-9]?$ ]] || die "PVFUZZ_KERNEL_JOBS must be a number from 1 to 99, not '$jobs'"
	mkdir -p "$out"
	status=0 running=0
	for f in "${flavor_list[@]}"; do
		if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
		say "$f: building (log: $out/$f.log)"
		rm -f "$out/$f.rc"
		{ "$0" --kernel-src "$src" ${pvfuzz:+--pvfuzz "$pvfuzz"} --flavor "$f" --out "$out" \
			$([ $force = 1 ] && echo --force) >/dev/null; echo $? >"$out/$f.rc"; } 2>"$out/$f.log" &
		running=$((running + 1))
	done
	wait
	for f in "${flavor_list[@]}"; do
		if [ "$(cat "$out/$f.rc" 2>/dev/null)" = 0 ]; then
			grep -h 'self-test passed\|up to date' "$out/$f.log" >&2 || true
		else
			status=1
			tail -n 15 "$out/$f.log" >&2
			say "$f: failed (whole log: $out/$f.log)"
		fi
		rm -f "$out/$f.rc"
	done
	[ "$status" = 0 ] && echo "$out"
	exit $status
fi
flavor=${flavor_list[0]}
cross=$(flavor_cross "$flavor")

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

# the 64-bit ELF ABI the tree's configuration chose, as the object says
# (e_flags: 1 ELFv1, 2 ELFv2, 0 the big-endian default v1): Linux 6.12 builds
# big-endian 64-bit kernels as ELFv2 (CONFIG_PPC64_BIG_ENDIAN_ELF_ABI_V2)
abi=ppc32
case "$flavor" in
book3s64|booke64|book3s64le)
	eflags=$("${cross}readelf" -h "$obj/arch/powerpc/kernel/kvm.o" | awk '$1 == "Flags:" { print $2 }' | tr -d ,)
	[[ "$eflags" =~ ^0x[0-9a-fA-F]+$ ]] || { echo "kernel-mode: $flavor: cannot read kvm.o's ELF flags" >&2; exit 1; }
	if [ $((eflags & 3)) = 2 ]; then abi=elfv2; else abi=elfv1; fi
	[ "$flavor" != book3s64le ] || [ "$abi" = elfv2 ] || { echo "kernel-mode: book3s64le: kvm.o is not ELFv2" >&2; exit 1; }
	;;
esac
say "$flavor: linking with the shim ($abi)"
cflags="$(flavor_cflags "$flavor" "$abi") -O2 -msoft-float -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fno-stack-protector -fno-pic -fno-common -nostdinc -Wall -Werror"
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
# the 32-bit word at a symbol of the binary, in the flavor's byte order
wordat() {
	local a off hex
	a=$(symval "$1")
	[ -n "$a" ] || return 1
	off=$((a - 0x7e000000))
	hex=$(od -An -tx1 -j "$off" -N4 "$dest/kernel.bin" | tr -d ' \n')
	[ ${#hex} = 8 ] || return 1
	[ "$flavor" = book3s64le ] && hex=${hex:6:2}${hex:4:2}${hex:2:2}${hex:0:2}
	echo $((16#$hex))
}
{
	echo "pvfuzz-kernel-mode 3"
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
	echo "abi $abi"
	# the kernel's own templates as kvm.c sees them: start, length and slot
	# offsets in words (kvm_emulate_<t>_len, _<slot>_offs), for listings
	# and the layout-free checks of docs/kernel-mode.md
	for t in "mtmsrd reg orig_ins branch" "mtmsr reg1 reg2 orig_ins branch" "wrtee reg orig_ins branch" \
		 "wrteei_0 branch" "mtsrin reg1 reg2 orig_ins branch"; do
		set -- $t
		name=$1; shift
		start=$(symval "kvm_emulate_$name") || true
		len=$(wordat "kvm_emulate_${name}_len") || continue # not in this configuration
		line="tmpl $name $start len $len"
		for slot in "$@"; do
			v=$(wordat "kvm_emulate_${name}_${slot}_offs") ||
				{ echo "kernel-mode: $flavor: kvm_emulate_${name}_${slot}_offs missing" >&2; exit 1; }
			line+=" $slot $v"
		done
		echo "$line"
	done
	for s in kvm_guest_init pv_kdone pv_kconf pv_kflushes pv_kflush kvm_tmp_index pv_bss_end; do
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
# kvm_tmp must be the symbol the loader places at the caller's area; old
# trees kept it as a static array in kvm.c, which the link cannot move
grep -q '^reloc .* kvm_tmp ' "$dest/kernel.meta.tmp" || {
	echo "kernel-mode: $flavor: the kernel's code does not reach its template area through the symbol kvm_tmp" \
	     "(a static array in kvm.c, as old trees have it?): the area cannot be placed at the caller's, so this" \
	     "tree is not supported" >&2
	exit 1
}
mv "$dest/kernel.meta.tmp" "$dest/kernel.meta"
# 5. the self-test: the result patches mfmsr r3 and mtmsrd r5,1 under pvfuzz
if [ -n "$pvfuzz" ]; then
	if ! st=$("$pvfuzz" patch --flavor "$flavor" --profile "kernel:$out" 0x7c6000a6 0x7ca10164 2>&1) ||
	   ! grep -q "class:    mtmsrd_l1" <<<"$st" || ! grep -q "template:" <<<"$st"; then
		mv "$dest/kernel.meta" "$dest/kernel.meta.failed" # not a usable build
		echo "kernel-mode: $flavor: the built code does not run: $(grep -m1 -E 'pvfuzz:|fault|error' <<<"$st" || head -n 1 <<<"$st")" >&2
		exit 1
	fi
	say "$flavor: self-test passed (mfmsr and mtmsrd patched by the kernel's code)"
else
	say "$flavor: self-test skipped: no pvfuzz (build it, or give --pvfuzz PATH)"
fi
say "$flavor: $(grep -c '^reloc' "$dest/kernel.meta") layout relocations, $(stat -c %s "$dest/kernel.bin") bytes: $dest"
echo "$out"
