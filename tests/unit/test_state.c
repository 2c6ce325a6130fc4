/* SPDX-License-Identifier: MIT */
/*
 * State streams (include/ppcvirt/state.h, docs/migration.md): round trips
 * of every kind of state in both profiles, sparse tables, hostile streams
 * (every truncation, every bit flip of the header and first section,
 * random flips elsewhere, version skew, splices), destination checks, the
 * version-1 reference stream, DMA dirty logging and enumeration.
 *
 * "Equal state" is checked through what a guest and a VMM can observe:
 * every table entry (ppcvirt_tce_get over the whole window), geometry,
 * hypercall results on both VMs, PHB queries, TLB contents, MAS registers,
 * PIDs and the TLB0 victim counter (through tlbsx misses).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "../fuzz/state_layout.h"
#include "support.h"
#include "test.h"

#define RW  (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define RAM (16ull << 20)

/* ---- an in-memory sink -------------------------------------------------- */

static struct ppcvirt_state_sink sink_of(struct test_buf *b)
{
	return (struct ppcvirt_state_sink){test_buf_write, b};
}

/* ---- a source with one of everything ------------------------------------- */

struct world {
	struct tvm t;
	struct ppcvirt_phb *phb;
	struct ppcvirt_tlb *tlb[2];
};

#define LV   0x71000001ull /* a VIO table, 64K pages, user-space only */
#define LBIG 0x90000000ull /* 2^40 bytes of 4K pages, sparse */

static void put(struct world *w, uint64_t liobn, uint64_t ioba, uint64_t tce)
{
	CHECK_EQ(thc(&w->t, PPCVIRT_H_PUT_TCE, liobn, ioba, tce, 0, NULL, NULL),
		 0);
}

static void world_tlb(struct ppcvirt_tlb *tlb, unsigned salt)
{
	struct ppcvirt_booke_mas mas = {
		.mas0 = PPCVIRT_MAS0_TLBSEL(1) | PPCVIRT_MAS0_ESEL(3),
		.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_IPROT |
			PPCVIRT_MAS1_TID(5) | PPCVIRT_MAS1_TSIZE(10),
		.mas2 = 0x40000000 | 0x8,
		.mas3 = 0x20000000 | 0x3f,
		.mas4 = PPCVIRT_MAS4_TSIZED_MASK & (2u << 7),
		.mas6 = PPCVIRT_MAS6_SPID_MASK & (7u << 16),
		.mas7 = 0x1,
	};

	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &mas), PPCVIRT_TLB_OK);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	for (unsigned i = 0; i < 8; i++) {
		mas.mas0 = PPCVIRT_MAS0_TLBSEL(0) | PPCVIRT_MAS0_ESEL(i % 4);
		mas.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TID(salt + i) |
			   PPCVIRT_MAS1_TSIZE(2);
		mas.mas2 = (0x10000000u + (i << 12)) | 0x4;
		mas.mas3 = (0x30000000u + (i << 12)) | 0x15;
		mas.mas7 = 0;
		CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &mas), PPCVIRT_TLB_OK);
		CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	}
	CHECK_EQ(ppcvirt_tlb_set_pid(tlb, 0, 0x12 + salt), 0);
	/* Advance the victim counter: a tlbsx miss does. */
	CHECK_EQ(ppcvirt_tlb_tlbsx(tlb, 0x7ff00000), PPCVIRT_TLB_OK);
	mas.mas0 = 0x1234;
	mas.mas1 = 0x5678;
	mas.mas6 = (9u << 16) | 1;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &mas), PPCVIRT_TLB_OK);
}

static void world_init(struct world *w, enum ppcvirt_profile prof)
{
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_create_spapr_tce_64 vio = {.liobn = LV,
						  .page_shift = 16,
						  .flags = PPCVIRT_TCE_VMM_ONLY,
						  .offset = 3,
						  .size = 100};
	struct ppcvirt_create_spapr_tce_64 big = {
		.liobn = LBIG, .page_shift = 12, .size = 1ull << 28};
	uint64_t liobn, start;

	memset(w, 0, sizeof(*w));
	tvm_init(&w->t, RAM, prof);
	ppcvirt_phb_config_default(&cfg, 1);
	cfg.dma_win_size = 1 << 24;
	CHECK_EQ(ppcvirt_phb_create(w->t.vm, &cfg, &w->phb), 0);
	CHECK_EQ(ppcvirt_phb_create_window(w->phb, 16, 26, &liobn, &start), 0);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(w->t.vm, &vio, NULL), 0);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(w->t.vm, &big, NULL), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(w->t.vm, 0x100000, 0x200000),
		 0);
	for (uint64_t i = 0; i < 40; i++)
		put(w, PPCVIRT_PHB_LIOBN(1, 0), i * 37 << 12,
		    ((i + 1) << 12) | (i % 3 + 1));
	put(w, liobn, start + (5 << 16), 0x50000 | RW);
	put(w, LV, (3 + 99) << 16, 0x60000 | PPCVIRT_TCE_READ);
	for (uint64_t i = 0; i < 1000; i++)
		put(w, LBIG, (i * 0x3fff1ull % (1ull << 28)) << 12,
		    ((i % 4000 + 1) << 12) | RW);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500V2, &w->tlb[0]), 0);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &w->tlb[1]), 0);
	world_tlb(w->tlb[0], 1);
	world_tlb(w->tlb[1], 2);
	CHECK_EQ(ppcvirt_tlb_set_pid(w->tlb[0], 2, 0x33), 0);
}

static void world_fini(struct world *w)
{
	ppcvirt_tlb_destroy(w->tlb[0]);
	ppcvirt_tlb_destroy(w->tlb[1]);
	tvm_fini(&w->t);
}

static struct ppcvirt_state_objects objs_of(struct world *w, bool vm)
{
	static struct ppcvirt_phb *phbs[1];

	phbs[0] = w->phb;
	return (struct ppcvirt_state_objects){
		.size = sizeof(struct ppcvirt_state_objects),
		.vm = vm ? w->t.vm : NULL,
		.phbs = phbs,
		.nphbs = vm ? 1 : 0,
		.tlbs = w->tlb,
		.ntlbs = 2,
	};
}

/* A fresh destination: guest memory, TLBs of the same cores, no tables. */
static void dest_init(struct world *d, enum ppcvirt_profile prof)
{
	memset(d, 0, sizeof(*d));
	tvm_init(&d->t, RAM, prof);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500V2, &d->tlb[0]), 0);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &d->tlb[1]), 0);
}

static int load_into(struct world *d, const struct test_buf *b)
{
	struct ppcvirt_phb *phbs[4] = {0};
	uint32_t n = 0;
	struct ppcvirt_state_load a = {
		.size = sizeof(a),
		.vm = d->t.vm,
		.phbs = phbs,
		.phbs_cap = 4,
		.nphbs = &n,
		.tlbs = d->tlb,
		.ntlbs = 2,
	};
	int ret = ppcvirt_state_load(&a, b->p, b->len);

	if (ret)
		printf("#   load: %d: %s\n", ret, ppcvirt_last_error());
	if (ret == 0 && CHECK_EQ(n, 1))
		d->phb = phbs[0];
	return ret;
}

/* ---- comparing what a guest and a VMM can observe ------------------------ */

static bool same_table(struct ppcvirt_vm *a, struct ppcvirt_vm *b,
		       uint64_t liobn)
{
	struct ppcvirt_tce_info ia, ib;

	if (!CHECK_EQ(ppcvirt_vm_tce_info(a, liobn, &ia), 0) ||
	    !CHECK_EQ(ppcvirt_vm_tce_info(b, liobn, &ib), 0))
		return false;
	if (!CHECK_EQ_U64(ia.page_shift, ib.page_shift) ||
	    !CHECK_EQ_U64(ia.offset, ib.offset) ||
	    !CHECK_EQ_U64(ia.size, ib.size) ||
	    !CHECK_EQ_U64(ia.flags, ib.flags))
		return false;
	for (uint64_t i = 0; i < ia.size; i++) {
		uint64_t va = 1, vb = 2;

		/* Whole windows for the small tables; the big one only
		 * where its entries are (reading the rest would cost). */
		if (ia.size > (1 << 20)) {
			i = ia.size;
			break;
		}
		ppcvirt_tce_get(a, liobn, i, &va);
		ppcvirt_tce_get(b, liobn, i, &vb);
		if (va != vb)
			return CHECK_EQ_U64(vb, va);
	}
	return true;
}

