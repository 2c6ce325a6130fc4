/* SPDX-License-Identifier: MIT */
/*
 * Loading and verifying state streams (include/ppcvirt/state.h,
 * docs/migration.md).
 *
 * A stream is hostile input. Loading runs in three steps under the
 * destination's control-plane lock:
 *   1. parse: every section's checksum, the stream's chain checksum, the
 *      order of sections, every field's range, every run of entries, and
 *      every reference to the destination (guest memory, tables, TLB
 *      cores, the previous migration pass). Tables a full TABLE section
 *      creates are built here, unpublished, as their RUNS are checked: a
 *      large table is read once, from cache, right after its section's
 *      checksum.
 *   2. prepare: what may fail (memory for PHBs, table sets, registered
 *      ranges; the embedder's own sections).
 *   3. commit: publish and write, which cannot fail.
 * An error in 1 or 2 frees what was built and leaves the destination as
 * it was; ppcvirt_last_error() names the section (index, kind, offset) and
 * the field.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/backend.h"
#include "booke/booke.h"
#include "core/trace.h"
#include <ppcvirt/iommu.h>

#include "core/vm.h"
#include "ddw/phb.h"
#include "iommu/link.h"
#include "state/state.h"
#include "state/stream.h"
#include "tce/table.h"

/* Where a section may appear (unknown ids may appear anywhere). */
enum rank {
	R_VM = 1,
	R_MEMORY,
	R_REGIONS,
	R_TABLES,
	R_PHB,
	R_TLB,
	R_USER,
};

struct ltab {
	bool diff;	/* TABLE_DIFF (else TABLE) */
	uint64_t liobn; /* geometry: from the section, or the dst's */
	uint32_t page_shift, flags;
	uint64_t offset, size;
	uint64_t entries;    /* in its RUNS */
	uint64_t next;	     /* the next run may start here */
	size_t runs0, nruns; /* its RUNS sections in plan.runs */
	struct pcv_table *t; /* new (TABLE) or the destination's (diff) */
	struct pcv_table *replaced; /* TABLE over a destination table */
	uint64_t old_size;	    /* its size (it is gone by post_load) */
};

struct lphb {
	struct ppcvirt_phb_config cfg;
	struct pcv_phb_win win[PPCVIRT_PHB_MAX_WINDOWS];
	bool def_win[PPCVIRT_PHB_MAX_WINDOWS];
	struct ppcvirt_phb *obj; /* the destination's, or restored */
	bool fresh;		 /* restored: not the VM's yet */
	struct pcv_child *node;
};

struct plan {
	const struct ppcvirt_state_load *a;
	struct ppcvirt_vm *vm; /* NULL: verify only */
	struct pcv_reader r;
	struct ppcvirt_state_info info;
	ppcvirt_state_section_fn fn;
	void *opaque;
	int rank;
	bool seen_vm, seen_memory, seen_regions;
	uint32_t profile, hcalls, tiers, n_tables, n_phbs, n_tlbs;
	const uint8_t *regions;
	uint32_t nregions;
	struct ltab *tabs;
	size_t ntabs, captabs;
	struct pcv_sec *runs;
	size_t nruns, capruns;
	uint64_t *gone;
	size_t ngone, capgone;
	struct lphb *phbs;
	size_t nphbs, capphbs;
	struct ppcvirt_tlb **tlbs;
	size_t ntlbs, captlbs;
	struct pcv_sec *blobs;
	size_t nblobs, capblobs;
	/* prepare */
	struct pcv_tableset *tset;
	struct pcv_regions *rset;
};

/* Grow an array of the plan by one element: 0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *nw;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	nw = realloc(*arr, c * elem);
	if (!nw)
		return -ENOMEM;
	*arr = nw;
	*cap = c;
	return 0;
}

#define GROW(p, arr, n, cap)                                                   \
	grow((void **)&(p)->arr, &(p)->cap, (p)->n, sizeof(*(p)->arr))

/* Record why section @s is refused: "section 3 (table) at offset 248: ..." */
static int bad(const struct pcv_sec *s, uint64_t index, int err,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int bad(const struct pcv_sec *s, uint64_t index, int err,
	       const char *fmt, ...)
{
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pcv_set_error("section %" PRIu64 " (%s) at offset %" PRIu64 ": %s",
		      index, pcv_sec_name(s->id), s->off, why);
	return err;
}

static const struct pcv_memslots *dst_slots(const struct plan *p)
{
	return p->vm ? atomic_load_explicit(&p->vm->slots, memory_order_acquire)
		     : NULL;
}

static const struct pcv_tableset *dst_tables(const struct plan *p)
{
	return p->vm ? atomic_load_explicit(&p->vm->tables,
					    memory_order_relaxed)
		     : NULL;
}

static bool gone_in_stream(const struct plan *p, uint64_t liobn)
{
	for (size_t i = 0; i < p->ngone; i++)
		if (p->gone[i] == liobn)
			return true;
	return false;
}

static struct ltab *tab_in_stream(struct plan *p, uint64_t liobn)
{
	for (size_t i = 0; i < p->ntabs; i++)
		if (p->tabs[i].liobn == liobn)
			return &p->tabs[i];
	return NULL;
}

/* A list of (gpa, size) ranges: MEMORY and REGIONS. */
static int parse_ranges(struct plan *p, const struct pcv_sec *s, uint64_t idx,
			bool regions, const uint8_t **arr, uint32_t *n)
{
	struct pcv_cur c = pcv_cur_of(s);
	uint32_t count = pcv_r32(&c);
	uint64_t prev_end = 0;

	if (pcv_r32(&c) != 0 || c.bad ||
	    (uint64_t)count * 16 != (uint64_t)(c.end - c.p))
		return bad(s, idx, -EBADMSG,
			   "count %u does not match length "
			   "%" PRIu64,
			   count, s->len);
	if (regions && count > PPCVIRT_MAX_IOMMU_REGIONS)
		return bad(s, idx, -EINVAL,
			   "%u registered ranges, more than the %u a VM may "
			   "have",
			   count, PPCVIRT_MAX_IOMMU_REGIONS);
	*arr = c.p;
	*n = count;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t gpa = pcv_r64(&c), size = pcv_r64(&c), end;

		if (size == 0 || ((gpa | size) & 0xfff) ||
		    __builtin_add_overflow(gpa, size, &end) ||
		    (regions && gpa < prev_end))
			return bad(s, idx, -EINVAL,
				   "range %u (0x%" PRIx64 "+0x%" PRIx64
				   ") is empty, unaligned, wraps or overlaps",
				   i, gpa, size);
		prev_end = end;
		if (p->vm && !pcv_slot_find(dst_slots(p), gpa, size))
			return bad(s, idx, -ENXIO,
				   "range 0x%" PRIx64 "+0x%" PRIx64
				   " is not guest memory of the destination",
				   gpa, size);
	}
	return 0;
}

