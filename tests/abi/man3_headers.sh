#!/bin/sh
# SPDX-License-Identifier: MIT
# ppcvirt(3) has a paragraph for every public header, and names no header
# that does not exist: the overview keeps up with include/ppcvirt/.
#
#   man3_headers.sh INCLUDE_DIR MAN_SOURCE
set -u
inc=$1
page=$2
pass=0
fail=0
for h in "$inc"/ppcvirt/*.h; do
	name=ppcvirt/$(basename "$h")
	if grep -q "^\*<$name>\*\$" "$page"; then
		pass=$((pass + 1))
		echo "ok - <$name> has its paragraph"
	else
		fail=$((fail + 1))
		echo "not ok - <$name> has its paragraph (a line '*<$name>*' in $page)"
	fi
done
for name in $(sed -n 's/^\*<\(ppcvirt\/[^>]*\.h\)>\*$/\1/p' "$page"); do
	if [ -f "$inc/$name" ]; then
		pass=$((pass + 1))
		echo "ok - <$name> exists"
	else
		fail=$((fail + 1))
		echo "not ok - <$name> exists (the page describes a header that is gone)"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
