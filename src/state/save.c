/* SPDX-License-Identifier: MIT */
/*
 * Saving state: checkpoints (ppcvirt_state_save()) and the passes of a
 * live migration, one writer for both (docs/migration.md has the format).
 *
 * Tables are written sparsely. A full table is its geometry (TABLE) then
 * RUNS sections of non-zero entries: the walk jumps from one backed table
 * page to the next (SEEK_DATA on a memfd), so its cost follows the pages
 * in use, not the window. A migration pass after the first sends, for a
 * table it sent before, only the entries marked in the table's dirty log
 * (TABLE_DIFF then RUNS, zeros included: a cleared entry must reach the
 * destination too): one bit per entry, because with 1% of the entries
 * rewritten at random between passes nearly every table page would be
 * dirty at page granularity, and the stop-and-copy would resend the
 * window.
 *
 * Consistency of a pass while vCPUs run: tracking starts, then a grace
 * period passes (every hypercall that could have missed the tracking flag
 * has finished) before the first pass reads anything. A writer stores an
 * entry before it sets the entry's dirty bit; a pass clears a bit before
 * it reads the entry. So a write that races with a pass is either read by
 * it or left marked for the next one, and the stop-and-copy pass, run
 * with the guest stopped, leaves nothing behind.
 */
#define _GNU_SOURCE /* SEEK_DATA, fallocate, getrandom */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "booke/booke.h"
#include "core/trace.h"
#include "core/vm.h"
#include "ddw/phb.h"
#include "iommu/link.h"
#include "state/state.h"
#include "state/stream.h"
#include "tce/table.h"

/* Bytes of one run: {u64 first, u32 count, u32 reserved} + count u64. */
#define RUN_HDR 16

/* Wraps the embedder's sink: it is a callback, so it may not call back
 * into the control plane (docs/threading.md). */
struct guarded_sink {
	struct ppcvirt_state_sink inner;
	struct ppcvirt_state_sink outer;
};

static int guarded_write(void *opaque, const void *buf, size_t len)
{
	const struct ppcvirt_state_sink *in = opaque;
	int ret;

	pcv_cb_enter();
	ret = in->write(in->opaque, buf, len);
	pcv_cb_exit();
	return ret;
}

/* ---- small sections ------------------------------------------------------ */

static void sec_vm(struct pcv_writer *w, struct ppcvirt_vm *vm,
		   uint32_t ntables, uint32_t nphbs, uint32_t ntlbs)
{
	pcv_sec_begin(w, PPCVIRT_STATE_SEC_VM, 1);
	pcv_w32(w, atomic_load(&vm->profile));
	pcv_w32(w, atomic_load(&vm->hcall_enabled));
	pcv_w32(w, atomic_load(&vm->tiers));
	pcv_w32(w, (uint32_t)vm->be->id);
	pcv_w32(w, ntables);
	pcv_w32(w, nphbs);
	pcv_w32(w, ntlbs);
	pcv_w32(w, 0);
	pcv_sec_end(w);
}

/* The source's guest memory layout, which the destination must cover. */
static void sec_memory(struct pcv_writer *w, struct ppcvirt_vm *vm)
{
	const struct pcv_memslots *ms =
		atomic_load_explicit(&vm->slots, memory_order_acquire);
	size_t n = ms ? ms->n : 0;

	pcv_sec_begin(w, PPCVIRT_STATE_SEC_MEMORY, 1);
	pcv_w32(w, (uint32_t)n);
	pcv_w32(w, 0);
	for (size_t i = 0; i < n; i++) {
		pcv_w64(w, ms->s[i].gpa);
		pcv_w64(w, ms->s[i].size);
	}
	pcv_sec_end(w);
}

