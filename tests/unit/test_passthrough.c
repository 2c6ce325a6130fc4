/* SPDX-License-Identifier: MIT */
/*
 * Pass-through linkage against the host IOMMU model, which enforces the
 * kernel's rules (tests/support/iommu_model.h: no overwriting map, no
 * bisecting unmap, limits, pins).
 *
 * What is checked comes from the contract in include/ppcvirt/iommu.h: after
 * every call the host maps exactly what the guest-visible table maps
 * (tvm_agree), with one pin per mapped page; contiguous updates become one
 * mapping; an entry the guest did not change is never unmapped except
 * when an update splits an extent (counted as collateral); back-end
 * failures fail closed. Also the holes found in the old linkage: slots
 * under pass-through memory, ppcvirt_tce_put on a linked table, entries
 * written through the mmap before the link, two tables with one window in
 * one group.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ppcvirt/iommu.h>
#include "testing/testing.h"
#include "iommu_model.h"

#include "support.h"
#include "test.h"

#define RW   (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define L    0x80000001ull
#define L2   0x80000002ull
#define BUS  (1ull << 32)
#define NENT 1024ull
#define RAM  (16ull << 20)
#define REG  (8ull << 20) /* registered: the first 8 MiB */
#define LIST 0xff0000ull  /* list page (in RAM, not registered) */

static struct tvm T;

static struct iommu_model *model(const struct iommu_model_config *over,
				 struct ppcvirt_iommu_group **g)
{
	struct iommu_model_config cfg = {.host_base = T.ram, .host_len = RAM};
	struct iommu_model *m = NULL;

	if (over) {
		cfg = *over;
		cfg.host_base = T.ram;
		cfg.host_len = RAM;
	}
	CHECK_EQ(iommu_model_create(&cfg, &m, g), 0);
	return m;
}

/* A VM, a table of NENT 2^@shift pages at BUS, registered memory, a model
 * linked to it, every table page backed (see populate()). */
static struct iommu_model *linked(unsigned shift,
				  const struct iommu_model_config *over,
				  struct ppcvirt_iommu_group **g)
{
	struct iommu_model *m;
	struct ppcvirt_tce_info info;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&T, L, shift, BUS, NENT), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0, REG), 0);
	m = model(over, g);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, *g, 0), 0);
	/*
	 * Back every table page with a poison entry (no permission, so
	 * nothing is mapped): the first write into a fresh table page is
	 * always the slow tier's (it allocates), which would hide the
	 * declines tests look for.
	 */
	CHECK_EQ(ppcvirt_vm_tce_info(T.vm, L, &info), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS, 0x4000, NENT, NULL, NULL),
		 0);
	return m;
}

static void stats(struct ppcvirt_iommu_group *g, struct ppcvirt_iommu_stats *s)
{
	CHECK_EQ(ppcvirt_iommu_group_stats(g, s), 0);
}

