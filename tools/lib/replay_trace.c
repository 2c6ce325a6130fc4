/* SPDX-License-Identifier: MIT */
/*
 * QEMU trace front end of the replay engine: parses "-trace spapr_iommu_*"
 * log lines (formats and pitfalls: docs/semantics.md §6.5 and
 * docs/semantics.md §6.5) and replays them.
 *
 * Pass 1 (scan) only collects what QEMU logs late or nowhere: window
 * geometry (pre_save, at the end of the run), the LIOBNs that are DDWs
 * (ddw_create), which new_table lines belong to a DDW creation, the PHBs
 * named by ddw_* lines, and how much guest RAM the lists and TCEs need.
 * Pass 2 builds the VM (RAM from 0, at least 2 GiB; PHBs; the other
 * windows) and replays:
 *   - put/get/indirect/stuff (and pci_*): real hypercalls, return codes
 *     and H_GET_TCE values compared with QEMU's. INDIRECT lists are
 *     rebuilt in guest memory as tce[i] = tceN - (iobaN - i) * pagesize
 *     (a failure at entry k logs k - 1 and tce[k]); a STUFF start is the
 *     logged (post-loop) IOBA minus npages pages on success;
 *   - xlate: ppcvirt_tce_translate() at that moment against QEMU's
 *     (window-relative address; pa, perm, mask truncated to 32 bits,
 *     0xffffffff and perm 0 outside the window);
 *   - new_table: the table is (re)enabled zeroed: a PHB's default window
 *     resets the PHB; other tables are re-created from their geometry;
 *   - ddw_query/create/remove/reset: the PHB object's calls, results
 *     compared with the logged ones.
 * Lines that are not spapr_iommu events are counted as ignored.
 */
#include <errno.h>
#include <string.h>

#include "replay_int.h"

enum tev_type {
	TEV_PUT,
	TEV_GET,
	TEV_INDIRECT,
	TEV_STUFF,
	TEV_XLATE,
	TEV_NEW_TABLE,
	TEV_PRE_SAVE,
	TEV_POST_LOAD,
	TEV_DDW_QUERY,
	TEV_DDW_CREATE,
	TEV_DDW_REMOVE,
	TEV_DDW_RESET,
	TEV_OTHER,
};

static const struct {
	const char *name;
	size_t len;
	enum tev_type type;
} tev_names[] = {
#define N(s, t)                                                                \
	{                                                                      \
		s, sizeof(s) - 1, t                                            \
	}
	N("put", TEV_PUT),
	N("pci_put", TEV_PUT),
	N("xlate", TEV_XLATE),
	N("stuff", TEV_STUFF),
	N("pci_stuff", TEV_STUFF),
	N("indirect", TEV_INDIRECT),
	N("pci_indirect", TEV_INDIRECT),
	N("get", TEV_GET),
	N("pci_get", TEV_GET),
	N("new_table", TEV_NEW_TABLE),
	N("pre_save", TEV_PRE_SAVE),
	N("post_load", TEV_POST_LOAD),
	N("ddw_query", TEV_DDW_QUERY),
	N("ddw_create", TEV_DDW_CREATE),
	N("ddw_remove", TEV_DDW_REMOVE),
	N("ddw_reset", TEV_DDW_RESET),
#undef N
};

static const char *const tev_label[] = {
	"put",	      "get",	   "indirect",	"stuff",     "xlate",
	"new_table",  "pre_save",  "post_load", "ddw_query", "ddw_create",
	"ddw_remove", "ddw_reset", "?",
};

struct tev {
	enum tev_type type;
	const char *name; /* as logged, for reports */
	uint64_t v[7];
};

#define PREFIX	   "spapr_iommu_"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

/*
 * Find the event of a line: "TID@SEC.USEC:spapr_iommu_NAME ARGS" or, without
 * -msg timestamp=on, "spapr_iommu_NAME ARGS". Returns false for lines that
 * are not spapr_iommu events.
 */
