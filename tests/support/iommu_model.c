/* SPDX-License-Identifier: MIT */
/*
 * An in-process model of a host IOMMU, the first pass-through back end.
 *
 * It keeps what a powernv IODA2 table and the kernel's mm_iommu code keep
 * for a VFIO group: a table of host addresses with permissions, one pin
 * per live mapping of a host page (mm_iommu_mapped_inc/_dec), and counts
 * of updates and TCE-cache invalidations. Failures can be injected for the
 * n-th entry programmed, and a caller that may not block gets -EAGAIN
 * instead of waiting for the model's lock, which is how the engine's fast
 * tier meets a host IOMMU it cannot update without sleeping.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "iommu_model.h"

struct ppcvirt_iommu_model {
	pthread_mutex_t lock;
	struct ppcvirt_iommu_geometry geo;
	uint8_t *base; /* host memory that can be pinned */
	uint64_t len;
	uint64_t *tab;	/* hva | perm, 0 = unmapped */
	uint32_t *pins; /* per 4 KiB host page of [base, base + len) */
	_Atomic uint64_t invalidations, updates, busy;
	uint64_t fail_nth;   /* 0: disarmed */
	uint64_t fail_left;  /* entries until the next failure */
	uint64_t fail_times; /* failures still to come; UINT64_MAX: always */
	int fail_err;
};

static void unpin(struct ppcvirt_iommu_model *m, uint64_t e)
{
	uint64_t off = (uint64_t)((uint8_t *)(uintptr_t)(e & ~3ull) - m->base);

	for (uint64_t p = 0; p < (1ull << m->geo.page_shift); p += 4096)
		m->pins[(off + p) >> 12]--;
}

static int model_update(void *opaque, uint64_t first, uint64_t n,
			const struct ppcvirt_iommu_update *u, unsigned flags,
			uint64_t *done)
{
	struct ppcvirt_iommu_model *m = opaque;
	uint64_t hps = 1ull << m->geo.page_shift;
	int ret = 0;
	uint64_t i;

	*done = 0;
	if (flags & PPCVIRT_IOMMU_MAY_BLOCK) {
		pthread_mutex_lock(&m->lock);
	} else if (pthread_mutex_trylock(&m->lock) != 0) {
		atomic_fetch_add_explicit(&m->busy, 1, memory_order_relaxed);
		return -EAGAIN;
	}
	atomic_fetch_add_explicit(&m->updates, 1, memory_order_relaxed);
	if (first > m->geo.entries || n > m->geo.entries - first) {
		ret = -ERANGE;
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint64_t *e = &m->tab[first + i];
		uint8_t *hva = u[i].hva;

		if (!(flags & PPCVIRT_IOMMU_RESTORE) && m->fail_nth &&
		    --m->fail_left == 0) {
			m->fail_left = m->fail_nth;
			if (m->fail_times != UINT64_MAX && --m->fail_times == 0)
				m->fail_nth = 0;
			ret = m->fail_err;
			break;
		}
		if (u[i].perm) {
			uint64_t off = (uint64_t)(hva - m->base);

			/* Only whole pages of pinnable memory, aligned as
			 * host pages within it. */
			if (hva < m->base || off >= m->len ||
			    hps > m->len - off || (off & (hps - 1))) {
				ret = -EFAULT;
				break;
			}
			if (*e)
				unpin(m, *e);
			for (uint64_t p = 0; p < hps; p += 4096)
				m->pins[(off + p) >> 12]++;
			*e = (uint64_t)(uintptr_t)hva | (u[i].perm & 3);
		} else if (*e) {
			unpin(m, *e);
			*e = 0;
		}
	}
	*done = i;
out:
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static void model_invalidate(void *opaque, uint64_t first, uint64_t n)
{
	struct ppcvirt_iommu_model *m = opaque;

	(void)first;
	(void)n;
	atomic_fetch_add_explicit(&m->invalidations, 1, memory_order_relaxed);
}

static void model_release(void *opaque)
{
	struct ppcvirt_iommu_model *m = opaque;

	pthread_mutex_destroy(&m->lock);
	free(m->tab);
	free(m->pins);
	free(m);
}

static const struct ppcvirt_iommu_ops model_ops = {
	.update = model_update,
	.invalidate = model_invalidate,
	.release = model_release,
};

int ppcvirt_iommu_model_create(const struct ppcvirt_iommu_geometry *geo,
			       void *host_base, uint64_t host_len,
			       struct ppcvirt_iommu_model **model_out,
			       struct ppcvirt_iommu_group **group_out)
{
	struct ppcvirt_iommu_model *m;
	int ret;

	if (!geo || !model_out || !group_out || !host_base || !host_len ||
	    (host_len & 0xfff) || ((uintptr_t)host_base & 0xfff) ||
	    geo->entries == 0 || geo->entries > (1ull << 32))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->geo = *geo;
	m->base = host_base;
	m->len = host_len;
	m->tab = calloc(geo->entries, sizeof(m->tab[0]));
	m->pins = calloc(host_len >> 12, sizeof(m->pins[0]));
	if (!m->tab || !m->pins || pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m->tab);
		free(m->pins);
		free(m);
		return -ENOMEM;
	}
	ret = ppcvirt_iommu_group_create(&model_ops, m, geo, group_out);
	if (ret) {
		model_release(m);
		return ret;
	}
	*model_out = m;
	return 0;
}

