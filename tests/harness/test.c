/* SPDX-License-Identifier: MIT */
/* In-house test runner; see test.h. */
#include "test.h"

#include <stdio.h>
#include <string.h>

static unsigned cur_failures;
static bool cur_skipped;

bool test_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		cur_failures++;
		printf("#   FAILED %s:%d: %s\n", file, line, expr);
	}
	return ok;
}

bool test_check_u64(uint64_t got, uint64_t want, const char *expr,
		    const char *file, int line)
{
	if (got == want)
		return true;
	cur_failures++;
	printf("#   FAILED %s:%d: %s (got 0x%" PRIx64 ", want 0x%" PRIx64 ")\n",
	       file, line, expr, got, want);
	return false;
}

bool test_check_i64(int64_t got, int64_t want, const char *expr,
		    const char *file, int line)
{
	if (got == want)
		return true;
	cur_failures++;
	printf("#   FAILED %s:%d: %s (got %" PRId64 ", want %" PRId64 ")\n",
	       file, line, expr, got, want);
	return false;
}

void test_skip(const char *why)
{
	cur_skipped = true;
	printf("#   skipped: %s\n", why);
}

int test_main(const struct test_case *cases, size_t n, int argc, char **argv)
{
	unsigned passed = 0, failed = 0, skipped = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, cases[i].name) != 0)
			continue;
		cur_failures = 0;
		cur_skipped = false;
		cases[i].fn();
		if (cur_failures) {
			failed++;
			printf("not ok %zu - %s\n", i + 1, cases[i].name);
		} else if (cur_skipped) {
			skipped++;
			printf("ok %zu - %s # SKIP\n", i + 1, cases[i].name);
		} else {
			passed++;
			printf("ok %zu - %s\n", i + 1, cases[i].name);
		}
	}
	if (skipped)
		printf("%u passed, %u failed, %u skipped\n", passed, failed,
		       skipped);
	else
		printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