static int parse_vm(struct plan *p, const struct pcv_sec *s, uint64_t idx)
{
	struct pcv_cur c = pcv_cur_of(s);
	uint32_t backend;

	p->profile = pcv_r32(&c);
	p->hcalls = pcv_r32(&c);
	p->tiers = pcv_r32(&c);
	backend = pcv_r32(&c);
	p->n_tables = pcv_r32(&c);
	p->n_phbs = pcv_r32(&c);
	p->n_tlbs = pcv_r32(&c);
	if (pcv_r32(&c) != 0 || c.bad || c.p != c.end)
		return bad(s, idx, -EBADMSG, "length %" PRIu64 " is not 32",
			   s->len);
	if (p->profile > PPCVIRT_PROFILE_QEMU)
		return bad(s, idx, -EINVAL, "profile %u", p->profile);
	if (p->hcalls & ~((1u << PCV_HC_COUNT) - 1))
		return bad(s, idx, -EINVAL, "enabled hcalls 0x%x", p->hcalls);
	if (p->tiers & ~((1u << PPCVIRT_TIER_FAST) | (1u << PPCVIRT_TIER_SLOW)))
		return bad(s, idx, -EINVAL, "tiers 0x%x", p->tiers);
	if (backend > PPCVIRT_BACKEND_KVM)
		return bad(s, idx, -EINVAL, "back end %u", backend);
	return 0;
}

static int parse_table(struct plan *p, const struct pcv_sec *s, uint64_t idx)
{
	struct pcv_cur c = pcv_cur_of(s);
	struct ppcvirt_create_spapr_tce_64 a;
	struct ltab *e;
	int ret;

	a.liobn = pcv_r64(&c);
	a.page_shift = pcv_r32(&c);
	a.flags = pcv_r32(&c);
	a.offset = pcv_r64(&c);
	a.size = pcv_r64(&c);
	if (c.bad || c.p != c.end)
		return bad(s, idx, -EBADMSG, "length %" PRIu64 " is not 32",
			   s->len);
	if (pcv_table_check(&a))
		return bad(s, idx, -EINVAL,
			   "table 0x%" PRIx64 ": geometry (page shift %u, "
			   "flags 0x%x, offset 0x%" PRIx64 ", size 0x%" PRIx64
			   ") is not one KVM_CREATE_SPAPR_TCE_64 accepts",
			   a.liobn, a.page_shift, a.flags, a.offset, a.size);
	if (tab_in_stream(p, a.liobn))
		return bad(s, idx, -EBADMSG, "table 0x%" PRIx64 " twice",
			   a.liobn);
	if (GROW(p, tabs, ntabs, captabs))
		return -ENOMEM;
	e = &p->tabs[p->ntabs];
	*e = (struct ltab){
		.liobn = a.liobn,
		.page_shift = a.page_shift,
		.flags = a.flags,
		.offset = a.offset,
		.size = a.size,
		.runs0 = p->nruns,
	};
	if (p->vm) {
		e->replaced = pcv_table_find(dst_tables(p), a.liobn);
		e->old_size = e->replaced ? e->replaced->size : 0;
		/* Built now, filled while its runs are checked (see top). */
		ret = pcv_table_alloc(&a, a.flags, &e->t);
		if (ret == 0) {
			ret = p->vm->be->table_create(p->vm, e->t);
			if (ret) {
				pcv_table_free(e->t);
				e->t = NULL;
			}
		}
		if (ret)
			return bad(s, idx, ret,
				   "table 0x%" PRIx64 " cannot be created",
				   a.liobn);
	}
	p->ntabs++;
	return 0;
}