static bool same_vm(struct world *s, struct world *d)
{
	uint64_t la[8], lb[8];
	int na = ppcvirt_vm_list_tces(s->t.vm, la, 8);
	int nb = ppcvirt_vm_list_tces(d->t.vm, lb, 8);
	struct ppcvirt_ddw_query qa, qb;
	bool ok = CHECK_EQ(na, nb);

	for (int i = 0; ok && i < na; i++)
		ok = same_table(s->t.vm, d->t.vm, la[i]);
	ok &= CHECK_EQ(ppcvirt_vm_get_profile(s->t.vm),
		       ppcvirt_vm_get_profile(d->t.vm));
	/* The big sparse table entry by entry where the source has them. */
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t idx = i * 0x3fff1ull % (1ull << 28), va, vb;

		ppcvirt_tce_get(s->t.vm, LBIG, idx, &va);
		ppcvirt_tce_get(d->t.vm, LBIG, idx, &vb);
		ok &= CHECK_EQ_U64(vb, va);
	}
	if (CHECK(d->phb != NULL)) {
		CHECK_EQ(ppcvirt_phb_query(s->phb, &qa), 0);
		CHECK_EQ(ppcvirt_phb_query(d->phb, &qb), 0);
		ok &= CHECK_EQ(qa.windows_available, qb.windows_available);
		ok &= CHECK_EQ(qa.page_mask, qb.page_mask);
		for (unsigned n = 0; n < 2; n++)
			ok &= CHECK_EQ(ppcvirt_phb_window_enabled(s->phb, n),
				       ppcvirt_phb_window_enabled(d->phb, n));
	}
	return ok;
}

static bool same_tlb(struct ppcvirt_tlb *a, struct ppcvirt_tlb *b)
{
	static struct ppcvirt_book3e_206_tlb_entry ea[2200], eb[2200];
	struct ppcvirt_booke_mas ma, mb;
	int na = ppcvirt_tlb_read_all(a, ea, 2200);
	int nb = ppcvirt_tlb_read_all(b, eb, 2200);
	bool ok = CHECK_EQ(na, nb) && na > 0 &&
		  CHECK(memcmp(ea, eb, (size_t)na * sizeof(ea[0])) == 0);

	CHECK_EQ(ppcvirt_tlb_get_mas(a, &ma), 0);
	CHECK_EQ(ppcvirt_tlb_get_mas(b, &mb), 0);
	ok &= CHECK(memcmp(&ma, &mb, sizeof(ma)) == 0);
	for (unsigned i = 0; i < 3; i++)
		ok &= CHECK_EQ(ppcvirt_tlb_get_pid(a, i),
			       ppcvirt_tlb_get_pid(b, i));
	/* The victim counter: the next miss picks the same way on both. */
	CHECK_EQ(ppcvirt_tlb_tlbsx(a, 0x7fe00000), PPCVIRT_TLB_OK);
	CHECK_EQ(ppcvirt_tlb_tlbsx(b, 0x7fe00000), PPCVIRT_TLB_OK);
	CHECK_EQ(ppcvirt_tlb_get_mas(a, &ma), 0);
	CHECK_EQ(ppcvirt_tlb_get_mas(b, &mb), 0);
	ok &= CHECK_EQ_U64(ma.mas0, mb.mas0);
	return ok;
}

/* The same hypercalls get the same answers on both VMs. */
static bool same_answers(struct world *s, struct world *d)
{
	static const uint64_t calls[][4] = {
		{PPCVIRT_H_GET_TCE, 0x80000100, 37 << 12, 0},
		{PPCVIRT_H_PUT_TCE, 0x80000100, 0x5000, 0x3001},
		{PPCVIRT_H_PUT_TCE, 0x80000100, 0x5008, 0x3001},
		{PPCVIRT_H_STUFF_TCE, 0x80000100, 0, 0},
		{PPCVIRT_H_GET_TCE, 0x80000100, (1 << 24) + 0x1000, 0},
		{PPCVIRT_H_GET_TCE, LV, (3 + 99) << 16, 0},
		{PPCVIRT_H_PUT_TCE, LV, (3 + 5) << 16, (RAM * 2) | RW},
	};
	bool ok = true;

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		uint64_t ra = 0, rb = 0;
		long a = thc(&s->t, calls[i][0], calls[i][1], calls[i][2],
			     calls[i][3], 0, &ra, NULL);
		long b = thc(&d->t, calls[i][0], calls[i][1], calls[i][2],
			     calls[i][3], 0, &rb, NULL);

		ok &= CHECK_EQ(b, a) && CHECK_EQ_U64(rb, ra);
	}
	return ok;
}

/* ---- tests -----------------------------------------------------------------
 */

static void round_trip(void)
{
	static const enum ppcvirt_profile profs[] = {PPCVIRT_PROFILE_STRICT,
						     PPCVIRT_PROFILE_QEMU};

	for (int k = 0; k < 2; k++) {
		struct ppcvirt_state_objects o;
		struct world s, d;
		struct test_buf b = {0};
		struct ppcvirt_state_sink sk = sink_of(&b);

		world_init(&s, profs[k]);
		o = objs_of(&s, true);
		CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
		dest_init(&d, profs[1 - k]); /* the stream's profile wins */
		CHECK_EQ(load_into(&d, &b), 0);
		CHECK(same_vm(&s, &d));
		CHECK(same_tlb(s.tlb[0], d.tlb[0]));
		CHECK(same_tlb(s.tlb[1], d.tlb[1]));
		CHECK(same_answers(&s, &d));
		/* A second identical save of the destination loads again. */
		free(b.p);
		world_fini(&s);
		world_fini(&d);
	}
}

/* A 2^40-byte window with 1000 scattered entries saves in well under
 * 64 KiB: entries of untouched table pages cost nothing. */
static void sparse_is_small(void)
{
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	struct ppcvirt_create_spapr_tce_64 big = {
		.liobn = LBIG, .page_shift = 12, .size = 1ull << 28};
	struct tvm t;
	struct test_buf b = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);

	tvm_init(&t, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(t.vm, &big, NULL), 0);
	for (uint64_t i = 0; i < 1000; i++)
		CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, LBIG,
			     (i * 0x3fff1ull % (1ull << 28)) << 12,
			     ((i + 1) << 12) | RW, 0, NULL, NULL),
			 0);
	o.vm = t.vm;
	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
	printf("#   2^40-byte window, 1000 entries: %zu bytes\n", b.len);
	CHECK(b.len < 64 * 1024);
	free(b.p);
	tvm_fini(&t);
}

/* A small stream for the corruption tests: one of everything, small. */
static void small_stream(struct test_buf *b)
{
	struct world s;
	struct ppcvirt_state_objects o;
	struct ppcvirt_state_sink sk = sink_of(b);
	struct ppcvirt_phb_config cfg;

	memset(&s, 0, sizeof(s));
	tvm_init(&s.t, RAM, PPCVIRT_PROFILE_STRICT);
	ppcvirt_phb_config_default(&cfg, 1);
	cfg.dma_win_size = 1 << 20;
	CHECK_EQ(ppcvirt_phb_create(s.t.vm, &cfg, &s.phb), 0);
	for (uint64_t i = 0; i < 5; i++)
		put(&s, PPCVIRT_PHB_LIOBN(1, 0), i << 13, ((i + 1) << 12) | RW);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(s.t.vm, 0, 0x10000), 0);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500V2, &s.tlb[0]), 0);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &s.tlb[1]), 0);
	world_tlb(s.tlb[0], 3);
	o = objs_of(&s, true);
	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
	world_fini(&s);
}

/* Loading @bytes must fail with a clean error and leave @d untouched. */
static bool refused(struct world *d, uint8_t *bytes, size_t len)
{
	struct test_buf b = {bytes, len, len};
	int ret = load_into(d, &b);

	if (ret >= 0) {
		printf("#   a damaged stream of %zu bytes loaded\n", len);
		return false;
	}
	if (ppcvirt_vm_list_tces(d->t.vm, NULL, 0) != 0 ||
	    ppcvirt_last_error()[0] == 0)
		return false;
	return true;
}

