/* SPDX-License-Identifier: MIT */
/*
 * A PHB's private state (src/ddw/phb.c), shared with the state streams
 * (src/state/), which save and restore it.
 */
#ifndef PPCVIRT_SRC_DDW_PHB_H
#define PPCVIRT_SRC_DDW_PHB_H

#include <stdbool.h>
#include <stdint.h>

#include <ppcvirt/ddw.h>

#include "core/vm.h"

struct pcv_phb_win {
	bool enabled;
	uint32_t page_shift;
	uint64_t bus_offset;
	uint64_t entries;
};

struct ppcvirt_phb {
	struct ppcvirt_vm *vm;
	struct ppcvirt_phb_config cfg;
	struct pcv_phb_win win[PPCVIRT_PHB_MAX_WINDOWS];
	/*
	 * QEMU's def_win: set on the default window's table by every DMA
	 * reset and never cleared (QEMU 7.2, "spapr/ddw: Reset DMA when the
	 * last non-default window is removed"), so it stays set when
	 * ibm,create-pe-dma-window later reuses that LIOBN.
	 */
	bool def_win[PPCVIRT_PHB_MAX_WINDOWS];
};

/*
 * A PHB of @vm restored from saved state: its windows are tables @vm has
 * (or will have when the load commits); nothing is created or removed. A
 * live handle already, but not the VM's yet: pcv_phb_publish() makes it a
 * child of the VM (with a node the caller allocated, so it cannot fail),
 * pcv_phb_discard() frees it when the load is abandoned.
 */
PCV_INTERNAL int pcv_phb_restore(struct ppcvirt_vm *vm,
				 const struct ppcvirt_phb_config *cfg,
				 const struct pcv_phb_win *win,
				 const bool *def_win, struct ppcvirt_phb **out);
PCV_INTERNAL void pcv_phb_publish(struct ppcvirt_phb *phb,
				  struct pcv_child *child);
PCV_INTERNAL void pcv_phb_discard(struct ppcvirt_phb *phb);
/* The checks of ppcvirt_phb_create() on a configuration: 0 or -EINVAL. */
PCV_INTERNAL int pcv_phb_config_check(const struct ppcvirt_phb_config *cfg);

#endif
