/* SPDX-License-Identifier: MIT */
/*
 * Replay engine core: the replay object, line splitting, the two-pass
 * protocol, and the helpers the front ends use (replay_trace.c for QEMU
 * logs, replay_script.c for .hcs scripts). The core knows the front ends
 * only through struct pcv_rp_frontend (replay_int.h); replay_api.c picks
 * one per input kind.
 *
 * Lines are handled in place in the caller's buffer; only a line cut by a
 * chunk boundary is copied, into a fixed buffer of PPCVIRT_REPLAY_MAX_LINE
 * bytes. Nothing is allocated per line. Every request for memory (guest
 * RAM, windows) is checked against the configured limit before the
 * library is asked, so hostile input cannot make the replay allocate
 * without bound.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"

int pcv_rp_fail(struct ppcvirt_replay *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return r->err;
	r->err = err;
	r->res.error = err;
	r->res.error_line = r->line;
	va_start(ap, fmt);
	vsnprintf(r->res.error_text, sizeof(r->res.error_text), fmt, ap);
	va_end(ap);
	return err;
}

const char *pcv_rp_quote(char buf[PCV_RP_QUOTE_MAX], const char *w, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && i < 32; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c == '\\') {
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (n > 32) {
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

void pcv_rp_mismatch(struct ppcvirt_replay *r, const char *event,
		     const char *what, uint64_t want, uint64_t got,
		     bool is_hret)
{
	struct ppcvirt_replay_mismatch m = {
		.line = r->line,
		.event = event,
		.what = what,
		.want = want,
		.got = got,
	};

	r->res.mismatches++;
	if (!r->cfg.on_mismatch)
		return;
	if (!strcmp(what, "malformed line"))
		snprintf(m.text, sizeof(m.text),
			 "line %llu: %s: malformed line, not replayed",
			 (unsigned long long)m.line, event);
	else if (is_hret)
		snprintf(m.text, sizeof(m.text),
			 "line %llu: %s: %s expected %lld (%s), got %lld (%s)",
			 (unsigned long long)m.line, event, what,
			 (long long)want, ppcvirt_hret_name((long)want),
			 (long long)got, ppcvirt_hret_name((long)got));
	else
		snprintf(m.text, sizeof(m.text),
			 "line %llu: %s: %s expected 0x%llx, got 0x%llx",
			 (unsigned long long)m.line, event, what,
			 (unsigned long long)want, (unsigned long long)got);
	r->cfg.on_mismatch(r->cfg.opaque, &m);
}

struct pcv_rp_liobn *pcv_rp_liobn_get(struct ppcvirt_replay *r, uint64_t liobn,
				      bool add)
{
	struct pcv_rp_liobn *e;

	if (r->last_liobn < r->nliobns &&
	    r->liobns[r->last_liobn].liobn == liobn)
		return &r->liobns[r->last_liobn];
	for (size_t i = 0; i < r->nliobns; i++) {
		if (r->liobns[i].liobn == liobn) {
			r->last_liobn = i;
			return &r->liobns[i];
		}
	}
	if (!add || r->nliobns == PCV_RP_MAX_LIOBNS)
		return NULL;
	e = &r->liobns[r->nliobns];
	memset(e, 0, sizeof(*e));
	e->liobn = liobn;
	r->last_liobn = r->nliobns++;
	return e;
}

/* Re-read the live geometry of every known LIOBN (after window changes). */
void pcv_rp_refresh(struct ppcvirt_replay *r)
{
	for (size_t i = 0; i < r->nliobns; i++) {
		struct pcv_rp_liobn *e = &r->liobns[i];
		struct ppcvirt_tce_info info;

		e->live = ppcvirt_vm_tce_info(r->vm, e->liobn, &info) == 0;
		if (e->live) {
			e->page_shift = info.page_shift;
			e->bus_offset = info.bus_offset;
			e->entries = info.size;
		}
	}
}

