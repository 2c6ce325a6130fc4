/* SPDX-License-Identifier: MIT */
/*
 * The state stream format of docs/migration.md, byte by byte: each case
 * builds the expected stream with its own encoder, from the layout that
 * page gives (header, section framing, payloads, XXH3-64 checksums, the
 * end section's chain), and compares it with what ppcvirt writes for the
 * same state. The first case is the page's annotated example; a few of
 * its checksums are also compared with the values printed there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "support.h"
#include "test.h"

/* ---- a sink, and a printer for the first difference ---------------------- */

static bool same_bytes(const struct test_buf *got, const struct test_buf *want)
{
	size_t n = got->len < want->len ? got->len : want->len;

	for (size_t i = 0; i < n; i++)
		if (got->p[i] != want->p[i]) {
			printf("#   first difference at offset 0x%zx: got "
			       "%02x, "
			       "want %02x\n",
			       i, got->p[i], want->p[i]);
			return CHECK(false);
		}
	return CHECK_EQ(got->len, want->len);
}

/* ---- the encoder: docs/migration.md, "The stream format" ----------------- */

struct enc {
	struct test_buf b;
	XXH3_state_t *chain; /* header, then each section checksum */
	uint64_t sections;
	size_t open; /* offset of the open section's header */
};

static void le(struct enc *e, uint64_t v, int bytes)
{
	uint8_t p[8];

	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	test_buf_write(&e->b, p, (size_t)bytes);
}

static void u32(struct enc *e, uint64_t v)
{
	le(e, v, 4);
}

static void u64(struct enc *e, uint64_t v)
{
	le(e, v, 8);
}

static void enc_header(struct enc *e, uint32_t flags, uint64_t migration,
		       uint32_t pass)
{
	memset(e, 0, sizeof(*e));
	e->chain = XXH3_createState();
	XXH3_64bits_reset(e->chain);
	test_buf_write(&e->b, "PPCVSTAT", 8);
	u32(e, 1);
	u32(e, flags);
	u64(e, migration);
	u32(e, pass);
	u32(e, 0);
	XXH3_64bits_update(e->chain, e->b.p, 32);
}

/* id, version 1, reserved, length (filled by sec_close) */
static void sec_open(struct enc *e, uint16_t id)
{
	e->open = e->b.len;
	le(e, id, 2);
	le(e, 1, 2);
	u32(e, 0);
	u64(e, 0);
}

static uint64_t sec_close(struct enc *e)
{
	uint64_t len = e->b.len - e->open - 16, sum;

	for (int i = 0; i < 8; i++)
		e->b.p[e->open + 8 + (size_t)i] = (uint8_t)(len >> (8 * i));
	sum = XXH3_64bits(e->b.p + e->open, 16 + len);
	u64(e, sum);
	return sum;
}

/* A section other than the end one: its checksum joins the chain. */
static uint64_t sec_done(struct enc *e)
{
	uint64_t sum = sec_close(e);

	XXH3_64bits_update(e->chain, e->b.p + e->b.len - 8, 8);
	e->sections++;
	return sum;
}

static uint64_t enc_end(struct enc *e)
{
	uint64_t sum;

	sec_open(e, 0xffff);
	u64(e, e->sections);
	u64(e, XXH3_64bits_digest(e->chain));
	sum = sec_close(e);
	XXH3_freeState(e->chain);
	return sum;
}

static void vm_sec(struct enc *e, uint32_t tables, uint32_t phbs, uint32_t tlbs)
{
	sec_open(e, 1);
	u32(e, 0);   /* strict */
	u32(e, 0x3); /* H_GET_TCE | H_PUT_TCE: a new VM's */
	u32(e, 0x3); /* fast | slow */
	u32(e, 0);   /* engine */
	u32(e, tables);
	u32(e, phbs);
	u32(e, tlbs);
	u32(e, 0);
	sec_done(e);
}

static void ranges_sec(struct enc *e, uint16_t id, uint32_t n,
		       const uint64_t *r)
{
	sec_open(e, id);
	u32(e, n);
	u32(e, 0);
	for (uint32_t i = 0; i < 2 * n; i++)
		u64(e, r[i]);
	sec_done(e);
}

