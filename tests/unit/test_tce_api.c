/* SPDX-License-Identifier: MIT */
/*
 * Host API: table creation with KVM_CREATE_SPAPR_TCE[_64]'s validation
 * (docs/semantics.md §5.2, §10), guest memory slots, capabilities, and the
 * device-side DMA translation.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "test.h"

#define RW (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)

static int mk(struct ppcvirt_vm *vm, uint64_t liobn, uint32_t shift,
	      uint32_t flags, uint64_t offset, uint64_t size)
{
	struct ppcvirt_create_spapr_tce_64 a = {.liobn = liobn,
						.page_shift = shift,
						.flags = flags,
						.offset = offset,
						.size = size};

	return ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL);
}

static void create_validation(void)
{
	struct ppcvirt_vm *vm;
	struct ppcvirt_tce_info info;

	CHECK_EQ(ppcvirt_vm_create(&vm), 0);
	/* KVM's -EINVAL cases (§5.2, observed in §10). */
	CHECK_EQ(mk(vm, 1, 12, 1, 0, 16), -EINVAL);	    /* flags */
	CHECK_EQ(mk(vm, 1, 11, 0, 0, 16), -EINVAL);	    /* shift < 12 */
	CHECK_EQ(mk(vm, 1, 35, 0, 0, 16), -EINVAL);	    /* shift > 34 */
	CHECK_EQ(mk(vm, 1, 12, 0, 0, 0), -EINVAL);	    /* size 0 */
	CHECK_EQ(mk(vm, 1, 12, 0, UINT64_MAX, 2), -EINVAL); /* wraps */
	CHECK_EQ(mk(vm, 1, 12, 0, (UINT64_MAX >> 12) - 1, 2), -EINVAL);
	CHECK_EQ(mk(vm, 1, 34, 0, 1ull << 30, 1), -EINVAL); /* > 2^64 */
	/* KVM: offset + size must not exceed UINT64_MAX >> page_shift, so
	 * a window may not end exactly at 2^64 either. */
	CHECK_EQ(mk(vm, 3, 34, 0, (1ull << 30) - 1, 1), -EINVAL);
	/* Accepted: 13 and 34, the last page KVM allows. */
	CHECK_EQ(mk(vm, 2, 13, 0, 0, 16), 0);
	CHECK_EQ(mk(vm, 3, 34, 0, (1ull << 30) - 2, 1), 0);
	CHECK_EQ(ppcvirt_vm_tce_info(vm, 3, &info), 0);
	CHECK_EQ_U64(info.bus_offset, ((1ull << 30) - 2) << 34);
	CHECK_EQ_U64(info.size, 1);
	/* Duplicate LIOBN -> -EBUSY, whatever the geometry. */
	CHECK_EQ(mk(vm, 2, 12, 0, 100, 1), -EBUSY);
	/* A 64-bit LIOBN could never be reached by a hypercall. */
	CHECK_EQ(mk(vm, 1ull << 32, 12, 0, 0, 1), -EINVAL);
	/* Bigger than we map: -ENOMEM, like KVM past RLIMIT_MEMLOCK. */
	CHECK_EQ(mk(vm, 4, 12, 0, 0, (PPCVIRT_TCE_TABLE_MAX_BYTES / 8) + 1),
		 -ENOMEM);
	CHECK_EQ(mk(vm, 4, 12, 0, 0, 1ull << 51), -ENOMEM);
	CHECK_EQ(mk(vm, 4, 12, 0, 0, 1ull << 52), -EINVAL);
	/* Legacy form: 4K pages at 0; window < 4K is size 0. */
	CHECK_EQ(ppcvirt_vm_create_spapr_tce(
			 vm,
			 &(struct ppcvirt_create_spapr_tce){
				 .liobn = 5, .window_size = 4095},
			 NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce(
			 vm,
			 &(struct ppcvirt_create_spapr_tce){
				 .liobn = 5, .window_size = 0x10000000},
			 NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_tce_info(vm, 5, &info), 0);
	CHECK_EQ(info.page_shift, 12);
	CHECK_EQ_U64(info.size, 0x10000);
	CHECK_EQ_U64(info.bus_offset, 0);
	/* Removal, and re-creation zeroed. */
	CHECK_EQ(ppcvirt_tce_put(vm, 5, 7, 0x7003), 0);
	CHECK_EQ(ppcvirt_tce_put(vm, 5, 0x10000, 1), -ERANGE);
	CHECK_EQ(ppcvirt_vm_remove_tce(vm, 5), 0);
	CHECK_EQ(ppcvirt_vm_remove_tce(vm, 5), -ENOENT);
	CHECK_EQ(ppcvirt_vm_tce_info(vm, 5, &info), -ENOENT);
	CHECK_EQ(mk(vm, 5, 12, 0, 0, 16), 0);
	{
		uint64_t v = 1;

		CHECK_EQ(ppcvirt_tce_get(vm, 5, 7, &v), 0);
		CHECK_EQ_U64(v, 0);
	}
	/* Unknown flag bits: KVM's -EINVAL; PPCVIRT_TCE_VMM_ONLY is ours. */
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(
			 vm,
			 &(struct ppcvirt_create_spapr_tce_64){.liobn = 9,
							       .page_shift = 12,
							       .flags = 0x80,
							       .size = 1},
			 NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(
			 vm,
			 &(struct ppcvirt_create_spapr_tce_64){
				 .liobn = 9,
				 .page_shift = 12,
				 .flags = PPCVIRT_TCE_VMM_ONLY,
				 .size = 1},
			 NULL),
		 0);
	ppcvirt_vm_destroy(vm);
}

static void memory_slots(void)
{
	struct ppcvirt_vm *vm;
	static uint8_t buf[3 * 4096] __attribute__((aligned(4096)));
	struct ppcvirt_memory_region r = {.slot = 1,
					  .guest_phys_addr = 0x100000,
					  .memory_size = 2 * 4096,
					  .userspace_addr = (uintptr_t)buf};
	uint8_t x[8];

	CHECK_EQ(ppcvirt_vm_create(&vm), 0);
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), 0);
	/* Overlap, misalignment, wrap, flags, bad slot. */
	r.slot = 2;
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), -EEXIST);
	r.guest_phys_addr = 0x100800;
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), -EINVAL);
	r.guest_phys_addr = UINT64_MAX & ~0xfffull;
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), -EINVAL);
	r.guest_phys_addr = 0x102000; /* adjacent to slot 1 */
	r.memory_size = 4096;
	r.userspace_addr = (uintptr_t)buf + 2 * 4096;
	r.flags = 1;
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), -EINVAL);
	r.flags = 0;
	r.slot = PPCVIRT_MAX_MEMSLOTS;
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), -EINVAL);
	r.slot = 2;
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), 0);
	/* Lookups: inside, straddling adjacent slots, leaving, wrapping. */
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x100000, 8192) == buf);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x101ff8, 8) == buf + 0x1ff8);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x101ff8, 16) == NULL);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x102000, 4096) == buf + 8192);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x102ff8, 16) == NULL);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0xff000, 8) == NULL);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x100000, 0) == NULL);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x100008, UINT64_MAX) == NULL);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, UINT64_MAX, 2) == NULL);
	CHECK_EQ(ppcvirt_vm_read_guest(vm, 0x101ffc, x, 8), -EFAULT);
	CHECK_EQ(ppcvirt_vm_write_guest(vm, 0x100010, "abcdefgh", 8), 0);
	CHECK(memcmp(buf + 0x10, "abcdefgh", 8) == 0);
	/* Deletion. */
	r.memory_size = 0;
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), 0);
	CHECK_EQ(ppcvirt_vm_set_memory_region(vm, &r), -ENOENT);
	CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x102000, 8) == NULL);
	/* ppcvirt-allocated memory. */
	{
		void *p = NULL;
		int fd = -1;

		CHECK_EQ(ppcvirt_vm_alloc_memory(vm, 3, 0x40000000, 1 << 20, &p,
						 &fd),
			 0);
		CHECK(p != NULL && fd >= 0);
		CHECK(ppcvirt_vm_gpa_to_hva(vm, 0x40000000, 1 << 20) == p);
		CHECK_EQ(ppcvirt_vm_alloc_memory(vm, 4, 0x400ff000, 8192, NULL,
						 NULL),
			 -EEXIST);
		CHECK_EQ(ppcvirt_vm_alloc_memory(vm, 4, 0x400ff000, 0, NULL,
						 NULL),
			 -EINVAL);
		close(fd);
	}
	ppcvirt_vm_destroy(vm);
}