static bool event_start(struct pcv_lex *l, struct tev *ev)
{
	const char *p = l->p, *w;
	size_t n;

	if ((size_t)(l->end - p) < PREFIX_LEN)
		return false;
	if (memcmp(p, PREFIX, PREFIX_LEN) != 0) {
		const char *c = memchr(p, ':', (size_t)(l->end - p));

		if (!c || (size_t)(l->end - c - 1) < PREFIX_LEN ||
		    memcmp(c + 1, PREFIX, PREFIX_LEN) != 0)
			return false;
		p = c + 1;
	}
	l->p = p + PREFIX_LEN;
	w = l->p;
	while (l->p < l->end && *l->p != ' ')
		l->p++;
	n = (size_t)(l->p - w);
	ev->type = TEV_OTHER;
	ev->name = "?";
	for (size_t i = 0; i < sizeof(tev_names) / sizeof(tev_names[0]); i++) {
		if (tev_names[i].len == n && !memcmp(tev_names[i].name, w, n)) {
			ev->type = tev_names[i].type;
			ev->name = tev_names[i].name;
			break;
		}
	}
	return true;
}

/* Parse the arguments of @ev; false when the line is malformed. */
static bool parse_args(struct pcv_lex *l, struct tev *ev)
{
	uint64_t *v = ev->v;
	const char *w;
	size_t n;

	switch (ev->type) {
	case TEV_PUT:
		return pcv_lex_kv(l, "liobn=", &v[0]) &&
		       pcv_lex_kv(l, "ioba=", &v[1]) &&
		       pcv_lex_kv(l, "tce=", &v[2]) &&
		       pcv_lex_kv(l, "ret=", &v[3]) && pcv_lex_eol(l);
	case TEV_GET:
		return pcv_lex_kv(l, "liobn=", &v[0]) &&
		       pcv_lex_kv(l, "ioba=", &v[1]) &&
		       pcv_lex_kv(l, "ret=", &v[3]) &&
		       pcv_lex_kv(l, "tce=", &v[2]) && pcv_lex_eol(l);
	case TEV_INDIRECT:
		return pcv_lex_kv(l, "liobn=", &v[0]) &&
		       pcv_lex_kv(l, "ioba=", &v[1]) &&
		       pcv_lex_kv(l, "tcelist=", &v[2]) &&
		       pcv_lex_kv(l, "iobaN=", &v[4]) &&
		       pcv_lex_kv(l, "tceN=", &v[5]) &&
		       pcv_lex_kv(l, "ret=", &v[3]) && pcv_lex_eol(l);
	case TEV_STUFF:
		return pcv_lex_kv(l, "liobn=", &v[0]) &&
		       pcv_lex_kv(l, "ioba=", &v[1]) &&
		       pcv_lex_kv(l, "tcevalue=", &v[2]) &&
		       pcv_lex_kv(l, "npages=", &v[4]) &&
		       pcv_lex_kv(l, "ret=", &v[3]) && pcv_lex_eol(l);
	case TEV_XLATE:
		return pcv_lex_kv(l, "liobn=", &v[0]) &&
		       pcv_lex_num(l, &v[1]) && pcv_lex_lit(l, "->") &&
		       pcv_lex_num(l, &v[2]) && pcv_lex_kv(l, "perm=", &v[3]) &&
		       pcv_lex_kv(l, "mask=", &v[4]) && pcv_lex_eol(l);
	case TEV_NEW_TABLE:
		/* table=%p and fd=%d are of no use. */
		return pcv_lex_kv(l, "liobn=", &v[0]);
	case TEV_PRE_SAVE:
		/* liobn=%PRIx64 (no 0x) nb=%PRIx32 bus_offset=0x.. ps=%u */
		return pcv_lex_lit(l, "liobn=") &&
		       pcv_lex_hexdigits(l, &v[0]) &&
		       (pcv_lex_ws(l), pcv_lex_hexdigits(l, &v[1])) &&
		       pcv_lex_kv(l, "bus_offset=", &v[2]) &&
		       pcv_lex_kv(l, "ps=", &v[3]) && pcv_lex_eol(l) &&
		       v[3] < 64;
	case TEV_DDW_QUERY:
		return pcv_lex_kv(l, "buid=", &v[0]) &&
		       pcv_lex_kv(l, "addr=", &v[1]) && pcv_lex_num(l, &v[2]) &&
		       pcv_lex_lit(l, "windows available") &&
		       pcv_lex_kv(l, "max window size=", &v[3]) &&
		       pcv_lex_kv(l, "mask=", &v[4]) && pcv_lex_eol(l);
	case TEV_DDW_CREATE:
		return pcv_lex_kv(l, "buid=", &v[0]) &&
		       pcv_lex_kv(l, "addr=", &v[1]) &&
		       pcv_lex_kv(l, "page size=", &v[2]) &&
		       pcv_lex_kv(l, "requested=", &v[3]) &&
		       pcv_lex_kv(l, "start addr=", &v[4]) &&
		       pcv_lex_kv(l, "liobn=", &v[5]) && pcv_lex_eol(l);
	case TEV_DDW_REMOVE:
		return pcv_lex_kv(l, "liobn=", &v[0]) && pcv_lex_eol(l);
	case TEV_DDW_RESET:
		return pcv_lex_kv(l, "buid=", &v[0]) &&
		       pcv_lex_kv(l, "addr=", &v[1]) && pcv_lex_eol(l);
	case TEV_POST_LOAD:
	case TEV_OTHER:
		return pcv_lex_word(l, &w, &n) || true;
	}
	return false;
}

