/* SPDX-License-Identifier: MIT */
/*
 * The four PAPR TCE hypercalls: H_PUT_TCE, H_GET_TCE, H_STUFF_TCE and
 * H_PUT_TCE_INDIRECT, for both semantics profiles and every tier.
 *
 * One implementation serves the fast tier, the slow tier and the VMM tier
 * (c->fast says whether blocking work must be declined), so the tiers
 * cannot drift apart: a call re-run in the next tier computes the same
 * result from the same arguments, and its writes are idempotent.
 *
 * Profiles (docs/design.md; the rules are in docs/semantics.md §3):
 *
 * strict (default): KVM's modern rules with the range bug fixed
 *   - IOBA must be page-aligned; the whole range [ioba, ioba + npages
 *     pages) must lie in the window (overflow-checked), where KVM checks
 *     only the first entry (docs/semantics.md §7 #1).
 *   - A TCE with R or W must be page-aligned (no stray bits below the page
 *     but R/W) and the whole IOMMU page must be guest memory of one slot;
 *     a TCE with neither may carry any bits (poison).
 *   - H_STUFF_TCE rejects R/W bits; npages = 0 succeeds once the other
 *     checks pass.
 *   - H_PUT_TCE_INDIRECT: npages <= 512, list 4 KiB aligned and inside
 *     guest memory, entries big-endian. The list is snapshot into per-vCPU
 *     scratch, every entry validated, and only then written: all or
 *     nothing, and a guest thread rewriting the list meanwhile cannot
 *     change what was validated (KVM re-reads it; QEMU writes as it goes).
 *   - Failures are H_PARAMETER.
 *
 * qemu: QEMU 7.2's guest-visible results
 *   - IOBA aligned down; index = (ioba - bus_offset) >> shift, unsigned.
 *   - No check of TCE contents; STUFF accepts any value.
 *   - npages = 0 -> H_PARAMETER; STUFF limited by the window size, not 512.
 *   - Partial writes: entries up to the window end are written, then
 *     H_PARAMETER. A list outside guest memory reads as zeros.
 *
 * Unknown LIOBNs (c->table == NULL) only get here in the VMM tier, and
 * answer H_PARAMETER in both profiles.
 */
#include <string.h>

#include <ppcvirt/trace.h>

#include "iommu/link.h"
#include "testing/fault.h"

static inline uint64_t page_size(const struct pcv_table *t)
{
	return 1ULL << t->page_shift;
}

/*
 * strict: @ioba page-aligned and [ioba, +npages pages) inside the window.
 * As KVM, the first entry must be in the window even when npages is 0.
 */
static long ioba_check_strict(const struct pcv_table *t, uint64_t ioba,
			      uint64_t npages, uint64_t *first)
{
	uint64_t idx;

	if (ioba & (page_size(t) - 1))
		return PPCVIRT_H_PARAMETER;
	idx = ioba >> t->page_shift;
	if (idx < t->offset)
		return PPCVIRT_H_PARAMETER;
	idx -= t->offset;
	/* idx < size, so size - idx cannot underflow. */
	if (idx >= t->size || npages > t->size - idx)
		return PPCVIRT_H_PARAMETER;
	*first = idx;
	return PPCVIRT_H_SUCCESS;
}

/*
 * qemu: index of the page holding @ioba, or H_PARAMETER when it is outside
 * the window (below bus_offset wraps to a huge index, as in QEMU).
 */
static long ioba_check_qemu(const struct pcv_table *t, uint64_t ioba,
			    uint64_t *first)
{
	uint64_t idx =
		((ioba & ~(page_size(t) - 1)) - t->bus_offset) >> t->page_shift;

	if (idx >= t->size)
		return PPCVIRT_H_PARAMETER;
	*first = idx;
	return PPCVIRT_H_SUCCESS;
}

/*
 * strict: a TCE that grants access must name a whole guest page. @cache
 * remembers the last slot found: Linux's lists are runs of consecutive
 * pages, so almost every entry hits it.
 */
