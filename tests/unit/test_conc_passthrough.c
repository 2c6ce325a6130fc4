/* SPDX-License-Identifier: MIT */
/*
 * Pass-through under concurrency (run under TSan in CI): vCPUs hammer the
 * same few entries of a linked table with every hcall (the same page
 * mapped from several entries, unmaps of unmapped entries), while a
 * control thread unlinks and re-links a second group and a device thread
 * translates. The table is bigger than one chunk of the link walk, so
 * hypercalls run while a link or unlink is half way through it.
 * Afterwards both groups map exactly what the table maps, pins equal
 * mappings, the model never saw a call breaking the kernel's rules, and
 * tearing down leaves no pin.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <ppcvirt/iommu.h>

#include "iommu_model.h"

#include "support.h"
#include "test.h"

#define RW    (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define L     0x80000000ull
#define NENT  (3 * 4096ull + 100)
#define RAM   (4ull << 20)
#define NVCPU 3
#define ITERS 3000

static struct tvm T;
static struct ppcvirt_vcpu *vcpus[NVCPU];
static struct ppcvirt_iommu_group *g1, *g2;
static struct iommu_model *m1, *m2;
static atomic_bool stop;
static atomic_uint bad;
static atomic_uint cycles; /* unlink + re-link rounds */
#define MIN_CYCLES 30

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
	uint64_t x = 0x9e3779b97f4a7c15ull * (id + 7);
	uint64_t list_gpa = 0x300000 + id * 0x1000ull;

	for (int i = 0; i < ITERS || atomic_load(&cycles) < MIN_CYCLES; i++) {
		uint64_t slot, list[8], n;
		long r;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		slot = (x >> 8) % 8;	/* everyone on the same 8..16 entries */
		if ((x >> 50) % 4 == 0) /* and now and then far away */
			slot = NENT - 8 - (x >> 20) % 4096;
		n = 1 + (x >> 32) % 8;
		for (unsigned k = 0; k < n; k++)
			list[k] = ((x >> (k + 1)) & 1)
					  ? (((x >> 16) % 4 + 1) << 12) | RW
					  : 0;
		if ((x >> 60) == 0) /* now and then: unregistered memory */
			list[0] = (0x200000 + ((x >> 20) % 16) * 4096) | RW;
		switch (x % 3) {
		case 0:
			r = call(vcpus[id], PPCVIRT_H_PUT_TCE, L, slot << 12,
				 list[0], 0);
			break;
		case 1:
			tvm_list(&T, list_gpa, list, (unsigned)n);
			r = call(vcpus[id], PPCVIRT_H_PUT_TCE_INDIRECT, L,
				 slot << 12, list_gpa, n);
			break;
		default:
			r = call(vcpus[id], PPCVIRT_H_STUFF_TCE, L, slot << 12,
				 0, n);
		}
		if (r != 0)
			atomic_fetch_add(&bad, 1);
	}
	return NULL;
}

static void *control_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (ppcvirt_vm_unlink_iommu_group(T.vm, L, g2) != 0 ||
		    ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0) != 0)
			atomic_fetch_add(&bad, 1);
		atomic_fetch_add(&cycles, 1);
	}
	return NULL;
}

static void *device_thread(void *arg)
{
	uint8_t buf[256];
	uint64_t i = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		int r = ppcvirt_dma_read(T.vm, L, (i++ % 16) << 12, buf,
					 sizeof(buf));

		if (r != 0 && r != -EFAULT)
			atomic_fetch_add(&bad, 1);
	}
	return NULL;
}

static void hammer_linked(void)
{
	struct iommu_model_config cfg = {.host_len = RAM};
	struct iommu_model_stats st;
	pthread_t vt[NVCPU], ctl, dev;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	vcpus[0] = T.vcpu;
	for (unsigned i = 1; i < NVCPU; i++)
		CHECK_EQ(ppcvirt_vcpu_create(T.vm, i, &vcpus[i]), 0);
	CHECK_EQ(tvm_table(&T, L, 12, 0, NENT), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0, 0x200000), 0);
	cfg.host_base = T.ram;
	CHECK_EQ(iommu_model_create(&cfg, &m1, &g1), 0);
	CHECK_EQ(iommu_model_create(&cfg, &m2, &g2), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g1, 0), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), 0);
	atomic_store(&stop, false);
	atomic_store(&bad, 0);
	atomic_store(&cycles, 0);
	CHECK(pthread_create(&ctl, NULL, control_thread, NULL) == 0);
	CHECK(pthread_create(&dev, NULL, device_thread, NULL) == 0);
	for (unsigned i = 0; i < NVCPU; i++)
		CHECK(pthread_create(&vt[i], NULL, vcpu_thread,
				     (void *)(uintptr_t)i) == 0);
	for (unsigned i = 0; i < NVCPU; i++)
		pthread_join(vt[i], NULL);
	atomic_store(&stop, true);
	pthread_join(ctl, NULL);
	pthread_join(dev, NULL);
	CHECK_EQ(atomic_load(&bad), 0);
	CHECK(atomic_load(&cycles) >= MIN_CYCLES);
	CHECK(tvm_agree(&T, L, m1));
	CHECK(tvm_agree(&T, L, m2));
	iommu_model_get_stats(m1, &st);
	CHECK_EQ_U64(st.rejected, 0);
	iommu_model_get_stats(m2, &st);
	CHECK_EQ_U64(st.rejected, 0);
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(T.vm, 0, 0x200000), -EBUSY);
	tvm_fini(&T);
	iommu_model_get_stats(m1, &st);
	CHECK_EQ_U64(st.pins, 0);
	iommu_model_get_stats(m2, &st);
	CHECK_EQ_U64(st.pins, 0);
	ppcvirt_iommu_group_put(g1);
	ppcvirt_iommu_group_put(g2);
}

static const struct test_case tests[] = {
	TEST(hammer_linked),
};

TEST_MAIN(tests)
