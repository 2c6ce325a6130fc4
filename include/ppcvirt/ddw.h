/* SPDX-License-Identifier: MIT */
/*
 * Dynamic DMA windows (DDW) on an sPAPR PCI host bridge (PHB), with the
 * semantics of QEMU's spapr-pci-host-bridge (docs/semantics.md §2.3,
 * §6.3-6.4 and the observations of §9).
 *
 * A PHB object owns up to two TCE tables ("windows") of a VM, created and
 * removed through the public table API (ppcvirt_vm_create_spapr_tce_64 /
 * ppcvirt_vm_remove_tce):
 *   - LIOBN of window n: 0x80000000 | index << 8 | n;
 *   - the default window: dma_win_addr (0), dma_win_size (1 GiB) of 4 KiB
 *     pages, enabled by ppcvirt_phb_create() and ppcvirt_phb_reset();
 *   - a created window goes to dma64_win_addr (1 << 59), or to
 *     dma_win_addr when no window is enabled (the default was removed),
 *     on the first disabled LIOBN (so the default's LIOBN is reused then);
 *   - removing the last enabled window restores the default one unless
 *     the removed window is on the default window's LIOBN (QEMU's def_win
 *     flag is set on that table by every DMA reset and never cleared, so
 *     a window created on the default's LIOBN counts as default too).
 *
 * Two layers: typed library calls (ppcvirt_phb_*) returning 0 / -errno,
 * and ppcvirt_rtas_ddw(), which decodes the four RTAS calls from their
 * 32-bit argument cells and answers RTAS cells as QEMU 7.2 does. Where
 * QEMU misbehaves (a window of 2^32 or more entries truncates to an empty
 * table and leaves a dangling region, §7 #11), ppcvirt refuses cleanly:
 * RTAS status -1 (hardware error, QEMU's code for an empty table) and
 * -E2BIG from ppcvirt_phb_create_window(), with no state change.
 */
#ifndef PPCVIRT_DDW_H
#define PPCVIRT_DDW_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/ppcvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* QEMU's SPAPR_PCI_BASE_BUID; PHB i has BUID base + i. */
#define PPCVIRT_PHB_BASE_BUID 0x800000020000000ULL
/* The LIOBN of window @n of PHB @index (SPAPR_PCI_LIOBN). */
#define PPCVIRT_PHB_LIOBN(index, n)                                            \
	(0x80000000ULL | ((uint64_t)(index) << 8) | (uint64_t)(n))
#define PPCVIRT_PHB_MAX_WINDOWS 2

/* RTAS tokens QEMU gives the DDW calls (ibm,ddw-applicable, extensions). */
#define PPCVIRT_RTAS_QUERY_PE_DMA_WINDOW  0x2026
#define PPCVIRT_RTAS_CREATE_PE_DMA_WINDOW 0x2027
#define PPCVIRT_RTAS_REMOVE_PE_DMA_WINDOW 0x2028
#define PPCVIRT_RTAS_RESET_PE_DMA_WINDOW  0x2029

/* RTAS status codes (first return cell). */
#define PPCVIRT_RTAS_SUCCESS	 0
#define PPCVIRT_RTAS_HW_ERROR	 (-1)
#define PPCVIRT_RTAS_BUSY	 (-2)
#define PPCVIRT_RTAS_PARAM_ERROR (-3)

/* LoPAPR page-size mask bits of ibm,query-pe-dma-window. */
#define PPCVIRT_DDW_PGSIZE_4K	0x001
#define PPCVIRT_DDW_PGSIZE_64K	0x002
#define PPCVIRT_DDW_PGSIZE_16M	0x004
#define PPCVIRT_DDW_PGSIZE_32M	0x008
#define PPCVIRT_DDW_PGSIZE_64M	0x010
#define PPCVIRT_DDW_PGSIZE_128M 0x020
#define PPCVIRT_DDW_PGSIZE_256M 0x040
#define PPCVIRT_DDW_PGSIZE_16G	0x080
#define PPCVIRT_DDW_PGSIZE_2M	0x100

