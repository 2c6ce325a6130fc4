/* SPDX-License-Identifier: MIT */
/*
 * A PHB's DMA windows and the DDW RTAS calls (include/ppcvirt/ddw.h),
 * after QEMU 7.2's spapr_pci.c and spapr_rtas_ddw.c.
 *
 * The PHB keeps, per window, whether it is enabled, its geometry and
 * QEMU's sticky def_win flag (set on window 0 by every DMA reset, never
 * cleared, as in QEMU 7.2's merged code); the tables themselves
 * live in the VM and are made and dropped through the public table API,
 * so the PHB never touches engine internals; the VM only knows the PHB as
 * a child to destroy with it (a destroyed VM's PHB handles are dead too). A
 * window is "enabled" iff the PHB created its table; a window whose creation
 * fails stays disabled and leaves nothing behind (QEMU instead keeps a
 * zero-sized region).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace.h"
#include "core/vm.h"
#include "ddw/phb.h"

/* Page shifts with a LoPAPR query-mask bit, and that bit. */
static const struct {
	uint32_t shift;
	uint32_t bit;
} pgsz_bits[] = {
	{12, PPCVIRT_DDW_PGSIZE_4K},   {16, PPCVIRT_DDW_PGSIZE_64K},
	{24, PPCVIRT_DDW_PGSIZE_16M},  {25, PPCVIRT_DDW_PGSIZE_32M},
	{26, PPCVIRT_DDW_PGSIZE_64M},  {27, PPCVIRT_DDW_PGSIZE_128M},
	{28, PPCVIRT_DDW_PGSIZE_256M}, {34, PPCVIRT_DDW_PGSIZE_16G},
	{21, PPCVIRT_DDW_PGSIZE_2M},
};

#define PCV_SHIFT_MASK_OK                                                      \
	(((1ULL << (PPCVIRT_TCE_PAGE_SHIFT_MAX + 1)) - 1) &                    \
	 ~((1ULL << PPCVIRT_TCE_PAGE_SHIFT_MIN) - 1))

PPCVIRT_API void ppcvirt_phb_config_default(struct ppcvirt_phb_config *cfg,
					    uint32_t index)
{
	if (!cfg)
		return;
	*cfg = (struct ppcvirt_phb_config){
		.buid = PPCVIRT_PHB_BASE_BUID + index,
		.index = index,
		.windows_supported = 2,
		.page_shift_mask = (1ULL << 12) | (1ULL << 16) | (1ULL << 21) |
				   (1ULL << 24),
		.dma_win_addr = 0,
		.dma_win_size = 1ULL << 30,
		.dma64_win_addr = 1ULL << 59,
	};
}

static uint64_t win_liobn(const struct ppcvirt_phb *phb, unsigned n)
{
	return PPCVIRT_PHB_LIOBN(phb->cfg.index, n);
}

static unsigned enabled_count(const struct ppcvirt_phb *phb)
{
	unsigned n = 0;

	for (unsigned i = 0; i < phb->cfg.windows_supported; i++)
		n += phb->win[i].enabled;
	return n;
}

static int win_enable(struct ppcvirt_phb *phb, unsigned n, uint32_t shift,
		      uint64_t bus_offset, uint64_t entries)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = win_liobn(phb, n),
		.page_shift = shift,
		.offset = bus_offset >> shift,
		.size = entries,
	};
	int ret = ppcvirt_vm_create_spapr_tce_64(phb->vm, &a, NULL);

	if (ret)
		return ret;
	phb->win[n] = (struct pcv_phb_win){
		.enabled = true,
		.page_shift = shift,
		.bus_offset = bus_offset,
		.entries = entries,
	};
	return 0;
}

static void win_disable(struct ppcvirt_phb *phb, unsigned n)
{
	if (!phb->win[n].enabled)
		return;
	/* -ENOENT only if the embedder removed it behind our back. */
	(void)ppcvirt_vm_remove_tce(phb->vm, win_liobn(phb, n));
	memset(&phb->win[n], 0, sizeof(phb->win[n]));
}

PPCVIRT_API int ppcvirt_phb_reset(struct ppcvirt_phb *phb)
{
	if (!phb)
		return -EINVAL;
	for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++)
		win_disable(phb, i);
	phb->def_win[0] = true;
	return win_enable(phb, 0, 12, phb->cfg.dma_win_addr,
			  phb->cfg.dma_win_size >> 12);
}

static void phb_destroy_child(void *obj);