static void link_rules(void)
{
	static const struct ppcvirt_iova_range low = {0, (1ull << 39) - 1};
	struct iommu_model_config small = {.ranges = &low, .nranges = 1};
	struct iommu_model_config big = {.pgsize_bitmap = 1ull << 21};
	struct iommu_model *m, *m2;
	struct ppcvirt_iommu_group *g, *g2;
	struct iommu_model_stats st;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&T, L, 16, BUS, NENT), 0);
	m = model(NULL, &g);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, 0x99, g, 0), -ENOENT);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 1), -EINVAL);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(NULL, L, g, 0), -EINVAL);
	/* An existing entry that is not guest memory (stored under the qemu
	 * profile, which does not check) cannot be linked; nothing stays
	 * mapped after the refusal. */
	CHECK_EQ(ppcvirt_vm_set_profile(T.vm, PPCVIRT_PROFILE_QEMU), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x30000, (RAM * 4) | RW, 0,
		     NULL, NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_set_profile(T.vm, PPCVIRT_PROFILE_STRICT), 0);
	CHECK_EQ(
		thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0x10000 | RW, 0, NULL, NULL),
		0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), -EFAULT);
	iommu_model_get_stats(m, &st);
	CHECK_EQ_U64(st.mappings, 0);
	CHECK_EQ_U64(st.pins, 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x30000, 0, 0, NULL, NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0, REG), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0x1000, 0x1000),
		 -EEXIST);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, RAM, 0x1000), -EINVAL);
	/* Linking maps what the table already maps. */
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), 0);
	CHECK(tvm_agree(&T, L, m));
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), -EBUSY);
	/* Mapped memory cannot be unregistered. */
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(T.vm, 0, REG), -EBUSY);
	/* A window outside the host's IOVA ranges: -ERANGE, and the message
	 * names the window and the ranges. */
	m2 = model(&small, &g2);
	CHECK_EQ(tvm_table(&T, L2, 12, 1ull << 59, 16), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L2, g2, 0), -ERANGE);
	CHECK(strstr(ppcvirt_last_error(), "0x800000000000000") != NULL);
	CHECK(strstr(ppcvirt_last_error(), "[0x0, 0x7fffffffff]") != NULL);
	ppcvirt_iommu_group_put(g2);
	/* Host pages (2M) bigger than the table's (64K). */
	m2 = model(&big, &g2);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), -EINVAL);
	ppcvirt_iommu_group_put(g2);
	(void)m2;
	/* One group, two tables over the same IOVAs: refused (their host
	 * entries would overwrite each other). A disjoint window is fine. */
	CHECK_EQ(ppcvirt_vm_remove_tce(T.vm, L2), 0);
	CHECK_EQ(tvm_table(&T, L2, 12, BUS + 0x100000, 16), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L2, g, 0), -EBUSY);
	CHECK_EQ(ppcvirt_vm_remove_tce(T.vm, L2), 0);
	CHECK_EQ(tvm_table(&T, L2, 12, BUS + (NENT << 16), 16), 0);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L2, g, 0), 0);
	/* Unlink clears; a second unlink finds nothing. */
	CHECK_EQ(ppcvirt_vm_unlink_iommu_group(T.vm, L, g), 0);
	CHECK_EQ(ppcvirt_vm_unlink_iommu_group(T.vm, L, g), -ENOENT);
	iommu_model_get_stats(m, &st);
	CHECK_EQ_U64(st.mappings, 0);
	CHECK_EQ_U64(st.rejected, 0);
	ppcvirt_iommu_group_put(g); /* still linked to L2 */
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(T.vm, 0, REG), 0);
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(T.vm, 0, REG), -ENOENT);
	tvm_fini(&T);
}

/* H_PUT_TCE_INDIRECT of 512 consecutive guest pages is one mapping; the
 * same call again changes nothing; rewriting one entry in the middle
 * splits it (collateral: the 511 entries the guest did not change). */
