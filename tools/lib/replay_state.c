/* SPDX-License-Identifier: MIT */
/*
 * Checkpoints of a replay: the replay plays a VMM, so it saves and
 * restores the way one would. ppcvirt's state goes through
 * ppcvirt_state_save()/ppcvirt_state_load(); guest RAM is the VMM's job,
 * so the replay sends the pages it knows were written (its own writes of
 * INDIRECT lists, and device DMA from the VM's dirty log), not the whole
 * sparse RAM; its own position and counts travel in an embedder section.
 *
 * Engine section (PPCVIRT_REPLAY_SEC_ENGINE), little-endian:
 *   u32 magic "RPLY", u32 version (1), u32 kind, u32 profile,
 *   u64 line, events, next_slot, mem_total, table_budget, ram_need,
 *   u64 hash of the run pass's lines up to @line (XXH3-64),
 *   u64 res: lines hcalls mismatches gets_checked xlates_checked
 *            rtas_checked ignored checkpoints checkpoint_bytes,
 *   u32 nslots, then per slot u64 gpa, u64 size,
 *   u32 nskips, then u64 per skipped line,
 *   u32 nliobns, then per LIOBN: u64 liobn, u32 flags (1 pre_save,
 *       2 ddw, 4 live), u32 ps_page_shift, u64 ps_bus_offset,
 *       ps_entries, last_new_table, u32 page_shift, u32 0,
 *       u64 bus_offset, entries,
 *   u32 nphbs, then per PHB: u64 buid, u32 query_mask, u32 flags
 *       (1 has a PHB object, in the stream's PHB order; 2 just reset),
 *       u64 create_shifts.
 * RAM sections (PPCVIRT_REPLAY_SEC_RAM): u64 guest address, then up to
 * RAM_CHUNK bytes of whole pages of one slot.
 *
 * A resumed replay must see the same input: the run pass's lines are
 * hashed as they go by (STATEFUL only), and a resume compares the hash of
 * the lines it skips with the saved one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "membuf.h"
#include "replay_int.h"

#define ENGINE_MAGIC   0x594c5052u /* "RPLY" */
#define ENGINE_VERSION 1u
#define RAM_CHUNK      (128u * 4096u)
#define PAGE	       4096u
/* A section's payload follows its 16-byte header (docs/migration.md). */
#define SEC_HDR_LEN 16u

/* ---- a growable little-endian buffer ------------------------------------ */

struct wbuf {
	struct pcv_membuf m;
	int err;
};

static void w_bytes(struct wbuf *b, const void *src, size_t n)
{
	if (!b->err)
		b->err = pcv_membuf_write(&b->m, src, n);
}

static void w32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4];

	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	w_bytes(b, x, 4);
}

static void w64(struct wbuf *b, uint64_t v)
{
	uint8_t x[8];

	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	w_bytes(b, x, 8);
}

/* ---- a bounded reader ------------------------------------------------------
 */

struct rbuf {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t rn(struct rbuf *b, unsigned n)
{
	uint64_t v = 0;