static inline long tce_check_strict(const struct pcv_hctx *c,
				    const struct pcv_table *t, uint64_t tce,
				    const struct pcv_slot **cache)
{
	uint64_t psize = page_size(t), gpa, off;
	const struct pcv_slot *s = *cache;

	if (!(tce & (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)))
		return PPCVIRT_H_SUCCESS; /* clear or poison */
	gpa = tce & ~(PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE);
	if (gpa & (psize - 1))
		return PPCVIRT_H_PARAMETER;
	if (s && gpa >= s->gpa) {
		off = gpa - s->gpa;
		if (off < s->size && psize <= s->size - off)
			return PPCVIRT_H_SUCCESS;
	}
	s = pcv_slot_find(c->slots, gpa, psize);
	if (!s)
		return PPCVIRT_H_PARAMETER;
	*cache = s;
	return PPCVIRT_H_SUCCESS;
}

/*
 * Make entries [first, first + n) writable without blocking. The fast
 * tier only proceeds when every table page is known present; the others
 * ask the kernel about unknown pages (marking backed ones), after which an
 * unknown page is a hole: zero writes into it are skipped, non-zero ones
 * allocate it.
 */
static long range_prepare(struct pcv_hctx *c, struct pcv_table *t,
			  uint64_t first, uint64_t n)
{
	uint64_t p = first >> t->tpage_shift;
	uint64_t last = (first + n - 1) >> t->tpage_shift;

	for (; p <= last; p++) {
		if (pcv_likely(pcv_tpage_known(t, p)))
			continue;
		if (c->fast) {
			c->why = PPCVIRT_DECLINE_TABLE_PAGE;
			return PCV_TOO_HARD;
		}
		pcv_tpage_probe(t, p);
	}
	return PPCVIRT_H_SUCCESS;
}

/*
 * Write entries [first, first + n): make the pages writable, program the
 * linked host IOMMU groups (all of them, or none: pcv_host_update rolls
 * back), then the guest-visible table. Linked tables are updated under the
 * table's update lock, which the fast tier only tries.
 */
static __attribute__((noinline)) long
write_range_general(struct pcv_hctx *c, struct pcv_table *t, uint64_t first,
		    uint64_t n, const uint64_t *vals, uint64_t val)
{
	const struct pcv_links *links;
	long ret;

	if (n == 0)
		return PPCVIRT_H_SUCCESS;
	ret = range_prepare(c, t, first, n);
	if (ret != PPCVIRT_H_SUCCESS)
		return ret;
	if (pcv_fault_fires(c, c->vm, PCV_FAULT_BEFORE_COMMIT))
		return PCV_TOO_HARD;
	/* Never linked: no lock. Once linked (even if all groups were
	 * unlinked since), updates are serialised and the group set is read
	 * under the lock, where link and unlink change it. */
	if (pcv_likely(
		    !atomic_load_explicit(&t->links, memory_order_acquire))) {
		pcv_range_commit(t, first, n, vals, val);
		return PPCVIRT_H_SUCCESS;
	}
	if (!pcv_upd_lock(t, c->fast)) {
		/* Busy (fast tier), or a library callback calling back in:
		 * the lock holder is this very thread. */
		c->deadlock = !c->fast;
		c->why = PPCVIRT_DECLINE_BACKEND;
		return PCV_TOO_HARD;
	}
	links = atomic_load_explicit(&t->links, memory_order_acquire);
	if (links->n && c->fast && pcv_links_sleep(links)) {
		/* A host IOMMU behind system calls: not in the fast tier. */
		pcv_upd_unlock(t);
		c->why = PPCVIRT_DECLINE_BACKEND;
		return PCV_TOO_HARD;
	}
	ret = links->n ? pcv_host_update(c, t, links, first, n, vals, val)
		       : PPCVIRT_H_SUCCESS;
	if (ret == PPCVIRT_H_SUCCESS)
		pcv_range_commit(t, first, n, vals, val);
	pcv_upd_unlock(t);
	return ret;
}

/*
 * H_PUT_TCE's common case inline (one entry of a known page, no linked
 * groups, no dirty tracking, no fault armed: the same effect as the
 * general path, without its frame); everything else in
 * write_range_general().
 */
static inline long write_range(struct pcv_hctx *c, struct pcv_table *t,
			       uint64_t first, uint64_t n, const uint64_t *vals,
			       uint64_t val)
{
	if (n == 1 && pcv_likely(pcv_tpage_known(t, first >> t->tpage_shift)) &&
	    pcv_likely(!atomic_load_explicit(&t->links, memory_order_acquire) &&
		       !atomic_load_explicit(&t->track, memory_order_relaxed) &&
		       !pcv_fault_armed(c->vm))) {
		atomic_store_explicit(&t->entries[first], vals ? vals[0] : val,
				      memory_order_release);
		return PPCVIRT_H_SUCCESS;
	}
	return write_range_general(c, t, first, n, vals, val);
}

