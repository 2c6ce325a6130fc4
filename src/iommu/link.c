/* SPDX-License-Identifier: MIT */
/*
 * Pass-through linkage: host IOMMU groups linked to TCE tables
 * (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE and the seed's {liobn, fd, flags}
 * linkage), memory registered for pass-through
 * (VFIO_IOMMU_SPAPR_REGISTER_MEMORY), and the host side of every TCE
 * update on a linked table.
 *
 * How an update of a linked table stays consistent:
 *   1. The caller holds the table's update lock (t->upd_lock), so updates
 *      of one linked table are serialised across vCPUs: two vCPUs racing
 *      on an entry cannot leave the groups holding one value and the
 *      table the other. The fast tier only tries the lock and declines.
 *   2. Every new mapping is resolved to a host address first. The fast
 *      and slow tiers use registered memory only (pre-resolved, pinned);
 *      anything else declines to the VMM tier, which may pin any guest
 *      memory on demand.
 *   3. Each group is programmed. If a group fails part way, everything
 *      already programmed in this call is restored from the guest-visible
 *      table, which still holds the old values (roll-back never fails),
 *      and the call declines (engine) or fails with H_HARDWARE (VMM).
 *   4. Only then does the caller write the guest-visible entries.
 * Pins follow mappings one to one because the back end pins on map and
 * unpins on replace or unmap, and every host entry is written only here.
 *
 * The group set of a linked table is read under the update lock, and
 * link and unlink change it under the same lock, after programming or
 * clearing the group from the (then stable) guest table: no call ever
 * programs a group with a stale set. A table never linked has no set
 * (NULL) and its writers take no lock; its first link publishes an empty
 * set and waits for a grace period, after which every writer locks.
 */
#define _GNU_SOURCE /* sched_yield */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/link.h"
#include "testing/fault.h"

#define UPD_CHUNK 64

/* ---- groups ---------------------------------------------------------- */

PPCVIRT_API int
ppcvirt_iommu_group_create(const struct ppcvirt_iommu_ops *ops, void *group,
			   const struct ppcvirt_iommu_geometry *geo,
			   struct ppcvirt_iommu_group **out)
{
	struct ppcvirt_iommu_group *g;

	if (!ops || !ops->update || !geo || !out || geo->flags ||
	    geo->page_shift < PPCVIRT_TCE_PAGE_SHIFT_MIN ||
	    geo->page_shift > PPCVIRT_TCE_PAGE_SHIFT_MAX || geo->entries == 0)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ops = ops;
	g->opaque = group;
	g->geo = *geo;
	atomic_init(&g->refs, 1);
	*out = g;
	return 0;
}

static void group_unref(struct ppcvirt_iommu_group *g)
{
	if (g && atomic_fetch_sub(&g->refs, 1) == 1) {
		if (g->ops->release)
			g->ops->release(g->opaque);
		free(g);
	}
}

PPCVIRT_API void ppcvirt_iommu_group_put(struct ppcvirt_iommu_group *g)
{
	group_unref(g);
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
		if (try_only)
			return false;
		/* Holders never block for long (one call's worth of back-end
		 * updates), so yielding beats a sleeping lock that would make
		 * the fast tier's unlock a system call. */
		sched_yield();
	}
}

