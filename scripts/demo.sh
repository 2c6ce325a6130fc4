#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: capabilities, the hypercall, DMA, TLB and migration
# benchmarks, the real guest traces replayed in both profiles, one of them
# checkpointed and resumed in a second process, and the BookE TLB
# examples observed on QEMU. Any failing step makes the demo fail.
set -u
cli=$1
shared=${2:-../shared}
status=0
run() {
	echo "\$ $*"
	"$@" || status=1
	echo
}
run "$cli" version
run "$cli" caps
run "$cli" bench hcall
run "$cli" bench dma
run "$cli" bench tlb
run "$cli" bench migrate
if [ -d "$shared/traces" ]; then
	run "$cli" replay --profile qemu "$shared"/traces/*.log.xz
	run "$cli" replay --profile strict "$shared"/traces/*.log.xz
	# Checkpoint/restore (docs/migration.md): the first trace with a
	# checkpoint every 97 hypercalls (save, destroy the VM, load into a
	# fresh one), then saved at line 5000, inspected, and resumed by a
	# new process, which must end with the uninterrupted run's counts.
	set -- "$shared"/traces/*.log.xz
	tmp=$(mktemp -d)
	run "$cli" replay --profile qemu --checkpoint-every 97 "$1"
	run "$cli" replay --profile qemu --save-at 5000 \
		--state "$tmp/demo.pcvstate" "$1"
	run "$cli" state info "$tmp/demo.pcvstate"
	run "$cli" replay --profile qemu --resume "$tmp/demo.pcvstate" "$1"
	rm -rf "$tmp"
else
	echo "($shared/traces not found: trace replays skipped)"
fi
run "$cli" replay tests/hcs/*.hcs
if [ -d "$shared/booke-examples" ]; then
	for f in "$shared"/booke-examples/*.tlbs; do
		run "$cli" tlb replay "$f"
	done
fi
exit $status