int pcv_rp_hcall(struct ppcvirt_replay *r, uint64_t nr, uint64_t a0,
		 uint64_t a1, uint64_t a2, uint64_t a3, long *ret, uint64_t *r4)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};
	int rc;

	r->res.hcalls++;
	if (r->cfg.host && r->cfg.host->hcall) {
		rc = r->cfg.host->hcall(r->cfg.host->opaque, r->vm, &hc);
		if (rc < 0)
			return pcv_rp_fail(r, rc, "hypercall 0x%llx: %s",
					   (unsigned long long)nr,
					   strerror(-rc));
	} else {
		rc = ppcvirt_vcpu_hcall(r->vcpu, &hc);
	}
	if (rc == PPCVIRT_HCALL_EXIT) {
		rc = ppcvirt_vmm_hcall(r->vm, &hc);
		if (rc < 0 && rc != -ENOMEM)
			return pcv_rp_fail(r, rc, "ppcvirt_vmm_hcall: error %d",
					   rc);
	} else if (rc < 0) {
		return pcv_rp_fail(r, rc, "ppcvirt_vcpu_hcall: error %d", rc);
	}
	*ret = (long)(int64_t)hc.ret;
	if (r4)
		*r4 = hc.args[0];
	return 0;
}

int pcv_rp_add_mem(struct ppcvirt_replay *r, uint64_t gpa, uint64_t size)
{
	struct pcv_rp_slot *sl = &r->slots[r->next_slot];
	int ret;

	if (size > r->limit || r->mem_total > r->limit - size)
		return pcv_rp_fail(r, -E2BIG,
				   "guest memory of 0x%llx bytes is above the "
				   "limit 0x%llx",
				   (unsigned long long)(r->mem_total + size),
				   (unsigned long long)r->limit);
	if (r->next_slot >= PPCVIRT_MAX_MEMSLOTS)
		return pcv_rp_fail(r, -ENOSPC, "too many memory slots");
	if (r->stateful && size) {
		/* Pages: the library refuses slots that are not 4 KiB
		 * multiples, so whole pages cover the slot. */
		sl->written = calloc((size / 4096 + 63) / 64 + 1, 8);
		if (!sl->written)
			return pcv_rp_fail(r, -ENOMEM, "out of memory");
	}
	ret = ppcvirt_vm_alloc_memory(r->vm, r->next_slot, gpa, size, NULL,
				      NULL);
	if (ret) {
		free(sl->written);
		sl->written = NULL;
		return pcv_rp_fail(r, ret,
				   "cannot add guest memory 0x%llx+0x%llx: %s",
				   (unsigned long long)gpa,
				   (unsigned long long)size, strerror(-ret));
	}
	sl->gpa = gpa;
	sl->size = size;
	r->next_slot++;
	r->mem_total += size;
	return 0;
}

int pcv_rp_write_guest(struct ppcvirt_replay *r, uint64_t gpa, const void *buf,
		       uint64_t len)
{
	int ret = ppcvirt_vm_write_guest(r->vm, gpa, buf, len);

	if (ret || !r->stateful || !len)
		return ret;
	for (uint32_t i = 0; i < r->next_slot; i++) {
		struct pcv_rp_slot *sl = &r->slots[i];

		/* write_guest succeeded: the range is inside one slot. */
		if (gpa >= sl->gpa && gpa - sl->gpa < sl->size) {
			uint64_t first = (gpa - sl->gpa) / 4096;
			uint64_t last = (gpa - sl->gpa + len - 1) / 4096;

			for (uint64_t pg = first; pg <= last; pg++)
				sl->written[pg / 64] |= 1ULL << (pg % 64);
			break;
		}
	}
	return 0;
}

/*
 * Whether a window of @entries may be built. Bounded replays (fuzzing)
 * keep every table within the memory limit and charge every table built
 * (re-creations included) to a budget of 4 times the limit, so no input
 * can make the replay touch more memory than that; other replays leave
 * the decision to the library (PPCVIRT_TCE_TABLE_MAX_BYTES).
 */
bool pcv_rp_window_fits(struct ppcvirt_replay *r, uint64_t entries)
{
	if (!(r->cfg.flags & PPCVIRT_REPLAY_BOUNDED))
		return entries <= PPCVIRT_TCE_TABLE_MAX_BYTES / 8;
	if (entries > r->limit / 8 || entries > r->table_budget)
		return false;
	r->table_budget -= entries;
	return true;
}

