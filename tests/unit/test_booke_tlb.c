/* SPDX-License-Identifier: MIT */
/*
 * BookE TLB data path: dirty sync (KVM_DIRTY_TLB), single-entry and bulk
 * access, KVM_TRANSLATE and ppcvirt_tlb_xlate(), multi-hit reporting, and
 * the script API on hostile input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "test.h"
#include "tlb_script.h"

#define N (512 + 64)

static struct ppcvirt_book3e_206_tlb_entry array[N];

static struct ppcvirt_tlb *make_shared(void)
{
	static struct ppcvirt_book3e_206_tlb_params p = {
		.tlb_sizes = {512, 64, 0, 0},
		.tlb_ways = {4, 64, 0, 0},
	};
	struct ppcvirt_config_tlb c = {
		.params = (uintptr_t)&p,
		.array = (uintptr_t)array,
		.mmu_type = PPCVIRT_MMU_FSL_BOOKE_NOHV,
		.array_len = sizeof(array),
	};
	struct ppcvirt_tlb *tlb = NULL;

	memset(array, 0, sizeof(array));
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_config(tlb, &c), 0);
	return tlb;
}

static struct ppcvirt_book3e_206_tlb_entry tlb0_entry(uint32_t ea, uint64_t pa,
						      uint32_t tid)
{
	struct ppcvirt_book3e_206_tlb_entry e = {
		.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TID(tid) |
			PPCVIRT_MAS1_TSIZE(2),
		.mas2 = ea & ~0xfffu,
		.mas7_3 = (pa & ~0xfffull) | 0x3f,
	};
	return e;
}

static int xl(struct ppcvirt_tlb *tlb, uint32_t ea, uint64_t *pa)
{
	struct ppcvirt_tlb_xlate x;
	int r = ppcvirt_tlb_xlate(tlb, ea, 0, 0, 0, PPCVIRT_TLB_ACCESS_R, &x);

	if (r == PPCVIRT_TLB_HIT && pa)
		*pa = x.real_addr;
	return r;
}

static void test_dirty_rereads_marked_only(void)
{
	struct ppcvirt_tlb *tlb = make_shared();
	uint8_t bitmap[(N + 63) / 64 * 8];
	struct ppcvirt_dirty_tlb d = {.bitmap = (uintptr_t)bitmap};
	uint64_t pa = 0;

	/* The VMM writes set 3 way 0 and TLB1 entry 2 but marks only the first.
	 */
	array[12] = tlb0_entry(0x50003000, 0x123000, 0);
	array[512 + 2].mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(10);
	array[512 + 2].mas2 = 0x40100000;
	array[512 + 2].mas7_3 = 0x200003f;
	memset(bitmap, 0, sizeof(bitmap));
	bitmap[12 / 8] |= 1u << (12 % 8);
	d.num_dirty = 1;
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), 0);
	CHECK_EQ(xl(tlb, 0x50003abc, &pa), PPCVIRT_TLB_HIT);
	CHECK_EQ_U64(pa, 0x123abc);
	CHECK_EQ(xl(tlb, 0x40100000, NULL), PPCVIRT_TLB_MISS);
	/* Now mark entry 514 (bit 514: byte 64, bit 2). */
	memset(bitmap, 0, sizeof(bitmap));
	bitmap[514 / 8] |= 1u << (514 % 8);
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), 0);
	CHECK_EQ(xl(tlb, 0x401abcde, &pa), PPCVIRT_TLB_HIT);
	CHECK_EQ_U64(pa, 0x20abcde);
	/* The VMM clears the entry; a sync of everything (bitmap 0). */
	array[512 + 2].mas1 = 0;
	d.bitmap = 0;
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), 0);
	CHECK_EQ(xl(tlb, 0x40100000, NULL), PPCVIRT_TLB_MISS);
	/* Bits past the last entry are ignored. */
	memset(bitmap, 0xff, sizeof(bitmap));
	d.bitmap = (uintptr_t)bitmap;
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), 0);
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_dirty(NULL, &d), -EINVAL);
	ppcvirt_tlb_destroy(tlb);
}

