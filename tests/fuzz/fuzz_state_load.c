/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the state loader (include/ppcvirt/state.h): a
 * stream is hostile input, and the oracle is "identical state or a clean
 * error".
 *
 * The input is one or more streams back to back (a migration's passes in
 * order): it is cut after each end section. Every input runs twice: as
 * given, which mostly meets the checksums, and resealed (each section's
 * checksum, the end section's count and chain recomputed), so that the
 * mutations reach the section parsers; a fuzzer cannot guess XXH3 sums.
 *
 * The streams load in order into one destination, a VM and again a
 * VM-less one (TLBs only). For each stream:
 *   1. ppcvirt_state_verify() and ppcvirt_state_load(); a stream that
 *      verify refuses must not load;
 *   2. refused: a negative errno, a non-empty printable
 *      ppcvirt_last_error(), and the destination exactly as before:
 *      tables (geometry and every entry, read through the table's fd),
 *      profile, enabled hcalls, tiers, registered memory, the last pass
 *      loaded, PHBs (none created) and TLBs (geometry, entries, MAS, PIDs,
 *      victim counter);
 *   3. loaded: the destination holds what the stream says, read
 *      independently (model_check() below), its PHBs agree with its
 *      tables, and it is saved and that loaded into a fresh destination,
 *      which must succeed and give the same state; the TLBs also answer
 *      the same lookups.
 * Any violation aborts (a crash for libFuzzer); ASan and UBSan watch the
 * rest, and an fd left open by an input is caught too.
 *
 * The destination has guest memory as in state_layout.h, a TLB per TLB
 * section of the input's longest stream of the core that section names
 * (so that the seeds' TLBs find their cores), room for PHB_MAX PHBs, and
 * starts in the profile the input length's parity picks. Bits 1-3 of the
 * length twist it for the loader's destination checks: 5, room for one
 * PHB only; 6, each TLB of the other core; 7, one TLB more.
 *
 * A few white-box reads (src/) cover state the public API does not show
 * without changing it: enabled hcalls, tiers, registered memory, the last
 * pass loaded, a VM's PHB count, a PHB's def_win flags and disabled
 * windows, a TLB's victim counter.
 *
 * With PPCVIRT_FUZZ_STATE_ACCEPT set, every stream must load (the CTest
 * run over the seeds says they still exercise the loader's success path).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "booke/booke.h"
#include "core/vm.h"
#include "ddw/phb.h"
#include "iommu/link.h"
#include "state_layout.h"

#define MAX_STREAMS 4
#define MAX_TLBS    4
#define PHB_MAX	    16
#define HDR	    32 /* stream header */
#define SEC_HDR	    16 /* section header; a u64 checksum follows the payload */
#define SEC_END	    0xffff

static bool expect_accept;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz_state_load: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (last error: %s)\n", ppcvirt_last_error());
	va_end(ap);
	abort();
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- cutting and resealing streams ---------------------------------------
 */

/* Walk the sections of the stream at @p: fn(opaque, offset of the
 * section, its payload length) for each; stops after the end section.
 * Returns the stream's length: up to the end section, or @len when the
 * framing breaks. */
static size_t walk(const uint8_t *p, size_t len,
		   void (*fn)(void *opaque, size_t at, uint64_t n),
		   void *opaque)
{
	size_t pos = HDR;

	if (len < HDR)
		return len;
	while (len - pos >= SEC_HDR) {
		uint64_t n = le(p + pos + 8, 8);
		unsigned id = (unsigned)le(p + pos, 2);

		if (n > len - pos - SEC_HDR || len - pos - SEC_HDR - n < 8)
			return len;
		if (fn)
			fn(opaque, pos, n);
		pos += SEC_HDR + (size_t)n + 8;
		if (id == SEC_END)
			return pos;
	}
	return len;
}

struct seal {
	uint8_t *p;
	XXH3_state_t *chain;
	uint64_t count;
};

static void reseal_one(void *opaque, size_t at, uint64_t n)
{
	struct seal *s = opaque;
	uint8_t *sec = s->p + at;
	bool end = le(sec, 2) == SEC_END;

	if (end && n == 16) {
		put_le(sec + SEC_HDR, s->count, 8);
		put_le(sec + SEC_HDR + 8, XXH3_64bits_digest(s->chain), 8);
	}
	put_le(sec + SEC_HDR + n, XXH3_64bits(sec, SEC_HDR + (size_t)n), 8);
	if (!end) {
		XXH3_64bits_update(s->chain, sec + SEC_HDR + n, 8);
		s->count++;
	}
}

/* Recompute the checksums of the stream at @p (of @len, as walk() cut). */
static void reseal(uint8_t *p, size_t len)
{
	static XXH3_state_t *chain;
	struct seal s = {p, NULL, 0};

	if (len < HDR)
		return;
	if (!chain && !(chain = XXH3_createState()))
		abort();
	XXH3_64bits_reset(chain);
	XXH3_64bits_update(chain, p, HDR);
	s.chain = chain;
	walk(p, len, reseal_one, &s);
}

struct tlbscan {
	const uint8_t *p;
	unsigned n;
	int core[MAX_TLBS];
};

static void scan_tlb(void *opaque, size_t at, uint64_t n)
{
	struct tlbscan *t = opaque;
	const uint8_t *sec = t->p + at;
	uint64_t core = n >= 4 ? le(sec + SEC_HDR, 4) : 0;

	if (le(sec, 2) != PPCVIRT_STATE_SEC_TLB || t->n >= MAX_TLBS)
		return;
	t->core[t->n++] = core == PPCVIRT_BOOKE_E500MC ? PPCVIRT_BOOKE_E500MC
						       : PPCVIRT_BOOKE_E500V2;
}

/* ---- a destination -------------------------------------------------------
 */

struct dst {
	struct ppcvirt_vm *vm; /* NULL: TLBs only */
	struct ppcvirt_tlb *tlb[MAX_TLBS];
	unsigned ntlbs;
	struct ppcvirt_phb *phb[PHB_MAX]; /* the PHBs loads gave it */
	unsigned nphbs;
	uint32_t phb_room; /* for a load */
};

static void dst_init(struct dst *d, bool vm, const struct tlbscan *cores,
		     enum ppcvirt_profile prof)
{
	memset(d, 0, sizeof(*d));
	if (vm && (ppcvirt_vm_create(&d->vm) ||
		   ppcvirt_vm_alloc_memory(d->vm, 0, FZ_STATE_SLOT0_GPA,
					   FZ_STATE_SLOT0_SIZE, NULL, NULL) ||
		   ppcvirt_vm_alloc_memory(d->vm, 1, FZ_STATE_SLOT1_GPA,
					   FZ_STATE_SLOT1_SIZE, NULL, NULL) ||
		   ppcvirt_vm_set_profile(d->vm, prof)))
		fail("cannot make a destination VM");
	for (unsigned i = 0; i < cores->n; i++)
		if (ppcvirt_tlb_create((enum ppcvirt_booke_core)cores->core[i],
				       &d->tlb[i]))
			fail("cannot make a destination TLB");
	d->ntlbs = cores->n;
	d->phb_room = PHB_MAX;
}

static void dst_fini(struct dst *d)
{
	for (unsigned i = 0; i < d->ntlbs; i++)
		ppcvirt_tlb_destroy(d->tlb[i]);
	ppcvirt_vm_destroy(d->vm); /* and its PHBs */
	memset(d, 0, sizeof(*d));
}

/* ---- what a destination holds --------------------------------------------
 */

struct entry {
	uint64_t idx, val;
};

struct tab {
	struct ppcvirt_tce_info info;
	struct entry *e; /* the non-zero entries, in index order */
	size_t n, cap;
};

struct phbsnap {
	struct ppcvirt_phb_config cfg;
	int enabled[PPCVIRT_PHB_MAX_WINDOWS];
	int qret;
	struct ppcvirt_ddw_query q;
	struct pcv_phb_win win[PPCVIRT_PHB_MAX_WINDOWS];
	bool def_win[PPCVIRT_PHB_MAX_WINDOWS];
};

struct tlbsnap {
	int core;
	struct ppcvirt_book3e_206_tlb_params geo;
	struct ppcvirt_book3e_206_tlb_entry *e;
	int n;
	struct ppcvirt_booke_mas mas;
	long pid[3];
	uint32_t last_way;
};

struct snap {
	bool vm; /* of a destination with a VM */
	int profile;
	unsigned hcalls, tiers;
	uint64_t loaded_migration;
	uint32_t loaded_pass;
	struct pcv_region *regions;
	size_t nregions;
	struct tab *tabs;
	size_t ntabs;
	unsigned vm_phbs; /* PHBs the VM has */
	struct phbsnap phb[PHB_MAX];
	unsigned nphbs;
	struct tlbsnap tlb[MAX_TLBS];
	unsigned ntlbs;
};

static void tab_add(struct tab *t, uint64_t idx, uint64_t val)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->e = realloc(t->e, t->cap * sizeof(*t->e));
		if (!t->e)
			abort();
	}
	t->e[t->n++] = (struct entry){idx, val};
}

/* Every non-zero entry of @liobn, read through the table's fd (holes
 * skipped: a huge sparse window costs what is in it). */
static void snap_table(struct ppcvirt_vm *vm, uint64_t liobn, struct tab *t)
{
	static uint64_t buf[512];
	off_t end, at = 0;
	int fd;

	memset(t, 0, sizeof(*t));
	if (ppcvirt_vm_tce_info(vm, liobn, &t->info))
		fail("listed table 0x%llx has no info",
		     (unsigned long long)liobn);
	fd = ppcvirt_vm_tce_fd(vm, liobn);
	if (fd < 0)
		fail("table 0x%llx: no fd (%d)", (unsigned long long)liobn, fd);
	end = (off_t)(t->info.size * 8);
	while (at < end && (at = lseek(fd, at, SEEK_DATA)) >= 0 && at < end) {
		off_t hole = lseek(fd, at, SEEK_HOLE);

		if (hole < 0 || hole > end)
			hole = end;
		while (at < hole) {
			size_t want = (size_t)(hole - at) < sizeof(buf)
					      ? (size_t)(hole - at)
					      : sizeof(buf);
			ssize_t got = pread(fd, buf, want, at);

			if (got <= 0 || got % 8)
				fail("table 0x%llx: read at %lld: %zd",
				     (unsigned long long)liobn, (long long)at,
				     got);
			for (size_t i = 0; i < (size_t)got / 8; i++)
				if (buf[i])
					tab_add(t, (uint64_t)at / 8 + i,
						buf[i]);
			at += got;
		}
	}
	close(fd);
	/* The accessor agrees with the storage. */
	for (size_t i = 0; i < t->n; i++) {
		uint64_t v = 0;

		if (ppcvirt_tce_get(vm, liobn, t->e[i].idx, &v) ||
		    v != t->e[i].val)
			fail("table 0x%llx entry 0x%llx: fd has 0x%llx, "
			     "ppcvirt_tce_get 0x%llx",
			     (unsigned long long)liobn,
			     (unsigned long long)t->e[i].idx,
			     (unsigned long long)t->e[i].val,
			     (unsigned long long)v);
	}
}

static int by_liobn(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void snap_vm(struct ppcvirt_vm *vm, struct snap *s)
{
	const struct pcv_regions *rs;
	uint64_t *l;
	int n = ppcvirt_vm_list_tces(vm, NULL, 0);

	s->vm = true;
	s->profile = ppcvirt_vm_get_profile(vm);
	s->hcalls = atomic_load(&vm->hcall_enabled);
	s->tiers = atomic_load(&vm->tiers);
	s->loaded_migration = vm->loaded_migration;
	s->loaded_pass = vm->loaded_pass;
	rs = atomic_load(&vm->regions);
	s->nregions = rs ? rs->n : 0;
	s->regions = calloc(s->nregions + 1, sizeof(*s->regions));
	if (n < 0 || !s->regions)
		abort();
	for (size_t i = 0; i < s->nregions; i++)
		s->regions[i] =
			(struct pcv_region){rs->r[i].gpa, rs->r[i].size, NULL};
	l = calloc((size_t)n + 1, sizeof(*l));
	s->tabs = calloc((size_t)n + 1, sizeof(*s->tabs));
	if (!l || !s->tabs || ppcvirt_vm_list_tces(vm, l, (size_t)n) != n)
		abort();
	qsort(l, (size_t)n, sizeof(*l), by_liobn);
	for (int i = 0; i < n; i++)
		snap_table(vm, l[i], &s->tabs[i]);
	s->ntabs = (size_t)n;
	free(l);
	for (const struct pcv_child *c = vm->children; c; c = c->next)
		s->vm_phbs += c->type == PCV_H_PHB;
}

static void snap_phb(const struct ppcvirt_phb *p, struct phbsnap *s)
{
	s->cfg = *ppcvirt_phb_get_config(p);
	for (unsigned n = 0; n < PPCVIRT_PHB_MAX_WINDOWS; n++)
		s->enabled[n] = ppcvirt_phb_window_enabled(p, n);
	s->qret = ppcvirt_phb_query(p, &s->q);
	memcpy(s->win, p->win, sizeof(s->win));
	memcpy(s->def_win, p->def_win, sizeof(s->def_win));
}

static void snap_tlb(const struct ppcvirt_tlb *t, struct tlbsnap *s)
{
	uint32_t n = ppcvirt_tlb_entry_count(t);

	s->core = ppcvirt_tlb_core(t);
	s->e = calloc(n + 1, sizeof(*s->e));
	if (!s->e || ppcvirt_tlb_geometry(t, &s->geo) ||
	    ppcvirt_tlb_get_mas(t, &s->mas))
		abort();
	s->n = ppcvirt_tlb_read_all(t, s->e, n);
	for (unsigned i = 0; i < 3; i++)
		s->pid[i] = ppcvirt_tlb_get_pid(t, i);
	s->last_way = t->last_way;
}

static void snap_take(const struct dst *d, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	if (d->vm)
		snap_vm(d->vm, s);
	for (unsigned i = 0; i < d->nphbs; i++)
		snap_phb(d->phb[i], &s->phb[i]);
	s->nphbs = d->nphbs;
	for (unsigned i = 0; i < d->ntlbs; i++)
		snap_tlb(d->tlb[i], &s->tlb[i]);
	s->ntlbs = d->ntlbs;
}

static void snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->ntabs; i++)
		free(s->tabs[i].e);
	free(s->tabs);
	free(s->regions);
	for (unsigned i = 0; i < s->ntlbs; i++)
		free(s->tlb[i].e);
}

#define DIFFER(what, ...)                                                      \
	do {                                                                   \
		snprintf(why, sizeof(why), what, __VA_ARGS__);                 \
		return why;                                                    \
	} while (0)

/* NULL when @a and @b hold the same state, else what differs. The last
 * pass loaded is compared only when @passes (it is not saved state). */
static const char *snap_diff(const struct snap *a, const struct snap *b,
			     bool passes)
{
	static char why[256];

	if (a->profile != b->profile || a->hcalls != b->hcalls ||
	    a->tiers != b->tiers)
		DIFFER("profile %d/%d, hcalls 0x%x/0x%x or tiers 0x%x/0x%x",
		       a->profile, b->profile, a->hcalls, b->hcalls, a->tiers,
		       b->tiers);
	if (passes && (a->loaded_migration != b->loaded_migration ||
		       a->loaded_pass != b->loaded_pass))
		DIFFER("last pass loaded %u/%u", a->loaded_pass,
		       b->loaded_pass);
	if (a->nregions != b->nregions)
		DIFFER("%zu/%zu registered ranges", a->nregions, b->nregions);
	for (size_t i = 0; i < a->nregions; i++)
		if (a->regions[i].gpa != b->regions[i].gpa ||
		    a->regions[i].size != b->regions[i].size)
			DIFFER("registered range %zu", i);
	if (a->ntabs != b->ntabs)
		DIFFER("%zu/%zu tables", a->ntabs, b->ntabs);
	for (size_t i = 0; i < a->ntabs; i++) {
		const struct tab *x = &a->tabs[i], *y = &b->tabs[i];

		if (x->info.liobn != y->info.liobn ||
		    x->info.page_shift != y->info.page_shift ||
		    x->info.flags != y->info.flags ||
		    x->info.offset != y->info.offset ||
		    x->info.size != y->info.size ||
		    x->info.bus_offset != y->info.bus_offset)
			DIFFER("table 0x%llx/0x%llx geometry",
			       (unsigned long long)x->info.liobn,
			       (unsigned long long)y->info.liobn);
		if (x->n != y->n ||
		    (x->n && memcmp(x->e, y->e, x->n * sizeof(x->e[0]))))
			DIFFER("table 0x%llx entries (%zu/%zu non-zero)",
			       (unsigned long long)x->info.liobn, x->n, y->n);
	}
	if (a->vm_phbs != b->vm_phbs || a->nphbs != b->nphbs)
		DIFFER("PHBs %u/%u (known %u/%u)", a->vm_phbs, b->vm_phbs,
		       a->nphbs, b->nphbs);
	for (unsigned i = 0; i < a->nphbs; i++) {
		const struct phbsnap *x = &a->phb[i], *y = &b->phb[i];

		if (memcmp(&x->cfg, &y->cfg, sizeof(x->cfg)) ||
		    memcmp(x->enabled, y->enabled, sizeof(x->enabled)) ||
		    x->qret != y->qret ||
		    (x->qret == 0 && memcmp(&x->q, &y->q, sizeof(x->q))) ||
		    memcmp(x->def_win, y->def_win, sizeof(x->def_win)))
			DIFFER("PHB %u (index %u)", i, x->cfg.index);
		for (unsigned n = 0; n < PPCVIRT_PHB_MAX_WINDOWS; n++)
			if (x->win[n].enabled != y->win[n].enabled ||
			    x->win[n].page_shift != y->win[n].page_shift ||
			    x->win[n].bus_offset != y->win[n].bus_offset ||
			    x->win[n].entries != y->win[n].entries)
				DIFFER("PHB %u window %u", i, n);
	}
	if (a->ntlbs != b->ntlbs)
		DIFFER("%u/%u TLBs", a->ntlbs, b->ntlbs);
	for (unsigned i = 0; i < a->ntlbs; i++) {
		const struct tlbsnap *x = &a->tlb[i], *y = &b->tlb[i];

		if (x->core != y->core ||
		    memcmp(&x->geo, &y->geo, sizeof(x->geo)) || x->n != y->n)
			DIFFER("TLB %u core or geometry", i);
		if (x->n > 0 &&
		    memcmp(x->e, y->e, (size_t)x->n * sizeof(x->e[0])))
			DIFFER("TLB %u entries", i);
		if (memcmp(&x->mas, &y->mas, sizeof(x->mas)) ||
		    memcmp(x->pid, y->pid, sizeof(x->pid)) ||
		    x->last_way != y->last_way)
			DIFFER("TLB %u MAS, PIDs or victim counter", i);
	}
	return NULL;
}

/* Every valid entry of @a is found the same way in @a and @b (the lookup
 * state a load rebuilds agrees with the entries). */
static void same_lookups(const struct ppcvirt_tlb *a,
			 const struct ppcvirt_tlb *b, const struct tlbsnap *s)
{
	for (int i = 0; i < s->n; i++) {
		const struct ppcvirt_book3e_206_tlb_entry *e = &s->e[i];
		struct ppcvirt_tlb_xlate xa, xb;
		unsigned as = !!(e->mas1 & PPCVIRT_MAS1_TS);
		uint32_t pid = (e->mas1 & PPCVIRT_MAS1_TID_MASK) >> 16;
		int ra, rb;

		if (!(e->mas1 & PPCVIRT_MAS1_V))
			continue;
		memset(&xa, 0, sizeof(xa));
		memset(&xb, 0, sizeof(xb));
		ra = ppcvirt_tlb_xlate(a, e->mas2 & PPCVIRT_MAS2_EPN_MASK, as,
				       pid, 0, PPCVIRT_TLB_ACCESS_R, &xa);
		rb = ppcvirt_tlb_xlate(b, e->mas2 & PPCVIRT_MAS2_EPN_MASK, as,
				       pid, 0, PPCVIRT_TLB_ACCESS_R, &xb);
		if (ra != rb || memcmp(&xa, &xb, sizeof(xa)))
			fail("TLB lookups of entry %d differ after a round "
			     "trip (%d/%d)",
			     i, ra, rb);
	}
}

/* ---- what the stream says the destination holds ---------------------------
 *
 * An accepted stream read independently (the format of stream.h's
 * framing, docs and state.h: VM, REGIONS, TABLE, TABLE_DIFF, TABLE_GONE,
 * RUNS, PHB and TLB payloads) and applied to the state before the load:
 * the destination must hold exactly that. The round trip alone would miss
 * a loader that drops something the saver then does not write either.
 */

struct rd {
	const uint8_t *p;
	uint64_t n;
	bool bad;
};

static uint64_t rd(struct rd *c, unsigned bytes)
{
	uint64_t v;

	if (c->bad || c->n < bytes) {
		c->bad = true;
		return 0;
	}
	v = le(c->p, bytes);
	c->p += bytes;
	c->n -= bytes;
	return v;
}

static void *grow(void *p, size_t n, size_t elem)
{
	p = realloc(p, (n + 1) * elem);
	if (!p)
		abort();
	return p;
}

/* memcpy() that takes a NULL source when there is nothing to copy. */
static void copy(void *to, const void *from, size_t n)
{
	if (n)
		memcpy(to, from, n);
}

static void snap_copy(struct snap *d, const struct snap *s)
{
	*d = *s;
	d->regions = calloc(s->nregions + 1, sizeof(*d->regions));
	d->tabs = calloc(s->ntabs + 1, sizeof(*d->tabs));
	if (!d->regions || !d->tabs)
		abort();
	copy(d->regions, s->regions, s->nregions * sizeof(*d->regions));
	for (size_t i = 0; i < s->ntabs; i++) {
		d->tabs[i] = s->tabs[i];
		d->tabs[i].e =
			malloc((s->tabs[i].n + 1) * sizeof(struct entry));
		if (!d->tabs[i].e)
			abort();
		copy(d->tabs[i].e, s->tabs[i].e,
		     s->tabs[i].n * sizeof(struct entry));
		d->tabs[i].cap = s->tabs[i].n + 1;
	}
	for (unsigned i = 0; i < s->ntlbs; i++) {
		d->tlb[i].e =
			calloc((size_t)s->tlb[i].n + 1, sizeof(*d->tlb[i].e));
		if (!d->tlb[i].e)
			abort();
		if (s->tlb[i].n > 0)
			copy(d->tlb[i].e, s->tlb[i].e,
			     (size_t)s->tlb[i].n * sizeof(*d->tlb[i].e));
	}
}

static struct tab *model_find(struct snap *m, uint64_t liobn)
{
	for (size_t i = 0; i < m->ntabs; i++)
		if (m->tabs[i].info.liobn == liobn)
			return &m->tabs[i];
	return NULL;
}

static void model_drop(struct snap *m, uint64_t liobn)
{
	struct tab *t = model_find(m, liobn);

	if (!t)
		return;
	free(t->e);
	*t = m->tabs[--m->ntabs];
}

/* Entry @idx of @t becomes @v (0: not in the non-zero list). */
static void model_set(struct tab *t, uint64_t idx, uint64_t v)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->e[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && t->e[lo].idx == idx) {
		if (v) {
			t->e[lo].val = v;
		} else {
			memmove(&t->e[lo], &t->e[lo + 1],
				(t->n - lo - 1) * sizeof(t->e[0]));
			t->n--;
		}
		return;
	}
	if (!v)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->e = realloc(t->e, t->cap * sizeof(*t->e));
		if (!t->e)
			abort();
	}
	memmove(&t->e[lo + 1], &t->e[lo], (t->n - lo) * sizeof(t->e[0]));
	t->e[lo] = (struct entry){idx, v};
	t->n++;
}

