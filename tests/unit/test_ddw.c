/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the PHB / DDW API (include/ppcvirt/ddw.h): QEMU 7.2's
 * window rules (docs/semantics.md §6.3-6.4, §9), the RTAS cell interface,
 * and the oversized-window cases where ppcvirt refuses cleanly instead of
 * truncating.
 */
#include <errno.h>
#include <stdlib.h>

#include <ppcvirt/ddw.h>

#include "test.h"

#define BUID  PPCVIRT_PHB_BASE_BUID
#define L0    0x80000000ULL
#define L1    0x80000001ULL
#define DDW64 (1ULL << 59)

static struct ppcvirt_vm *vm_new(void)
{
	struct ppcvirt_vm *vm = NULL;

	CHECK_EQ(ppcvirt_vm_create(&vm), 0);
	return vm;
}

static struct ppcvirt_phb *phb_new(struct ppcvirt_vm *vm)
{
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_phb *phb = NULL;

	ppcvirt_phb_config_default(&cfg, 0);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), 0);
	return phb;
}

static bool has_table(struct ppcvirt_vm *vm, uint64_t liobn,
		      struct ppcvirt_tce_info *info)
{
	struct ppcvirt_tce_info tmp;

	return ppcvirt_vm_tce_info(vm, liobn, info ? info : &tmp) == 0;
}

static void test_defaults(void)
{
	struct ppcvirt_phb_config cfg;

	ppcvirt_phb_config_default(&cfg, 3);
	CHECK_EQ_U64(cfg.buid, BUID + 3);
	CHECK_EQ(cfg.index, 3);
	CHECK_EQ(cfg.windows_supported, 2);
	CHECK_EQ_U64(cfg.page_shift_mask,
		     (1ULL << 12) | (1ULL << 16) | (1ULL << 21) | (1ULL << 24));
	CHECK_EQ_U64(cfg.dma_win_addr, 0);
	CHECK_EQ_U64(cfg.dma_win_size, 1ULL << 30);
	CHECK_EQ_U64(cfg.dma64_win_addr, DDW64);
	CHECK_EQ_U64(PPCVIRT_PHB_LIOBN(3, 1), 0x80000301ULL);
}

static void test_create_default_window(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb *phb = phb_new(vm);
	struct ppcvirt_tce_info info;

	CHECK(has_table(vm, L0, &info));
	CHECK_EQ(info.page_shift, 12);
	CHECK_EQ_U64(info.bus_offset, 0);
	CHECK_EQ_U64(info.size, 0x40000);
	CHECK(!has_table(vm, L1, NULL));
	CHECK(ppcvirt_phb_window_enabled(phb, 0));
	CHECK(!ppcvirt_phb_window_enabled(phb, 1));
	CHECK(!ppcvirt_phb_window_enabled(phb, 7));
	CHECK(ppcvirt_phb_owns(phb, L0));
	CHECK(ppcvirt_phb_owns(phb, L1));
	CHECK(!ppcvirt_phb_owns(phb, 0x80000002));
	CHECK_EQ_U64(ppcvirt_phb_get_config(phb)->buid, BUID);
	ppcvirt_phb_destroy(phb);
	CHECK(!has_table(vm, L0, NULL));
	ppcvirt_phb_destroy(NULL);
	ppcvirt_vm_destroy(vm);
}

static void test_create_errors(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_phb *phb = NULL, *other = NULL;
	struct ppcvirt_create_spapr_tce_64 t = {
		.liobn = PPCVIRT_PHB_LIOBN(1, 1), .page_shift = 12, .size = 1};

	ppcvirt_phb_config_default(&cfg, 0);
	CHECK_EQ(ppcvirt_phb_create(NULL, &cfg, &phb), -EINVAL);
	CHECK_EQ(ppcvirt_phb_create(vm, NULL, &phb), -EINVAL);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, NULL), -EINVAL);
	cfg.flags = 1;
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), -EINVAL);
	ppcvirt_phb_config_default(&cfg, 256);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), -EINVAL);
	ppcvirt_phb_config_default(&cfg, 0);
	cfg.windows_supported = 3;
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), -EINVAL);
	ppcvirt_phb_config_default(&cfg, 0);
	cfg.page_shift_mask |= 1ULL << 11;
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), -EINVAL);
	ppcvirt_phb_config_default(&cfg, 0);
	cfg.dma_win_size = 0x1800;
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), -EINVAL);
	ppcvirt_phb_config_default(&cfg, 0);
	cfg.dma_win_addr = ~0xfffULL;
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), -EINVAL);
	CHECK(!has_table(vm, L0, NULL));

	/* A LIOBN of the PHB already taken: -EBUSY, nothing created. */
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(vm, &t, NULL), 0);
	ppcvirt_phb_config_default(&cfg, 1);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), -EBUSY);
	CHECK(!has_table(vm, PPCVIRT_PHB_LIOBN(1, 0), NULL));

	/* Two PHBs side by side. */
	ppcvirt_phb_config_default(&cfg, 0);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), 0);
	ppcvirt_phb_config_default(&cfg, 2);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &other), 0);
	CHECK(has_table(vm, 0x80000200, NULL));
	ppcvirt_phb_destroy(other);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