static int parse_diff(struct plan *p, const struct pcv_sec *s, uint64_t idx,
		      bool gone)
{
	struct pcv_cur c = pcv_cur_of(s);
	uint64_t liobn = pcv_r64(&c);
	struct pcv_table *t;
	struct ltab *e;

	if (c.bad || c.p != c.end)
		return bad(s, idx, -EBADMSG, "length %" PRIu64 " is not 8",
			   s->len);
	if (!(p->r.flags & PCV_STATE_DELTA))
		return bad(s, idx, -EBADMSG,
			   "only a later migration pass has it");
	if (tab_in_stream(p, liobn) || gone_in_stream(p, liobn))
		return bad(s, idx, -EBADMSG, "table 0x%" PRIx64 " twice",
			   liobn);
	t = pcv_table_find(dst_tables(p), liobn);
	if (p->vm && !t)
		return bad(s, idx, -EPROTO,
			   "table 0x%" PRIx64 " is not on the destination "
			   "(passes out of order?)",
			   liobn);
	if (t && atomic_load_explicit(&t->links, memory_order_relaxed))
		return bad(s, idx, -EBUSY,
			   "table 0x%" PRIx64 " is linked to a host IOMMU: "
			   "link after the last pass",
			   liobn);
	if (gone) {
		if (GROW(p, gone, ngone, capgone))
			return -ENOMEM;
		p->gone[p->ngone++] = liobn;
		return 0;
	}
	if (GROW(p, tabs, ntabs, captabs))
		return -ENOMEM;
	e = &p->tabs[p->ntabs++];
	*e = (struct ltab){
		.diff = true, .liobn = liobn, .t = t, .runs0 = p->nruns};
	if (t) {
		e->page_shift = t->page_shift;
		e->offset = t->offset;
		e->size = t->size;
	} else {
		/* Verify only: the geometry is on the other side. */
		e->page_shift = 12;
		e->size = UINT64_MAX;
	}
	return 0;
}

/* Under the strict profile a mapped TCE names a whole page of guest
 * memory of the destination (no stray bits below the page). */
static int parse_runs(struct plan *p, const struct pcv_sec *s, uint64_t idx)
{
	struct pcv_cur c = pcv_cur_of(s);
	struct ltab *e = p->ntabs ? &p->tabs[p->ntabs - 1] : NULL;
	uint64_t liobn = pcv_r64(&c);
	uint32_t nruns = pcv_r32(&c);

	if (pcv_r32(&c) != 0 || c.bad)
		return bad(s, idx, -EBADMSG, "truncated header");
	if (!e || e->liobn != liobn || p->nruns != e->runs0 + e->nruns)
		return bad(s, idx, -EBADMSG,
			   "runs of table 0x%" PRIx64
			   " do not follow that table's section",
			   liobn);
	for (uint32_t k = 0; k < nruns; k++) {
		uint64_t first = pcv_r64(&c), end;
		uint32_t count = pcv_r32(&c);
		const uint8_t *vals;

		if (pcv_r32(&c) != 0 || c.bad)
			return bad(s, idx, -EBADMSG, "run %u: truncated", k);
		if (count == 0 || first < e->next ||
		    __builtin_add_overflow(first, count, &end) || end > e->size)
			return bad(s, idx, -EINVAL,
				   "run %u (entries 0x%" PRIx64 "+%u) of table "
				   "0x%" PRIx64 " is empty, overlaps the one "
				   "before or leaves the window",
				   k, first, count, liobn);
		vals = pcv_take(&c, (size_t)count * 8);
		if (!vals)
			return bad(s, idx, -EBADMSG, "run %u: truncated", k);
		for (uint32_t i = 0; i < count; i++) {
			uint64_t v = pcv_get64(vals + 8ull * i);

			/* Entries are stored as the source held them, in
			 * both profiles: a device's access checks the page
			 * it names against guest memory each time (as for
			 * any entry a guest or ppcvirt_tce_put() writes), so
			 * an entry naming no guest memory maps nothing. */
			/* A new table is private: fill it as we go. */
			if (!e->diff && e->t && v) {
				uint64_t page =
					(first + i) >> e->t->tpage_shift;

				atomic_store_explicit(&e->t->entries[first + i],
						      v, memory_order_relaxed);
				pcv_tpage_mark(e->t, page);
			}
		}
		e->next = end;
		e->entries += count;
	}
	if (c.p != c.end)
		return bad(s, idx, -EBADMSG, "%zu bytes after %u runs",
			   (size_t)(c.end - c.p), nruns);
	if (GROW(p, runs, nruns, capruns))
		return -ENOMEM;
	p->runs[p->nruns++] = *s;
	e->nruns++;
	return 0;
}

static int parse_phb(struct plan *p, const struct pcv_sec *s, uint64_t idx)
{
	struct pcv_cur c = pcv_cur_of(s);
	struct lphb *h;

	if (GROW(p, phbs, nphbs, capphbs))
		return -ENOMEM;
	h = &p->phbs[p->nphbs];
	memset(h, 0, sizeof(*h));
	h->cfg.buid = pcv_r64(&c);
	h->cfg.index = pcv_r32(&c);
	h->cfg.windows_supported = pcv_r32(&c);
	h->cfg.page_shift_mask = pcv_r64(&c);
	h->cfg.dma_win_addr = pcv_r64(&c);
	h->cfg.dma_win_size = pcv_r64(&c);
	h->cfg.dma64_win_addr = pcv_r64(&c);
	for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++) {
		uint32_t en = pcv_r32(&c), def = pcv_r32(&c);

		h->win[i].page_shift = pcv_r32(&c);
		if (pcv_r32(&c) != 0 || en > 1 || def > 1)
			c.bad = true;
		h->win[i].enabled = en;
		h->def_win[i] = def;
		h->win[i].bus_offset = pcv_r64(&c);
		h->win[i].entries = pcv_r64(&c);
	}
	if (c.bad || c.p != c.end)
		return bad(s, idx, -EBADMSG, "malformed (length %" PRIu64 ")",
			   s->len);
	if (pcv_phb_config_check(&h->cfg))
		return bad(s, idx, -EINVAL, "PHB configuration is invalid");
	for (size_t i = 0; i < p->nphbs; i++)
		if (p->phbs[i].cfg.index == h->cfg.index ||
		    p->phbs[i].cfg.buid == h->cfg.buid)
			return bad(s, idx, -EBADMSG, "PHB %u twice",
				   h->cfg.index);
	p->nphbs++;
	return 0;
}

