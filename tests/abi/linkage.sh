#!/bin/sh
# SPDX-License-Identifier: MIT
# What libppcvirt exports, against what its public headers declare.
#
#   linkage.sh LIBPPCVIRT.so LIBPPCVIRT.a INCLUDE_DIR GCC SONAME
#
# The declared set is what the compiler sees: every non-static function
# named ppcvirt_* that a header under INCLUDE_DIR/ppcvirt declares (gcc
# -aux-info). The shared library must export exactly that set, every
# symbol under a PPCVIRT_* version and nothing else; the static archive
# must define the same functions as its only global symbols (no pcv_*
# internals). Names missing on either side are listed.
set -u
so=$1
ar=$2
inc=$3
gcc=$4
soname=$5
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
bad() {
	fail=$((fail + 1))
	echo "not ok - $1"
	sed 's/^/#   /' "$tmp/detail"
}
# check NAME: the test passes when $tmp/detail is empty.
check() {
	if [ -s "$tmp/detail" ]; then bad "$1"; else ok "$1"; fi
}

# ---- declared -----------------------------------------------------------
for h in "$inc"/ppcvirt/*.h; do
	echo "#include <ppcvirt/$(basename "$h")>"
done >"$tmp/all.c"
if ! "$gcc" -std=c11 -I"$inc" -aux-info "$tmp/aux" -c "$tmp/all.c" \
	-o "$tmp/all.o" 2>"$tmp/detail"; then
	bad "the public headers compile"
	echo "$pass passed, $fail failed"
	exit 1
fi
# "/* FILE:LINE:NC */ extern TYPE NAME (ARGS);" for each declaration.
grep '^/\* [^ ]*/ppcvirt/[^/ ]*\.h:[0-9]*:[A-Z]* \*/ extern ' "$tmp/aux" |
	sed -n 's/^.*[ *]\(ppcvirt_[A-Za-z0-9_]*\) (.*$/\1/p' |
	sort -u >"$tmp/declared"
ndecl=$(wc -l <"$tmp/declared")
if [ "$ndecl" -lt 10 ]; then
	echo "only $ndecl declarations found in $inc/ppcvirt" >"$tmp/detail"
else
	: >"$tmp/detail"
fi
check "public headers declare the API ($ndecl functions)"

# ---- shared library -----------------------------------------------------
readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p' >"$tmp/soname"
if [ "$(cat "$tmp/soname")" = "$soname" ]; then
	: >"$tmp/detail"
else
	echo "SONAME is '$(cat "$tmp/soname")', expected '$soname'" >"$tmp/detail"
fi
check "soname is $soname"

# Defined dynamic symbols, without the version nodes themselves (ABS).
nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' >"$tmp/dyn"
sed 's/@.*//' "$tmp/dyn" | sort -u >"$tmp/exported"

comm -13 "$tmp/declared" "$tmp/exported" >"$tmp/detail"
[ -s "$tmp/detail" ] && sed -i '1i exported but declared in no public header:' "$tmp/detail"
check "the .so exports nothing the headers do not declare"

comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/detail"
[ -s "$tmp/detail" ] && sed -i '1i declared in a public header but not exported by the .so:' "$tmp/detail"
check "the .so exports every declared function"

grep -v '@@PPCVIRT_[0-9][0-9.]*$' "$tmp/dyn" >"$tmp/detail"
[ -s "$tmp/detail" ] && sed -i '1i exported without a PPCVIRT_* default version (cmake/ppcvirt.map):' "$tmp/detail"
check "every exported symbol is versioned"

# ---- static archive -----------------------------------------------------
# Global defined symbols (upper-case type letters other than U and w/v).
nm -g --defined-only "$ar" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/aglobal"
grep -v '^ppcvirt_' "$tmp/aglobal" >"$tmp/detail"
[ -s "$tmp/detail" ] && sed -i '1i global symbols of the archive outside the API (internal pcv_* must be local):' "$tmp/detail"
check "the archive's only global symbols are ppcvirt_*"

comm -13 "$tmp/declared" "$tmp/aglobal" | grep '^ppcvirt_' >"$tmp/detail"
[ -s "$tmp/detail" ] && sed -i '1i global in the archive but declared in no public header:' "$tmp/detail"
check "the archive defines nothing the headers do not declare"

comm -23 "$tmp/declared" "$tmp/aglobal" >"$tmp/detail"
[ -s "$tmp/detail" ] && sed -i '1i declared in a public header but not defined by the archive:' "$tmp/detail"
check "the archive defines every declared function"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
