/* SPDX-License-Identifier: MIT */
/*
 * Pass-through linkage: host IOMMU groups linked to TCE tables
 * (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE), memory registered for pass-through
 * (VFIO_IOMMU_SPAPR_REGISTER_MEMORY), and the host side of every TCE
 * update on a linked table (include/ppcvirt/iommu.h states the contract,
 * docs/passthrough.md the reasoning).
 *
 * Extents. A real host IOMMU interface (VFIO type1v2, iommufd) never
 * overwrites a mapping and never unmaps part of one, and holds a limited
 * number of them, while a guest rewrites single TCEs at will and maps
 * whole RAM with INDIRECT calls of 512 pages. So each link keeps the
 * mappings it made as extents (link.h): one map() per run of entries an
 * update maps to consecutive host memory with one permission, one
 * unmap() per extent that an update changes.
 *
 * One update of entries [a, b) of one link (apply()):
 *   1. Every extent overlapping [a, b) is "kept" if the update leaves all
 *      its entries in [a, b) as they are (an idempotent re-run, the same
 *      INDIRECT again), else "broken".
 *   2. Broken extents are unmapped; their parts outside [a, b) are mapped
 *      again at once ("collateral": the one case where entries the guest
 *      did not change are unmapped for a moment; counted), and so are
 *      their unchanged entries inside [a, b).
 *   3. The entries of [a, b) not covered by kept extents are mapped in
 *      maximal runs.
 *   After apply() returns, successful or not, the link's extent array is
 *   exactly what the host maps: an extent enters it when map() succeeded
 *   and leaves it when unmap() did.
 *
 * One hypercall (pcv_host_update()), under the table's update lock, with
 * the guest-visible table still holding the old values:
 *   - apply() the new values to every link; if all succeed, the caller
 *     writes the table;
 *   - else revert: apply() the old values (read from the table) to every
 *     link, over every entry the forward pass touched. Entries whose old
 *     mapping cannot be restored are cleared in the table ("lost",
 *     counted) and unmapped in every link, so that table and host agree
 *     again (fail closed). The call fails.
 *
 * Links mirror only entries [lo, hi) of the table: ppcvirt_vm_link_*
 * raises hi a chunk at a time and unlink raises lo, each chunk under the
 * update lock, so vCPUs are held up for one chunk, not a whole table.
 * Updates program only the mirrored part; the walk reads the rest from the
 * table when it gets there.
 *
 * A table never linked has no link set (NULL) and its writers take no
 * lock; its first link publishes an empty set and waits for a grace
 * period, after which every writer locks.
 */
#define _GNU_SOURCE /* sched_yield */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "iommu/link.h"

/* Entries a link walk handles per hold of the update lock. */
#define WALK_CHUNK 4096
/* Extents an update may touch without a heap buffer (the fast tier never
 * allocates: it declines past this). */
#define STACK_EXTENTS 32

/* ---- groups ---------------------------------------------------------- */

PPCVIRT_API int
ppcvirt_iommu_group_create(const struct ppcvirt_iommu_ops *ops, void *be,
			   const struct ppcvirt_iommu_geometry *geo,
			   struct ppcvirt_iommu_group **out)
{
	struct ppcvirt_iommu_group *g;

	if (!ops || !geo || !out || ops->version == 0 ||
	    ops->version > PPCVIRT_IOMMU_OPS_VERSION || !ops->map ||
	    !ops->unmap || (ops->flags & ~PPCVIRT_IOMMU_SLEEPS) ||
	    geo->size < sizeof(*geo) || geo->nranges == 0 ||
	    geo->nranges > PPCVIRT_IOMMU_MAX_RANGES || !geo->ranges ||
	    geo->pgsize_bitmap == 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(geo->reserved) / sizeof(geo->reserved[0]);
	     i++)
		if (geo->reserved[i])
			return -EINVAL;
	for (uint32_t i = 0; i < geo->nranges; i++)
		if (geo->ranges[i].last < geo->ranges[i].start)
			return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ranges = malloc(geo->nranges * sizeof(g->ranges[0]));
	if (!g->ranges || pthread_mutex_init(&g->lock, NULL) != 0) {
		free(g->ranges);
		free(g);
		return -ENOMEM;
	}
	memcpy(g->ranges, geo->ranges, geo->nranges * sizeof(g->ranges[0]));
	g->ops = ops;
	g->be = be;
	g->flags = ops->flags;
	g->nranges = geo->nranges;
	g->pgsize_bitmap = geo->pgsize_bitmap;
	g->max_mappings = geo->max_mappings;
	atomic_init(&g->refs, 1);
	*out = g;
	return 0;
}

static void group_unref(struct ppcvirt_iommu_group *g)
{
	if (g && atomic_fetch_sub(&g->refs, 1) == 1) {
		if (g->ops->release) {
			pcv_cb_enter();
			g->ops->release(g->be);
			pcv_cb_exit();
		}
		pthread_mutex_destroy(&g->lock);
		free(g->wins);
		free(g->ranges);
		free(g);
	}
}