static void table_sec(struct enc *e, uint64_t liobn, uint32_t shift,
		      uint64_t offset, uint64_t size)
{
	sec_open(e, 4);
	u64(e, liobn);
	u32(e, shift);
	u32(e, 0);
	u64(e, offset);
	u64(e, size);
	sec_done(e);
}

/* ---- the page's example ------------------------------------------------- */

#define L1 0x1001ull
#define L2 0x2002ull

static struct ppcvirt_vm *example_vm(void)
{
	struct ppcvirt_create_spapr_tce_64 t = {
		.liobn = L1, .page_shift = 12, .offset = 0, .size = 512};
	struct ppcvirt_vm *vm = NULL;

	if (!CHECK_EQ(ppcvirt_vm_create(&vm), 0))
		return NULL;
	CHECK_EQ(ppcvirt_vm_alloc_memory(vm, 0, 0, 1 << 20, NULL, NULL), 0);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(vm, &t, NULL), 0);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(vm, 0, 0x10000), 0);
	CHECK_EQ(ppcvirt_tce_put(vm, L1, 3, 0x5003), 0);
	CHECK_EQ(ppcvirt_tce_put(vm, L1, 4, 0x6001), 0);
	CHECK_EQ(ppcvirt_tce_put(vm, L1, 200, 0x7002), 0);
	return vm;
}

static void example_head(struct enc *e, uint32_t tables)
{
	static const uint64_t mem[] = {0, 0x100000}, reg[] = {0, 0x10000};

	vm_sec(e, tables, 0, 0);
	ranges_sec(e, 2, 1, mem);
	ranges_sec(e, 3, 1, reg);
}

static void checkpoint_bytes(void)
{
	static const char hi[] = "hi";
	struct ppcvirt_state_blob blob = {.id = 0x8000, .data = hi, .len = 2};
	struct ppcvirt_state_objects o = {
		.size = sizeof(o), .blobs = &blob, .nblobs = 1};
	struct test_buf got = {0};
	struct ppcvirt_state_sink sk = {test_buf_write, &got};
	struct enc e;
	uint64_t end_sum;

	o.vm = example_vm();
	if (!o.vm)
		return;
	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);

	enc_header(&e, 0, 0, 0);
	example_head(&e, 1);
	table_sec(&e, L1, 12, 0, 512);
	sec_open(&e, 9); /* RUNS */
	u64(&e, L1);
	u32(&e, 2);
	u32(&e, 0);
	u64(&e, 3);
	u32(&e, 2);
	u32(&e, 0);
	u64(&e, 0x5003);
	u64(&e, 0x6001);
	u64(&e, 200);
	u32(&e, 1);
	u32(&e, 0);
	u64(&e, 0x7002);
	sec_done(&e);
	sec_open(&e, 0x8000);
	test_buf_write(&e.b, "hi", 2);
	sec_done(&e);
	end_sum = enc_end(&e);

	same_bytes(&got, &e.b);
	/* The sizes and checksums printed in docs/migration.md. */
	CHECK_EQ(e.b.len, 402);
	CHECK_EQ_U64(XXH3_64bits(e.b.p + 0x20, 0x30), 0x9e4c2f9c553699b8ull);
	CHECK_EQ_U64(end_sum, 0x3ca4d0403d8d2533ull);
	free(got.p);
	free(e.b.p);
	ppcvirt_vm_destroy(o.vm);
}

/* A later migration pass: flags DELTA, the migration id of the first
 * pass, TABLE_GONE before the tables, TABLE_DIFF + RUNS with the cleared
 * entry as a zero. */
