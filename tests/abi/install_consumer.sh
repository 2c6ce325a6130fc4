#!/bin/sh
# SPDX-License-Identifier: MIT
# An installed ppcvirt, used the way a user uses it:
#
#   install_consumer.sh SRC VERSION SOVERSION LIBDIR CC CMAKE PREFIX \
#                       [BUILD_DIR [MAN_PAGE...]]
#
# With BUILD_DIR, first installs that build to PREFIX (what `make install
# PREFIX=...` does) and checks the manual pages named (e.g. ppcvirt.1
# ppcvirt.3) were installed; without, PREFIX is an existing install.
# Then builds tests/abi/consumer.c (a VMM in miniature that checks its
# results) through pkg-config, shared and fully static, and through
# find_package(ppcvirt), ppcvirt::ppcvirt and ppcvirt::ppcvirt_static, and
# runs each. Nothing is patched: PKG_CONFIG_PATH and CMAKE_PREFIX_PATH
# point at the prefix, as a user would set them, and the .pc file and the
# CMake package must supply every path.
set -u
src=$1
version=$2
soversion=$3
libdir=$4
cc=$5
cmake=$6
prefix=$7
build=${8:-}
[ $# -ge 8 ] && shift 8 || shift $#
case $libdir in
/*) ;;
*) libdir=$prefix/$libdir ;;
esac
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
	[ -s "$tmp/log" ] && tail -n 30 "$tmp/log" | sed 's/^/#   /'
	return 0
}
# t NAME COMMAND...: one check, its output kept for the report.
t() {
	name=$1
	shift
	if "$@" >"$tmp/log" 2>&1; then ok "$name"; else bad "$name"; fi
}
needed() { # the DT_NEEDED entries of $1
	readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
links_shared() { needed "$1" | grep -qx "libppcvirt.so.$soversion"; }
links_static() { ! needed "$1" | grep -q '^libppcvirt'; }

if [ -n "$build" ]; then
	rm -rf "$prefix"
	t "install to $prefix" "$cmake" --install "$build" --prefix "$prefix"
	for page in "$@"; do
		sec=${page##*.}
		t "manual page $page installed" test -s "$prefix/share/man/man$sec/$page"
	done
	: >"$tmp/log"
	for f in "$src/README.md" "$src"/docs/*.md; do
		test -s "$prefix/share/doc/ppcvirt/$(basename "$f")" ||
			echo "missing: share/doc/ppcvirt/$(basename "$f")" >>"$tmp/log"
	done
	if [ -s "$tmp/log" ]; then bad "docs installed"; else ok "docs installed"; fi
fi

# ---- pkg-config ------------------------------------------------------------
export PKG_CONFIG_PATH="$libdir/pkgconfig"
got=$(pkg-config --variable=prefix ppcvirt 2>&1)
if [ "$got" = "$prefix" ]; then
	ok "ppcvirt.pc: prefix=$prefix"
else
	echo "prefix=$got" >"$tmp/log"
	bad "ppcvirt.pc: prefix=$prefix"
fi
t "ppcvirt.pc: version $version" test "$(pkg-config --modversion ppcvirt)" = "$version"

cflags="-std=c11 -Wall -Wextra -Werror -DEXPECT_VERSION=\"$version\""
# shellcheck disable=SC2046,SC2086
t "pkg-config: build (shared)" "$cc" $cflags "$src/tests/abi/consumer.c" \
	-o "$tmp/pc_shared" $(pkg-config --cflags --libs ppcvirt)
t "pkg-config: linked to libppcvirt.so.$soversion" links_shared "$tmp/pc_shared"
t "pkg-config: run (shared)" env LD_LIBRARY_PATH="$libdir" "$tmp/pc_shared"
# shellcheck disable=SC2046,SC2086
t "pkg-config: build (cc -static)" "$cc" -static $cflags \
	"$src/tests/abi/consumer.c" -o "$tmp/pc_static" \
	$(pkg-config --static --cflags --libs ppcvirt)
t "pkg-config: run (static)" "$tmp/pc_static"

# ---- find_package ----------------------------------------------------------
t "find_package: configure" "$cmake" -S "$src/tests/abi/find_package" \
	-B "$tmp/fp" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
	-DEXPECT_VERSION="$version"
t "find_package: build" "$cmake" --build "$tmp/fp"
t "find_package: ppcvirt::ppcvirt linked to libppcvirt.so.$soversion" \
	links_shared "$tmp/fp/use_shared"
t "find_package: run ppcvirt::ppcvirt" "$tmp/fp/use_shared"
t "find_package: ppcvirt::ppcvirt_static linked statically" \
	links_static "$tmp/fp/use_static"
t "find_package: run ppcvirt::ppcvirt_static" "$tmp/fp/use_static"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