static void contiguous_is_one_mapping(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);
	struct iommu_model_stats a, b;
	struct ppcvirt_iommu_stats s;
	uint64_t list[512];

	for (unsigned i = 0; i < 512; i++)
		list[i] = ((0x100ull + i) << 12) | RW;
	tvm_list(&T, LIST, list, 512);
	iommu_model_get_stats(m, &a);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L, BUS, LIST, 512, NULL,
		     NULL),
		 0);
	iommu_model_get_stats(m, &b);
	CHECK_EQ_U64(b.map_calls - a.map_calls, 1);
	CHECK_EQ_U64(b.mappings, 1);
	CHECK(tvm_agree(&T, L, m));
	/* Idempotent re-run: nothing unmapped, nothing mapped. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L, BUS, LIST, 512, NULL,
		     NULL),
		 0);
	iommu_model_get_stats(m, &a);
	CHECK_EQ_U64(a.map_calls, b.map_calls);
	CHECK_EQ_U64(a.unmap_calls, b.unmap_calls);
	stats(g, &s);
	CHECK_EQ_U64(s.collateral, 0);
	/* One entry in the middle changes: the rest is collateral. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + (100 << 12), 0x7000 | RW,
		     0, NULL, NULL),
		 0);
	CHECK(tvm_agree(&T, L, m));
	stats(g, &s);
	CHECK_EQ_U64(s.collateral, 511);
	iommu_model_get_stats(m, &b);
	CHECK_EQ_U64(b.mappings, 3);
	/* Unmapping exactly what was mapped touches nothing else. */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS, 0, 100, NULL, NULL), 0);
	stats(g, &s);
	CHECK_EQ_U64(s.collateral, 511);
	CHECK(tvm_agree(&T, L, m));
	/* A DDW-style direct mapping of 8 MiB in INDIRECT calls of 512: one
	 * mapping per call, far below any mapping limit. */
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS, 0, NENT, NULL, NULL), 0);
	for (unsigned c = 0; c < NENT / 512; c++) {
		for (unsigned i = 0; i < 512; i++)
			list[i] = ((c * 512ull + i) << 12) | RW;
		tvm_list(&T, LIST, list, 512);
		CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L,
			     BUS + ((c * 512ull) << 12), LIST, 512, NULL, NULL),
			 0);
	}
	iommu_model_get_stats(m, &b);
	CHECK_EQ_U64(b.mappings, NENT / 512);
	CHECK_EQ_U64(b.rejected, 0);
	CHECK(tvm_agree(&T, L, m));
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/* 64K guest pages on a 4K host IOMMU; two groups at once; the same page
 * mapped at several IOBAs pinned once per mapping; unmapping what was
 * never mapped is harmless. */
static void bigger_pages_two_groups(void)
{
	struct ppcvirt_iommu_group *g, *g2;
	struct iommu_model *m = linked(16, NULL, &g), *m2;
	uint64_t list[4] = {0x20000 | RW, 0x30000 | PPCVIRT_TCE_READ, 0,
			    0x20000 | PPCVIRT_TCE_WRITE};

	m2 = model(NULL, &g2);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), 0);
	tvm_list(&T, LIST, list, 4);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L, BUS + 0x10000, LIST, 4,
		     NULL, NULL),
		 0);
	CHECK(tvm_agree(&T, L, m));
	CHECK(tvm_agree(&T, L, m2));
	CHECK_EQ(iommu_model_pins(m, T.ram + 0x20000), 2);
	CHECK_EQ(iommu_model_pins(m2, T.ram + 0x2f000), 2);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS + 0x50000, 0, 8, NULL,
		     NULL),
		 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS + 0x10000, 0, 4, NULL,
		     NULL),
		 0);
	CHECK(tvm_agree(&T, L, m));
	CHECK(tvm_agree(&T, L, m2));
	CHECK_EQ(iommu_model_pins(m, T.ram + 0x20000), 0);
	ppcvirt_iommu_group_put(g2); /* the link keeps it alive */
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T); /* destroys the table: unlinks and releases both */
}

/* A TCE outside registered memory declines to the VMM, which maps it. */
static void unregistered_goes_to_vmm(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);
	struct ppcvirt_stats st;
	bool exited = false;

	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, (REG + 0x1000) | RW, 0,
		     NULL, &exited),
		 0);
	CHECK(exited);
	CHECK(tvm_agree(&T, L, m));
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
	CHECK(tvm_agree(&T, L, m));
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/* A busy host IOMMU makes the fast tier decline; the slow tier waits. A
 * back end that sleeps is never called from the fast tier. */