	if (b->bad || (size_t)(b->end - b->p) < n) {
		b->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b->p[i] << (8 * i);
	b->p += n;
	return v;
}

static uint32_t r32(struct rbuf *b)
{
	return (uint32_t)rn(b, 4);
}

static uint64_t r64(struct rbuf *b)
{
	return rn(b, 8);
}

/* ---- set up and tear down -------------------------------------------------
 */

int pcv_rp_state_init(struct ppcvirt_replay *r)
{
	const struct ppcvirt_replay_config *c = &r->cfg;

	r->stateful = (c->flags & PPCVIRT_REPLAY_STATEFUL) ||
		      c->checkpoint_every || c->stop_after;
	if (!r->stateful)
		return 0;
	if (c->host)
		return -EINVAL; /* checkpoints need ppcvirt's own engine */
	r->hash = XXH3_createState();
	if (!r->hash)
		return -ENOMEM;
	XXH3_64bits_reset(r->hash);
	r->next_ckpt = c->checkpoint_every;
	return 0;
}

static void free_slots(struct pcv_rp_slot *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(s[i].written);
		s[i].written = NULL;
	}
}

void pcv_rp_state_free(struct ppcvirt_replay *r)
{
	free_slots(r->slots, PPCVIRT_MAX_MEMSLOTS);
	if (r->hash)
		XXH3_freeState(r->hash);
	r->hash = NULL;
}

/* Trace events go to the embedder unless a checkpoint is running. */
static void trace_relay(void *opaque, const struct ppcvirt_trace *ev)
{
	struct ppcvirt_replay *r = opaque;

	if (!r->muted)
		r->cfg.trace(r->cfg.trace_opaque, ev);
}

/* What every VM of the replay gets: the dirty log and the tracer. */
int pcv_rp_vm_attach(struct ppcvirt_replay *r)
{
	int ret = 0;

	if (r->stateful)
		ret = ppcvirt_vm_dirty_log_start(r->vm);
	if (!ret && r->cfg.trace)
		ret = ppcvirt_vm_set_trace(r->vm, trace_relay, r);
	return ret;
}

/* ---- save ------------------------------------------------------------------
 */

/* Fold the VM's DMA dirty log into the slots' written pages. */
static int collect_dirty(struct ppcvirt_replay *r)
{
	for (uint32_t i = 0; i < r->next_slot; i++) {
		struct pcv_rp_slot *sl = &r->slots[i];
		size_t words = (sl->size / PAGE + 63) / 64;
		uint64_t *log;
		int64_t n;

		if (!sl->size)
			continue;
		log = calloc(words, 8);
		if (!log)
			return -ENOMEM;
		n = ppcvirt_vm_get_dirty_log(r->vm, i, log, words * 8);
		if (n > 0)
			for (size_t w = 0; w < words; w++)
				sl->written[w] |= log[w];
		free(log);
		if (n < 0)
			return (int)n;
	}
	return 0;
}

static void put_engine(const struct ppcvirt_replay *r, struct wbuf *b)
{
	const struct ppcvirt_replay_result *s = &r->res;
	XXH64_hash_t h = XXH3_64bits_digest(r->hash);

	w32(b, ENGINE_MAGIC);
	w32(b, ENGINE_VERSION);
	w32(b, (uint32_t)r->cfg.kind);
	w32(b, (uint32_t)r->profile);
	w64(b, r->line);
	w64(b, r->events);
	w64(b, r->next_slot);
	w64(b, r->mem_total);
	w64(b, r->table_budget);
	w64(b, r->ram_need);
	w64(b, h);
	w64(b, s->lines);
	w64(b, s->hcalls);
	w64(b, s->mismatches);
	w64(b, s->gets_checked);
	w64(b, s->xlates_checked);
	w64(b, s->rtas_checked);
	w64(b, s->ignored);
	w64(b, s->checkpoints);
	w64(b, s->checkpoint_bytes);
	w32(b, r->next_slot);
	for (uint32_t i = 0; i < r->next_slot; i++) {
		w64(b, r->slots[i].gpa);
		w64(b, r->slots[i].size);
	}
	w32(b, (uint32_t)r->nskips);
	for (size_t i = 0; i < r->nskips; i++)
		w64(b, r->skip_lines[i]);
	w32(b, (uint32_t)r->nliobns);
	for (size_t i = 0; i < r->nliobns; i++) {
		const struct pcv_rp_liobn *e = &r->liobns[i];

		w64(b, e->liobn);
		w32(b, (e->pre_save ? 1u : 0) | (e->ddw ? 2u : 0) |
			       (e->live ? 4u : 0));
		w32(b, e->ps_page_shift);
		w64(b, e->ps_bus_offset);
		w64(b, e->ps_entries);
		w64(b, e->last_new_table);
		w32(b, e->page_shift);
		w32(b, 0);
		w64(b, e->bus_offset);
		w64(b, e->entries);
	}
	w32(b, (uint32_t)r->nphbs);
	for (size_t i = 0; i < r->nphbs; i++) {
		const struct pcv_rp_phb *p = &r->phbs[i];

		w64(b, p->buid);
		w32(b, p->query_mask);
		w32(b, (p->phb ? 1u : 0) | (p->just_reset ? 2u : 0));
		w64(b, p->create_shifts);
	}
}

/* Blobs of the written pages: runs of whole pages, RAM_CHUNK at most. */
static int put_ram(struct ppcvirt_replay *r, struct wbuf *data,
		   struct ppcvirt_state_blob **blobs, uint32_t *nblobs)
{
	size_t cap = 0, *offs = NULL;
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->next_slot; i++) {
		const struct pcv_rp_slot *sl = &r->slots[i];
		uint64_t pages = sl->size / PAGE, pg = 0;

		while (pg < pages) {
			uint64_t run = 0, gpa;

			if (!(sl->written[pg / 64] >> (pg % 64) & 1)) {
				pg++;
				continue;
			}
			while (pg + run < pages && run < RAM_CHUNK / PAGE &&
			       sl->written[(pg + run) / 64] >>
					       ((pg + run) % 64) &
				       1)
				run++;
			if (n == cap) {
				size_t *no;

				cap = cap ? cap * 2 : 16;
				no = realloc(offs, cap * sizeof(*offs));
				if (!no) {
					free(offs);
					return -ENOMEM;
				}
				offs = no;
			}
			gpa = sl->gpa + pg * PAGE;
			offs[n++] = data->m.len;
			w64(data, gpa);
			for (uint64_t k = 0; k < run && !data->err; k++) {
				uint8_t page[PAGE];

				if (ppcvirt_vm_read_guest(r->vm, gpa + k * PAGE,
							  page, PAGE))
					data->err = -EFAULT;
				else
					w_bytes(data, page, PAGE);
			}
			pg += run;
		}
	}
	if (data->err) {
		free(offs);
		return data->err;
	}
	*blobs = calloc(n + 1, sizeof(**blobs));
	if (!*blobs) {
		free(offs);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t end = i + 1 < n ? offs[i + 1] : data->m.len;

		(*blobs)[i] = (struct ppcvirt_state_blob){
			.id = PPCVIRT_REPLAY_SEC_RAM,
			.data = data->m.p + offs[i],
			.len = end - offs[i],
		};
	}
	*nblobs = n;
	free(offs);
	return 0;
}