PPCVIRT_API void ppcvirt_iommu_group_put(struct ppcvirt_iommu_group *g)
{
	group_unref(g);
}

PPCVIRT_API int ppcvirt_iommu_group_stats(struct ppcvirt_iommu_group *g,
					  struct ppcvirt_iommu_stats *out)
{
	if (!g || !out)
		return -EINVAL;
	*out = (struct ppcvirt_iommu_stats){
		.map_calls = atomic_load(&g->st.map_calls),
		.unmap_calls = atomic_load(&g->st.unmap_calls),
		.map_failures = atomic_load(&g->st.map_failures),
		.extents = atomic_load(&g->st.extents),
		.mapped_bytes = atomic_load(&g->st.mapped_bytes),
		.entries_mapped = atomic_load(&g->st.entries_mapped),
		.collateral = atomic_load(&g->st.collateral),
		.lost = atomic_load(&g->st.lost),
	};
	return 0;
}

PPCVIRT_API int
ppcvirt_iommu_group_geometry(const struct ppcvirt_iommu_group *g,
			     struct ppcvirt_iommu_geometry *geo,
			     struct ppcvirt_iova_range *ranges, size_t n)
{
	if (!g || !geo || (n && !ranges))
		return -EINVAL;
	memset(geo, 0, sizeof(*geo));
	geo->size = sizeof(*geo);
	geo->nranges = g->nranges;
	geo->pgsize_bitmap = g->pgsize_bitmap;
	geo->max_mappings = g->max_mappings;
	geo->ranges = ranges;
	for (size_t i = 0; i < n && i < g->nranges; i++)
		ranges[i] = g->ranges[i];
	return 0;
}

void *pcv_group_backend(const struct ppcvirt_iommu_group *g,
			const struct ppcvirt_iommu_ops *ops)
{
	return g && g->ops == ops ? g->be : NULL;
}

bool pcv_links_sleep(const struct pcv_links *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		if (ls->l[i]->g->flags & PPCVIRT_IOMMU_SLEEPS)
			return true;
	return false;
}

/* ---- the update lock ------------------------------------------------- */

bool pcv_upd_lock(struct pcv_table *t, bool try_only)
{
	for (;;) {
		uint32_t free_ = 0;

		if (atomic_compare_exchange_weak_explicit(
			    &t->upd_lock, &free_, 1, memory_order_acquire,
			    memory_order_relaxed))
			return true;
		/* A callback of the holder calling back in would wait for
		 * itself for ever. */
		if (try_only || pcv_tls_callbacks)
			return false;
		/* Holders never block for long (one call's worth of back-end
		 * updates, or one chunk of a link walk), so yielding beats a
		 * sleeping lock that would make the fast tier's unlock a
		 * system call. */
		sched_yield();
	}
}

void pcv_upd_unlock(struct pcv_table *t)
{
	atomic_store_explicit(&t->upd_lock, 0, memory_order_release);
}

/* ---- back-end calls, with the counters -------------------------------- */

static int be_map(struct ppcvirt_iommu_group *g, const struct pcv_table *t,
		  const struct pcv_extent *e, unsigned flags)
{
	uint64_t len = e->n << t->page_shift;
	int ret;

	atomic_fetch_add_explicit(&g->st.map_calls, 1, memory_order_relaxed);
	pcv_cb_enter();
	ret = g->ops->map(g->be, t->bus_offset + (e->first << t->page_shift),
			  len, e->hva, e->perm, flags);
	pcv_cb_exit();
	if (ret) {
		atomic_fetch_add_explicit(&g->st.map_failures, 1,
					  memory_order_relaxed);
		return ret < 0 ? ret : -EIO;
	}
	atomic_fetch_add_explicit(&g->st.extents, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&g->st.mapped_bytes, len,
				  memory_order_relaxed);
	return 0;
}

static int be_unmap(struct ppcvirt_iommu_group *g, const struct pcv_table *t,
		    const struct pcv_extent *e, unsigned flags)
{
	uint64_t len = e->n << t->page_shift;
	int ret;

	atomic_fetch_add_explicit(&g->st.unmap_calls, 1, memory_order_relaxed);
	pcv_cb_enter();
	ret = g->ops->unmap(g->be, t->bus_offset + (e->first << t->page_shift),
			    len, flags);
	pcv_cb_exit();
	if (ret)
		return ret < 0 ? ret : -EIO;
	atomic_fetch_sub_explicit(&g->st.extents, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&g->st.mapped_bytes, len,
				  memory_order_relaxed);
	return 0;
}

/* ---- resolving guest pages to host memory ------------------------------ */

/* Host address of [gpa, gpa + len) in registered memory, or NULL. */
static uint8_t *region_hva(const struct pcv_regions *rs, uint64_t gpa,
			   uint64_t len)
{
	for (size_t i = 0; rs && i < rs->n; i++) {
		const struct pcv_region *r = &rs->r[i];
		uint64_t off;

		if (gpa < r->gpa)
			continue;
		off = gpa - r->gpa;
		if (off < r->size && len <= r->size - off)
			return r->hva + off;
	}
	return NULL;
}

