#!/bin/bash
# SPDX-License-Identifier: MIT
# The VFIO rig: ppcvirt's VFIO back ends against a real IOMMU and a real
# device's DMA, on any x86-64 Debian 12 machine (no /dev/kvm, no host
# device, no root needed once the packages are there).
#
# QEMU (TCG) boots a q35 guest with an emulated VT-d IOMMU and an NVMe
# controller whose disk holds a known pattern. Inside, /init binds the
# controller to vfio-pci and runs vfio_check (vfio_check.c, linked with
# this tree's libppcvirt), which links a guest TCE table to the
# controller's IOMMU group and drives NVMe DMA through it. check-trace.py
# then holds what the guest saw against QEMU's vtd_* trace.
#
#   type1    Debian 12's own kernel (linux-image-amd64), VFIO type1v2
#   iommufd  a small 6.12 kernel with CONFIG_IOMMUFD (build-kernel.sh)
#
# Usage: run.sh [--iommu type1,iommufd] [--build DIR] [--out DIR]
#               [--timeout SEC] [--kernel PATH] [--program PATH]
#   --build    the CMake build tree of ppcvirt (default: build)
#   --out      logs (default: BUILD/vfio-check); per interface OUT/<iommu>/
#              holds console.log, trace.log, qemu.log, qemu-cmd.txt and
#              check.txt
#   --kernel   boot PATH instead of the kernel the interface picks
#   --program  run PATH (static) as the guest program instead of building
#              BUILD's vfio_check
# Downloads and builds are cached in ${PPCVIRT_CACHE:-$HOME/.cache/ppcvirt}/vfio.
# Prints one line per check and "N passed, N failed"; exits 1 on failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
IOMMUS=type1,iommufd BUILD=build OUT= TIMEOUT=300 KERNEL= PROG=
while [ $# -gt 0 ]; do
	case "$1" in
	--iommu) IOMMUS=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--kernel) KERNEL=$2; shift 2 ;;
	--program) PROG=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