struct model {
	struct snap *m;
	const struct snap *after; /* for what the model derives not */
	const uint8_t *p;
	uint64_t cur; /* LIOBN of the last TABLE or TABLE_DIFF */
	unsigned ntlbs;
};

static void model_phb(struct model *x, struct rd *c)
{
	struct snap *m = x->m;
	struct ppcvirt_phb_config cfg = {0};
	struct phbsnap *h = NULL;

	cfg.buid = rd(c, 8);
	cfg.index = (uint32_t)rd(c, 4);
	cfg.windows_supported = (uint32_t)rd(c, 4);
	cfg.page_shift_mask = rd(c, 8);
	cfg.dma_win_addr = rd(c, 8);
	cfg.dma_win_size = rd(c, 8);
	cfg.dma64_win_addr = rd(c, 8);
	for (unsigned i = 0; i < m->nphbs && !h; i++)
		if (m->phb[i].cfg.index == cfg.index)
			h = &m->phb[i];
	if (!h) {
		if (m->nphbs == PHB_MAX)
			fail("more than %d PHBs", PHB_MAX);
		h = &m->phb[m->nphbs];
		memset(h, 0, sizeof(*h));
		h->cfg = cfg;
		m->nphbs++;
		m->vm_phbs++;
	}
	for (unsigned n = 0; n < PPCVIRT_PHB_MAX_WINDOWS; n++) {
		h->win[n].enabled = rd(c, 4) != 0;
		h->def_win[n] = rd(c, 4) != 0;
		h->win[n].page_shift = (uint32_t)rd(c, 4);
		rd(c, 4);
		h->win[n].bus_offset = rd(c, 8);
		h->win[n].entries = rd(c, 8);
		h->enabled[n] = h->win[n].enabled;
	}
	/* ibm,query-pe-dma-window's answer derives from the rest (the round
	 * trip checks that it is kept). */
	h->qret = x->after->phb[h - m->phb].qret;
	h->q = x->after->phb[h - m->phb].q;
}

