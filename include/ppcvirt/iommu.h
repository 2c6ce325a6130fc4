/* SPDX-License-Identifier: MIT */
/*
 * Pass-through (VFIO-like) linkage of TCE tables to host IOMMU groups.
 *
 * Mirrors KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE and the seed's {liobn, fd,
 * flags} linkage: a table linked to host IOMMU groups programs every group
 * on each guest TCE update, so a pass-through device's DMA follows the
 * guest's table without an exit to the VMM. Guest memory a linked table
 * maps must first be registered (VFIO_IOMMU_SPAPR_REGISTER_MEMORY): the
 * engine's tiers map only registered memory, and hand anything else to the
 * VMM tier, which may pin on demand (VFIO's v1 behaviour).
 *
 * A group is a back end behind struct ppcvirt_iommu_ops: the host IOMMU's
 * page size may be smaller than the guest's (one 64K guest entry is then
 * sixteen 4K host entries).
 *
 * Invariants ppcvirt keeps (tests check them under fault injection and
 * concurrency): at every quiescent point each linked group maps exactly
 * what the guest-visible table maps (same host addresses and permissions,
 * per host page); a failed update leaves table and groups as they were;
 * tables and groups unlinked or destroyed leave nothing mapped.
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

/* One host IOMMU entry to program. */
struct ppcvirt_iommu_update {
	void *hva;     /* host address of the page; NULL when unmapping */
	uint32_t perm; /* PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE; 0 unmaps */
	uint32_t pad;
};

/* Flags of ppcvirt_iommu_ops.update. */
#define PPCVIRT_IOMMU_MAY_BLOCK 0x1u /* slow tier or VMM: may sleep */
#define PPCVIRT_IOMMU_RESTORE	0x2u /* roll-back of a failed update */

struct ppcvirt_iommu_ops {
	/*
	 * Program host entries [first, first + n) of the group's table from
	 * @u, replacing (and releasing) what they held. Returns 0, or:
	 * -EAGAIN: would block and PPCVIRT_IOMMU_MAY_BLOCK is clear;
	 * other -errno: failed. On an error *done tells how many leading
	 * entries were programmed. With PPCVIRT_IOMMU_RESTORE the call must
	 * not fail (it puts back what was there before).
	 */
	int (*update)(void *group, uint64_t first, uint64_t n,
		      const struct ppcvirt_iommu_update *u, unsigned flags,
		      uint64_t *done);
	/* Flush the IOMMU's TCE cache for [first, first + n). */
	void (*invalidate)(void *group, uint64_t first, uint64_t n);
	/* The last reference to the group is gone. */
	void (*release)(void *group);
};

/* Geometry of a group's host table (VFIO_IOMMU_SPAPR_TCE_CREATE's). */
struct ppcvirt_iommu_geometry {
	uint32_t page_shift; /* host IOMMU page, <= the guest table's */
	uint32_t flags;	     /* must be 0 */
	uint64_t bus_offset; /* must equal the guest window's */
	uint64_t entries;    /* host entries; must cover the guest window */
};

struct ppcvirt_iommu_group;

/**
 * ppcvirt_iommu_group_create() - wrap a back end into a group handle, with
 * one reference owned by the caller.
 *
 * Context: control plane.
 * Return: 0; -EINVAL (NULL ops/update, flags, page_shift outside 12..34,
 * entries 0); -ENOMEM.
 */
PPCVIRT_API int
ppcvirt_iommu_group_create(const struct ppcvirt_iommu_ops *ops, void *group,
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

#define PPCVIRT_IOMMU_LINK_FLAGS 0u /* no flags defined yet */

/**
 * ppcvirt_vm_link_iommu_group() - link @group to the table of @liobn
 * (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE / the seed's linkage). Everything the
 * table maps now is programmed into the group first.
 *
 * Context: control plane; hypercalls may run concurrently.
 * Return: 0; -ENOENT (no such table); -EINVAL (flags, host page larger
 * than the guest's, different window start, host table too small, as
 * KVM's kvm_spapr_tce_attach_iommu_group); -EBUSY (already linked to this
 * table); -EFAULT (a current entry maps something that is not guest
 * memory; unregistered guest memory is pinned on demand, as the VMM tier
 * does); -ENOMEM; or the back end's error.
 */
PPCVIRT_API int ppcvirt_vm_link_iommu_group(struct ppcvirt_vm *vm,
					    uint64_t liobn,
					    struct ppcvirt_iommu_group *group,
					    uint32_t flags);

/**
 * ppcvirt_vm_unlink_iommu_group() - undo a link: the group's entries for
 * this window are unmapped, and the link's reference dropped. Destroying
 * the table unlinks every group.
 *
 * Context: control plane.
 * Return: 0; -ENOENT (no table, or not linked).
 */
PPCVIRT_API int
ppcvirt_vm_unlink_iommu_group(struct ppcvirt_vm *vm, uint64_t liobn,
			      struct ppcvirt_iommu_group *group);

/**
 * ppcvirt_vm_register_iommu_memory() - like VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
 * [gpa, gpa + size) (guest memory of one slot, 4 KiB aligned) may be
 * mapped by linked tables from every tier. Unregistering memory that
 * linked tables still map is refused.
 *
 * Context: control plane.
 * Return: 0; -EINVAL (alignment, size 0, not guest memory of one slot);
 * -EEXIST (overlaps a registered range); -ENOENT (unregister: no such
 * range); -EBUSY (unregister: still mapped); -ENOMEM.
 */
PPCVIRT_API int ppcvirt_vm_register_iommu_memory(struct ppcvirt_vm *vm,
						 uint64_t gpa, uint64_t size);
PPCVIRT_API int ppcvirt_vm_unregister_iommu_memory(struct ppcvirt_vm *vm,
						   uint64_t gpa, uint64_t size);

#ifdef __cplusplus
}
#endif

#endif