/* log2 of a power of two, or -1. */
static int ilog2(uint64_t x)
{
	if (!x || (x & (x - 1)))
		return -1;
	return __builtin_ctzll(x);
}

static struct pcv_rp_phb *phb_get(struct ppcvirt_replay *r, uint64_t buid,
				  bool add)
{
	for (size_t i = 0; i < r->nphbs; i++)
		if (r->phbs[i].buid == buid)
			return &r->phbs[i];
	if (!add || r->nphbs == PCV_RP_MAX_PHBS)
		return NULL;
	memset(&r->phbs[r->nphbs], 0, sizeof(r->phbs[0]));
	r->phbs[r->nphbs].buid = buid;
	return &r->phbs[r->nphbs++];
}

static struct pcv_rp_phb *phb_of_liobn(struct ppcvirt_replay *r, uint64_t liobn)
{
	for (size_t i = 0; i < r->nphbs; i++)
		if (r->phbs[i].phb && ppcvirt_phb_owns(r->phbs[i].phb, liobn))
			return &r->phbs[i];
	return NULL;
}

static void need_ram(struct ppcvirt_replay *r, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end))
		end = UINT64_MAX;
	if (end > r->ram_need)
		r->ram_need = end;
}

static void need_tce(struct ppcvirt_replay *r, uint64_t tce)
{
	if (tce & (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE))
		need_ram(r, tce & ~0xfffULL, 4096);
}

/* ---- pass 1 ---------------------------------------------------------------*/

static void scan_event(struct ppcvirt_replay *r, const struct tev *ev)
{
	const uint64_t *v = ev->v;
	struct pcv_rp_liobn *e;
	struct pcv_rp_phb *p;
	int ps;

	switch (ev->type) {
	case TEV_PUT:
		need_tce(r, v[2]);
		break;
	case TEV_STUFF:
		need_tce(r, v[2]);
		break;
	case TEV_INDIRECT:
		need_ram(r, v[2] & ~0xfffULL, 4096);
		need_tce(r, v[5]);
		break;
	case TEV_NEW_TABLE:
		e = pcv_rp_liobn_get(r, v[0], true);
		if (e)
			e->last_new_table = r->line;
		break;
	case TEV_PRE_SAVE:
		e = pcv_rp_liobn_get(r, v[0], true);
		if (e) {
			e->pre_save = true;
			e->ps_entries = v[1];
			e->ps_bus_offset = v[2];
			e->ps_page_shift = (uint32_t)v[3];
		}
		break;
	case TEV_DDW_QUERY:
		p = phb_get(r, v[0], true);
		if (p)
			p->query_mask = (uint32_t)v[4];
		break;
	case TEV_DDW_CREATE:
		p = phb_get(r, v[0], true);
		ps = ilog2(v[2]);
		if (p && ps >= 0)
			p->create_shifts |= 1ULL << ps;
		e = pcv_rp_liobn_get(r, v[5], true);
		if (e) {
			e->ddw = true;
			if (e->last_new_table && r->nskips < PCV_RP_MAX_SKIPS)
				r->skip_lines[r->nskips++] = e->last_new_table;
			e->last_new_table = 0;
		}
		break;
	case TEV_DDW_RESET:
		phb_get(r, v[0], true);
		break;
	default:
		break;
	}
}

/* ---- building the VM ------------------------------------------------------*/