static long h_put_tce(struct pcv_hctx *c, struct ppcvirt_hcall *hc)
{
	struct pcv_table *t = c->table;
	const struct pcv_slot *cache = NULL;
	uint64_t ioba = hc->args[1], tce = hc->args[2], idx;
	long ret;

	if (c->qemu) {
		ret = ioba_check_qemu(t, ioba, &idx);
	} else {
		ret = ioba_check_strict(t, ioba, 1, &idx);
		if (ret == PPCVIRT_H_SUCCESS)
			ret = tce_check_strict(c, t, tce, &cache);
	}
	if (ret != PPCVIRT_H_SUCCESS)
		return ret;
	return write_range(c, t, idx, 1, NULL, tce);
}

static long h_get_tce(struct pcv_hctx *c, struct ppcvirt_hcall *hc)
{
	struct pcv_table *t = c->table;
	uint64_t idx, val;
	long ret;

	if (c->qemu)
		ret = ioba_check_qemu(t, hc->args[1], &idx);
	else
		ret = ioba_check_strict(t, hc->args[1], 1, &idx);
	if (ret != PPCVIRT_H_SUCCESS)
		return ret;
	ret = pcv_entry_load(t, idx, c->fast, &val);
	if (ret == PCV_TOO_HARD) {
		c->why = PPCVIRT_DECLINE_TABLE_PAGE;
		return ret;
	}
	hc->args[0] = val; /* r4; left untouched on failure */
	return PPCVIRT_H_SUCCESS;
}

static long h_stuff_tce(struct pcv_hctx *c, struct ppcvirt_hcall *hc)
{
	struct pcv_table *t = c->table;
	uint64_t ioba = hc->args[1], val = hc->args[2], npages = hc->args[3];
	uint64_t idx, avail;
	long ret;

	if (c->qemu) {
		if (npages == 0 || npages > t->size)
			return PPCVIRT_H_PARAMETER;
		ret = ioba_check_qemu(t, ioba, &idx);
		if (ret != PPCVIRT_H_SUCCESS)
			return ret;
		/* Entries up to the window end are written, then the error. */
		avail = t->size - idx;
		ret = write_range(c, t, idx, npages < avail ? npages : avail,
				  NULL, val);
		if (ret != PPCVIRT_H_SUCCESS)
			return ret;
		return npages > avail ? PPCVIRT_H_PARAMETER : PPCVIRT_H_SUCCESS;
	}
	ret = ioba_check_strict(t, ioba, npages, &idx);
	if (ret != PPCVIRT_H_SUCCESS)
		return ret;
	/* Only clearing or poisoning: mapping goes through PUT/INDIRECT. */
	if (val & (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE))
		return PPCVIRT_H_PARAMETER;
	return write_range(c, t, idx, npages, NULL, val);
}

/* Copy @n big-endian list entries from guest memory (NULL: zeros). */
static void list_snapshot(uint64_t *dst, const uint8_t *src, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t be = 0;

		if (src)
			memcpy(&be, src + i * 8, 8);
		dst[i] = __builtin_bswap64(be);
	}
}

/*
 * strict INDIRECT: copy the big-endian list into @snap and check every
 * copied entry (the checks read the copy, never guest memory again). The
 * rule is tce_check_strict()'s; this loop keeps the slot that held the
 * last page as [lo, lo + span], the page starts it can hold, so that a
 * run of consecutive pages costs one unsigned compare per entry.
 * Returns whether every entry is valid (the copy is complete either way).
 */
static bool snapshot_check_strict(const struct pcv_hctx *c,
				  const struct pcv_table *t, const uint8_t *src,
				  uint64_t *snap, uint64_t n)
{
	const uint64_t pmask = page_size(t) - 1;
	const struct pcv_slot *cache = NULL;
	uint64_t lo = 1, span = 0; /* empty: lo > lo + span never holds */
	bool valid = true;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t be, v, gpa;

		memcpy(&be, src + i * 8, 8);
		v = __builtin_bswap64(be);
		snap[i] = v;
		if (!(v & (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)))
			continue; /* clear or poison */
		gpa = v & ~(PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE);
		if (pcv_likely(!(gpa & pmask) && gpa - lo <= span))
			continue;
		valid &= tce_check_strict(c, t, v, &cache) == PPCVIRT_H_SUCCESS;
		if (cache && cache->size > pmask) {
			lo = cache->gpa;
			span = cache->size - pmask - 1;
		}
	}
	return valid;
}

