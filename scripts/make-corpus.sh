#!/usr/bin/env bash
# Remakes the seed corpora under corpus/<target>/ and fuzzers/pvfuzz.dict:
# assembles corpus/src/kernel_text.S with the cross binutils (32- and 64-bit),
# then runs the generator, which knows each target's input layout.
# corpus/regressions/ is left alone.
#
# Usage: scripts/make-corpus.sh [--build-dir DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
build=build
case "${1:-}" in
"") ;;
--build-dir) build=${2:?--build-dir needs a value}; [ $# -eq 2 ] || { echo "scripts/make-corpus.sh: unexpected '${3}'" >&2; exit 2; } ;;
-h|--help) usage; exit 0 ;;
*) echo "scripts/make-corpus.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --build "$build" --target pvfuzz_make_corpus >/dev/null
powerpc-linux-gnu-as -a32 -mbig -many -mregnames --defsym PV64=0 -o "$tmp/k32.o" corpus/src/kernel_text.S
powerpc64-linux-gnu-as -a64 -mbig -many -mregnames --defsym PV64=1 -o "$tmp/k64.o" corpus/src/kernel_text.S
powerpc-linux-gnu-objcopy -O binary -j .text "$tmp/k32.o" "$tmp/k32.bin"
powerpc64-linux-gnu-objcopy -O binary -j .text "$tmp/k64.o" "$tmp/k64.bin"
. scripts/lib/targets.sh
for t in $(pvfuzz_targets); do rm -rf "corpus/$t"; done
# fuzz_vmlinux: the small kernels of tests/vmlinux_elf.sh, linked as it links them
tiny=tests/data/tiny_vmlinux.S elfs=()
tiny_kernel() { # NAME 32|64|le AS-FLAGS...
	local name=$1 shape=$2 as=powerpc64-linux-gnu-as ld=powerpc64-linux-gnu-ld emul=elf64ppc
	local flags="-a64 -mbig" text=0xc000000000000000 far=0xc000000002800000
	shift 2
	case $shape in
	le) flags="-a64 -mlittle" emul=elf64lppc ;;
	32) as=powerpc-linux-gnu-as ld=powerpc-linux-gnu-ld emul=elf32ppc flags="-a32 -mbig -many"
	    text=0xc0000000 far=0xc2800000 ;;
	esac
	# shellcheck disable=SC2086
	$as $flags -mregnames "$@" -o "$tmp/$name.o" "$tiny"
	# -z max-page-size: no 64 KiB of padding, so that a seed fits fuzz_vmlinux's max_len
	$ld -m $emul -z max-page-size=0x1000 -e _stext -Ttext=$text --section-start=.kvmtmp=$far -o "$tmp/$name.elf" "$tmp/$name.o"
	elfs+=("$tmp/$name.elf")
}
tiny_kernel be 64
tiny_kernel le le
tiny_kernel k32 32
tiny_kernel k32-hazard 32 --defsym HAZARD=1
tiny_kernel vectors 64 --defsym VECTORS=1
tiny_kernel no-tmp 64 --defsym NO_TMP=1
"$build/fuzzers/pvfuzz_make_corpus" corpus fuzzers/pvfuzz.dict "$tmp/k32.bin" "$tmp/k64.bin" "${elfs[@]}"