static void test_query_create_remove(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb *phb = phb_new(vm);
	struct ppcvirt_ddw_query q;
	struct ppcvirt_tce_info info;
	uint64_t liobn = 0, start = 1;

	CHECK_EQ(ppcvirt_phb_query(phb, &q), 0);
	CHECK_EQ(q.windows_available, 1);
	CHECK_EQ(q.page_mask, 0x107);
	CHECK_EQ_U64(q.largest_block, 0x2000000000ULL);
	CHECK_EQ(q.largest_block5, 0x80000000u);
	CHECK_EQ(q.migration_mask, 0);
	CHECK_EQ(ppcvirt_phb_query(NULL, &q), -EINVAL);

	CHECK_EQ(ppcvirt_phb_create_window(phb, 25, 31, &liobn, &start),
		 -EINVAL);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 13, 31, &liobn, &start),
		 -EINVAL);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 24, 23, &liobn, &start),
		 -EINVAL);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 64, 80, &liobn, &start),
		 -EINVAL);
	CHECK_EQ(ppcvirt_phb_create_window(NULL, 24, 31, &liobn, &start),
		 -EINVAL);

	CHECK_EQ(ppcvirt_phb_create_window(phb, 24, 31, &liobn, &start), 0);
	CHECK_EQ_U64(liobn, L1);
	CHECK_EQ_U64(start, DDW64);
	CHECK(has_table(vm, L1, &info));
	CHECK_EQ(info.page_shift, 24);
	CHECK_EQ_U64(info.size, 0x80);
	CHECK_EQ_U64(info.bus_offset, DDW64);
	CHECK_EQ(ppcvirt_phb_query(phb, &q), 0);
	CHECK_EQ(q.windows_available, 0);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 16, 31, NULL, NULL), -ENOSPC);

	CHECK_EQ(ppcvirt_phb_remove_window(phb, 0x80000005), -ENOENT);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L1), 0);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L1), -ENOENT);
	CHECK(!has_table(vm, L1, NULL));
	CHECK(has_table(vm, L0, NULL));
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

static void test_default_removal_rules(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb *phb = phb_new(vm);
	struct ppcvirt_ddw_query q;
	struct ppcvirt_tce_info info;
	uint64_t liobn = 0, start = 1, tce = 0;

	/* Default removed while a DDW exists: the DDW stays, no restore. */
	CHECK_EQ(ppcvirt_phb_create_window(phb, 16, 31, &liobn, &start), 0);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L0), 0);
	CHECK(!has_table(vm, L0, NULL));
	/* Removing the last, non-default window restores the default. */
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L1), 0);
	CHECK(has_table(vm, L0, &info));
	CHECK_EQ_U64(info.size, 0x40000);
	CHECK(ppcvirt_phb_window_enabled(phb, 0));

	/* Removing the default when it is alone: nothing restores it. */
	CHECK_EQ(ppcvirt_tce_put(vm, L0, 5, 0x5003), 0);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L0), 0);
	CHECK(!has_table(vm, L0, NULL));
	CHECK_EQ(ppcvirt_phb_query(phb, &q), 0);
	CHECK_EQ(q.windows_available, 2);
	/* The next window reuses the default's LIOBN, at bus offset 0. */
	CHECK_EQ(ppcvirt_phb_create_window(phb, 12, 30, &liobn, &start), 0);
	CHECK_EQ_U64(liobn, L0);
	CHECK_EQ_U64(start, 0);
	CHECK_EQ(ppcvirt_tce_get(vm, L0, 5, &tce), 0);
	CHECK_EQ_U64(tce, 0);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 16, 31, &liobn, &start), 0);
	CHECK_EQ_U64(liobn, L1);
	CHECK_EQ_U64(start, DDW64);
	/*
	 * QEMU 7.2's def_win stays set on the default's LIOBN: removing it
	 * last does not restore anything, whatever created it.
	 */
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L1), 0);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L0), 0);
	CHECK(!has_table(vm, L0, NULL));
	CHECK_EQ(ppcvirt_phb_query(phb, &q), 0);
	CHECK_EQ(q.windows_available, 2);
	/* Reversed: L1 removed last is not the default: restore. */
	CHECK_EQ(ppcvirt_phb_create_window(phb, 12, 30, &liobn, NULL), 0);
	CHECK_EQ_U64(liobn, L0);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 16, 31, &liobn, NULL), 0);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L0), 0);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L1), 0);
	CHECK(has_table(vm, L0, &info));
	CHECK_EQ_U64(info.size, 0x40000);

	/* reset: all windows off, default on, zeroed. */
	CHECK_EQ(ppcvirt_phb_create_window(phb, 24, 31, NULL, NULL), 0);
	CHECK_EQ(ppcvirt_tce_put(vm, L0, 5, 0x5003), 0);
	CHECK_EQ(ppcvirt_phb_reset(phb), 0);
	CHECK(!has_table(vm, L1, NULL));
	CHECK_EQ(ppcvirt_tce_get(vm, L0, 5, &tce), 0);
	CHECK_EQ_U64(tce, 0);
	CHECK_EQ(ppcvirt_phb_reset(NULL), -EINVAL);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