static int save(struct ppcvirt_replay *r, const struct ppcvirt_state_sink *sink)
{
	struct ppcvirt_phb *phbs[PCV_RP_MAX_PHBS];
	struct ppcvirt_state_blob *blobs = NULL;
	struct wbuf eng = {0}, ram = {0};
	uint32_t nphbs = 0, nblobs = 0;
	int ret;

	ret = collect_dirty(r);
	if (ret)
		return ret;
	put_engine(r, &eng);
	ret = eng.err ? eng.err : put_ram(r, &ram, &blobs, &nblobs);
	if (!ret) {
		/* The engine section goes last but is the first blob. */
		struct ppcvirt_state_blob *all =
			realloc(blobs, (nblobs + 1) * sizeof(*blobs));

		if (!all) {
			ret = -ENOMEM;
		} else {
			blobs = all;
			memmove(blobs + 1, blobs, nblobs * sizeof(*blobs));
			blobs[0] = (struct ppcvirt_state_blob){
				.id = PPCVIRT_REPLAY_SEC_ENGINE,
				.data = eng.m.p,
				.len = eng.m.len,
			};
			nblobs++;
		}
	}
	for (size_t i = 0; i < r->nphbs; i++)
		if (r->phbs[i].phb)
			phbs[nphbs++] = r->phbs[i].phb;
	if (!ret) {
		struct ppcvirt_state_objects o = {
			.size = sizeof(o),
			.vm = r->vm,
			.phbs = phbs,
			.nphbs = nphbs,
			.blobs = blobs,
			.nblobs = nblobs,
		};

		r->muted = true;
		ret = ppcvirt_state_save(&o, sink);
		r->muted = false;
	}
	free(blobs);
	free(eng.m.p);
	free(ram.m.p);
	return ret;
}

PPCVIRT_API int ppcvirt_replay_save(struct ppcvirt_replay *r,
				    const struct ppcvirt_state_sink *sink)
{
	if (!r || !sink || !sink->write || !r->stateful || r->err ||
	    r->phase != PCV_RP_RUN || r->resume_line > r->line)
		return -EINVAL;
	return save(r, sink);
}

