#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds a small program against an installed ppcvirt through pkg-config
# (static and shared), and compiles every public header on its own as
# C11 -pedantic and as C++, to prove the installed tree is usable.
set -eu
prefix=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcdir=$(dirname "$(find "$prefix" -name ppcvirt.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
# The .pc file carries the configured prefix; point it at the staging tree.
cflags="-I$prefix/include"
libdir=$(dirname "$(find "$prefix" -name 'libppcvirt.so' | head -n 1)")
cat >"$tmp/use.c" <<'C'
#include <ppcvirt/ppcvirt.h>
#include <stdio.h>
int main(void)
{
	struct ppcvirt_vm *vm;
	struct ppcvirt_create_spapr_tce_64 a = {.liobn = 1, .page_shift = 12,
						.size = 16};
	if (ppcvirt_vm_create(&vm) || ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL))
		return 1;
	ppcvirt_vm_destroy(vm);
	printf("ppcvirt %s via pkg-config: ok\n", ppcvirt_version());
	return ppcvirt_check_extension(NULL, PPCVIRT_CAP_SPAPR_TCE_64) == 1 ? 0 : 1;
}
C
pkg-config --exists ppcvirt
libs=$(pkg-config --libs --static ppcvirt | sed "s|-L[^ ]*|-L$libdir|")
cc -std=c11 -Wall -Werror $cflags "$tmp/use.c" -o "$tmp/use" $libs \
	-Wl,-rpath,"$libdir"
"$tmp/use"
for h in "$prefix"/include/ppcvirt/*.h; do
	printf "#include <ppcvirt/%s>\nint ppcvirt_abi_probe;\n" "$(basename "$h")" >"$tmp/h.c"
	cc -std=c11 -pedantic -Wall -Werror $cflags -c "$tmp/h.c" -o "$tmp/h.o"
	if command -v c++ >/dev/null 2>&1; then
		cp "$tmp/h.c" "$tmp/h.cpp"
		c++ -std=c++11 -Wall -Werror $cflags -c "$tmp/h.cpp" -o "$tmp/h.o"
	fi
done
echo "public headers: standalone C11 -pedantic and C++ ok"
