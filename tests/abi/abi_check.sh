#!/bin/sh
# SPDX-License-Identifier: MIT
# The ABI of libppcvirt against the committed baseline (docs/abi.md).
#
#   abi_check.sh LIBPPCVIRT.so HEADERS_DIR BASELINE_DIR VERSION
#
# BASELINE_DIR holds libppcvirt.abi.xml (abidw of the last release's
# library, public types only) and libppcvirt.abi.version (the project
# version it was taken from). abidiff compares; added functions and
# variables are compatible and ignored. Any other change (a symbol
# removed or re-versioned, a public type changed) fails, unless the
# library was bumped, all three of: the project VERSION, the soname
# (PPCVIRT_SOVERSION) and the symbol version nodes (cmake/ppcvirt.map).
#
# Exit 77 (CTest: skipped) when abidiff is not installed or the library
# has no debug information, unless PPCVIRT_ABI_REQUIRED=1 (CI), where
# that is a failure.
set -u
so=$1
hdrs=$2
dir=$3
version=$4
base=$dir/libppcvirt.abi.xml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

skip() {
	if [ "${PPCVIRT_ABI_REQUIRED:-0}" = 1 ]; then
		echo "not ok - $1 (PPCVIRT_ABI_REQUIRED=1)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "SKIPPED: $1"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
}
result() { # result OK|FAIL TEXT
	if [ "$1" = OK ]; then
		echo "ok - $2"
		echo "1 passed, 0 failed"
		exit 0
	fi
	echo "not ok - $2"
	echo "0 passed, 1 failed"
	exit 1
}

command -v abidiff >/dev/null 2>&1 ||
	skip "abidiff not installed (Debian: abigail-tools; PPCVIRT_DEPS_FULL=1 sh scripts/deps.sh)"
readelf -S "$so" | grep -q '\.debug_info' ||
	skip "$so has no debug information (build RelWithDebInfo or Debug)"
[ -s "$base" ] && [ -s "$dir/libppcvirt.abi.version" ] ||
	result FAIL "no baseline in $dir: make abi-baseline (docs/abi.md)"

abidiff --no-added-syms --drop-private-types --headers-dir2 "$hdrs" \
	"$base" "$so" >"$tmp/diff" 2>&1
rc=$?
if [ $((rc & 3)) -ne 0 ]; then
	sed 's/^/#   /' "$tmp/diff"
	result FAIL "abidiff could not compare (exit status $rc)"
fi
if [ $((rc & 12)) -eq 0 ]; then
	result OK "ABI compatible with the baseline ($(cat "$dir/libppcvirt.abi.version"))"
fi

# Something changed or went away: acceptable only with all three bumps.
head -n 60 "$tmp/diff" | sed 's/^/#   /'
n=$(wc -l <"$tmp/diff")
[ "$n" -le 60 ] || echo "#   ... ($((n - 60)) more lines of abidiff output)"
old_version=$(cat "$dir/libppcvirt.abi.version")
old_soname=$(sed -n "s/^<abi-corpus .*soname='\([^']*\)'.*/\1/p" "$base")
new_soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
sed -n "s/.*<elf-symbol .* version='\([^']*\)'.*/\1/p" "$base" |
	sort -u >"$tmp/old_nodes"
nm -D --defined-only "$so" | sed -n 's/.*@@\{0,1\}\(PPCVIRT_[0-9.]*\)$/\1/p' |
	sort -u >"$tmp/new_nodes"
missing=""
[ "$old_version" != "$version" ] || missing="$missing project VERSION ($version),"
[ "$old_soname" != "$new_soname" ] || missing="$missing soname ($new_soname),"
reused=$(comm -12 "$tmp/old_nodes" "$tmp/new_nodes" | tr '\n' ' ')
[ -z "$reused" ] || missing="$missing symbol version nodes (still $reused),"
if [ -n "$missing" ]; then
	echo "# The ABI changed incompatibly but these were not bumped:${missing%,}."
	echo "# Bump them (docs/abi.md), or undo the change."
	result FAIL "ABI compatible with the baseline ($old_version, $old_soname)"
fi
echo "# Incompatible change with a new soname ($old_soname -> $new_soname):"
echo "# refresh the baseline with make abi-baseline before the release."
result OK "ABI break declared: $old_version -> $version, $old_soname -> $new_soname"