static void sec_regions(struct pcv_writer *w, struct ppcvirt_vm *vm)
{
	const struct pcv_regions *rs =
		atomic_load_explicit(&vm->regions, memory_order_acquire);
	size_t n = rs ? rs->n : 0;

	pcv_sec_begin(w, PPCVIRT_STATE_SEC_REGIONS, 1);
	pcv_w32(w, (uint32_t)n);
	pcv_w32(w, 0);
	for (size_t i = 0; i < n; i++) {
		pcv_w64(w, rs->r[i].gpa);
		pcv_w64(w, rs->r[i].size);
	}
	pcv_sec_end(w);
}

static void sec_phb(struct pcv_writer *w, const struct ppcvirt_phb *phb)
{
	const struct ppcvirt_phb_config *c = &phb->cfg;

	pcv_sec_begin(w, PPCVIRT_STATE_SEC_PHB, 1);
	pcv_w64(w, c->buid);
	pcv_w32(w, c->index);
	pcv_w32(w, c->windows_supported);
	pcv_w64(w, c->page_shift_mask);
	pcv_w64(w, c->dma_win_addr);
	pcv_w64(w, c->dma_win_size);
	pcv_w64(w, c->dma64_win_addr);
	for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++) {
		pcv_w32(w, phb->win[i].enabled);
		pcv_w32(w, phb->def_win[i]);
		pcv_w32(w, phb->win[i].page_shift);
		pcv_w32(w, 0);
		pcv_w64(w, phb->win[i].bus_offset);
		pcv_w64(w, phb->win[i].entries);
	}
	pcv_sec_end(w);
}

static void sec_tlb(struct pcv_writer *w, const struct ppcvirt_tlb *tlb)
{
	uint8_t *p;

	pcv_sec_begin(w, PPCVIRT_STATE_SEC_TLB, 1);
	p = pcv_wspace(w, pcv_tlb_state_size(tlb));
	if (p)
		pcv_tlb_state_encode(tlb, p);
	pcv_sec_end(w);
}

/* ---- tables -------------------------------------------------------------- */

/* Builds RUNS sections for one table, opening a new one when full. */
struct runs {
	struct pcv_writer *w;
	uint64_t liobn;
	uint8_t *nruns_at; /* the open section's run count */
	uint32_t nruns;
	uint8_t *count_at; /* the open run's count */
	uint64_t next;	   /* the entry that would extend the open run */
	uint32_t count;
	uint64_t entries;
};

static void runs_close_run(struct runs *r)
{
	if (r->count_at) {
		pcv_put32(r->count_at, r->count);
		r->count_at = NULL;
	}
}

static void runs_close(struct runs *r)
{
	runs_close_run(r);
	if (r->nruns_at) {
		pcv_put32(r->nruns_at, r->nruns);
		pcv_sec_end(r->w);
		r->nruns_at = NULL;
	}
}

static void runs_add(struct runs *r, uint64_t idx, uint64_t val)
{
	struct pcv_writer *w = r->w;

	if (r->count_at && idx == r->next && pcv_sec_room(w) >= 8 &&
	    r->count < UINT32_MAX) {
		pcv_w64(w, val);
		r->count++;
		r->next++;
		r->entries++;
		return;
	}
	runs_close_run(r);
	if (r->nruns_at && pcv_sec_room(w) < RUN_HDR + 8)
		runs_close(r);
	if (!r->nruns_at) {
		pcv_sec_begin(w, PCV_SEC_RUNS, 1);
		pcv_w64(w, r->liobn);
		r->nruns_at = pcv_wspace(w, 4);
		pcv_w32(w, 0);
		r->nruns = 0;
	}
	pcv_w64(w, idx);
	r->count_at = pcv_wspace(w, 4);
	pcv_w32(w, 0);
	pcv_w64(w, val);
	r->count = 1;
	r->next = idx + 1;
	r->nruns++;
	r->entries++;
}

static void sec_table_hdr(struct pcv_writer *w, const struct pcv_table *t)
{
	pcv_sec_begin(w, PPCVIRT_STATE_SEC_TABLE, 1);
	pcv_w64(w, t->liobn);
	pcv_w32(w, t->page_shift);
	pcv_w32(w, t->flags & PPCVIRT_TCE_VMM_ONLY);
	pcv_w64(w, t->offset);
	pcv_w64(w, t->size);
	pcv_sec_end(w);
}

