/* SPDX-License-Identifier: MIT */
/*
 * Pass-through: TCE tables linked to host IOMMUs.
 *
 * A host IOMMU "group" is one IOVA space of the host: a VFIO type1
 * container, an iommufd IOAS (include/ppcvirt/vfio.h), or any back end an
 * embedder writes against struct ppcvirt_iommu_ops. Linking a table to a
 * group (ppcvirt_vm_link_iommu_group(), like KVM's
 * KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE) makes the group follow the guest's
 * table on the window [bus_offset, bus_offset + (size << page_shift)),
 * with IOVA == IOBA: every guest TCE update on a linked table maps or
 * unmaps, in every linked group, the host memory behind the guest pages
 * the TCEs name, without a trip through the VMM.
 *
 * Guest memory a linked table maps must first be registered
 * (ppcvirt_vm_register_iommu_memory(), like VFIO's
 * SPAPR_REGISTER_MEMORY): the engine's fast and slow tiers map only
 * registered memory and hand anything else to the VMM tier, which maps
 * any guest memory.
 *
 * Mappings ("extents"). Per link, ppcvirt keeps the host mappings it
 * made: runs of consecutive entries written by one update whose guest
 * pages are consecutive in host memory, with the same permissions, each
 * one map() call. A back end only ever receives map() of a range that is
 * not mapped, and unmap() of exactly one extent it mapped before: the
 * rules of VFIO type1v2 (MAP never overwrites, UNMAP never bisects) and
 * of the iommufd IOAS. So H_PUT_TCE_INDIRECT of 512 consecutive guest
 * pages is one map() call, and a direct mapping of all guest RAM stays a
 * few extents per 512 entries.
 *
 * Invariants (tests check them under injected back-end failures and
 * concurrency; docs/passthrough.md has the details):
 *   - At every quiescent point, each linked group maps exactly what the
 *     guest-visible table maps: same IOVA, host page and permissions.
 *   - An entry the guest did not change is never unmapped, except when an
 *     update rewrites part of an extent: the rest of that extent is then
 *     unmapped and mapped again ("collateral", counted in
 *     struct ppcvirt_iommu_stats).
 *   - Fail closed: when the back end refuses a map, the guest gets a PAPR
 *     error (H_HARDWARE from the VMM tier) and the old mappings are put
 *     back; when even that fails, the affected entries are cleared in the
 *     guest-visible table too ("lost", counted), so the table never shows
 *     a mapping whose DMA would go nowhere, and the host never maps what
 *     the table does not show.
 *   - Unlinking, or destroying the table, leaves nothing mapped.
 */
#ifndef PPCVIRT_IOMMU_H
#define PPCVIRT_IOMMU_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ppcvirt_vm;

/* An inclusive range of IOVAs a group can map (as iommufd reports them). */
struct ppcvirt_iova_range {
	uint64_t start;
	uint64_t last;
};

/* The version of struct ppcvirt_iommu_ops this header describes. */
#define PPCVIRT_IOMMU_OPS_VERSION 1

/* struct ppcvirt_iommu_ops.flags */
/* map/unmap may sleep (they are system calls): the fast tier never calls
 * them and declines instead; the slow and VMM tiers do. */
#define PPCVIRT_IOMMU_SLEEPS 0x1u

/* The flags argument of map/unmap. */
/* The caller may block: set in the slow and VMM tiers and on the control
 * plane. Without it (fast tier) a back end must not sleep: it returns
 * -EAGAIN rather than wait, and the call goes to the next tier. */
#define PPCVIRT_IOMMU_MAY_BLOCK 0x1u

