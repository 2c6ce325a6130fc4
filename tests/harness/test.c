/* SPDX-License-Identifier: MIT */
/* In-house test runner; see test.h. */
#include "test.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/*
 * Per-case counters. Test threads CHECK concurrently, so they are atomic;
 * relaxed order is enough because test_main() reads them only after the
 * case returned, when its threads have been joined.
 */
static atomic_ulong cur_checks;
static atomic_ulong cur_failures;
static atomic_bool cur_skipped;

static void count_check(bool ok)
{
	atomic_fetch_add_explicit(&cur_checks, 1, memory_order_relaxed);
	if (!ok)
		atomic_fetch_add_explicit(&cur_failures, 1,
					  memory_order_relaxed);
}

bool test_check(bool ok, const char *expr, const char *file, int line)
{
	count_check(ok);
	if (!ok)
		printf("#   FAILED %s:%d: %s\n", file, line, expr);
	return ok;
}

bool test_check_u64(uint64_t got, uint64_t want, const char *expr,
		    const char *file, int line)
{
	count_check(got == want);
	if (got == want)
		return true;
	printf("#   FAILED %s:%d: %s (got 0x%" PRIx64 ", want 0x%" PRIx64 ")\n",
	       file, line, expr, got, want);
	return false;
}

bool test_check_i64(int64_t got, int64_t want, const char *expr,
		    const char *file, int line)
{
	count_check(got == want);
	if (got == want)
		return true;
	printf("#   FAILED %s:%d: %s (got %" PRId64 ", want %" PRId64 ")\n",
	       file, line, expr, got, want);
	return false;
}

void test_skip(const char *why)
{
	atomic_store_explicit(&cur_skipped, true, memory_order_relaxed);
	printf("#   skipped: %s\n", why);
}

unsigned long test_checks_made(void)
{
	return atomic_load_explicit(&cur_checks, memory_order_relaxed);
}

int test_main(const struct test_case *cases, size_t n, int argc, char **argv)
{
	unsigned passed = 0, failed = 0, skipped = 0;
	const char *only = argc > 1 ? argv[1] : NULL;
	bool found = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		unsigned long checks, failures;
		bool skip;

		if (only && strcmp(only, cases[i].name) != 0)
			continue;
		found = true;
		atomic_store(&cur_checks, 0);
		atomic_store(&cur_failures, 0);
		atomic_store(&cur_skipped, false);
		cases[i].fn();
		checks = atomic_load(&cur_checks);
		failures = atomic_load(&cur_failures);
		skip = atomic_load(&cur_skipped);
		if (!failures && !checks && !skip) {
			printf("#   no check was made\n");
			failures = 1;
		}
		if (failures) {
			failed++;
			printf("not ok %zu - %s\n", i + 1, cases[i].name);
		} else if (skip) {
			skipped++;
			printf("ok %zu - %s # SKIP\n", i + 1, cases[i].name);
		} else {
			passed++;
			printf("ok %zu - %s\n", i + 1, cases[i].name);
		}
	}
	if (only && !found) {
		printf("#   no test case named '%s'\n", only);
		failed++;
	}
	if (skipped)
		printf("%u passed, %u failed, %u skipped\n", passed, failed,
		       skipped);
	else
		printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