static void hostile_streams(void)
{
	struct test_buf b = {0};
	struct world d;
	uint8_t *copy;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t first_end, fails = 0;

	small_stream(&b);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	copy = malloc(b.len);
	/* Every truncation. */
	for (size_t n = 0; n < b.len; n++)
		fails += !refused(&d, b.p, n);
	CHECK_EQ(fails, 0);
	/* Every single-bit flip of the header and the first section. */
	first_end = 32 + 16 + (size_t)(b.p[32 + 8] | b.p[32 + 9] << 8) + 8;
	for (size_t bit = 0; bit < first_end * 8; bit++) {
		memcpy(copy, b.p, b.len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		fails += !refused(&d, copy, b.len);
	}
	CHECK_EQ(fails, 0);
	/* Random flips (1 to 4 bits) of the rest. */
	for (int i = 0; i < 3000; i++) {
		memcpy(copy, b.p, b.len);
		for (int k = 0; k <= i % 4; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			copy[first_end + x % (b.len - first_end)] ^=
				(uint8_t)(1u << (x >> 60 & 7));
		}
		fails += !refused(&d, copy, b.len);
	}
	CHECK_EQ(fails, 0);
	/* Two streams glued together, the same stream twice, bytes after. */
	{
		uint8_t *two = malloc(b.len * 2);

		memcpy(two, b.p, b.len);
		memcpy(two + b.len, b.p, b.len);
		CHECK(refused(&d, two, b.len * 2));
		CHECK(refused(&d, two, b.len + 1));
		free(two);
	}
	/* And it still loads when intact. */
	CHECK_EQ(load_into(&d, &b), 0);
	free(copy);
	free(b.p);
	world_fini(&d);
}

/* ---- editing streams: sections re-checksummed, chain rebuilt ------------- */

struct sec {
	uint16_t id, version;
	uint8_t *p;
	uint64_t len;
};

static size_t split(const struct test_buf *b, struct sec *out, size_t max)
{
	size_t pos = 32, n = 0;

	while (pos + 16 <= b->len && n < max) {
		uint64_t len = 0;

		for (int i = 7; i >= 0; i--)
			len = len << 8 | b->p[pos + 8 + (size_t)i];
		out[n++] = (struct sec){
			.id = (uint16_t)(b->p[pos] | b->p[pos + 1] << 8),
			.version =
				(uint16_t)(b->p[pos + 2] | b->p[pos + 3] << 8),
			.p = b->p + pos + 16,
			.len = len,
		};
		pos += 16 + len + 8;
	}
	return n;
}

static void le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A valid stream from @hdr and sections (the end one is rebuilt). */
static void join(struct test_buf *out, const uint8_t *hdr, const struct sec *s,
		 size_t n)
{
	XXH3_state_t *chain = XXH3_createState();
	uint8_t h[16], sum[8];
	uint64_t count = 0;

	out->len = 0;
	XXH3_64bits_reset(chain);
	test_buf_write(out, hdr, 32);
	XXH3_64bits_update(chain, hdr, 32);
	for (size_t i = 0; i <= n; i++) {
		uint8_t endp[16];
		struct sec e = {0xffff, 1, endp, 16};
		const struct sec *c = &s[i];
		size_t at;

		if (i == n) {
			le(endp, count, 8);
			le(endp + 8, XXH3_64bits_digest(chain), 8);
			c = &e;
		} else if (s[i].id == 0xffff) {
			continue;
		}
		le(h, c->id, 2);
		le(h + 2, c->version, 2);
		le(h + 4, 0, 4);
		le(h + 8, c->len, 8);
		at = out->len;
		test_buf_write(out, h, 16);
		test_buf_write(out, c->p, c->len);
		le(sum, XXH3_64bits(out->p + at, 16 + c->len), 8);
		test_buf_write(out, sum, 8);
		if (i < n) {
			XXH3_64bits_update(chain, sum, 8);
			count++;
		}
	}
	XXH3_freeState(chain);
}

static void version_skew(void)
{
	struct test_buf b = {0}, e = {0};
	struct sec s[64], extra[65];
	uint8_t hdr[32], junk[24] = {1, 2, 3};
	size_t n;
	struct world d;

	small_stream(&b);
	n = split(&b, s, 64);
	memcpy(hdr, b.p, 32);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	/* Rebuilding the stream as it is gives the same bytes. */
	join(&e, hdr, s, n);
	CHECK(e.len == b.len && memcmp(e.p, b.p, b.len) == 0);
	/* A newer stream version: -EPROTO. */
	le(hdr + 8, 2, 4);
	join(&e, hdr, s, n);
	CHECK_EQ(load_into(&d, &e), -EPROTO);
	le(hdr + 8, 1, 4);
	/* A newer version of a known section: -EPROTO. */
	s[0].version = 2;
	join(&e, hdr, s, n);
	CHECK_EQ(load_into(&d, &e), -EPROTO);
	CHECK(strstr(ppcvirt_last_error(), "vm") != NULL);
	s[0].version = 1;
	/* Sections out of order: -EBADMSG. */
	{
		struct sec t = s[0];

		s[0] = s[1];
		s[1] = t;
		join(&e, hdr, s, n);
		CHECK_EQ(load_into(&d, &e), -EBADMSG);
		s[1] = s[0];
		s[0] = t;
	}
	/* A section a newer writer added (unknown id) is skipped. */
	extra[0] = s[0];
	extra[1] = (struct sec){0x4321, 7, junk, sizeof(junk)};
	memcpy(&extra[2], &s[1], (n - 1) * sizeof(s[0]));
	join(&e, hdr, extra, n + 1);
	CHECK_EQ(load_into(&d, &e), 0);
	free(b.p);
	free(e.p);
	world_fini(&d);
}

static void destination_checks(void)
{
	struct test_buf b = {0};
	struct world d;
	struct ppcvirt_tlb *swap;

	small_stream(&b);
	/* Guest memory the destination lacks. */
	memset(&d, 0, sizeof(d));
	tvm_init(&d.t, 1 << 20, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500V2, &d.tlb[0]), 0);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &d.tlb[1]), 0);
	CHECK_EQ(load_into(&d, &b), -ENXIO);
	CHECK(strstr(ppcvirt_last_error(), "memory") != NULL);
	CHECK_EQ(ppcvirt_vm_list_tces(d.t.vm, NULL, 0), 0);
	world_fini(&d);
	/* TLB cores swapped. */
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	swap = d.tlb[0];
	d.tlb[0] = d.tlb[1];
	d.tlb[1] = swap;
	CHECK_EQ(load_into(&d, &b), -ENODEV);
	CHECK_EQ(ppcvirt_vm_list_tces(d.t.vm, NULL, 0), 0);
	swap = d.tlb[0];
	d.tlb[0] = d.tlb[1];
	d.tlb[1] = swap;
	/* A destination with a table already. */
	CHECK_EQ(tvm_table(&d.t, 0x42, 12, 0, 16), 0);
	CHECK_EQ(load_into(&d, &b), -EEXIST);
	CHECK_EQ(ppcvirt_vm_list_tces(d.t.vm, NULL, 0), 1);
	CHECK_EQ(ppcvirt_vm_remove_tce(d.t.vm, 0x42), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	/* ... and loading it twice is the same mistake. */
	CHECK_EQ(load_into(&d, &b), -EEXIST);
	free(b.p);
	world_fini(&d);
}

/*
 * The version-1 reference stream (tests/state/v1.pcvstate), kept and
 * loaded for ever: made once with world_init()'s recipe, strict profile.
 * The values checked here are that recipe's, not read back from a save.
 */
