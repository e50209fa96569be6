# Sourced by the scripts: install Debian packages that are missing, the package
# lists, and whether the Debian kernel tree is here. Usage: ensure_packages PKG...
ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "pvfuzz: installing ${missing[*]}" >&2
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "pvfuzz: need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
		sudo=(sudo)
	fi
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What every build of pvfuzz needs (see README.md, "Dependencies").
PVFUZZ_BUILD_PACKAGES=(cmake make patch clang-14 libclang-rt-14-dev libcapstone-dev libcmocka-dev
	binutils-powerpc-linux-gnu binutils-powerpc64-linux-gnu libelf-dev)

# What the test suite needs beyond a build: PyYAML for the CI-file test
# (tests/test_workflows.py); llvm-symbolizer (llvm-14) for symbolized
# sanitizer stacks, which the crash-identity test reads.
PVFUZZ_TEST_PACKAGES=(python3-yaml llvm-14)

# What the kernel profile needs to build a kernel tree's PV patch code
# (scripts/kernel-mode/build.sh; Debian's trees themselves are linux-source-6.1
# and linux-source-6.12).
PVFUZZ_KERNEL_PACKAGES=(make bc bison flex xz-utils gcc-powerpc-linux-gnu gcc-powerpc64-linux-gnu
	binutils-powerpc-linux-gnu binutils-powerpc64-linux-gnu)

# Whether one of Debian's Linux trees (6.1, 6.12) is on this machine (the package's tarball,
# or the tree scripts/kernel-mode/build.sh unpacked into the checkout's
# .cache): scripts/test.sh and scripts/coverage.sh then run the ctest label
# `kernel`. Run from the top of the checkout.
kernel_tree_present() {
	local p
	for p in linux-source-6.1 linux-source-6.12; do
		ls /usr/src/"$p".tar.* >/dev/null 2>&1 || [ -f .cache/kernel-mode/"$p"/.pvfuzz-unpacked ] && return 0
	done
	return 1
}