/* TABLE + RUNS of every non-zero entry. Returns the entries written. */
static uint64_t table_full(struct pcv_writer *w, struct pcv_table *t)
{
	const uint64_t per_page = 1ull << t->tpage_shift;
	struct runs r = {.w = w, .liobn = t->liobn};
	uint64_t pages = (t->size + per_page - 1) >> t->tpage_shift;

	sec_table_hdr(w, t);
	for (uint64_t p = 0; p < pages && !w->err; p++) {
		uint64_t end;

		/* A page the table knows to be backed is read at once; for
		 * any other the store says where the next backed one is, so
		 * a dense table costs no system call and a sparse one a call
		 * per run of holes. */
		if (!pcv_tpage_known(t, p)) {
			p = t->store->next_data(t, p);
			if (p >= pages)
				break;
			pcv_tpage_mark(t, p);
		}
		end = (p + 1) * per_page;
		if (end > t->size)
			end = t->size;
		for (uint64_t i = p * per_page; i < end; i++) {
			uint64_t v = atomic_load_explicit(&t->entries[i],
							  memory_order_acquire);

			if (v)
				runs_add(&r, i, v);
		}
	}
	runs_close(&r);
	return r.entries;
}

/*
 * The next extent of @t's dirty log that may hold marks: words [*from,
 * *to), *from >= @i. False when there is none. The log's holes are pages
 * never marked since the migration started: they are skipped without
 * being read, which would allocate them.
 */
static bool log_extent(const struct pcv_table *t, uint64_t i, uint64_t words,
		       uint64_t *from, uint64_t *to)
{
	off_t data = lseek(t->dirty_fd, (off_t)(i * 8), SEEK_DATA), hole;

	if (data < 0 && errno == ENXIO)
		return false;
	if (data < 0) {
		/* Cannot tell: read the rest, holes included. */
		*from = i;
		*to = words;
		return true;
	}
	hole = lseek(t->dirty_fd, data, SEEK_HOLE);
	*from = (uint64_t)data / 8;
	*to = hole < 0 ? words : ((uint64_t)hole + 7) / 8;
	if (*to > words)
		*to = words;
	return *from < *to;
}

/* Log words whose marks a diff clears before it reads their entries. */
#define DIFF_BLOCK 64

/* TABLE_DIFF + RUNS of every entry marked in the dirty log, clearing the
 * marks. Returns the entries written. */
static uint64_t table_diff(struct pcv_writer *w, struct pcv_table *t)
{
	struct runs r = {.w = w, .liobn = t->liobn};
	_Atomic uint64_t *d = t->dirty;
	uint64_t words = (t->size + 63) / 64, to = 0;

	pcv_sec_begin(w, PPCVIRT_STATE_SEC_TABLE_DIFF, 1);
	pcv_w64(w, t->liobn);
	pcv_sec_end(w);
	for (uint64_t i = 0; d && i < words && !w->err;) {
		uint64_t bits[DIFF_BLOCK], n;

		if (i >= to && !log_extent(t, i, words, &i, &to))
			break;
		n = to - i < DIFF_BLOCK ? to - i : DIFF_BLOCK;
		/* The block's marks are taken first, then the entries read.
		 * Taking one word between reads would pay each entry's cache
		 * miss alone: the loads after an acquire exchange wait for
		 * it, and on x86 the exchange (a locked instruction) waits
		 * for the loads before it. Prefetches are held back by
		 * neither, so the misses of a block overlap. */
		for (uint64_t k = 0; k < n; k++) {
			bits[k] = atomic_load_explicit(&d[i + k],
						       memory_order_relaxed);
			if (!bits[k])
				continue;
			bits[k] = atomic_exchange_explicit(
				&d[i + k], 0, memory_order_acquire);
			for (uint64_t b = bits[k]; b; b &= b - 1) {
				uint64_t idx = (i + k) * 64 +
					       (uint64_t)__builtin_ctzll(b);

				if (idx < t->size)
					__builtin_prefetch(&t->entries[idx]);
			}
		}
		for (uint64_t k = 0; k < n; k++) {
			for (uint64_t b = bits[k]; b; b &= b - 1) {
				uint64_t idx = (i + k) * 64 +
					       (uint64_t)__builtin_ctzll(b);
				uint64_t v;

				if (idx >= t->size)
					break;
				pcv_entry_load(t, idx, false, &v);
				runs_add(&r, idx, v);
			}
		}
		i += n;
	}
	runs_close(&r);
	return r.entries;
}