/**
 * struct ppcvirt_phb_config - a PHB's DMA properties (QEMU's names).
 * @buid:              the PHB's BUID (RTAS calls address it).
 * @index:             PHB index, 0..255: LIOBNs 0x80000000 | index << 8 | n.
 * @windows_supported: 2 with DDW ("ddw=on"), 1 without (RTAS then answers
 *                     parameter error, as QEMU does with ddw=off).
 * @page_shift_mask:   supported IOMMU page sizes, bit n = 2^n bytes
 *                     (QEMU's "pgsz"), within 12..34.
 * @dma_win_addr:      bus offset of the default window (0).
 * @dma_win_size:      bytes of the default window (1 GiB), 4 KiB pages.
 * @dma64_win_addr:    bus offset of a created window (1 << 59).
 * @flags:             must be 0.
 */
struct ppcvirt_phb_config {
	uint64_t buid;
	uint32_t index;
	uint32_t windows_supported;
	uint64_t page_shift_mask;
	uint64_t dma_win_addr;
	uint64_t dma_win_size;
	uint64_t dma64_win_addr;
	uint32_t flags;
	uint32_t reserved;
};

/**
 * ppcvirt_phb_config_default() - QEMU 7.2's defaults for PHB @index: BUID
 * PPCVIRT_PHB_BASE_BUID + index, DDW on, page sizes 4K|64K|2M|16M, default
 * window 1 GiB of 4 KiB pages at 0, created windows at 1 << 59.
 *
 * Context: any thread.
 */
PPCVIRT_API void ppcvirt_phb_config_default(struct ppcvirt_phb_config *cfg,
					    uint32_t index);

struct ppcvirt_phb;

/**
 * ppcvirt_phb_create() - create a PHB on @vm and enable its default window
 * (a zeroed table).
 *
 * Context: control plane; the VM must outlive the PHB.
 * Return: 0; -EINVAL (NULL arguments, flags, index > 255,
 * windows_supported not 1 or 2, page_shift_mask with bits outside 12..34,
 * a default window that is empty, not 4 KiB aligned or overflows);
 * -EBUSY (a LIOBN of the PHB is already a table of @vm); -ENOMEM and the
 * other errors of ppcvirt_vm_create_spapr_tce_64().
 */
PPCVIRT_API int ppcvirt_phb_create(struct ppcvirt_vm *vm,
				   const struct ppcvirt_phb_config *cfg,
				   struct ppcvirt_phb **out);

/**
 * ppcvirt_phb_destroy() - remove the PHB's enabled windows from its VM and
 * free it. NULL is a no-op.
 *
 * Context: control plane.
 */
PPCVIRT_API void ppcvirt_phb_destroy(struct ppcvirt_phb *phb);

/**
 * ppcvirt_phb_get_config() - the configuration the PHB was created with.
 *
 * Context: any thread.
 */
PPCVIRT_API const struct ppcvirt_phb_config *
ppcvirt_phb_get_config(const struct ppcvirt_phb *phb);

/**
 * ppcvirt_phb_reset() - QEMU's spapr_phb_dma_reset(): disable every window
 * and enable the default one, zeroed (machine reset and
 * ibm,reset-pe-dma-window).
 *
 * Context: control plane.
 * Return: 0; -EINVAL (NULL); -ENOMEM or the errors of
 * ppcvirt_vm_create_spapr_tce_64() (the PHB is left with no window).
 */
PPCVIRT_API int ppcvirt_phb_reset(struct ppcvirt_phb *phb);

/* What ibm,query-pe-dma-window reports. */
struct ppcvirt_ddw_query {
	uint32_t windows_available;
	uint32_t page_mask;	 /* PPCVIRT_DDW_PGSIZE_* */
	uint64_t largest_block;	 /* TCEs, the 6-cell (64-bit) form */
	uint32_t largest_block5; /* the 5-cell (32-bit) form */
	uint32_t migration_mask; /* always 0 */
};

/**
 * ppcvirt_phb_query() - ibm,query-pe-dma-window: windows available
 * (2 - enabled windows) and the page-size mask. The largest-block values
 * are QEMU 7.2's constants (0x80000000 in the 5-cell form, 0x2000000000
 * in the 6-cell form).
 *
 * Context: control plane.
 * Return: 0; -EINVAL (NULL arguments); -EOPNOTSUPP (DDW off).
 */
