#!/usr/bin/env bash
# What pvfuzz promises for hostile input (docs/reliability.md), one named
# check per case: address ranges that run past the top of the address space,
# outputs that are inputs, outputs that cannot be written, folders that are
# not the tool's, kernel ELFs that do not hold their text, options that would
# be ignored, words and messages, exit codes, input size limits, the scripts'
# number options. Every check runs, and every failing one is named.
#
# Usage: reliability.sh PVFUZZ SOURCE_DIR WORK_DIR
set -uo pipefail
pv=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# run CMD...: sets rc, out, err (stdout, stderr)
run() {
	out=$("$@" 2>err.txt)
	rc=$?
	err=$(cat err.txt)
}
# check NAME WANT_RC PATTERN: the last run exited WANT_RC with one stderr
# line matching PATTERN (a sanitizer report or a crash is never that)
check() {
	local name=$1 want=$2 pat=$3
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want; stderr: $(head -c 400 <<<"$err")"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$err"; then
		fail "$name: stderr lacks /$pat/: $(head -c 400 <<<"$err")"
	elif [ "$want" -eq 2 ] && [ "$(wc -l <<<"$err")" -ne 1 ]; then
		fail "$name: want one line on stderr, got: $err"
	else
		ok "$name"
	fi
}
words() { python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('>I', $1) * $2)"; }

# ---- memory: ranges past the top of the address space ------------------------
words 0x7c600124 8192 >mtmsr32k.img # 32 KiB of mtmsr r3
run "$pv" patch --flavor book3s64 --image mtmsr32k.img --base 0xffffffffffff0000 --area 0xffffffffffff7000 \
	--area-size 16777216
check "an area inside the image that runs past 2^64 is refused" 2 "runs past the top"
run "$pv" patch --flavor book3s64 --image mtmsr32k.img --base 0x10000 --area 0xffffffffffffff00 --area-size 4096
check "an area outside the image that wraps through 0 is refused (64-bit)" 2 "runs past the top"
run "$pv" patch --flavor book3s32 --image mtmsr32k.img --base 0x10000 --area 0xffffff00 --area-size 4096
check "an area that wraps through 0 is refused (32-bit)" 2 "runs past the top"
run "$pv" patch --flavor book3s32 --image mtmsr32k.img --base 0xffff8000
check "a 32-bit image that ends exactly at 2^32 is taken" 0 ""
run "$pv" patch --flavor book3s64 --image mtmsr32k.img --base 0xffffffffffff8000
check "a 64-bit image that ends exactly at 2^64 is taken" 0 ""
run "$pv" patch --flavor book3s32 --image mtmsr32k.img --base 0x10000 --area 0xffff0000 --area-size 65536
check "a 32-bit area that ends exactly at 2^32 is taken" 0 ""
run "$pv" patch --flavor book3s64 --image mtmsr32k.img --base 0x10000 --area 0xffffffffffff0000 --area-size 65536
check "a 64-bit area that ends exactly at 2^64 is taken" 0 ""
run "$pv" patch --flavor book3s32 --image mtmsr32k.img --base 0xffffc000
check "a 32-bit image past 2^32 is refused" 2 "runs past the top"