static void busy_and_sleeping_backends(void)
{
	struct iommu_model_config sleeping = {.sleeps = true};
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);
	struct iommu_model_stats ms;
	struct ppcvirt_stats a, b;

	CHECK_EQ(ppcvirt_vm_tce_stats(T.vm, L, &a), 0);
	iommu_model_fail(m, 1, -EAGAIN, 1); /* a contended lock, once */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0x5000 | RW, 0, NULL, NULL),
		 0);
	CHECK(tvm_agree(&T, L, m));
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

	m = linked(12, &sleeping, &g);
	CHECK_EQ(ppcvirt_vm_tce_stats(T.vm, L, &a), 0);
	/* Holding the model's lock would make any non-blocking call fail;
	 * the fast tier must not even try. */
	iommu_model_hold(m, true);
	iommu_model_hold(m, false);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0x5000 | RW, 0, NULL, NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_tce_stats(T.vm, L, &b), 0);
	CHECK_EQ_U64(b.completed[PPCVIRT_TIER_SLOW] -
			     a.completed[PPCVIRT_TIER_SLOW],
		     1);
	iommu_model_get_stats(m, &ms);
	CHECK_EQ_U64(ms.busy, 0);
	CHECK(tvm_agree(&T, L, m));
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/*
 * INDIRECT of 300 entries in two runs, whose second run the host refuses:
 * in the fast tier only (the slow tier completes the call), in both engine
 * tiers (the VMM completes it), and in every tier (the guest gets
 * H_HARDWARE and the entries are unchanged: the first run was unmapped
 * again and the old mappings put back). Table and host agree every time.
 */
static void map_fails_midway(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);
	uint64_t list[300], before[300];

	for (uint64_t times = 1; times <= 3; times++) {
		/* Pages of the second run, used by no other iteration. */
		uint64_t run2 = 0x400 + times * 0x100;
		bool exited = false;

		for (unsigned i = 0; i < 300; i++)
			list[i] = ((i < 150 ? 0x100 + i + times * 7
					    : run2 + i - 150)
				   << 12) |
				  (times == 2 ? PPCVIRT_TCE_READ : RW);
		tvm_list(&T, LIST, list, 300);
		for (unsigned i = 0; i < 300; i++)
			before[i] = tvm_entry(&T, L, 100 + i);
		iommu_model_fail_host(m, T.ram + (run2 << 12), 150 << 12, -EIO,
				      times);
		CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L,
			     BUS + (100 << 12), LIST, 300, NULL, &exited),
			 times < 3 ? 0 : PPCVIRT_H_HARDWARE);
		CHECK(exited == (times >= 2));
		iommu_model_fail_host(m, NULL, 0, 0, 0);
		for (unsigned i = 0; i < 300; i++)
			CHECK_EQ_U64(tvm_entry(&T, L, 100 + i),
				     times < 3 ? list[i] : before[i]);
		CHECK(tvm_agree(&T, L, m));
	}
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/*
 * Fail closed: the map of the new value fails, and so does putting back
 * the old one (memory ran out meanwhile). The guest gets H_HARDWARE, the
 * old entry is cleared in the table (counted as lost), and table and host
 * agree: nothing mapped there on either side.
 */
static void restore_fails_closed(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);
	struct ppcvirt_iommu_stats s;

	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x5000, 0x9000 | RW, 0,
		     NULL, NULL),
		 0);
	CHECK(tvm_agree(&T, L, m));
	/* Every map from now fails: the new one and the old one's restore,
	 * in every tier. */
	iommu_model_fail(m, 1, -ENOMEM, 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x5000, 0xa000 | RW, 0,
		     NULL, NULL),
		 PPCVIRT_H_HARDWARE);
	iommu_model_fail(m, 0, 0, 0);
	CHECK_EQ_U64(tvm_entry(&T, L, 5), 0);
	stats(g, &s);
	CHECK_EQ_U64(s.lost, 1);
	CHECK(tvm_agree(&T, L, m));
	/* An unmap the host cannot do (the device went away): the update
	 * fails, and the old mapping and entry stay. */
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x6000, 0xb000 | RW, 0,
		     NULL, NULL),
		 0);
	iommu_model_fail_unmap(m, -ENODEV);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x6000, 0, 0, NULL, NULL),
		 PPCVIRT_H_HARDWARE);
	CHECK_EQ_U64(tvm_entry(&T, L, 6), 0xb000 | RW);
	CHECK(tvm_agree(&T, L, m));
	iommu_model_fail_unmap(m, 0);
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/*
 * Randomized differential test: random hcalls on a linked table (runs,
 * single entries, rewrites in the middle of extents, the same page at
 * several IOBAs, unmaps of what was never mapped, unregistered memory),
 * with engine faults (declines at entry and before commit, in random tiers)
 * and random back-end failures (map and restore). After every call the
 * host agrees with the table, and the model never saw a call that breaks
 * the kernel's rules.
 */