static int parse_tlb(struct plan *p, const struct pcv_sec *s, uint64_t idx)
{
	struct ppcvirt_tlb *tmp = NULL;
	char why[160] = "";
	size_t i = p->ntlbs;
	int ret;

	ret = pcv_tlb_state_decode(s->p, (size_t)s->len, &tmp, why,
				   sizeof(why));
	if (ret)
		return bad(s, idx, ret, "TLB %zu: %s", i, why);
	if (GROW(p, tlbs, ntlbs, captlbs)) {
		ppcvirt_tlb_destroy(tmp);
		return -ENOMEM;
	}
	p->tlbs[p->ntlbs++] = tmp;
	if (p->a && (i >= p->a->ntlbs || !p->a->tlbs[i]))
		return bad(s, idx, -ENODEV,
			   "TLB %zu has no destination vCPU TLB", i);
	if (p->a && ppcvirt_tlb_core(p->a->tlbs[i]) != ppcvirt_tlb_core(tmp))
		return bad(s, idx, -ENODEV,
			   "TLB %zu is of core %d, the destination's of %d", i,
			   ppcvirt_tlb_core(tmp),
			   ppcvirt_tlb_core(p->a->tlbs[i]));
	return 0;
}

_Static_assert(PPCVIRT_PHB_MAX_WINDOWS <=
		       sizeof(((struct ppcvirt_state_section *)0)->windows) /
			       sizeof(struct ppcvirt_state_window),
	       "struct ppcvirt_state_section has a window per PHB window");

static void describe(struct plan *p, const struct pcv_sec *s)
{
	struct ppcvirt_state_section d = {
		.id = s->id,
		.version = s->version,
		.offset = s->off,
		.length = s->len,
		.name = pcv_sec_name(s->id),
	};
	const struct ltab *e = p->ntabs ? &p->tabs[p->ntabs - 1] : NULL;

	if (!p->fn)
		return;
	if ((s->id == PPCVIRT_STATE_SEC_TABLE ||
	     s->id == PPCVIRT_STATE_SEC_TABLE_DIFF || s->id == PCV_SEC_RUNS) &&
	    e) {
		d.liobn = e->liobn;
		d.page_shift = e->page_shift;
		d.flags = e->flags;
		d.offset_pages = e->offset;
		d.size_pages = e->diff && !e->t ? 0 : e->size;
		d.entries = e->entries;
	}
	if (s->id == PPCVIRT_STATE_SEC_TABLE_GONE && p->ngone)
		d.liobn = p->gone[p->ngone - 1];
	if (s->id == PPCVIRT_STATE_SEC_PHB && p->nphbs) {
		const struct lphb *h = &p->phbs[p->nphbs - 1];

		d.buid = h->cfg.buid;
		d.phb_index = h->cfg.index;
		d.windows_supported = h->cfg.windows_supported;
		for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++)
			d.windows[i] = (struct ppcvirt_state_window){
				.enabled = h->win[i].enabled,
				.def_win = h->def_win[i],
				.page_shift = h->win[i].page_shift,
				.bus_offset = h->win[i].bus_offset,
				.entries = h->win[i].entries,
			};
	}
	if (s->id == PPCVIRT_STATE_SEC_TLB && p->ntlbs) {
		const struct ppcvirt_tlb *t = p->tlbs[p->ntlbs - 1];

		d.tlb_core = (uint32_t)t->core;
		d.tlb_sizes[0] = t->size0;
		d.tlb_sizes[1] = t->size1;
		d.tlb_ways[0] = t->ways0;
		d.tlb_ways[1] = t->size1;
		for (uint32_t i = 0; i < t->nentries; i++)
			d.tlb_valid[i >= t->size0] +=
				!!(t->array[i].mas1 & PPCVIRT_MAS1_V);
	}
	pcv_cb_enter();
	p->fn(p->opaque, &d);
	pcv_cb_exit();
}

static int rank_of(uint16_t id)
{
	switch (id) {
	case PPCVIRT_STATE_SEC_VM:
		return R_VM;
	case PPCVIRT_STATE_SEC_MEMORY:
		return R_MEMORY;
	case PPCVIRT_STATE_SEC_REGIONS:
		return R_REGIONS;
	case PPCVIRT_STATE_SEC_TABLE:
	case PPCVIRT_STATE_SEC_TABLE_DIFF:
	case PPCVIRT_STATE_SEC_TABLE_GONE:
	case PCV_SEC_RUNS:
		return R_TABLES;
	case PPCVIRT_STATE_SEC_PHB:
		return R_PHB;
	case PPCVIRT_STATE_SEC_TLB:
		return R_TLB;
	default:
		return id >= PPCVIRT_STATE_USER_FIRST &&
				       id <= PPCVIRT_STATE_USER_LAST
			       ? R_USER
			       : 0;
	}
}