/*
 * Capabilities: KVM's numbers (linux/kvm.h; docs/semantics.md §5.1), and
 * each answer matching what a VM of the engine actually does.
 */
static void capabilities(void)
{
	static const long unknown[] = {0, 1, 95, 160, 100000, -1};
	struct ppcvirt_create_spapr_tce legacy = {.liobn = 0x71000001,
						  .window_size = 1 << 20};
	struct ppcvirt_create_spapr_tce_64 dw = {
		.liobn = 0x80000001, .page_shift = 16, .offset = 1, .size = 8};
	struct ppcvirt_enable_cap off = {.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
					 .args = {PPCVIRT_H_PUT_TCE, 0}};
	struct ppcvirt_tlb *tlb = NULL;
	struct tvm t;
	bool exited = true;
	int vfio;

	CHECK_EQ(PPCVIRT_CAP_SPAPR_TCE, 63);
	CHECK_EQ(PPCVIRT_CAP_SW_TLB, 69);
	CHECK_EQ(PPCVIRT_CAP_SPAPR_MULTITCE, 94);
	CHECK_EQ(PPCVIRT_CAP_PPC_ENABLE_HCALL, 104);
	CHECK_EQ(PPCVIRT_CAP_SPAPR_TCE_64, 125);
	CHECK_EQ(PPCVIRT_CAP_SPAPR_TCE_VFIO, 142);

	tvm_init(&t, 1 << 20, PPCVIRT_PROFILE_STRICT);
	/* KVM_CREATE_SPAPR_TCE works. */
	CHECK_EQ(ppcvirt_check_extension(t.vm, PPCVIRT_CAP_SPAPR_TCE),
		 ppcvirt_vm_create_spapr_tce(t.vm, &legacy, NULL) == 0);
	/* KVM_CREATE_SPAPR_TCE_64: 64K pages away from bus offset 0. */
	CHECK_EQ(ppcvirt_check_extension(t.vm, PPCVIRT_CAP_SPAPR_TCE_64),
		 ppcvirt_vm_create_spapr_tce_64(t.vm, &dw, NULL) == 0);
	/* Multi-TCE (enabled by tvm_init) is handled without an exit. */
	thc(&t, PPCVIRT_H_STUFF_TCE, 0x80000001, 0x10000, 0, 8, NULL, &exited);
	CHECK_EQ(ppcvirt_check_extension(t.vm, PPCVIRT_CAP_SPAPR_MULTITCE),
		 !exited);
	/* ENABLE_HCALL: turning H_PUT_TCE off sends it to the VMM. */
	CHECK_EQ(ppcvirt_check_extension(t.vm, PPCVIRT_CAP_PPC_ENABLE_HCALL),
		 ppcvirt_vm_enable_cap(t.vm, &off) == 0);
	thc(&t, PPCVIRT_H_PUT_TCE, 0x80000001, 0x10000, 0, 0, NULL, &exited);
	CHECK(exited);
	/* SW_TLB: a BookE TLB can be made. */
	CHECK_EQ(ppcvirt_check_extension(t.vm, PPCVIRT_CAP_SW_TLB),
		 ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb) == 0);
	ppcvirt_tlb_destroy(tlb);
	/* TCE_VFIO: only where the host has a VFIO IOMMU interface. */
	vfio = access("/dev/vfio/vfio", F_OK) == 0 ||
	       access("/dev/iommu", F_OK) == 0;
	CHECK_EQ(ppcvirt_check_extension(t.vm, PPCVIRT_CAP_SPAPR_TCE_VFIO),
		 vfio);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK_EQ(ppcvirt_check_extension(t.vm, unknown[i]), 0);
	/* Without a VM: what an engine VM answers. */
	for (long cap = -2; cap < 200; cap++)
		CHECK_EQ(ppcvirt_check_extension(NULL, cap),
			 ppcvirt_check_extension(t.vm, cap));
	tvm_fini(&t);
	CHECK(strcmp(ppcvirt_hret_name(-4), "H_PARAMETER") == 0);
	CHECK(strcmp(ppcvirt_hret_name(12345), "H_?") == 0);
	CHECK(strcmp(ppcvirt_tier_name(PPCVIRT_TIER_VMM), "vmm") == 0);
	CHECK(ppcvirt_tier_name(PPCVIRT_TIER_COUNT) == NULL);
	CHECK(strcmp(ppcvirt_decline_name(PPCVIRT_DECLINE_UNREGISTERED),
		     "unregistered") == 0);
	CHECK(ppcvirt_decline_name(-1) == NULL);
}

