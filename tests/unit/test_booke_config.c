/* SPDX-License-Identifier: MIT */
/*
 * BookE TLB configuration (KVM_ENABLE_CAP(KVM_CAP_SW_TLB)): the -EINVAL /
 * -EFAULT cases of docs/booke-architecture.md §2.2 in KVM's order, the stricter
 * checks, TLBnCFG from the geometry (§5), the shared-array layout (§2.3) and
 * all-or-nothing reconfiguration.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "test.h"

#define E500MC_ENTRIES (512 + 64)

static struct ppcvirt_book3e_206_tlb_entry array[E500MC_ENTRIES + 8];

static void params_e500mc(struct ppcvirt_book3e_206_tlb_params *p)
{
	memset(p, 0, sizeof(*p));
	p->tlb_sizes[0] = 512;
	p->tlb_ways[0] = 4;
	p->tlb_sizes[1] = 64;
	p->tlb_ways[1] = 64;
}

static void cfg_for(struct ppcvirt_config_tlb *c,
		    const struct ppcvirt_book3e_206_tlb_params *p)
{
	c->params = (uintptr_t)p;
	c->array = (uintptr_t)array;
	c->mmu_type = PPCVIRT_MMU_FSL_BOOKE_NOHV;
	c->array_len = sizeof(array);
}

static void test_layout_sizes(void)
{
	CHECK_EQ(sizeof(struct ppcvirt_book3e_206_tlb_entry), 24);
	CHECK_EQ(sizeof(struct ppcvirt_book3e_206_tlb_params), 64);
	CHECK_EQ(sizeof(struct ppcvirt_config_tlb), 24);
	CHECK_EQ(sizeof(struct ppcvirt_dirty_tlb), 16);
	CHECK_EQ(sizeof(struct ppcvirt_translation), 24);
	CHECK_EQ(offsetof(struct ppcvirt_book3e_206_tlb_entry, mas2), 8);
	CHECK_EQ(offsetof(struct ppcvirt_book3e_206_tlb_entry, mas7_3), 16);
	CHECK_EQ(offsetof(struct ppcvirt_config_tlb, mmu_type), 16);
	CHECK_EQ(offsetof(struct ppcvirt_config_tlb, array_len), 20);
}

static void test_defaults_and_cfg_regs(void)
{
	struct ppcvirt_book3e_206_tlb_params g;
	struct ppcvirt_tlb *tlb;

	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_geometry(tlb, &g), 0);
	CHECK_EQ(g.tlb_sizes[0], 512);
	CHECK_EQ(g.tlb_ways[0], 4);
	CHECK_EQ(g.tlb_sizes[1], 64);
	CHECK_EQ(ppcvirt_tlb_entry_count(tlb), E500MC_ENTRIES);
	CHECK_EQ_U64(ppcvirt_tlb_cfg_reg(tlb, 0), 0x04110200);
	CHECK_EQ_U64(ppcvirt_tlb_cfg_reg(tlb, 1), 0x401CC040);
	CHECK_EQ_U64(ppcvirt_tlb_cfg_reg(tlb, 2), 0);
	CHECK_EQ(ppcvirt_tlb_core(tlb), PPCVIRT_BOOKE_E500MC);
	CHECK_EQ(ppcvirt_tlb_set_pid(tlb, 1, 5), -ENOENT);
	CHECK_EQ(ppcvirt_tlb_set_pid(tlb, 3, 5), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_set_pid(tlb, 0, 0x14005), 0);
	CHECK_EQ(ppcvirt_tlb_get_pid(tlb, 0), 0x0005); /* 14-bit PID */
	ppcvirt_tlb_destroy(tlb);

	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500V2, &tlb), 0);
	CHECK_EQ_U64(ppcvirt_tlb_cfg_reg(tlb, 0), 0x04110200);
	CHECK_EQ_U64(ppcvirt_tlb_cfg_reg(tlb, 1), 0x101CC010);
	CHECK_EQ(ppcvirt_tlb_set_pid(tlb, 2, 0x1ff), 0);
	CHECK_EQ(ppcvirt_tlb_get_pid(tlb, 2), 0xff); /* 8-bit PID */
	ppcvirt_tlb_destroy(tlb);

	CHECK_EQ(ppcvirt_tlb_create((enum ppcvirt_booke_core)7, &tlb), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, NULL), -EINVAL);
	ppcvirt_tlb_destroy(NULL);
}

