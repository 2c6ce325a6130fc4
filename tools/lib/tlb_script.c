/* SPDX-License-Identifier: MIT */
/*
 * BookE e500 TLB scripts: the parser and runner behind `ppcvirt tlb replay`
 * (and the unit tests and the fuzzer), in the tools library so they share
 * one implementation that libppcvirt does not carry.
 *
 * Format (docs/booke.md): one statement per line; '#' starts a comment;
 * numbers are hexadecimal with or without 0x (geometry counts: decimal
 * unless 0x); "->" separates operands from expected results, where "-"
 * accepts any value.
 *
 *   geometry e500mc | e500v2 | tlb0=<entries>/<ways> tlb1=<entries>/<ways>
 *   pid <pid0> [<pid1> <pid2>]
 *   mas4 <mas4>                                   (extension: miss defaults)
 *   tlbwe <mas0> <mas1> <mas2> <mas3> <mas7>
 *   tlbre <mas0> <mas1> <mas2> -> <mas0> <mas1> <mas2> <mas3> <mas7>
 *   tlbsx <ea> <spid> <sas> -> <hit> <mas0> <mas1> <mas2> <mas3> <mas7>
 *   tlbivax <ea> <inv_all> <tlbsel>
 *   tlbilx <t> <ea> <pid>
 *   flash <tlbsel>
 *   translate <ea> <as> <pid> <pr> <r|w|x> -> <pa> | miss | denied | multihit
 *
 * Semantics: the statements drive the public instruction API exactly as a
 * guest would (tlbwe loads MAS0..3/7 then executes; a rejected instruction
 * is accepted as a statement and changes nothing). translate is the
 * guest's access: a miss delivers the TLB-miss interrupt's MAS load
 * (ppcvirt_tlb_deliver_miss(), advancing the victim counter as on the
 * hardware and in QEMU, docs/booke-architecture.md §9.1); a hit or a permission
 * fault changes nothing.
 *
 * Hostile input: lines are bounded, every number is range-checked, every
 * error names its line; nothing is read past @len.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "membuf.h"
#include "text.h"
#include "tlb_script.h"

#define MAX_TOKENS   16
#define MAX_LINE_LEN 4096

struct run {
	struct ppcvirt_tlb *tlb;
	struct ppcvirt_tlb_script_result *res;
	ppcvirt_tlb_report_fn report;
	void *opaque;
	unsigned line;
	uint32_t every; /* checkpoint every this many statements */
};

struct line {
	char buf[MAX_LINE_LEN + 1];
	char *tok[MAX_TOKENS];
	int ntok;
	int arrow; /* token index of "->", or -1 */
};

static int fail(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct run *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->res->error_line = r->line;
	snprintf(r->res->error, sizeof(r->res->error), "line %u: %s", r->line,
		 msg);
	return -EINVAL;
}

static void mismatch(struct run *r, const char *msg)
{
	r->res->mismatches++;
	if (r->report)
		r->report(r->opaque, r->line, msg);
}

/* The MAS register file, through the public API like a VMM would use it
 * (r->tlb is never NULL here, so these cannot fail). */
static void mas_get(struct run *r, struct ppcvirt_booke_mas *m)
{
	(void)ppcvirt_tlb_get_mas(r->tlb, m);
}

static void mas_set(struct run *r, const struct ppcvirt_booke_mas *m)
{
	(void)ppcvirt_tlb_set_mas(r->tlb, m);
}

/* Parse a number in @base (16, or 10 unless 0x-prefixed). */
static bool parse_num(const char *s, bool decimal_default, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = decimal_default ? 10 : 16;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int d = pcv_hexval(*s);

		if (d < 0 || (unsigned)d >= base)
			return false;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return false; /* overflow */
		v = v * base + (unsigned)d;
	}
	*out = v;
	return true;
}

static int arg(struct run *r, struct line *l, int i, uint64_t max,
	       uint64_t *out)
{
	if (!parse_num(l->tok[i], false, out))
		return fail(r, "'%s' is not a hexadecimal number", l->tok[i]);
	if (*out > max)
		return fail(r, "'%s' is out of range for %s", l->tok[i],
			    l->tok[0]);
	return 0;
}