/* Where QEMU truncates nb_table to 32 bits, ppcvirt refuses cleanly. */
static void test_oversized(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb *phb = phb_new(vm);
	struct ppcvirt_ddw_query q;
	uint64_t liobn = 7, start = 7;

	CHECK_EQ(ppcvirt_phb_create_window(phb, 12, 44, &liobn, &start),
		 -E2BIG);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 12, 63, &liobn, &start),
		 -E2BIG);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 12, 64, &liobn, &start),
		 -E2BIG);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 24, 0xffffffff, &liobn, &start),
		 -E2BIG);
	CHECK_EQ_U64(liobn, 7);
	CHECK_EQ_U64(start, 7);
	CHECK(!has_table(vm, L1, NULL));
	CHECK_EQ(ppcvirt_phb_query(phb, &q), 0);
	CHECK_EQ(q.windows_available, 1);
	/* 2^31 entries still fits; the window is usable afterwards. */
	CHECK_EQ(ppcvirt_phb_create_window(phb, 12, 43, &liobn, &start), 0);
	CHECK_EQ_U64(liobn, L1);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

/* A PHB whose created windows would pass 2^64. */
static void test_window_wrap(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_phb *phb = NULL;

	ppcvirt_phb_config_default(&cfg, 0);
	cfg.dma64_win_addr = 0xffffffff00000000ULL;
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), 0);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 24, 40, NULL, NULL), -E2BIG);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 24, 31, NULL, NULL), 0);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

static void test_ddw_off(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_phb *phb = NULL;
	struct ppcvirt_ddw_query q;
	uint32_t args[3] = {0, (uint32_t)(BUID >> 32), (uint32_t)BUID};
	uint32_t rets[6] = {0};

	ppcvirt_phb_config_default(&cfg, 0);
	cfg.windows_supported = 1;
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), 0);
	CHECK(has_table(vm, L0, NULL));
	CHECK(!ppcvirt_phb_owns(phb, L1));
	CHECK_EQ(ppcvirt_phb_query(phb, &q), -EOPNOTSUPP);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 16, 31, NULL, NULL),
		 -EOPNOTSUPP);
	CHECK_EQ(ppcvirt_phb_remove_window(phb, L0), -EOPNOTSUPP);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW,
				  args, 3, rets, 6),
		 0);
	CHECK_EQ(rets[0], 0xfffffffdu);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_RESET_PE_DMA_WINDOW,
				  args, 3, rets, 1),
		 0);
	CHECK_EQ(rets[0], 0xfffffffdu);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