static void randomized_agreement(void)
{
	struct ppcvirt_iommu_group *g, *g2;
	struct iommu_model *m = linked(12, NULL, &g), *m2;
	struct iommu_model_stats st;
	uint64_t x = 0x2545f4914f6cdd1dull;
	int bad = 0;

	m2 = model(NULL, &g2);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g2, 0), 0);
	for (int i = 0; i < 3000 && !bad; i++) {
		uint64_t slot, n, list[48], base;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		slot = (x >> 8) % 96;
		n = 1 + (x >> 40) % 48;
		base = ((x >> 20) % 64) << 12;
		for (unsigned k = 0; k < n; k++) {
			unsigned kind = (unsigned)((x >> (k % 50)) & 7);

			if (kind < 2)
				list[k] = 0;
			else if (kind < 6) /* a run */
				list[k] = (base + ((uint64_t)k << 12)) | RW;
			else if (kind == 6) /* the same page again */
				list[k] = base | PPCVIRT_TCE_READ;
			else /* unregistered memory: the VMM maps it */
				list[k] = (REG + ((uint64_t)k << 12)) | RW;
		}
		if ((x >> 58) == 0) {
			struct ppcvirt_fault f = {
				.tiers = 1 + (uint32_t)((x >> 30) % 3),
				.point = (uint32_t)((x >> 33) % 2),
				.count = 1};

			CHECK_EQ(ppcvirt_vm_inject_fault(T.vm, &f), 0);
		}
		if ((x >> 56) % 16 == 1)
			iommu_model_fail((x & 1) ? m : m2, 1 + (x >> 50) % 3,
					 -ENOMEM, 1 + (x >> 45) % 3);
		tvm_list(&T, LIST, list, (unsigned)n);
		switch (x % 4) {
		case 0:
			thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + (slot << 12),
			    list[0], 0, NULL, NULL);
			break;
		case 1:
			thc(&T, PPCVIRT_H_STUFF_TCE, L, BUS + (slot << 12), 0,
			    n, NULL, NULL);
			break;
		default:
			thc(&T, PPCVIRT_H_PUT_TCE_INDIRECT, L,
			    BUS + (slot << 12), LIST, n, NULL, NULL);
		}
		iommu_model_fail(m, 0, 0, 0);
		iommu_model_fail(m2, 0, 0, 0);
		ppcvirt_vm_inject_fault(T.vm, NULL);
		if (!tvm_agree(&T, L, m) || !tvm_agree(&T, L, m2)) {
			printf("#   after call %d\n", i);
			bad = 1;
		}
	}
	iommu_model_get_stats(m, &st);
	CHECK_EQ_U64(st.rejected, 0);
	iommu_model_get_stats(m2, &st);
	CHECK_EQ_U64(st.rejected, 0);
	ppcvirt_iommu_group_put(g);
	ppcvirt_iommu_group_put(g2);
	tvm_fini(&T);
}

/* Tearing down the VM leaves no mapping and no pin. */
static void teardown_releases_pins(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);
	struct iommu_model_stats st;

	CHECK_EQ(
		thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0x10000 | RW, 0, NULL, NULL),
		0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS + 0x1000,
		     (REG + 0x3000) | RW, 0, NULL, NULL),
		 0);
	CHECK(tvm_agree(&T, L, m));
	tvm_fini(&T);
	iommu_model_get_stats(m, &st);
	CHECK_EQ_U64(st.mappings, 0);
	CHECK_EQ_U64(st.pins, 0);
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

/*
 * Memory under pass-through cannot move: deleting or replacing a slot
 * that holds registered memory, or pages the VMM tier mapped for a linked
 * table, is refused (the host IOMMU holds their host addresses; a DMA
 * through a stale one would be a use after free).
 */