/* Operand count check: @n operands before "->" (or the end). */
static int want_args(struct run *r, struct line *l, int n, int nexp)
{
	int nops = (l->arrow >= 0 ? l->arrow : l->ntok) - 1;

	if (nops != n) {
		char want[16];

		snprintf(want, sizeof(want), "%d", n);
		return fail(r, "%s takes %s operands", l->tok[0], want);
	}
	if (l->arrow >= 0 && nexp == 0)
		return fail(r, "%s has no expected results ('->')", l->tok[0]);
	if (l->arrow >= 0 && l->ntok - l->arrow - 1 != nexp) {
		char want[16];

		snprintf(want, sizeof(want), "%d", nexp);
		return fail(r, "%s expects %s results after '->'", l->tok[0],
			    want);
	}
	return 0;
}

/* Expected token @i vs @got: "-" matches anything. */
static int expect(struct run *r, struct line *l, int i, uint64_t got, bool *ok)
{
	uint64_t want;

	if (!strcmp(l->tok[i], "-"))
		return 0;
	if (!parse_num(l->tok[i], false, &want))
		return fail(r, "expected value '%s' is not a number",
			    l->tok[i]);
	if (want != got)
		*ok = false;
	return 0;
}

static int new_tlb(struct run *r, enum ppcvirt_booke_core core)
{
	ppcvirt_tlb_destroy(r->tlb);
	r->tlb = NULL;
	return ppcvirt_tlb_create(core, &r->tlb);
}

static int st_geometry(struct run *r, struct line *l)
{
	struct ppcvirt_book3e_206_tlb_params p;
	const char *spec[2] = {"tlb0=", "tlb1="};
	int e;

	if (l->arrow >= 0)
		return fail(r, "geometry has no expected results");
	if (l->ntok == 2 && !strcmp(l->tok[1], "e500mc"))
		return new_tlb(r, PPCVIRT_BOOKE_E500MC);
	if (l->ntok == 2 && !strcmp(l->tok[1], "e500v2"))
		return new_tlb(r, PPCVIRT_BOOKE_E500V2);
	if (l->ntok != 3)
		return fail(r, "geometry takes e500mc, e500v2 or "
			       "tlb0=<entries>/<ways> tlb1=<entries>/<ways>");
	memset(&p, 0, sizeof(p));
	for (int i = 0; i < 2; i++) {
		char *t = l->tok[1 + i], *slash;
		uint64_t n, w;

		if (strncmp(t, spec[i], 5) || !(slash = strchr(t + 5, '/')))
			return fail(r, "'%s': expected %s<entries>/<ways>", t,
				    spec[i]);
		*slash = '\0';
		if (!parse_num(t + 5, true, &n) ||
		    !parse_num(slash + 1, true, &w) || n > UINT32_MAX ||
		    w > UINT32_MAX)
			return fail(r, "bad number in %s geometry", spec[i]);
		p.tlb_sizes[i] = (uint32_t)n;
		p.tlb_ways[i] = (uint32_t)w;
	}
	e = new_tlb(r, PPCVIRT_BOOKE_E500MC);
	if (e)
		return e;
	e = ppcvirt_tlb_set_geometry(r->tlb, &p);
	if (e == -EINVAL)
		return fail(r, "invalid geometry: %s",
			    ppcvirt_tlb_last_error(r->tlb));
	return e;
}

static int st_pid(struct run *r, struct line *l)
{
	uint64_t v[3] = {0, 0, 0};
	int n = l->ntok - 1;

	if (l->arrow >= 0 || n < 1 || n > 3)
		return fail(r, "pid takes 1 to 3 operands");
	for (int i = 0; i < n; i++)
		if (arg(r, l, 1 + i, UINT32_MAX, &v[i]))
			return -EINVAL;
	/* A PID register the core lacks (e500mc PID1/2) is ignored. */
	for (int i = 0; i < 3; i++)
		(void)ppcvirt_tlb_set_pid(r->tlb, (unsigned)i, (uint32_t)v[i]);
	return 0;
}

