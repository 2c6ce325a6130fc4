/* SPDX-License-Identifier: MIT */
/*
 * An in-process model of a host IOMMU: a pass-through back end for tests
 * and benchmarks (tests/support/iommu_model.c). Not part of the library.
 */
#ifndef PPCVIRT_TESTS_IOMMU_MODEL_H
#define PPCVIRT_TESTS_IOMMU_MODEL_H

#include <stdint.h>

#include <ppcvirt/iommu.h>

/*
 * The in-process host IOMMU model: its own table of host addresses, pin
 * counts per host page (a page is pinned once per live mapping of it),
 * invalidation counts, and injectable failures. Thread-safe; calls made
 * without PPCVIRT_IOMMU_MAY_BLOCK never wait for its lock (-EAGAIN).
 */
struct ppcvirt_iommu_model;

struct ppcvirt_iommu_model_stats {
	uint64_t mapped;	/* host entries holding a mapping (recount) */
	uint64_t pins;		/* pins held, in host IOMMU pages (recount) */
	uint64_t invalidations; /* invalidate calls */
	uint64_t updates;	/* update calls */
	uint64_t busy;		/* updates refused with -EAGAIN */
};

/**
 * ppcvirt_iommu_model_create() - a model host IOMMU of @geo, pinning host
 * memory in [host_base, host_base + host_len) only (-EFAULT elsewhere),
 * and its group handle (one reference, the caller's; the model is freed
 * when the group's last reference goes).
 *
 * Context: control plane.
 * Return: 0; -EINVAL; -ENOMEM.
 */
int
ppcvirt_iommu_model_create(const struct ppcvirt_iommu_geometry *geo,
			   void *host_base, uint64_t host_len,
			   struct ppcvirt_iommu_model **model_out,
			   struct ppcvirt_iommu_group **group_out);

/**
 * ppcvirt_iommu_model_entry() - what host entry @index maps.
 * Return: 0; -ERANGE.
 */
int ppcvirt_iommu_model_entry(struct ppcvirt_iommu_model *m,
					  uint64_t index, void **hva,
					  uint32_t *perm);

/** ppcvirt_iommu_model_pins() - pin count of the host page at @hva. */
uint32_t ppcvirt_iommu_model_pins(struct ppcvirt_iommu_model *m,
					      const void *hva);

void
ppcvirt_iommu_model_get_stats(struct ppcvirt_iommu_model *m,
			      struct ppcvirt_iommu_model_stats *out);

/**
 * ppcvirt_iommu_model_fail() - make the @nth next host entry programmed
 * (counting from 1, across update calls) fail with @error (e.g. -EIO, or
 * -EAGAIN to look busy), then every @nth entry after it, @times times in
 * all (0: for ever). @nth 0 disarms. Restores never fail and do not count.
 */
void ppcvirt_iommu_model_fail(struct ppcvirt_iommu_model *m,
					  uint64_t nth, int error,
					  uint64_t times);

#endif