# ---- lost data: outputs -------------------------------------------------------
cp mtmsr32k.img in.img
run "$pv" patch --flavor book3s64 --image in.img --base 0x10000 --out in.img
check "--out naming the input is refused" 2 "is an input of this command"
cmp -s in.img mtmsr32k.img || fail "--out naming the input: the input changed"
ln -f in.img hard.img && ln -sf in.img soft.img
run "$pv" patch --flavor book3s64 --image in.img --base 0x10000 --out hard.img
check "--out naming a hard link to the input is refused" 2 "is an input"
run "$pv" patch --flavor book3s64 --image in.img --base 0x10000 --out soft.img
check "--out naming a symbolic link to the input is refused" 2 "is an input"
cmp -s in.img mtmsr32k.img || fail "links: the input changed"
echo precious >out.img
run "$pv" patch --flavor book3s64 --image in.img --base 0x10000 --out out.img --area-out no/such/dir/area.bin
check "a failing --area-out fails the command" 2 "area-out: cannot write"
[ "$(cat out.img)" = precious ] || fail "a failing --area-out: the existing --out file was replaced"
rm -f out.img
run "$pv" patch --flavor book3s64 --image in.img --base 0x10000 --out out.img --area-out no/such/dir/area.bin
[ ! -e out.img ] || fail "a failing --area-out: --out was left behind"
ls -a | grep -q 'pvfuzz-' && fail "a failing --area-out: a temporary file was left behind"
echo precious >out.img
run bash -c "trap '' XFSZ; ulimit -f 16; exec '$pv' patch --flavor book3s64 --image in.img --base 0x10000 --out out.img"
check "a write that fails part way (a full disk: RLIMIT_FSIZE) fails the command" 2 "cannot write 'out.img'"
[ "$(cat out.img)" = precious ] || fail "a failing write: the existing file was truncated or replaced"
ls -a | grep -q 'pvfuzz-' && fail "a failing write: a temporary file was left behind"
run "$pv" patch --flavor book3s64 --image in.img --base 0x10000 --out out.img --area-out area.bin
check "--out and --area-out are written on success" 0 ""
[ "$(stat -c %s out.img)" = 32768 ] && [ -s area.bin ] || fail "--out/--area-out: wrong sizes"
run "$pv" patch --flavor book3s64 --image in.img --base 0x10000 --area 0x10000 --area-size 4096 --area-out a2.bin
check "--area-out with the area inside the image is an error" 2 "area-out: the template area lies inside the image"

# a kernel ELF: --out over it, a refused ELF with --seeds-out
kernel() { # NAME as-flags...: 64-bit BE tiny kernel (tests/data/tiny_vmlinux.S)
	local name=$1; shift
	powerpc64-linux-gnu-as -a64 -mbig -mregnames "$@" -o "$name.o" "$src/tests/data/tiny_vmlinux.S" &&
		powerpc64-linux-gnu-ld -m elf64ppc -e _stext -Ttext=0xc000000000000000 -o "$name.elf" "$name.o"
}
kernel k || fail "assembling the tiny kernel"
cp k.elf k0.elf
run "$pv" patch --vmlinux k.elf --out k.elf
check "--vmlinux K --out K is refused" 2 "is an input"
cmp -s k.elf k0.elf || fail "--vmlinux K --out K: the kernel ELF changed"
head -c 100 k.elf >broken.elf
run "$pv" diff --vmlinux broken.elf --seeds-out seeds
check "a refused ELF under diff --vmlinux --seeds-out fails" 2 ""
[ ! -e seeds ] || fail "a refused ELF: the --seeds-out directory was left behind"
mkdir -p full && echo mine >full/keep
run "$pv" diff --vmlinux k.elf --sites 1 --seeds-out full
check "--seeds-out naming a folder that holds files is refused" 2 "not an empty directory"
[ "$(cat full/keep)" = mine ] || fail "--seeds-out: a user's file was touched"

# validate: never deletes what it did not make; default under the build folder
mkdir -p vout/failures vout/work && echo mine >vout/failures/keep && echo mine >vout/work/keep
run "$pv" validate --class mfmsr --flavor book3s32 --time 0 --out vout
check "validate --out naming a folder of the user's is refused" 2 "not an empty directory"
[ "$(cat vout/failures/keep)$(cat vout/work/keep)" = minemine ] || fail "validate --out: the user's files were deleted"
run "$pv" validate --class mfmsr --flavor book3s32 --time 0
check "validate's default output goes under the build folder" 0 ""
grep -q "logs in $(dirname "$pv")/validate/mfmsr-" <<<"$out" || fail "validate default output: $(tail -n 1 <<<"$out")"
run "$pv" validate --class mfmsr --flavor book3s32 --time 5 --corpus no/such/corpus
check "validate --corpus naming no folder is refused" 2 "corpus"