static void reference_v1(void)
{
	char path[512];
	FILE *f;
	struct test_buf b = {0};
	struct world d;
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/state/v1.pcvstate", TESTS_DIR);
	/* Set PPCVIRT_WRITE_REFERENCE=1 to write it again: only after a
	 * format change that bumps the version, never otherwise. */
	if (getenv("PPCVIRT_WRITE_REFERENCE")) {
		struct world s;
		struct ppcvirt_state_objects o;
		struct test_buf w = {0};
		struct ppcvirt_state_sink sk = sink_of(&w);

		world_init(&s, PPCVIRT_PROFILE_STRICT);
		o = objs_of(&s, true);
		CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
		f = fopen(path, "wb");
		if (CHECK(f != NULL)) {
			fwrite(w.p, 1, w.len, f);
			fclose(f);
		}
		free(w.p);
		world_fini(&s);
	}
	f = fopen(path, "rb");
	if (!CHECK(f != NULL))
		return;
	b.cap = 1 << 20;
	b.p = malloc(b.cap);
	b.len = fread(b.p, 1, b.cap, f);
	fclose(f);
	dest_init(&d, PPCVIRT_PROFILE_QEMU);
	CHECK_EQ(load_into(&d, &b), 0);
	CHECK_EQ(ppcvirt_vm_get_profile(d.t.vm), PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vm_list_tces(d.t.vm, NULL, 0), 4);
	CHECK_EQ(ppcvirt_tce_get(d.t.vm, PPCVIRT_PHB_LIOBN(1, 0), 37, &v), 0);
	CHECK_EQ_U64(v, (2 << 12) | 2);
	CHECK_EQ(ppcvirt_tce_get(d.t.vm, LV, 99, &v), 0);
	CHECK_EQ_U64(v, 0x60000 | PPCVIRT_TCE_READ);
	CHECK_EQ(ppcvirt_tce_get(d.t.vm, LBIG, 999 * 0x3fff1ull % (1ull << 28),
				 &v),
		 0);
	CHECK_EQ_U64(v, (1000ull << 12) | RW);
	CHECK_EQ(ppcvirt_phb_window_enabled(d.phb, 1), 1);
	CHECK_EQ(ppcvirt_tlb_get_pid(d.tlb[0], 2), 0x33);
	CHECK_EQ(ppcvirt_tlb_get_pid(d.tlb[1], 0), 0x14);
	free(b.p);
	world_fini(&d);
}

/* Device DMA marks guest pages dirty, like KVM_GET_DIRTY_LOG. */
static void dma_dirty_log(void)
{
	struct tvm t;
	uint8_t pkt[9000] = {1}, bits[RAM / 4096 / 8];
	struct ppcvirt_dma_seg segs[4];
	size_t n = 4;
	const uint64_t L = 0x80000000;

	tvm_init(&t, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&t, L, 12, 0, 64), 0);
	for (uint64_t i = 0; i < 8; i++)
		CHECK_EQ(ppcvirt_tce_put(t.vm, L, i,
					 ((0x100 + i * 2) << 12) | RW),
			 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)),
		 -EINVAL); /* logging is off */
	CHECK_EQ(ppcvirt_dma_write(t.vm, L, 0x800, pkt, sizeof(pkt)), 0);
	CHECK_EQ(ppcvirt_vm_dirty_log_start(t.vm), 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, 8), -EINVAL);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 7, bits, sizeof(bits)),
		 -ENOENT);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)), 0);
	/* 9000 bytes from IOBA 0x800 touch IOMMU pages 0, 1 and 2: guest
	 * pages 0x100, 0x102 and 0x104. */
	CHECK_EQ(ppcvirt_dma_write(t.vm, L, 0x800, pkt, sizeof(pkt)), 0);
	CHECK_EQ(ppcvirt_dma_read(t.vm, L, 0x5000, pkt, 100), 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)), 3);
	CHECK_EQ(bits[0x100 / 8], 0x15); /* bits 0, 2, 4 of byte 0x20 */
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)), 0);
	/* A writable mapping reports when released; a read-only one not. */
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, 0x6000, 0x2000,
				 PPCVIRT_DMA_FROM_DEVICE, segs, &n),
		 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)), 0);
	CHECK_EQ(ppcvirt_dma_release(t.vm, segs, n), 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)), 2);
	n = 4;
	CHECK_EQ(ppcvirt_dma_map(t.vm, L, 0x6000, 0x2000, PPCVIRT_DMA_TO_DEVICE,
				 segs, &n),
		 0);
	CHECK_EQ(ppcvirt_dma_release(t.vm, segs, n), 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)), 0);
	CHECK_EQ(ppcvirt_vm_mark_dirty(t.vm, 0x3000, 1), 0);
	CHECK_EQ(ppcvirt_vm_mark_dirty(t.vm, RAM, 1), -EFAULT);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)), 1);
	CHECK_EQ(bits[0], 0x08);
	/* A slot added while logging is logged too. */
	CHECK_EQ(ppcvirt_vm_alloc_memory(t.vm, 2, 1ull << 32, 1 << 20, NULL,
					 NULL),
		 0);
	CHECK_EQ(ppcvirt_vm_mark_dirty(t.vm, (1ull << 32) + 0x2000, 0x2000), 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 2, bits, sizeof(bits)), 2);
	CHECK_EQ(ppcvirt_vm_dirty_log_stop(t.vm), 0);
	CHECK_EQ(ppcvirt_vm_get_dirty_log(t.vm, 0, bits, sizeof(bits)),
		 -EINVAL);
	tvm_fini(&t);
}

static void enumeration(void)
{
	struct world s;
	uint64_t l[8];
	int fd;
	uint64_t *m;

	world_init(&s, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vm_list_tces(s.t.vm, NULL, 0), 4);
	CHECK_EQ(ppcvirt_vm_list_tces(s.t.vm, l, 2), 4);
	CHECK_EQ(ppcvirt_vm_list_tces(s.t.vm, l, 8), 4);
	CHECK_EQ(ppcvirt_vm_list_tces(NULL, l, 8), -EINVAL);
	fd = ppcvirt_vm_tce_fd(s.t.vm, LV);
	CHECK(fd >= 0);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (CHECK(m != MAP_FAILED)) {
		CHECK_EQ_U64(m[99], 0x60000 | PPCVIRT_TCE_READ);
		munmap(m, 4096);
	}
	close(fd);
	CHECK_EQ(ppcvirt_vm_tce_fd(s.t.vm, 0x1234), -ENOENT);
	world_fini(&s);
}

/* Live migration without concurrency: passes, then the stop-and-copy,
 * give the source's state; tables created and removed between passes
 * follow. (test_conc_migrate does it with running vCPUs.) */
static void migration_passes(void)
{
	struct world s, d;
	struct ppcvirt_state_objects o;
	struct ppcvirt_migration *m;
	struct ppcvirt_migration_pass st;
	struct test_buf b = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);
	struct ppcvirt_create_spapr_tce_64 late = {
		.liobn = 0x5555, .page_shift = 12, .size = 32};

	world_init(&s, PPCVIRT_PROFILE_STRICT);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	o = objs_of(&s, true);
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	CHECK_EQ(ppcvirt_migration_start(&o, &m), -EBUSY);
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	CHECK_EQ(st.pass, 1);
	CHECK_EQ(load_into(&d, &b), 0);
	/* Pass 2: a few writes, a new table, a removed one. */
	put(&s, LBIG, 7 << 12, 0x7000 | RW);
	put(&s, PPCVIRT_PHB_LIOBN(1, 0), 37 << 12, 0);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(s.t.vm, &late, NULL), 0);
	put(&s, 0x5555, 3 << 12, 0x3000 | RW);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	CHECK_EQ(st.pass, 2);
	CHECK(st.entries <= 3);
	CHECK_EQ(load_into(&d, &b), 0);
	/* Loading a pass twice, or out of order, is refused. */
	CHECK_EQ(load_into(&d, &b), -EPROTO);
	CHECK_EQ(ppcvirt_vm_remove_tce(s.t.vm, 0x5555), 0);
	put(&s, LV, (3 + 7) << 16, 0x70000 | RW);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_finish(m, &sk, &st), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	CHECK(same_vm(&s, &d));
	CHECK(same_tlb(s.tlb[0], d.tlb[0]));
	CHECK(same_answers(&s, &d));
	/* Tracking stopped: a new migration may start. */
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	ppcvirt_migration_cancel(m);
	free(b.p);
	world_fini(&s);
	world_fini(&d);
}

/* A sink that fails after @left bytes (a broken connection mid-pass). */
struct failing {
	struct test_buf *b;
	size_t left;
};

static int failing_write(void *opaque, const void *data, size_t len)
{
	struct failing *f = opaque;

	if (len > f->left)
		return -EPIPE;
	f->left -= len;
	return test_buf_write(f->b, data, len);
}