/* Apply @mutate to e500mc params and expect @want from config. */
static int config_with(void (*mutate)(struct ppcvirt_book3e_206_tlb_params *,
				      struct ppcvirt_config_tlb *))
{
	struct ppcvirt_book3e_206_tlb_params p, g;
	struct ppcvirt_config_tlb c;
	struct ppcvirt_tlb *tlb;
	int r;

	memset(array, 0, sizeof(array));
	params_e500mc(&p);
	cfg_for(&c, &p);
	mutate(&p, &c);
	if (ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb))
		return -999;
	r = ppcvirt_tlb_config(tlb, &c);
	if (r) {
		/* A failed call changes nothing. */
		ppcvirt_tlb_geometry(tlb, &g);
		CHECK_EQ(g.tlb_sizes[0], 512);
		CHECK_EQ(g.tlb_sizes[1], 64);
		CHECK(ppcvirt_tlb_last_error(tlb)[0] != '\0');
	}
	ppcvirt_tlb_destroy(tlb);
	return r;
}

static void m_none(struct ppcvirt_book3e_206_tlb_params *p,
		   struct ppcvirt_config_tlb *c)
{
	(void)p;
	(void)c;
}
static void m_hv_badparams(struct ppcvirt_book3e_206_tlb_params *p,
			   struct ppcvirt_config_tlb *c)
{
	(void)p;
	c->mmu_type = PPCVIRT_MMU_FSL_BOOKE_HV;
	c->params = 0; /* mmu_type is checked first: -EINVAL, not -EFAULT */
}
static void m_mmu2(struct ppcvirt_book3e_206_tlb_params *p,
		   struct ppcvirt_config_tlb *c)
{
	(void)p;
	c->mmu_type = 2;
}
static void m_noparams(struct ppcvirt_book3e_206_tlb_params *p,
		       struct ppcvirt_config_tlb *c)
{
	(void)p;
	c->params = 0;
}
static void m_tlb1_65(struct ppcvirt_book3e_206_tlb_params *p,
		      struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_sizes[1] = p->tlb_ways[1] = 65;
}
static void m_tlb1_ways(struct ppcvirt_book3e_206_tlb_params *p,
			struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_ways[1] = 0; /* the pre-v4 "fully associative" encoding */
}
static void m_tlb2(struct ppcvirt_book3e_206_tlb_params *p,
		   struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_sizes[2] = 4;
}
static void m_ways3(struct ppcvirt_book3e_206_tlb_params *p,
		    struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_ways[3] = 1;
}
static void m_ways0_3(struct ppcvirt_book3e_206_tlb_params *p,
		      struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_ways[0] = 3;
}
static void m_ways0_0(struct ppcvirt_book3e_206_tlb_params *p,
		      struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_ways[0] = 0;
}
static void m_sets0(struct ppcvirt_book3e_206_tlb_params *p,
		    struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_sizes[0] = 2; /* fewer entries than ways: 0 sets */
}
static void m_sets3(struct ppcvirt_book3e_206_tlb_params *p,
		    struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_sizes[0] = 12; /* 3 sets */
}
static void m_513(struct ppcvirt_book3e_206_tlb_params *p,
		  struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_sizes[0] = 513; /* KVM accepts (128 sets); we do not */
}
static void m_4096(struct ppcvirt_book3e_206_tlb_params *p,
		   struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_sizes[0] = 4096;
}
static void m_short(struct ppcvirt_book3e_206_tlb_params *p,
		    struct ppcvirt_config_tlb *c)
{
	(void)p;
	c->array_len = E500MC_ENTRIES * 24 - 1;
}
static void m_exact(struct ppcvirt_book3e_206_tlb_params *p,
		    struct ppcvirt_config_tlb *c)
{
	(void)p;
	c->array_len = E500MC_ENTRIES * 24;
}
static void m_noarray(struct ppcvirt_book3e_206_tlb_params *p,
		      struct ppcvirt_config_tlb *c)
{
	(void)p;
	c->array = 0;
}
static void m_misaligned(struct ppcvirt_book3e_206_tlb_params *p,
			 struct ppcvirt_config_tlb *c)
{
	(void)p;
	c->array += 4;
}
static void m_ways1(struct ppcvirt_book3e_206_tlb_params *p,
		    struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_ways[0] = 1; /* KVM accepts 1 way */
}
static void m_empty_tlb1(struct ppcvirt_book3e_206_tlb_params *p,
			 struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->tlb_sizes[1] = p->tlb_ways[1] = 0;
}
static void m_reserved(struct ppcvirt_book3e_206_tlb_params *p,
		       struct ppcvirt_config_tlb *c)
{
	(void)c;
	p->reserved[3] = 0xdead; /* KVM never reads it; we want zeros */
}
static void m_bad_entry(struct ppcvirt_book3e_206_tlb_params *p,
			struct ppcvirt_config_tlb *c)
{
	(void)p;
	(void)c;
	array[512 + 3].mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(13);
}