/* ---- restore ---------------------------------------------------------------
 */

struct engine {
	uint32_t kind, profile;
	uint64_t line, events, next_slot, mem_total, table_budget, ram_need;
	uint64_t hash;
	struct ppcvirt_replay_result res;
	struct pcv_rp_slot slots[PPCVIRT_MAX_MEMSLOTS];
	uint64_t skip_lines[PCV_RP_MAX_SKIPS];
	size_t nskips;
	struct pcv_rp_liobn liobns[PCV_RP_MAX_LIOBNS];
	size_t nliobns;
	struct pcv_rp_phb phbs[PCV_RP_MAX_PHBS];
	bool has_phb[PCV_RP_MAX_PHBS];
	size_t nphbs, nphb_objs;
};

/* Parse and check the engine section; @why gets the reason. */
static const char *get_engine(struct ppcvirt_replay *r, struct rbuf *b,
			      struct engine *e)
{
	uint64_t total = 0;
	uint32_t n;

	if (r32(b) != ENGINE_MAGIC)
		return "not a replay's engine section";
	if (r32(b) != ENGINE_VERSION)
		return "engine section of an unknown version";
	e->kind = r32(b);
	e->profile = r32(b);
	e->line = r64(b);
	e->events = r64(b);
	e->next_slot = r64(b);
	e->mem_total = r64(b);
	e->table_budget = r64(b);
	e->ram_need = r64(b);
	e->hash = r64(b);
	e->res.lines = r64(b);
	e->res.hcalls = r64(b);
	e->res.mismatches = r64(b);
	e->res.gets_checked = r64(b);
	e->res.xlates_checked = r64(b);
	e->res.rtas_checked = r64(b);
	e->res.ignored = r64(b);
	e->res.checkpoints = r64(b);
	e->res.checkpoint_bytes = r64(b);
	if (b->bad)
		return "engine section truncated";
	if (e->kind != (uint32_t)r->cfg.kind)
		return r->cfg.kind == PPCVIRT_REPLAY_TRACE
			       ? "saved from a script, not a trace"
			       : "saved from a trace, not a script";
	if (e->profile != PPCVIRT_PROFILE_QEMU &&
	    e->profile != PPCVIRT_PROFILE_STRICT)
		return "engine section: bad profile";
	if (e->line == 0 || e->res.lines > e->line)
		return "engine section: bad line";
	n = r32(b);
	if (b->bad || n != e->next_slot || n > PPCVIRT_MAX_MEMSLOTS)
		return "engine section: bad slot count";
	for (uint32_t i = 0; i < n; i++) {
		e->slots[i].gpa = r64(b);
		e->slots[i].size = r64(b);
		if (e->slots[i].size > r->limit ||
		    total > r->limit - e->slots[i].size)
			return "guest memory above the limit";
		total += e->slots[i].size;
	}
	if (b->bad || total != e->mem_total)
		return "engine section: slots do not add up";
	n = r32(b);
	if (b->bad || n > PCV_RP_MAX_SKIPS)
		return "engine section: bad skip count";
	e->nskips = n;
	for (uint32_t i = 0; i < n; i++)
		e->skip_lines[i] = r64(b);
	n = r32(b);
	if (b->bad || n > PCV_RP_MAX_LIOBNS)
		return "engine section: bad LIOBN count";
	e->nliobns = n;
	for (uint32_t i = 0; i < n; i++) {
		struct pcv_rp_liobn *l = &e->liobns[i];
		uint32_t f;

		l->liobn = r64(b);
		f = r32(b);
		l->pre_save = f & 1;
		l->ddw = f & 2;
		l->ps_page_shift = r32(b);
		l->ps_bus_offset = r64(b);
		l->ps_entries = r64(b);
		l->last_new_table = r64(b);
		l->page_shift = r32(b);
		(void)r32(b);
		l->bus_offset = r64(b);
		l->entries = r64(b);
		if (f & ~7u)
			return "engine section: bad LIOBN flags";
	}
	n = r32(b);
	if (b->bad || n > PCV_RP_MAX_PHBS)
		return "engine section: bad PHB count";
	e->nphbs = n;
	for (uint32_t i = 0; i < n; i++) {
		struct pcv_rp_phb *p = &e->phbs[i];
		uint32_t f;

		p->buid = r64(b);
		p->query_mask = r32(b);
		f = r32(b);
		p->create_shifts = r64(b);
		if (f & ~3u)
			return "engine section: bad PHB flags";
		e->has_phb[i] = f & 1;
		p->just_reset = f & 2;
		e->nphb_objs += e->has_phb[i];
	}
	if (b->bad)
		return "engine section truncated";
	if (b->p != b->end)
		return "engine section: trailing bytes";
	return NULL;
}

