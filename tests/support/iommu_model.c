/* SPDX-License-Identifier: MIT */
/*
 * An in-process model of a host IOMMU (iommu_model.h): a sorted array of
 * mappings with the rules of VFIO type1v2 and the iommufd IOAS, a pin
 * count per 4 KiB host page, limits, and injectable failures.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "iommu_model.h"

struct mapping {
	uint64_t iova, len;
	uint8_t *hva;
	uint32_t perm;
};

struct iommu_model {
	pthread_mutex_t lock;
	struct iommu_model_config cfg;
	struct ppcvirt_iova_range *ranges;
	uint64_t granule;
	struct mapping *maps; /* sorted by iova, disjoint */
	size_t n, cap;
	uint32_t *pins; /* per 4 KiB page of the host memory */
	uint64_t pinned;
	_Atomic uint64_t map_calls, unmap_calls, busy, rejected;
	uint64_t fail_nth, fail_left, fail_times;
	int fail_err, fail_unmap;
	void (*on_map)(void *);
	void *on_map_opaque;
	const uint8_t *fail_hva;
	uint64_t fail_len, fail_host_times;
	int fail_host_err;
};

/* Index of the first mapping ending after @iova. */
static size_t lower(const struct iommu_model *m, uint64_t iova)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->maps[mid].iova + m->maps[mid].len - 1 < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void pin(struct iommu_model *m, const uint8_t *hva, uint64_t len, int d)
{
	uint64_t off = (uint64_t)(hva - (uint8_t *)m->cfg.host_base);

	for (uint64_t p = 0; p < len; p += 4096)
		m->pins[(off + p) >> 12] += (uint32_t)d;
	if (d > 0)
		m->pinned += len >> 12;
	else
		m->pinned -= len >> 12;
}

static int lock(struct iommu_model *m, unsigned flags)
{
	if (flags & PPCVIRT_IOMMU_MAY_BLOCK) {
		pthread_mutex_lock(&m->lock);
		return 0;
	}
	if (pthread_mutex_trylock(&m->lock) == 0)
		return 0;
	atomic_fetch_add(&m->busy, 1);
	return -EAGAIN;
}

static int reject(struct iommu_model *m, int err)
{
	atomic_fetch_add(&m->rejected, 1);
	return err;
}

static bool in_ranges(const struct iommu_model *m, uint64_t iova, uint64_t last)
{
	for (uint32_t i = 0; i < m->cfg.nranges; i++)
		if (iova >= m->ranges[i].start && last <= m->ranges[i].last)
			return true;
	return false;
}

