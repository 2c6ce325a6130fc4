/* SPDX-License-Identifier: MIT */
/*
 * Pass-through linkage (src/iommu/link.c): host IOMMU groups linked to
 * TCE tables, guest memory registered for pass-through, and the host side
 * of every TCE update on a linked table.
 */
#ifndef PPCVIRT_SRC_IOMMU_LINK_H
#define PPCVIRT_SRC_IOMMU_LINK_H

#include <ppcvirt/iommu.h>

#include "tce/tce.h"

struct ppcvirt_iommu_group {
	const struct ppcvirt_iommu_ops *ops;
	void *opaque;
	struct ppcvirt_iommu_geometry geo;
	_Atomic unsigned refs;
};

struct pcv_links {
	size_t n;
	struct ppcvirt_iommu_group *g[];
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
 * vals[i] (or @val), with roll-back on failure. Caller holds t->upd_lock.
 * Returns H_SUCCESS, PCV_TOO_HARD (c->why set) or, in the VMM tier,
 * H_HARDWARE / H_PARAMETER.
 */
PCV_INTERNAL long pcv_host_update(struct pcv_hctx *c, struct pcv_table *t,
				  const struct pcv_links *links, uint64_t first,
				  uint64_t n, const uint64_t *vals,
				  uint64_t val);
/* Take / release t->upd_lock: the fast tier only tries. */
PCV_INTERNAL bool pcv_upd_lock(struct pcv_table *t, bool try_only);
PCV_INTERNAL void pcv_upd_unlock(struct pcv_table *t);
/* Unlink every group (unmapping what the table mapped in it), then free.
 * The table must be unpublished and past a grace period. */
PCV_INTERNAL void pcv_table_destroy(struct ppcvirt_vm *vm, struct pcv_table *t);
/* Is any page of [gpa, gpa + size) registered for pass-through? */
PCV_INTERNAL bool pcv_regions_overlap(const struct pcv_regions *rs,
				      uint64_t gpa, uint64_t size);

#endif