/* Where the values an update applies come from. */
struct vsrc {
	const uint64_t *vals; /* vals[i - first], or NULL: @val */
	uint64_t val, first;
	struct pcv_table *table; /* non-NULL: the guest-visible table */
	bool clear;		 /* everything unmapped */
	bool lenient;		 /* a value naming no memory maps nothing
				    (else: -EFAULT) */
};

/* One update, shared by all links. */
struct upd {
	struct ppcvirt_vm *vm;
	struct pcv_table *t;
	const struct pcv_memslots *slots;
	const struct pcv_regions *rs;
	bool any;	/* any guest memory (else registered only) */
	bool fast;	/* no allocation, no sleeping back end */
	unsigned flags; /* map/unmap flags */
	uint64_t psize;
};

static uint64_t vsrc_get(const struct vsrc *s, uint64_t i)
{
	uint64_t v;

	if (s->clear)
		return 0;
	if (s->table) {
		pcv_entry_load(s->table, i, false, &v);
		return v;
	}
	return s->vals ? s->vals[i - s->first] : s->val;
}

/* What a TCE value maps: a host page and a permission, or nothing. -EFAULT
 * when it names memory it may not map. */
static int want_of(const struct upd *u, uint64_t v, uint8_t **hva,
		   uint32_t *perm)
{
	uint64_t gpa = v & ~(u->psize - 1);

	*perm = (uint32_t)(v & (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE));
	*hva = NULL;
	if (!*perm)
		return 0;
	*hva = u->any ? pcv_gpa_hva(u->slots, gpa, u->psize)
		      : region_hva(u->rs, gpa, u->psize);
	return *hva ? 0 : -EFAULT;
}

/* ---- extent arrays ------------------------------------------------------ */