static void model_tlb(struct model *x, struct rd *c)
{
	struct tlbsnap *t;
	uint32_t n;

	if (x->ntlbs >= x->m->ntlbs)
		fail("a loaded stream has more TLBs than the destination");
	t = &x->m->tlb[x->ntlbs++];
	t->core = (int)rd(c, 4);
	n = (uint32_t)rd(c, 4);
	memset(&t->geo, 0, sizeof(t->geo));
	for (int i = 0; i < 4; i++)
		t->geo.tlb_sizes[i] = (uint32_t)rd(c, 4);
	for (int i = 0; i < 4; i++)
		t->geo.tlb_ways[i] = (uint32_t)rd(c, 4);
	memset(&t->mas, 0, sizeof(t->mas));
	t->mas.mas0 = (uint32_t)rd(c, 4);
	t->mas.mas1 = (uint32_t)rd(c, 4);
	t->mas.mas2 = rd(c, 8);
	t->mas.mas3 = (uint32_t)rd(c, 4);
	t->mas.mas4 = (uint32_t)rd(c, 4);
	t->mas.mas6 = (uint32_t)rd(c, 4);
	t->mas.mas7 = (uint32_t)rd(c, 4);
	t->mas.mas8 = (uint32_t)rd(c, 4);
	/* e500v2 has PID0..2, e500mc PID0 only (booke.h). */
	for (unsigned i = 0; i < 3; i++) {
		uint32_t v = (uint32_t)rd(c, 4);

		t->pid[i] = t->core == PPCVIRT_BOOKE_E500MC && i ? -ENOENT
								 : (long)v;
	}
	t->last_way = (uint32_t)rd(c, 4);
	rd(c, 4);
	if (c->bad || c->n != (uint64_t)n * 24)
		fail("a loaded TLB section is malformed");
	free(t->e);
	t->e = calloc((size_t)n + 1, sizeof(*t->e));
	if (!t->e)
		abort();
	t->n = (int)n;
	for (uint32_t i = 0; i < n; i++) {
		t->e[i].mas8 = (uint32_t)rd(c, 4);
		t->e[i].mas1 = (uint32_t)rd(c, 4);
		t->e[i].mas2 = rd(c, 8);
		t->e[i].mas7_3 = rd(c, 8);
	}
}