/* The previous run-carrying section's table has a run gap when a RUNS
 * section was cut; the TABLE/DIFF sections themselves are checked by
 * their parsers. */
static int parse_section(struct plan *p, const struct pcv_sec *s, uint64_t idx)
{
	int rank = rank_of(s->id);

	if (rank == 0)
		return 0; /* unknown: a newer writer's; skipped */
	if (rank < p->rank || (rank == p->rank && rank <= R_REGIONS))
		return bad(s, idx, -EBADMSG, "out of order");
	p->rank = rank;
	if (rank != R_USER && s->version > 1)
		return bad(s, idx, -EPROTO,
			   "section version %u is newer than this library "
			   "reads (1)",
			   s->version);
	if (rank != R_USER && s->version == 0)
		return bad(s, idx, -EBADMSG, "section version 0");
	switch (s->id) {
	case PPCVIRT_STATE_SEC_VM:
		p->seen_vm = true;
		return parse_vm(p, s, idx);
	case PPCVIRT_STATE_SEC_MEMORY: {
		const uint8_t *arr;
		uint32_t n;

		p->seen_memory = true;
		return parse_ranges(p, s, idx, false, &arr, &n);
	}
	case PPCVIRT_STATE_SEC_REGIONS:
		p->seen_regions = true;
		return parse_ranges(p, s, idx, true, &p->regions, &p->nregions);
	case PPCVIRT_STATE_SEC_TABLE:
		return parse_table(p, s, idx);
	case PPCVIRT_STATE_SEC_TABLE_DIFF:
		return parse_diff(p, s, idx, false);
	case PPCVIRT_STATE_SEC_TABLE_GONE:
		return parse_diff(p, s, idx, true);
	case PCV_SEC_RUNS:
		return parse_runs(p, s, idx);
	case PPCVIRT_STATE_SEC_PHB:
		return parse_phb(p, s, idx);
	case PPCVIRT_STATE_SEC_TLB:
		return parse_tlb(p, s, idx);
	default:
		if (GROW(p, blobs, nblobs, capblobs))
			return -ENOMEM;
		p->blobs[p->nblobs++] = *s;
		return 0;
	}
}

/* Is there, once the stream is applied, a table @liobn of this geometry? */
static bool table_after(struct plan *p, uint64_t liobn, uint32_t shift,
			uint64_t bus_offset, uint64_t entries)
{
	const struct ltab *e = tab_in_stream(p, liobn);
	const struct pcv_table *t;

	if (e)
		return e->page_shift == shift &&
		       e->offset << e->page_shift == bus_offset &&
		       e->size == entries;
	if (gone_in_stream(p, liobn))
		return false;
	t = pcv_table_find(dst_tables(p), liobn);
	return t && t->page_shift == shift && t->bus_offset == bus_offset &&
	       t->size == entries;
}

/* Is there, once the stream is applied, a table @liobn of any geometry? */
static bool any_table_after(struct plan *p, uint64_t liobn)
{
	if (tab_in_stream(p, liobn))
		return true;
	return !gone_in_stream(p, liobn) &&
	       pcv_table_find(dst_tables(p), liobn) != NULL;
}

/* A PHB's enabled windows are tables of the window's geometry once the
 * stream is applied; its disabled ones (of those it supports) are not
 * tables at all. Returns the first window that is not so, or -1. */
static int windows_after(struct plan *p, const struct ppcvirt_phb_config *cfg,
			 const struct pcv_phb_win *win)
{
	for (unsigned n = 0; n < PPCVIRT_PHB_MAX_WINDOWS; n++) {
		uint64_t liobn = PPCVIRT_PHB_LIOBN(cfg->index, n);
		bool ok =
			win[n].enabled
				? table_after(p, liobn, win[n].page_shift,
					      win[n].bus_offset, win[n].entries)
				: n >= cfg->windows_supported ||
					  !any_table_after(p, liobn);

		if (!ok)
			return (int)n;
	}
	return -1;
}

static bool phb_in_stream(const struct plan *p, uint32_t index)
{
	for (size_t i = 0; i < p->nphbs; i++)
		if (p->phbs[i].cfg.index == index)
			return true;
	return false;
}

/* The destination's PHBs a later pass does not carry keep their windows
 * too: the pass may not remove, replace or add a table under them. */
static int dst_phbs_after(struct plan *p)
{
	int ret = 0;

	pthread_mutex_lock(&p->vm->stats_lock);
	for (const struct pcv_child *c = p->vm->children; c && !ret;
	     c = c->next) {
		const struct ppcvirt_phb *h = c->obj;
		int n;

		if (c->type != PCV_H_PHB || phb_in_stream(p, h->cfg.index))
			continue;
		n = windows_after(p, &h->cfg, h->win);
		if (n >= 0) {
			pcv_set_error(
				"the destination's PHB %u is not in the "
				"stream, and its window %d (LIOBN "
				"0x%" PRIx64 ") would not match the "
				"tables after it",
				h->cfg.index, n,
				(uint64_t)PPCVIRT_PHB_LIOBN(h->cfg.index, n));
			ret = -EINVAL;
		}
	}
	pthread_mutex_unlock(&p->vm->stats_lock);
	return ret;
}