static void test_config_errors(void)
{
	CHECK_EQ(config_with(m_none), 0);
	CHECK_EQ(config_with(m_hv_badparams), -EINVAL);
	CHECK_EQ(config_with(m_mmu2), -EINVAL);
	CHECK_EQ(config_with(m_noparams), -EFAULT);
	CHECK_EQ(config_with(m_tlb1_65), -EINVAL);
	CHECK_EQ(config_with(m_tlb1_ways), -EINVAL);
	CHECK_EQ(config_with(m_tlb2), -EINVAL);
	CHECK_EQ(config_with(m_ways3), -EINVAL);
	CHECK_EQ(config_with(m_ways0_3), -EINVAL);
	CHECK_EQ(config_with(m_ways0_0), -EINVAL);
	CHECK_EQ(config_with(m_sets0), -EINVAL);
	CHECK_EQ(config_with(m_sets3), -EINVAL);
	CHECK_EQ(config_with(m_513), -EINVAL);
	CHECK_EQ(config_with(m_4096), -EINVAL);
	CHECK_EQ(config_with(m_short), -EINVAL);
	CHECK_EQ(config_with(m_exact), 0);
	CHECK_EQ(config_with(m_noarray), -EFAULT);
	CHECK_EQ(config_with(m_misaligned), -EINVAL);
	CHECK_EQ(config_with(m_ways1), 0);
	CHECK_EQ(config_with(m_empty_tlb1), 0);
	CHECK_EQ(config_with(m_reserved), -EINVAL);
	CHECK_EQ(config_with(m_bad_entry), -EINVAL);
}

static void test_config_message_names_entry(void)
{
	struct ppcvirt_book3e_206_tlb_params p;
	struct ppcvirt_config_tlb c;
	struct ppcvirt_tlb *tlb;

	memset(array, 0, sizeof(array));
	params_e500mc(&p);
	cfg_for(&c, &p);
	array[512 + 3].mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(13);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_config(tlb, &c), -EINVAL);
	CHECK(strstr(ppcvirt_tlb_last_error(tlb), "TLB1 entry 3") != NULL);
	CHECK(strstr(ppcvirt_tlb_last_error(tlb), "TSIZE 13") != NULL);
	ppcvirt_tlb_destroy(tlb);
}

static void test_geometry_cfg_follow(void)
{
	struct ppcvirt_book3e_206_tlb_params p;
	struct ppcvirt_config_tlb c;
	struct ppcvirt_tlb *tlb;

	memset(array, 0, sizeof(array));
	memset(&p, 0, sizeof(p));
	p.tlb_sizes[0] = 256;
	p.tlb_ways[0] = 2;
	p.tlb_sizes[1] = p.tlb_ways[1] = 16;
	cfg_for(&c, &p);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_config(tlb, &c), 0);
	CHECK_EQ_U64(ppcvirt_tlb_cfg_reg(tlb, 0), 0x02110100);
	CHECK_EQ_U64(ppcvirt_tlb_cfg_reg(tlb, 1), 0x101CC010);
	CHECK_EQ(ppcvirt_tlb_entry_count(tlb), 272);
	ppcvirt_tlb_destroy(tlb);
}