static int st_mas4(struct run *r, struct line *l)
{
	struct ppcvirt_booke_mas m;
	uint64_t v = 0;

	if (want_args(r, l, 1, 0) || arg(r, l, 1, UINT32_MAX, &v))
		return -EINVAL;
	mas_get(r, &m);
	m.mas4 = (uint32_t)v;
	mas_set(r, &m);
	return 0;
}

static int st_tlbwe(struct run *r, struct line *l)
{
	struct ppcvirt_booke_mas m;
	uint64_t v[5] = {0};

	if (want_args(r, l, 5, 0))
		return -EINVAL;
	for (int i = 0; i < 5; i++)
		if (arg(r, l, 1 + i, i == 2 ? UINT64_MAX : UINT32_MAX, &v[i]))
			return -EINVAL;
	mas_get(r, &m);
	m.mas0 = (uint32_t)v[0];
	m.mas1 = (uint32_t)v[1];
	m.mas2 = v[2];
	m.mas3 = (uint32_t)v[3];
	m.mas7 = (uint32_t)v[4];
	mas_set(r, &m);
	/* PPCVIRT_TLB_PROGRAM: accepted, TLB unchanged. */
	(void)ppcvirt_tlb_tlbwe(r->tlb);
	return 0;
}

/*
 * Compare MAS0 MAS1 MAS2 MAS3 MAS7 with the tokens from @first; @hit >= 0
 * is the tlbsx hit flag, already compared into @ok.
 */
static int check_mas(struct run *r, struct line *l, int first, bool ok, int hit)
{
	struct ppcvirt_booke_mas mas;
	const struct ppcvirt_booke_mas *m = &mas;
	uint64_t got[5];
	char msg[480];
	size_t off;

	mas_get(r, &mas);
	got[0] = m->mas0;
	got[1] = m->mas1;
	got[2] = m->mas2;
	got[3] = m->mas3;
	got[4] = m->mas7;
	for (int i = 0; i < 5; i++)
		if (expect(r, l, first + i, got[i], &ok))
			return -EINVAL;
	if (ok)
		return 0;
	off = (size_t)snprintf(msg, sizeof(msg), "%s: expected", l->tok[0]);
	for (int i = l->arrow + 1; i < l->ntok && off < sizeof(msg); i++)
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, " %s",
					l->tok[i]);
	if (off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, ", got");
	if (hit >= 0 && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, " %d",
					hit);
	if (off < sizeof(msg))
		snprintf(msg + off, sizeof(msg) - off,
			 " 0x%x 0x%x 0x%llx 0x%x 0x%x", m->mas0, m->mas1,
			 (unsigned long long)m->mas2, m->mas3, m->mas7);
	mismatch(r, msg);
	return 0;
}

static int st_tlbre(struct run *r, struct line *l)
{
	struct ppcvirt_booke_mas m;
	uint64_t v[3] = {0};

	if (want_args(r, l, 3, 5))
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (arg(r, l, 1 + i, i == 2 ? UINT64_MAX : UINT32_MAX, &v[i]))
			return -EINVAL;
	mas_get(r, &m);
	m.mas0 = (uint32_t)v[0];
	m.mas1 = (uint32_t)v[1];
	m.mas2 = v[2];
	mas_set(r, &m);
	(void)ppcvirt_tlb_tlbre(r->tlb);
	if (l->arrow < 0)
		return 0;
	r->res->checks++;
	return check_mas(r, l, l->arrow + 1, true, -1);
}