int pcv_phb_config_check(const struct ppcvirt_phb_config *cfg)
{
	uint64_t end;

	if (cfg->flags || cfg->reserved || cfg->index > 255 ||
	    cfg->windows_supported < 1 ||
	    cfg->windows_supported > PPCVIRT_PHB_MAX_WINDOWS ||
	    (cfg->page_shift_mask & ~PCV_SHIFT_MASK_OK) ||
	    cfg->dma_win_size < 4096 ||
	    ((cfg->dma_win_size | cfg->dma_win_addr) & 0xfff) ||
	    __builtin_add_overflow(cfg->dma_win_addr, cfg->dma_win_size, &end))
		return -EINVAL;
	return 0;
}

int pcv_phb_restore(struct ppcvirt_vm *vm, const struct ppcvirt_phb_config *cfg,
		    const struct pcv_phb_win *win, const bool *def_win,
		    struct ppcvirt_phb **out)
{
	struct ppcvirt_phb *phb;

	if (pcv_phb_config_check(cfg))
		return -EINVAL;
	phb = calloc(1, sizeof(*phb));
	if (!phb)
		return -ENOMEM;
	phb->vm = vm;
	phb->cfg = *cfg;
	for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++) {
		phb->win[i] = win[i];
		phb->def_win[i] = def_win[i];
	}
	if (pcv_handle_add(phb, PCV_H_PHB)) {
		free(phb);
		return -ENOMEM;
	}
	*out = phb;
	return 0;
}

void pcv_phb_publish(struct ppcvirt_phb *phb, struct pcv_child *child)
{
	child->obj = phb;
	child->type = PCV_H_PHB;
	child->destroy = phb_destroy_child;
	pcv_vm_link_child(phb->vm, child);
}

void pcv_phb_discard(struct ppcvirt_phb *phb)
{
	if (phb && pcv_handle_drop(phb, PCV_H_PHB))
		free(phb);
}

PPCVIRT_API int ppcvirt_phb_create(struct ppcvirt_vm *vm,
				   const struct ppcvirt_phb_config *cfg,
				   struct ppcvirt_phb **out)
{
	struct ppcvirt_phb *phb;
	int ret;

	if (!vm || !cfg || !out || pcv_phb_config_check(cfg))
		return -EINVAL;
	/* A window is on a free LIOBN or not at all. */
	for (unsigned i = 0; i < cfg->windows_supported; i++) {
		struct ppcvirt_tce_info info;

		if (ppcvirt_vm_tce_info(vm, PPCVIRT_PHB_LIOBN(cfg->index, i),
					&info) == 0)
			return -EBUSY;
	}
	phb = calloc(1, sizeof(*phb));
	if (!phb)
		return -ENOMEM;
	phb->vm = vm;
	phb->cfg = *cfg;
	ret = ppcvirt_phb_reset(phb);
	if (ret == 0)
		ret = pcv_handle_add(phb, PCV_H_PHB);
	if (ret == 0) {
		ret = pcv_vm_add_child(vm, phb, PCV_H_PHB, phb_destroy_child);
		if (ret)
			pcv_handle_drop(phb, PCV_H_PHB);
	}
	if (ret) {
		for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++)
			win_disable(phb, i);
		free(phb);
		return ret;
	}
	*out = phb;
	return 0;
}

/* The PHB's windows go, then the PHB. Also called by
 * ppcvirt_vm_destroy(), which destroys the PHBs of the VM first. */
static void phb_destroy_child(void *obj)
{
	struct ppcvirt_phb *phb = obj;

	if (!pcv_handle_drop(phb, PCV_H_PHB))
		return;
	for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++)
		win_disable(phb, i);
	free(phb);
}

PPCVIRT_API void ppcvirt_phb_destroy(struct ppcvirt_phb *phb)
{
	/* NULL, destroyed already, or destroyed with its VM: nothing to do,
	 * and phb->vm must not be touched. */
	if (!phb || !pcv_handle_drop(phb, PCV_H_PHB))
		return;
	pcv_vm_drop_child(phb->vm, phb);
	for (unsigned i = 0; i < PPCVIRT_PHB_MAX_WINDOWS; i++)
		win_disable(phb, i);
	free(phb);
}

PPCVIRT_API const struct ppcvirt_phb_config *
ppcvirt_phb_get_config(const struct ppcvirt_phb *phb)
{
	return phb ? &phb->cfg : NULL;
}

