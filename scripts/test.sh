#!/usr/bin/env bash
# Sets up a Debian 12 machine (missing apt packages), builds pvfuzz in build/
# with clang-14, AddressSanitizer and UBSan, and runs the whole test suite
# through ctest with cmocka's output shown. Exits non-zero on any failure.
#
# Usage: scripts/test.sh [--build-dir DIR] [-R REGEX]   (-R: only matching tests)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/apt.sh

build=build
filter=()
while [ $# -gt 0 ]; do
	case "$1" in
	--build-dir) build=${2:?--build-dir needs a value}; shift 2 ;;
	-R) filter=(-R "${2:?-R needs a regex}"); shift 2 ;;
	-h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "scripts/test.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

ensure_packages "${PVFUZZ_BUILD_PACKAGES[@]}" "${PVFUZZ_TEST_PACKAGES[@]}"

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang-14 -DPVFUZZ_SANITIZE=ON -DPVFUZZ_LIBFUZZER=ON
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -V "${filter[@]}"