cd "$ROOT"
[ -n "$OUT" ] || OUT=$BUILD/vfio-check
CACHE=${PPCVIRT_CACHE:-$HOME/.cache/ppcvirt}/vfio
mkdir -p "$CACHE" "$OUT"
T0=$(date +%s)
say() { echo "[vfio-rig $(($(date +%s) - T0))s] $*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- host packages ---------------------------------------------------------
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v python3 >/dev/null || need+=(python3)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
[ -e /usr/lib/x86_64-linux-gnu/liburcu-bp.a ] || need+=(liburcu-dev)
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
# busybox-static replaces the dynamic busybox package: /bin/busybox is
# then the static one the initramfs needs.
[ -x /bin/busybox ] || die "no /bin/busybox"

# ---- the guest program, from this tree -------------------------------------
if [ -z "$PROG" ]; then
	[ -e "$BUILD/CMakeCache.txt" ] || die "$BUILD is not a configured build tree (run make)"
	cmake --build "$BUILD" --target vfio_check -j"${JOBS:-2}" >"$OUT/build.log" 2>&1 ||
		{ tail -20 "$OUT/build.log" >&2; die "building vfio_check failed"; }
	PROG=$BUILD/tests/vfio_check
fi
[ -x "$PROG" ] || die "no guest program $PROG"

# ---- guest kernels -----------------------------------------------------------
# Debian 12's kernel: the image and the VFIO modules of linux-image-amd64's
# current dependency, cached per package version.
debian_kernel() {
	local dep pkg ver dir deb
	# "Depends: linux-image-6.1.0-NN-amd64 (= VERSION)" of the candidate.
	dep=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends: \(linux-image-[0-9][^ ]*\) (= \([^)]*\)).*/\1 \2/p')
	if [ -z "$dep" ] && [ "$(id -u)" = 0 ]; then
		apt-get -qq update >/dev/null
		dep=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends: \(linux-image-[0-9][^ ]*\) (= \([^)]*\)).*/\1 \2/p')
	fi
	[ -n "$dep" ] || die "no linux-image-amd64 in the apt lists (apt-get update)"
	pkg=${dep% *} ver=${dep#* }
	dir=$CACHE/debian-$pkg-$ver
	if [ ! -s "$dir/vmlinux" ]; then
		say "downloading $pkg $ver (~70 MB)"
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp/x"
		(cd "$dir.tmp" && apt-get -qq download "$pkg=$ver" 2>&1 | grep -v unsandboxed || true)
		deb=$(ls "$dir.tmp"/*.deb 2>/dev/null | head -1)
		[ -n "$deb" ] || die "apt-get download $pkg=$ver gave no package"
		# The image and what vfio-pci and type1 need (irqbypass is in virt/).
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp/x" --wildcards \
			'./boot/vmlinuz-*' '*/kernel/drivers/vfio/*' '*/kernel/virt/*'
		rm -f "$deb"
		# QEMU boots the uncompressed ELF through its PVH note: under TCG
		# that saves the bzImage decompressor's seconds.
		python3 - "$dir.tmp"/x/boot/vmlinuz-* "$dir.tmp/vmlinux" <<'PY'
import lzma, subprocess, sys
blob = open(sys.argv[1], "rb").read()
at = blob.find(b"\xfd7zXZ\x00")
if at >= 0:
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob[at:])
else:
    at = blob.find(b"\x28\xb5\x2f\xfd")
    elf = subprocess.run(["zstd", "-dcq"], input=blob[at:], capture_output=True).stdout
if elf[:4] != b"\x7fELF":
    sys.exit("no ELF kernel inside " + sys.argv[1])
open(sys.argv[2], "wb").write(elf)
PY
		mv "$dir.tmp" "$dir"
	fi
	KIMG=$dir/vmlinux
	MODDIR=$(ls -d "$dir"/x/lib/modules/* "$dir"/x/usr/lib/modules/* 2>/dev/null | head -1)
	MODULES=(vfio_pci vfio_iommu_type1)
}

# ---- the disk: a pattern vfio_check recomputes -------------------------------
SEED=$(((T0 % 100000) + 1))
make_disk() {
	python3 - "$1" "$SEED" <<'PY'
import struct, sys
M = (1 << 64) - 1
def word(seed, i):  # splitmix64 of (seed << 32) ^ i, as vfio_check.c
    z = (((seed << 32) ^ i) + 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)
seed = int(sys.argv[2])
with open(sys.argv[1], "wb") as f:
    f.write(b"".join(struct.pack("<Q", word(seed, i)) for i in range(4 << 20 >> 3)))
PY
}

run_one() {
	local iommu=$1 dir=$OUT/$1 rc qrc bios=() kargs
	rm -rf "$dir"
	mkdir -p "$dir"
	KIMG= MODDIR= MODULES=()
	case $iommu in
	type1) debian_kernel ;;
	iommufd) KIMG=$(JOBS=${JOBS:-2} "$HERE/build-kernel.sh" | tail -1) ||
		die "building the iommufd kernel failed" ;;
	*) die "unknown interface $iommu" ;;
	esac
	[ -z "$KERNEL" ] || KIMG=$KERNEL
	say "$iommu: kernel $KIMG"
	make_disk "$dir/disk.img"
	python3 "$HERE/mkinitramfs.py" ${MODDIR:+--modules-dir "$MODDIR"} \
		--busybox /bin/busybox --init "$HERE/guest-init.sh" --out "$dir/initrd.gz" \
		--file "$PROG:/vfio_check:755" "${MODULES[@]}" 2>"$dir/initramfs.log" ||
		{ cat "$dir/initramfs.log" >&2; die "initramfs"; }
	printf '%s\n' vtd_dmar_translate vtd_dmar_fault vtd_inv_desc_iotlb_pages \
		vtd_inv_desc_iotlb_domain vtd_inv_desc_iotlb_global >"$dir/events"
	# qboot, not SeaBIOS: SeaBIOS's own NVMe driver would add DMA to the trace.
	[ -e /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
	kargs="console=ttyS0 intel_iommu=on no_timer_check panic=-1 quiet vfiocheck=$iommu vfioseed=$SEED"
	local qemu=(qemu-system-x86_64 -accel tcg -cpu max "${bios[@]}"
		-M q35,kernel-irqchip=split -m 1024 -smp 1 -nodefaults -display none
		-no-reboot -monitor none -serial "file:$dir/console.log"
		-device intel-iommu,intremap=on,caching-mode=on
		-drive "file=$dir/disk.img,if=none,format=raw,id=d0"
		-device nvme,serial=ppcvirt0,drive=d0
		-device pcie-pci-bridge,id=br0
		-device nvme,bus=br0,addr=1,serial=ppcvirt1
		-chardev null,id=nul0 -device pci-serial,bus=br0,addr=2,chardev=nul0
		-kernel "$KIMG" -initrd "$dir/initrd.gz" -append "$kargs"
		-trace "events=$dir/events,file=$dir/trace.log")
	printf '%q ' timeout --kill-after=10 "$TIMEOUT" "${qemu[@]}" >"$dir/qemu-cmd.txt"
	echo >>"$dir/qemu-cmd.txt"
	say "$iommu: booting (TCG, timeout ${TIMEOUT}s)"
	local b0=$(date +%s)
	set +e
	timeout --kill-after=10 "$TIMEOUT" "${qemu[@]}" </dev/null >"$dir/qemu.log" 2>&1
	qrc=$?
	set -e
	say "$iommu: qemu exit $qrc after $(($(date +%s) - b0))s"
	rm -f "$dir/disk.img"
	set +e
	python3 "$HERE/check-trace.py" --label "$iommu" "$dir/console.log" \
		"$dir/trace.log" >"$dir/check.txt"
	rc=$?
	set -e
	if [ $qrc != 0 ]; then
		echo "CHECK $iommu:qemu FAIL exit status $qrc$([ $qrc = 124 ] && echo ' (timeout)')" >>"$dir/check.txt"
		rc=1
	fi
	negative_control "$iommu" "$dir" || rc=1
	return $rc
}

# The trace checker must be able to fail: the same logs with the first
# landed DMA's page moved by 4 KiB and the first blocked IOVA moved by
# 4 KiB must give exactly those two trace checks as FAIL.
negative_control() {
	local iommu=$1 dir=$2 fails
	grep -aq '@@DMA ' "$dir/console.log" && grep -aq '@@BLOCKED ' "$dir/console.log" ||
		{ echo "CHECK $iommu:trace-negative FAIL no @@DMA/@@BLOCKED lines to alter" >>"$dir/check.txt"; return 1; }
	python3 - "$dir/console.log" "$dir/console.altered" <<'PY'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bump = lambda m: m.group(1) + hex(int(m.group(2), 16) + 0x1000)
text = re.sub(r"(@@DMA iova=0x[0-9a-f]+ gpa=)(0x[0-9a-f]+)", bump, text, count=1)
text = re.sub(r"(@@BLOCKED iova=)(0x[0-9a-f]+)", bump, text, count=1)
open(sys.argv[2], "w").write(text)
PY
	fails=$(python3 "$HERE/check-trace.py" "$dir/console.altered" "$dir/trace.log" |
		grep -c '^CHECK trace-[^ ]* FAIL' || true)
	rm -f "$dir/console.altered"
	if [ "$fails" = 2 ]; then
		echo "CHECK $iommu:trace-negative PASS a moved gpa and a moved blocked IOVA are caught (2 failures)" >>"$dir/check.txt"
		return 0
	fi
	echo "CHECK $iommu:trace-negative FAIL altered logs gave $fails trace failures, want 2" >>"$dir/check.txt"
	return 1
}

total_pass=0 total_fail=0
for iommu in ${IOMMUS//,/ }; do
	run_one "$iommu" || true
	check=$OUT/$iommu/check.txt
	grep -v '^[0-9]* passed, [0-9]* failed$' "$check" || true
	p=$(grep -c '^CHECK [^ ]* PASS' "$check" || true)
	f=$(grep -c '^CHECK [^ ]* FAIL' "$check" || true)
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	[ $((p + f)) -gt 0 ] || total_fail=$((total_fail + 1))
done
# The measurements, one line per interface (TCG: compare ratios, not times).
for iommu in ${IOMMUS//,/ }; do
	python3 - "$iommu" "$OUT/$iommu/check.txt" <<'PY'
import sys
kv = {}
for line in open(sys.argv[2], errors="replace"):
    f = line.split()
    if len(f) > 2 and f[0] == "PERF":
        name = f[1].split(":", 1)[-1]
        for x in f[2:]:
            if "=" in x:
                k, v = x.split("=", 1)
                kv[name + "." + k] = v
g = lambda k: kv.get(k, "?")
print("PERF-SUMMARY %s: map+unmap ppcvirt/direct %s (of minimums %s; target <= 1.2), "
      "INDIRECT(512) of contiguous pages %s map call(s), DDW direct map of %s MiB: "
      "%s mappings (dma_entry_limit %s)"
      % (sys.argv[1], g("map_unmap.ratio"), g("map_unmap.ratio_of_minimums"),
         g("indirect512.map_calls"), g("ddw_direct.ram_mib"), g("ddw_direct.mappings"),
         g("ddw_direct.dma_entry_limit")))
PY
done
say "logs: $OUT/<iommu>/{console.log,trace.log,qemu.log,check.txt}"
echo "$total_pass passed, $total_fail failed"
[ $total_fail = 0 ]
