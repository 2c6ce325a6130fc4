/* SPDX-License-Identifier: MIT */
/*
 * Concurrency (run under TSan in CI): several vCPU threads issue every TCE
 * hypercall on a shared table and on tables of their own, a device thread
 * translates and copies through the shared table and through a table that
 * a control thread keeps destroying and re-creating. Every call must
 * return a PAPR code the rules allow, never H_TOO_HARD, and the shared
 * table must end up holding only values some thread wrote.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "support.h"
#include "test.h"

#define RW	 (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define SHARED	 0x80000000ull
#define VOLATILE 0x80000001ull /* destroyed and re-created */
#define OWN(i)	 (0x71000000ull + (i))
#define NENT	 2048ull
#define NVCPU	 3
#define ITERS	 4000

static struct tvm T;
static struct ppcvirt_vcpu *vcpus[NVCPU];
static atomic_bool stop;
static atomic_uint bad_codes;
static atomic_uint cycles; /* remove + re-create rounds done */
#define MIN_CYCLES 50

/* Values threads write: page (1 + k) of RAM, R/W, or 0. */
static uint64_t val(uint64_t x)
{
	return (x % 8) == 0 ? 0 : (((x % 64) + 1) << 12) | RW;
}

static long call(struct ppcvirt_vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1,
		 uint64_t a2, uint64_t a3)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};

	if (ppcvirt_vcpu_hcall(v, &hc) == PPCVIRT_HCALL_EXIT)
		ppcvirt_vmm_hcall(T.vm, &hc);
	return (long)hc.ret;
}

static void *vcpu_thread(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct ppcvirt_vcpu *v = vcpus[id];
	uint64_t x = 0x9e3779b97f4a7c15ull * (id + 1);
	uint64_t list_gpa = 0x100000 + id * 0x1000ull;

	/* Run until both enough calls and enough table churn happened. */
	for (int i = 0; i < ITERS || atomic_load(&cycles) < MIN_CYCLES; i++) {
		uint64_t liobn, slot, n;
		long r;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		liobn = (x >> 60) < 8	 ? SHARED
			: (x >> 60) < 12 ? OWN(id)
					 : VOLATILE;
		slot = (x >> 8) % NENT;
		switch ((x >> 4) % 4) {
		case 0:
			r = call(v, PPCVIRT_H_PUT_TCE, liobn, slot << 12,
				 val(x), 0);
			break;
		case 1:
			r = call(v, PPCVIRT_H_GET_TCE, liobn, slot << 12, 0, 0);
			break;
		case 2:
			n = 1 + (x >> 32) % 64;
			if (slot + n > NENT)
				slot = NENT - n;
			r = call(v, PPCVIRT_H_STUFF_TCE, liobn, slot << 12, 0,
				 n);
			break;
		default: {
			uint64_t list[16];

			n = 1 + (x >> 32) % 16;
			if (slot + n > NENT)
				slot = NENT - n;
			for (unsigned k = 0; k < n; k++)
				list[k] = val(x + k);
			tvm_list(&T, list_gpa, list, (unsigned)n);
			r = call(v, PPCVIRT_H_PUT_TCE_INDIRECT, liobn,
				 slot << 12, list_gpa, n);
			break;
		}
		}
		/* Only the volatile table may legitimately be missing. */
		if (r != PPCVIRT_H_SUCCESS &&
		    !(r == PPCVIRT_H_PARAMETER && liobn == VOLATILE))
			atomic_fetch_add(&bad_codes, 1);
	}
	return NULL;
}

static void *device_thread(void *arg)
{
	uint8_t buf[4096];
	uint64_t x = 12345;

	(void)arg;
	while (!atomic_load(&stop)) {
		struct ppcvirt_dma_seg segs[4];
		size_t n = 4;
		uint64_t liobn = (x & 1) ? SHARED : VOLATILE;
		int r;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		r = ppcvirt_dma_map(T.vm, liobn, ((x >> 20) % NENT) << 12, 8192,
				    PPCVIRT_DMA_TO_DEVICE, segs, &n);
		if (r != 0 && r != -EFAULT && r != -ERANGE &&
		    !(r == -ENOENT && liobn == VOLATILE))
			atomic_fetch_add(&bad_codes, 1);
		r = ppcvirt_dma_read(T.vm, liobn, ((x >> 30) % NENT) << 12, buf,
				     64);
		if (r != 0 && r != -EFAULT && r != -ERANGE &&
		    !(r == -ENOENT && liobn == VOLATILE))
			atomic_fetch_add(&bad_codes, 1);
	}
	return NULL;
}

static void *control_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		CHECK_EQ(ppcvirt_vm_remove_tce(T.vm, VOLATILE), 0);
		CHECK_EQ(tvm_table(&T, VOLATILE, 12, 0, NENT), 0);
		atomic_fetch_add(&cycles, 1);
	}
	return NULL;
}

static void hammer(void)
{
	pthread_t vt[NVCPU], dev, ctl;

	tvm_init(&T, 4 << 20, PPCVIRT_PROFILE_STRICT);
	vcpus[0] = T.vcpu;
	for (unsigned i = 1; i < NVCPU; i++)
		CHECK_EQ(ppcvirt_vcpu_create(T.vm, i, &vcpus[i]), 0);
	CHECK_EQ(tvm_table(&T, SHARED, 12, 0, NENT), 0);
	CHECK_EQ(tvm_table(&T, VOLATILE, 12, 0, NENT), 0);
	for (unsigned i = 0; i < NVCPU; i++)
		CHECK_EQ(tvm_table(&T, OWN(i), 12, 0, NENT), 0);
	atomic_store(&stop, false);
	atomic_store(&bad_codes, 0);
	atomic_store(&cycles, 0);
	CHECK(pthread_create(&dev, NULL, device_thread, NULL) == 0);
	CHECK(pthread_create(&ctl, NULL, control_thread, NULL) == 0);
	for (unsigned i = 0; i < NVCPU; i++)
		CHECK(pthread_create(&vt[i], NULL, vcpu_thread,
				     (void *)(uintptr_t)i) == 0);
	for (unsigned i = 0; i < NVCPU; i++)
		pthread_join(vt[i], NULL);
	atomic_store(&stop, true);
	pthread_join(dev, NULL);
	pthread_join(ctl, NULL);
	CHECK_EQ(atomic_load(&bad_codes), 0);
	CHECK(atomic_load(&cycles) >= MIN_CYCLES);
	/* Every entry holds something a thread wrote. */
	for (uint64_t i = 0; i < NENT; i++) {
		uint64_t e = tvm_entry(&T, SHARED, i);

		CHECK(e == 0 ||
		      ((e & RW) == RW && (e >> 12) >= 1 && (e >> 12) <= 64));
	}
	{
		struct ppcvirt_stats st;

		CHECK_EQ(ppcvirt_vm_get_stats(T.vm, &st), 0);
		CHECK(st.completed[PPCVIRT_TIER_FAST] +
			      st.completed[PPCVIRT_TIER_SLOW] +
			      st.completed[PPCVIRT_TIER_VMM] >=
		      (uint64_t)NVCPU * ITERS);
	}
	tvm_fini(&T);
}

static const struct test_case tests[] = {
	TEST(hammer),
};

TEST_MAIN(tests)