static void model_section(void *opaque, size_t at, uint64_t n)
{
	struct model *x = opaque;
	struct snap *m = x->m;
	const uint8_t *sec = x->p + at;
	struct rd c = {sec + SEC_HDR, n, false};
	struct tab *t;
	uint64_t liobn, k;

	switch (le(sec, 2)) {
	case PPCVIRT_STATE_SEC_VM:
		m->profile = (int)rd(&c, 4);
		m->hcalls = (unsigned)rd(&c, 4);
		m->tiers = (unsigned)rd(&c, 4);
		break;
	case PPCVIRT_STATE_SEC_REGIONS:
		m->nregions = rd(&c, 4);
		rd(&c, 4);
		if (c.bad || m->nregions > c.n / 16)
			fail("a loaded regions section is malformed");
		m->regions = grow(m->regions, m->nregions, sizeof(*m->regions));
		for (size_t i = 0; i < m->nregions; i++) {
			m->regions[i].gpa = rd(&c, 8);
			m->regions[i].size = rd(&c, 8);
		}
		break;
	case PPCVIRT_STATE_SEC_TABLE:
		liobn = rd(&c, 8);
		model_drop(m, liobn);
		m->tabs = grow(m->tabs, m->ntabs, sizeof(*m->tabs));
		t = &m->tabs[m->ntabs++];
		memset(t, 0, sizeof(*t));
		t->info.liobn = liobn;
		t->info.page_shift = (uint32_t)rd(&c, 4);
		t->info.flags = (uint32_t)rd(&c, 4);
		t->info.offset = rd(&c, 8);
		t->info.size = rd(&c, 8);
		t->info.bus_offset = t->info.offset
				     << (t->info.page_shift & 63);
		x->cur = liobn;
		break;
	case PPCVIRT_STATE_SEC_TABLE_DIFF:
		x->cur = rd(&c, 8);
		break;
	case PPCVIRT_STATE_SEC_TABLE_GONE:
		model_drop(m, rd(&c, 8));
		break;
	case 9: /* RUNS: entries of the table before */
		liobn = rd(&c, 8);
		t = model_find(m, liobn);
		if (!t || liobn != x->cur)
			fail("loaded runs of table 0x%llx, which the stream "
			     "did not name before",
			     (unsigned long long)liobn);
		k = rd(&c, 4);
		rd(&c, 4);
		while (k-- > 0 && !c.bad) {
			uint64_t first = rd(&c, 8), count = rd(&c, 4);

			rd(&c, 4);
			for (uint64_t i = 0; i < count && !c.bad; i++)
				model_set(t, first + i, rd(&c, 8));
		}
		break;
	case PPCVIRT_STATE_SEC_PHB:
		model_phb(x, &c);
		break;
	case PPCVIRT_STATE_SEC_TLB:
		model_tlb(x, &c);
		break;
	default:
		return;
	}
	if (c.bad)
		fail("a loaded section (id %u) is truncated",
		     (unsigned)le(sec, 2));
}