static void delta_pass_bytes(void)
{
	struct ppcvirt_create_spapr_tce_64 t2 = {
		.liobn = L2, .page_shift = 16, .size = 16};
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	struct test_buf got = {0};
	struct ppcvirt_state_sink sk = {test_buf_write, &got};
	struct ppcvirt_migration *m;
	struct ppcvirt_migration_pass st;
	uint64_t id = 0;
	struct enc e;

	o.vm = example_vm();
	if (!o.vm)
		return;
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(o.vm, &t2, NULL), 0);
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	/* The id is random: the one field the page cannot give. */
	for (int i = 7; got.len >= 32 && i >= 0; i--)
		id = id << 8 | got.p[16 + i];
	CHECK(id != 0);
	CHECK_EQ(ppcvirt_vm_remove_tce(o.vm, L2), 0);
	CHECK_EQ(ppcvirt_tce_put(o.vm, L1, 4, 0), 0);
	CHECK_EQ(ppcvirt_tce_put(o.vm, L1, 5, 0x8003), 0);
	got.len = 0;
	CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
	CHECK_EQ(st.pass, 2);
	CHECK_EQ(st.entries, 2);
	ppcvirt_migration_cancel(m);

	enc_header(&e, 1, id, 2);
	example_head(&e, 1);
	sec_open(&e, 6); /* TABLE_GONE */
	u64(&e, L2);
	sec_done(&e);
	sec_open(&e, 5); /* TABLE_DIFF */
	u64(&e, L1);
	sec_done(&e);
	sec_open(&e, 9);
	u64(&e, L1);
	u32(&e, 1);
	u32(&e, 0);
	u64(&e, 4);
	u32(&e, 2);
	u32(&e, 0);
	u64(&e, 0);
	u64(&e, 0x8003);
	sec_done(&e);
	enc_end(&e);

	same_bytes(&got, &e.b);
	free(got.p);
	free(e.b.p);
	ppcvirt_vm_destroy(o.vm);
}

/* A PHB with QEMU 7.2's defaults (its default window enabled and marked
 * default, no entries: no RUNS) and a fresh e500mc TLB (TLB0 512 entries
 * 4-way, TLB1 64 fully associative, registers and entries zero). */
static void phb_and_tlb_bytes(void)
{
	static const uint64_t mem[] = {0, 0x100000};
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_phb *phb;
	struct ppcvirt_tlb *tlb;
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	struct test_buf got = {0};
	struct ppcvirt_state_sink sk = {test_buf_write, &got};
	struct enc e;

	if (!CHECK_EQ(ppcvirt_vm_create(&o.vm), 0))
		return;
	CHECK_EQ(ppcvirt_vm_alloc_memory(o.vm, 0, 0, 1 << 20, NULL, NULL), 0);
	ppcvirt_phb_config_default(&cfg, 1);
	CHECK_EQ(ppcvirt_phb_create(o.vm, &cfg, &phb), 0);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	o.phbs = &phb;
	o.nphbs = 1;
	o.tlbs = &tlb;
	o.ntlbs = 1;
	CHECK_EQ(ppcvirt_state_save(&o, &sk), 0);

	enc_header(&e, 0, 0, 0);
	vm_sec(&e, 1, 1, 1);
	ranges_sec(&e, 2, 1, mem);
	ranges_sec(&e, 3, 0, NULL);
	table_sec(&e, 0x80000100, 12, 0, (1ull << 30) >> 12);
	sec_open(&e, 7); /* PHB */
	u64(&e, 0x800000020000000ull + 1);
	u32(&e, 1);
	u32(&e, 2);
	u64(&e, 1ull << 12 | 1ull << 16 | 1ull << 21 | 1ull << 24);
	u64(&e, 0);
	u64(&e, 1ull << 30);
	u64(&e, 1ull << 59);
	u32(&e, 1); /* window 0: enabled, def_win, 4K, bus 0, 2^18 */
	u32(&e, 1);
	u32(&e, 12);
	u32(&e, 0);
	u64(&e, 0);
	u64(&e, 1ull << 18);
	for (int i = 0; i < 4; i++) /* window 1: disabled */
		u64(&e, 0);
	sec_done(&e);
	sec_open(&e, 8); /* TLB */
	u32(&e, 1);
	u32(&e, 576);
	u32(&e, 512);
	u32(&e, 64);
	u32(&e, 0);
	u32(&e, 0);
	u32(&e, 4);
	u32(&e, 64);
	u32(&e, 0);
	u32(&e, 0);
	for (int i = 0; i < 56 / 4; i++) /* MAS, PIDs, victim, reserved */
		u32(&e, 0);
	for (int i = 0; i < 576 * 24 / 8; i++)
		u64(&e, 0);
	sec_done(&e);
	enc_end(&e);

	same_bytes(&got, &e.b);
	free(got.p);
	free(e.b.p);
	ppcvirt_tlb_destroy(tlb);
	ppcvirt_vm_destroy(o.vm);
}

static const struct test_case tests[] = {
	TEST(checkpoint_bytes),
	TEST(delta_pass_bytes),
	TEST(phb_and_tlb_bytes),
};

TEST_MAIN(tests)