/* Device-side translation (issue item 7). */
static void dma_translation(void)
{
	struct tvm t;
	struct ppcvirt_dma_seg segs[4];
	size_t n;
	const uint64_t L = 0x80000000, BUS = 0x10000;
	uint8_t buf[3 * 4096], back[3 * 4096];
	struct ppcvirt_tce_xlate x;

	tvm_init(&t, 1 << 20, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&t, L, 12, BUS, 64), 0);
	/* Entries 0,1 map contiguous guest pages; 2 a distant one (RO). */
	ppcvirt_tce_put(t.vm, L, 0, 0x20000 | RW);
	ppcvirt_tce_put(t.vm, L, 1, 0x21000 | RW);
	ppcvirt_tce_put(t.vm, L, 2, 0x50000 | PPCVIRT_TCE_READ);
	ppcvirt_tce_put(t.vm, L, 3, 0x51000 | PPCVIRT_TCE_WRITE);
	n = 4;
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS + 0x800, 0x2000,
				 PPCVIRT_DMA_TO_DEVICE, segs, &n),
		 0);
	CHECK_EQ(n, 2);
	CHECK(segs[0].hva == t.ram + 0x20800);
	CHECK_EQ_U64(segs[0].len, 0x1800);
	CHECK_EQ_U64(segs[0].gpa, 0x20800);
	CHECK(segs[1].hva == t.ram + 0x50000);
	CHECK_EQ_U64(segs[1].len, 0x800);
	/* Direction checks. */
	n = 4;
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS + 0x2000, 16,
				 PPCVIRT_DMA_FROM_DEVICE, segs, &n),
		 -EACCES);
	n = 4;
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS + 0x3000, 16,
				 PPCVIRT_DMA_BIDIRECTIONAL, segs, &n),
		 -EACCES);
	n = 4;
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS + 0x4000, 16,
				 PPCVIRT_DMA_TO_DEVICE, segs, &n),
		 -EFAULT); /* unmapped */
	n = 1;
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS, 0x3000, PPCVIRT_DMA_TO_DEVICE,
				 segs, &n),
		 -ENOSPC);
	n = 4;
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS - 1, 2, PPCVIRT_DMA_TO_DEVICE,
				 segs, &n),
		 -ERANGE);
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS + 63 * 4096, 4097,
				 PPCVIRT_DMA_TO_DEVICE, segs, &n),
		 -ERANGE);
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, UINT64_MAX, 2, PPCVIRT_DMA_TO_DEVICE,
				 segs, &n),
		 -ERANGE);
	CHECK_EQ(ppcvirt_dma_map(t.vm, 0x99, BUS, 2, PPCVIRT_DMA_TO_DEVICE,
				 segs, &n),
		 -ENOENT);
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS, 0, PPCVIRT_DMA_TO_DEVICE, segs,
				 &n),
		 -EINVAL);
	/* A TCE pointing outside RAM (stored by the qemu profile / mmap). */
	ppcvirt_tce_put(t.vm, L, 5, (1ull << 40) | RW);
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, BUS + 0x5000, 8,
				 PPCVIRT_DMA_TO_DEVICE, segs, &n),
		 -EFAULT);
	/* Copies: write through 0..1 then read it back; nothing copied on
	 * a partial failure. */
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	CHECK_EQ(ppcvirt_dma_write(t.vm, L, BUS + 0x10, buf, 0x1ff0), 0);
	CHECK(memcmp(t.ram + 0x20010, buf, 0x1ff0) == 0);
	memset(back, 0, sizeof(back));
	CHECK_EQ(ppcvirt_dma_read(t.vm, L, BUS + 0x10, back, 0x1ff0), 0);
	CHECK(memcmp(back, buf, 0x1ff0) == 0);
	memset(t.ram + 0x50000, 0xaa, 16);
	CHECK_EQ(ppcvirt_dma_write(t.vm, L, BUS + 0x1000, buf, 0x2000),
		 -EACCES); /* page 2 is read-only */
	CHECK(t.ram[0x50000] == 0xaa);
	/* QEMU-style translate. */
	CHECK_EQ(ppcvirt_tce_translate(t.vm, L, BUS + 0x2123, &x), 0);
	CHECK_EQ_U64(x.addr, 0x50000);
	CHECK_EQ_U64(x.iova, BUS + 0x2000);
	CHECK_EQ_U64(x.addr_mask, 0xfff);
	CHECK_EQ(x.perm, 1);
	CHECK_EQ(ppcvirt_tce_translate(t.vm, L, BUS + 64 * 4096, &x), -ERANGE);
	CHECK_EQ(ppcvirt_tce_translate(t.vm, L, 0, &x), -ERANGE);
	tvm_fini(&t);
}