struct found {
	uint64_t engine_off; /* of its payload */
	uint64_t engine_len;
	unsigned nengine;
};

static void on_section(void *opaque, const struct ppcvirt_state_section *s)
{
	struct found *f = opaque;

	if (s->id == PPCVIRT_REPLAY_SEC_ENGINE) {
		f->nengine++;
		f->engine_len = s->length;
		f->engine_off = s->offset + SEC_HDR_LEN;
	}
}

struct load_ctx {
	struct ppcvirt_vm *vm;
	struct pcv_rp_slot *slots;
	uint32_t nslots;
	const char *why;
};

/* Guest pages of a RAM section go into the new VM's memory. */
static int on_blob(void *opaque, uint32_t id, const void *data, uint64_t len)
{
	struct load_ctx *c = opaque;
	struct rbuf b = {data, (const uint8_t *)data + len, false};
	uint64_t gpa, n;

	if (id == PPCVIRT_REPLAY_SEC_ENGINE)
		return 0;
	if (id != PPCVIRT_REPLAY_SEC_RAM) {
		c->why = "a section the replay does not know";
		return -EPROTO;
	}
	gpa = r64(&b);
	n = (uint64_t)(b.end - b.p);
	if (b.bad || !n || n % PAGE || n > RAM_CHUNK || gpa % PAGE) {
		c->why = "malformed guest RAM section";
		return -EBADMSG;
	}
	for (uint32_t i = 0; i < c->nslots; i++) {
		struct pcv_rp_slot *sl = &c->slots[i];

		if (gpa < sl->gpa || gpa - sl->gpa >= sl->size ||
		    n > sl->size - (gpa - sl->gpa))
			continue;
		if (ppcvirt_vm_write_guest(c->vm, gpa, b.p, n))
			break;
		for (uint64_t pg = (gpa - sl->gpa) / PAGE, e = pg + n / PAGE;
		     pg < e; pg++)
			sl->written[pg / 64] |= 1ULL << (pg % 64);
		return 0;
	}
	c->why = "guest RAM section outside the saved guest memory";
	return -ENXIO;
}

/* The hypercall count of the next checkpoint: the next multiple of
 * cfg.checkpoint_every above the count so far. */
static uint64_t next_checkpoint(const struct ppcvirt_replay *r)
{
	uint64_t every = r->cfg.checkpoint_every;

	return every ? (r->res.hcalls / every + 1) * every : 0;
}

