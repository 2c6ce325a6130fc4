#!/bin/sh
# SPDX-License-Identifier: MIT
# make kvm-check: prove the KVM back end under a real kvm-hv
# (tests/rigs/kvm/README.md).
#
#   kvm-check.sh BUILD_DIR [SCRIPT.hcs]
#
# Cross-builds ppcvirt for ppc64le (static), packs it with the rig's
# programs and the suites into an initramfs, boots Debian's ppc64el kernel
# under QEMU TCG as a pseries guest with nested HV, and reads the console.
# Without SCRIPT: one line per check and a closing "N passed, N failed".
# With SCRIPT: the replay's own summary line, and its exit status.
# The console of the last run is kept in BUILD_DIR/console.log.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=$1
hcs=${2:-}
timeout=${KVM_CHECK_TIMEOUT:-900}
jobs=${JOBS:-2}
mkdir -p "$out"
out=$(cd "$out" && pwd)

eval "$(sh "$here/setup.sh")"

# ---- cross build -------------------------------------------------------
pcdir=/usr/lib/powerpc64le-linux-gnu/pkgconfig
PKG_CONFIG_LIBDIR=$pcdir cmake -S "$top" -B "$out/ppc64le" \
	-DCMAKE_C_COMPILER=powerpc64le-linux-gnu-gcc \
	-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=ppc64le \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
	-DPPCVIRT_STATIC_PROGRAMS=ON -DPPCVIRT_KVM_RIG=ON >/dev/null
PKG_CONFIG_LIBDIR=$pcdir cmake --build "$out/ppc64le" -j"$jobs" >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log"; echo "kvm-check: cross build failed" >&2; exit 1; }

# ---- initramfs ---------------------------------------------------------
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	"$root/rig/bin" "$root/rig/hcs"
cp "$KVM_BUSYBOX" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
cp "$KVM_MODDIR/kvm.ko" "$KVM_MODDIR/kvm-hv.ko" "$root/rig/"
cp "$out/ppc64le/ppcvirt" "$root/rig/ppcvirt"
if [ -n "$hcs" ]; then
	cp "$hcs" "$root/rig/one.hcs"
	sed -n 's/^# kvm-check: //p' "$hcs" | head -n 1 >"$root/rig/one.args"
	append=rig.hcs
else
	cp "$top"/tests/hcs/kvm/*.hcs "$root/rig/hcs/"
	mkdir -p "$root/rig/traces"
	cp "$top"/tests/cli/trace_small.log "$root/rig/traces/"
	for p in "$out"/ppc64le/examples/kvm_vmm "$out"/ppc64le/tests/rigs/kvm/kvm_*; do
		[ -x "$p" ] && cp "$p" "$root/rig/bin/"
	done
	append=
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out/initrd.gz"

# ---- boot --------------------------------------------------------------
log=$out/console.log
set +e
timeout -s KILL "$timeout" qemu-system-ppc64 \
	-M pseries,x-vof=on,cap-nested-hv=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off \
	-cpu POWER9 -m 2G -smp 1 -accel tcg -nographic -nodefaults \
	-serial stdio -kernel "$KVM_VMLINUX" -initrd "$out/initrd.gz" \
	-append "console=hvc0 loglevel=4 $append" </dev/null >"$log" 2>&1
qrc=$?
set -e
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

if [ -n "$hcs" ]; then
	grep -v "^@@" "$log" | grep -E "(mismatch|error|refusing|^kvm:|^ppcvirt|^/rig/one.hcs)" |
		sed "s|/rig/one.hcs|$hcs|g" || true
	rc=$(sed -n 's/^@@RC \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ -z "$rc" ]; then
		echo "kvm-check: the guest did not report (qemu exit $qrc); see $log" >&2
		exit 1
	fi
	exit "$rc"
fi

pass=0
fail=0
report() { # STATUS NAME DETAIL
	if [ "$1" = pass ]; then
		pass=$((pass + 1))
		echo "PASS $2: $3"
	else
		fail=$((fail + 1))
		echo "FAIL $2: $3"
	fi
}
grep -q '^@@INIT' "$log" && s=pass || s=fail
report $s boot "L1 kernel booted under QEMU TCG (cap-nested-hv) and ran /init"
sed -n 's/^@@CHECK //p' "$log" | while read -r name st detail; do
	echo "$st $name $detail"
done >"$out/checks"
while read -r st name detail; do
	report "$st" "$name" "$detail"
done <"$out/checks"
sed -n 's/^@@PERF //p' "$log" >"$out/perf"
if grep -qiE 'Oops: |kernel BUG at|Unable to handle kernel' "$log"; then
	report fail kernel "the L1 kernel reported an oops (see console.log)"
else
	report pass kernel "no oops in the L1 kernel"
fi
grep -q '^@@DONE' "$log" && s=pass || s=fail
report $s finished "the guest finished its run (qemu exit $qrc, limit ${timeout}s)"
[ -s "$out/perf" ] && sed 's/^/perf: /' "$out/perf"
echo "console: $log"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
