#!/bin/sh
# SPDX-License-Identifier: MIT
# Replay demo: every shared QEMU trace in both profiles (with lines/s), the
# .hcs suites, and one deliberately broken script to show a mismatch
# report. Usage: scripts/demo-replay.sh [path/to/ppcvirt] [path/to/shared]
set -u
cli=${1:-build/ppcvirt}
shared=${2:-../shared}
here=$(dirname "$0")/..
status=0
run() {
	echo "\$ $*"
	"$@" || status=1
	echo
}
if [ -d "$shared/traces" ]; then
	for p in qemu strict; do
		run "$cli" replay --profile "$p" "$shared"/traces/*.log.xz
	done
	run "$cli" replay --json --profile qemu "$shared"/traces/*.log.xz
fi
run "$cli" replay "$here"/tests/hcs/*.hcs
echo "\$ $cli replay $here/tests/hcs/bad/mismatch.hcs   # expected to fail"
"$cli" replay "$here"/tests/hcs/bad/mismatch.hcs && status=1
exit $status