static int model_map(void *be, uint64_t iova, uint64_t len, void *hva,
		     uint32_t perm, unsigned flags)
{
	struct iommu_model *m = be;
	uint8_t *base = m->cfg.host_base, *p = hva;
	uint64_t last, off;
	size_t i;
	int ret;

	if (m->on_map)
		m->on_map(m->on_map_opaque);
	ret = lock(m, flags);
	if (ret)
		return ret;
	atomic_fetch_add(&m->map_calls, 1);
	if (m->fail_nth && --m->fail_left == 0) {
		m->fail_left = m->fail_nth;
		if (m->fail_times != UINT64_MAX && --m->fail_times == 0)
			m->fail_nth = 0;
		ret = m->fail_err;
		goto out;
	}
	if (m->fail_len && p < m->fail_hva + m->fail_len &&
	    m->fail_hva < p + len) {
		if (m->fail_host_times != UINT64_MAX &&
		    --m->fail_host_times == 0)
			m->fail_len = 0;
		ret = m->fail_host_err;
		goto out;
	}
	if (!len || !perm || (perm & ~3u) ||
	    ((iova | len) & (m->granule - 1)) ||
	    ((uintptr_t)p & (m->granule - 1)) ||
	    __builtin_add_overflow(iova, len - 1, &last) ||
	    !in_ranges(m, iova, last)) {
		ret = reject(m, -EINVAL);
		goto out;
	}
	off = (uint64_t)(p - base);
	if (p < base || off >= m->cfg.host_len || len > m->cfg.host_len - off) {
		ret = reject(m, -EFAULT);
		goto out;
	}
	i = lower(m, iova);
	if (i < m->n && m->maps[i].iova <= last) {
		ret = reject(m, -EEXIST);
		goto out;
	}
	if (m->cfg.max_mappings && m->n >= m->cfg.max_mappings) {
		ret = -ENOSPC;
		goto out;
	}
	if (m->cfg.memlock_pages &&
	    m->pinned + (len >> 12) > m->cfg.memlock_pages) {
		ret = -ENOMEM;
		goto out;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct mapping *nw = realloc(m->maps, cap * sizeof(*nw));

		if (!nw) {
			ret = -ENOMEM;
			goto out;
		}
		m->maps = nw;
		m->cap = cap;
	}
	memmove(&m->maps[i + 1], &m->maps[i], (m->n - i) * sizeof(m->maps[0]));
	m->maps[i] = (struct mapping){
		.iova = iova, .len = len, .hva = p, .perm = perm};
	m->n++;
	pin(m, p, len, 1);
out:
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static int model_unmap(void *be, uint64_t iova, uint64_t len, unsigned flags)
{
	struct iommu_model *m = be;
	size_t i;
	int ret = lock(m, flags);

	if (ret)
		return ret;
	atomic_fetch_add(&m->unmap_calls, 1);
	if (m->fail_unmap) {
		ret = m->fail_unmap;
		goto out;
	}
	i = lower(m, iova);
	if (i == m->n || m->maps[i].iova != iova || m->maps[i].len != len) {
		ret = reject(m, -EINVAL); /* not exactly one mapping */
		goto out;
	}
	pin(m, m->maps[i].hva, len, -1);
	memmove(&m->maps[i], &m->maps[i + 1],
		(m->n - i - 1) * sizeof(m->maps[0]));
	m->n--;
out:
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static void model_release(void *be)
{
	struct iommu_model *m = be;

	pthread_mutex_destroy(&m->lock);
	free(m->maps);
	free(m->pins);
	free(m->ranges);
	free(m);
}

static const struct ppcvirt_iommu_ops model_ops = {
	.version = PPCVIRT_IOMMU_OPS_VERSION,
	.map = model_map,
	.unmap = model_unmap,
	.release = model_release,
};

static const struct ppcvirt_iommu_ops model_ops_sleeping = {
	.version = PPCVIRT_IOMMU_OPS_VERSION,
	.flags = PPCVIRT_IOMMU_SLEEPS,
	.map = model_map,
	.unmap = model_unmap,
	.release = model_release,
};

int iommu_model_create(const struct iommu_model_config *cfg,
		       struct iommu_model **mp, struct ppcvirt_iommu_group **g)
{
	static const struct ppcvirt_iova_range all = {0, UINT64_MAX};
	struct ppcvirt_iommu_geometry geo = {.size = sizeof(geo)};
	struct iommu_model *m;
	int ret;

	if (!cfg || !mp || !g || !cfg->host_base || !cfg->host_len ||
	    (cfg->host_len & 0xfff) || ((uintptr_t)cfg->host_base & 0xfff))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	if (!m->cfg.pgsize_bitmap)
		m->cfg.pgsize_bitmap = 4096;
	if (!m->cfg.ranges) {
		m->cfg.ranges = &all;
		m->cfg.nranges = 1;
	}
	m->granule = m->cfg.pgsize_bitmap & -m->cfg.pgsize_bitmap;
	m->ranges = malloc(m->cfg.nranges * sizeof(m->ranges[0]));
	m->pins = calloc(cfg->host_len >> 12, sizeof(m->pins[0]));
	if (!m->ranges || !m->pins || pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m->ranges);
		free(m->pins);
		free(m);
		return -ENOMEM;
	}
	memcpy(m->ranges, m->cfg.ranges, m->cfg.nranges * sizeof(m->ranges[0]));
	m->cfg.ranges = m->ranges;
	geo.nranges = m->cfg.nranges;
	geo.ranges = m->ranges;
	geo.pgsize_bitmap = m->cfg.pgsize_bitmap;
	geo.max_mappings = m->cfg.max_mappings;
	ret = ppcvirt_iommu_group_create(
		cfg->sleeps ? &model_ops_sleeping : &model_ops, m, &geo, g);
	if (ret) {
		model_release(m);
		return ret;
	}
	*mp = m;
	return 0;
}

int iommu_model_lookup(struct iommu_model *m, uint64_t iova, void **hva,
		       uint32_t *perm)
{
	size_t i;
	int ret = -ENOENT;

	pthread_mutex_lock(&m->lock);
	i = lower(m, iova);
	if (i < m->n && m->maps[i].iova <= iova) {
		if (hva)
			*hva = m->maps[i].hva + (iova - m->maps[i].iova);
		if (perm)
			*perm = m->maps[i].perm;
		ret = 0;
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

uint32_t iommu_model_pins(struct iommu_model *m, const void *hva)
{
	const uint8_t *p = hva, *base = m->cfg.host_base;
	uint32_t n = 0;

	pthread_mutex_lock(&m->lock);
	if (p >= base && (uint64_t)(p - base) < m->cfg.host_len)
		n = m->pins[(uint64_t)(p - base) >> 12];
	pthread_mutex_unlock(&m->lock);
	return n;
}

void iommu_model_get_stats(struct iommu_model *m, struct iommu_model_stats *out)
{
	uint64_t pins = 0, bytes = 0;

	/* Recounted independently of the running totals, so that "pins ==
	 * pages of live mappings" is a real check. */
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++)
		bytes += m->maps[i].len;
	for (uint64_t p = 0; p < m->cfg.host_len >> 12; p++)
		pins += m->pins[p];
	out->mappings = m->n;
	pthread_mutex_unlock(&m->lock);
	out->mapped_bytes = bytes;
	out->pins = pins;
	out->map_calls = atomic_load(&m->map_calls);
	out->unmap_calls = atomic_load(&m->unmap_calls);
	out->busy = atomic_load(&m->busy);
	out->rejected = atomic_load(&m->rejected);
}

void iommu_model_fail(struct iommu_model *m, uint64_t nth, int error,
		      uint64_t times)
{
	pthread_mutex_lock(&m->lock);
	m->fail_nth = nth;
	m->fail_left = nth;
	m->fail_times = times ? times : UINT64_MAX;
	m->fail_err = error ? error : -EIO;
	pthread_mutex_unlock(&m->lock);
}

void iommu_model_fail_host(struct iommu_model *m, const void *hva, uint64_t len,
			   int error, uint64_t times)
{
	pthread_mutex_lock(&m->lock);
	m->fail_hva = hva;
	m->fail_len = len;
	m->fail_host_times = times ? times : UINT64_MAX;
	m->fail_host_err = error ? error : -EIO;
	pthread_mutex_unlock(&m->lock);
}

void iommu_model_fail_unmap(struct iommu_model *m, int error)
{
	pthread_mutex_lock(&m->lock);
	m->fail_unmap = error;
	pthread_mutex_unlock(&m->lock);
}

void iommu_model_on_map(struct iommu_model *m, void (*fn)(void *), void *opaque)
{
	m->on_map = fn;
	m->on_map_opaque = opaque;
}

void iommu_model_hold(struct iommu_model *m, bool hold)
{
	if (hold)
		pthread_mutex_lock(&m->lock);
	else
		pthread_mutex_unlock(&m->lock);
}