void pcv_upd_unlock(struct pcv_table *t)
{
	atomic_store_explicit(&t->upd_lock, 0, memory_order_release);
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

/* Where the guest page @gpa of @len bytes lives on the host: registered
 * memory for the engine's tiers, any guest memory for the VMM (or when
 * restoring a mapping the VMM made). */
static uint8_t *resolve(const struct pcv_hctx *c, const struct pcv_regions *rs,
			uint64_t gpa, uint64_t len, bool any)
{
	if (!any)
		return region_hva(rs, gpa, len);
	return pcv_gpa_hva(c->slots, gpa, len);
}

static inline uint64_t entry_val(const uint64_t *vals, uint64_t val, uint64_t i)
{
	return vals ? vals[i] : val;
}

/*
 * Fill @u with host entries [h0, h0 + m) of group @g for guest entries
 * starting at guest index @first. Values come from @vals/@val, or, when
 * @old is set, from the guest-visible table (a roll-back).
 */
static void build(const struct pcv_hctx *c, const struct pcv_regions *rs,
		  struct pcv_table *t, struct ppcvirt_iommu_group *g,
		  uint64_t first, uint64_t h0, uint64_t m, const uint64_t *vals,
		  uint64_t val, bool old, struct ppcvirt_iommu_update *u)
{
	unsigned sub_shift = t->page_shift - g->geo.page_shift;
	uint64_t psize = 1ull << t->page_shift;
	uint64_t hps = 1ull << g->geo.page_shift;

	for (uint64_t j = 0; j < m; j++) {
		uint64_t h = h0 + j, i = h >> sub_shift, v;
		uint8_t *hva;

		if (old) {
			uint64_t idx = first + i;

			v = pcv_tpage_known(t, idx >> t->tpage_shift)
				    ? atomic_load_explicit(&t->entries[idx],
							   memory_order_relaxed)
				    : 0;
		} else {
			v = entry_val(vals, val, i);
		}
		hva = (v & 3) ? resolve(c, rs, v & ~(psize - 1), psize,
					old || c->tier == PPCVIRT_TIER_VMM)
			      : NULL;
		if (!hva) {
			u[j] = (struct ppcvirt_iommu_update){0};
			continue;
		}
		u[j] = (struct ppcvirt_iommu_update){
			.hva = hva + ((h & ((1ull << sub_shift) - 1)) * hps),
			.perm = (uint32_t)(v & 3),
		};
	}
}

/* Put back host entries [0, hn) of group @g from the guest table. */
static void restore(const struct pcv_hctx *c, const struct pcv_regions *rs,
		    struct pcv_table *t, struct ppcvirt_iommu_group *g,
		    uint64_t first, uint64_t hn)
{
	unsigned sub_shift = t->page_shift - g->geo.page_shift;
	struct ppcvirt_iommu_update u[UPD_CHUNK];

	for (uint64_t h = 0; h < hn; h += UPD_CHUNK) {
		uint64_t m = hn - h < UPD_CHUNK ? hn - h : UPD_CHUNK, done;

		build(c, rs, t, g, first, h, m, NULL, 0, true, u);
		g->ops->update(g->opaque, (first << sub_shift) + h, m, u,
			       PPCVIRT_IOMMU_MAY_BLOCK | PPCVIRT_IOMMU_RESTORE,
			       &done);
	}
}

long pcv_host_update(struct pcv_hctx *c, struct pcv_table *t,
		     const struct pcv_links *links, uint64_t first, uint64_t n,
		     const uint64_t *vals, uint64_t val)
{
	const struct pcv_regions *rs =
		atomic_load_explicit(&c->vm->regions, memory_order_acquire);
	bool vmm = c->tier == PPCVIRT_TIER_VMM;
	uint64_t psize = 1ull << t->page_shift;
	unsigned flags = c->fast ? 0 : PPCVIRT_IOMMU_MAY_BLOCK;

	/* Every new mapping must resolve before any group is touched. */
	for (uint64_t i = 0; i < (vals ? n : 1); i++) {
		uint64_t v = entry_val(vals, val, i);

		if ((v & 3) && !resolve(c, rs, v & ~(psize - 1), psize, vmm)) {
			if (vmm)
				return PPCVIRT_H_PARAMETER; /* not RAM */
			c->why = PPCVIRT_DECLINE_UNREGISTERED;
			return PCV_TOO_HARD;
		}
	}
	for (size_t gi = 0; gi < links->n; gi++) {
		struct ppcvirt_iommu_group *g = links->g[gi];
		unsigned sub_shift = t->page_shift - g->geo.page_shift;
		uint64_t hn = n << sub_shift, h = 0;
		struct ppcvirt_iommu_update u[UPD_CHUNK];

		while (h < hn) {
			uint64_t m = hn - h < UPD_CHUNK ? hn - h : UPD_CHUNK;
			uint64_t done = 0;
			int ret;

			build(c, rs, t, g, first, h, m, vals, val, false, u);
			ret = g->ops->update(g->opaque,
					     (first << sub_shift) + h, m, u,
					     flags, &done);
			if (pcv_likely(ret == 0)) {
				h += m;
				continue;
			}
			/* Undo this call in every group touched so far. */
			restore(c, rs, t, g, first, h + (done < m ? done : m));
			for (size_t k = 0; k < gi; k++)
				restore(c, rs, t, links->g[k], first,
					n << (t->page_shift -
					      links->g[k]->geo.page_shift));
			if (vmm)
				return PPCVIRT_H_HARDWARE;
			c->why = PPCVIRT_DECLINE_BACKEND;
			return PCV_TOO_HARD;
		}
	}
	for (size_t gi = 0; gi < links->n; gi++) {
		struct ppcvirt_iommu_group *g = links->g[gi];
		unsigned sub_shift = t->page_shift - g->geo.page_shift;

		if (g->ops->invalidate)
			g->ops->invalidate(g->opaque, first << sub_shift,
					   n << sub_shift);
	}
	return PPCVIRT_H_SUCCESS;
}

/*
 * Program (or with @unmap, clear) in group @g every entry of @t that maps
 * something. Only table pages known present can hold mappings made here.
 * Returns 0 or the first error (programming stops there).
 */
static int table_walk(struct ppcvirt_vm *vm, struct pcv_table *t,
		      struct ppcvirt_iommu_group *g, bool unmap)
{
	struct pcv_hctx c = {.vm = vm, .tier = PPCVIRT_TIER_SLOW};
	const struct pcv_regions *rs;
	unsigned sub_shift = t->page_shift - g->geo.page_shift;
	uint64_t per_page = 1ull << t->tpage_shift;
	int ret = 0;

	pcv_rcu_lock();
	c.slots = atomic_load_explicit(&vm->slots, memory_order_acquire);
	rs = atomic_load_explicit(&vm->regions, memory_order_acquire);
	for (uint64_t idx = 0; idx < t->size && ret == 0; idx++) {
		struct ppcvirt_iommu_update u[UPD_CHUNK];
		uint64_t v, hn = 1ull << sub_shift, done;

		if (!pcv_tpage_known(t, idx >> t->tpage_shift)) {
			idx |= per_page - 1; /* skip the whole page */
			continue;
		}
		v = atomic_load_explicit(&t->entries[idx],
					 memory_order_relaxed);
		if (!(v & 3))
			continue;
		for (uint64_t h = 0; h < hn && ret == 0; h += UPD_CHUNK) {
			uint64_t m = hn - h < UPD_CHUNK ? hn - h : UPD_CHUNK;

			if (unmap) {
				memset(u, 0, sizeof(u[0]) * m);
			} else {
				/* Control plane: may pin on demand like the VMM
				 * tier; only non-memory cannot be mapped. */
				build(&c, rs, t, g, idx, h, m, NULL, 0, true,
				      u);
				if (!u[0].hva)
					ret = -EFAULT;
			}
			if (ret == 0)
				ret = g->ops->update(
					g->opaque, (idx << sub_shift) + h, m, u,
					PPCVIRT_IOMMU_MAY_BLOCK |
						(unmap ? PPCVIRT_IOMMU_RESTORE
						       : 0),
					&done);
		}
	}
	pcv_rcu_unlock();
	if (g->ops->invalidate)
		g->ops->invalidate(g->opaque, 0, t->size << sub_shift);
	return ret;
}

static void links_clear(struct ppcvirt_vm *vm, struct pcv_table *t,
			struct ppcvirt_iommu_group *g)
{
	table_walk(vm, t, g, true);
}

static struct pcv_links *links_with(const struct pcv_links *old,
				    struct ppcvirt_iommu_group *add,
				    struct ppcvirt_iommu_group *drop)
{
	size_t n = old ? old->n : 0;
	struct pcv_links *nw = malloc(sizeof(*nw) + (n + 1) * sizeof(nw->g[0]));

	if (!nw)
		return NULL;
	nw->n = 0;
	for (size_t i = 0; i < n; i++)
		if (old->g[i] != drop)
			nw->g[nw->n++] = old->g[i];
	if (add)
		nw->g[nw->n++] = add;
	return nw;
}

static bool links_has(const struct pcv_links *l,
		      const struct ppcvirt_iommu_group *g)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->g[i] == g)
			return true;
	return false;
}

