#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the iommufd-capable guest kernel of the VFIO rig (run.sh --kernel
# iommufd) and print the path of its bzImage on the last line of stdout.
#
# Source: Debian's linux-source-6.12 from bookworm-backports, downloaded
# with apt-get through a private apt state under the cache (the host's
# /etc/apt and package lists are left alone). Config: `make tinyconfig`
# plus kernel-iommufd.config. About 5-7 minutes on 2 cores, once: the
# result is cached under ${PPCVIRT_CACHE:-$HOME/.cache/ppcvirt}/vfio/,
# keyed by the fragment and the source package version, and reused.
#
# Usage: build-kernel.sh [--print-path]
#   --print-path  only print where the cached bzImage is (or would be),
#                 building nothing (needs the private package lists)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${PPCVIRT_CACHE:-$HOME/.cache/ppcvirt}/vfio
SUITE=bookworm-backports
PKG=linux-source-6.12
FRAGMENT=$HERE/kernel-iommufd.config
T0=$(date +%s)
say() { echo "[build-kernel $(($(date +%s) - T0))s] $*" >&2; }
die() { say "error: $*"; exit 1; }

mkdir -p "$CACHE"
APT=$CACHE/apt-$SUITE
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
echo "deb http://deb.debian.org/debian $SUITE main" >"$APT/sources.list"
APT_OPTS=(-o Dir::Etc::sourcelist="$APT/sources.list"
	-o Dir::Etc::sourceparts=/nonexistent
	-o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache"
	-o APT::Architectures=amd64 -o APT::Sandbox::User=root)

# The version decides the cache key; refresh the private lists when they
# are missing or older than a week.
if [ -z "$(find "$APT/lists" -maxdepth 1 -name '*Packages*' -mtime -7 2>/dev/null)" ]; then
	say "apt-get update ($SUITE, private lists)"
	if ! apt-get "${APT_OPTS[@]}" -qq update >/dev/null; then
		# Old lists still name a version; no lists at all name none.
		[ -n "$(find "$APT/lists" -maxdepth 1 -name '*Packages*' 2>/dev/null)" ] ||
			die "apt-get update failed"
		say "warning: apt-get update failed, using the lists already here"
	fi
fi
VER=$(apt-cache "${APT_OPTS[@]}" show "$PKG" 2>/dev/null |
	awk '/^Version:/ { print $2; exit }')
[ -n "$VER" ] || die "$PKG not found in $SUITE"
KEY=$({ echo "$PKG $VER"; cat "$FRAGMENT"; } | sha256sum | cut -c1-16)
OUT=$CACHE/kernel-iommufd-$KEY
if [ "${1:-}" = --print-path ]; then
	echo "$OUT/bzImage"
	exit 0
fi
if [ -s "$OUT/bzImage" ]; then
	say "cached: $PKG $VER + fragment ($KEY)"
	echo "$OUT/bzImage"
	exit 0
fi

# Build dependencies (root installs them; otherwise they must be there).
need=()
for p in make gcc flex bison bc libelf-dev libssl-dev xz-utils; do
	dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${need[*]} (run as root)"
	say "apt-get install ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
		"${need[@]}" >/dev/null ||
		{ apt-get -qq update >/dev/null &&
			apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
				--no-install-recommends "${need[@]}" >/dev/null; }
fi

# The source tree, unpacked once per package version.
SRC=$CACHE/$PKG-$VER
if [ ! -e "$SRC/linux/Makefile" ]; then
	say "downloading $PKG $VER (~150 MB)"
	rm -rf "$SRC"
	mkdir -p "$SRC/dl"
	(cd "$SRC/dl" && apt-get "${APT_OPTS[@]}" -qq download "$PKG=$VER" 2>&1 |
		grep -v unsandboxed || true)
	deb=$(ls "$SRC"/dl/*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || die "apt-get download $PKG=$VER gave no package"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$SRC/dl" --wildcards './usr/src/*.tar.xz'
	say "unpacking the kernel tree"
	mkdir -p "$SRC/linux.tmp"
	tar -xJf "$SRC"/dl/usr/src/$PKG.tar.xz -C "$SRC/linux.tmp" --strip-components=1
	rm -rf "$SRC/dl"
	mv "$SRC/linux.tmp" "$SRC/linux"
fi

cd "$SRC/linux"
make -s tinyconfig >/dev/null
./scripts/kconfig/merge_config.sh -m .config "$FRAGMENT" >/dev/null
make -s olddefconfig
for opt in IOMMUFD VFIO VFIO_PCI VFIO_DEVICE_CDEV VFIO_IOMMU_TYPE1 INTEL_IOMMU \
	IRQ_REMAP PVH MEMFD_CREATE PROC_PAGE_MONITOR BLK_DEV_INITRD; do
	grep -q "^CONFIG_$opt=y" .config || die "CONFIG_$opt is not enabled"
done
JOBS=${JOBS:-$(nproc)}
say "make -j$JOBS bzImage (log: $SRC/build.log)"
if ! make -j"$JOBS" bzImage >"$SRC/build.log" 2>&1; then
	tail -30 "$SRC/build.log" >&2
	die "kernel build failed"
fi
mkdir -p "$OUT.tmp"
cp arch/x86/boot/bzImage .config "$OUT.tmp/"
cp "$FRAGMENT" "$OUT.tmp/kernel-iommufd.config"
echo "$PKG $VER $(make -s kernelrelease)" >"$OUT.tmp/VERSION"
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
say "built $(cat "$OUT/VERSION")"
echo "$OUT/bzImage"
