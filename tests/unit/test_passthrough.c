/* SPDX-License-Identifier: MIT */
/*
 * Pass-through linkage and the tiers (issue: acceleration tiers).
 *
 * The invariant checked after every call: each linked host IOMMU model
 * maps exactly what the guest-visible table maps, per host page (address
 * and permission), and its pins equal its live mappings. Checked with
 * every fault-injection point and tier, with back-end failures in the
 * middle of an INDIRECT list, and through teardown (zero pins left).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/iommu.h>
#include "testing/testing.h"
#include "iommu_model.h"

#include "support.h"
#include "test.h"

#define RW   (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define L    0x80000001ull
#define BUS  (1ull << 59)
#define NENT 128ull
#define RAM  (16ull << 20)
#define REG  (8ull << 20) /* registered: the first 8 MiB */
#define LIST 0xff0000ull  /* list page (not in a mapped range) */

static struct tvm T;

/* Guest entry -> expected host entries, for a guest page of 1<<gshift. */
static bool agree(struct ppcvirt_iommu_model *m, unsigned gshift,
		  unsigned hshift)
{
	struct ppcvirt_iommu_model_stats st;
	uint64_t sub = 1ull << (gshift - hshift), want_mapped = 0;
	bool ok = true;

	for (uint64_t i = 0; i < NENT; i++) {
		uint64_t v = tvm_entry(&T, L, i);

		for (uint64_t k = 0; k < sub; k++) {
			void *hva = NULL;
			uint32_t perm = 9;
			void *want = NULL;

			CHECK_EQ(ppcvirt_iommu_model_entry(m, i * sub + k, &hva,
							   &perm),
				 0);
			if (v & 3) {
				want = T.ram + (v & ~((1ull << gshift) - 1)) +
				       (k << hshift);
				want_mapped++;
			}
			if (hva != want || perm != (want ? (v & 3) : 0)) {
				ok = false;
				CHECK_EQ_U64(i, ~0ull); /* report the entry */
			}
		}
	}
	ppcvirt_iommu_model_get_stats(m, &st);
	ok &= CHECK_EQ_U64(st.mapped, want_mapped);
	ok &= CHECK_EQ_U64(st.pins, st.mapped);
	return ok;
}

/*
 * Back every table page with a poison entry (no permissions, so nothing
 * is mapped): the first write into a fresh table page is always the slow
 * tier's (it allocates), which would hide the declines tests look for.
 */
static void populate(void)
{
	struct ppcvirt_tce_info info;

	CHECK_EQ(ppcvirt_vm_tce_info(T.vm, L, &info), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, info.bus_offset, 0x4000,
		     info.size, NULL, NULL),
		 0);
}

static struct ppcvirt_iommu_model *linked(unsigned gshift, unsigned hshift,
					  struct ppcvirt_iommu_group **gp)
{
	struct ppcvirt_iommu_geometry geo = {.page_shift = hshift,
					     .bus_offset = BUS,
					     .entries = NENT
							<< (gshift - hshift)};
	struct ppcvirt_iommu_model *m = NULL;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&T, L, gshift, BUS, NENT), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0, REG), 0);
	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m, gp), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, *gp, 0), 0);
	populate();
	return m;
}

static void link_rules(void)
{
	struct ppcvirt_iommu_geometry geo = {
		.page_shift = 12, .bus_offset = BUS, .entries = NENT << 4};
	struct ppcvirt_iommu_model *m;
	struct ppcvirt_iommu_group *g, *g2;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_check_extension(T.vm, PPCVIRT_CAP_SPAPR_TCE_VFIO), 1);
	CHECK_EQ(tvm_table(&T, L, 16, BUS, NENT), 0);
	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m, &g), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, 0x99, g, 0), -ENOENT);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 1), -EINVAL);
	/* An existing entry that is not guest memory (stored under the qemu
	 * profile, which does not check) cannot be linked; nothing stays
	 * mapped after the refusal. */
	CHECK_EQ(ppcvirt_vm_set_profile(T.vm, PPCVIRT_PROFILE_QEMU), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x10000, (RAM * 4) | RW, 0,
		     NULL, NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_set_profile(T.vm, PPCVIRT_PROFILE_STRICT), 0);
	CHECK_EQ(
		thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0x10000 | RW, 0, NULL, NULL),
		0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), -EFAULT);
	{
		struct ppcvirt_iommu_model_stats st;

		ppcvirt_iommu_model_get_stats(m, &st);
		CHECK_EQ_U64(st.mapped, 0);
		CHECK_EQ_U64(st.pins, 0);
	}
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x10000, 0, 0, NULL, NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0, REG), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0x1000, 0x1000),
		 -EEXIST);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, RAM, 0x1000), -EINVAL);
	/* Linking programs what the table already maps. */
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), 0);
	CHECK(agree(m, 16, 12));
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), -EBUSY);
	/* Mapped memory cannot be unregistered. */
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(T.vm, 0, REG), -EBUSY);
	/* Geometry: host page bigger than the guest's, other start, too
	 * small a host table. */
	geo.page_shift = 24;
	geo.entries = NENT;
	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m, &g2), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), -EINVAL);
	ppcvirt_iommu_group_put(g2);
	geo.page_shift = 12;
	geo.bus_offset = 0;
	geo.entries = NENT << 4;
	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m, &g2), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), -EINVAL);
	ppcvirt_iommu_group_put(g2);
	geo.bus_offset = BUS;
	geo.entries = (NENT << 4) - 1;
	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m, &g2), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), -EINVAL);
	ppcvirt_iommu_group_put(g2);
	/* Unlink clears; a second unlink finds nothing. */
	CHECK_EQ(ppcvirt_vm_unlink_iommu_group(T.vm, L, g), 0);
	CHECK_EQ(ppcvirt_vm_unlink_iommu_group(T.vm, L, g), -ENOENT);
	ppcvirt_iommu_group_put(g);
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(T.vm, 0, REG), 0);
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(T.vm, 0, REG), -ENOENT);
	tvm_fini(&T);
}