PPCVIRT_API int ppcvirt_vm_link_iommu_group(struct ppcvirt_vm *vm,
					    uint64_t liobn,
					    struct ppcvirt_iommu_group *g,
					    uint32_t flags)
{
	struct pcv_links *old, *nw;
	struct pcv_table *t;
	uint64_t need;
	int ret;

	if (!vm || !g || flags)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_relaxed), liobn);
	if (!t) {
		ret = -ENOENT;
		goto out;
	}
	/* KVM's matching rules for a hardware table (§5.3). */
	ret = -EINVAL;
	if (g->geo.page_shift > t->page_shift ||
	    g->geo.bus_offset != t->bus_offset)
		goto out;
	if (t->size > (UINT64_MAX >> (t->page_shift - g->geo.page_shift)))
		goto out;
	need = t->size << (t->page_shift - g->geo.page_shift);
	if (g->geo.entries < need)
		goto out;
	old = atomic_load_explicit(&t->links, memory_order_relaxed);
	if (links_has(old, g)) {
		ret = -EBUSY;
		goto out;
	}
	if (!old) {
		/* Switch the table's writers to locking mode first. */
		old = links_with(NULL, NULL, NULL);
		if (!old) {
			ret = -ENOMEM;
			goto out;
		}
		atomic_store_explicit(&t->links, old, memory_order_release);
		pcv_rcu_synchronize();
	}
	nw = links_with(old, g, NULL);
	if (!nw) {
		ret = -ENOMEM;
		goto out;
	}
	pcv_upd_lock(t, false);
	ret = table_walk(vm, t, g, false);
	if (ret) {
		/* Not published yet: only this walk touched the group. */
		table_walk(vm, t, g, true);
		pcv_upd_unlock(t);
		free(nw);
		goto out;
	}
	atomic_fetch_add(&g->refs, 1);
	atomic_store_explicit(&t->links, nw, memory_order_release);
	pcv_upd_unlock(t);
	/* Readers of the old set hold the RCU lock, not the update lock. */
	pcv_rcu_synchronize();
	free(old);
	ret = 0;
