#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the VFIO rig's guest (busybox only). It loads the modules the
# initramfs carries, binds the NVMe controller to vfio-pci, runs
# /vfio_check once and powers off. Kernel command line:
#   vfiocheck=type1|iommufd   the interface vfio_check uses (default type1)
#   vfioseed=N                seed of the disk image pattern (run.sh)
#   vfiodev=VVVV:DDDD         the PCI device to bind (default 1b36:0010,
#                             QEMU's NVMe controller)
# Lines for the host start with "@@"; the rest of the console is context.
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -1; }
IOMMU=$(arg vfiocheck)
DEVID=$(arg vfiodev)
[ -n "$IOMMU" ] || IOMMU=type1
[ -n "$DEVID" ] || DEVID=1b36:0010
echo "@@GUEST kernel=$(uname -r) iommu=$IOMMU device=$DEVID"

while read -r m; do
	[ -n "$m" ] || continue
	insmod "/modules/$m.ko" || echo "@@GUEST insmod $m failed"
done </modules/load.order

finish() {
	echo "@@GUEST-DONE $1"
	sync
	poweroff -f
}

# Every such device goes to vfio-pci: the first is the one under test,
# a second one (run.sh puts it behind a PCIe-to-PCI bridge, in one IOMMU
# group with a serial card the kernel drives) shows a group not viable.
BDFS=
for d in /sys/bus/pci/devices/*; do
	id="$(sed 's/^0x//' "$d/vendor"):$(sed 's/^0x//' "$d/device")"
	grp=$(basename "$(readlink "$d/iommu_group" 2>/dev/null)")
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)")
	echo "@@PCI $(basename "$d") $id group=${grp:-none} driver=${drv:-none}"
	[ "$id" = "$DEVID" ] && BDFS="$BDFS $(basename "$d")"
done
set -- $BDFS
BDF=$1 OTHER=${2:-}
[ -n "$BDF" ] || finish "FAIL no PCI device $DEVID"

for b in $BDFS; do
	D=/sys/bus/pci/devices/$b
	[ -e "$D/driver" ] && echo "$b" >"$D/driver/unbind"
	echo vfio-pci >"$D/driver_override"
	echo "$b" >/sys/bus/pci/drivers_probe
	drv=$(basename "$(readlink "$D/driver" 2>/dev/null)")
	echo "@@BIND $b driver=${drv:-none}"
done
drv=$(basename "$(readlink "/sys/bus/pci/devices/$BDF/driver" 2>/dev/null)")
[ "$drv" = vfio-pci ] || finish "FAIL $BDF not bound to vfio-pci"
if [ "$IOMMU" = iommufd ] && [ ! -e /dev/iommu ]; then
	finish "FAIL /dev/iommu absent: kernel without CONFIG_IOMMUFD"
fi

# vfio_check prints its own @@CHECK/@@DMA/@@BLOCKED/@@PERF lines.
SEED=$(arg vfioseed)
timeout 200 /vfio_check "$IOMMU" "$BDF" "${SEED:-1}" $OTHER
rc=$?
dmesg | grep -E 'DMAR|vfio' | tail -20 | sed 's/^/@@KMSG /'
[ $rc = 0 ] && finish PASS
finish "FAIL vfio_check exit $rc"