/* Index of the first extent of @L that ends after entry @a. */
static size_t ext_lower(const struct pcv_link *L, uint64_t a)
{
	size_t lo = 0, hi = L->next;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pcv_extent *e = &L->ext[mid];

		if (e->first + e->n <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int ext_cmp(const void *x, const void *y)
{
	const struct pcv_extent *a = x, *b = y;

	return a->first < b->first ? -1 : a->first > b->first;
}

static int ext_reserve(struct pcv_link *L, size_t need, bool fast)
{
	struct pcv_extent *nw;
	size_t cap;

	if (need <= L->cap)
		return 0;
	if (fast)
		return -EAGAIN;
	cap = L->cap ? L->cap : 16;
	while (cap < need)
		cap *= 2;
	nw = realloc(L->ext, cap * sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	L->ext = nw;
	L->cap = cap;
	return 0;
}

/* Replace extents [i0, i1) of @L by the live ones of seg[0, n), sorted.
 * The array has room (ext_reserve). */
static void ext_splice(struct pcv_link *L, size_t i0, size_t i1,
		       struct pcv_extent *seg, size_t n)
{
	size_t live = 0;

	for (size_t k = 0; k < n; k++)
		if (seg[k].n)
			seg[live++] = seg[k];
	qsort(seg, live, sizeof(*seg), ext_cmp);
	memmove(&L->ext[i0 + live], &L->ext[i1],
		(L->next - i1) * sizeof(L->ext[0]));
	memcpy(&L->ext[i0], seg, live * sizeof(seg[0]));
	L->next = L->next - (i1 - i0) + live;
}

/* ---- applying values to one link ----------------------------------------- */

/*
 * Does extent @e map entry @i as value @v would? (Same permission, same
 * host page.)
 */
static bool ext_same(const struct upd *u, const struct pcv_extent *e,
		     uint64_t i, const uint8_t *hva, uint32_t perm)
{
	return perm == e->perm && hva == e->hva + (i - e->first) * u->psize;
}

/*
 * Make link @L map what @s says on entries [a, b) (clipped to the mirrored
 * part), as described at the top of this file. Returns 0 or the first
 * -errno (the array still matches the host, see above); -EAGAIN from the
 * fast tier when it would have to allocate or to sleep, before anything
 * changed.
 */
static int apply(struct upd *u, struct pcv_link *L, uint64_t a, uint64_t b,
		 const struct vsrc *s)
{
	struct ppcvirt_iommu_group *g = L->g;
	struct pcv_extent stack[STACK_EXTENTS], *seg = stack;
	size_t i0, i1, nold, n, cap, runs = 0, kk;
	uint64_t coll = 0, mapped = 0;
	int ret = 0;

	if (a < L->lo)
		a = L->lo;
	if (b > L->hi)
		b = L->hi;
	if (a >= b)
		return 0;
	i0 = ext_lower(L, a);
	i1 = i0;
	while (i1 < L->next && L->ext[i1].first < b)
		i1++;
	nold = i1 - i0;

	/* Plan: how many runs the values make, so that nothing is allocated
	 * once mapping started. New extents: the runs, each maybe cut in two
	 * by a kept extent, and at most two collateral pieces (only the first
	 * and the last old extent can reach outside [a, b)). */
	for (uint64_t i = a; i < b;) {
		struct pcv_extent run = {.first = i, .n = 1};

		if (want_of(u, vsrc_get(s, i), &run.hva, &run.perm) &&
		    !s->lenient)
			return -EFAULT;
		if (!run.hva) {
			i++;
			continue;
		}
		for (i++; i < b; i++, run.n++) {
			uint8_t *h2;
			uint32_t p2;

			want_of(u, vsrc_get(s, i), &h2, &p2);
			if (!ext_same(u, &run, i, h2, p2))
				break;
		}
		runs++;
	}
	cap = 2 * nold + 2 + runs;
	if (ext_reserve(L, L->next + cap, u->fast))
		return u->fast ? -EAGAIN : -ENOMEM;
	if (cap > STACK_EXTENTS) {
		if (u->fast)
			return -EAGAIN;
		seg = malloc(cap * sizeof(*seg));
		if (!seg)
			return -ENOMEM;
	}
	memcpy(seg, &L->ext[i0], nold * sizeof(*seg));
	n = nold;

	/* Unmap the broken extents; map their parts outside [a, b) again. */
	for (size_t k = 0; k < nold && ret == 0; k++) {
		struct pcv_extent e = seg[k], piece;
		uint64_t lo = e.first > a ? e.first : a;
		uint64_t hi = e.first + e.n < b ? e.first + e.n : b;
		uint64_t same = 0;

		for (uint64_t i = lo; i < hi; i++) {
			uint8_t *hva;
			uint32_t perm;

			want_of(u, vsrc_get(s, i), &hva, &perm);
			same += ext_same(u, &e, i, hva, perm);
		}
		if (same == hi - lo)
			continue; /* kept */
		ret = be_unmap(g, u->t, &e, u->flags);
		if (ret)
			break;
		seg[k].n = 0; /* gone */
		coll += same;
		if (e.first < a) {
			piece = e;
			piece.n = a - e.first;
			ret = be_map(g, u->t, &piece, u->flags);
			if (ret == 0) {
				seg[n++] = piece;
				coll += piece.n;
			}
		}
		if (ret == 0 && e.first + e.n > b) {
			piece = e;
			piece.first = b;
			piece.n = e.first + e.n - b;
			piece.hva = e.hva + (b - e.first) * u->psize;
			ret = be_map(g, u->t, &piece, u->flags);
			if (ret == 0) {
				seg[n++] = piece;
				coll += piece.n;
			}
		}
	}

	/* Map the runs of [a, b) that no kept extent covers. seg[0, nold)
	 * is sorted; kk is the first kept extent not yet passed. */
	kk = 0;
	for (uint64_t i = a; i < b && ret == 0;) {
		struct pcv_extent run = {.first = i, .n = 1};
		uint64_t stop = b;

		while (kk < nold &&
		       (!seg[kk].n || seg[kk].first + seg[kk].n <= i))
			kk++;
		if (kk < nold && seg[kk].first <= i) {
			i = seg[kk].first + seg[kk].n; /* kept */
			continue;
		}
		if (kk < nold && seg[kk].first < stop)
			stop = seg[kk].first;
		want_of(u, vsrc_get(s, i), &run.hva, &run.perm);
		if (!run.hva) {
			i++;
			continue;
		}
		for (i++; i < stop; i++, run.n++) {
			uint8_t *h2;
			uint32_t p2;

			want_of(u, vsrc_get(s, i), &h2, &p2);
			if (!ext_same(u, &run, i, h2, p2))
				break;
		}
		ret = be_map(g, u->t, &run, u->flags);
		if (ret == 0) {
			seg[n++] = run;
			mapped += run.n;
		}
	}
	ext_splice(L, i0, i1, seg, n);
	if (seg != stack)
		free(seg);
	if (coll)
		atomic_fetch_add_explicit(&g->st.collateral, coll,
					  memory_order_relaxed);
	atomic_fetch_add_explicit(&g->st.entries_mapped, mapped,
				  memory_order_relaxed);
	return ret;
}

/* Bounds [*lo, *hi) grown to every extent of @L overlapping them. */
static void ext_hull(const struct pcv_link *L, uint64_t *lo, uint64_t *hi)
{
	size_t i = ext_lower(L, *lo);

	if (i < L->next && L->ext[i].first < *lo)
		*lo = L->ext[i].first;
	while (i < L->next && L->ext[i].first < *hi)
		i++;
	if (i > 0 && L->ext[i - 1].first + L->ext[i - 1].n > *hi)
		*hi = L->ext[i - 1].first + L->ext[i - 1].n;
}

/* Does @L map entry @i as the table says? */
static bool link_agrees(const struct upd *u, const struct pcv_link *L,
			uint64_t i, uint64_t v)
{
	size_t k = ext_lower(L, i);
	const struct pcv_extent *e =
		k < L->next && L->ext[k].first <= i ? &L->ext[k] : NULL;
	uint8_t *hva;
	uint32_t perm;

	if (i < L->lo || i >= L->hi)
		return true;
	if (want_of(u, v, &hva, &perm))
		return !e;
	if (!hva)
		return !e;
	return e && ext_same(u, e, i, hva, perm);
}

/*
 * Make every link agree with the guest-visible table on [lo, hi) again
 * after a failed update: re-apply the table's values, then clear in the
 * table (and unmap everywhere) the entries some link could not map.
 */
static void revert(struct upd *u, const struct pcv_links *ls, uint64_t lo,
		   uint64_t hi)
{
	const struct vsrc tab = {.table = u->t, .lenient = true};
	struct vsrc zero = {.clear = true};
	uint64_t lost = 0;

	u->flags |= PPCVIRT_IOMMU_MAY_BLOCK; /* undo must not give up */
	u->fast = false;
	u->any = true; /* the old values were mapped before */
	for (size_t k = 0; k < ls->n; k++) {
		uint64_t a = lo, b = hi;

		ext_hull(ls->l[k], &a, &b);
		apply(u, ls->l[k], a, b, &tab);
	}
	for (uint64_t i = lo; i < hi; i++) {
		uint64_t v;
		bool ok = true;

		pcv_entry_load(u->t, i, false, &v);
		for (size_t k = 0; k < ls->n && ok; k++)
			ok = link_agrees(u, ls->l[k], i, v);
		if (ok)
			continue;
		/* Fail closed: nobody maps it, the table shows nothing. */
		atomic_store_explicit(&u->t->entries[i], 0,
				      memory_order_release);
		pcv_dirty_mark(u->t, i, 1);
		lost++;
		for (size_t k = 0; k < ls->n; k++) {
			zero.first = i;
			apply(u, ls->l[k], i, i + 1, &zero);
		}
	}
	for (size_t k = 0; lost && k < ls->n; k++)
		atomic_fetch_add_explicit(&ls->l[k]->g->st.lost, lost,
					  memory_order_relaxed);
	if (lost)
		pcv_log(u->vm, PPCVIRT_LOG_WARNING,
			"table 0x%" PRIx64 ": %" PRIu64
			" entries cleared: a host IOMMU refused to map them "
			"back after a failed update",
			u->t->liobn, lost);
}

long pcv_host_update(struct pcv_hctx *c, struct pcv_table *t,
		     const struct pcv_links *links, uint64_t first, uint64_t n,
		     const uint64_t *vals, uint64_t val)
{
	struct upd u = {
		.vm = c->vm,
		.t = t,
		.slots = c->slots,
		.rs = atomic_load_explicit(&c->vm->regions,
					   memory_order_acquire),
		.any = c->tier == PPCVIRT_TIER_VMM,
		.fast = c->fast,
		.flags = c->fast ? 0 : PPCVIRT_IOMMU_MAY_BLOCK,
		.psize = 1ull << t->page_shift,
	};
	const struct vsrc s = {.vals = vals, .val = val, .first = first};
	uint64_t lo = first, hi = first + n;
	int ret = 0;

	/* Every new mapping must resolve before any group is touched. */
	for (uint64_t i = 0; i < (vals ? n : 1); i++) {
		uint8_t *hva;
		uint32_t perm;

		if (want_of(&u, vals ? vals[i] : val, &hva, &perm)) {
			if (u.any)
				return PPCVIRT_H_PARAMETER; /* not RAM */
			c->why = PPCVIRT_DECLINE_UNREGISTERED;
			return PCV_TOO_HARD;
		}
	}
	for (size_t k = 0; k < links->n && ret == 0; k++) {
		struct pcv_link *L = links->l[k];
		uint64_t a = first, b = first + n;

		ext_hull(L, &a, &b);
		if (a < lo)
			lo = a;
		if (b > hi)
			hi = b;
		ret = apply(&u, L, first, first + n, &s);
	}
	if (pcv_likely(ret == 0))
		return PPCVIRT_H_SUCCESS;
	revert(&u, links, lo, hi);
	if (c->tier == PPCVIRT_TIER_VMM)
		return PPCVIRT_H_HARDWARE;
	c->why = PPCVIRT_DECLINE_BACKEND;
	return PCV_TOO_HARD;
}

/* ---- link and unlink ---------------------------------------------------- */

static struct pcv_links *links_with(const struct pcv_links *old,
				    struct pcv_link *add,
				    const struct pcv_link *drop)
{
	size_t n = old ? old->n : 0;
	struct pcv_links *nw = malloc(sizeof(*nw) + (n + 1) * sizeof(nw->l[0]));

	if (!nw)
		return NULL;
	nw->n = 0;
	for (size_t i = 0; i < n; i++)
		if (old->l[i] != drop)
			nw->l[nw->n++] = old->l[i];
	if (add)
		nw->l[nw->n++] = add;
	return nw;
}

static struct pcv_link *links_find(const struct pcv_links *l,
				   const struct ppcvirt_iommu_group *g)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->l[i]->g == g)
			return l->l[i];
	return NULL;
}

/* The IOVAs of @t's window, inclusive. */
static void window_of(const struct pcv_table *t, uint64_t *start,
		      uint64_t *last)
{
	*start = t->bus_offset;
	*last = ((t->offset + t->size) << t->page_shift) - 1;
}

static int check_window(const struct pcv_table *t,
			const struct ppcvirt_iommu_group *g)
{
	uint64_t start, last;
	char ranges[160] = "";
	size_t off = 0;

	if (t->page_shift < (unsigned)__builtin_ctzll(g->pgsize_bitmap)) {
		pcv_set_error("table 0x%" PRIx64 ": IOMMU pages of 2^%u bytes "
			      "are smaller than the host IOMMU's 0x%" PRIx64,
			      t->liobn, t->page_shift,
			      g->pgsize_bitmap & -g->pgsize_bitmap);
		return -EINVAL;
	}
	window_of(t, &start, &last);
	for (uint32_t i = 0; i < g->nranges; i++) {
		if (start >= g->ranges[i].start && last <= g->ranges[i].last)
			return 0;
		if (off < sizeof(ranges))
			off += (size_t)snprintf(
				ranges + off, sizeof(ranges) - off,
				"%s[0x%" PRIx64 ", 0x%" PRIx64 "]",
				i ? " " : "", g->ranges[i].start,
				g->ranges[i].last);
	}
	pcv_set_error("window [0x%" PRIx64 ", 0x%" PRIx64
		      "] of table 0x%" PRIx64
		      " is outside the host IOMMU's IOVA ranges %s",
		      start, last, t->liobn, ranges);
	return -ERANGE;
}

/* Claim the window of @t in @g (no other linked table may overlap it). */
static int gwin_add(struct ppcvirt_iommu_group *g, const struct pcv_table *t)
{
	struct pcv_gwin w = {.t = t}, *nw;
	int ret = 0;

	window_of(t, &w.start, &w.last);
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->nwins; i++) {
		if (g->wins[i].start <= w.last && w.start <= g->wins[i].last) {
			pcv_set_error(
				"window [0x%" PRIx64 ", 0x%" PRIx64
				"] overlaps the window of table 0x%" PRIx64
				" in the same host IOMMU",
				w.start, w.last, g->wins[i].t->liobn);
			ret = -EBUSY;
			goto out;
		}
	}
	nw = realloc(g->wins, (g->nwins + 1) * sizeof(*nw));
	if (!nw) {
		ret = -ENOMEM;
		goto out;
	}
	g->wins = nw;
	g->wins[g->nwins++] = w;
out:
	pthread_mutex_unlock(&g->lock);
	return ret;
}