static int st_tlbsx(struct run *r, struct line *l)
{
	struct ppcvirt_booke_mas m;
	uint64_t ea = 0, spid = 0, sas = 0;
	bool ok = true;
	int rc, hit;

	if (want_args(r, l, 3, 6) || arg(r, l, 1, UINT64_MAX, &ea) ||
	    arg(r, l, 2, UINT32_MAX, &spid) || arg(r, l, 3, 1, &sas))
		return -EINVAL;
	mas_get(r, &m);
	m.mas6 = (m.mas6 & ~(PPCVIRT_MAS6_SPID_MASK | PPCVIRT_MAS6_SAS)) |
		 (((uint32_t)spid << 16) & PPCVIRT_MAS6_SPID_MASK) |
		 (uint32_t)sas;
	mas_set(r, &m);
	rc = ppcvirt_tlb_tlbsx(r->tlb, ea);
	/* A hit leaves MAS1[V] set (only valid entries match); a miss clears
	 * it. */
	mas_get(r, &m);
	hit = (m.mas1 & PPCVIRT_MAS1_V) ? 1 : 0;
	if (l->arrow < 0)
		return 0;
	r->res->checks++;
	if (rc == PPCVIRT_TLB_MULTIHIT) {
		mismatch(r, "tlbsx: several TLB entries match (multi-hit)");
		return 0;
	}
	if (expect(r, l, l->arrow + 1, hit, &ok))
		return -EINVAL;
	return check_mas(r, l, l->arrow + 2, ok, hit);
}

static int st_tlbivax(struct run *r, struct line *l)
{
	uint64_t ea = 0, ia = 0, sel = 0;

	if (want_args(r, l, 3, 0) || arg(r, l, 1, UINT64_MAX, &ea) ||
	    arg(r, l, 2, 1, &ia) || arg(r, l, 3, 1, &sel))
		return -EINVAL;
	/* The EA's own low bits are not IA/TLBSEL here: they are operands. */
	ea &= ~0xfffull;
	(void)ppcvirt_tlb_tlbivax(r->tlb,
				  ea | (ia ? PPCVIRT_TLBIVAX_IA : 0) |
					  (sel ? PPCVIRT_TLBIVAX_TLBSEL : 0));
	return 0;
}

static int st_tlbilx(struct run *r, struct line *l)
{
	struct ppcvirt_booke_mas m;
	uint64_t t = 0, ea = 0, pid = 0;

	if (want_args(r, l, 3, 0) || arg(r, l, 1, 3, &t) ||
	    arg(r, l, 2, UINT64_MAX, &ea) || arg(r, l, 3, UINT32_MAX, &pid))
		return -EINVAL;
	mas_get(r, &m);
	m.mas6 = (m.mas6 & ~PPCVIRT_MAS6_SPID_MASK) |
		 (((uint32_t)pid << 16) & PPCVIRT_MAS6_SPID_MASK);
	mas_set(r, &m);
	/* T=2: program interrupt, accepted with no change. */
	(void)ppcvirt_tlb_tlbilx(r->tlb, (unsigned)t, ea);
	return 0;
}

static int st_flash(struct run *r, struct line *l)
{
	static const uint32_t fi[4] = {PPCVIRT_MMUCSR0_TLB0FI,
				       PPCVIRT_MMUCSR0_TLB1FI, 0x40, 0x20};
	uint64_t sel = 0;

	if (want_args(r, l, 1, 0) || arg(r, l, 1, 3, &sel))
		return -EINVAL;
	(void)ppcvirt_tlb_mmucsr0_write(r->tlb, fi[sel]);
	return 0;
}

static const char *status_name(uint32_t s)
{
	switch (s) {
	case PPCVIRT_TLB_MISS:
		return "miss";
	case PPCVIRT_TLB_DENIED:
		return "denied";
	case PPCVIRT_TLB_MULTIPLE:
		return "multihit";
	default:
		return "hit";
	}
}

