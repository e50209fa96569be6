#!/usr/bin/env bash
# Sets up a Debian 12 machine (missing apt packages), builds pvfuzz in build/
# with clang-14, AddressSanitizer and UBSan, and runs the whole test suite
# through ctest with cmocka's output shown. Exits non-zero on any failure.
#
# The ctest label `kernel` (the kernel profile on every Debian kernel tree on
# the machine: linux-source-6.1, linux-source-6.12; docs/kernel-mode.md) runs
# when one is already there (the package, or a tree unpacked under
# .cache/kernel-mode); otherwise the script says why it is skipped.
#
# The ctest label `oss-fuzz` (scripts/oss-fuzz-check.sh --rows address: the
# OSS-Fuzz build checked by OSS-Fuzz's own bad_build_check and run_fuzzer)
# runs when those scripts are beside the checkout
# (../shared/vendor/oss-fuzz-base-runner); otherwise the script says why.
#
# Usage: scripts/test.sh [--build-dir DIR] [-R REGEX] [--kernel | --no-kernel]
#                        [--no-oss-fuzz]
#   -R REGEX      only the matching tests
#   --kernel      run the kernel label, installing linux-source-6.1 if missing
#   --no-kernel   skip it even when the kernel tree is present
#   --no-oss-fuzz skip the oss-fuzz label even when the scripts are there
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
. scripts/lib/apt.sh

build=build
filter=()
kernel=auto oss=auto
while [ $# -gt 0 ]; do
	case "$1" in
	--build-dir) build=${2:?--build-dir needs a value}; shift 2 ;;
	-R) filter=(-R "${2:?-R needs a regex}"); shift 2 ;;
	--kernel) kernel=yes; shift ;;
	--no-kernel) kernel=no; shift ;;
	--no-oss-fuzz) oss=no; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "scripts/test.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

ensure_packages "${PVFUZZ_BUILD_PACKAGES[@]}" "${PVFUZZ_TEST_PACKAGES[@]}"

if [ "$kernel" = auto ]; then
	if kernel_tree_present; then
		kernel=yes
	else
		kernel=no
		echo "scripts/test.sh: kernel-mode tests (ctest label kernel) skipped: neither linux-source-6.1 nor 6.12 is" \
		     "on this machine (scripts/test.sh --kernel installs it and runs them)"
	fi
elif [ "$kernel" = no ]; then
	echo "scripts/test.sh: kernel-mode tests (ctest label kernel) skipped: --no-kernel"
fi
if [ "$kernel" = yes ]; then
	ensure_packages "${PVFUZZ_KERNEL_PACKAGES[@]}"
	kernel_tree_present || ensure_packages linux-source-6.1 # --kernel on a machine without a tree
	kernel_mode=ON
else
	kernel_mode=OFF
fi

runner=${PVFUZZ_OSS_FUZZ_RUNNER:-../shared/vendor/oss-fuzz-base-runner}
oss_check=OFF
if [ "$oss" = no ]; then
	echo "scripts/test.sh: the OSS-Fuzz build check (ctest label oss-fuzz) skipped: --no-oss-fuzz"
elif [ -f "$runner/bad_build_check" ]; then
	oss_check=ON
	ensure_packages zip unzip file binutils python3 llvm-14
else
	echo "scripts/test.sh: the OSS-Fuzz build check (ctest label oss-fuzz) skipped: OSS-Fuzz's scripts are not at" \
	     "$runner (PVFUZZ_OSS_FUZZ_RUNNER=DIR)"
fi

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang-14 -DPVFUZZ_SANITIZE=ON -DPVFUZZ_LIBFUZZER=ON \
	-DPVFUZZ_KERNEL_MODE="$kernel_mode" -DPVFUZZ_OSS_FUZZ_CHECK="$oss_check"
cmake --build "$build" -j"$(nproc)"
# one test per core, the longest first (their COST): each line of -V's
# output starts with its test's number
ctest --test-dir "$build" --output-on-failure -V -j"$(nproc)" "${filter[@]}"
