/* SPDX-License-Identifier: MIT */
/* `ppcvirt bench <name> [options]`: dispatch to the benchmarks. */
#include <getopt.h>
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

void bench_opts_init(struct bench_opts *o)
{
	const char *q = getenv("PPCVIRT_BENCH_QUICK");

	o->json = CLI_JSON_NONE;
	o->quick = q && !strcmp(q, "1");
	o->quiet = false;
}

int bench_common_opt(const char *cmd, int c, struct bench_opts *o)
{
	enum cli_json_mode m;

	switch (c) {
	case 'j':
	case BENCH_OPT_JSON_LINES:
		m = c == 'j' ? CLI_JSON_DOC : CLI_JSON_LINES;
		if (o->json && o->json != m) {
			cli_usage_error(cmd, "--json and --json-lines exclude "
					     "each other");
			return -1;
		}
		o->json = m;
		return 1;
	case BENCH_OPT_QUICK:
		o->quick = true;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	default:
		return 0;
	}
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} benches[] = {
	{"hcall", bench_hcall,
	 "ns per H_PUT_TCE, H_GET_TCE, INDIRECT(512), STUFF(512) in the "
	 "engine"},
	{"dma", bench_dma,
	 "guest DMA workload (map, device copy, unmap) per tier, MB/s"},
	{"tlb", bench_tlb, "BookE TLB translate, dirty sync and writes"},
	{"migrate", bench_migrate,
	 "live migration of a DDW: downtime vs QEMU-style, bytes, load"},
};

static void usage(void)
{
	printf("usage: ppcvirt bench <name> [OPTION...]\n\n");
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		printf("  %-8s %s\n", benches[i].name, benches[i].help);
	printf("\nOptions of every benchmark: --json (one JSON document), "
	       "--json-lines (one\n"
	       "JSON object per line as results come), --quick (a smoke-sized "
	       "run whose\n"
	       "figures are noise; also PPCVIRT_BENCH_QUICK=1), --quiet (no "
	       "progress line),\n"
	       "--help. 'ppcvirt bench <name> --help' lists the others.\n"
	       "Exit status: 0, 1 when a call gave a wrong result, 2 for "
	       "usage errors.\n");
}

int cmd_bench(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name)
		return cli_usage_error("bench",
				       "no benchmark named (hcall, dma, tlb, "
				       "migrate)");
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		usage();
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(name, benches[i].name))
			return benches[i].fn(argc - 1, argv + 1);
	return cli_unknown_word("bench", "benchmark", name);
}
