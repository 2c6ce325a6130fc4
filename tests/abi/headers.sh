#!/bin/sh
# SPDX-License-Identifier: MIT
# Every public header compiles on its own, included twice, as C11
# -pedantic and as C++11, with warnings as errors: a VMM may include any
# one of them first, from C or C++, in a strict build.
#
#   headers.sh INCLUDE_DIR CC [CXX]
#
# Without CXX (no C++ compiler found) the C++ half is reported skipped.
set -u
inc=$1
cc=$2
cxx=${3:-}
pass=0
fail=0
skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for h in "$inc"/ppcvirt/*.h; do
	name=ppcvirt/$(basename "$h")
	printf '#include <%s>\n#include <%s>\nint ppcvirt_header_probe;\n' \
		"$name" "$name" >"$tmp/h.c"
	if "$cc" -std=c11 -pedantic -Wall -Wextra -Wundef -Wstrict-prototypes \
		-Werror -I"$inc" -c "$tmp/h.c" -o "$tmp/h.o" 2>"$tmp/err"; then
		pass=$((pass + 1))
		echo "ok - $name as C11"
	else
		fail=$((fail + 1))
		echo "not ok - $name as C11"
		sed 's/^/#   /' "$tmp/err"
	fi
	if [ -z "$cxx" ]; then
		skip=$((skip + 1))
		echo "ok - $name as C++11 # SKIP no C++ compiler"
		continue
	fi
	cp "$tmp/h.c" "$tmp/h.cpp"
	if "$cxx" -std=c++11 -pedantic -Wall -Wextra -Wundef -Werror \
		-I"$inc" -c "$tmp/h.cpp" -o "$tmp/h.o" 2>"$tmp/err"; then
		pass=$((pass + 1))
		echo "ok - $name as C++11"
	else
		fail=$((fail + 1))
		echo "not ok - $name as C++11"
		sed 's/^/#   /' "$tmp/err"
	fi
done
if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
	echo "not ok - no header found in $inc/ppcvirt"
	fail=1
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
