/* SPDX-License-Identifier: MIT */
/*
 * Private parts of the replay engine (replay*.c): the replay object, a
 * small allocation-free tokenizer over [p, end) line slices, and the
 * helpers the trace and script front ends share (hypercalls, windows,
 * mismatch and error reporting).
 */
#ifndef PPCVIRT_TOOLS_REPLAY_INT_H
#define PPCVIRT_TOOLS_REPLAY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/ppcvirt.h>
#include <ppcvirt/ddw.h>

#include "replay.h"
#include "text.h"

#define PCV_RP_MAX_LIOBNS 64
#define PCV_RP_MAX_PHBS	  16
#define PCV_RP_MAX_SKIPS  256
#define PCV_RP_DEF_LIMIT  (64ULL << 30)
#define PCV_RP_FUZZ_LIMIT (16ULL << 20)

/* What the replay knows about one LIOBN. */
struct pcv_rp_liobn {
	uint64_t liobn;
	/* trace pass 1: final geometry from pre_save */
	bool pre_save;
	bool ddw; /* named by a ddw_create line */
	uint32_t ps_page_shift;
	uint64_t ps_bus_offset;
	uint64_t ps_entries;
	uint64_t last_new_table; /* pass 1: line of its last new_table */
	/* live window (refreshed after every window change) */
	bool live;
	uint32_t page_shift;
	uint64_t bus_offset;
	uint64_t entries;
};

struct pcv_rp_phb {
	uint64_t buid;
	uint32_t query_mask; /* LoPAPR mask from ddw_query, 0 if none */
	uint64_t create_shifts;
	struct ppcvirt_phb *phb;
	bool just_reset; /* the last PHB event replayed was a reset */
};

/* A guest memory slot the replay made, and (STATEFUL) which of its 4 KiB
 * pages were ever written: by the replay (INDIRECT lists) or, from the
 * VM's dirty log, by device DMA. Checkpoints carry those pages. */
struct pcv_rp_slot {
	uint64_t gpa;
	uint64_t size;
	uint64_t *written; /* one bit per page; NULL unless STATEFUL */
};

struct XXH3_state_s;
struct pcv_rp_frontend;

enum pcv_rp_phase {
	PCV_RP_SCAN = 0, /* trace pass 1 */
	PCV_RP_RUN = 1,
};

struct ppcvirt_replay {
	struct ppcvirt_replay_config cfg;
	const struct pcv_rp_frontend *fe;
	uint64_t limit;
	enum pcv_rp_phase phase;
	bool finished;
	int err;
	uint64_t line;
	/* spapr_iommu_* lines of a trace's scan pass / script statements:
	 * an input without any is not a trace or script at all. */
	uint64_t events;
	struct ppcvirt_replay_result res;

	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *vcpu;
	int profile;	    /* applied profile */
	bool profile_fixed; /* set on the command line */
	uint32_t next_slot;
	struct pcv_rp_slot slots[PPCVIRT_MAX_MEMSLOTS];
	uint64_t mem_total;
	uint64_t table_budget; /* bounded: entries still allowed */

	/* trace pass 1 */
	uint64_t ram_need;
	uint64_t skip_lines[PCV_RP_MAX_SKIPS];
	size_t nskips;

	struct pcv_rp_liobn liobns[PCV_RP_MAX_LIOBNS];
	size_t nliobns;
	size_t last_liobn;
	struct pcv_rp_phb phbs[PCV_RP_MAX_PHBS];
	size_t nphbs;

	/* checkpoints (replay_state.c) */
	bool stateful;
	bool stopped;	      /* at cfg.stop_after */
	bool muted;	      /* a checkpoint's own trace events */
	uint64_t next_ckpt;   /* res.hcalls at which to checkpoint */
	uint64_t resume_line; /* lines up to it are checked, not replayed */
	uint64_t resume_hash;
	struct XXH3_state_s *hash; /* of the run pass's lines */

	size_t partial_len;
	char partial[PPCVIRT_REPLAY_MAX_LINE + 1];
};

/* ---- tokenizer ----------------------------------------------------------*/

struct pcv_lex {
	const char *p;
	const char *end;
};

static inline void pcv_lex_ws(struct pcv_lex *l)
{
	while (l->p < l->end &&
	       (*l->p == ' ' || *l->p == '\t' || *l->p == '\r' || *l->p == ','))
		l->p++;
}

static inline bool pcv_lex_eol(struct pcv_lex *l)
{
	pcv_lex_ws(l);
	return l->p >= l->end;
}

/* Match literal @s (after optional blanks); consume it on success. */
static inline bool pcv_lex_lit(struct pcv_lex *l, const char *s)
{
	const char *q;

	pcv_lex_ws(l);
	q = l->p;
	while (*s) {
		if (q >= l->end || *q != *s)
			return false;
		q++;
		s++;
	}
	l->p = q;
	return true;
}

/* Hex digits without prefix; false on none or overflow. */
static inline bool pcv_lex_hexdigits(struct pcv_lex *l, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = l->p;
	int d;

	while (l->p < l->end && (d = pcv_hexval(*l->p)) >= 0) {
		if (x >> 60)
			return false;
		x = x << 4 | (uint64_t)d;
		l->p++;
	}
	*v = x;
	return l->p != start;
}