/* state.h: after a sink error "the migration can go on with another
 * pass". The failed pass never reached the destination whole (it cannot
 * load a cut stream), so what it had taken from the dirty log must come
 * again in the next pass: the destination ends equal to the source. */
static void migration_failed_pass(void)
{
	struct world s, d;
	struct ppcvirt_state_objects o;
	struct ppcvirt_migration *m;
	struct ppcvirt_migration_pass st;
	struct test_buf b = {0}, cut = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);
	struct failing f = {&cut, 0};
	struct ppcvirt_state_sink bad = {failing_write, &f};

	world_init(&s, PPCVIRT_PROFILE_STRICT);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	o = objs_of(&s, true);
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	/* Writes in every table, then a pass cut after its first 600
	 * bytes (past the small sections, inside the table diffs). */
	put(&s, LBIG, 7 << 12, 0x7000 | RW);
	put(&s, LV, (3 + 9) << 16, 0x90000 | RW);
	put(&s, PPCVIRT_PHB_LIOBN(1, 0), 37 << 12, 0);
	f.left = 600;
	CHECK_EQ(ppcvirt_migration_pass(m, &bad, &st), -EPIPE);
	CHECK(load_into(&d, &cut) != 0);
	/* A cut at every other point too: the marks are never lost. */
	put(&s, LBIG, 8 << 12, 0x8000 | RW);
	cut.len = 0;
	f.left = 64;
	CHECK_EQ(ppcvirt_migration_pass(m, &bad, &st), -EPIPE);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_finish(m, &sk, &st), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	CHECK(same_vm(&s, &d));
	CHECK(same_answers(&s, &d));
	free(b.p);
	free(cut.p);
	world_fini(&s);
	world_fini(&d);
}

/* Registered ranges, whatever the order they were registered in, round
 * trip (the loader wants them ascending), and their number is bounded
 * (iommu.h), so a VM's REGIONS section always fits its size limit. */
static void registered_ranges(void)
{
	struct world s, d;
	struct ppcvirt_state_objects o;
	struct test_buf b = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);

	world_init(&s, PPCVIRT_PROFILE_STRICT);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	/* world_init registered 0x100000+0x200000; add above and below. */
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(s.t.vm, 0x800000, 0x1000), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(s.t.vm, 0x10000, 0x1000), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(s.t.vm, 0x400000, 0x1000), 0);
	o = objs_of(&s, true);
	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	CHECK(same_vm(&s, &d));
	/* Registered on the destination: a second register is -EEXIST. */
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(d.t.vm, 0x10000, 0x1000),
		 -EEXIST);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(d.t.vm, 0x400000, 0x1000),
		 -EEXIST);
	free(b.p);
	world_fini(&s);
	world_fini(&d);
}

static void registered_ranges_bounded(void)
{
	struct tvm t;
	int ret = 0;
	uint64_t i;

	tvm_init(&t, RAM, PPCVIRT_PROFILE_STRICT);
	/* RAM is 16 MiB: 4096 ranges of 4 KiB fill it exactly. */
	CHECK_EQ_U64(RAM / 4096, PPCVIRT_MAX_IOMMU_REGIONS);
	for (i = 0; i < PPCVIRT_MAX_IOMMU_REGIONS && !ret; i++)
		ret = ppcvirt_vm_register_iommu_memory(
			t.vm, (PPCVIRT_MAX_IOMMU_REGIONS - 1 - i) << 12,
			0x1000);
	CHECK_EQ(ret, 0);
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(t.vm, 0, 0x1000), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(t.vm, 0, 0x1000), 0);
	tvm_fini(&t);
	tvm_init(&t, 2 * RAM, PPCVIRT_PROFILE_STRICT);
	ret = 0;
	for (i = 0; i < PPCVIRT_MAX_IOMMU_REGIONS && !ret; i++)
		ret = ppcvirt_vm_register_iommu_memory(t.vm, i << 13, 0x1000);
	CHECK_EQ(ret, 0);
	/* A free, valid range between two registered ones: still refused. */
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(t.vm, 0x1000, 0x1000),
		 -ENOSPC);
	tvm_fini(&t);
}

/*
 * Passes that reach table pages the destination does not have yet, with
 * marks spread over dirty-log pages that have holes between them. A table
 * of 2^20 entries of 4 KiB: 512 entries a table page, 32768 a page of its
 * dirty log. The destination ends equal to the source, and an entry set
 * and cleared between two passes arrives as a zero, which gives the
 * destination no table page for it (table memory follows the non-zero
 * entries, include/ppcvirt/tce.h).
 */
static void migration_new_pages(void)
{
	const uint64_t l = 0x4200, n = 1ull << 20;
	/* Pass 2: table pages 5, 700, 1500 and the last (log pages 0, 10,
	 * 23 and 31); a run over pages 1 and 2; two entries on each side
	 * of entry 4096; entry 900 * 512 + 2 set, then cleared. */
	const uint64_t pass2[] = {5 * 512 + 1, 700 * 512 + 7, 1500 * 512 + 511,
				  n - 1,       1023,	      1024,
				  1025,	       4095,	      4096};
	const uint64_t cleared = 900 * 512 + 2;
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = l, .page_shift = 12, .size = n};
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	struct ppcvirt_state_load la = {.size = sizeof(la)};
	struct ppcvirt_migration *m;
	struct ppcvirt_migration_pass st;
	struct ppcvirt_tce_info is, id;
	struct test_buf b = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);
	struct tvm s, d;
	uint64_t differ = 0;

	tvm_init(&s, RAM, PPCVIRT_PROFILE_STRICT);
	tvm_init(&d, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(s.vm, &a, NULL), 0);
	CHECK_EQ(thc(&s, PPCVIRT_H_PUT_TCE, l, 3 << 12, 0x3000 | RW, 0, NULL,
		     NULL),
		 0);
	o.vm = s.vm;
	la.vm = d.vm;
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	CHECK_EQ(ppcvirt_state_load(&la, b.p, b.len), 0);
	for (size_t i = 0; i < sizeof(pass2) / sizeof(pass2[0]); i++)
		CHECK_EQ(thc(&s, PPCVIRT_H_PUT_TCE, l, pass2[i] << 12,
			     ((i + 1) << 12) | RW, 0, NULL, NULL),
			 0);
	CHECK_EQ(thc(&s, PPCVIRT_H_PUT_TCE, l, cleared << 12, 0x9000 | RW, 0,
		     NULL, NULL),
		 0);
	CHECK_EQ(thc(&s, PPCVIRT_H_PUT_TCE, l, cleared << 12, 0, 0, NULL, NULL),
		 0);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	/* Every marked entry, the cleared one too. */
	CHECK_EQ_U64(st.entries, sizeof(pass2) / sizeof(pass2[0]) + 1);
	CHECK_EQ(ppcvirt_state_load(&la, b.p, b.len), 0);
	/* Stop-and-copy: pages the destination has now. */
	CHECK_EQ(thc(&s, PPCVIRT_H_PUT_TCE, l, pass2[0] << 12, 0xa000 | RW, 0,
		     NULL, NULL),
		 0);
	CHECK_EQ(thc(&s, PPCVIRT_H_PUT_TCE, l, 3 << 12, 0, 0, NULL, NULL), 0);
	CHECK_EQ(thc(&s, PPCVIRT_H_PUT_TCE, l, (700 * 512 + 8) << 12,
		     0xb000 | RW, 0, NULL, NULL),
		 0);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_finish(m, &sk, &st), 0);
	CHECK_EQ_U64(st.entries, 3);
	CHECK_EQ(ppcvirt_state_load(&la, b.p, b.len), 0);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t vs = 1, vd = 2;

		ppcvirt_tce_get(s.vm, l, i, &vs);
		ppcvirt_tce_get(d.vm, l, i, &vd);
		if (vs != vd && differ++ == 0)
			CHECK_EQ_U64(vd, vs);
	}
	CHECK_EQ_U64(differ, 0);
	/* The source has a page for the cleared entry, the destination not. */
	CHECK_EQ(ppcvirt_vm_tce_info(s.vm, l, &is), 0);
	CHECK_EQ(ppcvirt_vm_tce_info(d.vm, l, &id), 0);
	CHECK_EQ_U64(id.resident_bytes + 4096, is.resident_bytes);
	free(b.p);
	tvm_fini(&s);
	tvm_fini(&d);
}