static uint32_t query_mask(uint64_t shift_mask)
{
	uint32_t m = 0;

	for (size_t i = 0; i < sizeof(pgsz_bits) / sizeof(pgsz_bits[0]); i++)
		if (shift_mask & (1ULL << pgsz_bits[i].shift))
			m |= pgsz_bits[i].bit;
	return m;
}

PPCVIRT_API int ppcvirt_phb_query(const struct ppcvirt_phb *phb,
				  struct ppcvirt_ddw_query *out)
{
	if (!phb || !out)
		return -EINVAL;
	if (phb->cfg.windows_supported < 2)
		return -EOPNOTSUPP;
	*out = (struct ppcvirt_ddw_query){
		/* QEMU: SPAPR_PCI_DMA_MAX_WINDOWS - active windows. */
		.windows_available =
			PPCVIRT_PHB_MAX_WINDOWS - enabled_count(phb),
		.page_mask = query_mask(phb->cfg.page_shift_mask),
		.largest_block = 0x2000000000ULL,
		.largest_block5 = 0x80000000u,
		.migration_mask = 0,
	};
	return 0;
}

/*
 * The checks of ibm,create-pe-dma-window in QEMU's order, split by the
 * RTAS status they map to: parameter errors first (-EINVAL), then the
 * hardware errors (-ENOSPC, -E2BIG, table creation).
 */
PPCVIRT_API int ppcvirt_phb_create_window(struct ppcvirt_phb *phb,
					  uint32_t page_shift,
					  uint32_t window_shift,
					  uint64_t *liobn_out,
					  uint64_t *start_out)
{
	uint64_t start, entries, bytes, end;
	unsigned n;
	int ret;

	if (!phb)
		return -EINVAL;
	if (phb->cfg.windows_supported < 2)
		return -EOPNOTSUPP;
	if (page_shift > 63 ||
	    !(phb->cfg.page_shift_mask & (1ULL << page_shift)) ||
	    window_shift < page_shift)
		return -EINVAL;
	if (enabled_count(phb) >= phb->cfg.windows_supported)
		return -ENOSPC;
	for (n = 0; n < phb->cfg.windows_supported; n++)
		if (!phb->win[n].enabled)
			break;
	if (n == phb->cfg.windows_supported)
		return -ENOSPC;
	start = enabled_count(phb) ? phb->cfg.dma64_win_addr
				   : phb->cfg.dma_win_addr;
	/* QEMU's nb_table is 32-bit: 2^32 entries and more truncate. */
	if (window_shift - page_shift >= 32)
		return -E2BIG;
	entries = 1ULL << (window_shift - page_shift);
	bytes = entries << page_shift;
	if (window_shift >= 64 || __builtin_add_overflow(start, bytes, &end) ||
	    (start & ((1ULL << page_shift) - 1)))
		return -E2BIG;
	ret = win_enable(phb, n, page_shift, start, entries);
	if (ret)
		return ret;
	if (liobn_out)
		*liobn_out = win_liobn(phb, n);
	if (start_out)
		*start_out = start;
	return 0;
}

static int window_of(const struct ppcvirt_phb *phb, uint64_t liobn)
{
	for (unsigned i = 0; i < phb->cfg.windows_supported; i++)
		if (liobn == win_liobn(phb, i))
			return (int)i;
	return -1;
}

PPCVIRT_API int ppcvirt_phb_remove_window(struct ppcvirt_phb *phb,
					  uint64_t liobn)
{
	bool def;
	int n;

	if (!phb)
		return -EINVAL;
	if (phb->cfg.windows_supported < 2)
		return -EOPNOTSUPP;
	n = window_of(phb, liobn);
	if (n < 0 || !phb->win[n].enabled)
		return -ENOENT;
	def = phb->def_win[n];
	win_disable(phb, (unsigned)n);
	if (enabled_count(phb) == 0 && !def)
		return ppcvirt_phb_reset(phb);
	return 0;
}

PPCVIRT_API int ppcvirt_phb_owns(const struct ppcvirt_phb *phb, uint64_t liobn)
{
	return phb && window_of(phb, liobn) >= 0;
}

PPCVIRT_API int ppcvirt_phb_window_enabled(const struct ppcvirt_phb *phb,
					   unsigned n)
{
	return phb && n < PPCVIRT_PHB_MAX_WINDOWS && phb->win[n].enabled;
}