/* (Re)create the window of @liobn, zeroed. */
int pcv_rp_window(struct ppcvirt_replay *r, uint64_t liobn, uint64_t bus_offset,
		  uint32_t page_shift, uint64_t entries)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = liobn,
		.page_shift = page_shift,
	};
	int ret;

	if (page_shift < PPCVIRT_TCE_PAGE_SHIFT_MIN ||
	    page_shift > PPCVIRT_TCE_PAGE_SHIFT_MAX)
		return pcv_rp_fail(r, -EINVAL, "page shift %u not in 12..34",
				   page_shift);
	if (bus_offset & ((1ULL << page_shift) - 1))
		return pcv_rp_fail(r, -EINVAL,
				   "bus offset 0x%llx is not a multiple of the "
				   "page size",
				   (unsigned long long)bus_offset);
	if (!pcv_rp_window_fits(r, entries))
		return pcv_rp_fail(
			r, -E2BIG,
			"window of 0x%llx entries is above the limit",
			(unsigned long long)entries);
	a.offset = bus_offset >> page_shift;
	a.size = entries;
	(void)ppcvirt_vm_remove_tce(r->vm, liobn);
	ret = ppcvirt_vm_create_spapr_tce_64(r->vm, &a, NULL);
	pcv_rp_liobn_get(r, liobn, true);
	pcv_rp_refresh(r);
	if (ret)
		return pcv_rp_fail(
			r, ret,
			"cannot create window 0x%llx (offset 0x%llx, "
			"shift %u, 0x%llx entries): %s",
			(unsigned long long)liobn,
			(unsigned long long)bus_offset, page_shift,
			(unsigned long long)entries, strerror(-ret));
	return 0;
}

int pcv_rp_set_profile(struct ppcvirt_replay *r, int profile)
{
	int ret = ppcvirt_vm_set_profile(r->vm, (enum ppcvirt_profile)profile);

	if (ret)
		return pcv_rp_fail(r, ret, "cannot set profile %d", profile);
	r->profile = profile;
	r->res.profile = profile;
	return 0;
}

static int enable_hcall(struct ppcvirt_vm *vm, uint64_t nr)
{
	struct ppcvirt_enable_cap cap = {
		.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
		.args = {nr, 1},
	};

	return ppcvirt_vm_enable_cap(vm, &cap);
}

/* A fresh VM with one vCPU and all four TCE hcalls in the engine. */
static int vm_setup(struct ppcvirt_replay *r)
{
	const struct ppcvirt_replay_host *h = r->cfg.host;
	int ret = h && h->vm_create ? h->vm_create(h->opaque, &r->vm)
				    : ppcvirt_vm_create(&r->vm);

	if (ret)
		return ret;
	if (!h || !h->hcall)
		ret = ppcvirt_vcpu_create(r->vm, 0, &r->vcpu);
	if (!ret)
		ret = enable_hcall(r->vm, PPCVIRT_H_PUT_TCE_INDIRECT);
	if (!ret)
		ret = enable_hcall(r->vm, PPCVIRT_H_STUFF_TCE);
	if (!ret)
		ret = ppcvirt_vm_set_profile(r->vm,
					     (enum ppcvirt_profile)r->profile);
	if (!ret)
		ret = pcv_rp_vm_attach(r);
	return ret;
}

int pcv_rp_create(const struct ppcvirt_replay_config *cfg,
		  const struct pcv_rp_frontend *fe, struct ppcvirt_replay **out)
{
	struct ppcvirt_replay *r;
	int ret;

	if (cfg->flags & ~(PPCVIRT_REPLAY_BOUNDED | PPCVIRT_REPLAY_STATEFUL) ||
	    cfg->reserved ||
	    (cfg->profile != PPCVIRT_REPLAY_PROFILE_AUTO &&
	     cfg->profile != PPCVIRT_PROFILE_STRICT &&
	     cfg->profile != PPCVIRT_PROFILE_QEMU))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->cfg = *cfg;
	r->fe = fe;
	r->limit = cfg->mem_limit;
	if (!r->limit)
		r->limit = (cfg->flags & PPCVIRT_REPLAY_BOUNDED)
				   ? PCV_RP_FUZZ_LIMIT
				   : PCV_RP_DEF_LIMIT;
	r->table_budget = r->limit / 2; /* entries: 4 x limit bytes */
	r->profile_fixed = cfg->profile != PPCVIRT_REPLAY_PROFILE_AUTO;
	r->profile = r->profile_fixed ? cfg->profile : PPCVIRT_PROFILE_STRICT;
	r->res.profile = r->profile;
	r->phase = fe->start ? PCV_RP_SCAN : PCV_RP_RUN;
	ret = pcv_rp_state_init(r);
	if (!ret)
		ret = vm_setup(r);
	if (ret) {
		ppcvirt_replay_destroy(r);
		return ret;
	}
	*out = r;
	return 0;
}