static void test_dirty_rejects_invalid(void)
{
	struct ppcvirt_tlb *tlb = make_shared();
	uint8_t bitmap[(N + 7) / 8]; /* QEMU's size: not padded to 64 bits */
	struct ppcvirt_dirty_tlb d = {.bitmap = (uintptr_t)bitmap};
	const char *err;

	memset(bitmap, 0, sizeof(bitmap));
	/* A good entry and a TLB1 entry with an odd size in one batch. */
	array[12] = tlb0_entry(0x50003000, 0x123000, 0);
	array[512 + 7].mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(13);
	array[512 + 7].mas2 = 0x40000000;
	array[512 + 7].mas7_3 = 0x3f;
	bitmap[1] |= 1u << 4;
	bitmap[(512 + 7) / 8] |= 1u << ((512 + 7) % 8);
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), -EINVAL);
	err = ppcvirt_tlb_last_error(tlb);
	CHECK(strstr(err, "TLB1 entry 7") != NULL);
	CHECK(strstr(err, "array index 519") != NULL);
	/* All or nothing: the good entry was not committed either. */
	CHECK_EQ(xl(tlb, 0x50003000, NULL), PPCVIRT_TLB_MISS);

	/* Misaligned EPN for a 1M page. */
	array[512 + 7].mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(10);
	array[512 + 7].mas2 = 0x40080000;
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), -EINVAL);
	CHECK(strstr(ppcvirt_tlb_last_error(tlb), "not aligned") != NULL);

	/* TLB0: wrong size, IPROT, wrong set, EPN above 4G. */
	array[512 + 7].mas2 = 0x40100000;
	array[12].mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(4);
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), -EINVAL);
	CHECK(strstr(ppcvirt_tlb_last_error(tlb),
		     "TLB0 entry 12 (set 3, way 0)") != NULL);
	array[12] = tlb0_entry(0x50003000, 0x123000, 0);
	array[12].mas1 |= PPCVIRT_MAS1_IPROT;
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), -EINVAL);
	array[12] = tlb0_entry(0x50004000, 0x123000,
			       0); /* set 4 in slot of set 3 */
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), -EINVAL);
	CHECK(strstr(ppcvirt_tlb_last_error(tlb), "selects set 4") != NULL);
	array[12] = tlb0_entry(0x50003000, 0x123000, 0);
	array[12].mas2 |= 1ull << 40;
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), -EINVAL);
	/* Fixed: both entries land. */
	array[12] = tlb0_entry(0x50003000, 0x123000, 0);
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), 0);
	CHECK_EQ(xl(tlb, 0x50003000, NULL), PPCVIRT_TLB_HIT);
	CHECK_EQ(xl(tlb, 0x40100000, NULL), PPCVIRT_TLB_HIT);
	/* An invalid (V=0) entry may hold anything. */
	array[100].mas1 = PPCVIRT_MAS1_TSIZE(31) | PPCVIRT_MAS1_IPROT;
	array[100].mas2 = ~0ull;
	bitmap[100 / 8] |= 1u << (100 % 8);
	CHECK_EQ(ppcvirt_tlb_dirty(tlb, &d), 0);
	ppcvirt_tlb_destroy(tlb);
}

static void test_single_and_bulk(void)
{
	struct ppcvirt_book3e_206_tlb_entry e, bad, *all;
	struct ppcvirt_tlb *tlb;
	uint64_t pa = 0;

	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	e = tlb0_entry(0x50003000, 0x777000, 0);
	CHECK_EQ(ppcvirt_tlb_write_entry(tlb, 0, 13, &e), 0);
	CHECK_EQ(xl(tlb, 0x50003010, &pa), PPCVIRT_TLB_HIT);
	CHECK_EQ_U64(pa, 0x777010);
	memset(&bad, 0, sizeof(bad));
	CHECK_EQ(ppcvirt_tlb_read_entry(tlb, 0, 13, &bad), 0);
	CHECK(!memcmp(&bad, &e, sizeof(e)));
	/* Wrong set for the slot, no such index, no such TLB. */
	CHECK_EQ(ppcvirt_tlb_write_entry(tlb, 0, 17, &e), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_write_entry(tlb, 0, 512, &e), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_write_entry(tlb, 2, 0, &e), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_read_entry(tlb, 1, 64, &e), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_read_entry(tlb, 1, 63, NULL), -EINVAL);
	/* TLB1 16M. */
	e.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_IPROT | PPCVIRT_MAS1_TSIZE(14);
	e.mas2 = 0x41000000;
	e.mas7_3 = 0x3f;
	CHECK_EQ(ppcvirt_tlb_write_entry(tlb, 1, 63, &e), 0);
	CHECK_EQ(xl(tlb, 0x41fffffc, &pa), PPCVIRT_TLB_HIT);
	CHECK_EQ_U64(pa, 0xfffffc);
	/* Bulk round trip. */
	all = calloc(N, sizeof(*all));
	CHECK(all != NULL);
	CHECK_EQ(ppcvirt_tlb_read_all(tlb, all, N - 1), -ENOSPC);
	CHECK_EQ(ppcvirt_tlb_read_all(tlb, all, N), N);
	CHECK_EQ_U64(all[512 + 63].mas2, 0x41000000);
	CHECK_EQ(ppcvirt_tlb_invalidate_all(tlb), 0);
	CHECK_EQ(xl(tlb, 0x41000000, NULL), PPCVIRT_TLB_MISS); /* IPROT too */
	CHECK_EQ(ppcvirt_tlb_write_all(tlb, all, N - 1), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_write_all(tlb, all, N), 0);
	CHECK_EQ(xl(tlb, 0x41000000, NULL), PPCVIRT_TLB_HIT);
	CHECK_EQ(xl(tlb, 0x50003000, NULL), PPCVIRT_TLB_HIT);
	/* An invalid entry in a bulk write: nothing changes. */
	all[512 + 63].mas1 = 0;
	all[5].mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(2);
	all[5].mas2 = 0x99999000; /* set 0x19, not set 1 */
	CHECK_EQ(ppcvirt_tlb_write_all(tlb, all, N), -EINVAL);
	CHECK(strstr(ppcvirt_tlb_last_error(tlb), "TLB0 entry 5") != NULL);
	CHECK_EQ(xl(tlb, 0x41000000, NULL), PPCVIRT_TLB_HIT);
	free(all);
	ppcvirt_tlb_destroy(tlb);
}

