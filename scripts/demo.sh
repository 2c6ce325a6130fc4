#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: capabilities, the hypercall and DMA benchmarks, a replay of
# a real guest trace in both profiles, and the BookE TLB examples.
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
"$cli" bench dma --help >/dev/null 2>&1 && run "$cli" bench dma
"$cli" bench tlb --help >/dev/null 2>&1 && run "$cli" bench tlb
if [ -f "$shared/traces/ddw.log.xz" ]; then
	"$cli" replay --help >/dev/null 2>&1 &&
		run "$cli" replay --profile qemu "$shared"/traces/*.log.xz &&
		run "$cli" replay --profile strict "$shared/traces/ddw.log.xz"
fi
if [ -d "$shared/booke-examples" ]; then
	"$cli" tlb --help >/dev/null 2>&1 &&
		run "$cli" tlb replay "$shared"/booke-examples/*.tlbs
fi
exit $status