static void test_rtas_cells(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb *phb = phb_new(vm);
	uint32_t q[3] = {0x800, (uint32_t)(BUID >> 32), (uint32_t)BUID};
	uint32_t c[5] = {0x800, (uint32_t)(BUID >> 32), (uint32_t)BUID, 24, 31};
	uint32_t rm[1] = {(uint32_t)L1}, rets[8];

	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, 0x2030, q, 3, rets, 6), -ENOSYS);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW, q,
				  3, NULL, 6),
		 -EINVAL);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW, q,
				  3, rets, 0),
		 -EINVAL);

	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW, q,
				  3, rets, 6),
		 0);
	CHECK_EQ(rets[0], 0);
	CHECK_EQ(rets[1], 1);
	CHECK_EQ(rets[2], 0x20);
	CHECK_EQ(rets[3], 0);
	CHECK_EQ(rets[4], 0x107);
	CHECK_EQ(rets[5], 0);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW, q,
				  3, rets, 5),
		 0);
	CHECK_EQ(rets[0], 0);
	CHECK_EQ(rets[2], 0x80000000u);
	CHECK_EQ(rets[3], 0x107);
	CHECK_EQ(rets[4], 0);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW, q,
				  2, rets, 5),
		 0);
	CHECK_EQ(rets[0], 0xfffffffdu);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW, q,
				  3, rets, 4),
		 0);
	CHECK_EQ(rets[0], 0xfffffffdu);

	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW, c,
				  5, rets, 4),
		 0);
	CHECK_EQ(rets[0], 0);
	CHECK_EQ(rets[1], (uint32_t)L1);
	CHECK_EQ(rets[2], 0x08000000u);
	CHECK_EQ(rets[3], 0);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW, c,
				  5, rets, 4),
		 0);
	CHECK_EQ(rets[0], 0xffffffffu); /* no free window: hardware error */
	c[4] = 23;
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW, c,
				  5, rets, 4),
		 0);
	CHECK_EQ(rets[0], 0xfffffffdu);

	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_REMOVE_PE_DMA_WINDOW,
				  rm, 1, rets, 1),
		 0);
	CHECK_EQ(rets[0], 0);
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_REMOVE_PE_DMA_WINDOW,
				  rm, 1, rets, 1),
		 0);
	CHECK_EQ(rets[0], 0xfffffffdu);
	/* Oversized: hardware error, state unchanged. */
	c[3] = 12;
	c[4] = 44;
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW, c,
				  5, rets, 4),
		 0);
	CHECK_EQ(rets[0], 0xffffffffu);
	CHECK(!has_table(vm, L1, NULL));
	CHECK_EQ(ppcvirt_rtas_ddw(&phb, 1, PPCVIRT_RTAS_RESET_PE_DMA_WINDOW, q,
				  3, rets, 1),
		 0);
	CHECK_EQ(rets[0], 0);
	/* No PHBs at all: every BUID is unknown. */
	CHECK_EQ(ppcvirt_rtas_ddw(NULL, 0, PPCVIRT_RTAS_RESET_PE_DMA_WINDOW, q,
				  3, rets, 1),
		 0);
	CHECK_EQ(rets[0], 0xfffffffdu);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

/* The created window takes real hypercalls at 1 << 59. */
static void test_hcalls_in_ddw(void)
{
	struct ppcvirt_vm *vm = vm_new();
	struct ppcvirt_phb *phb = phb_new(vm);
	struct ppcvirt_vcpu *vcpu = NULL;
	struct ppcvirt_hcall hc = {
		.nr = PPCVIRT_H_PUT_TCE,
		.args = {L1, DDW64 + (1ULL << 24), 0x1000003}};
	int rc;

	CHECK_EQ(ppcvirt_vcpu_create(vm, 0, &vcpu), 0);
	CHECK_EQ(ppcvirt_vm_alloc_memory(vm, 0, 0, 1ULL << 25, NULL, NULL), 0);
	CHECK_EQ(ppcvirt_phb_create_window(phb, 24, 31, NULL, NULL), 0);
	rc = ppcvirt_vcpu_hcall(vcpu, &hc);
	if (rc == PPCVIRT_HCALL_EXIT)
		CHECK_EQ(ppcvirt_vmm_hcall(vm, &hc), 0);
	CHECK_EQ((int64_t)hc.ret, PPCVIRT_H_SUCCESS);
	hc = (struct ppcvirt_hcall){.nr = PPCVIRT_H_GET_TCE,
				    .args = {L1, DDW64 + (1ULL << 24)}};
	rc = ppcvirt_vcpu_hcall(vcpu, &hc);
	if (rc == PPCVIRT_HCALL_EXIT)
		CHECK_EQ(ppcvirt_vmm_hcall(vm, &hc), 0);
	CHECK_EQ((int64_t)hc.ret, PPCVIRT_H_SUCCESS);
	CHECK_EQ_U64(hc.args[0], 0x1000003);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
}

static const struct test_case tests[] = {
	TEST(test_defaults),
	TEST(test_create_default_window),
	TEST(test_create_errors),
	TEST(test_query_create_remove),
	TEST(test_default_removal_rules),
	TEST(test_oversized),
	TEST(test_window_wrap),
	TEST(test_ddw_off),
	TEST(test_rtas_cells),
	TEST(test_hcalls_in_ddw),
};

TEST_MAIN(tests)