PPCVIRT_API int ppcvirt_phb_query(const struct ppcvirt_phb *phb,
				  struct ppcvirt_ddw_query *out);

/**
 * ppcvirt_phb_create_window() - ibm,create-pe-dma-window: a zeroed window
 * of 2^@window_shift bytes of 2^@page_shift pages.
 * @liobn_out, @start_out: optional; the new window's LIOBN and bus offset.
 *
 * Context: control plane.
 * Return: 0; -EINVAL (NULL phb, page size not supported, window_shift <
 * page_shift); -EOPNOTSUPP (DDW off); -ENOSPC (no disabled window left);
 * -E2BIG (2^(window_shift - page_shift) entries do not fit QEMU's 32-bit
 * table size, or the window would pass 2^64); -ENOMEM and the other
 * errors of ppcvirt_vm_create_spapr_tce_64(). Nothing changes on error.
 */
PPCVIRT_API int ppcvirt_phb_create_window(struct ppcvirt_phb *phb,
					  uint32_t page_shift,
					  uint32_t window_shift,
					  uint64_t *liobn_out,
					  uint64_t *start_out);

/**
 * ppcvirt_phb_remove_window() - ibm,remove-pe-dma-window: disable the
 * window of @liobn; when that leaves no window enabled and @liobn is not
 * the default window's LIOBN, restore the default (ppcvirt_phb_reset()).
 *
 * Context: control plane.
 * Return: 0; -EINVAL (NULL); -EOPNOTSUPP (DDW off); -ENOENT (@liobn is not
 * an enabled window of this PHB); the errors of ppcvirt_phb_reset().
 */
PPCVIRT_API int ppcvirt_phb_remove_window(struct ppcvirt_phb *phb,
					  uint64_t liobn);

/**
 * ppcvirt_phb_owns() - whether @liobn is one of the PHB's LIOBNs (enabled
 * or not).
 *
 * Context: any thread.
 * Return: 1 or 0.
 */
PPCVIRT_API int ppcvirt_phb_owns(const struct ppcvirt_phb *phb, uint64_t liobn);

/**
 * ppcvirt_phb_window_enabled() - whether window @n (0..1) is enabled.
 *
 * Context: any thread.
 * Return: 1 or 0 (also for a bad @n).
 */
PPCVIRT_API int ppcvirt_phb_window_enabled(const struct ppcvirt_phb *phb,
					   unsigned n);

/**
 * ppcvirt_rtas_ddw() - run one DDW RTAS call as QEMU 7.2 does.
 * @phbs, @nphbs: the PHBs a BUID or LIOBN argument may name.
 * @token: PPCVIRT_RTAS_*_PE_DMA_WINDOW.
 * @args, @nargs: input cells (host-endian values of the BE cells).
 * @rets, @nret: output cells; rets[0] is the RTAS status. On an error
 *        status only rets[0] is written (when @nret >= 1).
 *
 * Status is PPCVIRT_RTAS_PARAM_ERROR for a wrong nargs/nret, an unknown
 * BUID or LIOBN, DDW off, an unsupported page size, window_shift <
 * page_shift or a window that is not enabled; PPCVIRT_RTAS_HW_ERROR when
 * no window is free or the window cannot be built (too many entries,
 * memory). query: {status, avail, largest block (1 or 2 cells), page
 * mask, 0}; create: {status, liobn, start_hi, start_lo}; remove and
 * reset: {status}.
 *
 * Context: control plane.
 * Return: 0 when the call ran (status in rets[0]); -EINVAL for NULL
 * pointers or @nret == 0; -ENOSYS for an unknown token.
 */
PPCVIRT_API int ppcvirt_rtas_ddw(struct ppcvirt_phb *const *phbs, size_t nphbs,
				 uint32_t token, const uint32_t *args,
				 uint32_t nargs, uint32_t *rets, uint32_t nret);

#ifdef __cplusplus
}
#endif

#endif
