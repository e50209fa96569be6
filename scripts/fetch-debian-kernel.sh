#!/usr/bin/env bash
# Downloads the newest Debian 12 ppc64el kernel image package for Linux 6.1
# (linux-image-6.1.0-<N>-powerpc64le) and unpacks its vmlinux: an ELF with
# symbols, CONFIG_KVM_GUEST=y and CONFIG_RELOCATABLE=y. Prints the path of the
# vmlinux on stdout (progress goes to stderr).
#
# apt runs with a private state and sources directory under the cache that
# names the ppc64el architecture; the system's own apt configuration, lists
# and dpkg database are not touched. The mirror is the one the system's
# sources use for Debian (deb.debian.org when none is found).
#
# Usage: scripts/fetch-debian-kernel.sh [--cache DIR] [--refresh]
#   --cache DIR   where to keep apt state, the package and the vmlinux
#                 (default: $PVFUZZ_KERNEL_CACHE, else .cache/debian-kernel in the checkout)
#   --refresh     ask apt for the newest version again even if one is unpacked
# The cache's `vmlinux` symlink points at the unpacked kernel; the ctest label
# `vmlinux` and scripts/bench.sh look for it there.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/usage.sh
cache=${PVFUZZ_KERNEL_CACHE:-$PWD/.cache/debian-kernel}
refresh=0
die() { echo "scripts/fetch-debian-kernel.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--cache) cache=${2:-}; [ -n "$cache" ] || die "--cache needs a directory"; shift 2 ;;
	--refresh) refresh=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

if [ "$refresh" = 0 ] && [ -e "$cache/vmlinux" ]; then
	echo "fetch-debian-kernel: already unpacked ($(readlink "$cache/vmlinux"))" >&2
	readlink -f "$cache/vmlinux"
	exit 0
fi
command -v apt-get >/dev/null || die "apt-get not found: this script needs Debian's apt"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

# the Debian mirror of the system's sources (deb822 or one-line format)
mirror=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 | tr -d ' ') || true
mirror=${mirror%/}
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
security=${mirror%/debian}/debian-security
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring not found: apt-get install debian-archive-keyring"

apt_dir=$cache/apt
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/preferences.d" "$apt_dir/apt.conf.d" "$apt_dir/lists/partial" \
	"$apt_dir/archives/partial" "$apt_dir/cache"
touch "$apt_dir/status"
cat >"$apt_dir/sources.list.d/debian-ppc64el.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Architectures: ppc64el
Signed-By: $keyring

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Architectures: ppc64el
Signed-By: $keyring
SOURCES
apt_opts=(
	-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir/sources.list.d"
	-o Dir::Etc::Parts="$apt_dir/apt.conf.d" -o Dir::Etc::Preferences=/dev/null
	-o Dir::Etc::PreferencesParts="$apt_dir/preferences.d"
	-o Dir::State::Lists="$apt_dir/lists" -o Dir::State::status="$apt_dir/status"
	-o Dir::Cache="$apt_dir/cache" -o Dir::Cache::archives="$apt_dir/archives"
	-o APT::Architecture=ppc64el -o APT::Architectures::=ppc64el -o Debug::NoLocking=1
	-o APT::Sandbox::User=root
)

echo "fetch-debian-kernel: reading the ppc64el package lists from $mirror (private apt state in $apt_dir)" >&2
# A suite whose index fails (a mirror mid-sync) is reported and skipped; the
# others still count.
if ! apt-get "${apt_opts[@]}" -q update >"$apt_dir/update.log" 2>&1; then
	grep -E '^(E|W):' "$apt_dir/update.log" | sed 's/^/fetch-debian-kernel: apt: /' >&2 || true
fi
pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-image-6.1.0- 2>/dev/null | grep -E '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' |
	sort -V | tail -n 1) || true
[ -n "$pkg" ] || die "no linux-image-6.1.0-*-powerpc64le package in the lists (log: $apt_dir/update.log)"
version=$(apt-cache "${apt_opts[@]}" policy "$pkg" | awk '/Candidate:/ { print $2 }')
echo "fetch-debian-kernel: newest is $pkg $version" >&2

cd "$cache"
deb=$(ls "${pkg}_"*_ppc64el.deb 2>/dev/null | head -n 1) || true
if [ -z "$deb" ]; then
	apt-get "${apt_opts[@]}" -q download "$pkg" >&2 || die "apt-get download $pkg failed"
	deb=$(ls "${pkg}_"*_ppc64el.deb | head -n 1)
fi
kver=${pkg#linux-image-}
rm -rf "unpacked/$kver"
mkdir -p "unpacked/$kver"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "unpacked/$kver" ./boot
vm="unpacked/$kver/boot/vmlinux-$kver"
[ -f "$vm" ] || die "$deb has no boot/vmlinux-$kver"
ln -sfn "$vm" vmlinux
echo "fetch-debian-kernel: unpacked $vm ($(stat -c %s "$vm") bytes)" >&2
readlink -f vmlinux