/* Build a VM from @buf; on success it replaces the replay's. */
static int restore(struct ppcvirt_replay *r, const void *buf, size_t len,
		   bool resume)
{
	struct ppcvirt_phb *phbs[PCV_RP_MAX_PHBS] = {0};
	struct ppcvirt_state_info info;
	struct found f = {0};
	struct engine *e;
	struct load_ctx c = {0};
	struct ppcvirt_vm *vm = NULL;
	struct ppcvirt_vcpu *vcpu = NULL;
	struct ppcvirt_state_load a;
	uint32_t nphbs = 0;
	const char *why = NULL;
	struct rbuf b;
	int ret;

	ret = ppcvirt_state_verify(buf, len, &info, on_section, &f);
	if (ret)
		return pcv_rp_fail(r, ret, "state: %s", ppcvirt_last_error());
	if (info.pass != 0)
		return pcv_rp_fail(r, -EINVAL,
				   "state: a migration pass, not a replay's "
				   "saved state");
	if (f.nengine != 1)
		return pcv_rp_fail(r, -EINVAL, "state: %s engine section",
				   f.nengine ? "more than one" : "no replay");
	e = calloc(1, sizeof(*e));
	if (!e)
		return pcv_rp_fail(r, -ENOMEM, "out of memory");
	b.p = (const uint8_t *)buf + f.engine_off;
	b.end = b.p + f.engine_len;
	b.bad = false;
	why = get_engine(r, &b, e);
	if (why) {
		free(e);
		return pcv_rp_fail(r, -EINVAL, "state: %s", why);
	}

	ret = ppcvirt_vm_create(&vm);
	if (!ret)
		ret = ppcvirt_vcpu_create(vm, 0, &vcpu);
	for (uint32_t i = 0; i < e->next_slot && !ret; i++) {
		struct pcv_rp_slot *sl = &e->slots[i];

		sl->written = calloc((sl->size / PAGE + 63) / 64 + 1, 8);
		ret = sl->written
			      ? ppcvirt_vm_alloc_memory(vm, i, sl->gpa,
							sl->size, NULL, NULL)
			      : -ENOMEM;
	}
	if (ret) {
		why = "cannot build the VM";
		goto fail;
	}
	c = (struct load_ctx){vm, e->slots, (uint32_t)e->next_slot, NULL};
	a = (struct ppcvirt_state_load){
		.size = sizeof(a),
		.vm = vm,
		.phbs = phbs,
		.phbs_cap = PCV_RP_MAX_PHBS,
		.nphbs = &nphbs,
		.on_blob = on_blob,
		.opaque = &c,
	};
	ret = ppcvirt_state_load(&a, buf, len);
	if (ret) {
		why = c.why ? c.why : ppcvirt_last_error();
		goto fail;
	}
	if (nphbs != e->nphb_objs) {
		ret = -EINVAL;
		why = "PHBs of the stream do not match the engine's";
		goto fail;
	}

	/* Commit: nothing below fails. */
	for (size_t i = 0; i < r->nphbs; i++)
		ppcvirt_phb_destroy(r->phbs[i].phb);
	ppcvirt_vm_destroy(r->vm);
	free_slots(r->slots, PPCVIRT_MAX_MEMSLOTS);
	r->vm = vm;
	r->vcpu = vcpu;
	memcpy(r->slots, e->slots, sizeof(r->slots));
	r->next_slot = (uint32_t)e->next_slot;
	r->mem_total = e->mem_total;
	r->table_budget = e->table_budget;
	r->ram_need = e->ram_need;
	r->profile = (int)e->profile;
	r->res.profile = r->profile;
	memcpy(r->skip_lines, e->skip_lines, sizeof(r->skip_lines));
	r->nskips = e->nskips;
	memcpy(r->liobns, e->liobns, sizeof(r->liobns));
	r->nliobns = e->nliobns;
	r->last_liobn = 0;
	for (size_t i = 0, k = 0; i < e->nphbs; i++) {
		r->phbs[i] = e->phbs[i];
		r->phbs[i].phb = e->has_phb[i] ? phbs[k++] : NULL;
	}
	r->nphbs = e->nphbs;
	/* The counts too, so that a checkpoint proves the stream carries
	 * everything the replay needs to go on. */
	r->events = e->events;
	r->res.lines = e->res.lines;
	r->res.hcalls = e->res.hcalls;
	r->res.mismatches = e->res.mismatches;
	r->res.gets_checked = e->res.gets_checked;
	r->res.xlates_checked = e->res.xlates_checked;
	r->res.rtas_checked = e->res.rtas_checked;
	r->res.ignored = e->res.ignored;
	r->res.checkpoints = e->res.checkpoints;
	r->res.checkpoint_bytes = e->res.checkpoint_bytes;
	if (resume) {
		r->res.resumed_at = e->line;
		r->resume_line = e->line;
		r->resume_hash = e->hash;
		r->next_ckpt = next_checkpoint(r);
	}
	free(e);
	pcv_rp_refresh(r);
	ret = pcv_rp_vm_attach(r);
	if (ret)
		return pcv_rp_fail(r, ret, "restored VM: %s", strerror(-ret));
	return 0;
fail:
	free_slots(e->slots, PPCVIRT_MAX_MEMSLOTS);
	free(e);
	ppcvirt_vm_destroy(vm); /* and the PHBs the load made */
	return pcv_rp_fail(r, ret, "state: %s", why);
}

