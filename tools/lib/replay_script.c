/* SPDX-License-Identifier: MIT */
/*
 * .hcs script front end of the replay engine (docs/replay.md). One
 * statement per line, numbers hex (0x...) or decimal, '#' starts a
 * comment, an expected value written '-' is not checked:
 *
 *   profile qemu|strict
 *   mem <gpa> <size>
 *   window <liobn> <bus_offset> <page_shift> <entries>
 *   unwindow <liobn>
 *   list <gpa> <tce>...
 *   put <liobn> <ioba> <tce> -> <ret>
 *   get <liobn> <ioba> -> <ret> <value>
 *   indirect <liobn> <ioba> <list_gpa> <npages> -> <ret>
 *   stuff <liobn> <ioba> <tce_value> <npages> -> <ret>
 *   phb <buid> [<index>]
 *   rtas query <cfg> <buid_hi> <buid_lo> -> <cell>...
 *   rtas create <cfg> <buid_hi> <buid_lo> <page_shift> <window_shift> ->
 * <cell>... rtas remove <liobn> -> <cell> rtas reset <cfg> <buid_hi> <buid_lo>
 * -> <cell>
 *
 * The number of cells after "->" of an rtas statement is the nret the
 * call is made with. A "profile" statement applies unless the caller
 * fixed the profile (the command line wins). Unknown statements and
 * malformed lines stop the script with an error naming the line.
 */
#include <errno.h>
#include <string.h>

#include "replay_int.h"

#define MAX_ARGS  8
#define MAX_CELLS 16

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(w, s, n);
}

/* "-" (unchecked) or a number. */
static bool expect(struct pcv_lex *l, uint64_t *v, bool *check)
{
	pcv_lex_ws(l);
	if (l->p < l->end && *l->p == '-' &&
	    (l->p + 1 == l->end || l->p[1] == ' ' || l->p[1] == '\t')) {
		l->p++;
		*check = false;
		return true;
	}
	*check = true;
	return pcv_lex_num(l, v);
}

static int bad(struct ppcvirt_replay *r, const char *what)
{
	return pcv_rp_fail(r, -EINVAL, "malformed '%s' statement", what);
}

/* Parse exactly @n numbers. */
static bool nums(struct pcv_lex *l, uint64_t *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!pcv_lex_num(l, &v[i]))
			return false;
	return true;
}

static int st_hcall(struct ppcvirt_replay *r, struct pcv_lex *l,
		    const char *name, uint64_t nr, unsigned nargs)
{
	uint64_t a[4] = {0}, want = 0, wantv = 0, r4;
	bool chk = false, chkv = false;
	long got;
	int ret;

	if (!nums(l, a, nargs) || !pcv_lex_lit(l, "->") ||
	    !expect(l, &want, &chk))
		return bad(r, name);
	if (nr == PPCVIRT_H_GET_TCE && !expect(l, &wantv, &chkv))
		return bad(r, name);
	if (!pcv_lex_eol(l))
		return bad(r, name);
	/* H_GET_TCE: r4 holds the LIOBN on entry and keeps it on failure. */
	ret = pcv_rp_hcall(r, nr, a[0], a[1], a[2], a[3], &got, &r4);
	if (ret)
		return ret;
	if (chk && (int64_t)want != (int64_t)got)
		pcv_rp_mismatch(r, name, "ret", want, (uint64_t)got, true);
	if (nr == PPCVIRT_H_GET_TCE && chkv) {
		r->res.gets_checked++;
		if (r4 != wantv)
			pcv_rp_mismatch(r, name, "value", wantv, r4, false);
	}
	return 0;
}

static struct pcv_rp_phb *script_phb_add(struct ppcvirt_replay *r)
{
	if (r->nphbs == PCV_RP_MAX_PHBS)
		return NULL;
	memset(&r->phbs[r->nphbs], 0, sizeof(r->phbs[0]));
	return &r->phbs[r->nphbs];
}