static void test_enable_cap(void)
{
	struct ppcvirt_book3e_206_tlb_params p;
	struct ppcvirt_config_tlb c;
	struct ppcvirt_enable_cap cap;
	struct ppcvirt_tlb *tlb;

	memset(array, 0, sizeof(array));
	params_e500mc(&p);
	cfg_for(&c, &p);
	memset(&cap, 0, sizeof(cap));
	cap.cap = PPCVIRT_CAP_SW_TLB;
	cap.args[0] = (uintptr_t)&c;
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_enable_cap(tlb, &cap), 0);
	cap.flags = 1;
	CHECK_EQ(ppcvirt_tlb_enable_cap(tlb, &cap), -EINVAL);
	cap.flags = 0;
	cap.cap = 70;
	CHECK_EQ(ppcvirt_tlb_enable_cap(tlb, &cap), -EINVAL);
	cap.cap = PPCVIRT_CAP_SW_TLB;
	cap.args[0] = 0;
	CHECK_EQ(ppcvirt_tlb_enable_cap(tlb, &cap), -EFAULT);
	CHECK_EQ(ppcvirt_tlb_enable_cap(NULL, &cap), -EINVAL);
	ppcvirt_tlb_destroy(tlb);
}

/* tlbwe lands in the VMM's array at set * ways + way, TLB1 after TLB0. */
static void test_shared_array_layout(void)
{
	struct ppcvirt_book3e_206_tlb_params p;
	struct ppcvirt_config_tlb c;
	struct ppcvirt_booke_mas m;
	struct ppcvirt_tlb *tlb;

	memset(array, 0, sizeof(array));
	params_e500mc(&p);
	cfg_for(&c, &p);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, &tlb), 0);
	CHECK_EQ(ppcvirt_tlb_config(tlb, &c), 0);
	memset(&m, 0, sizeof(m));
	m.mas0 = PPCVIRT_MAS0_ESEL(2);
	m.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TID(5) | PPCVIRT_MAS1_TSIZE(2);
	m.mas2 = 0x50003abc; /* set 3 */
	m.mas3 = 0x123003;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	CHECK_EQ_U64(array[3 * 4 + 2].mas1, 0x80050100);
	CHECK_EQ_U64(array[3 * 4 + 2].mas2, 0x5000303c);
	CHECK_EQ_U64(array[3 * 4 + 2].mas7_3, 0x123003);
	m.mas0 = PPCVIRT_MAS0_TLBSEL(1) | PPCVIRT_MAS0_ESEL(5);
	m.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(14);
	m.mas2 = 0x40000000;
	m.mas3 = 0x3f;
	m.mas7 = 0x1;
	CHECK_EQ(ppcvirt_tlb_set_mas(tlb, &m), 0);
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	CHECK_EQ_U64(array[512 + 5].mas1, 0x80000700);
	CHECK_EQ_U64(array[512 + 5].mas7_3, 0x10000003full);
	/* MAS8 is not written by tlbwe. */
	array[512 + 5].mas8 = 0x12;
	CHECK_EQ(ppcvirt_tlb_tlbwe(tlb), PPCVIRT_TLB_OK);
	CHECK_EQ_U64(array[512 + 5].mas8, 0x12);
	CHECK_EQ(ppcvirt_tlb_entry_index(tlb, 0, 3, 2), 14);
	CHECK_EQ(ppcvirt_tlb_entry_index(tlb, 0, 128, 0), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_entry_index(tlb, 0, 0, 4), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_entry_index(tlb, 1, 0, 63), 63);
	CHECK_EQ(ppcvirt_tlb_entry_index(tlb, 1, 0, 64), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_entry_index(tlb, 2, 0, 0), -EINVAL);
	ppcvirt_tlb_destroy(tlb);
}

static const struct test_case cases[] = {
	TEST(test_layout_sizes),	TEST(test_defaults_and_cfg_regs),
	TEST(test_config_errors),	TEST(test_config_message_names_entry),
	TEST(test_geometry_cfg_follow), TEST(test_enable_cap),
	TEST(test_shared_array_layout),
};

TEST_MAIN(cases)