PPCVIRT_API void ppcvirt_replay_destroy(struct ppcvirt_replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nphbs; i++)
		ppcvirt_phb_destroy(r->phbs[i].phb);
	if (r->vm && r->cfg.host && r->cfg.host->vm_destroy)
		r->cfg.host->vm_destroy(r->cfg.host->opaque, r->vm);
	else
		ppcvirt_vm_destroy(r->vm);
	pcv_rp_state_free(r);
	free(r);
}

static int do_line(struct ppcvirt_replay *r, const char *p, const char *end)
{
	int ret;

	if (r->stopped)
		return 0; /* the rest of the input, after cfg.stop_after */
	r->line++;
	if (end > p && end[-1] == '\r')
		end--;
	if (r->phase == PCV_RP_RUN) {
		if (pcv_rp_resume_skip(r, p, end, &ret))
			return ret;
		r->res.lines++;
	}
	ret = r->fe->line(r, p, end);
	if (!ret && r->phase == PCV_RP_RUN && r->stateful)
		ret = pcv_rp_after_line(r);
	return ret;
}

PPCVIRT_API int ppcvirt_replay_feed(struct ppcvirt_replay *r, const void *buf,
				    size_t len)
{
	const char *p = buf, *end = p + len;
	int ret;

	if (!r || (!buf && len))
		return -EINVAL;
	if (r->err)
		return r->err;
	if (r->finished)
		return -EINVAL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (r->partial_len || !nl) {
			if (n > PPCVIRT_REPLAY_MAX_LINE - r->partial_len) {
				r->line++;
				return pcv_rp_fail(r, -EINVAL,
						   "line longer than %d bytes",
						   PPCVIRT_REPLAY_MAX_LINE);
			}
			memcpy(r->partial + r->partial_len, p, n);
			r->partial_len += n;
			if (!nl)
				return 0;
			ret = do_line(r, r->partial,
				      r->partial + r->partial_len);
			r->partial_len = 0;
		} else {
			if (n > PPCVIRT_REPLAY_MAX_LINE) {
				r->line++;
				return pcv_rp_fail(r, -EINVAL,
						   "line longer than %d bytes",
						   PPCVIRT_REPLAY_MAX_LINE);
			}
			ret = do_line(r, p, nl);
		}
		if (ret)
			return ret;
		p = nl + 1;
	}
	return 0;
}

/*
 * An input without a single spapr_iommu_* line (trace) or statement
 * (script) is refused: an empty file, a wrong file or a capture made
 * without the trace events would otherwise "replay" cleanly, and a check
 * built on the replay would pass on a broken capture.
 */
static int no_data(struct ppcvirt_replay *r)
{
	r->line = 0; /* not tied to a line */
	return pcv_rp_fail(r, -ENODATA, "%s", r->fe->no_data);
}

static int flush_partial(struct ppcvirt_replay *r)
{
	int ret = 0;

	if (r->partial_len && !r->err) {
		ret = do_line(r, r->partial, r->partial + r->partial_len);
		r->partial_len = 0;
	}
	return r->err ? r->err : ret;
}

PPCVIRT_API int ppcvirt_replay_rewind(struct ppcvirt_replay *r)
{
	int ret;

	if (!r)
		return -EINVAL;
	if (r->err)
		return r->err;
	if (!r->fe->start || r->phase != PCV_RP_SCAN)
		return -EINVAL;
	ret = flush_partial(r);
	if (ret)
		return ret;
	if (!r->events)
		return no_data(r);
	r->phase = PCV_RP_RUN;
	r->line = 0;
	return r->fe->start(r);
}

PPCVIRT_API int ppcvirt_replay_finish(struct ppcvirt_replay *r,
				      struct ppcvirt_replay_result *res)
{
	if (!r || !res)
		return -EINVAL;
	if (!r->finished) {
		(void)flush_partial(r);
		if (!r->err && !r->events)
			no_data(r);
		if (!r->err && r->phase == PCV_RP_SCAN)
			pcv_rp_fail(r, -EINVAL,
				    "trace ended before its second pass");
		if (!r->err)
			(void)pcv_rp_state_finish(r);
		if (!r->err)
			pcv_rp_trace_end(r);
		r->finished = true;
	}
	*res = r->res;
	return r->err;
}