/* One 64K guest entry is sixteen 4K host entries; two groups at once. */
static void subpages_two_groups(void)
{
	struct ppcvirt_iommu_geometry geo = {
		.page_shift = 16, .bus_offset = BUS, .entries = NENT};
	struct ppcvirt_iommu_group *g, *g2;
	struct ppcvirt_iommu_model *m = linked(16, 12, &g), *m2;
	uint64_t list[4] = {0x20000 | RW, 0x30000 | PPCVIRT_TCE_READ, 0,
			    0x20000 | PPCVIRT_TCE_WRITE};

	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m2, &g2), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), 0);
	tvm_list(&T, LIST, list, 4);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L, BUS + 0x10000, LIST, 4,
		     NULL, NULL),
		 0);
	CHECK(agree(m, 16, 12));
	CHECK(agree(m2, 16, 16));
	/* The same page mapped twice is pinned twice. */
	CHECK_EQ(ppcvirt_iommu_model_pins(m, T.ram + 0x20000), 2);
	CHECK_EQ(ppcvirt_iommu_model_pins(m2, T.ram + 0x2f000), 2);
	/* Unmapping what was never mapped is harmless. */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS + 0x50000, 0, 8, NULL,
		     NULL),
		 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS + 0x10000, 0, 4, NULL,
		     NULL),
		 0);
	CHECK(agree(m, 16, 12));
	CHECK_EQ(ppcvirt_iommu_model_pins(m, T.ram + 0x20000), 0);
	ppcvirt_iommu_group_put(g2); /* the link keeps it alive */
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T); /* destroys the table: unlinks and releases both */
}

/* A TCE outside registered memory declines to the VMM, which pins. */
static void unregistered_goes_to_vmm(void)
{
	struct ppcvirt_iommu_group *g;
	struct ppcvirt_iommu_model *m = linked(12, 12, &g);
	struct ppcvirt_stats st;
	bool exited = false;

	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, (REG + 0x1000) | RW, 0,
		     NULL, &exited),
		 0);
	CHECK(exited);
	CHECK(agree(m, 12, 12));
	CHECK_EQ(ppcvirt_vm_tce_stats(T.vm, L, &st), 0);
	CHECK_EQ_U64(
		st.declines[PPCVIRT_TIER_FAST][PPCVIRT_DECLINE_UNREGISTERED],
		1);
	CHECK_EQ_U64(
		st.declines[PPCVIRT_TIER_SLOW][PPCVIRT_DECLINE_UNREGISTERED],
		1);
	CHECK_EQ_U64(st.completed[PPCVIRT_TIER_VMM], 1);
	/* Registered memory stays in the engine. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x1000, 0x3000 | RW, 0,
		     NULL, &exited),
		 0);
	CHECK(!exited);
	/* Outside guest memory altogether: strict says H_PARAMETER. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, (RAM * 2) | RW, 0, NULL,
		     NULL),
		 PPCVIRT_H_PARAMETER);
	CHECK(agree(m, 12, 12));
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/* A busy host IOMMU makes the fast tier decline; the slow tier waits. */
static void busy_backend_declines_fast(void)
{
	struct ppcvirt_iommu_group *g;
	struct ppcvirt_iommu_model *m = linked(12, 12, &g);
	struct ppcvirt_stats a, b;

	CHECK_EQ(ppcvirt_vm_tce_stats(T.vm, L, &a), 0);
	/* -EAGAIN once: what a contended lock looks like to the fast tier. */
	ppcvirt_iommu_model_fail(m, 1, -EAGAIN, 1);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0x5000 | RW, 0, NULL, NULL),
		 0);
	CHECK(agree(m, 12, 12));
	CHECK_EQ(ppcvirt_vm_tce_stats(T.vm, L, &b), 0);
	CHECK_EQ_U64(
		b.declines[PPCVIRT_TIER_FAST][PPCVIRT_DECLINE_BACKEND] -
			a.declines[PPCVIRT_TIER_FAST][PPCVIRT_DECLINE_BACKEND],
		1);
	CHECK_EQ_U64(b.completed[PPCVIRT_TIER_SLOW] -
			     a.completed[PPCVIRT_TIER_SLOW],
		     1);
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/*
 * An INDIRECT of 300 entries whose back-end update fails at entry 200:
 * in the fast tier only (the slow tier completes it), in both engine
 * tiers (the VMM completes it), and in every tier (the guest gets
 * H_HARDWARE and nothing changed). Table and host IOMMU always agree.
 */