static uint64_t shifts_of_query_mask(uint32_t m)
{
	static const struct {
		uint32_t bit, shift;
	} map[] = {
		{0x1, 12},  {0x2, 16},	{0x4, 24},  {0x8, 25},	 {0x10, 26},
		{0x20, 27}, {0x40, 28}, {0x80, 34}, {0x100, 21},
	};
	uint64_t s = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (m & map[i].bit)
			s |= 1ULL << map[i].shift;
	return s;
}

static int start_phb(struct ppcvirt_replay *r, struct pcv_rp_phb *p)
{
	struct ppcvirt_phb_config cfg;
	struct pcv_rp_liobn *def;
	uint64_t index = p->buid - PPCVIRT_PHB_BASE_BUID;
	int ret;

	if (p->buid < PPCVIRT_PHB_BASE_BUID || index > 255)
		return 0; /* not a QEMU BUID: its ddw lines will mismatch */
	ppcvirt_phb_config_default(&cfg, (uint32_t)index);
	if (p->query_mask)
		cfg.page_shift_mask = shifts_of_query_mask(p->query_mask);
	cfg.page_shift_mask |= p->create_shifts;
	cfg.page_shift_mask &= ((1ULL << 35) - 1) & ~((1ULL << 12) - 1);
	def = pcv_rp_liobn_get(r, PPCVIRT_PHB_LIOBN(index, 0), false);
	if (def && def->pre_save && def->ps_entries &&
	    def->ps_page_shift == 12 && !(def->ps_bus_offset & 0xfff) &&
	    def->ps_entries <= (UINT64_MAX - def->ps_bus_offset) >> 12 &&
	    def->ps_entries <= r->limit / 8) {
		cfg.dma_win_addr = def->ps_bus_offset;
		cfg.dma_win_size = def->ps_entries << 12;
	}
	if (!pcv_rp_window_fits(r, cfg.dma_win_size >> 12))
		return pcv_rp_fail(r, -E2BIG, "table memory limit reached");
	ret = ppcvirt_phb_create(r->vm, &cfg, &p->phb);
	if (ret)
		return pcv_rp_fail(r, ret, "cannot create PHB 0x%llx: %s",
				   (unsigned long long)p->buid, strerror(-ret));
	return 0;
}

/* Re-create @e from its pre_save geometry (or a PHB default), zeroed. */
static int table_from_geometry(struct ppcvirt_replay *r, struct pcv_rp_liobn *e)
{
	if (e->pre_save && e->ps_entries)
		return pcv_rp_window(r, e->liobn, e->ps_bus_offset,
				     e->ps_page_shift, e->ps_entries);
	if ((e->liobn & ~0xff00ULL) == 0x80000000ULL)
		return pcv_rp_window(r, e->liobn, 0, 12, 0x40000);
	return 0;
}

static int trace_start(struct ppcvirt_replay *r)
{
	uint64_t ram = r->ram_need, gib = 1ULL << 30;
	int ret;

	/* The traced guests have 2 GiB; cover whatever the trace touches. */
	if (ram < 2 * gib)
		ram = 2 * gib;
	if (ram > UINT64_MAX - gib)
		ram = UINT64_MAX - gib;
	ram = (ram + gib - 1) & ~(gib - 1);
	if (ram > r->limit)
		ram = r->limit & ~0xfffULL;
	if (ram && (ret = pcv_rp_add_mem(r, 0, ram)))
		return ret;
	for (size_t i = 0; i < r->nphbs; i++)
		if ((ret = start_phb(r, &r->phbs[i])))
			return ret;
	for (size_t i = 0; i < r->nliobns; i++) {
		struct pcv_rp_liobn *e = &r->liobns[i];

		if (e->ddw || phb_of_liobn(r, e->liobn) || !e->pre_save ||
		    !e->ps_entries)
			continue;
		if ((ret = table_from_geometry(r, e)))
			return ret;
	}
	pcv_rp_refresh(r);
	r->line = 0;
	return 0;
}

/* ---- pass 2 ---------------------------------------------------------------*/

static void check_ret(struct ppcvirt_replay *r, const struct tev *ev,
		      uint64_t want, long got)
{
	if ((int64_t)want != (int64_t)got)
		pcv_rp_mismatch(r, ev->name, "ret", want, (uint64_t)got, true);
}