/* Entries still marked (what the next pass would send). */
static uint64_t dirty_count(const struct pcv_table *t)
{
	_Atomic uint64_t *d = t->dirty;
	uint64_t words = (t->size + 63) / 64, n = 0, to = 0;

	for (uint64_t i = 0; d && i < words; i++) {
		uint64_t v;

		if (i >= to && !log_extent(t, i, words, &i, &to))
			break;
		v = atomic_load_explicit(&d[i], memory_order_relaxed);
		if (v)
			n += (uint64_t)__builtin_popcountll(v);
	}
	return n;
}

/* ---- the object list ------------------------------------------------------
 */

static int objs_check(const struct ppcvirt_state_objects *o)
{
	if (!o || o->size < sizeof(*o) || o->flags || o->reserved ||
	    (o->nphbs && (!o->phbs || !o->vm)) || (o->ntlbs && !o->tlbs) ||
	    (o->nblobs && !o->blobs))
		return -EINVAL;
	for (uint32_t i = 0; i < o->nphbs; i++)
		if (!o->phbs[i] || o->phbs[i]->vm != o->vm)
			return -EINVAL;
	for (uint32_t i = 0; i < o->ntlbs; i++)
		if (!o->tlbs[i])
			return -EINVAL;
	for (uint32_t i = 0; i < o->nblobs; i++)
		if (o->blobs[i].id < PPCVIRT_STATE_USER_FIRST ||
		    o->blobs[i].id > PPCVIRT_STATE_USER_LAST ||
		    o->blobs[i].reserved ||
		    (o->blobs[i].len && !o->blobs[i].data) ||
		    o->blobs[i].len > PCV_SEC_MAX)
			return -EINVAL;
	return 0;
}

static void sec_blobs(struct pcv_writer *w,
		      const struct ppcvirt_state_objects *o)
{
	for (uint32_t i = 0; i < o->nblobs && !w->err; i++) {
		const struct ppcvirt_state_blob *b = &o->blobs[i];

		uint8_t *p;

		pcv_sec_begin(w, (uint16_t)b->id, 1);
		p = b->len ? pcv_wspace(w, b->len) : NULL;
		if (p)
			memcpy(p, b->data, b->len);
		pcv_sec_end(w);
	}
}

/* The tables of @vm (vm->lock held: the set cannot change). */
static const struct pcv_tableset *tables_of(struct ppcvirt_vm *vm)
{
	return atomic_load_explicit(&vm->tables, memory_order_acquire);
}