static void gwin_drop(struct ppcvirt_iommu_group *g, const struct pcv_table *t)
{
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->nwins; i++) {
		if (g->wins[i].t == t) {
			g->wins[i] = g->wins[--g->nwins];
			break;
		}
	}
	pthread_mutex_unlock(&g->lock);
}

/* A control-plane update context for @t (maps any guest memory). */
static struct upd walk_upd(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	return (struct upd){
		.vm = vm,
		.t = t,
		.slots = atomic_load_explicit(&vm->slots, memory_order_acquire),
		.rs = atomic_load_explicit(&vm->regions, memory_order_acquire),
		.any = true,
		.flags = PPCVIRT_IOMMU_MAY_BLOCK,
		.psize = 1ull << t->page_shift,
	};
}

/*
 * Unmap everything @L maps, a chunk at a time under the update lock when
 * @locked (the table is live), raising L->lo so that updates meanwhile
 * leave the unmapped part alone. Unmap failures (the host IOMMU is gone)
 * drop the extent all the same: nothing else can be done with it.
 */
static void link_clear(struct pcv_table *t, struct pcv_link *L, bool locked)
{
	for (;;) {
		size_t k = 0;
		uint64_t lo;

		if (locked)
			pcv_upd_lock(t, false);
		lo = L->lo + WALK_CHUNK < L->lo ? UINT64_MAX
						: L->lo + WALK_CHUNK;
		while (k < L->next && L->ext[k].first < lo) {
			be_unmap(L->g, t, &L->ext[k], PPCVIRT_IOMMU_MAY_BLOCK);
			if (L->ext[k].first + L->ext[k].n > lo)
				lo = L->ext[k].first + L->ext[k].n;
			k++;
		}
		if (k) {
			memmove(L->ext, &L->ext[k],
				(L->next - k) * sizeof(L->ext[0]));
			L->next -= k;
		}
		L->lo = lo > L->hi ? L->hi : lo;
		if (locked)
			pcv_upd_unlock(t);
		if (L->lo >= L->hi)
			return;
	}
}