PPCVIRT_API int ppcvirt_replay_resume(struct ppcvirt_replay *r, const void *buf,
				      size_t len)
{
	if (!r || !buf)
		return -EINVAL;
	if (r->err)
		return r->err;
	if (!r->stateful || r->phase != PCV_RP_RUN || r->line || r->res.lines)
		return -EINVAL;
	return restore(r, buf, len, true);
}

/* ---- the line loop's hooks --------------------------------------------------
 */

static void hash_line(struct ppcvirt_replay *r, const char *p, const char *end)
{
	uint64_t n = (uint64_t)(end - p);

	XXH3_64bits_update(r->hash, &n, sizeof(n));
	XXH3_64bits_update(r->hash, p, (size_t)n);
}

bool pcv_rp_resume_skip(struct ppcvirt_replay *r, const char *p,
			const char *end, int *err)
{
	*err = 0;
	if (!r->stateful)
		return false;
	hash_line(r, p, end);
	if (r->line > r->resume_line)
		return false;
	if (r->line == r->resume_line &&
	    XXH3_64bits_digest(r->hash) != r->resume_hash)
		*err = pcv_rp_fail(r, -EINVAL,
				   "the input differs from the one the state "
				   "was saved from (lines 1..%llu)",
				   (unsigned long long)r->resume_line);
	return true;
}

static int checkpoint(struct ppcvirt_replay *r)
{
	struct pcv_membuf b = {0};
	struct ppcvirt_state_sink sink = {pcv_membuf_write, &b};
	int ret = save(r, &sink);

	if (ret) {
		free(b.p);
		return pcv_rp_fail(r, ret, "checkpoint: cannot save: %s",
				   ppcvirt_last_error());
	}
	ret = restore(r, b.p, b.len, false);
	free(b.p);
	if (!ret) {
		r->res.checkpoints++;
		r->res.checkpoint_bytes += b.len;
	}
	return ret;
}

int pcv_rp_after_line(struct ppcvirt_replay *r)
{
	int ret = 0;

	if (r->cfg.checkpoint_every && r->res.hcalls >= r->next_ckpt) {
		ret = checkpoint(r);
		r->next_ckpt = next_checkpoint(r);
	}
	if (!ret && r->cfg.stop_after && r->line >= r->cfg.stop_after) {
		r->stopped = true;
		r->res.stopped = 1;
	}
	return ret;
}

static int null_write(void *opaque, const void *buf, size_t len)
{
	(void)opaque;
	(void)buf;
	(void)len;
	return 0;
}

void pcv_rp_trace_end(struct ppcvirt_replay *r)
{
	struct ppcvirt_phb *phbs[PCV_RP_MAX_PHBS];
	struct ppcvirt_state_sink sink = {null_write, NULL};
	struct ppcvirt_state_objects o = {
		.size = sizeof(o),
		.vm = r->vm,
		.phbs = phbs,
	};

	if (!r->cfg.trace || r->cfg.host || r->phase != PCV_RP_RUN)
		return;
	for (size_t i = 0; i < r->nphbs; i++)
		if (r->phbs[i].phb)
			phbs[o.nphbs++] = r->phbs[i].phb;
	(void)ppcvirt_state_save(&o, &sink);
}

int pcv_rp_state_finish(struct ppcvirt_replay *r)
{
	if (!r->stateful || r->phase != PCV_RP_RUN)
		return 0;
	if (r->resume_line > r->line)
		return pcv_rp_fail(r, -EINVAL,
				   "the input ended at line %llu, before line "
				   "%llu where the state was saved",
				   (unsigned long long)r->line,
				   (unsigned long long)r->resume_line);
	if (r->cfg.stop_after && !r->stopped)
		return pcv_rp_fail(r, -EINVAL,
				   "the input ended at line %llu, before line "
				   "%llu to stop after",
				   (unsigned long long)r->line,
				   (unsigned long long)r->cfg.stop_after);
	return 0;
}