static long h_put_tce_indirect(struct pcv_hctx *c, struct ppcvirt_hcall *hc)
{
	struct pcv_table *t = c->table;
	uint64_t ioba = hc->args[1], list = hc->args[2], npages = hc->args[3];
	uint64_t *snap = c->scratch, idx, n;
	const uint8_t *src;
	long ret;

	/* Both profiles: at most one 4 KiB page of entries, 4 KiB aligned. */
	if (npages > PPCVIRT_TCE_LIST_MAX || (list & 0xfff))
		return PPCVIRT_H_PARAMETER;

	if (c->qemu) {
		uint64_t avail;

		if (npages == 0)
			return PPCVIRT_H_PARAMETER;
		ret = ioba_check_qemu(t, ioba, &idx);
		if (ret != PPCVIRT_H_SUCCESS)
			return ret;
		avail = t->size - idx;
		n = npages < avail ? npages : avail;
		/*
		 * QEMU never checks the list address: outside guest memory it
		 * reads as zeros. A 4 KiB-aligned list of <= 4 KiB lies in one
		 * 4 KiB page, so it is wholly in or out of a slot.
		 */
		src = pcv_gpa_hva(c->slots, list, n * 8);
		list_snapshot(snap, src, n);
		ret = write_range(c, t, idx, n, snap, 0);
		if (ret != PPCVIRT_H_SUCCESS)
			return ret;
		return npages > avail ? PPCVIRT_H_PARAMETER : PPCVIRT_H_SUCCESS;
	}

	ret = ioba_check_strict(t, ioba, npages, &idx);
	if (ret != PPCVIRT_H_SUCCESS)
		return ret;
	/* As KVM, the list address is checked before npages = 0 succeeds
	 * (its first entry at least must be guest memory). */
	src = pcv_gpa_hva(c->slots, list, npages ? npages * 8 : 8);
	if (!src)
		return PPCVIRT_H_PARAMETER;
	if (npages == 0)
		return PPCVIRT_H_SUCCESS;
	if (!snapshot_check_strict(c, t, src, snap, npages))
		return PPCVIRT_H_PARAMETER;
	return write_range(c, t, idx, npages, snap, 0);
}

long pcv_tce_hcall(struct pcv_hctx *c, int idx, struct ppcvirt_hcall *hc)
{
	if (!c->table)
		return PPCVIRT_H_PARAMETER;
	switch (idx) {
	case PCV_HC_PUT:
		return h_put_tce(c, hc);
	case PCV_HC_GET:
		return h_get_tce(c, hc);
	case PCV_HC_STUFF:
		return h_stuff_tce(c, hc);
	case PCV_HC_INDIRECT:
		return h_put_tce_indirect(c, hc);
	default:
		return PPCVIRT_H_FUNCTION;
	}
}

/* ---- trace events -------------------------------------------------------- */

/* Entry @k of the guest's list (0 when it is not in guest memory). */
static uint64_t list_entry(const struct pcv_hctx *c, uint64_t list, uint64_t k)
{
	const uint8_t *p = pcv_gpa_hva(c->slots, list + k * 8, 8);
	uint64_t be = 0;

	if (p)
		memcpy(&be, p, 8);
	return __builtin_bswap64(be);
}

/*
 * QEMU's INDIRECT loop stops at the first entry it cannot write (or after
 * the last) and logs i - 1 and the last TCE it read, i being where it
 * stopped. The strict profile writes nothing on failure; its event names
 * the entry that made it fail the same way, so that a replay of the trace
 * fails again on it.
 */
