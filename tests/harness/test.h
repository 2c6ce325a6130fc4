/* SPDX-License-Identifier: MIT */
/*
 * Minimal in-house test harness (house style §6.9, after liburcu's tap.h).
 *
 * Each test binary declares a table of cases and calls test_main(). A case
 * passes when it made at least one CHECK and none failed; a case that made
 * no CHECK at all fails ("# no check was made") unless it called
 * test_skip(), so a test whose assertions were lost cannot pass silently.
 * CHECKs report file:line and keep going, so one run shows every broken
 * expectation; they may be called from any thread (the counters are
 * atomic), as long as the threads are joined before the case returns. The
 * last line printed is "N passed, N failed" (plus ", N skipped"), and the
 * exit status is 1 on any failure.
 */
#ifndef PPCVIRT_TEST_H
#define PPCVIRT_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST(fn)                                                               \
	{                                                                      \
#fn, fn                                                        \
	}

int test_main(const struct test_case *cases, size_t n, int argc, char **argv);
#define TEST_MAIN(table)                                                       \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		return test_main(table, sizeof(table) / sizeof(table[0]),      \
				 argc, argv);                                  \
	}

bool test_check(bool ok, const char *expr, const char *file, int line);
bool test_check_u64(uint64_t got, uint64_t want, const char *expr,
		    const char *file, int line);
bool test_check_i64(int64_t got, int64_t want, const char *expr,
		    const char *file, int line);
void test_skip(const char *why);
/* CHECKs made so far by the running case (the harness's self-test). */
unsigned long test_checks_made(void);

#define CHECK(cond) test_check(!!(cond), #cond, __FILE__, __LINE__)
/* Compare as unsigned 64-bit, print both in hex on mismatch. */
#define CHECK_EQ_U64(got, want)                                                \
	test_check_u64((uint64_t)(got), (uint64_t)(want), #got " == " #want,   \
		       __FILE__, __LINE__)
/* Compare as signed 64-bit (return codes, -errno), print both in decimal. */
#define CHECK_EQ(got, want)                                                    \
	test_check_i64((int64_t)(got), (int64_t)(want), #got " == " #want,     \
		       __FILE__, __LINE__)

#endif
