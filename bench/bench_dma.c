/* SPDX-License-Identifier: MIT */
/* Placeholder until the dma benchmark lands. */
#include <stdio.h>

#include "bench.h"

int bench_dma(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ppcvirt bench dma: not available in this build\n");
	return 2;
}