static inline bool pcv_lex_decdigits(struct pcv_lex *l, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = l->p;

	while (l->p < l->end && *l->p >= '0' && *l->p <= '9') {
		unsigned d = (unsigned)(*l->p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
		l->p++;
	}
	*v = x;
	return l->p != start;
}

/* "0x..." hex. */
static inline bool pcv_lex_hex(struct pcv_lex *l, uint64_t *v)
{
	return pcv_lex_lit(l, "0x") && pcv_lex_hexdigits(l, v);
}

/* A number "0x..." or decimal, optionally negative (two's complement). */
static inline bool pcv_lex_num(struct pcv_lex *l, uint64_t *v)
{
	bool neg = false;
	bool ok;

	pcv_lex_ws(l);
	if (l->p < l->end && *l->p == '-') {
		neg = true;
		l->p++;
	}
	if (l->end - l->p >= 2 && l->p[0] == '0' &&
	    (l->p[1] == 'x' || l->p[1] == 'X')) {
		l->p += 2;
		ok = pcv_lex_hexdigits(l, v);
	} else {
		ok = pcv_lex_decdigits(l, v);
	}
	if (!ok)
		return false;
	/* The number must end here. */
	if (l->p < l->end && *l->p != ' ' && *l->p != '\t' && *l->p != ',' &&
	    *l->p != '\r')
		return false;
	if (neg)
		*v = (uint64_t)0 - *v;
	return true;
}

/* key=value where value is a number. */
static inline bool pcv_lex_kv(struct pcv_lex *l, const char *key, uint64_t *v)
{
	return pcv_lex_lit(l, key) && pcv_lex_num(l, v);
}

/* The next blank-separated word. */
static inline bool pcv_lex_word(struct pcv_lex *l, const char **w, size_t *n)
{
	pcv_lex_ws(l);
	*w = l->p;
	while (l->p < l->end && *l->p != ' ' && *l->p != '\t' && *l->p != '\r')
		l->p++;
	*n = (size_t)(l->p - *w);
	return *n != 0;
}

/* ---- shared helpers (replay.c) -------------------------------------------*/

int pcv_rp_fail(struct ppcvirt_replay *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Input bytes for an error text: at most 32 of [w, w + n), escaped
 * (printable ASCII as is, \\ and \xNN otherwise) into @buf. */
#define PCV_RP_QUOTE_MAX (32 * 4 + 4)
const char *pcv_rp_quote(char buf[PCV_RP_QUOTE_MAX], const char *w, size_t n);
void pcv_rp_mismatch(struct ppcvirt_replay *r, const char *event,
		     const char *what, uint64_t want, uint64_t got,
		     bool is_hret);
struct pcv_rp_liobn *pcv_rp_liobn_get(struct ppcvirt_replay *r, uint64_t liobn,
				      bool add);
void pcv_rp_refresh(struct ppcvirt_replay *r);
int pcv_rp_hcall(struct ppcvirt_replay *r, uint64_t nr, uint64_t a0,
		 uint64_t a1, uint64_t a2, uint64_t a3, long *ret,
		 uint64_t *r4);
int pcv_rp_add_mem(struct ppcvirt_replay *r, uint64_t gpa, uint64_t size);
/* The guest (played by the replay) writes its memory. */
int pcv_rp_write_guest(struct ppcvirt_replay *r, uint64_t gpa, const void *buf,
		       uint64_t len);
int pcv_rp_window(struct ppcvirt_replay *r, uint64_t liobn, uint64_t bus_offset,
		  uint32_t page_shift, uint64_t entries);
int pcv_rp_set_profile(struct ppcvirt_replay *r, int profile);
bool pcv_rp_window_fits(struct ppcvirt_replay *r, uint64_t entries);

/*
 * A front end (replay_trace.c, replay_script.c): the core (replay.c)
 * knows the input formats only through this, and the front ends use the
 * core's helpers above, so the dependency goes one way. replay_api.c,
 * the public entry points, picks the front end of a config's kind.
 */
struct pcv_rp_frontend {
	/* One line [p, end), without its newline. */
	int (*line)(struct ppcvirt_replay *r, const char *p, const char *end);
	/* Two-pass inputs: the scan pass ended, build what it found and
	 * expect the input again (NULL: one pass). */
	int (*start)(struct ppcvirt_replay *r);
	/* The error of an input without a single event or statement. */
	const char *no_data;
};

extern const struct pcv_rp_frontend pcv_rp_trace_frontend;
extern const struct pcv_rp_frontend pcv_rp_script_frontend;

/* ppcvirt_replay_create() once the front end is chosen. */
int pcv_rp_create(const struct ppcvirt_replay_config *cfg,
		  const struct pcv_rp_frontend *fe,
		  struct ppcvirt_replay **out);

/* replay_state.c */
int pcv_rp_state_init(struct ppcvirt_replay *r);
void pcv_rp_state_free(struct ppcvirt_replay *r);
int pcv_rp_vm_attach(struct ppcvirt_replay *r);
/* Before a run-pass line: true when it is consumed by a resume (checked
 * against the saved hash, not replayed). */
bool pcv_rp_resume_skip(struct ppcvirt_replay *r, const char *p,
			const char *end, int *err);
/* After a replayed run-pass line: checkpoint or stop when due. */
int pcv_rp_after_line(struct ppcvirt_replay *r);
int pcv_rp_state_finish(struct ppcvirt_replay *r);
/* End of a traced run: pre_save events of every table, from a save to
 * nowhere, as QEMU logs them when a capture ends with a savevm. */
void pcv_rp_trace_end(struct ppcvirt_replay *r);

#endif
