#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: capabilities, the hypercall, DMA, TLB and migration
# benchmarks, the real guest traces replayed in both profiles, and the
# BookE TLB examples observed on QEMU. Any failing step makes the demo fail.
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