static void slots_under_passthrough(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);
	struct ppcvirt_memory_region del = {.slot = 0};
	/* A second slot, unregistered: host memory the model can pin (the
	 * last MiB of the first slot's, seen at another guest address). */
	struct ppcvirt_memory_region extra = {
		.slot = 1,
		.guest_phys_addr = 1ull << 30,
		.memory_size = 1 << 20,
		.userspace_addr = (uintptr_t)T.ram + RAM - (1 << 20)};

	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &del), -EBUSY);
	CHECK_EQ(ppcvirt_vm_alloc_memory(T.vm, 0, 0, RAM, NULL, NULL), -EBUSY);
	/* The VMM tier maps it on demand. */
	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &extra), 0);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, (1ull << 30) | RW, 0, NULL,
		     NULL),
		 0);
	del.slot = 1;
	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &del), -EBUSY);
	CHECK_EQ(thc(&T, PPCVIRT_H_PUT_TCE, L, BUS, 0, 0, NULL, NULL), 0);
	CHECK_EQ(ppcvirt_vm_set_memory_region(T.vm, &del), 0);
	(void)m;
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/* ppcvirt_tce_put() on a linked table maps in the group too, and refuses
 * what it cannot map. */
static void tce_put_goes_through_links(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m = linked(12, NULL, &g);

	CHECK_EQ(ppcvirt_tce_put(T.vm, L, 3, 0x8000 | RW), 0);
	CHECK(tvm_agree(&T, L, m));
	CHECK_EQ(ppcvirt_tce_put(T.vm, L, 3, 0), 0);
	CHECK(tvm_agree(&T, L, m));
	CHECK_EQ(ppcvirt_tce_put(T.vm, L, 4, (RAM * 2) | RW), -EFAULT);
	CHECK_EQ_U64(tvm_entry(&T, L, 4), 0x4000);
	iommu_model_fail(m, 1, -ENOMEM, 0);
	CHECK_EQ(ppcvirt_tce_put(T.vm, L, 4, 0x8000 | RW), -EIO);
	iommu_model_fail(m, 0, 0, 0);
	CHECK_EQ_U64(tvm_entry(&T, L, 4), 0x4000);
	CHECK(tvm_agree(&T, L, m));
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

/* Entries another process wrote through the table's mmap before the link,
 * in table pages ppcvirt never touched, are mapped by the link. */
static void link_sees_mmap_writes(void)
{
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m;
	uint64_t *tab;
	int fd;

	tvm_init(&T, RAM, PPCVIRT_PROFILE_STRICT);
	{
		struct ppcvirt_create_spapr_tce_64 a = {.liobn = L,
							.page_shift = 12,
							.offset = BUS >> 12,
							.size = 1ull << 20};

		CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(T.vm, &a, &fd), 0);
	}
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(T.vm, 0, REG), 0);
	tab = mmap(NULL, 8ull << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(tab != MAP_FAILED);
	tab[700000] = 0x5000 | RW;
	tab[700001] = 0x6000 | RW;
	tab[5] = 0x7000 | PPCVIRT_TCE_READ;
	m = model(NULL, &g);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(T.vm, L, g, 0), 0);
	CHECK(tvm_agree(&T, L, m));
	{
		struct iommu_model_stats st;

		iommu_model_get_stats(m, &st);
		CHECK_EQ_U64(st.mapped_bytes, 3 * 4096);
	}
	munmap(tab, 8ull << 20);
	close(fd);
	ppcvirt_iommu_group_put(g);
	tvm_fini(&T);
}

static const struct test_case tests[] = {
	TEST(link_rules),
	TEST(contiguous_is_one_mapping),
	TEST(bigger_pages_two_groups),
	TEST(unregistered_goes_to_vmm),
	TEST(busy_and_sleeping_backends),
	TEST(map_fails_midway),
	TEST(restore_fails_closed),
	TEST(randomized_agreement),
	TEST(teardown_releases_pins),
	TEST(tiers_rerun_harmless),
	TEST(slots_under_passthrough),
	TEST(tce_put_goes_through_links),
	TEST(link_sees_mmap_writes),
};

TEST_MAIN(tests)