/*
 * Map into @L what the table maps, a chunk at a time under the update
 * lock, raising L->hi. Table pages are probed (SEEK_DATA on a memfd), so
 * entries another process wrote through the mmap are found too; pages
 * that are holes are skipped whole.
 */
static int link_fill(struct ppcvirt_vm *vm, struct pcv_table *t,
		     struct pcv_link *L)
{
	const uint64_t per_page = 1ull << t->tpage_shift;
	const struct vsrc tab = {.table = t};
	int ret = 0;

	while (L->hi < t->size && ret == 0) {
		uint64_t end = t->size - L->hi < WALK_CHUNK
				       ? t->size
				       : L->hi + WALK_CHUNK;
		struct upd u;

		pcv_rcu_lock();
		pcv_upd_lock(t, false);
		u = walk_upd(vm, t);
		/* Table page by table page: holes hold nothing to map and
		 * are skipped without reading them. */
		while (L->hi < end && ret == 0) {
			uint64_t a = L->hi, b = a;

			/* The run of backed pages from a (maybe empty). */
			while (b < end &&
			       pcv_tpage_probe(t, b >> t->tpage_shift))
				b = (b | (per_page - 1)) + 1;
			if (b > end)
				b = end;
			if (b == a) {
				b = (a | (per_page - 1)) + 1; /* a hole */
				L->hi = b > end ? end : b;
				continue;
			}
			L->hi = b;
			ret = apply(&u, L, a, b, &tab);
		}
		pcv_upd_unlock(t);
		pcv_rcu_unlock();
	}
	return ret;
}