out:
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

PPCVIRT_API int ppcvirt_vm_unlink_iommu_group(struct ppcvirt_vm *vm,
					      uint64_t liobn,
					      struct ppcvirt_iommu_group *g)
{
	struct pcv_links *old, *nw;
	struct pcv_table *t;
	int ret = -ENOENT;

	if (!vm || !g)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_relaxed), liobn);
	old = t ? atomic_load_explicit(&t->links, memory_order_relaxed) : NULL;
	if (!links_has(old, g))
		goto out;
	nw = links_with(old, NULL, g);
	if (!nw) {
		ret = -ENOMEM;
		goto out;
	}
	pcv_upd_lock(t, false);
	links_clear(vm, t, g);
	atomic_store_explicit(&t->links, nw, memory_order_release);
	pcv_upd_unlock(t);
	pcv_rcu_synchronize();
	free(old);
	group_unref(g);
	ret = 0;
out:
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* ---- registered memory ----------------------------------------------- */

/* Does any linked table map a page of [gpa, gpa + size)? */
static bool range_mapped(struct ppcvirt_vm *vm, uint64_t gpa, uint64_t size)
{
	const struct pcv_tableset *ts =
		atomic_load_explicit(&vm->tables, memory_order_relaxed);

	for (size_t k = 0; ts && k < ts->n; k++) {
		struct pcv_table *t = ts->t[k];
		const struct pcv_links *l =
			atomic_load_explicit(&t->links, memory_order_relaxed);
		uint64_t psize = 1ull << t->page_shift;

		if (!l || !l->n)
			continue;
		for (uint64_t idx = 0; idx < t->size; idx++) {
			uint64_t v, a;

			if (!pcv_tpage_known(t, idx >> t->tpage_shift)) {
				idx |= (1ull << t->tpage_shift) - 1;
				continue;
			}
			v = atomic_load_explicit(&t->entries[idx],
						 memory_order_relaxed);
			a = v & ~(psize - 1);
			if ((v & 3) && a < gpa + size && gpa < a + psize)
				return true;
		}
	}
	return false;
}

static int regions_update(struct ppcvirt_vm *vm, uint64_t gpa, uint64_t size,
			  bool add)
{
	struct pcv_regions *old, *nw;
	size_t n;
	bool found = false;
	int ret = 0;

	if (!vm || size == 0 || ((gpa | size) & 0xfff) || gpa + size < gpa)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	old = atomic_load_explicit(&vm->regions, memory_order_relaxed);
	n = old ? old->n : 0;
	nw = malloc(sizeof(*nw) + (n + 1) * sizeof(nw->r[0]));
	if (!nw) {
		ret = -ENOMEM;
		goto out;
	}
	nw->n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pcv_region *r = &old->r[i];

		if (!add && r->gpa == gpa && r->size == size) {
			found = true;
			continue;
		}
		if (add && r->gpa < gpa + size && gpa < r->gpa + r->size) {
			ret = -EEXIST;
			goto out_free;
		}
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
		nw->r[nw->n++] = (struct pcv_region){
			.gpa = gpa, .size = size, .hva = hva};
	} else if (!found) {
		ret = -ENOENT;
		goto out_free;
	} else if (range_mapped(vm, gpa, size)) {
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
	pthread_mutex_unlock(&vm->lock);
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

void pcv_table_destroy(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	struct pcv_links *l;

	if (!t)
		return;
	l = atomic_load_explicit(&t->links, memory_order_relaxed);
	for (size_t i = 0; l && i < l->n; i++) {
		links_clear(vm, t, l->g[i]);
		group_unref(l->g[i]);
	}
	free(l);
	pcv_table_free(t);
}
