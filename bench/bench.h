/* SPDX-License-Identifier: MIT */
/* Benchmarks run by `ppcvirt bench <name>`; each lives in bench/<name>.c. */
#ifndef PPCVIRT_BENCH_H
#define PPCVIRT_BENCH_H

#include <stdint.h>
#include <time.h>

int bench_hcall(int argc, char **argv); /* bench/bench_hcall.c */
int bench_tlb(int argc, char **argv);	/* bench/bench_tlb.c */
int bench_dma(int argc, char **argv);	/* bench/bench_dma.c */

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Median of @n doubles (sorts @v in place). */
double bench_median(double *v, int n);

#endif