/* Checks that need the whole stream. */
static int parse_end(struct plan *p)
{
	size_t full = 0;

	for (size_t i = 0; i < p->ntabs; i++)
		full += !p->tabs[i].diff;
	if (p->seen_vm && ((p->r.pass <= 1 && p->n_tables != full) ||
			   (p->r.pass > 1 && p->n_tables != p->ntabs) ||
			   p->n_phbs != p->nphbs || p->n_tlbs != p->ntlbs)) {
		pcv_set_error("vm section: it counts %u tables, %u PHBs and "
			      "%u TLBs; the stream has %zu, %zu and %zu",
			      p->n_tables, p->n_phbs, p->n_tlbs, p->ntabs,
			      p->nphbs, p->ntlbs);
		return -EBADMSG;
	}
	if (!p->seen_vm && (p->ntabs || p->ngone || p->nphbs ||
			    p->seen_memory || p->seen_regions)) {
		pcv_set_error("the stream has VM state but no vm section");
		return -EBADMSG;
	}
	for (size_t i = 0; p->vm && i < p->nphbs; i++) {
		const struct lphb *h = &p->phbs[i];
		int n = windows_after(p, &h->cfg, h->win);

		if (n >= 0) {
			pcv_set_error(
				"phb section %zu: window %d (LIOBN "
				"0x%" PRIx64 ") does not match the "
				"stream's tables",
				i, n,
				(uint64_t)PPCVIRT_PHB_LIOBN(h->cfg.index, n));
			return -EINVAL;
		}
	}
	return p->vm ? dst_phbs_after(p) : 0;
}

static int parse(struct plan *p, const void *buf, size_t len)
{
	struct pcv_sec s;
	int ret;

	ret = pcv_reader_init(&p->r, buf, len);
	if (ret)
		return ret;
	p->info.version = p->r.version;
	p->info.pass = p->r.pass;
	p->info.migration = p->r.migration;
	if (p->vm) {
		const struct pcv_tableset *ts = dst_tables(p);

		if (p->r.flags & PCV_STATE_DELTA) {
			if (p->vm->loaded_migration != p->r.migration ||
			    p->vm->loaded_pass + 1 != p->r.pass) {
				pcv_set_error("header: pass %u of migration "
					      "0x%" PRIx64 " does not follow "
					      "what the destination loaded "
					      "(pass %u of 0x%" PRIx64 ")",
					      p->r.pass, p->r.migration,
					      p->vm->loaded_pass,
					      p->vm->loaded_migration);
				return -EPROTO;
			}
		} else if (ts && ts->n) {
			pcv_set_error("the destination has %zu tables already; "
				      "a full stream loads into a fresh VM",
				      ts->n);
			return -EEXIST;
		}
	}
	while ((ret = pcv_reader_next(&p->r, &s)) > 0) {
		ret = parse_section(p, &s, p->r.nsec - 1);
		if (ret)
			return ret;
		describe(p, &s);
	}
	if (ret)
		return ret;
	p->info.sections = p->r.nsec;
	p->info.bytes = p->r.len;
	return parse_end(p);
}

static void plan_free(struct plan *p, bool keep_tables)
{
	for (size_t i = 0; i < p->ntabs; i++)
		if (!p->tabs[i].diff && !keep_tables)
			pcv_table_free(p->tabs[i].t);
	for (size_t i = 0; i < p->nphbs; i++) {
		if (p->phbs[i].fresh && !keep_tables)
			pcv_phb_discard(p->phbs[i].obj);
		if (!keep_tables)
			free(p->phbs[i].node);
	}
	for (size_t i = 0; i < p->ntlbs; i++)
		ppcvirt_tlb_destroy(p->tlbs[i]);
	free(p->tabs);
	free(p->runs);
	free(p->gone);
	free(p->phbs);
	free(p->tlbs);
	free(p->blobs);
	free(p->tset);
	free(p->rset);
	pcv_reader_free(&p->r);
}

PPCVIRT_API int ppcvirt_state_verify(const void *buf, size_t len,
				     struct ppcvirt_state_info *info,
				     ppcvirt_state_section_fn fn, void *opaque)
{
	struct plan p = {.fn = fn, .opaque = opaque};
	int ret;

	if (!buf)
		return -EINVAL;
	ret = parse(&p, buf, len);
	if (info)
		*info = p.info;
	plan_free(&p, false);
	return ret;
}

/* ---- prepare and commit -----------------------------------------------------
 */

/* The destination's PHB of @index, if it has one. */
static struct ppcvirt_phb *dst_phb(struct ppcvirt_vm *vm, uint32_t index)
{
	struct ppcvirt_phb *found = NULL;

	pthread_mutex_lock(&vm->stats_lock);
	for (struct pcv_child *c = vm->children; c && !found; c = c->next)
		if (c->type == PCV_H_PHB &&
		    ((struct ppcvirt_phb *)c->obj)->cfg.index == index)
			found = c->obj;
	pthread_mutex_unlock(&vm->stats_lock);
	return found;
}