/* A later pass must leave the destination's PHBs consistent even when it
 * does not carry them: a window the PHB has enabled keeps its table, of
 * the PHB's geometry. Otherwise the destination holds a PHB without its
 * window, and its own checkpoint no longer loads. */
static void pass_keeps_phb_windows(void)
{
	const uint64_t win = PPCVIRT_PHB_LIOBN(1, 0);
	struct world s, d;
	struct ppcvirt_state_objects o;
	struct ppcvirt_migration *m;
	struct test_buf b = {0}, e = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);
	struct sec in[64], out[64];
	uint8_t vm[32], gone[8], hdr[32];
	size_t n, k = 0;
	uint64_t v = 0;

	world_init(&s, PPCVIRT_PROFILE_STRICT);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	o = objs_of(&s, true);
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, NULL), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, NULL), 0);
	ppcvirt_migration_cancel(m);
	/* Pass 2 without its PHB section, and the PHB's default window gone
	 * instead of diffed. */
	n = split(&b, in, 64);
	memcpy(hdr, b.p, 32);
	le(gone, win, 8);
	for (size_t i = 0; i < n; i++) {
		bool of_win = (in[i].id == PPCVIRT_STATE_SEC_TABLE_DIFF ||
			       in[i].id == 9 /* runs */) &&
			      in[i].len >= 8 && memcmp(in[i].p, gone, 8) == 0;

		if (in[i].id == PPCVIRT_STATE_SEC_VM &&
		    CHECK_EQ(in[i].len, 32)) {
			memcpy(vm, in[i].p, 32);
			le(vm + 16, (vm[16] | vm[17] << 8) - 1u,
			   4);		   /* tables */
			le(vm + 20, 0, 4); /* PHBs */
			out[k] = in[i];
			out[k++].p = vm;
		} else if (of_win && in[i].id != 9) {
			out[k++] = (struct sec){PPCVIRT_STATE_SEC_TABLE_GONE, 1,
						gone, 8};
		} else if (!of_win && in[i].id != PPCVIRT_STATE_SEC_PHB) {
			out[k++] = in[i];
		}
	}
	join(&e, hdr, out, k);
	CHECK(ppcvirt_state_verify(e.p, e.len, NULL, NULL, NULL) == 0);
	CHECK_EQ(load_into(&d, &e), -EINVAL);
	CHECK(strstr(ppcvirt_last_error(), "PHB") != NULL ||
	      strstr(ppcvirt_last_error(), "phb") != NULL);
	CHECK_EQ(ppcvirt_tce_get(d.t.vm, win, 37, &v), 0);
	CHECK_EQ_U64(v, (2 << 12) | 2);
	CHECK_EQ(ppcvirt_phb_window_enabled(d.phb, 0), 1);
	/* The destination still saves a checkpoint that loads. */
	{
		struct world d2;
		struct ppcvirt_state_objects od = objs_of(&d, true);

		b.len = 0;
		CHECK_EQ(ppcvirt_state_save(&od, &sk), 0);
		dest_init(&d2, PPCVIRT_PROFILE_STRICT);
		CHECK_EQ(load_into(&d2, &b), 0);
		world_fini(&d2);
	}
	free(b.p);
	free(e.p);
	world_fini(&s);
	world_fini(&d);
}

/* A PHB's disabled window is no table: a stream that says window 1 is
 * disabled but carries a table on its LIOBN is refused (the PHB would
 * fail to create that window later, its LIOBN taken). */
static void disabled_window_is_no_table(void)
{
	struct world s, d;
	struct ppcvirt_state_objects o;
	struct test_buf b = {0}, e = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);
	struct sec in[64];
	uint8_t phb[256], hdr[32];
	size_t n;

	world_init(&s, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_phb_window_enabled(s.phb, 1), 1);
	o = objs_of(&s, true);
	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
	n = split(&b, in, 64);
	memcpy(hdr, b.p, 32);
	for (size_t i = 0; i < n; i++) {
		if (in[i].id != PPCVIRT_STATE_SEC_PHB ||
		    !CHECK(in[i].len <= sizeof(phb)))
			continue;
		/* Window 1's "enabled" word: after the 48-byte configuration
		 * and window 0's 32 bytes (docs/migration.md). */
		memcpy(phb, in[i].p, in[i].len);
		le(phb + 48 + 32, 0, 4);
		in[i].p = phb;
	}
	join(&e, hdr, in, n);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(load_into(&d, &e), -EINVAL);
	CHECK(strstr(ppcvirt_last_error(), "window 1") != NULL);
	CHECK_EQ(ppcvirt_vm_list_tces(d.t.vm, NULL, 0), 0);
	free(b.p);
	free(e.p);
	world_fini(&s);
	world_fini(&d);
}

/* Whatever a source's table holds, its checkpoint loads: an entry the
 * VMM wrote with ppcvirt_tce_put() (no guest rules, tce.h) naming memory
 * that is not guest RAM, in the strict profile, arrives as it was and
 * maps nothing on either side (a device's access faults). */
static void entries_outside_ram(void)
{
	struct world s, d;
	struct ppcvirt_state_objects o;
	struct test_buf b = {0};
	struct ppcvirt_state_sink sk = {test_buf_write, &b};
	uint64_t v = 0, outside = (RAM + (64ull << 20)) | RW;
	uint8_t byte;

	world_init(&s, PPCVIRT_PROFILE_STRICT);
	dest_init(&d, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_tce_put(s.t.vm, LBIG, 5, outside), 0);
	CHECK_EQ(ppcvirt_dma_read(s.t.vm, LBIG, 5ull << 12, &byte, 1), -EFAULT);
	o = objs_of(&s, true);
	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
	CHECK_EQ(load_into(&d, &b), 0);
	CHECK_EQ(ppcvirt_tce_get(d.t.vm, LBIG, 5, &v), 0);
	CHECK_EQ_U64(v, outside);
	CHECK_EQ(ppcvirt_dma_read(d.t.vm, LBIG, 5ull << 12, &byte, 1), -EFAULT);
	CHECK(same_vm(&s, &d));
	free(b.p);
	world_fini(&s);
	world_fini(&d);
}

/* ppcvirt_state_verify() describes a stream without a VM. */
static unsigned nsec_seen, tables_seen, tlbs_seen;
static struct ppcvirt_state_section phb_seen, tlb_seen[2];

static void on_section(void *opaque, const struct ppcvirt_state_section *s)
{
	(void)opaque;
	nsec_seen++;
	if (s->id == PPCVIRT_STATE_SEC_TABLE)
		tables_seen++;
	if (s->id == PPCVIRT_STATE_SEC_PHB)
		phb_seen = *s;
	if (s->id == PPCVIRT_STATE_SEC_TLB && tlbs_seen < 2)
		tlb_seen[tlbs_seen++] = *s;
}

