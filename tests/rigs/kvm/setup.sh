#!/bin/sh
# SPDX-License-Identifier: MIT
# Host side of the nested-KVM rig (tests/rigs/kvm/README.md): installs the
# Debian packages it needs when missing (as root), and fetches the ppc64el
# guest parts into a cache outside the clone, keyed by package version:
#   ${PPCVIRT_CACHE:-$HOME/.cache/ppcvirt}/kvm/<package>_<version>/
# It prints three lines for the caller to eval:
#   KVM_VMLINUX=... KVM_MODDIR=... KVM_BUSYBOX=...
set -eu
cache=${PPCVIRT_CACHE:-$HOME/.cache/ppcvirt}/kvm
arch=ppc64el

have() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

need=""
have qemu-system-ppc64 || need="$need qemu-system-ppc"
have powerpc64le-linux-gnu-gcc || need="$need gcc-powerpc64le-linux-gnu"
have cpio || need="$need cpio"
have xz || need="$need xz-utils"
have cmake || need="$need cmake"
have pkg-config || need="$need pkg-config"
foreign=""
for p in libc6-dev liburcu-dev liblzma-dev libjson-c-dev; do
	have_pkg "$p:$arch" || foreign="$foreign $p:$arch"
done
if [ -n "$need$foreign" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "kvm rig: missing Debian packages:$need$foreign (run as root to install)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		dpkg --add-architecture "$arch"
	fi
	echo "kvm rig: installing$need$foreign" >&2
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $need $foreign >/dev/null
fi

# The guest kernel: whatever linux-image-powerpc64le points at now.
if ! apt-cache show linux-image-powerpc64le:$arch >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || { echo "kvm rig: apt has no $arch lists (run as root once)" >&2; exit 1; }
	dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch"
	apt-get update -qq
fi
kpkg=$(apt-cache depends linux-image-powerpc64le:$arch 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
[ -n "$kpkg" ] || { echo "kvm rig: cannot resolve the $arch kernel package" >&2; exit 1; }

# fetch PKG: download PKG:arch (candidate version) and unpack it into the
# cache once; prints the directory.
fetch() {
	ver=$(apt-cache policy "$1:$arch" | sed -n 's/^ *Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
		{ echo "kvm rig: no candidate for $1:$arch" >&2; exit 1; }
	dir="$cache/$1_$(echo "$ver" | tr ':~' '__')"
	if [ ! -f "$dir/.done" ]; then
		tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$1:$arch=$ver" >/dev/null) ||
			{ rm -rf "$tmp"; echo "kvm rig: cannot download $1:$arch=$ver" >&2; exit 1; }
		dpkg-deb -x "$tmp"/*.deb "$tmp/root"
		rm -rf "$dir"
		mkdir -p "$dir"
		"$2" "$tmp/root" "$dir"
		rm -rf "$tmp"
		touch "$dir/.done"
	fi
	echo "$dir"
}

# Keep only what the rig boots: vmlinux and the KVM modules (unpacked).
keep_kernel() {
	cp "$1"/boot/vmlinux-* "$2/vmlinux"
	for m in kvm kvm-hv; do
		f=$(find "$1/lib/modules" -name "$m.ko*" | head -n 1)
		[ -n "$f" ] || { echo "kvm rig: $m.ko not in the kernel package" >&2; exit 1; }
		case "$f" in
		*.xz) xz -dc "$f" >"$2/$m.ko" ;;
		*) cp "$f" "$2/$m.ko" ;;
		esac
	done
	ls "$1/lib/modules" >"$2/version"
}

keep_busybox() {
	cp "$1/bin/busybox" "$2/busybox"
}

mkdir -p "$cache"
kdir=$(fetch "$kpkg" keep_kernel)
bdir=$(fetch busybox-static keep_busybox)
echo "KVM_VMLINUX=$kdir/vmlinux"
echo "KVM_MODDIR=$kdir"
echo "KVM_BUSYBOX=$bdir/busybox"