/**
 * struct ppcvirt_iommu_ops - a host IOMMU back end.
 * @version: PPCVIRT_IOMMU_OPS_VERSION the back end was written against;
 *           ppcvirt reads only the fields that version has, so later
 *           versions can add callbacks without breaking older back ends.
 * @flags:   PPCVIRT_IOMMU_SLEEPS.
 * @map:     map [iova, iova + len) to the host memory [hva, hva + len),
 *           readable by the device if @perm has PPCVIRT_TCE_READ and
 *           writable if it has PPCVIRT_TCE_WRITE (both may be set). The
 *           range is not mapped before the call. Return 0, or -errno with
 *           nothing of the range mapped: -ENOMEM (memory or the locked-
 *           memory limit), -ENOSPC (no mapping left), -EINVAL, -EFAULT,
 *           -EAGAIN (would block without PPCVIRT_IOMMU_MAY_BLOCK), -ENODEV
 *           (the host IOMMU is gone).
 * @unmap:   unmap exactly one range @map mapped before (same iova and
 *           len). Return 0, or -errno when the host IOMMU could not do it
 *           (the range then still counts as mapped).
 * @release: the last reference to the group is gone: free the back end.
 *           Optional.
 *
 * Callbacks run on the thread that made the library call, possibly inside
 * an RCU read-side section; they must not call back into ppcvirt's control
 * plane (such calls fail with -EDEADLK, docs/threading.md).
 */
struct ppcvirt_iommu_ops {
	uint32_t version;
	uint32_t flags;
	int (*map)(void *be, uint64_t iova, uint64_t len, void *hva,
		   uint32_t perm, unsigned flags);
	int (*unmap)(void *be, uint64_t iova, uint64_t len, unsigned flags);
	void (*release)(void *be);
};

/**
 * struct ppcvirt_iommu_geometry - what a group can map.
 * @size:          sizeof(struct ppcvirt_iommu_geometry).
 * @nranges:       entries at @ranges (1..PPCVIRT_IOMMU_MAX_RANGES).
 * @pgsize_bitmap: page sizes the IOMMU supports (bit n = 2^n bytes); the
 *                 smallest is the granule every mapping is aligned to.
 * @max_mappings:  most mappings the group can hold (VFIO type1's
 *                 dma_entry_limit), 0 when unknown or unlimited.
 * @ranges:        the IOVA ranges it can map (copied by
 *                 ppcvirt_iommu_group_create()).
 */
struct ppcvirt_iommu_geometry {
	uint32_t size;
	uint32_t nranges;
	uint64_t pgsize_bitmap;
	uint64_t max_mappings;
	const struct ppcvirt_iova_range *ranges;
	uint64_t reserved[4];
};

#define PPCVIRT_IOMMU_MAX_RANGES 64

struct ppcvirt_iommu_group;

/**
 * ppcvirt_iommu_group_create() - wrap a back end into a group handle, with
 * one reference owned by the caller.
 * @ops: the back end's callbacks; must stay valid while the group lives.
 * @be:  passed to every callback.
 *
 * Context: control plane.
 * Return: 0; -EINVAL (NULL ops/map/unmap/geo/out, a version of 0 or
 * newer than this header's, unknown flags, a geometry size too small,
 * reserved fields, no or too many ranges, a range with last < start, no
 * page size); -ENOMEM.
 */
PPCVIRT_API int
ppcvirt_iommu_group_create(const struct ppcvirt_iommu_ops *ops, void *be,
			   const struct ppcvirt_iommu_geometry *geo,
			   struct ppcvirt_iommu_group **out);

/**
 * ppcvirt_iommu_group_put() - drop the caller's reference. A group linked
 * to tables stays alive until the last link is gone; then ops->release
 * runs. NULL is a no-op.
 *
 * Context: control plane.
 */
PPCVIRT_API void ppcvirt_iommu_group_put(struct ppcvirt_iommu_group *g);

/* What ppcvirt did to a group (counters since it was created). */
struct ppcvirt_iommu_stats {
	uint64_t map_calls;	 /* ops->map calls */
	uint64_t unmap_calls;	 /* ops->unmap calls */
	uint64_t map_failures;	 /* ops->map calls that failed */
	uint64_t extents;	 /* live mappings now */
	uint64_t mapped_bytes;	 /* bytes mapped now */
	uint64_t entries_mapped; /* guest entries mapped (sum over updates) */
	uint64_t collateral;	 /* unchanged guest entries unmapped and mapped
				    again because an update split an extent */
	uint64_t lost;		 /* guest entries cleared because their old
				    mapping could not be put back */
};

