/* SPDX-License-Identifier: MIT */
/*
 * Pass-through linkage (src/iommu/link.c): host IOMMU groups linked to
 * TCE tables, guest memory registered for pass-through, and the host side
 * of every TCE update on a linked table.
 *
 * Per link (one table, one group) ppcvirt keeps the mappings it made in
 * the group, as extents: [first, first + n) guest entries mapped at IOVA
 * bus_offset + (first << page_shift), n << page_shift bytes, from host
 * address hva, with one permission. Extents are disjoint and sorted by
 * first. A link mirrors the table only on entries [lo, hi): linking raises
 * hi from 0 to the table size a chunk at a time, unlinking raises lo the
 * same way, and updates program only the mirrored part, so neither walk
 * holds the table's update lock for the whole table.
 */
#ifndef PPCVIRT_SRC_IOMMU_LINK_H
#define PPCVIRT_SRC_IOMMU_LINK_H

#include <ppcvirt/iommu.h>

#include "tce/tce.h"

/* A window of a table linked to a group (overlap check). */
struct pcv_gwin {
	const struct pcv_table *t;
	uint64_t start, last; /* IOVAs, inclusive */
};

struct ppcvirt_iommu_group {
	const struct ppcvirt_iommu_ops *ops;
	void *be;
	uint32_t flags; /* ops->flags */
	uint32_t nranges;
	uint64_t pgsize_bitmap;
	uint64_t max_mappings;
	struct ppcvirt_iova_range *ranges;
	_Atomic unsigned refs;
	pthread_mutex_t lock; /* wins */
	struct pcv_gwin *wins;
	size_t nwins;
	struct {
		_Atomic uint64_t map_calls, unmap_calls, map_failures;
		_Atomic uint64_t extents, mapped_bytes, entries_mapped;
		_Atomic uint64_t collateral, lost;
	} st;
};

struct pcv_extent {
	uint64_t first; /* first guest entry */
	uint64_t n;	/* guest entries */
	uint8_t *hva;	/* host address of entry @first's page */
	uint32_t perm;	/* PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE */
};

struct pcv_link {
	struct ppcvirt_iommu_group *g;
	struct pcv_extent *ext; /* sorted, disjoint; under t->upd_lock */
	size_t next, cap;
	uint64_t lo, hi; /* entries [lo, hi) are mirrored in the group */
};

struct pcv_links {
	size_t n;
	struct pcv_link *l[];
};

/* Guest memory registered for pass-through, and its host address. */
struct pcv_region {
	uint64_t gpa, size;
	uint8_t *hva;
};

struct pcv_regions {
	size_t n;
	struct pcv_region r[];
};

/*
 * Program every group linked to @t for entries [first, first + n) getting
 * vals[i] (or @val), rolling back on failure (fail closed, iommu.h).
 * Caller holds t->upd_lock and writes the guest-visible table only on
 * H_SUCCESS. Returns H_SUCCESS, PCV_TOO_HARD (c->why set) or, in the VMM
 * tier, H_HARDWARE / H_PARAMETER.
 */
PCV_INTERNAL long pcv_host_update(struct pcv_hctx *c, struct pcv_table *t,
				  const struct pcv_links *links, uint64_t first,
				  uint64_t n, const uint64_t *vals,
				  uint64_t val);
/* Does any link of @ls sleep (fast tier must decline)? */
PCV_INTERNAL bool pcv_links_sleep(const struct pcv_links *ls);
/* Take / release t->upd_lock: the fast tier only tries; a thread inside a
 * library callback never waits (false). */
PCV_INTERNAL bool pcv_upd_lock(struct pcv_table *t, bool try_only);
PCV_INTERNAL void pcv_upd_unlock(struct pcv_table *t);
/* Unlink every group (unmapping what the table mapped in it), then free.
 * The table must be unpublished and past a grace period. */
PCV_INTERNAL void pcv_table_destroy(struct ppcvirt_vm *vm, struct pcv_table *t);
/* Does guest memory [gpa, gpa + size) hold registered memory, or pages a
 * linked table maps (host range [hva, hva + size))? Under vm->lock. */
PCV_INTERNAL bool pcv_links_pin(struct ppcvirt_vm *vm, uint64_t gpa,
				const uint8_t *hva, uint64_t size);
/* The back end of @g if it was created with @ops, else NULL. */
PCV_INTERNAL void *pcv_group_backend(const struct ppcvirt_iommu_group *g,
				     const struct ppcvirt_iommu_ops *ops);

#endif