# ---- silent defaults: kernels that do not hold their text ------------------------
run "$pv" patch --vmlinux k.elf --etext 0xc000000000100000
check "_etext past the section is refused, naming the range" 2 "no bytes for 0x"
start=$SECONDS
run "$pv" patch --vmlinux k.elf --etext 0xc00000007ffffff0
check "a corrupt _etext 2 GiB away is refused" 2 "no bytes for 0x"
[ $((SECONDS - start)) -le 3 ] || fail "a corrupt _etext took $((SECONDS - start)) s"
# .text as NOBITS (no bytes in the file), the symbols still in place
python3 - k.elf nobits.elf <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
shoff, = struct.unpack('>Q', d[0x28:0x30]); shentsize, shnum, shstrndx = struct.unpack('>HHH', d[0x3a:0x40])
stro = shoff + shstrndx * shentsize
stroff, = struct.unpack('>Q', d[stro + 24:stro + 32])
for i in range(shnum):
    o = shoff + i * shentsize
    name, = struct.unpack('>I', d[o:o + 4])
    if d[stroff + name:stroff + name + 6] == b'.text\0':
        struct.pack_into('>I', d, o + 4, 8)  # SHT_NOBITS
open(sys.argv[2], 'wb').write(d)
EOF
run "$pv" patch --vmlinux nobits.elf
check ".text as NOBITS is refused" 2 "no bytes for 0x"
# the section headers past the end of the file, symbols given by hand
shoff=$(python3 -c "import struct; d=open('k.elf','rb').read(); print(struct.unpack('>Q', d[0x28:0x30])[0])")
head -c "$shoff" k.elf >noshdr.elf
run "$pv" patch --vmlinux noshdr.elf --stext 0xc000000000000000 --etext 0xc000000000001000 --template-start \
	0xc000000000000010 --template-end 0xc000000000001000 --tmp 0xc000000000000018 --tmp-end 0xc000000000000ff8 \
	--end-interrupts 0xc000000000000000
check "section headers past the end of the file: libelf's reason" 2 "section headers|section .*header|truncated|no bytes"
run "$pv" patch --vmlinux noshdr.elf
check "a truncated ELF says it cannot read the section headers, not 'symbol not found'" 2 "cannot read the section headers"
# a section whose address range wraps past 2^64
python3 - k.elf wrap.elf <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
shoff, = struct.unpack('>Q', d[0x28:0x30]); shentsize, shnum = struct.unpack('>HH', d[0x3a:0x3e])
for i in range(shnum):
    o = shoff + i * shentsize
    typ, flags = struct.unpack('>IQ', d[o + 4:o + 16])
    if typ == 1 and flags & 2:  # the first PROGBITS, ALLOC section
        struct.pack_into('>Q', d, o + 16, 0xfffffffffffff000)
        break
open(sys.argv[2], 'wb').write(d)
EOF
run "$pv" patch --vmlinux wrap.elf --stext 0xfffffffffffff000 --etext 0xfffffffffffff100 --template-start \
	0xfffffffffffff010 --template-end 0xfffffffffffff100 --tmp 0xfffffffffffff018 --tmp-end 0xfffffffffffff0f8
check "a section address that wraps is refused" 2 "wraps|runs past|not a word-aligned"

# ---- options that would be ignored --------------------------------------------------
run "$pv" sweep --flavor book3s32 --seed 5
check "sweep --seed without --sample is an error" 2 "--seed"
run "$pv" patch --flavor book3s32 --image in.img --base 0x10000 --vectors-end 0x100000000
check "--vectors-end beyond a 32-bit address space is an error" 2 "vectors-end"

# ---- words and messages ---------------------------------------------------------------
run "$pv" patch --flavor book3s32 --addr 0xfffffff0 0x7c600124
check "the word form near the top takes its default area below, not blaming --area" 0 ""
run "$pv" patch --flavor book3s32 0x7c6000a6 --json
check "an option after a WORD is named as such" 2 "after the WORDs"
run "$pv" patch --flavor book3s32 "$(printf '0x7c6\n000a6')"
check "a word with a newline inside gives one line" 2 "not a 32-bit hex"

