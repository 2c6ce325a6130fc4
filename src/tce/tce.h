/* SPDX-License-Identifier: MIT */
/*
 * The four TCE hypercalls (src/tce/hcall_tce.c): one implementation for
 * every tier and both profiles, driven by a per-call context.
 */
#ifndef PPCVIRT_SRC_TCE_TCE_H
#define PPCVIRT_SRC_TCE_TCE_H

#include "core/vm.h"
#include "tce/table.h"

/* Everything one execution of a TCE hcall needs. */
struct pcv_hctx {
	struct ppcvirt_vm *vm;
	const struct pcv_memslots *slots;
	struct pcv_table *table;  /* NULL: unknown LIOBN */
	uint64_t *scratch;	  /* PPCVIRT_TCE_LIST_MAX entries */
	bool qemu;		  /* profile */
	bool fast;		  /* fast tier: decline instead of blocking */
	int tier;		  /* enum ppcvirt_tier */
	enum ppcvirt_decline why; /* set when PCV_TOO_HARD is returned */
	bool deadlock;		  /* declined: would wait for this thread */
};

/* Run TCE hcall @idx (enum pcv_hcall_idx); returns a PAPR code or
 * PCV_TOO_HARD (c->why set). Caller holds pcv_rcu_lock(). */
PCV_INTERNAL long pcv_tce_hcall(struct pcv_hctx *c, int idx,
				struct ppcvirt_hcall *hc);

struct ppcvirt_trace;

/*
 * The trace event of a completed TCE hypercall, with QEMU's arguments
 * (include/ppcvirt/trace.h), derived from the call, its result and the
 * table; false for the failures QEMU does not trace. Only called when
 * tracing is on, so the hypercalls themselves record nothing for it.
 */
PCV_INTERNAL bool pcv_tce_trace(const struct pcv_hctx *c, int idx,
				const struct ppcvirt_hcall *hc, long ret,
				struct ppcvirt_trace *ev);

#endif