PPCVIRT_API int ppcvirt_state_save(const struct ppcvirt_state_objects *o,
				   const struct ppcvirt_state_sink *sink)
{
	struct guarded_sink gs;
	struct pcv_writer w;
	const struct pcv_tableset *ts = NULL;
	int ret = objs_check(o);

	if (ret)
		return ret;
	if (!sink || !sink->write)
		return -EINVAL;
	if (o->vm) {
		ret = pcv_ctl_lock(&o->vm->lock);
		if (ret)
			return ret;
		ts = tables_of(o->vm);
	}
	gs.inner = *sink;
	gs.outer = (struct ppcvirt_state_sink){guarded_write, &gs.inner};
	ret = pcv_writer_init(&w, &gs.outer, 0, 0, 0);
	if (ret == 0 && o->vm) {
		pcv_rcu_lock();
		sec_vm(&w, o->vm, ts ? (uint32_t)ts->n : 0, o->nphbs, o->ntlbs);
		sec_memory(&w, o->vm);
		sec_regions(&w, o->vm);
		pcv_rcu_unlock();
		for (size_t i = 0; ts && i < ts->n; i++) {
			pcv_trace_pre_save(o->vm, ts->t[i]);
			table_full(&w, ts->t[i]);
		}
	}
	for (uint32_t i = 0; i < o->nphbs && ret == 0; i++) {
		const struct ppcvirt_phb *phb = o->phbs[i];

		/* QEMU keeps a table object per window, and saves (and
		 * traces) the disabled ones too: 0 entries, offset 0. */
		for (unsigned n = 0; n < phb->cfg.windows_supported; n++)
			if (o->vm && !phb->win[n].enabled)
				pcv_trace_emit(
					o->vm, PPCVIRT_TRACE_PRE_SAVE,
					PPCVIRT_PHB_LIOBN(phb->cfg.index, n), 0,
					0, 0, 0, 0);
		sec_phb(&w, phb);
	}
	for (uint32_t i = 0; i < o->ntlbs && ret == 0; i++)
		sec_tlb(&w, o->tlbs[i]);
	if (ret == 0) {
		sec_blobs(&w, o);
		ret = pcv_writer_finish(&w);
	}
	pcv_writer_free(&w);
	if (o->vm)
		pcv_ctl_unlock(&o->vm->lock);
	return ret;
}

/* ---- live migration --------------------------------------------------------
 */

struct sent {
	uint64_t liobn, serial;
	/* A pass failed after taking this table's dirty marks: the
	 * destination never got them, so the next pass sends the table
	 * again whole (TABLE_GONE, then TABLE). */
	bool resend;
};

struct ppcvirt_migration {
	struct ppcvirt_vm *vm;
	struct ppcvirt_state_objects objs;
	struct ppcvirt_phb **phbs;
	struct ppcvirt_tlb **tlbs;
	struct ppcvirt_state_blob *blobs;
	uint64_t id;
	uint32_t pass;
	struct sent *sent; /* tables as of the last pass */
	size_t nsent;
};

/* Forget every mark of @t and start (or stop) marking. vm->lock held. */
static int track(struct pcv_table *t, bool on)
{
	if (on) {
		int ret = pcv_dirty_init(t);

		if (ret)
			return ret;
		/* Marks made before the migration mean nothing: the first
		 * pass reads everything. Punching the log frees its pages
		 * (other processes' mappings read zeros after it). */
		if (fallocate(t->dirty_fd,
			      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			      (off_t)t->dirty_bytes) != 0)
			memset((void *)(uintptr_t)t->dirty, 0, t->dirty_bytes);
	}
	atomic_store_explicit(&t->track, on, memory_order_release);
	return 0;
}

int pcv_migration_track_new(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	return vm->migration ? track(t, true) : 0;
}

static uint64_t new_id(void)
{
	uint64_t id = 0;
	struct timespec ts;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		id = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
		     (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 32);
	}
	return id ? id : 1;
}

static void migration_free(struct ppcvirt_migration *m)
{
	free(m->phbs);
	free(m->tlbs);
	free(m->blobs);
	free(m->sent);
	free(m);
}

PPCVIRT_API int ppcvirt_migration_start(const struct ppcvirt_state_objects *o,
					struct ppcvirt_migration **out)
{
	struct ppcvirt_migration *m;
	const struct pcv_tableset *ts;
	int ret = objs_check(o);