static int st_translate(struct run *r, struct line *l)
{
	struct ppcvirt_tlb_xlate x;
	uint64_t ea = 0, as = 0, pid = 0, pr = 0, want = 0;
	unsigned access;
	const char *w = "-", *a;
	char msg[300], got[40];
	bool ok;

	if (want_args(r, l, 5, 1) || arg(r, l, 1, UINT64_MAX, &ea) ||
	    arg(r, l, 2, 1, &as) || arg(r, l, 3, UINT32_MAX, &pid) ||
	    arg(r, l, 4, 1, &pr))
		return -EINVAL;
	a = l->tok[5];
	if (!strcmp(a, "r"))
		access = PPCVIRT_TLB_ACCESS_R;
	else if (!strcmp(a, "w"))
		access = PPCVIRT_TLB_ACCESS_W;
	else if (!strcmp(a, "x"))
		access = PPCVIRT_TLB_ACCESS_X;
	else
		return fail(r, "access '%s' is not r, w or x", a);
	if (l->arrow >= 0) {
		w = l->tok[l->arrow + 1];
		if (strcmp(w, "-") && strcmp(w, "miss") &&
		    strcmp(w, "denied") && strcmp(w, "multihit") &&
		    !parse_num(w, false, &want))
			return fail(r,
				    "expected result '%s' is not an address, "
				    "miss, denied or multihit",
				    w);
	}
	(void)ppcvirt_tlb_xlate(r->tlb, ea, (unsigned)as, (uint32_t)pid,
				(unsigned)pr, access, &x);
	if (x.status == PPCVIRT_TLB_MISS)
		(void)ppcvirt_tlb_deliver_miss(r->tlb, ea, (unsigned)as,
					       (uint32_t)pid);
	if (l->arrow < 0)
		return 0;
	r->res->checks++;
	if (x.status == PPCVIRT_TLB_HIT)
		snprintf(got, sizeof(got), "0x%llx",
			 (unsigned long long)x.real_addr);
	else
		snprintf(got, sizeof(got), "%s", status_name(x.status));
	if (!strcmp(w, "-"))
		ok = true;
	else if (x.status == PPCVIRT_TLB_HIT)
		ok = pcv_hexval(w[0]) >= 0 && parse_num(w, false, &want) &&
		     want == x.real_addr;
	else
		ok = !strcmp(w, status_name(x.status));
	if (!ok) {
		snprintf(msg, sizeof(msg),
			 "translate %s as %s pid %s pr %s %s: expected %s, got "
			 "%s%s",
			 l->tok[1], l->tok[2], l->tok[3], l->tok[4], a, w, got,
			 x.status == PPCVIRT_TLB_MULTIPLE
				 ? " (several TLB entries match)"
				 : "");
		mismatch(r, msg);
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct run *r, struct line *l);
} statements[] = {
	{"geometry", st_geometry},   {"pid", st_pid},	    {"mas4", st_mas4},
	{"tlbwe", st_tlbwe},	     {"tlbre", st_tlbre},   {"tlbsx", st_tlbsx},
	{"tlbivax", st_tlbivax},     {"tlbilx", st_tlbilx}, {"flash", st_flash},
	{"translate", st_translate},
};

/* Split @l->buf into tokens; strips comments. Return: 0 or -EINVAL. */
static int tokenize(struct run *r, struct line *l)
{
	char *p = l->buf;

	l->ntok = 0;
	l->arrow = -1;
	for (char *h = p; *h; h++)
		if (*h == '#') {
			*h = '\0';
			break;
		}
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' ||
		       *p == '\f')
			p++;
		if (!*p)
			break;
		if (l->ntok == MAX_TOKENS)
			return fail(r, "too many fields");
		l->tok[l->ntok] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '\v' && *p != '\f')
			p++;
		if (*p)
			*p++ = '\0';
		if (!strcmp(l->tok[l->ntok], "->")) {
			if (l->arrow >= 0)
				return fail(r, "more than one '->'");
			l->arrow = l->ntok;
		}
		l->ntok++;
	}
	if (l->ntok && l->arrow == 0)
		return fail(r, "line starts with '->'");
	return 0;
}

/* ---- checkpoints ------------------------------------------------------ */

/* Save the TLB, load the stream into a new TLB of the same core, and go
 * on with the new one: what a VMM does to migrate a vCPU's TLB. */