static void verify_describes(void)
{
	struct test_buf b = {0};
	struct ppcvirt_state_info info;

	small_stream(&b);
	nsec_seen = tables_seen = tlbs_seen = 0;
	CHECK_EQ(ppcvirt_state_verify(b.p, b.len, &info, on_section, NULL), 0);
	CHECK_EQ(info.version, 1);
	CHECK_EQ(info.pass, 0);
	CHECK_EQ_U64(info.sections, nsec_seen);
	CHECK_EQ(tables_seen, 1); /* the PHB's default window */
	/* small_stream()'s recipe: PHB 1 with QEMU's defaults but a 1 MiB
	 * default window; TLB 0 filled by world_tlb(), TLB 1 left empty. */
	CHECK_EQ_U64(phb_seen.buid, PPCVIRT_PHB_BASE_BUID + 1);
	CHECK_EQ(phb_seen.phb_index, 1);
	CHECK_EQ(phb_seen.windows_supported, 2);
	CHECK_EQ(phb_seen.windows[0].enabled, 1);
	CHECK_EQ(phb_seen.windows[0].def_win, 1);
	CHECK_EQ(phb_seen.windows[0].page_shift, 12);
	CHECK_EQ_U64(phb_seen.windows[0].bus_offset, 0);
	CHECK_EQ_U64(phb_seen.windows[0].entries, (1 << 20) >> 12);
	CHECK_EQ(phb_seen.windows[1].enabled, 0);
	CHECK_EQ(phb_seen.tlb_core, 0);
	CHECK_EQ(tlbs_seen, 2);
	CHECK_EQ(tlb_seen[0].tlb_core, PPCVIRT_BOOKE_E500V2);
	CHECK_EQ(tlb_seen[0].tlb_sizes[0], 512);
	CHECK_EQ(tlb_seen[0].tlb_ways[0], 4);
	CHECK_EQ(tlb_seen[0].tlb_sizes[1], 16);
	CHECK_EQ(tlb_seen[0].tlb_ways[1], 16);
	/* world_tlb(): eight TLB0 entries in sets 0..7, one TLB1 entry. */
	CHECK_EQ(tlb_seen[0].tlb_valid[0], 8);
	CHECK_EQ(tlb_seen[0].tlb_valid[1], 1);
	CHECK_EQ(tlb_seen[0].liobn, 0);
	CHECK_EQ(tlb_seen[0].buid, 0);
	CHECK_EQ(tlb_seen[1].tlb_core, PPCVIRT_BOOKE_E500MC);
	CHECK_EQ(tlb_seen[1].tlb_sizes[1], 64);
	CHECK_EQ(tlb_seen[1].tlb_valid[0], 0);
	CHECK_EQ(tlb_seen[1].tlb_valid[1], 0);
	CHECK_EQ(ppcvirt_state_verify(b.p, b.len - 1, &info, NULL, NULL),
		 -EBADMSG);
	CHECK(strstr(ppcvirt_last_error(), "section") != NULL);
	free(b.p);
}

/* ---- seeds of the fuzz_state_load target ----------------------------------
 *
 * Small valid streams of every kind of section, from sources with the
 * target's guest memory (tests/fuzz/state_layout.h). Made here on every
 * run so the recipes stay working; written to the corpus with
 * PPCVIRT_WRITE_FUZZ_SEEDS=1 (commit them then: a migration's id is
 * random, so they change every time). Seeds named ok-* must load (the
 * fuzz_state_load_seeds test checks the committed ones).
 */

static void seed_vm(struct tvm *t, enum ppcvirt_profile prof)
{
	CHECK(tvm_init(t, FZ_STATE_SLOT0_SIZE, prof));
	CHECK_EQ(ppcvirt_vm_alloc_memory(t->vm, 1, FZ_STATE_SLOT1_GPA,
					 FZ_STATE_SLOT1_SIZE, NULL, NULL),
		 0);
}

/* A TLB of @core with a small geometry (16/2 + 4): a few hundred bytes. */
static struct ppcvirt_tlb *seed_tlb(enum ppcvirt_booke_core core, unsigned salt)
{
	struct ppcvirt_book3e_206_tlb_params geo = {.tlb_sizes = {16, 4},
						    .tlb_ways = {2, 4}};
	struct ppcvirt_tlb *tlb = NULL;

	CHECK_EQ(ppcvirt_tlb_create(core, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_set_geometry(tlb, &geo), 0);
	world_tlb(tlb, salt);
	return tlb;
}

static void seed_save(struct test_buf *b, struct ppcvirt_vm *vm,
		      struct ppcvirt_phb *const *phbs, uint32_t nphbs,
		      struct ppcvirt_tlb *const *tlbs, uint32_t ntlbs,
		      const struct ppcvirt_state_blob *blobs, uint32_t nblobs)
{
	struct ppcvirt_state_objects o = {
		.size = sizeof(o),
		.vm = vm,
		.phbs = phbs,
		.nphbs = nphbs,
		.tlbs = tlbs,
		.ntlbs = ntlbs,
		.blobs = blobs,
		.nblobs = nblobs,
	};
	struct ppcvirt_state_sink sk = sink_of(b);

	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);
}

static void seed_write(const char *name, const struct test_buf *b)
{
	char path[512];
	FILE *f;

	printf("#   seed %s: %zu bytes\n", name, b->len);
	CHECK(b->len > 0 && b->len <= 8192);
	if (!getenv("PPCVIRT_WRITE_FUZZ_SEEDS"))
		return;
	snprintf(path, sizeof(path), "%s/fuzz/corpus/fuzz_state_load/%s",
		 TESTS_DIR, name);
	f = fopen(path, "wb");
	if (CHECK(f != NULL)) {
		CHECK_EQ(fwrite(b->p, 1, b->len, f), b->len);
		fclose(f);
	}
}

/* Strict: a 64K-page VMM-only table, a 4K table mapping both slots,
 * registered memory in both, two hcalls off, the slow tier only. */
static void seed_strict(void)
{
	struct ppcvirt_create_spapr_tce_64 vio = {.liobn = 0x1001,
						  .page_shift = 16,
						  .flags = PPCVIRT_TCE_VMM_ONLY,
						  .offset = 3,
						  .size = 100};
	struct ppcvirt_enable_cap off = {.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
					 .args = {PPCVIRT_H_STUFF_TCE, 0}};
	struct test_buf b = {0};
	struct tvm t;

	seed_vm(&t, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(t.vm, &vio, NULL), 0);
	CHECK_EQ(tvm_table(&t, 0x2002, 12, 1ull << 30, 600), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x1001, 0, 0x10000 | RW), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x1001, 99, 0x7f0000 | 1), 0);
	for (uint64_t i = 0; i < 12; i++)
		CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, 0x2002,
			     (1ull << 30) + ((i * 47) << 12),
			     (i & 1 ? FZ_STATE_SLOT1_GPA : 0) + (i << 12) +
				     (i % 3 + 1),
			     0, NULL, NULL),
			 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(t.vm, 0x100000, 0x200000), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(t.vm, FZ_STATE_SLOT1_GPA,
						  0x1000),
		 0);
	CHECK_EQ(ppcvirt_vm_enable_cap(t.vm, &off), 0);
	off.args[0] = PPCVIRT_H_PUT_TCE_INDIRECT;
	CHECK_EQ(ppcvirt_vm_enable_cap(t.vm, &off), 0);
	CHECK_EQ(ppcvirt_vm_set_tiers(t.vm, 1u << PPCVIRT_TIER_SLOW), 0);
	seed_save(&b, t.vm, NULL, 0, NULL, 0, NULL, 0);
	seed_write("ok-ckpt-strict", &b);
	free(b.p);
	tvm_fini(&t);
}

/* QEMU: what the strict profile refuses is state here (entries outside
 * guest memory, stray bits below the page), 16M pages. */
static void seed_qemu(void)
{
	struct test_buf b = {0};
	struct tvm t;

	seed_vm(&t, PPCVIRT_PROFILE_QEMU);
	CHECK_EQ(tvm_table(&t, 0x3003, 24, 1ull << 32, 64), 0);
	CHECK_EQ(tvm_table(&t, 0x71000002, 12, 0, 256), 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, 0x3003, (1ull << 32) + (5 << 24),
		     (1ull << 40) | RW, 0, NULL, NULL),
		 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, 0x3003, (1ull << 32) + (6 << 24),
		     0x123456 | PPCVIRT_TCE_READ, 0, NULL, NULL),
		 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_STUFF_TCE, 0x71000002, 0x10000,
		     0x5000 | PPCVIRT_TCE_WRITE, 20, NULL, NULL),
		 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x71000002, 255, ~0ull), 0);
	seed_save(&b, t.vm, NULL, 0, NULL, 0, NULL, 0);
	seed_write("ok-ckpt-qemu", &b);
	free(b.p);
	tvm_fini(&t);
}

/* A 2^40-byte window with scattered entries and a run across a table
 * page (512 entries). */
static void seed_sparse(void)
{
	struct test_buf b = {0};
	struct tvm t;

	seed_vm(&t, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&t, LBIG, 12, 0, 1ull << 28), 0);
	for (uint64_t i = 0; i < 24; i++)
		CHECK_EQ(ppcvirt_tce_put(t.vm, LBIG,
					 i * 0x3fff1ull % (1ull << 28),
					 ((i + 1) << 12) | RW),
			 0);
	for (uint64_t i = 500; i < 530; i++)
		CHECK_EQ(ppcvirt_tce_put(t.vm, LBIG, i, (i << 12) | 1), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, LBIG, (1ull << 28) - 1, 0x2000 | 2), 0);
	seed_save(&b, t.vm, NULL, 0, NULL, 0, NULL, 0);
	seed_write("ok-sparse", &b);
	free(b.p);
	tvm_fini(&t);
}