static void test_translate_kvm_shape(void)
{
	struct ppcvirt_tlb *tlb = make_shared();
	struct ppcvirt_book3e_206_tlb_entry e;
	struct ppcvirt_translation tr;

	e = tlb0_entry(0x50003000, 0x123000, 5);
	e.mas1 |= PPCVIRT_MAS1_TS;
	e.mas7_3 &= ~0x3full; /* no permissions: KVM_TRANSLATE ignores them */
	CHECK_EQ(ppcvirt_tlb_write_entry(tlb, 0, 12, &e), 0);
	memset(&tr, 0, sizeof(tr));
	tr.linear_address = 0x50003abc | 5ull << 32 | 1ull << 40;
	tr.writeable = 7;
	tr.usermode = 9;
	CHECK_EQ(ppcvirt_tlb_translate(tlb, &tr), 0);
	CHECK_EQ(tr.valid, 1);
	CHECK_EQ_U64(tr.physical_address, 0x123abc);
	CHECK_EQ(tr.writeable, 7);
	CHECK_EQ(tr.usermode, 9);
	/* Wrong PID, wrong AS: miss, physical_address left unchanged. */
	tr.linear_address = 0x50003abc | 6ull << 32 | 1ull << 40;
	tr.physical_address = 0xdead;
	CHECK_EQ(ppcvirt_tlb_translate(tlb, &tr), 0);
	CHECK_EQ(tr.valid, 0);
	CHECK_EQ_U64(tr.physical_address, 0xdead);
	tr.linear_address = 0x50003abc | 5ull << 32;
	CHECK_EQ(ppcvirt_tlb_translate(tlb, &tr), 0);
	CHECK_EQ(tr.valid, 0);
	/* A second matching entry: multi-hit is an error. */
	e = tlb0_entry(0x50003000, 0x456000, 0);
	e.mas1 |= PPCVIRT_MAS1_TS;
	CHECK_EQ(ppcvirt_tlb_write_entry(tlb, 0, 13, &e), 0);
	tr.linear_address = 0x50003abc | 5ull << 32 | 1ull << 40;
	CHECK_EQ(ppcvirt_tlb_translate(tlb, &tr), -EEXIST);
	CHECK_EQ(tr.valid, 0);
	CHECK_EQ(ppcvirt_tlb_translate(tlb, NULL), -EINVAL);
	ppcvirt_tlb_destroy(tlb);
}