static int by_tab(const void *a, const void *b)
{
	return by_liobn(&((const struct tab *)a)->info.liobn,
			&((const struct tab *)b)->info.liobn);
}

/* The destination after loading @p must be @before with @p applied. */
static void model_check(const struct snap *before, const struct snap *after,
			const uint8_t *p, size_t len)
{
	struct snap m;
	struct model x = {&m, after, p, 0, 0};
	const char *why;

	snap_copy(&m, before);
	if (m.vm) {
		m.loaded_migration = le(p + 16, 8);
		m.loaded_pass = (uint32_t)le(p + 24, 4);
	}
	if (walk(p, len, model_section, &x) != len)
		fail("a loaded stream does not end with its end section");
	qsort(m.tabs, m.ntabs, sizeof(*m.tabs), by_tab);
	why = snap_diff(&m, after, true);
	if (why)
		fail("the destination is not what the stream says: %s "
		     "(first: the stream's)",
		     why);
	snap_free(&m);
}

/* ---- loading --------------------------------------------------------------
 */

struct blobs {
	const uint8_t *buf;
	size_t len;
};

static int on_blob(void *opaque, uint32_t id, const void *data, uint64_t len)
{
	const struct blobs *b = opaque;
	const uint8_t *p = data;

	if (id < PPCVIRT_STATE_USER_FIRST || id > PPCVIRT_STATE_USER_LAST ||
	    (len && (!p || p < b->buf || len > b->len ||
		     (size_t)(p - b->buf) > b->len - len)))
		fail("embedder section 0x%x of %llu bytes is not in the stream",
		     id, (unsigned long long)len);
	return len && p[0] == FZ_STATE_REFUSE ? -EPERM : 0;
}

