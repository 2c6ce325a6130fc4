/* SPDX-License-Identifier: MIT */
/* `ppcvirt bench <name> [options]`: dispatch to the benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cmds.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} benches[] = {
	{"hcall", bench_hcall,
	 "H_PUT_TCE, H_PUT_TCE_INDIRECT(512), H_STUFF_TCE(512) through the "
	 "engine [--json]"},
	{"tlb", bench_tlb, "BookE TLB translate and dirty sync [--json]"},
	{"dma", bench_dma,
	 "guest DMA workload per tier [--json] [--size BYTES]"},
};

int cmd_bench(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: ppcvirt bench <name> [options]\n\n");
		for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]);
		     i++)
			printf("  %-6s %s\n", benches[i].name, benches[i].help);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(argv[1], benches[i].name))
			return benches[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ppcvirt bench: unknown benchmark '%s'\n", argv[1]);
	return 2;
}