static void test_xlate_details(void)
{
	struct ppcvirt_tlb *tlb;
	struct ppcvirt_booke_mas m;
	struct ppcvirt_tlb_xlate x;

	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	memset(&m, 0, sizeof(m));
	m.mas0 = PPCVIRT_MAS0_TLBSEL(1) | PPCVIRT_MAS0_ESEL(9);
	m.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TID(3) | PPCVIRT_MAS1_TSIZE(18);
	m.mas2 = 0x80000000 | 0x0a; /* I and G */
	m.mas3 = 0x10000000 | PPCVIRT_MAS3_UR | PPCVIRT_MAS3_SR |
		 PPCVIRT_MAS3_SW;
	m.mas7 = 0x2;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	CHECK_EQ(ppcvirt_tlb_xlate(tlb, 0x8abcdef0, 0, 3, 0,
				   PPCVIRT_TLB_ACCESS_W, &x),
		 PPCVIRT_TLB_HIT);
	CHECK_EQ(x.tlbsel, 1);
	CHECK_EQ(x.index, 9);
	CHECK_EQ_U64(x.page_size, 256ull << 20);
	CHECK_EQ_U64(x.real_addr, 0x21abcdef0ull);
	CHECK_EQ(x.attrs, 0x0a);
	CHECK_EQ(x.perms, 0x07);
	CHECK_EQ(x.tid, 3);
	CHECK_EQ(ppcvirt_tlb_xlate(tlb, 0x8abcdef0, 0, 3, 1,
				   PPCVIRT_TLB_ACCESS_W, &x),
		 PPCVIRT_TLB_DENIED);
	CHECK_EQ(x.index, 9);
	CHECK_EQ(ppcvirt_tlb_xlate(tlb, 0x8abcdef0, 0, 3, 0,
				   PPCVIRT_TLB_ACCESS_X, &x),
		 PPCVIRT_TLB_DENIED);
	CHECK_EQ(ppcvirt_tlb_xlate(tlb, 0x8abcdef0, 0, 4, 0,
				   PPCVIRT_TLB_ACCESS_R, &x),
		 PPCVIRT_TLB_MISS);
	CHECK_EQ(ppcvirt_tlb_xlate(tlb, 0x8abcdef0, 2, 3, 0,
				   PPCVIRT_TLB_ACCESS_R, &x),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_xlate(tlb, 0x8abcdef0, 0, 3, 2,
				   PPCVIRT_TLB_ACCESS_R, &x),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_xlate(tlb, 0x8abcdef0, 0, 3, 0, 3, &x), -EINVAL);
	ppcvirt_tlb_destroy(tlb);
}

static void test_tlbsx_multihit_and_program(void)
{
	struct ppcvirt_tlb *tlb;
	struct ppcvirt_booke_mas m, after;

	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	memset(&m, 0, sizeof(m));
	m.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(2);
	m.mas2 = 0x50003000;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	m.mas0 = PPCVIRT_MAS0_ESEL(1);
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	m.mas6 = 0;
	m.mas0 = 0x12345678 & ~PPCVIRT_MAS0_TLBSEL_MASK;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbsx(tlb, 0x50003000), PPCVIRT_TLB_MULTIHIT);
	CHECK_EQ(ppcvirt_tlb_get_mas(tlb, &after), 0);
	CHECK(!memcmp(&m, &after, sizeof(m)));
	/* tlbwe to TLB1 with an illegal size: program, nothing written. */
	m.mas0 = PPCVIRT_MAS0_TLBSEL(1);
	m.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(13);
	m.mas2 = 0x60000000;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_PROGRAM);
	CHECK_EQ(xl(tlb, 0x60000000, NULL), PPCVIRT_TLB_MISS);
	m.mas0 = PPCVIRT_MAS0_TLBSEL(3);
	m.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(2);
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_PROGRAM);
	CHECK_EQ(ppcvirt_tlb_tlbilx(tlb, 2, 0), PPCVIRT_TLB_PROGRAM);
	CHECK_EQ(ppcvirt_tlb_tlbilx(tlb, 7, 0), PPCVIRT_TLB_PROGRAM);
	CHECK_EQ(ppcvirt_tlb_tlbwe(NULL), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_tlbsx(NULL, 0), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_mmucsr0_write(NULL, 0), -EINVAL);
	ppcvirt_tlb_destroy(tlb);
}