/**
 * ppcvirt_iommu_group_stats() - read a group's counters.
 *
 * Context: any thread; a racy but monotonic snapshot.
 * Return: 0, -EINVAL.
 */
PPCVIRT_API int ppcvirt_iommu_group_stats(struct ppcvirt_iommu_group *g,
					  struct ppcvirt_iommu_stats *out);

/**
 * ppcvirt_iommu_group_geometry() - what a group can map: its IOVA ranges
 * (up to @n copied to @ranges), page sizes and mapping limit.
 * @geo: receives size, nranges (all of them, even beyond @n),
 *       pgsize_bitmap and max_mappings; its ranges pointer is set to
 *       @ranges.
 *
 * Context: any thread.
 * Return: 0; -EINVAL.
 */
PPCVIRT_API int
ppcvirt_iommu_group_geometry(const struct ppcvirt_iommu_group *g,
			     struct ppcvirt_iommu_geometry *geo,
			     struct ppcvirt_iova_range *ranges, size_t n);

#define PPCVIRT_IOMMU_LINK_FLAGS 0u /* no flags defined yet */

/**
 * ppcvirt_vm_link_iommu_group() - link @group to the table of @liobn: the
 * group maps, at IOVA == IOBA, what the table maps, from now on.
 * Everything the table maps now (written by hypercalls, by
 * ppcvirt_tce_put() or by another process through the table's mmap) is
 * mapped first.
 *
 * The walk of the table does not hold up hypercalls for its whole
 * length: it programs the group a chunk at a time, and hypercalls running
 * meanwhile update the part already walked.
 *
 * Context: control plane; hypercalls may run concurrently.
 * Return: 0; -ENOENT (no such table); -EINVAL (flags; the table's IOMMU
 * page is smaller than the group's smallest page); -ERANGE (the window is
 * not inside one of the group's IOVA ranges: ppcvirt_last_error() names
 * the window and the ranges); -EBUSY (already linked to this table, or
 * the group is linked to another table whose window overlaps this one);
 * -EFAULT (a current entry maps something that is not guest memory);
 * -ENOMEM, -ENOSPC and the back end's other errors (nothing stays mapped).
 */
PPCVIRT_API int ppcvirt_vm_link_iommu_group(struct ppcvirt_vm *vm,
					    uint64_t liobn,
					    struct ppcvirt_iommu_group *group,
					    uint32_t flags);

/**
 * ppcvirt_vm_unlink_iommu_group() - undo a link: the group's mappings for
 * this window are unmapped, and the link's reference dropped. Destroying
 * the table unlinks every group.
 *
 * Context: control plane.
 * Return: 0; -ENOENT (no table, or not linked); -EINVAL.
 */
PPCVIRT_API int
ppcvirt_vm_unlink_iommu_group(struct ppcvirt_vm *vm, uint64_t liobn,
			      struct ppcvirt_iommu_group *group);

/* Most registered ranges per VM (a VMM registers one per RAM block). */
#define PPCVIRT_MAX_IOMMU_REGIONS 4096

/**
 * ppcvirt_vm_register_iommu_memory() - like VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
 * [gpa, gpa + size) (guest memory of one slot, 4 KiB aligned) may be
 * mapped by linked tables from every tier. Unregistering memory that
 * linked tables still map is refused, and so is deleting or replacing a
 * memory slot that registered memory lies in.
 *
 * Context: control plane.
 * Return: 0; -EINVAL (alignment, size 0, not guest memory of one slot);
 * -EEXIST (overlaps a registered range); -ENOSPC (already
 * PPCVIRT_MAX_IOMMU_REGIONS ranges); -ENOENT (unregister: no such range);
 * -EBUSY (unregister: still mapped); -ENOMEM.
 */
PPCVIRT_API int ppcvirt_vm_register_iommu_memory(struct ppcvirt_vm *vm,
						 uint64_t gpa, uint64_t size);
PPCVIRT_API int ppcvirt_vm_unregister_iommu_memory(struct ppcvirt_vm *vm,
						   uint64_t gpa, uint64_t size);

#ifdef __cplusplus
}
#endif

#endif
