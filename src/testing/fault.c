/* SPDX-License-Identifier: MIT */
/*
 * Fault injection of the test build (src/testing/fault.h, testing.h).
 * Compiled only into the ppcvirt_testing library.
 */
#include <errno.h>

#include "tce/tce.h"
#include "testing/fault.h"
#include "testing/testing.h"

#if defined(PPCVIRT_TESTING)

bool pcv_fault_fires_slow(struct pcv_hctx *c, uint32_t point)
{
	struct ppcvirt_vm *vm = c->vm;
	uint64_t left;

	if (!atomic_load_explicit(&vm->fault_armed, memory_order_acquire))
		return false;
	if (vm->fault.point != point || !(vm->fault.tiers & (1u << c->tier)))
		return false;
	left = atomic_load_explicit(&vm->fault_left, memory_order_relaxed);
	do {
		if (left == 0)
			return false;
		if (left == UINT64_MAX)
			break;
	} while (!atomic_compare_exchange_weak(&vm->fault_left, &left,
					       left - 1));
	c->why = PPCVIRT_DECLINE_INJECTED;
	return true;
}

PPCVIRT_API int ppcvirt_vm_inject_fault(struct ppcvirt_vm *vm,
					const struct ppcvirt_fault *f)
{
	const uint32_t tiers =
		(1u << PPCVIRT_TIER_FAST) | (1u << PPCVIRT_TIER_SLOW);
	int ret;

	if (!vm || (f && (f->point > PPCVIRT_FAULT_BEFORE_COMMIT ||
			  (f->tiers & ~tiers))))
		return -EINVAL;
	ret = pcv_ctl_lock(&vm->lock);
	if (ret)
		return ret;
	atomic_store(&vm->fault_armed, 0);
	pcv_rcu_synchronize(); /* no call still reads the old fault */
	if (f) {
		vm->fault.tiers = f->tiers;
		vm->fault.point = f->point;
		atomic_store(&vm->fault_left, f->count ? f->count : UINT64_MAX);
		atomic_store_explicit(&vm->fault_armed, 1,
				      memory_order_release);
	}
	pcv_ctl_unlock(&vm->lock);
	return 0;
}

#endif
