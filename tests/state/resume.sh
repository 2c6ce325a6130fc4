#!/bin/sh
# SPDX-License-Identifier: MIT
# `ppcvirt replay --save-at LINE --state FILE` then `--resume FILE` in a new
# process must end exactly where an uninterrupted run ends: same lines,
# hcalls, mismatches (0) and checks; a resume against another input, or
# from a damaged state file, is refused with exit status 2.
#
#   resume.sh PPCVIRT INPUT PROFILE LINE [OTHER_INPUT]
set -u
ppcvirt=$1 input=$2 profile=$3 line=$4 other=${5:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() { fail=$((fail + 1)); echo "not ok - $1"; }
# The counts of the summary line, without the timing.
counts() { sed -n 's/^[^:]*: \(.*lines, .*calls checked\).*/\1/p' "$1" | tail -n 1; }

"$ppcvirt" replay -q --profile "$profile" "$input" >"$dir/full" 2>&1
full_status=$?
"$ppcvirt" replay -q --profile "$profile" --save-at "$line" \
	--state "$dir/state" "$input" >"$dir/first" 2>&1
first_status=$?
"$ppcvirt" replay -q --profile "$profile" --resume "$dir/state" "$input" \
	>"$dir/second" 2>&1
second_status=$?

[ "$full_status" = 0 ] && ok "uninterrupted run: exit 0" ||
	nok "uninterrupted run: exit $full_status"
[ "$first_status" = 0 ] && [ -s "$dir/state" ] &&
	grep -q "state after line $line saved" "$dir/first" &&
	ok "--save-at $line wrote the state" ||
	nok "--save-at $line: exit $first_status"
grep -q "resumed after line $line" "$dir/second" &&
	ok "--resume continued after line $line" ||
	nok "--resume did not say where it continued"
if [ "$second_status" = 0 ] && [ -n "$(counts "$dir/full")" ] &&
	[ "$(counts "$dir/full")" = "$(counts "$dir/second")" ]; then
	ok "same counts as the uninterrupted run: $(counts "$dir/second")"
else
	nok "resumed run: exit $second_status, '$(counts "$dir/second")'" \
		"vs '$(counts "$dir/full")'"
	cat "$dir/second"
fi
# The state file is refused when damaged: truncated, or a byte flipped.
size=$(wc -c <"$dir/state")
head -c $((size / 2)) "$dir/state" >"$dir/cut"
"$ppcvirt" replay -q --resume "$dir/cut" "$input" >"$dir/out" 2>&1
s=$?
[ "$s" = 2 ] && grep -q 'error: state: ' "$dir/out" &&
	ok "a truncated state is refused (exit 2)" ||
	nok "truncated state: exit $s: $(cat "$dir/out")"
cp "$dir/state" "$dir/flip"
printf '\377' | dd of="$dir/flip" bs=1 seek=$((size / 3)) conv=notrunc \
	2>/dev/null
"$ppcvirt" replay -q --resume "$dir/flip" "$input" >"$dir/out" 2>&1
s=$?
[ "$s" = 2 ] && grep -q 'error: state: ' "$dir/out" &&
	ok "a corrupted state is refused (exit 2)" ||
	nok "corrupted state: exit $s: $(cat "$dir/out")"
if [ -n "$other" ]; then
	"$ppcvirt" replay -q --profile "$profile" --resume "$dir/state" \
		"$other" >"$dir/out" 2>&1
	s=$?
	[ "$s" = 2 ] && grep -q 'error: ' "$dir/out" &&
		ok "resuming against another input is refused (exit 2)" ||
		nok "other input: exit $s: $(cat "$dir/out")"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