	if (ret)
		return ret;
	if (!o->vm || !out)
		return -EINVAL;
	/* The kernel completes hypercalls in its own table copy, unseen:
	 * their writes cannot be tracked between passes. A KVM VM is
	 * checkpointed with its vCPUs stopped (ppcvirt_state_save()). */
	if (o->vm->be->id == PPCVIRT_BACKEND_KVM) {
		pcv_set_error("live migration needs the engine back end: the "
			      "kernel's in-kernel TCE writes are not tracked; "
			      "stop the vCPUs and use ppcvirt_state_save()");
		return -EOPNOTSUPP;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	/* Copies of the caller's arrays: they may go out of scope. */
	m->phbs = calloc(o->nphbs + 1, sizeof(*m->phbs));
	m->tlbs = calloc(o->ntlbs + 1, sizeof(*m->tlbs));
	m->blobs = calloc(o->nblobs + 1, sizeof(*m->blobs));
	if (!m->phbs || !m->tlbs || !m->blobs) {
		migration_free(m);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < o->nphbs; i++)
		m->phbs[i] = o->phbs[i];
	for (uint32_t i = 0; i < o->ntlbs; i++)
		m->tlbs[i] = o->tlbs[i];
	for (uint32_t i = 0; i < o->nblobs; i++)
		m->blobs[i] = o->blobs[i];
	m->objs = *o;
	m->objs.phbs = m->phbs;
	m->objs.tlbs = m->tlbs;
	m->objs.blobs = m->blobs;
	m->vm = o->vm;
	m->id = new_id();
	ret = pcv_ctl_lock(&m->vm->lock);
	if (ret) {
		migration_free(m);
		return ret;
	}
	if (m->vm->migration) {
		pcv_ctl_unlock(&m->vm->lock);
		migration_free(m);
		return -EBUSY;
	}
	ts = tables_of(m->vm);
	for (size_t i = 0; ts && i < ts->n && ret == 0; i++)
		ret = track(ts->t[i], true);
	if (ret) {
		for (size_t i = 0; ts && i < ts->n; i++)
			track(ts->t[i], false);
		pcv_ctl_unlock(&m->vm->lock);
		migration_free(m);
		return ret;
	}
	m->vm->migration = m;
	/* Every hypercall that read a tracking flag as 0 has finished. */
	pcv_rcu_synchronize();
	pcv_ctl_unlock(&m->vm->lock);
	*out = m;
	return 0;
}

static const struct sent *was_sent(const struct ppcvirt_migration *m,
				   const struct pcv_table *t)
{
	for (size_t i = 0; i < m->nsent; i++)
		if (m->sent[i].serial == t->serial)
			return &m->sent[i];
	return NULL;
}

static int do_pass(struct ppcvirt_migration *m,
		   const struct ppcvirt_state_sink *sink,
		   struct ppcvirt_migration_pass *st, bool last)
{
	struct ppcvirt_migration_pass s = {.pass = m->pass + 1};
	struct guarded_sink gs;
	const struct pcv_tableset *ts;
	struct pcv_writer w;
	struct sent *nsent;
	int ret;