static int st_phb(struct ppcvirt_replay *r, struct pcv_lex *l)
{
	struct ppcvirt_phb_config cfg;
	struct pcv_rp_phb *p;
	uint64_t buid, index = 0;
	int ret;

	if (!pcv_lex_num(l, &buid))
		return bad(r, "phb");
	if (!pcv_lex_eol(l)) {
		if (!pcv_lex_num(l, &index) || !pcv_lex_eol(l) || index > 255)
			return bad(r, "phb");
	} else if (buid >= PPCVIRT_PHB_BASE_BUID &&
		   buid - PPCVIRT_PHB_BASE_BUID <= 255) {
		index = buid - PPCVIRT_PHB_BASE_BUID; /* as QEMU numbers them */
	}
	for (size_t i = 0; i < r->nphbs; i++)
		if (r->phbs[i].buid == buid)
			return pcv_rp_fail(r, -EEXIST, "PHB 0x%llx exists",
					   (unsigned long long)buid);
	p = script_phb_add(r);
	if (!p)
		return pcv_rp_fail(r, -ENOSPC, "too many PHBs");
	ppcvirt_phb_config_default(&cfg, (uint32_t)index);
	cfg.buid = buid;
	if (!pcv_rp_window_fits(r, cfg.dma_win_size >> 12))
		return pcv_rp_fail(r, -E2BIG, "table memory limit reached");
	ret = ppcvirt_phb_create(r->vm, &cfg, &p->phb);
	if (ret)
		return pcv_rp_fail(r, ret, "cannot create PHB: %s",
				   strerror(-ret));
	p->buid = buid;
	r->nphbs++;
	return 0;
}

static int st_rtas(struct ppcvirt_replay *r, struct pcv_lex *l)
{
	struct ppcvirt_phb *phbs[PCV_RP_MAX_PHBS];
	uint32_t args[MAX_ARGS], rets[MAX_CELLS], token, nargs;
	uint64_t v[MAX_ARGS], want[MAX_CELLS];
	bool chk[MAX_CELLS];
	char q[PCV_RP_QUOTE_MAX];
	const char *w;
	size_t n;
	uint32_t nret = 0;
	int ret;

	if (!pcv_lex_word(l, &w, &n))
		return bad(r, "rtas");
	if (word_is(w, n, "query")) {
		token = PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW;
		nargs = 3;
	} else if (word_is(w, n, "create")) {
		token = PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW;
		nargs = 5;
	} else if (word_is(w, n, "remove")) {
		token = PPCVIRT_RTAS_REMOVE_PE_DMA_WINDOW;
		nargs = 1;
	} else if (word_is(w, n, "reset")) {
		token = PPCVIRT_RTAS_RESET_PE_DMA_WINDOW;
		nargs = 3;
	} else {
		return pcv_rp_fail(r, -EINVAL, "unknown rtas call '%s'",
				   pcv_rp_quote(q, w, n));
	}
	if (!nums(l, v, nargs) || !pcv_lex_lit(l, "->"))
		return bad(r, "rtas");
	for (uint32_t i = 0; i < nargs; i++) {
		if (v[i] > UINT32_MAX)
			return pcv_rp_fail(r, -EINVAL,
					   "rtas argument 0x%llx is not a "
					   "32-bit cell",
					   (unsigned long long)v[i]);
		args[i] = (uint32_t)v[i];
	}
	while (!pcv_lex_eol(l)) {
		if (nret == MAX_CELLS || !expect(l, &want[nret], &chk[nret]))
			return bad(r, "rtas");
		nret++;
	}
	if (!nret)
		return bad(r, "rtas");
	/* Tables the call may build must fit the replay's limits. */
	if (token == PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW && args[4] >= args[3] &&
	    args[4] - args[3] < 32 &&
	    !pcv_rp_window_fits(r, 1ULL << (args[4] - args[3])))
		return pcv_rp_fail(r, -E2BIG,
				   "window of 2^%u entries is above the limit",
				   args[4] - args[3]);
	if ((token == PPCVIRT_RTAS_REMOVE_PE_DMA_WINDOW ||
	     token == PPCVIRT_RTAS_RESET_PE_DMA_WINDOW) &&
	    !pcv_rp_window_fits(r, 0x40000))
		return pcv_rp_fail(r, -E2BIG, "table memory limit reached");
	for (size_t i = 0; i < r->nphbs; i++)
		phbs[i] = r->phbs[i].phb;
	memset(rets, 0, sizeof(rets));
	ret = ppcvirt_rtas_ddw(phbs, r->nphbs, token, args, nargs, rets, nret);
	pcv_rp_refresh(r);
	if (ret)
		return pcv_rp_fail(r, ret, "rtas call failed: %d", ret);
	r->res.rtas_checked++;
	for (uint32_t i = 0; i < nret; i++) {
		static const char *const cell[] = {"cell0", "cell1", "cell2",
						   "cell3", "cell4", "cell5"};

		if (chk[i] && (uint32_t)want[i] != rets[i])
			pcv_rp_mismatch(r, "rtas", i < 6 ? cell[i] : "cell",
					(uint32_t)want[i], rets[i], false);
	}
	return 0;
}