static struct ppcvirt_phb *find_buid(struct ppcvirt_phb *const *phbs,
				     size_t nphbs, uint64_t buid)
{
	for (size_t i = 0; i < nphbs; i++)
		if (phbs[i] && phbs[i]->cfg.buid == buid)
			return phbs[i];
	return NULL;
}

static uint32_t st(int status)
{
	return (uint32_t)status;
}

PPCVIRT_API int ppcvirt_rtas_ddw(struct ppcvirt_phb *const *phbs, size_t nphbs,
				 uint32_t token, const uint32_t *args,
				 uint32_t nargs, uint32_t *rets, uint32_t nret)
{
	struct ppcvirt_phb *phb = NULL;
	struct ppcvirt_ddw_query q;
	uint64_t liobn, start;
	int ret;

	if ((!phbs && nphbs) || (!args && nargs) || !rets || nret == 0)
		return -EINVAL;
	switch (token) {
	case PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW:
		if (nargs != 3 || (nret != 5 && nret != 6))
			goto param;
		phb = find_buid(phbs, nphbs, (uint64_t)args[1] << 32 | args[2]);
		if (!phb || ppcvirt_phb_query(phb, &q))
			goto param;
		pcv_trace_emit(phb->vm, PPCVIRT_TRACE_DDW_QUERY, phb->cfg.buid,
			       args[0], q.windows_available, q.largest_block5,
			       q.page_mask, 0);
		rets[0] = st(PPCVIRT_RTAS_SUCCESS);
		rets[1] = q.windows_available;
		if (nret == 6) {
			rets[2] = (uint32_t)(q.largest_block >> 32);
			rets[3] = (uint32_t)q.largest_block;
			rets[4] = q.page_mask;
			rets[5] = q.migration_mask;
		} else {
			rets[2] = q.largest_block5;
			rets[3] = q.page_mask;
			rets[4] = q.migration_mask;
		}
		return 0;
	case PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW:
		if (nargs != 5 || nret != 4)
			goto param;
		phb = find_buid(phbs, nphbs, (uint64_t)args[1] << 32 | args[2]);
		if (!phb)
			goto param;
		ret = ppcvirt_phb_create_window(phb, args[3], args[4], &liobn,
						&start);
		if (ret == -EINVAL || ret == -EOPNOTSUPP)
			goto param;
		if (ret) {
			rets[0] = st(PPCVIRT_RTAS_HW_ERROR);
			return 0;
		}
		pcv_trace_emit(phb->vm, PPCVIRT_TRACE_DDW_CREATE, phb->cfg.buid,
			       args[0], 1ULL << args[3], 1ULL << args[4], start,
			       liobn);
		rets[0] = st(PPCVIRT_RTAS_SUCCESS);
		rets[1] = (uint32_t)liobn;
		rets[2] = (uint32_t)(start >> 32);
		rets[3] = (uint32_t)start;
		return 0;
	case PPCVIRT_RTAS_REMOVE_PE_DMA_WINDOW:
		if (nargs != 1 || nret != 1)
			goto param;
		for (size_t i = 0; i < nphbs && !phb; i++)
			if (ppcvirt_phb_owns(phbs[i], args[0]))
				phb = phbs[i];
		if (!phb)
			goto param;
		ret = ppcvirt_phb_remove_window(phb, args[0]);
		if (ret == -ENOENT || ret == -EOPNOTSUPP)
			goto param;
		if (!ret)
			pcv_trace_emit(phb->vm, PPCVIRT_TRACE_DDW_REMOVE,
				       args[0], 0, 0, 0, 0, 0);
		rets[0] =
			st(ret ? PPCVIRT_RTAS_HW_ERROR : PPCVIRT_RTAS_SUCCESS);
		return 0;
	case PPCVIRT_RTAS_RESET_PE_DMA_WINDOW:
		if (nargs != 3 || nret != 1)
			goto param;
		phb = find_buid(phbs, nphbs, (uint64_t)args[1] << 32 | args[2]);
		if (!phb || phb->cfg.windows_supported < 2)
			goto param;
		ret = ppcvirt_phb_reset(phb);
		if (!ret)
			pcv_trace_emit(phb->vm, PPCVIRT_TRACE_DDW_RESET,
				       phb->cfg.buid, args[0], 0, 0, 0, 0);
		rets[0] =
			st(ret ? PPCVIRT_RTAS_HW_ERROR : PPCVIRT_RTAS_SUCCESS);
		return 0;
	default:
		return -ENOSYS;
	}
param:
	rets[0] = st(PPCVIRT_RTAS_PARAM_ERROR);
	return 0;
}