static int checkpoint(struct run *r)
{
	struct pcv_membuf b = {0};
	struct ppcvirt_state_sink sink = {pcv_membuf_write, &b};
	struct ppcvirt_tlb *nw = NULL;
	struct ppcvirt_state_objects o = {
		.size = sizeof(o),
		.tlbs = &r->tlb,
		.ntlbs = 1,
	};
	struct ppcvirt_state_load a = {
		.size = sizeof(a),
		.tlbs = &nw,
		.ntlbs = 1,
	};
	int core = ppcvirt_tlb_core(r->tlb);
	int e = core < 0 ? core : ppcvirt_state_save(&o, &sink);

	if (!e)
		e = ppcvirt_tlb_create((enum ppcvirt_booke_core)core, &nw);
	if (!e)
		e = ppcvirt_state_load(&a, b.p, b.len);
	if (e) {
		fail(r, "checkpoint: %s", ppcvirt_last_error());
		ppcvirt_tlb_destroy(nw);
		free(b.p);
		return e;
	}
	ppcvirt_tlb_destroy(r->tlb);
	r->tlb = nw;
	r->res->checkpoints++;
	r->res->checkpoint_bytes += b.len;
	free(b.p);
	return 0;
}

static int run_line(struct run *r, struct line *l)
{
	int e;

	if (tokenize(r, l))
		return -EINVAL;
	if (!l->ntok)
		return 0;
	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]);
	     i++) {
		if (strcmp(l->tok[0], statements[i].name))
			continue;
		if (!r->tlb && statements[i].fn != st_geometry) {
			/* No geometry line yet: the e500mc default. */
			e = new_tlb(r, PPCVIRT_BOOKE_E500MC);
			if (e)
				return e;
		}
		e = statements[i].fn(r, l);
		if (!e)
			r->res->statements++;
		if (!e && r->every && r->res->statements % r->every == 0)
			e = checkpoint(r);
		return e;
	}
	return fail(r, "unknown statement '%s'", l->tok[0]);
}

int ppcvirt_tlb_script_run(const char *text, size_t len,
			   ppcvirt_tlb_report_fn report, void *opaque,
			   struct ppcvirt_tlb_script_result *res,
			   struct ppcvirt_tlb **tlb_out)
{
	struct ppcvirt_tlb_script_opts o = {.report = report, .opaque = opaque};

	return ppcvirt_tlb_script_exec(&o, text, len, res, tlb_out);
}

int ppcvirt_tlb_script_exec(const struct ppcvirt_tlb_script_opts *opts,
			    const char *text, size_t len,
			    struct ppcvirt_tlb_script_result *res,
			    struct ppcvirt_tlb **tlb_out)
{
	struct run r = {
		.res = res,
		.report = opts ? opts->report : NULL,
		.opaque = opts ? opts->opaque : NULL,
		.every = opts ? opts->checkpoint_every : 0,
	};
	struct line *l;
	size_t pos = 0;
	int e = 0;

	if (tlb_out)
		*tlb_out = NULL;
	if (!res || (!text && len))
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	l = malloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	while (pos < len && !e) {
		size_t end = pos, n;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		r.line++;
		if (n > MAX_LINE_LEN) {
			e = fail(&r, "line longer than 4096 bytes");
			break;
		}
		if (memchr(text + pos, '\0', n)) {
			e = fail(&r, "NUL byte in line");
			break;
		}
		memcpy(l->buf, text + pos, n);
		l->buf[n] = '\0';
		e = run_line(&r, l);
		pos = end + 1;
	}
	free(l);
	if (!e && !r.tlb)
		e = new_tlb(&r, PPCVIRT_BOOKE_E500MC);
	if (e) {
		if (e != -EINVAL && !res->error[0])
			snprintf(res->error, sizeof(res->error), "line %u: %s",
				 r.line,
				 e == -ENOMEM ? "out of memory" : "error");
		ppcvirt_tlb_destroy(r.tlb);
		return e;
	}
	if (tlb_out)
		*tlb_out = r.tlb;
	else
		ppcvirt_tlb_destroy(r.tlb);
	return 0;
}
