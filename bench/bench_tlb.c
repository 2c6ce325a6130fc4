/* SPDX-License-Identifier: MIT */
/* Placeholder until the tlb benchmark lands. */
#include <stdio.h>

#include "bench.h"

int bench_tlb(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ppcvirt bench tlb: not available in this build\n");
	return 2;
}