static void indirect_fails_midway(void)
{
	uint64_t list[300], before[300];
	struct ppcvirt_iommu_geometry geo = {
		.page_shift = 12, .bus_offset = 0, .entries = 1024};
	struct ppcvirt_iommu_group *g;
	struct ppcvirt_iommu_model *m;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&T, L, 12, 0, 1024), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0, REG), 0);
	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m, &g), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), 0);
	populate();
	for (uint64_t times = 1; times <= 3; times++) {
		struct ppcvirt_iommu_model_stats st;
		struct ppcvirt_stats vs;
		bool exited = false;

		for (unsigned i = 0; i < 300; i++)
			list[i] = ((uint64_t)(0x100 + i + times * 7) << 12) |
				  (times == 2 ? PPCVIRT_TCE_READ : RW);
		tvm_list(&T, LIST, list, 300);
		for (unsigned i = 0; i < 300; i++)
			before[i] = tvm_entry(&T, L, 100 + i);
		ppcvirt_iommu_model_fail(m, 200, -EIO, times);
		CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L, 100 << 12, LIST,
			     300, NULL, &exited),
			 times < 3 ? 0 : PPCVIRT_H_HARDWARE);
		CHECK(exited == (times >= 2));
		ppcvirt_iommu_model_fail(m, 0, 0, 0);
		for (unsigned i = 0; i < 300; i++)
			CHECK_EQ_U64(tvm_entry(&T, L, 100 + i),
				     times < 3 ? list[i] : before[i]);
		/* Guest table and host IOMMU agree on all 1024 entries. */
		for (uint64_t i = 0; i < 1024; i++) {
			uint64_t v = tvm_entry(&T, L, i);
			void *hva;
			uint32_t perm;

			ppcvirt_iommu_model_entry(m, i, &hva, &perm);
			if (!CHECK(hva == ((v & 3) ? T.ram + (v & ~0xfffull)
						   : NULL) &&
				   perm == (v & 3)))
				break;
		}
		ppcvirt_iommu_model_get_stats(m, &st);
		CHECK_EQ_U64(st.pins, st.mapped);
		CHECK_EQ(ppcvirt_vm_get_stats(T.vm, &vs), 0);
		CHECK(vs.declines[PPCVIRT_TIER_FAST][PPCVIRT_DECLINE_BACKEND] >=
		      times);
	}
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/*
 * Every fault point in every tier combination, during a random sequence
 * of hcalls on a linked table: the invariant holds after every call, and
 * the final table equals that of the same sequence run without faults.
 */
static void faults_everywhere(void)
{
	static const uint32_t tiers[] = {1, 2, 3};
	uint64_t ref[NENT];

	for (int pass = 0; pass < 1 + 3 * 2; pass++) {
		struct ppcvirt_iommu_group *g;
		struct ppcvirt_iommu_model *m = linked(16, 12, &g);
		uint64_t x = 0x2545f4914f6cdd1dull;

		if (pass > 0) {
			struct ppcvirt_fault f = {
				.tiers = tiers[(pass - 1) % 3],
				.point = (uint32_t)((pass - 1) / 3),
				.count = 0};

			CHECK_EQ(ppcvirt_vm_inject_fault(T.vm, &f), 0);
		}
		for (int i = 0; i < 300; i++) {
			uint64_t slot, n, list[16];

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			slot = (x >> 8) % NENT;
			n = 1 + (x >> 40) % 16;
			if (slot + n > NENT)
				slot = NENT - n;
			for (unsigned k = 0; k < n; k++)
				list[k] = ((x >> (k + 3)) & 1)
						  ? ((((x >> 20) + k) % 128)
						     << 16) |
							    ((x >> 50) % 3 + 1)
						  : 0;
			tvm_list(&T, LIST, list, (unsigned)n);
			switch (x % 3) {
			case 0:
				thc(&T, PPCVIRT_H_PUT_TCE, L,
				    BUS + (slot << 16), list[0], 0, NULL, NULL);
				break;
			case 1:
				thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L,
				    BUS + (slot << 16), LIST, n, NULL, NULL);
				break;
			default:
				thc(&T, PPCVIRT_H_STUFF_TCE, L,
				    BUS + (slot << 16), 0, n, NULL, NULL);
			}
			if (!agree(m, 16, 12))
				break;
		}
		for (uint64_t i = 0; i < NENT; i++) {
			if (pass == 0)
				ref[i] = tvm_entry(&T, L, i);
			else if (!CHECK_EQ_U64(tvm_entry(&T, L, i), ref[i]))
				break;
		}
		CHECK_EQ(ppcvirt_vm_inject_fault(T.vm, NULL), 0);
		ppcvirt_iommu_group_put(g);
		tvm_fini(&T);
	}
}

