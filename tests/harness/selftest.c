/* SPDX-License-Identifier: MIT */
/*
 * Self-test of the test harness (test.h), run by tests/harness.cmake, which
 * checks each case's verdict from the outside:
 *  - no_check: a case that makes no CHECK fails ("# no check was made");
 *  - skip_without_check: test_skip() alone gives a skip, not a failure;
 *  - checks_from_threads: CHECKs made concurrently are all counted;
 *  - failure_in_thread: a CHECK failing in another thread fails the case.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "test.h"

#define THREADS		  4
#define CHECKS_PER_THREAD 250000ul

/* Start the threads together, so their CHECKs really overlap. */
static atomic_bool go;

static void no_check(void)
{
}

static void skip_without_check(void)
{
	test_skip("selftest: skipped on purpose");
}

static void *check_many(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		sched_yield();
	for (unsigned long i = 0; i < CHECKS_PER_THREAD; i++)
		CHECK(i < CHECKS_PER_THREAD);
	return NULL;
}

static void checks_from_threads(void)
{
	pthread_t t[THREADS];
	int rc[THREADS];
	unsigned started = 0;

	for (int i = 0; i < THREADS; i++) {
		rc[i] = pthread_create(&t[i], NULL, check_many, NULL);
		started += rc[i] == 0;
	}
	atomic_store(&go, true);
	for (int i = 0; i < THREADS; i++)
		if (rc[i] == 0)
			pthread_join(t[i], NULL);
	/* Read before any other CHECK: exactly the threads' CHECKs so far. */
	CHECK_EQ_U64(test_checks_made(), THREADS * CHECKS_PER_THREAD);
	CHECK_EQ(started, THREADS);
}

static void *fail_once(void *arg)
{
	(void)arg;
	CHECK(!"deliberate failure in a thread");
	return NULL;
}

static void failure_in_thread(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fail_once, NULL) == 0)
		pthread_join(t, NULL);
}

static const struct test_case cases[] = {
	TEST(no_check),
	TEST(skip_without_check),
	TEST(checks_from_threads),
	TEST(failure_in_thread),
};

TEST_MAIN(cases)