static void indirect_stop(const struct pcv_hctx *c,
			  const struct ppcvirt_hcall *hc, long ret, uint64_t *i,
			  uint64_t *tce)
{
	const struct pcv_table *t = c->table;
	uint64_t ioba = hc->args[1], list = hc->args[2], npages = hc->args[3];
	const struct pcv_slot *cache = NULL;
	uint64_t idx;

	*i = 0;
	*tce = 0;
	if (npages == 0)
		return;
	if (c->qemu) {
		if (ioba_check_qemu(t, ioba, &idx) != PPCVIRT_H_SUCCESS) {
			*tce = list_entry(c, list, 0);
			return;
		}
		*i = npages < t->size - idx ? npages : t->size - idx;
		*tce = list_entry(c, list, *i < npages ? *i : npages - 1);
		return;
	}
	if (ret == PPCVIRT_H_SUCCESS) {
		*i = npages;
		*tce = c->scratch[npages - 1];
		return;
	}
	if (ioba_check_strict(t, ioba, npages, &idx) != PPCVIRT_H_SUCCESS ||
	    !pcv_gpa_hva(c->slots, list, npages * 8))
		return;
	for (uint64_t k = 0; k < npages; k++) {
		if (tce_check_strict(c, t, c->scratch[k], &cache) !=
		    PPCVIRT_H_SUCCESS) {
			*i = k;
			*tce = c->scratch[k];
			return;
		}
	}
	*i = npages;
	*tce = c->scratch[npages - 1];
}

bool pcv_tce_trace(const struct pcv_hctx *c, int idx,
		   const struct ppcvirt_hcall *hc, long ret,
		   struct ppcvirt_trace *ev)
{
	const struct pcv_table *t = c->table;
	/* A successful H_GET_TCE has put its result in args[0] (r4). */
	uint64_t liobn = idx == PCV_HC_GET && ret == PPCVIRT_H_SUCCESS && t
				 ? t->liobn
				 : hc->args[0];
	uint64_t ioba = hc->args[1];
	uint64_t psize = t ? page_size(t) : 4096, i, tce, done;

	*ev = (struct ppcvirt_trace){0};
	switch (idx) {
	case PCV_HC_PUT:
		ev->event = PPCVIRT_TRACE_PUT;
		ev->args[0] = liobn;
		/* QEMU aligns the IOBA once it has found the table. */
		ev->args[1] = t ? ioba & ~(psize - 1) : ioba;
		ev->args[2] = hc->args[2];
		ev->args[3] = (uint64_t)ret;
		return true;
	case PCV_HC_GET:
		ev->event = PPCVIRT_TRACE_GET;
		ev->args[0] = liobn;
		ev->args[1] = t ? ioba & ~(psize - 1) : ioba;
		ev->args[2] = (uint64_t)ret;
		ev->args[3] = ret == PPCVIRT_H_SUCCESS ? hc->args[0] : 0;
		return true;
	case PCV_HC_INDIRECT:
		/* Not traced by QEMU: unknown LIOBN, a list it refuses. */
		if (!t || hc->args[3] > PPCVIRT_TCE_LIST_MAX ||
		    (hc->args[2] & 0xfff))
			return false;
		indirect_stop(c, hc, ret, &i, &tce);
		ev->event = PPCVIRT_TRACE_INDIRECT;
		ev->args[0] = liobn;
		ev->args[1] = ioba;
		ev->args[2] = hc->args[2];
		ev->args[3] = i ? i - 1 : 0;
		ev->args[4] = tce;
		ev->args[5] = (uint64_t)ret;
		return true;
	case PCV_HC_STUFF:
		/* Not traced by QEMU: unknown LIOBN, more pages than the
		 * window. */
		if (!t || (c->qemu && hc->args[3] > t->size))
			return false;
		/* QEMU logs its loop variable: the IOBA where it stopped. */
		done = 0;
		if (c->qemu) {
			uint64_t first;

			ioba &= ~(psize - 1);
			if (ioba_check_qemu(t, ioba, &first) ==
			    PPCVIRT_H_SUCCESS)
				done = hc->args[3] < t->size - first
					       ? hc->args[3]
					       : t->size - first;
		} else if (ret == PPCVIRT_H_SUCCESS) {
			done = hc->args[3];
		}
		ev->event = PPCVIRT_TRACE_STUFF;
		ev->args[0] = liobn;
		ev->args[1] = ioba + done * psize;
		ev->args[2] = hc->args[2];
		ev->args[3] = hc->args[3];
		ev->args[4] = (uint64_t)ret;
		return true;
	default:
		return false;
	}
}