/* Destroying tables and VMs leaves no pins behind. */
static void teardown_releases_pins(void)
{
	struct ppcvirt_iommu_geometry geo = {
		.page_shift = 12, .bus_offset = BUS, .entries = NENT << 4};
	struct ppcvirt_iommu_model_stats st;
	struct ppcvirt_iommu_group *g, *g2;
	struct ppcvirt_iommu_model *m = linked(16, 12, &g), *m2;

	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS, 0, NENT, NULL, NULL), 0);
	for (uint64_t i = 0; i < 32; i++)
		CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + (i << 16),
			     (i << 16) | RW, 0, NULL, NULL),
			 0);
	ppcvirt_iommu_model_get_stats(m, &st);
	CHECK_EQ_U64(st.mapped, 32 * 16);
	CHECK_EQ(ppcvirt_vm_remove_tce(T.vm, L), 0);
	ppcvirt_iommu_model_get_stats(m, &st);
	CHECK_EQ_U64(st.mapped, 0);
	CHECK_EQ_U64(st.pins, 0);
	/* Same through VM destroy, on a group linked to a new table. */
	CHECK_EQ(tvm_table(&T, L, 16, BUS, NENT), 0);
	CHECK_EQ(ppcvirt_iommu_model_create(&geo, T.ram, RAM, &m2, &g2), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), 0);
	CHECK_EQ(
		thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0x10000 | RW, 0, NULL, NULL),
		0);
	tvm_fini(&T);
	ppcvirt_iommu_model_get_stats(m2, &st);
	CHECK_EQ_U64(st.pins, 0);
	CHECK_EQ_U64(st.mapped, 0);
	ppcvirt_iommu_group_put(g2);
	ppcvirt_iommu_group_put(g);
}

/* Without pass-through: a decline after validation is redone by the next
 * tier. */
static void tiers_rerun_harmless(void)
{
	struct ppcvirt_fault f = {
		.tiers = 1, .point = PPCVIRT_FAULT_BEFORE_COMMIT, .count = 1};
	uint64_t list[16];
	struct ppcvirt_stats st;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&T, L, 12, 0, 64), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, 0, 0x40, 64, NULL, NULL), 0);
	for (unsigned i = 0; i < 16; i++)
		list[i] = ((uint64_t)(i + 1) << 12) | RW;
	tvm_list(&T, LIST, list, 16);
	CHECK_EQ(ppcvirt_vm_inject_fault(T.vm, &f), 0);
	CHECK_EQ(
		thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L, 0, LIST, 16, NULL, NULL),
		0);
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ_U64(tvm_entry(&T, L, i), list[i]);
	CHECK_EQ_U64(tvm_entry(&T, L, 16), 0x40);
	CHECK_EQ(ppcvirt_vm_get_stats(T.vm, &st), 0);
	CHECK_EQ_U64(st.declines[PPCVIRT_TIER_FAST][PPCVIRT_DECLINE_INJECTED],
		     1);
	/* count = 1: disarmed now, the next call stays in the fast tier. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(ppcvirt_vm_get_stats(T.vm, &st), 0);
	CHECK_EQ_U64(st.completed[PPCVIRT_TIER_FAST], 1);
	f.point = 7;
	CHECK_EQ(ppcvirt_vm_inject_fault(T.vm, &f), -EINVAL);
	tvm_fini(&T);
}

static const struct test_case tests[] = {
	TEST(link_rules),
	TEST(subpages_two_groups),
	TEST(unregistered_goes_to_vmm),
	TEST(busy_backend_declines_fast),
	TEST(indirect_fails_midway),
	TEST(faults_everywhere),
	TEST(teardown_releases_pins),
	TEST(tiers_rerun_harmless),
};

TEST_MAIN(tests)