static void on_section(void *opaque, const struct ppcvirt_state_section *s)
{
	size_t len = *(const size_t *)opaque;

	if (!s->name || !s->name[0] || s->offset > len ||
	    s->length > len - s->offset)
		fail("verify described section %u at %llu (%llu bytes) of a "
		     "%zu-byte stream",
		     s->id, (unsigned long long)s->offset,
		     (unsigned long long)s->length, len);
}

static void clean_error(int ret, const char *what)
{
	const char *e = ppcvirt_last_error();

	if (ret >= 0 || ret < -4095)
		fail("%s returned %d", what, ret);
	if (!e || !e[0])
		fail("%s returned %d with no error message", what, ret);
	for (; *e; e++)
		if (!isprint((unsigned char)*e))
			fail("%s: unprintable error message", what);
}

static int load(struct dst *d, const uint8_t *buf, size_t len)
{
	struct ppcvirt_phb *phbs[PHB_MAX] = {0};
	uint32_t n = 0;
	struct blobs b = {buf, len};
	struct ppcvirt_state_load a = {
		.size = sizeof(a),
		.vm = d->vm,
		.phbs = phbs,
		.phbs_cap = d->phb_room,
		.nphbs = &n,
		.tlbs = d->tlb,
		.ntlbs = d->ntlbs,
		.on_blob = on_blob,
		.opaque = &b,
	};
	int ret = ppcvirt_state_load(&a, buf, len);

	if (ret)
		return ret;
	/* Remember the PHBs: restored ones, or the destination's again. */
	for (uint32_t i = 0; i < n; i++) {
		unsigned k = 0;

		while (k < d->nphbs && d->phb[k] != phbs[i])
			k++;
		if (k == d->nphbs && d->nphbs == PHB_MAX)
			fail("more than %d PHBs", PHB_MAX);
		if (k == d->nphbs)
			d->phb[d->nphbs++] = phbs[i];
	}
	return 0;
}

