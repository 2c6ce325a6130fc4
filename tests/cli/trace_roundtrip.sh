#!/bin/sh
# SPDX-License-Identifier: MIT
# A trace ppcvirt writes (`replay --trace-out`, QEMU's spapr_iommu_* log
# format) replays with `ppcvirt replay` like one QEMU wrote: 0 mismatches,
# and the same hypercalls and translations as the run that wrote it (a
# script's failed RTAS calls and unchecked gets are not in a trace, as
# QEMU does not log them either).
#
#   trace_roundtrip.sh PPCVIRT INPUT PROFILE
set -u
ppcvirt=$1 input=$2 profile=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() { fail=$((fail + 1)); echo "not ok - $1"; }
# "N hcalls" and "N xlates checked" of the summary line.
counts() {
	sed -n 's/^[^:]*: [a-z]*, [0-9]* lines, \([0-9]* hcalls*\), .*, \([0-9]* xlates* checked\), .*/\1, \2/p' \
		"$1" | tail -n 1
}

"$ppcvirt" replay -q --profile "$profile" --trace-out "$dir/out.log" \
	"$input" >"$dir/first" 2>&1
s=$?
[ "$s" = 0 ] && ok "replay with --trace-out: exit 0" ||
	nok "replay with --trace-out: exit $s: $(cat "$dir/first")"
n=$(grep -c '^spapr_iommu_' "$dir/out.log" 2>/dev/null || echo 0)
[ "$n" -gt 0 ] && ok "$n trace events written" || nok "no trace events"
grep -q '^spapr_iommu_pre_save ' "$dir/out.log" &&
	ok "pre_save events at the end (window geometry)" ||
	nok "no pre_save event"
"$ppcvirt" replay -q --profile "$profile" "$dir/out.log" >"$dir/second" 2>&1
s=$?
[ "$s" = 0 ] && ok "the written trace replays: exit 0" ||
	nok "the written trace: exit $s: $(head -5 "$dir/second")"
if [ -n "$(counts "$dir/first")" ] &&
	[ "$(counts "$dir/first")" = "$(counts "$dir/second")" ]; then
	ok "same counts: $(counts "$dir/second")"
else
	nok "counts differ: '$(counts "$dir/first")' then" \
		"'$(counts "$dir/second")'"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