/* Stats: completions per tier and exits are counted. */
static void tier_counters(void)
{
	struct tvm t;
	struct ppcvirt_stats st;

	tvm_init(&t, 1 << 20, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&t, 1, 12, 0, 1024), 0);
	/* First write into an untouched table page: fast declines. */
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, 1, 0, 0x1000 | RW, 0, NULL, NULL),
		 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, 1, 0x1000, 0x1000 | RW, 0, NULL,
		     NULL),
		 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, 2, 0, 0, 0, NULL, NULL), -4);
	CHECK_EQ(ppcvirt_vm_get_stats(t.vm, &st), 0);
	CHECK_EQ_U64(st.completed[PPCVIRT_TIER_SLOW], 1);
	CHECK_EQ_U64(st.completed[PPCVIRT_TIER_FAST], 1);
	CHECK_EQ_U64(st.declines[PPCVIRT_TIER_FAST][PPCVIRT_DECLINE_TABLE_PAGE],
		     1);
	CHECK_EQ_U64(st.declines[PPCVIRT_TIER_FAST][PPCVIRT_DECLINE_NO_TABLE],
		     1);
	CHECK_EQ_U64(st.exits, 1);
	CHECK_EQ_U64(st.completed[PPCVIRT_TIER_VMM], 1);
	/* Slow tier only. */
	CHECK_EQ(ppcvirt_vm_set_tiers(t.vm, 1u << PPCVIRT_TIER_SLOW), 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, 1, 0x2000, 0x1000 | RW, 0, NULL,
		     NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_get_stats(t.vm, &st), 0);
	CHECK_EQ_U64(st.completed[PPCVIRT_TIER_SLOW], 2);
	CHECK_EQ(ppcvirt_vm_set_tiers(t.vm, 8), -EINVAL);
	tvm_fini(&t);
}

static const struct test_case tests[] = {
	TEST(create_validation), TEST(memory_slots),  TEST(capabilities),
	TEST(dma_translation),	 TEST(tier_counters),
};

TEST_MAIN(tests)