	if (!sink || !sink->write)
		return -EINVAL;
	ret = pcv_ctl_lock(&m->vm->lock);
	if (ret)
		return ret;
	ts = tables_of(m->vm);
	nsent = calloc((ts ? ts->n : 0) + 1, sizeof(*nsent));
	if (!nsent) {
		pcv_ctl_unlock(&m->vm->lock);
		return -ENOMEM;
	}
	gs.inner = *sink;
	gs.outer = (struct ppcvirt_state_sink){guarded_write, &gs.inner};
	ret = pcv_writer_init(&w, &gs.outer, s.pass > 1 ? PCV_STATE_DELTA : 0,
			      m->id, s.pass);
	if (ret == 0) {
		pcv_rcu_lock();
		sec_vm(&w, m->vm, ts ? (uint32_t)ts->n : 0, m->objs.nphbs,
		       last ? m->objs.ntlbs : 0);
		sec_memory(&w, m->vm);
		sec_regions(&w, m->vm);
		pcv_rcu_unlock();
		for (size_t i = 0; i < m->nsent; i++) {
			bool alive = false;

			for (size_t k = 0; ts && k < ts->n && !alive; k++)
				alive = ts->t[k]->serial == m->sent[i].serial;
			if (alive && !(s.pass > 1 && m->sent[i].resend))
				continue;
			pcv_sec_begin(&w, PPCVIRT_STATE_SEC_TABLE_GONE, 1);
			pcv_w64(&w, m->sent[i].liobn);
			pcv_sec_end(&w);
		}
		for (size_t i = 0; ts && i < ts->n; i++) {
			struct pcv_table *t = ts->t[i];
			const struct sent *was =
				s.pass > 1 ? was_sent(m, t) : NULL;

			s.entries += was && !was->resend ? table_diff(&w, t)
							 : table_full(&w, t);
			nsent[i] = (struct sent){t->liobn, t->serial, false};
			s.tables++;
		}
		for (uint32_t i = 0; i < m->objs.nphbs; i++)
			sec_phb(&w, m->phbs[i]);
		/* TLBs are per-vCPU state only the stopped vCPU may read:
		 * they travel in the stop-and-copy pass. */
		for (uint32_t i = 0; last && i < m->objs.ntlbs; i++)
			sec_tlb(&w, m->tlbs[i]);
		sec_blobs(&w, &m->objs);
		ret = pcv_writer_finish(&w);
		s.bytes = w.bytes;
	}
	pcv_writer_free(&w);
	if (ret == 0) {
		free(m->sent);
		m->sent = nsent;
		m->nsent = ts ? ts->n : 0;
		m->pass = s.pass;
		for (size_t i = 0; ts && i < ts->n; i++)
			s.dirty_left += dirty_count(ts->t[i]);
	} else {
		free(nsent);
		for (size_t i = 0; i < m->nsent; i++)
			m->sent[i].resend = true;
	}
	pcv_ctl_unlock(&m->vm->lock);
	if (st)
		*st = s;
	return ret;
}

PPCVIRT_API int ppcvirt_migration_pass(struct ppcvirt_migration *m,
				       const struct ppcvirt_state_sink *sink,
				       struct ppcvirt_migration_pass *st)
{
	if (!m)
		return -EINVAL;
	return do_pass(m, sink, st, false);
}

static void migration_end(struct ppcvirt_migration *m)
{
	const struct pcv_tableset *ts;

	if (pcv_ctl_lock(&m->vm->lock) == 0) {
		ts = tables_of(m->vm);
		for (size_t i = 0; ts && i < ts->n; i++)
			track(ts->t[i], false);
		m->vm->migration = NULL;
		pcv_ctl_unlock(&m->vm->lock);
	}
	migration_free(m);
}

PPCVIRT_API int ppcvirt_migration_finish(struct ppcvirt_migration *m,
					 const struct ppcvirt_state_sink *sink,
					 struct ppcvirt_migration_pass *st)
{
	int ret;

	if (!m)
		return -EINVAL;
	ret = do_pass(m, sink, st, true);
	migration_end(m);
	return ret;
}

PPCVIRT_API void ppcvirt_migration_cancel(struct ppcvirt_migration *m)
{
	if (m)
		migration_end(m);
}

PPCVIRT_API int ppcvirt_vm_tce_dirty_fd(struct ppcvirt_vm *vm, uint64_t liobn)
{
	struct pcv_table *t;
	int ret;

	if (!vm)
		return -EINVAL;
	ret = pcv_ctl_lock(&vm->lock);
	if (ret)
		return ret;
	t = pcv_table_find(tables_of(vm), liobn);
	if (!t)
		ret = -ENOENT;
	else
		ret = pcv_dirty_init(t);
	if (ret == 0) {
		ret = fcntl(t->dirty_fd, F_DUPFD_CLOEXEC, 0);
		if (ret < 0)
			ret = -errno;
	}
	pcv_ctl_unlock(&vm->lock);
	return ret;
}