PPCVIRT_API int ppcvirt_vm_link_iommu_group(struct ppcvirt_vm *vm,
					    uint64_t liobn,
					    struct ppcvirt_iommu_group *g,
					    uint32_t flags)
{
	struct pcv_links *old, *nw;
	struct pcv_link *L;
	struct pcv_table *t;
	int ret;

	if (!vm || !g || flags)
		return -EINVAL;
	ret = pcv_ctl_lock(&vm->lock);
	if (ret)
		return ret;
	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_relaxed), liobn);
	if (!t) {
		ret = -ENOENT;
		goto out;
	}
	ret = check_window(t, g);
	if (ret)
		goto out;
	old = atomic_load_explicit(&t->links, memory_order_relaxed);
	if (links_find(old, g)) {
		pcv_set_error("host IOMMU already linked to table 0x%" PRIx64,
			      liobn);
		ret = -EBUSY;
		goto out;
	}
	if (vm->be->link_group) {
		ret = vm->be->link_group(vm, t, g);
		if (ret)
			goto out;
	}
	ret = gwin_add(g, t);
	if (ret)
		goto out;
	L = calloc(1, sizeof(*L));
	if (!L) {
		gwin_drop(g, t);
		ret = -ENOMEM;
		goto out;
	}
	L->g = g;
	if (!old) {
		/* Switch the table's writers to locking mode first. */
		old = links_with(NULL, NULL, NULL);
		if (!old) {
			gwin_drop(g, t);
			free(L);
			ret = -ENOMEM;
			goto out;
		}
		atomic_store_explicit(&t->links, old, memory_order_release);
		pcv_rcu_synchronize();
	}
	nw = links_with(old, L, NULL);
	if (!nw) {
		gwin_drop(g, t);
		free(L);
		ret = -ENOMEM;
		goto out;
	}
	/* Published with nothing mirrored (lo = hi = 0): updates leave it
	 * alone until the walk has passed their entries. */
	atomic_fetch_add(&g->refs, 1);
	pcv_upd_lock(t, false);
	atomic_store_explicit(&t->links, nw, memory_order_release);
	pcv_upd_unlock(t);
	pcv_rcu_synchronize(); /* readers of the old set hold the RCU lock */
	free(old);
	ret = link_fill(vm, t, L);
	if (ret) {
		/* Take it back out; nothing it mapped stays. */
		link_clear(t, L, true);
		old = nw;
		nw = links_with(old, NULL, L);
		pcv_upd_lock(t, false);
		if (nw)
			atomic_store_explicit(&t->links, nw,
					      memory_order_release);
		else
			old->n--; /* L is last: shrink in place */
		pcv_upd_unlock(t);
		pcv_rcu_synchronize();
		if (nw)
			free(old);
		gwin_drop(g, t);
		free(L->ext);
		free(L);
		group_unref(g);
	}
out:
	pcv_ctl_unlock(&vm->lock);
	return ret;
}

PPCVIRT_API int ppcvirt_vm_unlink_iommu_group(struct ppcvirt_vm *vm,
					      uint64_t liobn,
					      struct ppcvirt_iommu_group *g)
{
	struct pcv_links *old, *nw;
	struct pcv_link *L;
	struct pcv_table *t;
	int ret;

	if (!vm || !g)
		return -EINVAL;
	ret = pcv_ctl_lock(&vm->lock);
	if (ret)
		return ret;
	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_relaxed), liobn);
	old = t ? atomic_load_explicit(&t->links, memory_order_relaxed) : NULL;
	L = links_find(old, g);
	if (!L) {
		ret = -ENOENT;
		goto out;
	}
	nw = links_with(old, NULL, L);
	if (!nw) {
		ret = -ENOMEM;
		goto out;
	}
	link_clear(t, L, true);
	pcv_upd_lock(t, false);
	atomic_store_explicit(&t->links, nw, memory_order_release);
	pcv_upd_unlock(t);
	pcv_rcu_synchronize();
	free(old);
	gwin_drop(g, t);
	free(L->ext);
	free(L);
	group_unref(g);