int ppcvirt_iommu_model_entry(struct ppcvirt_iommu_model *m, uint64_t index,
			      void **hva, uint32_t *perm)
{
	uint64_t e;

	if (index >= m->geo.entries)
		return -ERANGE;
	pthread_mutex_lock(&m->lock);
	e = m->tab[index];
	pthread_mutex_unlock(&m->lock);
	if (hva)
		*hva = (void *)(uintptr_t)(e & ~3ull);
	if (perm)
		*perm = (uint32_t)(e & 3);
	return 0;
}

uint32_t ppcvirt_iommu_model_pins(struct ppcvirt_iommu_model *m,
				  const void *hva)
{
	const uint8_t *p = hva;
	uint32_t n = 0;

	pthread_mutex_lock(&m->lock);
	if (p >= m->base && (uint64_t)(p - m->base) < m->len)
		n = m->pins[(uint64_t)(p - m->base) >> 12];
	pthread_mutex_unlock(&m->lock);
	return n;
}

void ppcvirt_iommu_model_get_stats(struct ppcvirt_iommu_model *m,
				   struct ppcvirt_iommu_model_stats *out)
{
	uint64_t pins = 0, mapped = 0;

	/* Recounted from the table and the pin array, independently, so
	 * that "pins == live mappings" is a real check. */
	pthread_mutex_lock(&m->lock);
	for (uint64_t i = 0; i < m->geo.entries; i++)
		mapped += m->tab[i] != 0;
	for (uint64_t p = 0; p < m->len >> 12; p++)
		pins += m->pins[p];
	pthread_mutex_unlock(&m->lock);
	out->mapped = mapped;
	/* Each mapping pins every 4 KiB page of its host IOMMU page. */
	out->pins = pins >> (m->geo.page_shift - 12);
	out->invalidations = atomic_load(&m->invalidations);
	out->updates = atomic_load(&m->updates);
	out->busy = atomic_load(&m->busy);
}

void ppcvirt_iommu_model_fail(struct ppcvirt_iommu_model *m, uint64_t nth,
			      int error, uint64_t times)
{
	pthread_mutex_lock(&m->lock);
	m->fail_nth = nth;
	m->fail_left = nth;
	m->fail_times = times ? times : UINT64_MAX;
	m->fail_err = error ? error : -EIO;
	pthread_mutex_unlock(&m->lock);
}
