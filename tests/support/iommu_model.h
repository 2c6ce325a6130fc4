/* SPDX-License-Identifier: MIT */
/*
 * An in-process model of a host IOMMU: a pass-through back end for tests
 * and benchmarks (tests/support/iommu_model.c), written against the public
 * struct ppcvirt_iommu_ops only. Not part of the library.
 *
 * It enforces what a real VFIO type1v2 container or iommufd IOAS enforces,
 * so that tests catch a link layer that would break on the real thing:
 * a map over anything already mapped is -EEXIST; an unmap that is not
 * exactly one earlier mapping is -EINVAL (no bisecting); IOVAs outside the
 * ranges and misaligned ranges are -EINVAL; more than max_mappings
 * mappings is -ENOSPC; more than memlock_pages pinned 4 KiB pages is
 * -ENOMEM (RLIMIT_MEMLOCK). Every mapped 4 KiB host page is pinned once
 * per mapping of it. Failures can be injected into the n-th map call, and
 * a caller that may not block gets -EAGAIN when the model is busy.
 */
#ifndef PPCVIRT_TESTS_IOMMU_MODEL_H
#define PPCVIRT_TESTS_IOMMU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <ppcvirt/iommu.h>

struct iommu_model;

struct iommu_model_config {
	uint64_t pgsize_bitmap;			 /* 0: 4 KiB only */
	const struct ppcvirt_iova_range *ranges; /* NULL: all 64-bit IOVAs */
	uint32_t nranges;
	bool sleeps;		/* report PPCVIRT_IOMMU_SLEEPS */
	uint64_t max_mappings;	/* 0: no limit */
	uint64_t memlock_pages; /* 0: no limit */
	void *host_base;	/* the only host memory that can be pinned */
	uint64_t host_len;
};

struct iommu_model_stats {
	uint64_t mappings;     /* live mappings (recount) */
	uint64_t mapped_bytes; /* bytes they cover (recount) */
	uint64_t pins;	       /* 4 KiB pins held (recount of the pin array) */
	uint64_t map_calls, unmap_calls;
	uint64_t busy;	   /* calls refused with -EAGAIN */
	uint64_t rejected; /* calls refused for breaking a kernel rule */
};

/* A model with @cfg and its group handle (one reference, the caller's; the
 * model is freed when the group's last reference goes). */
int iommu_model_create(const struct iommu_model_config *cfg,
		       struct iommu_model **m, struct ppcvirt_iommu_group **g);

/* What @iova maps: the host address of that byte and the permission.
 * Return: 0; -ENOENT when nothing maps it. */
int iommu_model_lookup(struct iommu_model *m, uint64_t iova, void **hva,
		       uint32_t *perm);

/* Pins held on the 4 KiB host page holding @hva. */
uint32_t iommu_model_pins(struct iommu_model *m, const void *hva);

void iommu_model_get_stats(struct iommu_model *m,
			   struct iommu_model_stats *out);

/* Make the @nth next map call fail with @error (e.g. -ENOMEM, -EIO,
 * -EAGAIN), then every @nth after it, @times times in all (0: for ever).
 * @nth 0 disarms. */
void iommu_model_fail(struct iommu_model *m, uint64_t nth, int error,
		      uint64_t times);

/* Make the map calls that would map any of host memory [hva, hva + len)
 * fail with @error, @times times (0: for ever; @len 0 disarms). */
void iommu_model_fail_host(struct iommu_model *m, const void *hva, uint64_t len,
			   int error, uint64_t times);

/* Make the unmap calls fail with @error from now on (0: stop): a host
 * IOMMU that went away. */
void iommu_model_fail_unmap(struct iommu_model *m, int error);

/* Call @fn(@opaque) at the start of every map call (outside the model's
 * lock): a back end that calls back into ppcvirt. NULL stops it. */
void iommu_model_on_map(struct iommu_model *m, void (*fn)(void *),
			void *opaque);

/* Take / release the model's lock from a test, so that non-blocking calls
 * find it busy. */
void iommu_model_hold(struct iommu_model *m, bool hold);

#endif