out:
	pcv_ctl_unlock(&vm->lock);
	return ret;
}

void pcv_table_destroy(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	struct pcv_links *ls;

	(void)vm;
	if (!t)
		return;
	ls = atomic_load_explicit(&t->links, memory_order_relaxed);
	for (size_t i = 0; ls && i < ls->n; i++) {
		struct pcv_link *L = ls->l[i];

		link_clear(t, L, false);
		gwin_drop(L->g, t);
		group_unref(L->g);
		free(L->ext);
		free(L);
	}
	free(ls);
	pcv_table_free(t);
}

/* ---- registered memory ----------------------------------------------- */

/* Does any link map a page of host memory [hva, hva + size)? */
static bool links_map_hva(struct ppcvirt_vm *vm, const uint8_t *hva,
			  uint64_t size)
{
	const struct pcv_tableset *ts =
		atomic_load_explicit(&vm->tables, memory_order_relaxed);

	for (size_t k = 0; ts && k < ts->n; k++) {
		struct pcv_table *t = ts->t[k];
		const struct pcv_links *ls =
			atomic_load_explicit(&t->links, memory_order_relaxed);
		bool hit = false;

		if (!ls || !ls->n)
			continue;
		pcv_upd_lock(t, false);
		for (size_t i = 0; i < ls->n && !hit; i++) {
			const struct pcv_link *L = ls->l[i];

			for (size_t e = 0; e < L->next && !hit; e++) {
				const uint8_t *p = L->ext[e].hva;
				uint64_t len = L->ext[e].n << t->page_shift;

				hit = p < hva + size && hva < p + len;
			}
		}
		pcv_upd_unlock(t);
		if (hit)
			return true;
	}
	return false;
}

bool pcv_links_pin(struct ppcvirt_vm *vm, uint64_t gpa, const uint8_t *hva,
		   uint64_t size)
{
	const struct pcv_regions *rs =
		atomic_load_explicit(&vm->regions, memory_order_relaxed);

	for (size_t i = 0; rs && i < rs->n; i++)
		if (rs->r[i].gpa < gpa + size &&
		    gpa < rs->r[i].gpa + rs->r[i].size)
			return true;
	return links_map_hva(vm, hva, size);
}

static int regions_update(struct ppcvirt_vm *vm, uint64_t gpa, uint64_t size,
			  bool add)
{
	struct pcv_regions *old, *nw;
	uint8_t *gone = NULL;
	uint64_t end;
	size_t n, hole = SIZE_MAX;
	bool found = false;
	int ret;

	if (!vm || size == 0 || ((gpa | size) & 0xfff) ||
	    __builtin_add_overflow(gpa, size, &end))
		return -EINVAL;
	ret = pcv_ctl_lock(&vm->lock);
	if (ret)
		return ret;
	old = atomic_load_explicit(&vm->regions, memory_order_relaxed);
	n = old ? old->n : 0;
	nw = malloc(sizeof(*nw) + (n + 1) * sizeof(nw->r[0]));
	if (!nw) {
		ret = -ENOMEM;
		goto out;
	}
	/* Kept in ascending order: saved that way, and loaded only so. */
	nw->n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pcv_region *r = &old->r[i];

		if (!add && r->gpa == gpa && r->size == size) {
			found = true;
			gone = r->hva;
			continue;
		}
		if (add && r->gpa < gpa + size && gpa < r->gpa + r->size) {
			ret = -EEXIST;
			goto out_free;
		}
		if (add && hole == SIZE_MAX && r->gpa > gpa)
			hole = nw->n++; /* the new range goes here */
		nw->r[nw->n++] = *r;
	}
	if (add) {
		uint8_t *hva = pcv_gpa_hva(
			atomic_load_explicit(&vm->slots, memory_order_relaxed),
			gpa, size);
		if (!hva) {
			ret = -EINVAL;
			goto out_free;
		}
		if (n >= PPCVIRT_MAX_IOMMU_REGIONS) {
			ret = -ENOSPC;
			goto out_free;
		}
		if (hole == SIZE_MAX)
			hole = nw->n++;
		nw->r[hole] = (struct pcv_region){
			.gpa = gpa, .size = size, .hva = hva};
	} else if (!found) {
		ret = -ENOENT;
		goto out_free;
	} else if (links_map_hva(vm, gone, size)) {
		ret = -EBUSY;
		goto out_free;
	}
	atomic_store_explicit(&vm->regions, nw, memory_order_release);
	pcv_rcu_synchronize();
	free(old);
	goto out;
out_free:
	free(nw);
out:
	pcv_ctl_unlock(&vm->lock);
	return ret;
}

PPCVIRT_API int ppcvirt_vm_register_iommu_memory(struct ppcvirt_vm *vm,
						 uint64_t gpa, uint64_t size)
{
	return regions_update(vm, gpa, size, true);
}

PPCVIRT_API int ppcvirt_vm_unregister_iommu_memory(struct ppcvirt_vm *vm,
						   uint64_t gpa, uint64_t size)
{
	return regions_update(vm, gpa, size, false);
}