/* Three PHBs: DDW with the default window replaced by a 64K one; DDW
 * with both windows; DDW off. */
static void seed_phbs(void)
{
	struct ppcvirt_phb *phb[3];
	struct ppcvirt_phb_config cfg;
	struct test_buf b = {0};
	struct tvm t;
	uint64_t liobn, start;

	seed_vm(&t, PPCVIRT_PROFILE_STRICT);
	for (uint32_t i = 0; i < 3; i++) {
		ppcvirt_phb_config_default(&cfg, i + 1);
		cfg.dma_win_size = 1 << 20;
		cfg.windows_supported = i == 2 ? 1 : 2;
		CHECK_EQ(ppcvirt_phb_create(t.vm, &cfg, &phb[i]), 0);
	}
	CHECK_EQ(ppcvirt_phb_remove_window(phb[0], PPCVIRT_PHB_LIOBN(1, 0)), 0);
	CHECK_EQ(ppcvirt_phb_create_window(phb[0], 16, 24, &liobn, &start), 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, liobn, start + (3 << 16),
		     0x30000 | RW, 0, NULL, NULL),
		 0);
	CHECK_EQ(ppcvirt_phb_create_window(phb[1], 12, 22, &liobn, &start), 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, liobn, start + 0x5000, 0x5000 | RW,
		     0, NULL, NULL),
		 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, PPCVIRT_PHB_LIOBN(2, 0), 0x7000,
		     0x9000 | 1, 0, NULL, NULL),
		 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, PPCVIRT_PHB_LIOBN(3, 0), 0,
		     0xa000 | 2, 0, NULL, NULL),
		 0);
	seed_save(&b, t.vm, phb, 3, NULL, 0, NULL, 0);
	seed_write("ok-phb-ddw", &b);
	free(b.p);
	tvm_fini(&t);
}

/* TLBs: an e500v2 alone (a VM-less stream), an e500mc with a VM. */
static void seed_tlbs(void)
{
	struct ppcvirt_tlb *tlb = seed_tlb(PPCVIRT_BOOKE_E500V2, 4);
	struct test_buf b = {0};
	struct tvm t;

	CHECK_EQ(ppcvirt_tlb_set_pid(tlb, 1, 0x21), 0);
	seed_save(&b, NULL, NULL, 0, &tlb, 1, NULL, 0);
	seed_write("ok-tlb-e500v2", &b);
	ppcvirt_tlb_destroy(tlb);
	b.len = 0;
	seed_vm(&t, PPCVIRT_PROFILE_QEMU);
	CHECK_EQ(tvm_table(&t, 0x4004, 12, 0, 8), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x4004, 7, 0x7000 | RW), 0);
	tlb = seed_tlb(PPCVIRT_BOOKE_E500MC, 5);
	seed_save(&b, t.vm, NULL, 0, &tlb, 1, NULL, 0);
	seed_write("ok-tlb-e500mc", &b);
	ppcvirt_tlb_destroy(tlb);
	free(b.p);
	tvm_fini(&t);
}

/* Embedder sections: loaded, and refused (after the PHB was prepared). */
static void seed_blobs(void)
{
	static const uint8_t a[] = {1, 2, 3, 4, 5},
			     no[] = {FZ_STATE_REFUSE, 0, 1};
	struct ppcvirt_state_blob blobs[3] = {
		{.id = PPCVIRT_STATE_USER_FIRST, .data = a, .len = sizeof(a)},
		{.id = 0x9abc},
		{.id = PPCVIRT_STATE_USER_LAST, .data = a, .len = 1},
	};
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_phb *phb;
	struct test_buf b = {0};
	struct tvm t;

	seed_vm(&t, PPCVIRT_PROFILE_STRICT);
	ppcvirt_phb_config_default(&cfg, 7);
	cfg.dma_win_size = 1 << 16;
	CHECK_EQ(ppcvirt_phb_create(t.vm, &cfg, &phb), 0);
	seed_save(&b, t.vm, &phb, 1, NULL, 0, blobs, 3);
	seed_write("ok-blobs", &b);
	b.len = 0;
	blobs[1].data = no;
	blobs[1].len = sizeof(no);
	seed_save(&b, t.vm, &phb, 1, NULL, 0, blobs, 3);
	seed_write("blob-refused", &b);
	free(b.p);
	tvm_fini(&t);
}

/* A migration: its first pass alone, and every pass back to back (a
 * delta with changed, cleared and new entries, a new and a removed table,
 * a DDW window; the stop-and-copy with both cores' TLBs). */
static void seed_migration(void)
{
	struct ppcvirt_create_spapr_tce_64 late = {
		.liobn = 0x5555, .page_shift = 12, .size = 32};
	struct ppcvirt_tlb *tlb[2] = {seed_tlb(PPCVIRT_BOOKE_E500V2, 6),
				      seed_tlb(PPCVIRT_BOOKE_E500MC, 7)};
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_phb *phb;
	struct ppcvirt_state_objects o = {.size = sizeof(o),
					  .phbs = &phb,
					  .nphbs = 1,
					  .tlbs = tlb,
					  .ntlbs = 2};
	struct ppcvirt_migration *m;
	struct test_buf b = {0};
	struct ppcvirt_state_sink sk = sink_of(&b);
	struct tvm t;
	uint64_t liobn, start;

	seed_vm(&t, PPCVIRT_PROFILE_STRICT);
	ppcvirt_phb_config_default(&cfg, 2);
	cfg.dma_win_size = 1 << 20;
	CHECK_EQ(ppcvirt_phb_create(t.vm, &cfg, &phb), 0);
	CHECK_EQ(tvm_table(&t, 0x6006, 12, 0, 64), 0);
	for (uint64_t i = 0; i < 6; i++) {
		CHECK_EQ(ppcvirt_tce_put(t.vm, 0x6006, i * 9,
					 ((i + 1) << 12) | RW),
			 0);
		CHECK_EQ(ppcvirt_tce_put(t.vm, PPCVIRT_PHB_LIOBN(2, 0), i * 5,
					 ((i + 9) << 12) | 1),
			 0);
	}
	o.vm = t.vm;
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, NULL), 0);
	seed_write("ok-mig-pass1", &b);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x6006, 9, 0x3000 | RW), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x6006, 18, 0), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, PPCVIRT_PHB_LIOBN(2, 0), 60, 0x3000 | 2),
		 0);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(t.vm, &late, NULL), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x5555, 3, 0x3000 | RW), 0);
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, NULL), 0);
	CHECK_EQ(ppcvirt_vm_remove_tce(t.vm, 0x5555), 0);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 16, 20, &liobn, &start), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, liobn, 2, 0x20000 | RW), 0);
	CHECK_EQ(ppcvirt_tce_put(t.vm, 0x6006, 63, 0x4000 | 1), 0);
	CHECK_EQ(ppcvirt_migration_finish(m, &sk, NULL), 0);
	seed_write("ok-mig-passes", &b);
	free(b.p);
	ppcvirt_tlb_destroy(tlb[0]);
	ppcvirt_tlb_destroy(tlb[1]);
	tvm_fini(&t);
}

static void fuzz_seeds(void)
{
	seed_strict();
	seed_qemu();
	seed_sparse();
	seed_phbs();
	seed_tlbs();
	seed_blobs();
	seed_migration();
}

static const struct test_case tests[] = {
	TEST(round_trip),
	TEST(sparse_is_small),
	TEST(hostile_streams),
	TEST(version_skew),
	TEST(destination_checks),
	TEST(reference_v1),
	TEST(dma_dirty_log),
	TEST(enumeration),
	TEST(migration_passes),
	TEST(migration_new_pages),
	TEST(verify_describes),
	TEST(migration_failed_pass),
	TEST(registered_ranges),
	TEST(registered_ranges_bounded),
	TEST(pass_keeps_phb_windows),
	TEST(disabled_window_is_no_table),
	TEST(fuzz_seeds),
	TEST(entries_outside_ram),
};

TEST_MAIN(tests)
