/* SPDX-License-Identifier: MIT */
/* Benchmarks run by `ppcvirt bench <name>`; each lives in bench/<name>.c. */
#ifndef PPCVIRT_BENCH_H
#define PPCVIRT_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cli.h"

int bench_hcall(int argc, char **argv);	  /* bench/bench_hcall.c */
int bench_tlb(int argc, char **argv);	  /* bench/bench_tlb.c */
int bench_dma(int argc, char **argv);	  /* bench/bench_dma.c */
int bench_migrate(int argc, char **argv); /* bench/bench_migrate.c */

/* Options every benchmark takes (bench_main.c). */
struct bench_opts {
	enum cli_json_mode json;
	bool quick; /* --quick or PPCVIRT_BENCH_QUICK=1: smoke-sized run */
	bool quiet; /* no progress line */
};

/* getopt_long() entries and short letters of the common options. */
#define BENCH_COMMON_LOPTS                                                     \
	{"json", no_argument, NULL, 'j'},                                      \
		{"json-lines", no_argument, NULL, BENCH_OPT_JSON_LINES},       \
		{"quick", no_argument, NULL, BENCH_OPT_QUICK},                 \
		{"quiet", no_argument, NULL, 'q'},                             \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}
#define BENCH_COMMON_SHORT "jqh"
enum {
	BENCH_OPT_JSON_LINES = 256,
	BENCH_OPT_QUICK,
};

/* Start @o with its defaults (the environment's PPCVIRT_BENCH_QUICK). */
void bench_opts_init(struct bench_opts *o);
/*
 * Handle common option @c for benchmark @cmd ("bench dma"): 1 when it was
 * one, 0 when it is the benchmark's own, -1 after a usage error.
 */
int bench_common_opt(const char *cmd, int c, struct bench_opts *o);

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Median of @n doubles (sorts @v in place). */
double bench_median(double *v, int n);

#endif
