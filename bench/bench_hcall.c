/* SPDX-License-Identifier: MIT */
/* Placeholder until the hcall benchmark lands. */
#include <stdio.h>

#include "bench.h"

int bench_hcall(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ppcvirt bench hcall: not available in this build\n");
	return 2;
}
