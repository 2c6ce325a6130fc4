/* SPDX-License-Identifier: MIT */
/*
 * Fault-injection hooks of the test build (PPCVIRT_TESTING). Installed
 * builds compile them to nothing, so the hot path carries no test code:
 * tests link the ppcvirt_testing library, built from the same sources
 * with PPCVIRT_TESTING defined (src/testing/fault.c, testing.h).
 *
 * A fault makes a tier decline at a point where production code can
 * decline too (on entry, or after validation before anything is written:
 * a table page not yet present, a busy lock, unregistered memory), so the
 * tests drive the real fall-through paths. A back end failing part way
 * through an update is modelled by the back end itself (the IOMMU model
 * in tests/support), never by writing half a call here.
 */
#ifndef PPCVIRT_SRC_TESTING_FAULT_H
#define PPCVIRT_SRC_TESTING_FAULT_H

#include "core/vm.h"

struct pcv_hctx;

#if defined(PPCVIRT_TESTING)
PCV_INTERNAL bool pcv_fault_fires_slow(struct pcv_hctx *c, uint32_t point);

static inline bool pcv_fault_armed(const struct ppcvirt_vm *vm)
{
	return atomic_load_explicit(&vm->fault_armed, memory_order_relaxed);
}

static inline bool pcv_fault_fires(struct pcv_hctx *c, struct ppcvirt_vm *vm,
				   uint32_t point)
{
	if (pcv_likely(!pcv_fault_armed(vm)))
		return false;
	return pcv_fault_fires_slow(c, point);
}
#else
static inline bool pcv_fault_armed(const struct ppcvirt_vm *vm)
{
	(void)vm;
	return false;
}

static inline bool pcv_fault_fires(struct pcv_hctx *c, struct ppcvirt_vm *vm,
				   uint32_t point)
{
	(void)c;
	(void)vm;
	(void)point;
	return false;
}
#endif

/* enum ppcvirt_fault_point of testing.h, for the hooks. */
#define PCV_FAULT_ENTRY		0
#define PCV_FAULT_BEFORE_COMMIT 1

#endif