static int prepare(struct plan *p)
{
	const struct ppcvirt_state_load *a = p->a;
	struct ppcvirt_vm *vm = p->vm;
	const struct pcv_tableset *old = dst_tables(p);
	size_t n = 0, cap = (old ? old->n : 0) + p->ntabs + 1;
	int ret;

	if (p->nphbs > a->phbs_cap || (p->nphbs && !a->phbs)) {
		pcv_set_error("the stream has %zu PHBs; room for %u", p->nphbs,
			      a->phbs_cap);
		return -ENOSPC;
	}
	/* PHBs: the destination's (a later pass) or new ones. */
	for (size_t i = 0; i < p->nphbs; i++) {
		struct lphb *h = &p->phbs[i];

		h->obj = dst_phb(vm, h->cfg.index);
		if (h->obj) {
			if (memcmp(&h->obj->cfg, &h->cfg, sizeof(h->cfg))) {
				pcv_set_error(
					"phb section %zu: the destination "
					"has PHB %u with another "
					"configuration",
					i, h->cfg.index);
				return -EINVAL;
			}
			continue;
		}
		h->node = malloc(sizeof(*h->node));
		if (!h->node)
			return -ENOMEM;
		ret = pcv_phb_restore(vm, &h->cfg, h->win, h->def_win, &h->obj);
		if (ret)
			return ret;
		h->fresh = true;
	}
	/* The table set after the load. */
	p->tset = malloc(sizeof(*p->tset) + cap * sizeof(p->tset->t[0]));
	if (!p->tset)
		return -ENOMEM;
	for (size_t i = 0; old && i < old->n; i++) {
		uint64_t l = old->t[i]->liobn;
		const struct ltab *e = tab_in_stream(p, l);

		if (!gone_in_stream(p, l) && !(e && !e->diff))
			p->tset->t[n++] = old->t[i];
	}
	for (size_t i = 0; i < p->ntabs; i++)
		if (!p->tabs[i].diff)
			p->tset->t[n++] = p->tabs[i].t;
	p->tset->n = n;
	if (p->seen_regions) {
		p->rset = malloc(sizeof(*p->rset) +
				 (p->nregions + 1) * sizeof(p->rset->r[0]));
		if (!p->rset)
			return -ENOMEM;
		p->rset->n = p->nregions;
		for (uint32_t i = 0; i < p->nregions; i++) {
			uint64_t gpa = pcv_get64(p->regions + 16ull * i);
			uint64_t size = pcv_get64(p->regions + 16ull * i + 8);

			p->rset->r[i] = (struct pcv_region){
				.gpa = gpa,
				.size = size,
				.hva = pcv_gpa_hva(dst_slots(p), gpa, size)};
		}
	}
	/* New tables are born tracked if this VM is migrating further. */
	for (size_t i = 0; i < p->ntabs; i++)
		if (!p->tabs[i].diff &&
		    (ret = pcv_migration_track_new(vm, p->tabs[i].t)))
			return ret;
	/* Hypercalls the kernel handles are enabled before anything is
	 * committed (idempotent: a failed load leaves them as asked). */
	if (p->seen_vm && vm->be->enable_hcall) {
		for (int i = 0; i < PCV_HC_COUNT; i++) {
			static const uint64_t nr[PCV_HC_COUNT] = {
				[PCV_HC_GET] = PPCVIRT_H_GET_TCE,
				[PCV_HC_PUT] = PPCVIRT_H_PUT_TCE,
				[PCV_HC_STUFF] = PPCVIRT_H_STUFF_TCE,
				[PCV_HC_INDIRECT] = PPCVIRT_H_PUT_TCE_INDIRECT,
			};

			ret = vm->be->enable_hcall(vm, nr[i],
						   (p->hcalls >> i) & 1);
			if (ret)
				return ret;
		}
	}
	/* Last: the embedder sees its sections and may still refuse. */
	for (size_t i = 0; i < p->nblobs && a->on_blob; i++) {
		pcv_cb_enter();
		ret = a->on_blob(a->opaque, p->blobs[i].id, p->blobs[i].p,
				 p->blobs[i].len);
		pcv_cb_exit();
		if (ret) {
			pcv_set_error("section %s 0x%x refused by the embedder",
				      pcv_sec_name(p->blobs[i].id),
				      p->blobs[i].id);
			return ret < 0 ? ret : -EINVAL;
		}
	}
	return 0;
}

/* A run onto pages of @t not all known to be backed: through
 * pcv_range_commit(), which keeps zeros out of holes. */
static void apply_run_slow(struct pcv_table *t, uint64_t first, uint32_t count,
			   const uint8_t *v)
{
	uint64_t vals[64];

	for (uint32_t i = 0; i < count; i += 64) {
		uint32_t m = count - i < 64 ? count - i : 64;

		for (uint32_t j = 0; j < m; j++)
			vals[j] = pcv_get64(v + 8ull * (i + j));
		for (uint64_t pg = (first + i) >> t->tpage_shift;
		     pg <= (first + i + m - 1) >> t->tpage_shift; pg++)
			pcv_tpage_probe(t, pg);
		pcv_range_commit(t, first + i, m, vals, 0);
	}
}

/*
 * Apply the runs of a diff to the destination's (published) table. A diff
 * is mostly single entries scattered over the table, each a cache miss,
 * and it is applied during the migration's downtime: a run whose pages are
 * all known to be backed (the rule once the first pass has filled the
 * table) is stored in a bare loop, as pcv_range_commit() would, so that
 * the misses of successive runs overlap instead of queueing behind its
 * calls.
 */
