#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target of a -DPPCVIRT_FUZZ=ON build for a fixed time,
# starting from its checked-in corpus (copied, so the tree stays clean).
set -eu
build=$1
seconds=${2:-30}
status=0
for bin in "$build"/tests/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	corpus=$(mktemp -d)
	cp -r "tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
	echo "fuzz: $name for ${seconds}s"
	if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 \
		-print_final_stats=0 "$corpus" >"$build/$name.log" 2>&1; then
		echo "fuzz: $name FAILED; tail of its log:"
		tail -n 40 "$build/$name.log"
		status=1
	else
		grep -E '^#[0-9]+.*DONE' "$build/$name.log" | tail -n 1 || true
	fi
	rm -rf "$corpus"
done
exit $status