run "$pv" diff --vmlinux --help
check "diff --vmlinux --help prints help" 0 ""
grep -q "^usage: pvfuzz diff --vmlinux" <<<"$out" || fail "diff --vmlinux --help: no usage"
run "$pv" patch --vmlinux --help
check "patch --vmlinux --help prints help" 0 ""

# ---- exit codes ----------------------------------------------------------------------------
good=$src/corpus/regressions/fuzz_diff/mfsrin-index-27
bad=$src/corpus/regressions/fuzz_diff/linux-mtsrin-r31-r30
run "$pv" repro --profile linux "$bad" no/such/input
check "repro: a divergence beats a bad file (1, and the bad file named)" 1 "cannot read 'no/such/input'"
run "$pv" repro "$good" no/such/input
check "repro: a bad file without a divergence is 2" 2 "cannot read"
run "$pv" repro --profile linux no/such/input "$bad"
check "repro: every file is replayed, the bad one first" 1 "cannot read"

# ---- size limits ------------------------------------------------------------------------------
start=$SECONDS
run "$pv" patch --flavor book3s32 --image /dev/zero --base 0x10000
check "--image /dev/zero stops at the input size limit" 2 "larger than .* MiB"
[ $((SECONDS - start)) -le 20 ] || fail "--image /dev/zero took $((SECONDS - start)) s"

# ---- the scripts ------------------------------------------------------------------------------------
run "$src/scripts/fuzz.sh" --time 99999999999999999999
check "fuzz.sh --time with 20 digits" 2 "--time must be a whole number"
run "$src/scripts/minimize.sh" --runs 99999999999999999999 x
check "minimize.sh --runs with 20 digits" 2 "--runs must be a whole number"
run "$src/scripts/fuzz.sh" --targets ''
check "fuzz.sh --targets ''" 2 "--targets needs a list"
: >a-file
run "$src/scripts/kernel-mode/build.sh" --flavor all --out a-file
check "kernel-mode/build.sh --out FILE" 2 "is a file, not a directory"
[ -z "$out" ] || fail "kernel-mode/build.sh --out FILE printed '$out'"

# every script's --help is its header comment, and exits 0
for s in "$src"/scripts/*.sh "$src"/scripts/kernel-mode/build.sh; do
	run bash "$s" --help
	if [ "$rc" -ne 0 ] || [ -z "$out" ] || grep -q '^#' <<<"$out"; then
		fail "${s#"$src"/} --help: exit $rc, first line '$(head -n 1 <<<"$out")'"
	else
		ok "${s#"$src"/} --help"
	fi
done

# the fuzz targets read the environment once, before the first input, and a
# value they do not understand is a usage error, not a crash or a default
fz=$(dirname "$pv")/fuzzers
run env PVFUZZ_FLAVOR=power9 "$fz/fuzz_diff_replay" "$src/corpus/fuzz_diff"
check "a fuzz target with PVFUZZ_FLAVOR=power9" 2 "PVFUZZ_FLAVOR='power9' is not a flavor"
run env PVFUZZ_CLASS=mfxyz "$fz/fuzz_check_ins_replay" "$src/corpus/fuzz_check_ins"
check "a fuzz target with PVFUZZ_CLASS=mfxyz" 2 "PVFUZZ_CLASS='mfxyz' is not a rewrite class"
run env PVFUZZ_PROFILE=upstream "$fz/fuzz_image_replay" "$src/corpus/fuzz_image"
check "a fuzz target with PVFUZZ_PROFILE=upstream" 2 "PVFUZZ_PROFILE: unknown profile 'upstream'"
run env PVFUZZ_PROFILE=kernel:/nonexistent/pvk "$fz/fuzz_diff_replay" "$src/corpus/fuzz_diff"
check "a fuzz target with PVFUZZ_PROFILE=kernel:DIR of no build" 2 "no flavor of the kernel profile is built in /nonexistent/pvk"

if [ "$failures" -gt 0 ]; then
	echo "reliability: $failures check(s) failed" >&2
	exit 1
fi
echo "ok: reliability"