static void apply_diff(struct plan *p, const struct ltab *e)
{
	struct pcv_table *t = e->t;
	_Atomic uint64_t *ent = t->entries;

	for (size_t k = 0; k < e->nruns; k++) {
		const struct pcv_sec *s = &p->runs[e->runs0 + k];
		struct pcv_cur c = pcv_cur_of(s);

		pcv_take(&c, PCV_RUNS_HDR_LEN);
		while (c.p < c.end) {
			uint64_t first = pcv_r64(&c), last;
			uint32_t count = pcv_r32(&c);
			const uint8_t *v;
			bool known = true;

			pcv_r32(&c);
			v = pcv_take(&c, (size_t)count * 8);
			last = first + count - 1;
			for (uint64_t pg = first >> t->tpage_shift;
			     pg <= last >> t->tpage_shift && known; pg++)
				known = pcv_tpage_known(t, pg);
			if (!known) {
				apply_run_slow(t, first, count, v);
				continue;
			}
			for (uint32_t i = 0; i < count; i++)
				atomic_store_explicit(&ent[first + i],
						      pcv_get64(v + 8ull * i),
						      memory_order_release);
			pcv_dirty_mark(t, first, count);
		}
	}
}

static void commit(struct plan *p)
{
	struct ppcvirt_vm *vm = p->vm;
	const struct ppcvirt_state_load *a = p->a;
	struct pcv_tableset *old_t =
		atomic_load_explicit(&vm->tables, memory_order_relaxed);
	struct pcv_regions *old_r = NULL;

	/* Tables: the new set, then the ones it drops. */
	atomic_store_explicit(&vm->tables, p->tset, memory_order_release);
	if (p->rset) {
		old_r = atomic_load_explicit(&vm->regions,
					     memory_order_relaxed);
		atomic_store_explicit(&vm->regions, p->rset,
				      memory_order_release);
	}
	pcv_rcu_synchronize();
	for (size_t i = 0; old_t && i < old_t->n; i++) {
		bool kept = false;

		for (size_t k = 0; k < p->tset->n && !kept; k++)
			kept = p->tset->t[k] == old_t->t[i];
		if (!kept)
			pcv_table_destroy(vm, old_t->t[i]);
	}
	free(old_t);
	free(old_r);
	p->tset = NULL;
	p->rset = NULL;
	for (size_t i = 0; i < p->ntabs; i++) {
		const struct ltab *e = &p->tabs[i];

		if (e->diff)
			apply_diff(p, e);
		pcv_trace_emit(vm, PPCVIRT_TRACE_POST_LOAD, e->liobn,
			       e->replaced ? e->old_size
			       : e->diff   ? e->t->size
					   : 0,
			       e->t->size, e->t->bus_offset, e->t->page_shift,
			       0);
	}
	if (p->seen_vm) {
		atomic_store(&vm->profile, p->profile);
		atomic_store(&vm->hcall_enabled, p->hcalls);
		if (vm->engine_tiers)
			atomic_store(&vm->tiers, p->tiers);
	}
	for (size_t i = 0; i < p->nphbs; i++) {
		struct lphb *h = &p->phbs[i];

		if (h->fresh) {
			pcv_phb_publish(h->obj, h->node);
			h->node = NULL;
			h->fresh = false;
		} else {
			memcpy(h->obj->win, h->win, sizeof(h->win));
			memcpy(h->obj->def_win, h->def_win, sizeof(h->def_win));
		}
		a->phbs[i] = h->obj;
	}
	if (a->nphbs)
		*a->nphbs = (uint32_t)p->nphbs;
	for (size_t i = 0; i < p->ntlbs; i++)
		pcv_tlb_state_commit(a->tlbs[i], p->tlbs[i]);
	vm->loaded_migration = p->r.migration;
	vm->loaded_pass = p->r.pass;
}

PPCVIRT_API int ppcvirt_state_load(const struct ppcvirt_state_load *a,
				   const void *buf, size_t len)
{
	struct plan p = {.a = a};
	int ret;

	if (!a || !buf || a->size < sizeof(*a) || a->flags || a->reserved ||
	    (a->ntlbs && !a->tlbs))
		return -EINVAL;
	p.vm = a->vm;
	if (!p.vm) {
		/* A TLB-only stream. */
		ret = parse(&p, buf, len);
		if (ret == 0 && (p.seen_vm || p.ntlbs != a->ntlbs)) {
			pcv_set_error("the stream has VM state or %zu TLBs; "
				      "%u given",
				      p.ntlbs, a->ntlbs);
			ret = p.seen_vm ? -EINVAL : -ENODEV;
		}
		for (size_t i = 0; ret == 0 && i < p.ntlbs; i++)
			pcv_tlb_state_commit(a->tlbs[i], p.tlbs[i]);
		plan_free(&p, false);
		return ret;
	}
	ret = pcv_ctl_lock(&p.vm->lock);
	if (ret)
		return ret;
	ret = parse(&p, buf, len);
	/* A migration's TLBs travel in its last pass only. */
	if (ret == 0 && p.ntlbs != a->ntlbs && (p.ntlbs || p.r.pass == 0)) {
		pcv_set_error("the stream has %zu TLBs; %u given", p.ntlbs,
			      a->ntlbs);
		ret = -ENODEV;
	}
	if (ret == 0)
		ret = prepare(&p);
	if (ret == 0)
		commit(&p);
	pcv_ctl_unlock(&p.vm->lock);
	plan_free(&p, ret == 0);
	return ret;
}