static uint64_t psize_of(const struct pcv_rp_liobn *e)
{
	return e && e->live ? 1ULL << e->page_shift : 4096;
}

static int run_indirect(struct ppcvirt_replay *r, const struct tev *ev)
{
	const uint64_t *v = ev->v;
	struct pcv_rp_liobn *e = pcv_rp_liobn_get(r, v[0], false);
	uint64_t ps = psize_of(e), n = v[4] + 1, k = v[4];
	uint64_t list[PPCVIRT_TCE_LIST_MAX];
	long got;
	int ret;

	if (v[3] != 0 && e && e->live) {
		/* Failure at entry k logs k - 1 (0 for k = 0 or 1). */
		uint64_t idx0 =
			((v[1] & ~(ps - 1)) - e->bus_offset) >> e->page_shift;

		if (idx0 >= e->entries) {
			k = 0;
			n = 1;
		} else if (v[4] == e->entries - idx0 - 1) {
			k = e->entries - idx0;
			n = k + 1;
		} else if (v[4] == 0) {
			n = 0; /* npages = 0 */
		}
	}
	if (n && n <= PPCVIRT_TCE_LIST_MAX) {
		for (uint64_t i = 0; i < n; i++)
			list[i] = __builtin_bswap64(v[5] - (k - i) * ps);
		/* A list outside RAM stays outside: QEMU read zeros there. */
		(void)pcv_rp_write_guest(r, v[2], list, n * 8);
	}
	ret = pcv_rp_hcall(r, PPCVIRT_H_PUT_TCE_INDIRECT, v[0], v[1], v[2], n,
			   &got, NULL);
	if (!ret)
		check_ret(r, ev, v[3], got);
	return ret;
}

static int run_stuff(struct ppcvirt_replay *r, const struct tev *ev)
{
	const uint64_t *v = ev->v;
	struct pcv_rp_liobn *e = pcv_rp_liobn_get(r, v[0], false);
	uint64_t ps = psize_of(e), npages = v[4], start;
	long got;
	int ret;

	if (v[3] == 0) {
		start = v[1] - npages * ps; /* the logged IOBA is the end */
	} else if (npages && e && e->live &&
		   v[1] == e->bus_offset + (e->entries << e->page_shift)) {
		/* Failed at the window end after k >= 1 entries; guess k. */
		uint64_t k = npages - 1 < e->entries ? npages - 1 : e->entries;

		start = v[1] - k * ps;
	} else {
		start = v[1]; /* failed at once (or npages = 0) */
	}
	ret = pcv_rp_hcall(r, PPCVIRT_H_STUFF_TCE, v[0], start, v[2], npages,
			   &got, NULL);
	if (!ret)
		check_ret(r, ev, v[3], got);
	return ret;
}

static void run_xlate(struct ppcvirt_replay *r, const struct tev *ev)
{
	const uint64_t *v = ev->v;
	struct pcv_rp_liobn *e = pcv_rp_liobn_get(r, v[0], false);
	struct ppcvirt_tce_xlate x = {0};
	uint64_t ioba;
	int ret = -ENOENT;

	r->res.xlates_checked++;
	if (e && e->live && !__builtin_add_overflow(e->bus_offset, v[1], &ioba))
		ret = ppcvirt_tce_translate(r->vm, v[0], ioba, &x);
	if (ret == 0 && (uint32_t)x.addr_mask == v[4]) {
		if (x.addr != v[2])
			pcv_rp_mismatch(r, "xlate", "pa", v[2], x.addr, false);
		if (x.perm != v[3])
			pcv_rp_mismatch(r, "xlate", "perm", v[3], x.perm,
					false);
		return;
	}
	if (ret == 0) {
		pcv_rp_mismatch(r, "xlate", "mask", v[4], (uint32_t)x.addr_mask,
				false);
		return;
	}
	/* Outside the window (or no window): QEMU answers perm 0, mask ~0. */
	if (v[4] != 0xffffffffu)
		pcv_rp_mismatch(r, "xlate", "mask (no translation in ppcvirt)",
				v[4], 0xffffffffu, false);
	else if (v[3] != 0)
		pcv_rp_mismatch(r, "xlate", "perm", v[3], 0, false);
}

static bool skipped(const struct ppcvirt_replay *r)
{
	for (size_t i = 0; i < r->nskips; i++)
		if (r->skip_lines[i] == r->line)
			return true;
	return false;
}