static void test_deliver_miss(void)
{
	struct ppcvirt_tlb *tlb;
	struct ppcvirt_booke_mas m;

	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500V2, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_set_pid(tlb, 1, 0x22), 0);
	memset(&m, 0, sizeof(m));
	/* TLBSELD 1, TIDSELD 1 (PID1), TSIZED 6 (64K), WIMGED 0x0a, X0D. */
	m.mas4 = 0x10010000 | PPCVIRT_MAS1_TSIZE(6) | 0x40 | 0x0a;
	m.mas3 = 0x1234;
	m.mas7 = 0x5;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_deliver_miss(tlb, 0x60001abc, 1, 0x7), 0);
	CHECK_EQ(ppcvirt_tlb_get_mas(tlb, &m), 0);
	CHECK_EQ_U64(m.mas0, 0x10000001); /* ESEL 0 (victim), NV 1 */
	CHECK_EQ_U64(m.mas1, 0x80221300); /* V, TID = PID1, TS, 64K */
	CHECK_EQ_U64(m.mas2, 0x6000100a); /* EPN | WIMGED, no X0D */
	CHECK_EQ_U64(m.mas3, 0);
	CHECK_EQ_U64(m.mas7, 0);
	CHECK_EQ_U64(m.mas6, 0x00070001); /* SPID = PID0, not TIDSELD's */
	/* TIDSELD 3: TID 0; the counter keeps advancing. */
	m.mas4 = 0x00030000;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_deliver_miss(tlb, 0x60001abc, 0, 0x7), 0);
	CHECK_EQ(ppcvirt_tlb_get_mas(tlb, &m), 0);
	CHECK_EQ_U64(m.mas0, 0x00010002);
	CHECK_EQ_U64(m.mas1, 0x80000000);
	CHECK_EQ(ppcvirt_tlb_deliver_miss(tlb, 0, 2, 0), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_deliver_miss(NULL, 0, 0, 0), -EINVAL);
	ppcvirt_tlb_destroy(tlb);
}

static void test_script_api_hostile(void)
{
	struct ppcvirt_tlb_script_result res;
	struct ppcvirt_tlb *tlb = NULL;
	static const char nul[] = "geometry e500mc\ntlbwe 0\0 0 0 0 0\n";
	static const char crlf[] = "geometry e500mc\r\n\ttlbwe 0x10000000 "
				   "0x80000700 0 0x3f 0 # c\r\ntranslate 0x10 "
				   "0 0 0 r -> 0x10\r\n";
	char *longline;

	CHECK_EQ(ppcvirt_tlb_script_run(nul, sizeof(nul) - 1, NULL, NULL, &res,
					NULL),
		 -EINVAL);
	CHECK_EQ(res.error_line, 2);
	longline = malloc(10000);
	CHECK(longline != NULL);
	memset(longline, ' ', 10000);
	CHECK_EQ(
		ppcvirt_tlb_script_run(longline, 10000, NULL, NULL, &res, NULL),
		-EINVAL);
	CHECK_EQ(res.error_line, 1);
	free(longline);
	/* Overflowing and out-of-range numbers. */
	CHECK_EQ(ppcvirt_tlb_script_run("tlbwe 0x11111111111111111 0 0 0 0", 34,
					NULL, NULL, &res, NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_script_run("tlbwe 0x100000000 0 0 0 0", 25, NULL,
					NULL, &res, NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_script_run("translate 0 2 0 0 r -> miss", 27, NULL,
					NULL, &res, NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_script_run("tlbre 0 0 0 -> 0 0 0 -> 0", 25, NULL,
					NULL, &res, NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_script_run("-> miss", 7, NULL, NULL, &res, NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_script_run("geometry tlb0=4/4/4 tlb1=0/0", 28,
					NULL, NULL, &res, NULL),
		 -EINVAL);
	CHECK_EQ(ppcvirt_tlb_script_run(NULL, 0, NULL, NULL, &res, &tlb), 0);
	CHECK(tlb != NULL);
	CHECK_EQ(ppcvirt_tlb_entry_count(tlb), 576);
	ppcvirt_tlb_destroy(tlb);
	/* CRLF, trailing comment, tabs. */
	CHECK_EQ(ppcvirt_tlb_script_run(crlf, strlen(crlf), NULL, NULL, &res,
					NULL),
		 0);
	CHECK_EQ(res.statements, 3);
	CHECK_EQ(res.checks, 1);
	CHECK_EQ(res.mismatches, 0);
	CHECK_EQ(ppcvirt_tlb_script_run("x", 1, NULL, NULL, NULL, NULL),
		 -EINVAL);
}

static const struct test_case cases[] = {
	TEST(test_dirty_rereads_marked_only),
	TEST(test_dirty_rejects_invalid),
	TEST(test_single_and_bulk),
	TEST(test_translate_kvm_shape),
	TEST(test_xlate_details),
	TEST(test_tlbsx_multihit_and_program),
	TEST(test_deliver_miss),
	TEST(test_script_api_hostile),
};

TEST_MAIN(cases)