struct out {
	uint8_t *p;
	size_t len, cap;
};

static int out_write(void *opaque, const void *data, size_t len)
{
	struct out *o = opaque;

	if (o->len + len > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;

		while (cap < o->len + len)
			cap *= 2;
		o->p = realloc(o->p, cap);
		if (!o->p)
			return -ENOMEM;
		o->cap = cap;
	}
	memcpy(o->p + o->len, data, len);
	o->len += len;
	return 0;
}

/* What the DDW API keeps true of every PHB (include/ppcvirt/ddw.h): its
 * enabled windows are tables of the window's geometry, and a window it
 * supports but has disabled is no table. */
static void phbs_consistent(const struct dst *d)
{
	for (unsigned i = 0; d->vm && i < d->nphbs; i++) {
		const struct ppcvirt_phb *p = d->phb[i];
		const struct ppcvirt_phb_config *cfg =
			ppcvirt_phb_get_config(p);

		for (unsigned n = 0; n < PPCVIRT_PHB_MAX_WINDOWS; n++) {
			uint64_t liobn = PPCVIRT_PHB_LIOBN(cfg->index, n);
			const struct pcv_phb_win *w = &p->win[n];
			struct ppcvirt_tce_info t;
			int ret = ppcvirt_vm_tce_info(d->vm, liobn, &t);

			if (ppcvirt_phb_window_enabled(p, n)
				    ? ret || t.page_shift != w->page_shift ||
					      t.bus_offset != w->bus_offset ||
					      t.size != w->entries
				    : n < cfg->windows_supported && ret == 0)
				fail("PHB %u window %u (LIOBN 0x%llx) is %s, "
				     "but its table is %s",
				     cfg->index, n, (unsigned long long)liobn,
				     ppcvirt_phb_window_enabled(p, n)
					     ? "enabled"
					     : "disabled",
				     ret ? "missing" : "there");
		}
	}
}

