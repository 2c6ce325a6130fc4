#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the KVM rig's L1 guest (busybox only; tests/rigs/kvm/README.md).
# It loads kvm and kvm-hv, then either runs the suites (every program and
# script under /rig, reporting "@@CHECK name pass|fail detail" lines) or,
# with "rig.hcs" on the kernel command line, replays /rig/one.hcs and
# reports its exit status as "@@RC n". "@@DONE" ends a run that finished.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
echo "@@INIT $(cut -d' ' -f1 /proc/uptime)"

check() { echo "@@CHECK $1 $2 $3"; }

ok=pass
out=$(insmod /rig/kvm.ko 2>&1) || { ok=fail; echo "insmod kvm: $out"; }
if [ ! -f /rig/one.hcs ]; then
	# kvm.ko alone: /dev/kvm exists and answers capabilities, but no VM
	# can be made. The replay must say so and exit 2.
	out=$(/rig/ppcvirt replay --backend kvm /rig/hcs/kvm_basic.hcs 2>&1)
	rc=$?
	echo "$out"
	[ $rc = 2 ] && echo "$out" | grep -q 'cannot create a VM' && r=pass || r=fail
	check no-kvm-hv $r "kvm.ko without kvm_hv: replay exit status $rc"
fi
out=$(insmod /rig/kvm-hv.ko 2>&1) || { ok=fail; echo "insmod kvm-hv: $out"; }
if [ $ok = pass ] && [ -c /dev/kvm ]; then
	check modules pass "kvm and kvm-hv loaded, /dev/kvm present"
else
	check modules fail "insmod or /dev/kvm failed"
	dmesg | tail -20
fi

if grep -q 'rig\.hcs' /proc/cmdline; then
	/rig/ppcvirt replay --backend kvm $(cat /rig/one.args 2>/dev/null) /rig/one.hcs
	echo "@@RC $?"
else
	for f in /rig/hcs/*.hcs; do
		name=$(basename "$f" .hcs)
		# A script may ask for replay options: "# kvm-check: ARGS".
		args=$(sed -n 's/^# kvm-check: //p' "$f" | head -n 1)
		out=$(/rig/ppcvirt replay --backend kvm $args "$f" 2>&1)
		rc=$?
		echo "$out"
		if [ $rc = 0 ]; then
			check "hcs/$name" pass "$(echo "$out" | grep -o "[0-9]* mismatches" | tail -n 1)"
		else
			check "hcs/$name" fail "exit status $rc"
		fi
		# Scripts that must exit to ppcvirt say how often: "# kvm-exits: N".
		want=$(sed -n 's/^# kvm-exits: //p' "$f" | head -n 1)
		if [ -n "$want" ]; then
			got=$(echo "$out" | sed -n 's/^kvm: .* \([0-9]*\) exits .*/\1/p')
			[ "$got" = "$want" ] && r=pass || r=fail
			check "hcs/$name/exits" $r "exits $got, expected $want"
		fi
	done
	# QEMU traces: translations (xlate) read the kernel's table.
	for f in /rig/traces/*.log; do
		out=$(/rig/ppcvirt replay --backend kvm --profile qemu "$f" 2>&1)
		rc=$?
		echo "$out"
		[ $rc = 0 ] && r=pass || r=fail
		check "trace/$(basename "$f" .log)" $r "exit status $rc, $(echo "$out" | grep -o "[0-9]* xlates checked" | tail -n 1)"
	done
	for p in /rig/bin/*; do
		[ -x "$p" ] && "$p"
	done
fi
dmesg | grep -E 'Oops: |kernel BUG at|WARNING: CPU' | head -5
echo "@@DONE"
sync
poweroff -f
