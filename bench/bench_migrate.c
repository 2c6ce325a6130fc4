/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt bench migrate`: what checkpoint and live migration of the TCE
 * tables cost (include/ppcvirt/state.h), against a QEMU-style copy of
 * whole tables measured in the same run.
 *
 * The VM: a 64-bit DDW of 2^24 entries of 64 KiB pages (a 1 TiB window,
 * 128 MiB of table) mapping all of a 1 TiB guest RAM one to one, as
 * Linux's DDW direct mapping does, plus the 1 GiB default window (2^18
 * entries of 4 KiB) mapping the first GiB, every entry valid, filled with
 * H_PUT_TCE_INDIRECT. The profile is strict, so every TCE must name guest
 * memory: the RAM is a sparse memfd (ppcvirt_vm_alloc_memory), 1 TiB of
 * address space of which only the hypercall list page is ever touched.
 *
 * Each round migrates it live onto a fresh destination VM: start, a first
 * (full) pass, then twice "the guest rewrites 1% of the entries of each
 * table at random with H_PUT_TCE (one in 16 unmaps), another pass", then a
 * last 1% rewrite and the stop-and-copy (ppcvirt_migration_finish). The
 * destination loads every pass; at the end its tables must equal the
 * source's entry by entry, or the run stops with no figures.
 *
 *   downtime: ppcvirt_migration_finish on the source plus loading its
 *   stream on the destination;
 *   QEMU-style: what QEMU's spapr_iommu vmstate does at stop-and-copy for
 *   every table: liobn (u32), bus_offset (u64), page_shift (u32), nb_table
 *   (u32), then every entry as a big-endian u64, into a buffer, parsed
 *   back by byte-swapping into the mmap of the destination's table (its
 *   post_load copy). A lower bound of QEMU's cost: one tight loop, where
 *   QEMU moves each entry through QEMUFile calls, and the buffer and the
 *   destination table already faulted in.
 *
 * Then: a checkpoint of one fresh VM with a 2^40-byte window and one with
 * a 2^50-byte window holding the same 1000 entries (save time and bytes),
 * and the load of the full stream of the source VM into fresh VMs against
 * memcpy of 128 MiB between two buffers already touched, and, for scale,
 * into a fresh memfd mapping (memory new to the process, as a loaded
 * table's is: on hosts where a first touch is dear, that bounds the load).
 *
 * Each timed figure is the best of the rounds (a shared machine is noisy;
 * the best is the run least disturbed), all from the same run.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>

#include "membuf.h"
#include "bench.h"

#define CMD    "ppcvirt bench migrate"
#define RW     (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define LIST   0x10000ull /* gpa of the H_PUT_TCE_INDIRECT list page */
#define PASSES 4	  /* 3 live passes and the stop-and-copy */

/* QEMU's spapr_iommu fields before the entries: u32 liobn, u64
 * bus_offset, u32 page_shift, u32 nb_table. */
#define QEMU_HDR 20

/*
 * Sparse checkpoints: the same 1000 entries in a 2^40-byte and a 2^50-byte
 * window. With 4 KiB pages the 2^50 window would be 2^38 entries, 2 TiB of
 * table, above PPCVIRT_TCE_TABLE_MAX_BYTES (1 TiB): both windows use 8 KiB
 * pages, the smallest page size at which the 2^50 window is creatable
 * (2^37 entries, exactly 1 TiB of table), so the walk has the most empty
 * table to skip. Larger pages would only shrink both tables.
 */
#define SPARSE_SHIFT   13
#define SPARSE_ENTRIES 1000
#define SPARSE_RAM     (64ull << 20)

/* The targets the figures are judged against (the verdict lines). */
#define TARGET_DOWNTIME_RATIO 0.02 /* ppcvirt / QEMU-style */
#define TARGET_BYTES_RATIO    1.5  /* all passes / one full copy */
#define TARGET_SPARSE_RATIO   2.0  /* 2^50 / 2^40 save, either way */
#define TARGET_LOAD_FRACTION  0.5  /* load MB/s / memcpy MB/s */

struct tab {
	const char *name;
	uint64_t liobn;
	uint32_t shift;
	uint64_t offset, size; /* in IOMMU pages */
};

/* [0] the default window, [1] the DDW (creation, hence stream, order). */
struct work {
	bool quick;
	int rounds;
	struct tab t[2];
	uint64_t ram;
	uint64_t rng;
};

/* A state sink into memory; the buffer is kept (and already touched)
 * from one stream to the next. */
static int membuf_init(struct pcv_membuf *b, size_t cap)
{
	b->len = 0;
	b->cap = cap;
	b->p = malloc(cap);
	if (!b->p)
		return -ENOMEM;
	memset(b->p, 0, cap);
	return 0;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* The first error of the run, for the JSON document. */
static char errmsg[512];

/* Report an error (stderr, and errmsg when it is the first). */
static int report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int report(const char *fmt, ...)
{
	char msg[sizeof(errmsg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!errmsg[0])
		snprintf(errmsg, sizeof(errmsg), "%s", msg);
	cli_error(CMD, 0, "%s", msg);
	return -EIO;
}

/* Report a failed library call with the library's own explanation. */
static int fail(int ret, const char *what)
{
	const char *why = ppcvirt_last_error();

	report("%s: %s%s%s", what, strerror(ret < 0 ? -ret : ret),
	       *why ? ": " : "", why);
	return ret < 0 ? ret : -EIO;
}

/* ---- VMs -------------------------------------------------------------- */

struct src {
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *vcpu;
	uint8_t *ram;
};

static int vm_with_ram(uint64_t ram, struct ppcvirt_vm **vmp, void **hva)
{
	int ret = ppcvirt_vm_create(vmp);

	if (ret)
		return fail(ret, "ppcvirt_vm_create");
	ret = ppcvirt_vm_alloc_memory(*vmp, 0, 0, ram, hva, NULL);
	if (ret) {
		ppcvirt_vm_destroy(*vmp);
		*vmp = NULL;
		return fail(ret, "ppcvirt_vm_alloc_memory (sparse RAM)");
	}
	return 0;
}

static int create_tables(struct ppcvirt_vm *vm, const struct tab *t, int n)
{
	for (int i = 0; i < n; i++) {
		struct ppcvirt_create_spapr_tce_64 a = {
			.liobn = t[i].liobn,
			.page_shift = t[i].shift,
			.offset = t[i].offset,
			.size = t[i].size,
		};
		int ret = ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL);

		if (ret)
			return fail(ret, "ppcvirt_vm_create_spapr_tce_64");
	}
	return 0;
}

static long hcall(struct src *s, uint64_t nr, uint64_t a0, uint64_t a1,
		  uint64_t a2, uint64_t a3)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};

	if (ppcvirt_vcpu_hcall(s->vcpu, &hc) != PPCVIRT_HCALL_DONE)
		return PPCVIRT_H_TOO_HARD;
	return (long)hc.ret;
}

/* Map every entry of @t, entry i to guest page i, 512 per hypercall. */
static int populate(struct src *s, const struct tab *t)
{
	uint64_t *list = (uint64_t *)(void *)(s->ram + LIST);

	for (uint64_t i = 0; i < t->size; i += PPCVIRT_TCE_LIST_MAX) {
		uint64_t n = t->size - i < PPCVIRT_TCE_LIST_MAX
				     ? t->size - i
				     : PPCVIRT_TCE_LIST_MAX;
		long r;

		for (uint64_t j = 0; j < n; j++)
			list[j] = htobe64((i + j) << t->shift | RW);
		r = hcall(s, PPCVIRT_H_PUT_TCE_INDIRECT, t->liobn,
			  (t->offset + i) << t->shift, LIST, n);
		if (r != PPCVIRT_H_SUCCESS) {
			report("H_PUT_TCE_INDIRECT on %s entry %llu: %s",
			       t->name, (unsigned long long)i,
			       ppcvirt_hret_name(r));
			return -EIO;
		}
	}
	return 0;
}

static int src_create(struct work *w, struct src *s)
{
	static const uint64_t multi[] = {PPCVIRT_H_STUFF_TCE,
					 PPCVIRT_H_PUT_TCE_INDIRECT};
	int ret = vm_with_ram(w->ram, &s->vm, (void **)&s->ram);

	if (ret)
		return ret;
	for (int i = 0; i < 2; i++) {
		struct ppcvirt_enable_cap cap = {
			.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
			.args = {multi[i], 1}};

		if ((ret = ppcvirt_vm_enable_cap(s->vm, &cap)))
			return fail(ret, "ppcvirt_vm_enable_cap");
	}
	if ((ret = create_tables(s->vm, w->t, 2)))
		return ret;
	if ((ret = ppcvirt_vcpu_create(s->vm, 0, &s->vcpu)))
		return fail(ret, "ppcvirt_vcpu_create");
	for (int i = 0; i < 2; i++)
		if ((ret = populate(s, &w->t[i])))
			return ret;
	return 0;
}

/* The guest between passes: 1% of the entries of each table rewritten at
 * random by H_PUT_TCE, to another valid page or (one in 16) unmapped. */
static int rewrite(struct work *w, struct src *s)
{
	for (int k = 0; k < 2; k++) {
		const struct tab *t = &w->t[k];

		for (uint64_t n = 0; n < t->size / 100; n++) {
			uint64_t idx = splitmix(&w->rng) % t->size;
			uint64_t v = splitmix(&w->rng);
			uint64_t tce =
				(v & 15) == 0
					? 0
					: ((v >> 4) % t->size) << t->shift | RW;
			long r = hcall(s, PPCVIRT_H_PUT_TCE, t->liobn,
				       (t->offset + idx) << t->shift, tce, 0);

			if (r != PPCVIRT_H_SUCCESS) {
				report("H_PUT_TCE on %s: %s", t->name,
				       ppcvirt_hret_name(r));
				return -EIO;
			}
		}
	}
	return 0;
}

/* Map the entries of table @t of @vm (munmap @t->size * 8 bytes). */
static uint64_t *map_table(struct ppcvirt_vm *vm, const struct tab *t,
			   bool writable)
{
	int fd = ppcvirt_vm_tce_fd(vm, t->liobn);
	void *p;

	if (fd < 0) {
		fail(fd, "ppcvirt_vm_tce_fd");
		return NULL;
	}
	p = mmap(NULL, t->size * 8,
		 writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd,
		 0);
	close(fd);
	if (p == MAP_FAILED) {
		report("mmap of table %s: %s", t->name, strerror(errno));
		return NULL;
	}
	return p;
}

/* Is every table of @dst, geometry and each entry, the one of @src? */
static int compare(struct work *w, struct ppcvirt_vm *src,
		   struct ppcvirt_vm *dst, const char *what)
{
	for (int k = 0; k < 2; k++) {
		const struct tab *t = &w->t[k];
		struct ppcvirt_tce_info a, b;
		uint64_t *x, *y, diff = 0, first = 0;
		int ret;

		if ((ret = ppcvirt_vm_tce_info(src, t->liobn, &a)) ||
		    (ret = ppcvirt_vm_tce_info(dst, t->liobn, &b))) {
			report("%s: table %s: %s", what, t->name,
			       strerror(-ret));
			return -EIO;
		}
		if (a.page_shift != b.page_shift || a.offset != b.offset ||
		    a.size != b.size || a.flags != b.flags) {
			report("%s: table %s: destination geometry differs",
			       what, t->name);
			return -EIO;
		}
		x = map_table(src, t, false);
		y = map_table(dst, t, false);
		for (uint64_t i = 0; x && y && i < t->size; i++) {
			if (x[i] != y[i] && diff++ == 0)
				first = i;
		}
		if (x && y && diff)
			report("%s: table %s: %llu entries differ, the "
			       "first %llu (source 0x%llx, destination "
			       "0x%llx)",
			       what, t->name, (unsigned long long)diff,
			       (unsigned long long)first,
			       (unsigned long long)x[first],
			       (unsigned long long)y[first]);
		if (x)
			munmap(x, t->size * 8);
		if (y)
			munmap(y, t->size * 8);
		if (!x || !y || diff)
			return -EIO;
	}
	return 0;
}

static int load(struct ppcvirt_vm *dst, const struct pcv_membuf *b)
{
	struct ppcvirt_state_load a = {.size = sizeof(a), .vm = dst};

	return ppcvirt_state_load(&a, b->p, b->len);
}

/* ---- the QEMU-style stop-and-copy ---------------------------------------- */

static uint64_t qemu_bytes(const struct work *w)
{
	return 2 * QEMU_HDR + (w->t[0].size + w->t[1].size) * 8;
}

static uint8_t *put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	return p + bytes;
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

static size_t qemu_save(const struct work *w, uint64_t *const src[2],
			uint8_t *buf)
{
	uint8_t *p = buf;

	for (int k = 0; k < 2; k++) {
		const struct tab *t = &w->t[k];

		p = put_be(p, t->liobn, 4);
		p = put_be(p, (t->offset << t->shift), 8);
		p = put_be(p, t->shift, 4);
		p = put_be(p, t->size, 4);
		for (uint64_t i = 0; i < t->size; i++) {
			uint64_t v = htobe64(src[k][i]);

			memcpy(p + 8 * i, &v, 8);
		}
		p += t->size * 8;
	}
	return (size_t)(p - buf);
}

/* Parse back; the header must describe the destination's table (QEMU's
 * VMSTATE_UINT32_EQUAL liobn; a size change would re-create it). */
static int qemu_load(const struct work *w, const uint8_t *buf, size_t len,
		     uint64_t *const dst[2])
{
	const uint8_t *p = buf, *end = buf + len;

	for (int k = 0; k < 2; k++) {
		const struct tab *t = &w->t[k];
		uint64_t n;

		if ((size_t)(end - p) < QEMU_HDR ||
		    get_be(p, 4) != (uint32_t)t->liobn ||
		    get_be(p + 4, 8) != t->offset << t->shift ||
		    get_be(p + 12, 4) != t->shift ||
		    (n = get_be(p + 16, 4)) != t->size ||
		    (size_t)(end - p - QEMU_HDR) / 8 < n)
			return -EBADMSG;
		p += QEMU_HDR;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t v;

			memcpy(&v, p + 8 * i, 8);
			dst[k][i] = be64toh(v);
		}
		p += n * 8;
	}
	return p == end ? 0 : -EBADMSG;
}

/* ---- live migration rounds ----------------------------------------------- */

struct round {
	uint64_t finish_ns, final_load_ns;
	uint64_t qemu_save_ns, qemu_load_ns;
	uint64_t pass_bytes[PASSES], pass_entries[PASSES];
	uint64_t bytes_total;
};

struct qemu_side {
	struct ppcvirt_vm *vm;
	uint64_t *src[2], *dst[2];
	uint8_t *buf;
	size_t len;
};

static int one_pass(struct ppcvirt_migration *m, struct ppcvirt_vm *dst,
		    struct pcv_membuf *b, struct round *r, int pass, bool last)
{
	const struct ppcvirt_state_sink sink = {pcv_membuf_write, b};
	struct ppcvirt_migration_pass st = {0};
	uint64_t t0, t1, t2;
	int ret;

	b->len = 0;
	t0 = bench_now_ns();
	ret = last ? ppcvirt_migration_finish(m, &sink, &st)
		   : ppcvirt_migration_pass(m, &sink, &st);
	t1 = bench_now_ns();
	if (ret)
		return fail(ret, last ? "ppcvirt_migration_finish"
				      : "ppcvirt_migration_pass");
	ret = load(dst, b);
	t2 = bench_now_ns();
	if (ret) {
		char what[64];

		snprintf(what, sizeof(what), "loading pass %d", pass + 1);
		return fail(ret, what);
	}
	r->pass_bytes[pass] = st.bytes;
	r->pass_entries[pass] = st.entries;
	r->bytes_total += st.bytes;
	if (last) {
		r->finish_ns = t1 - t0;
		r->final_load_ns = t2 - t1;
	}
	return 0;
}

static int migrate_round(struct work *w, struct src *s, struct qemu_side *q,
			 struct pcv_membuf *b, int round, struct round *r)
{
	struct ppcvirt_state_objects o = {.size = sizeof(o), .vm = s->vm};
	struct ppcvirt_migration *m = NULL;
	struct ppcvirt_vm *dst = NULL;
	uint64_t t0, t1, t2;
	bool ended = false;
	int ret;

	memset(r, 0, sizeof(*r));
	if ((ret = vm_with_ram(w->ram, &dst, NULL)))
		return ret;
	ret = ppcvirt_migration_start(&o, &m);
	if (ret) {
		ppcvirt_vm_destroy(dst);
		return fail(ret, "ppcvirt_migration_start");
	}
	for (int pass = 0; pass < PASSES && ret == 0; pass++) {
		cli_progress("bench migrate: round %d/%d, pass %d/%d",
			     round + 1, w->rounds, pass + 1, PASSES);
		if (pass > 0)
			ret = rewrite(w, s);
		if (ret == 0) {
			ended = pass == PASSES - 1;
			ret = one_pass(m, dst, b, r, pass, ended);
		}
	}
	if (ret) {
		/* finish frees the migration whatever its result */
		if (!ended)
			ppcvirt_migration_cancel(m);
		ppcvirt_vm_destroy(dst);
		return ret;
	}
	ret = compare(w, s->vm, dst, "live migration");
	ppcvirt_vm_destroy(dst);
	if (ret)
		return ret;

	/* The same stop-and-copy, QEMU-style, of the same tables. */
	cli_progress("bench migrate: round %d/%d, QEMU-style copy", round + 1,
		     w->rounds);
	t0 = bench_now_ns();
	q->len = qemu_save(w, q->src, q->buf);
	t1 = bench_now_ns();
	ret = qemu_load(w, q->buf, q->len, q->dst);
	t2 = bench_now_ns();
	if (ret) {
		report("QEMU-style stream does not parse back");
		return ret;
	}
	r->qemu_save_ns = t1 - t0;
	r->qemu_load_ns = t2 - t1;
	return compare(w, s->vm, q->vm, "QEMU-style copy");
}

/* ---- sparse checkpoints ---------------------------------------------------
 */

struct sparse_res {
	uint64_t save_ns, load_ns, bytes;
};

static int sparse_vm(uint64_t entries, struct ppcvirt_vm **vmp)
{
	struct tab t = {"sparse", 0x80000001ull, SPARSE_SHIFT, 0, entries};
	int ret = vm_with_ram(SPARSE_RAM, vmp, NULL);

	return ret ? ret : create_tables(*vmp, &t, 1);
}

static int sparse_one(int log2_window, const uint64_t *idx, const uint64_t *val,
		      int reps, struct pcv_membuf *b, struct sparse_res *res)
{
	const uint64_t liobn = 0x80000001ull;
	const uint64_t entries = 1ull << (log2_window - SPARSE_SHIFT);
	const struct ppcvirt_state_sink sink = {pcv_membuf_write, b};
	struct ppcvirt_vm *vm = NULL;
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	int ret;

	res->save_ns = res->load_ns = UINT64_MAX;
	if ((ret = sparse_vm(entries, &vm)))
		goto out;
	for (int i = 0; i < SPARSE_ENTRIES; i++) {
		if ((ret = ppcvirt_tce_put(vm, liobn, idx[i], val[i]))) {
			ret = fail(ret, "ppcvirt_tce_put");
			goto out;
		}
	}
	o.vm = vm;
	for (int k = 0; k < reps; k++) {
		struct ppcvirt_vm *dst = NULL;
		uint64_t t0, t1;

		cli_progress("bench migrate: sparse 2^%d window, %d/%d",
			     log2_window, k + 1, reps);
		b->len = 0;
		t0 = bench_now_ns();
		ret = ppcvirt_state_save(&o, &sink);
		t1 = bench_now_ns();
		if (ret) {
			ret = fail(ret, "ppcvirt_state_save (sparse)");
			goto out;
		}
		if (t1 - t0 < res->save_ns)
			res->save_ns = t1 - t0;
		res->bytes = b->len;
		if ((ret = vm_with_ram(SPARSE_RAM, &dst, NULL)))
			goto out;
		t0 = bench_now_ns();
		ret = load(dst, b);
		t1 = bench_now_ns();
		if (t1 - t0 < res->load_ns)
			res->load_ns = t1 - t0;
		for (int i = 0; ret == 0 && i < SPARSE_ENTRIES; i++) {
			uint64_t v = 0;

			ret = ppcvirt_tce_get(dst, liobn, idx[i], &v);
			if (ret == 0 && v != val[i]) {
				report("sparse 2^%d: entry %llu is 0x%llx "
				       "after load, 0x%llx before",
				       log2_window, (unsigned long long)idx[i],
				       (unsigned long long)v,
				       (unsigned long long)val[i]);
				ret = -EIO;
			}
		}
		ppcvirt_vm_destroy(dst);
		if (ret) {
			ret = ret == -EIO ? ret : fail(ret, "sparse load");
			goto out;
		}
	}
out:
	ppcvirt_vm_destroy(vm);
	return ret;
}

/* ---- the run ---------------------------------------------------------------
 */

struct results {
	struct round best; /* the round of the best downtime */
	uint64_t downtime_ns, qemu_ns;
	uint64_t qemu_save_ns, qemu_load_ns; /* of the best QEMU-style */
	uint64_t full_bytes, full_save_ns, load_ns, memcpy_ns, memcpy_bytes;
	uint64_t memcpy_fresh_ns;
	struct sparse_res sp40, sp50;
	double downtime_ratio, bytes_ratio, sparse_ratio, load_fraction;
	double load_mb_s, memcpy_mb_s, memcpy_fresh_mb_s, load_fraction_fresh;
};

static void work_init(struct work *w, bool quick, int rounds)
{
	memset(w, 0, sizeof(*w));
	w->quick = quick;
	w->rounds = rounds;
	w->t[0] = (struct tab){"default window", 0x80000000ull, 12, 0,
			       quick ? 1ull << 12 : 1ull << 18};
	/* The DDW at 2^59, where QEMU puts the 64-bit window. */
	w->t[1] = (struct tab){"DDW", 0x80000001ull, 16, (1ull << 59) >> 16,
			       quick ? 1ull << 16 : 1ull << 24};
	/* The DDW maps all of it; the default window its first GiB. */
	w->ram = w->t[1].size << w->t[1].shift;
	w->rng = 0x6d696772617465ull;
}

static int run_migration(struct work *w, struct src *s, struct pcv_membuf *b,
			 struct results *res)
{
	struct qemu_side q = {0};
	int ret;

	res->downtime_ns = res->qemu_ns = UINT64_MAX;
	/* The QEMU-style destination: tables of the same geometry. */
	if ((ret = vm_with_ram(w->ram, &q.vm, NULL)) ||
	    (ret = create_tables(q.vm, w->t, 2)))
		goto out;
	for (int k = 0; k < 2; k++) {
		q.src[k] = map_table(s->vm, &w->t[k], false);
		q.dst[k] = map_table(q.vm, &w->t[k], true);
		if (!q.src[k] || !q.dst[k]) {
			ret = -EIO;
			goto out;
		}
	}
	q.buf = malloc(qemu_bytes(w));
	if (!q.buf) {
		ret = -ENOMEM;
		goto out;
	}
	memset(q.buf, 0, qemu_bytes(w));
	for (int k = 0; k < w->rounds; k++) {
		struct round r;

		if ((ret = migrate_round(w, s, &q, b, k, &r)))
			goto out;
		if (r.finish_ns + r.final_load_ns < res->downtime_ns) {
			res->downtime_ns = r.finish_ns + r.final_load_ns;
			res->best = r;
		}
		if (r.qemu_save_ns + r.qemu_load_ns < res->qemu_ns) {
			res->qemu_ns = r.qemu_save_ns + r.qemu_load_ns;
			res->qemu_save_ns = r.qemu_save_ns;
			res->qemu_load_ns = r.qemu_load_ns;
		}
	}
out:
	for (int k = 0; k < 2; k++) {
		if (q.src[k])
			munmap(q.src[k], w->t[k].size * 8);
		if (q.dst[k])
			munmap(q.dst[k], w->t[k].size * 8);
	}
	free(q.buf);
	ppcvirt_vm_destroy(q.vm);
	return ret;
}

static int run_sparse(struct work *w, struct pcv_membuf *b, struct results *res)
{
	/* The 2^40 window's entries, in which both windows have them. */
	const uint64_t span = 1ull << (40 - SPARSE_SHIFT);
	const uint64_t stride = span / SPARSE_ENTRIES;
	uint64_t idx[SPARSE_ENTRIES], val[SPARSE_ENTRIES];
	int ret;

	/* One entry at a random place in each 1/1000 of the window:
	 * scattered, and never two at the same IOBA. */
	for (int i = 0; i < SPARSE_ENTRIES; i++) {
		idx[i] = (uint64_t)i * stride + splitmix(&w->rng) % stride;
		val[i] = (splitmix(&w->rng) % (SPARSE_RAM >> SPARSE_SHIFT))
				 << SPARSE_SHIFT |
			 RW;
	}
	ret = sparse_one(40, idx, val, w->rounds, b, &res->sp40);
	if (ret == 0)
		ret = sparse_one(50, idx, val, w->rounds, b, &res->sp50);
	return ret;
}

/* memcpy of @n bytes from @src into a new memfd mapping: what filling
 * memory new to the process costs here. Returns the ns, or 0 on error. */
static uint64_t memcpy_fresh(const uint8_t *src, size_t n)
{
	int fd = memfd_create("ppcvirt-bench", MFD_CLOEXEC);
	uint64_t t0, t1;
	void *p;

	if (fd < 0) {
		report("memfd_create: %s", strerror(errno));
		return 0;
	}
	p = ftruncate(fd, (off_t)n)
		    ? MAP_FAILED
		    : mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		report("memfd of %zu bytes: %s", n, strerror(errno));
		return 0;
	}
	t0 = bench_now_ns();
	memcpy(p, src, n);
	t1 = bench_now_ns();
	munmap(p, n);
	return t1 - t0 ? t1 - t0 : 1;
}

/* The full stream of the source, loaded into fresh VMs, against memcpy
 * of the DDW's table size between two buffers already touched. */
static int run_load(struct work *w, struct src *s, struct pcv_membuf *b,
		    struct results *res)
{
	const struct ppcvirt_state_sink sink = {pcv_membuf_write, b};
	struct ppcvirt_state_objects o = {.size = sizeof(o), .vm = s->vm};
	size_t n = w->t[1].size * 8;
	uint8_t *x = malloc(n), *y = malloc(n);
	volatile uint8_t keep = 0;
	uint64_t t0, t1;
	int ret = 0;

	res->full_save_ns = res->load_ns = res->memcpy_ns = UINT64_MAX;
	res->memcpy_fresh_ns = UINT64_MAX;
	res->memcpy_bytes = n;
	if (!x || !y) {
		ret = -ENOMEM;
		goto out;
	}
	memset(x, 0x5a, n);
	memset(y, 0xa5, n);
	for (int k = 0; k < w->rounds && ret == 0; k++) {
		struct ppcvirt_vm *dst = NULL;

		cli_progress("bench migrate: full save and load, %d/%d", k + 1,
			     w->rounds);
		b->len = 0;
		t0 = bench_now_ns();
		ret = ppcvirt_state_save(&o, &sink);
		t1 = bench_now_ns();
		if (ret) {
			ret = fail(ret, "ppcvirt_state_save");
			break;
		}
		if (t1 - t0 < res->full_save_ns)
			res->full_save_ns = t1 - t0;
		res->full_bytes = b->len;
		if ((ret = vm_with_ram(w->ram, &dst, NULL)))
			break;
		t0 = bench_now_ns();
		ret = load(dst, b);
		t1 = bench_now_ns();
		if (ret)
			ret = fail(ret, "ppcvirt_state_load (full)");
		else if (k == 0)
			ret = compare(w, s->vm, dst, "checkpoint");
		ppcvirt_vm_destroy(dst);
		if (t1 - t0 < res->load_ns)
			res->load_ns = t1 - t0;
		t0 = bench_now_ns();
		memcpy(k & 1 ? x : y, k & 1 ? y : x, n);
		t1 = bench_now_ns();
		keep ^= x[k % n] ^ y[n - 1 - (size_t)k % n];
		if (t1 - t0 < res->memcpy_ns)
			res->memcpy_ns = t1 - t0;
		t0 = memcpy_fresh(x, n);
		if (!t0)
			ret = -EIO;
		else if (t0 < res->memcpy_fresh_ns)
			res->memcpy_fresh_ns = t0;
	}
out:
	(void)keep;
	free(x);
	free(y);
	return ret;
}

static void derive(const struct work *w, struct results *r)
{
	double sp;

	r->downtime_ratio = (double)r->downtime_ns / (double)r->qemu_ns;
	r->bytes_ratio = (double)r->best.bytes_total / (double)qemu_bytes(w);
	sp = (double)r->sp50.save_ns / (double)r->sp40.save_ns;
	r->sparse_ratio = sp >= 1 ? sp : 1 / sp;
	r->load_mb_s = (double)r->full_bytes / ((double)r->load_ns / 1e9) / 1e6;
	r->memcpy_mb_s =
		(double)r->memcpy_bytes / ((double)r->memcpy_ns / 1e9) / 1e6;
	r->load_fraction = r->load_mb_s / r->memcpy_mb_s;
	r->memcpy_fresh_mb_s = (double)r->memcpy_bytes /
			       ((double)r->memcpy_fresh_ns / 1e9) / 1e6;
	r->load_fraction_fresh = r->load_mb_s / r->memcpy_fresh_mb_s;
}

static int run(struct work *w, struct results *res)
{
	struct src s = {0};
	struct pcv_membuf b = {0};
	int ret;

	cli_progress("bench migrate: filling the tables");
	ret = src_create(w, &s);
	/* Room for a full pass, touched, so no stream pays for growing. */
	if (ret == 0)
		ret = membuf_init(&b, qemu_bytes(w) + qemu_bytes(w) / 8 +
					      (1 << 20));
	if (ret == 0)
		ret = run_migration(w, &s, &b, res);
	if (ret == 0)
		ret = run_load(w, &s, &b, res);
	if (ret == 0)
		ret = run_sparse(w, &b, res);
	if (ret == 0)
		derive(w, res);
	cli_progress_clear();
	free(b.p);
	ppcvirt_vm_destroy(s.vm);
	return ret;
}

/* ---- output ---------------------------------------------------------------
 */

static bool met_downtime(const struct results *r)
{
	return r->downtime_ratio <= TARGET_DOWNTIME_RATIO;
}

static bool met_bytes(const struct results *r)
{
	return r->bytes_ratio <= TARGET_BYTES_RATIO;
}

static bool met_sparse(const struct results *r)
{
	return r->sparse_ratio <= TARGET_SPARSE_RATIO;
}

static bool met_load(const struct results *r)
{
	return r->load_fraction >= TARGET_LOAD_FRACTION;
}

static json_object *target(double value, double limit, bool at_most, bool met)
{
	json_object *o = json_object_new_object();

	cli_json_add(o, "value", cli_json_num(value, 4));
	cli_json_add(o, at_most ? "max" : "min", cli_json_num(limit, 4));
	cli_json_add(o, "met", json_object_new_boolean(met));
	return o;
}

static json_object *u64_array(const uint64_t *v, int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_uint64(v[i]));
	return a;
}

static void print_json(const struct work *w, const struct results *r,
		       enum cli_json_mode mode)
{
	json_object *j = json_object_new_object(), *t;

	cli_json_add(j, "bench", json_object_new_string("migrate"));
	cli_json_add(j, "quick", json_object_new_boolean(w->quick));
	cli_json_add(j, "rounds", json_object_new_int(w->rounds));
	cli_json_add(j, "profile", json_object_new_string("strict"));
	cli_json_add(j, "ddw_entries", json_object_new_uint64(w->t[1].size));
	cli_json_add(j, "ddw_page_shift", json_object_new_int(16));
	cli_json_add(j, "default_entries",
		     json_object_new_uint64(w->t[0].size));
	cli_json_add(j, "default_page_shift", json_object_new_int(12));
	cli_json_add(j, "guest_ram_bytes", json_object_new_uint64(w->ram));
	cli_json_add(j, "rewrite_entries_per_pass",
		     json_object_new_uint64(w->t[0].size / 100 +
					    w->t[1].size / 100));
	cli_json_add(j, "verified", json_object_new_boolean(true));
	cli_json_add(j, "passes", json_object_new_int(PASSES));
	cli_json_add(j, "pass_bytes", u64_array(r->best.pass_bytes, PASSES));
	cli_json_add(j, "pass_entries",
		     u64_array(r->best.pass_entries, PASSES));
	cli_json_add(j, "bytes_total",
		     json_object_new_uint64(r->best.bytes_total));
	cli_json_add(j, "bytes_full_copy",
		     json_object_new_uint64(qemu_bytes(w)));
	cli_json_add(j, "bytes_ratio", cli_json_num(r->bytes_ratio, 4));
	cli_json_add(j, "downtime_ms", cli_json_num(ms(r->downtime_ns), 4));
	cli_json_add(j, "finish_ms", cli_json_num(ms(r->best.finish_ns), 4));
	cli_json_add(j, "final_load_ms",
		     cli_json_num(ms(r->best.final_load_ns), 4));
	cli_json_add(j, "qemu_style_downtime_ms",
		     cli_json_num(ms(r->qemu_ns), 4));
	cli_json_add(j, "qemu_style_save_ms",
		     cli_json_num(ms(r->qemu_save_ns), 4));
	cli_json_add(j, "qemu_style_load_ms",
		     cli_json_num(ms(r->qemu_load_ns), 4));
	cli_json_add(j, "downtime_ratio", cli_json_num(r->downtime_ratio, 5));
	cli_json_add(j, "full_stream_bytes",
		     json_object_new_uint64(r->full_bytes));
	cli_json_add(j, "full_save_ms", cli_json_num(ms(r->full_save_ns), 3));
	cli_json_add(j, "load_ms", cli_json_num(ms(r->load_ns), 3));
	cli_json_add(j, "load_mb_s", cli_json_num(r->load_mb_s, 1));
	cli_json_add(j, "memcpy_bytes",
		     json_object_new_uint64(r->memcpy_bytes));
	cli_json_add(j, "memcpy_mb_s", cli_json_num(r->memcpy_mb_s, 1));
	cli_json_add(j, "load_fraction_of_memcpy",
		     cli_json_num(r->load_fraction, 3));
	cli_json_add(j, "memcpy_fresh_mb_s",
		     cli_json_num(r->memcpy_fresh_mb_s, 1));
	cli_json_add(j, "load_fraction_of_memcpy_fresh",
		     cli_json_num(r->load_fraction_fresh, 3));
	cli_json_add(j, "sparse_page_shift", json_object_new_int(SPARSE_SHIFT));
	cli_json_add(j, "sparse_entries", json_object_new_int(SPARSE_ENTRIES));
	cli_json_add(j, "sparse_2e40_bytes",
		     json_object_new_uint64(r->sp40.bytes));
	cli_json_add(j, "sparse_2e40_save_ms",
		     cli_json_num(ms(r->sp40.save_ns), 4));
	cli_json_add(j, "sparse_2e40_load_ms",
		     cli_json_num(ms(r->sp40.load_ns), 4));
	cli_json_add(j, "sparse_2e50_bytes",
		     json_object_new_uint64(r->sp50.bytes));
	cli_json_add(j, "sparse_2e50_save_ms",
		     cli_json_num(ms(r->sp50.save_ns), 4));
	cli_json_add(j, "sparse_2e50_load_ms",
		     cli_json_num(ms(r->sp50.load_ns), 4));
	cli_json_add(j, "sparse_save_ratio", cli_json_num(r->sparse_ratio, 3));
	t = json_object_new_object();
	cli_json_add(t, "downtime_ratio",
		     target(r->downtime_ratio, TARGET_DOWNTIME_RATIO, true,
			    met_downtime(r)));
	cli_json_add(
		t, "bytes_ratio",
		target(r->bytes_ratio, TARGET_BYTES_RATIO, true, met_bytes(r)));
	cli_json_add(t, "sparse_save_ratio",
		     target(r->sparse_ratio, TARGET_SPARSE_RATIO, true,
			    met_sparse(r)));
	cli_json_add(t, "load_fraction_of_memcpy",
		     target(r->load_fraction, TARGET_LOAD_FRACTION, false,
			    met_load(r)));
	cli_json_add(j, "targets", t);
	cli_json_print(j, mode);
}

static const char *verdict(bool met)
{
	return met ? "PASS" : "FAIL";
}

static void print_text(const struct work *w, const struct results *r)
{
	const struct round *b = &r->best;

	printf("migration benchmark (strict profile; DDW %llu x 64 KiB, "
	       "default window %llu x 4 KiB;\n"
	       "best of %d round%s%s)\n",
	       (unsigned long long)w->t[1].size,
	       (unsigned long long)w->t[0].size, w->rounds,
	       w->rounds == 1 ? "" : "s",
	       w->quick ? ", --quick: figures are noise" : "");
	printf("  live migration: %d passes, %llu entries rewritten by "
	       "H_PUT_TCE before each later one\n",
	       PASSES,
	       (unsigned long long)(w->t[0].size / 100 + w->t[1].size / 100));
	for (int i = 0; i < PASSES; i++)
		printf("    pass %d%-16s %12llu bytes %10llu entries\n", i + 1,
		       i == PASSES - 1 ? " (stop-and-copy)" : "",
		       (unsigned long long)b->pass_bytes[i],
		       (unsigned long long)b->pass_entries[i]);
	printf("  bytes, all passes       %12llu  (one full copy %llu: "
	       "%.3fx)\n",
	       (unsigned long long)b->bytes_total,
	       (unsigned long long)qemu_bytes(w), r->bytes_ratio);
	printf("  downtime                %12.3f ms (finish %.3f + load "
	       "%.3f)\n",
	       ms(r->downtime_ns), ms(b->finish_ns), ms(b->final_load_ns));
	printf("  QEMU-style downtime     %12.3f ms (serialise %.3f + parse "
	       "%.3f)\n",
	       ms(r->qemu_ns), ms(r->qemu_save_ns), ms(r->qemu_load_ns));
	printf("  full checkpoint         %12llu bytes, save %.3f ms, load "
	       "%.3f ms\n",
	       (unsigned long long)r->full_bytes, ms(r->full_save_ns),
	       ms(r->load_ns));
	printf("  load                    %12.1f MB/s (memcpy %.1f MB/s; into "
	       "fresh memory %.1f MB/s)\n",
	       r->load_mb_s, r->memcpy_mb_s, r->memcpy_fresh_mb_s);
	printf("  sparse, %d entries, %d KiB pages:\n", SPARSE_ENTRIES,
	       1 << (SPARSE_SHIFT - 10));
	printf("    2^40-byte window      %12llu bytes, save %.3f ms, load "
	       "%.3f ms\n",
	       (unsigned long long)r->sp40.bytes, ms(r->sp40.save_ns),
	       ms(r->sp40.load_ns));
	printf("    2^50-byte window      %12llu bytes, save %.3f ms, load "
	       "%.3f ms\n",
	       (unsigned long long)r->sp50.bytes, ms(r->sp50.save_ns),
	       ms(r->sp50.load_ns));
	printf("targets (reported, not enforced):\n");
	printf("  %s downtime / QEMU-style %.4f (at most %.2f)\n",
	       verdict(met_downtime(r)), r->downtime_ratio,
	       TARGET_DOWNTIME_RATIO);
	printf("  %s bytes / one full copy %.3f (at most %.1f)\n",
	       verdict(met_bytes(r)), r->bytes_ratio, TARGET_BYTES_RATIO);
	printf("  %s sparse save 2^50 vs 2^40 %.2fx (at most %.0fx)\n",
	       verdict(met_sparse(r)), r->sparse_ratio, TARGET_SPARSE_RATIO);
	printf("  %s load / memcpy %.3f (at least %.2f)\n",
	       verdict(met_load(r)), r->load_fraction, TARGET_LOAD_FRACTION);
}

static void usage(void)
{
	fputs("usage: ppcvirt bench migrate [OPTION...]\n"
	      "\n"
	      "Live migration of a 2^24-entry DDW and a 1 GiB default window, "
	      "every entry\n"
	      "mapped (strict profile): 3 pre-copy passes and a "
	      "stop-and-copy, 1% of the\n"
	      "entries rewritten by H_PUT_TCE before each pass after the "
	      "first, loaded into\n"
	      "a destination that must end equal to the source. Reports the "
	      "downtime\n"
	      "against a QEMU-style copy of whole tables, the bytes of all "
	      "passes against\n"
	      "one full copy, checkpoints of 1000 entries in 2^40 and 2^50 "
	      "windows, and\n"
	      "the load of a full checkpoint against memcpy; each timed figure "
	      "is the best\n"
	      "of the rounds, with a PASS/FAIL line per target.\n"
	      "\n"
	      "  -r, --rounds=N    rounds, 1..100 (default 5, 2 with "
	      "--quick)\n"
	      "  -j, --json        one JSON document (keys end in their unit: "
	      "_ms, _bytes)\n"
	      "      --json-lines  the same object on one line\n"
	      "      --quick       a 2^16-entry DDW: a smoke run, figures are "
	      "noise\n"
	      "  -q, --quiet       no progress line\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 (also when a target is missed: the verdicts "
	      "are reported,\n"
	      "not enforced), 1 when a call failed or the destination differs "
	      "from the\n"
	      "source (no figures are printed then), 2 for usage errors.\n",
	      stdout);
}

int bench_migrate(int argc, char **argv)
{
	static const struct option lopts[] = {
		BENCH_COMMON_LOPTS,
		{"rounds", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct bench_opts o;
	struct results r;
	struct work w;
	uint64_t rounds = 0;
	int c;

	bench_opts_init(&o);
	optind = 0;
	while ((c = cli_getopt("bench migrate", argc, argv,
			       ":r:" BENCH_COMMON_SHORT, lopts)) != -1) {
		int k = bench_common_opt("bench migrate", c, &o);

		if (k < 0)
			return CLI_ERROR;
		if (k)
			continue;
		switch (c) {
		case 'r':
			if (!cli_parse_u64(optarg, 100, &rounds) || !rounds)
				return cli_usage_error(
					"bench migrate",
					"--rounds: '%s' is not a number from "
					"1 to 100",
					cli_esc(optarg));
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return CLI_ERROR;
		}
	}
	if (optind < argc)
		return cli_usage_error("bench migrate",
				       "unexpected argument '%s'",
				       cli_esc(argv[optind]));
	if (!rounds)
		rounds = o.quick ? 2 : 5;
	work_init(&w, o.quick, (int)rounds);
	memset(&r, 0, sizeof(r));
	cli_progress_init(o.quiet);
	if (run(&w, &r)) {
		/* No figures: they would describe a broken migration. */
		if (o.json) {
			json_object *j = json_object_new_object(), *e;

			e = json_object_new_object();
			cli_json_add(e, "message", cli_json_str(errmsg));
			cli_json_add(j, "bench",
				     json_object_new_string("migrate"));
			cli_json_add(j, "status",
				     json_object_new_int(CLI_FAIL));
			cli_json_add(j, "error", e);
			cli_json_print(j, o.json);
		}
		return CLI_FAIL;
	}
	if (o.json)
		print_json(&w, &r, o.json);
	else
		print_text(&w, &r);
	return CLI_OK;
}