/* Step 3: @d saved and loaded into a fresh destination is @d again. */
static void round_trip(const struct dst *d, const struct tlbscan *cores,
		       const struct snap *now)
{
	struct ppcvirt_state_objects o = {
		.size = sizeof(o),
		.vm = d->vm,
		.phbs = d->phb,
		.nphbs = d->nphbs,
		.tlbs = d->tlb,
		.ntlbs = d->ntlbs,
	};
	struct out b = {0};
	struct ppcvirt_state_sink sink = {out_write, &b};
	struct snap again;
	struct dst e;
	const char *why;
	int ret = ppcvirt_state_save(&o, &sink);

	if (ret)
		fail("the loaded destination does not save (%d)", ret);
	dst_init(&e, d->vm != NULL, cores, PPCVIRT_PROFILE_STRICT);
	ret = load(&e, b.p, b.len);
	if (ret)
		fail("the loaded destination's checkpoint does not load (%d)",
		     ret);
	phbs_consistent(&e);
	snap_take(&e, &again);
	why = snap_diff(now, &again, false);
	if (why)
		fail("round trip changed the state: %s", why);
	for (unsigned i = 0; i < d->ntlbs; i++)
		same_lookups(d->tlb[i], e.tlb[i], &now->tlb[i]);
	snap_free(&again);
	dst_fini(&e);
	free(b.p);
}

/* Load @n streams in order into a fresh destination with the oracle. */
static void run(uint8_t *const *s, const size_t *len, unsigned n, bool vm,
		const struct tlbscan *cores, enum ppcvirt_profile prof,
		uint32_t phb_room)
{
	struct dst d;

	dst_init(&d, vm, cores, prof);
	d.phb_room = phb_room;
	for (unsigned i = 0; i < n; i++) {
		struct ppcvirt_state_info info;
		struct snap before, after;
		const char *why;
		size_t l = len[i];
		int vret, ret;

		snap_take(&d, &before);
		vret = ppcvirt_state_verify(s[i], l, &info, on_section, &l);
		if (vret)
			clean_error(vret, "ppcvirt_state_verify");
		ret = load(&d, s[i], len[i]);
		snap_take(&d, &after);
		if (ret) {
			clean_error(ret, "ppcvirt_state_load");
			if (expect_accept && vm)
				fail("stream %u of a seed is refused (%d)", i,
				     ret);
			why = snap_diff(&before, &after, true);
			if (why)
				fail("a refused stream (%d) changed the "
				     "destination: %s",
				     ret, why);
		} else {
			if (vret)
				fail("a stream verify refuses (%d) loaded",
				     vret);
			model_check(&before, &after, s[i], l);
			phbs_consistent(&d);
			round_trip(&d, cores, &after);
		}
		snap_free(&before);
		snap_free(&after);
	}
	dst_fini(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int accept_env = -1;
	uint8_t *raw[MAX_STREAMS] = {0}, *sealed[MAX_STREAMS] = {0};
	size_t len[MAX_STREAMS] = {0}, off = 0;
	unsigned n = 0;
	struct tlbscan cores = {0};
	enum ppcvirt_profile prof =
		size & 1 ? PPCVIRT_PROFILE_QEMU : PPCVIRT_PROFILE_STRICT;
	uint32_t room = PHB_MAX;
	bool changed = false;
	int fd0 = dup(0), fd1;

	if (fd0 >= 0)
		close(fd0);
	if (accept_env < 0)
		accept_env = getenv("PPCVIRT_FUZZ_STATE_ACCEPT") != NULL;
	expect_accept = accept_env;
	/* Cut the input into streams: each its own allocation, so that ASan
	 * sees a read past a stream's end. */
	while (off < size && n < MAX_STREAMS) {
		size_t l = n + 1 < MAX_STREAMS
				   ? walk(data + off, size - off, NULL, NULL)
				   : size - off;
		struct tlbscan t = {data + off, 0, {0}};

		raw[n] = malloc(l ? l : 1);
		sealed[n] = malloc(l ? l : 1);
		if (!raw[n] || !sealed[n])
			abort();
		memcpy(raw[n], data + off, l);
		memcpy(sealed[n], data + off, l);
		reseal(sealed[n], l);
		changed |= memcmp(raw[n], sealed[n], l) != 0;
		walk(data + off, l, scan_tlb, &t);
		if (t.n > cores.n)
			cores = t;
		len[n++] = l;
		off += l;
	}
	switch (expect_accept ? 0 : size >> 1 & 7) {
	case 5:
		room = 1;
		break;
	case 6:
		for (unsigned i = 0; i < cores.n; i++)
			cores.core[i] = cores.core[i] == PPCVIRT_BOOKE_E500V2
						? PPCVIRT_BOOKE_E500MC
						: PPCVIRT_BOOKE_E500V2;
		break;
	case 7:
		if (cores.n < MAX_TLBS)
			cores.core[cores.n++] = PPCVIRT_BOOKE_E500V2;
		break;
	}
	run(raw, len, n, true, &cores, prof, room);
	run(raw, len, n, false, &cores, prof, room);
	if (changed) {
		run(sealed, len, n, true, &cores, prof, room);
		run(sealed, len, n, false, &cores, prof, room);
	}
	for (unsigned i = 0; i < n; i++) {
		free(raw[i]);
		free(sealed[i]);
	}
	/* Every fd the input made was closed: the next one is the same. */
	fd1 = dup(0);
	if (fd0 >= 0 && fd1 != fd0)
		fail("an fd was left open (dup gives %d, before %d)", fd1, fd0);
	if (fd1 >= 0)
		close(fd1);
	return 0;
}