static int run_new_table(struct ppcvirt_replay *r, const struct tev *ev)
{
	struct pcv_rp_phb *p;
	struct pcv_rp_liobn *e;
	int ret;

	if (skipped(r))
		return 0; /* a DDW creation: ddw_create builds it */
	p = phb_of_liobn(r, ev->v[0]);
	if (p) {
		if ((ev->v[0] & 0xff) != 0)
			return 0;
		if (!pcv_rp_window_fits(
			    r,
			    ppcvirt_phb_get_config(p->phb)->dma_win_size >> 12))
			return pcv_rp_fail(r, -E2BIG,
					   "table memory limit reached");
		ret = ppcvirt_phb_reset(p->phb);
		p->just_reset = true;
		pcv_rp_refresh(r);
		if (ret)
			return pcv_rp_fail(r, ret, "PHB reset failed: %s",
					   strerror(-ret));
		return 0;
	}
	e = pcv_rp_liobn_get(r, ev->v[0], true);
	if (!e)
		return pcv_rp_fail(r, -ENOSPC, "too many LIOBNs");
	return table_from_geometry(r, e);
}

static void run_ddw(struct ppcvirt_replay *r, const struct tev *ev)
{
	const uint64_t *v = ev->v;
	struct pcv_rp_phb *p;
	struct ppcvirt_ddw_query q;
	uint64_t liobn = 0, start = 0;
	int ret, ps, ws;

	r->res.rtas_checked++;
	switch (ev->type) {
	case TEV_DDW_QUERY:
		p = phb_get(r, v[0], false);
		if (p)
			p->just_reset = false;
		if (!p || !p->phb || ppcvirt_phb_query(p->phb, &q)) {
			pcv_rp_mismatch(r, ev->name, "status (no such PHB)", 0,
					(uint32_t)PPCVIRT_RTAS_PARAM_ERROR,
					false);
			return;
		}
		if (q.windows_available != v[2])
			pcv_rp_mismatch(r, ev->name, "windows available", v[2],
					q.windows_available, false);
		if (q.page_mask != v[4])
			pcv_rp_mismatch(r, ev->name, "page mask", v[4],
					q.page_mask, false);
		return;
	case TEV_DDW_CREATE:
		p = phb_get(r, v[0], false);
		if (p)
			p->just_reset = false;
		ps = ilog2(v[2]);
		ws = ilog2(v[3]);
		ret = -EINVAL;
		if (p && p->phb && ps >= 0 && ws >= ps &&
		    (ws - ps >= 32 || pcv_rp_window_fits(r, 1ULL << (ws - ps))))
			ret = ppcvirt_phb_create_window(p->phb, (uint32_t)ps,
							(uint32_t)ws, &liobn,
							&start);
		pcv_rp_refresh(r);
		if (ret) {
			pcv_rp_mismatch(r, ev->name, "status (ppcvirt failed)",
					0, (uint64_t)(int64_t)ret, false);
			return;
		}
		if (liobn != v[5])
			pcv_rp_mismatch(r, ev->name, "liobn", v[5], liobn,
					false);
		if (start != v[4])
			pcv_rp_mismatch(r, ev->name, "start", v[4], start,
					false);
		return;
	case TEV_DDW_REMOVE:
		p = phb_of_liobn(r, v[0]);
		if (p &&
		    !pcv_rp_window_fits(
			    r,
			    ppcvirt_phb_get_config(p->phb)->dma_win_size >> 12))
			p = NULL; /* bounded replay out of budget: drop it */
		ret = p ? ppcvirt_phb_remove_window(p->phb, v[0])
			: ppcvirt_vm_remove_tce(r->vm, v[0]);
		pcv_rp_refresh(r);
		/*
		 * Removing the last non-default window resets the PHB; should
		 * QEMU log that reset (new_table, ddw_reset) before the
		 * ddw_remove line, the window is already gone here.
		 */
		if (ret == -ENOENT && p && p->just_reset)
			ret = 0;
		if (p)
			p->just_reset = false;
		if (ret)
			pcv_rp_mismatch(r, ev->name, "status (ppcvirt failed)",
					0, (uint64_t)(int64_t)ret, false);
		return;
	case TEV_DDW_RESET:
		p = phb_get(r, v[0], false);
		if (p && p->phb &&
		    !pcv_rp_window_fits(
			    r,
			    ppcvirt_phb_get_config(p->phb)->dma_win_size >> 12))
			p = NULL;
		/* Through the RTAS decoder, as the guest's call went in
		 * QEMU (ppcvirt_phb_reset() is the machine reset). */
		ret = -ENOENT;
		if (p && p->phb) {
			uint32_t args[3] = {(uint32_t)v[1],
					    (uint32_t)(v[0] >> 32),
					    (uint32_t)v[0]};
			uint32_t st = 0;

			ret = ppcvirt_rtas_ddw(&p->phb, 1,
					       PPCVIRT_RTAS_RESET_PE_DMA_WINDOW,
					       args, 3, &st, 1);
			if (!ret && st != PPCVIRT_RTAS_SUCCESS)
				ret = -EIO;
		}
		if (p)
			p->just_reset = true;
		pcv_rp_refresh(r);
		if (ret)
			pcv_rp_mismatch(r, ev->name, "status (ppcvirt failed)",
					0, (uint64_t)(int64_t)ret, false);
		return;
	default:
		return;
	}
}