static int st_list(struct ppcvirt_replay *r, struct pcv_lex *l)
{
	uint64_t gpa, tce, be[64];
	unsigned n = 0;
	int ret;

	if (!pcv_lex_num(l, &gpa))
		return bad(r, "list");
	/* Written in groups so a long list needs no large buffer. */
	while (!pcv_lex_eol(l)) {
		if (!pcv_lex_num(l, &tce))
			return bad(r, "list");
		be[n++] = __builtin_bswap64(tce);
		if (n == 64 || pcv_lex_eol(l)) {
			ret = pcv_rp_write_guest(r, gpa, be, n * 8ULL);
			if (ret)
				return pcv_rp_fail(r, ret,
						   "list at 0x%llx is not "
						   "guest memory",
						   (unsigned long long)gpa);
			gpa += n * 8ULL;
			n = 0;
		}
	}
	return 0;
}

static int script_line(struct ppcvirt_replay *r, const char *p, const char *end)
{
	const char *hash = memchr(p, '#', (size_t)(end - p));
	struct pcv_lex l = {p, hash ? hash : end};
	char q[PCV_RP_QUOTE_MAX];
	uint64_t v[4];
	const char *w;
	size_t n;
	int ret;

	if (!pcv_lex_word(&l, &w, &n))
		return 0; /* blank or comment */
	r->events++;
	if (word_is(w, n, "put"))
		return st_hcall(r, &l, "put", PPCVIRT_H_PUT_TCE, 3);
	if (word_is(w, n, "get"))
		return st_hcall(r, &l, "get", PPCVIRT_H_GET_TCE, 2);
	if (word_is(w, n, "indirect"))
		return st_hcall(r, &l, "indirect", PPCVIRT_H_PUT_TCE_INDIRECT,
				4);
	if (word_is(w, n, "stuff"))
		return st_hcall(r, &l, "stuff", PPCVIRT_H_STUFF_TCE, 4);
	if (word_is(w, n, "list"))
		return st_list(r, &l);
	if (word_is(w, n, "mem")) {
		if (!nums(&l, v, 2) || !pcv_lex_eol(&l))
			return bad(r, "mem");
		return pcv_rp_add_mem(r, v[0], v[1]);
	}
	if (word_is(w, n, "window")) {
		if (!nums(&l, v, 4) || !pcv_lex_eol(&l))
			return bad(r, "window");
		if (v[0] > UINT32_MAX)
			return pcv_rp_fail(r, -EINVAL,
					   "LIOBN 0x%llx is above 32 bits",
					   (unsigned long long)v[0]);
		if (v[2] > 63)
			return pcv_rp_fail(r, -EINVAL,
					   "page shift %llu not in 12..34",
					   (unsigned long long)v[2]);
		return pcv_rp_window(r, v[0], v[1], (uint32_t)v[2], v[3]);
	}
	if (word_is(w, n, "unwindow")) {
		if (!nums(&l, v, 1) || !pcv_lex_eol(&l))
			return bad(r, "unwindow");
		ret = ppcvirt_vm_remove_tce(r->vm, v[0]);
		pcv_rp_refresh(r);
		if (ret)
			return pcv_rp_fail(r, ret, "no window 0x%llx",
					   (unsigned long long)v[0]);
		return 0;
	}
	if (word_is(w, n, "phb"))
		return st_phb(r, &l);
	if (word_is(w, n, "rtas"))
		return st_rtas(r, &l);
	if (word_is(w, n, "profile")) {
		if (!pcv_lex_word(&l, &w, &n) || !pcv_lex_eol(&l))
			return bad(r, "profile");
		if (word_is(w, n, "qemu"))
			v[0] = PPCVIRT_PROFILE_QEMU;
		else if (word_is(w, n, "strict"))
			v[0] = PPCVIRT_PROFILE_STRICT;
		else
			return bad(r, "profile");
		if (r->profile_fixed)
			return 0;
		return pcv_rp_set_profile(r, (int)v[0]);
	}
	return pcv_rp_fail(r, -EINVAL, "unknown statement '%s'",
			   pcv_rp_quote(q, w, n));
}

const struct pcv_rp_frontend pcv_rp_script_frontend = {
	.line = script_line,
	.no_data = "no statements in the script",
};
