/* SPDX-License-Identifier: MIT */
/*
 * Emitting trace events (src/core/trace.c, include/ppcvirt/trace.h).
 */
#ifndef PPCVIRT_SRC_CORE_TRACE_H
#define PPCVIRT_SRC_CORE_TRACE_H

#include <ppcvirt/trace.h>

#include "core/vm.h"

struct pcv_hctx;
struct pcv_table;

/* Is anyone listening? One relaxed load: the hot path's whole cost. */
static inline bool pcv_tracing(const struct ppcvirt_vm *vm)
{
	return pcv_unlikely(atomic_load_explicit(&vm->tracer,
						 memory_order_relaxed) != NULL);
}

/* Emit an event (takes the RCU read lock itself). */
PCV_INTERNAL void pcv_trace_emit(struct ppcvirt_vm *vm, uint32_t event,
				 uint64_t a0, uint64_t a1, uint64_t a2,
				 uint64_t a3, uint64_t a4, uint64_t a5);
/* The event of a completed TCE hypercall; caller holds pcv_rcu_lock(). */
PCV_INTERNAL void pcv_trace_hcall(const struct pcv_hctx *c, int idx,
				  const struct ppcvirt_hcall *hc, long ret);
PCV_INTERNAL void pcv_trace_pre_save(struct ppcvirt_vm *vm,
				     const struct pcv_table *t);

#endif