static int run_event(struct ppcvirt_replay *r, const struct tev *ev)
{
	const uint64_t *v = ev->v;
	uint64_t r4;
	long got;
	int ret;

	switch (ev->type) {
	case TEV_PUT:
		ret = pcv_rp_hcall(r, PPCVIRT_H_PUT_TCE, v[0], v[1], v[2], 0,
				   &got, NULL);
		if (!ret)
			check_ret(r, ev, v[3], got);
		return ret;
	case TEV_GET:
		ret = pcv_rp_hcall(r, PPCVIRT_H_GET_TCE, v[0], v[1], 0, 0, &got,
				   &r4);
		if (ret)
			return ret;
		check_ret(r, ev, v[3], got);
		if (v[3] == 0 && got == 0) {
			r->res.gets_checked++;
			if (r4 != v[2])
				pcv_rp_mismatch(r, ev->name, "tce", v[2], r4,
						false);
		}
		return 0;
	case TEV_INDIRECT:
		return run_indirect(r, ev);
	case TEV_STUFF:
		return run_stuff(r, ev);
	case TEV_XLATE:
		run_xlate(r, ev);
		return 0;
	case TEV_NEW_TABLE:
		return run_new_table(r, ev);
	case TEV_DDW_QUERY:
	case TEV_DDW_CREATE:
	case TEV_DDW_REMOVE:
	case TEV_DDW_RESET:
		run_ddw(r, ev);
		return 0;
	case TEV_PRE_SAVE:
		return 0;
	case TEV_POST_LOAD:
	case TEV_OTHER:
		r->res.ignored++;
		return 0;
	}
	return 0;
}

static int trace_line(struct ppcvirt_replay *r, const char *p, const char *end)
{
	struct pcv_lex l = {p, end};
	struct tev ev;

	if (!event_start(&l, &ev)) {
		if (r->phase != PCV_RP_RUN)
			return 0;
		r->res.ignored++;
		/* Other QEMU output is text; binary bytes mean corruption. */
		for (const char *q = p; q < end; q++) {
			if ((unsigned char)*q < 0x09 || *q == 0x7f) {
				pcv_rp_mismatch(r, "?", "malformed line", 0, 0,
						false);
				break;
			}
		}
		return 0;
	}
	if (r->phase == PCV_RP_SCAN)
		r->events++;
	memset(ev.v, 0, sizeof(ev.v));
	if (!parse_args(&l, &ev)) {
		/*
		 * A cut or garbled line (truncated log, interleaved output)
		 * is reported as a mismatch in the replay pass, and the
		 * replay goes on with the next line.
		 */
		if (r->phase == PCV_RP_RUN)
			pcv_rp_mismatch(r, tev_label[ev.type], "malformed line",
					0, 0, false);
		return 0;
	}
	if (r->phase == PCV_RP_SCAN) {
		scan_event(r, &ev);
		return 0;
	}
	return run_event(r, &ev);
}

const struct pcv_rp_frontend pcv_rp_trace_frontend = {
	.line = trace_line,
	.start = trace_start,
	.no_data = "no sPAPR IOMMU trace events in the input (no spapr_iommu_* "
		   "line)",
};
