/* SPDX-License-Identifier: MIT */
/*
 * Test-only fault injection (the ppcvirt_testing library; not installed).
 *
 * Make the fast or slow tier decline at a chosen point, so tests can
 * drive every fall-through path (fast -> slow -> VMM) and show that
 * re-running a call in the next tier is harmless. Only points where
 * production code can decline exist (src/testing/fault.h); a back end
 * failing part way is injected into the back end (tests/support).
 */
#ifndef PPCVIRT_SRC_TESTING_TESTING_H
#define PPCVIRT_SRC_TESTING_TESTING_H

#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ppcvirt_vm;

enum ppcvirt_fault_point {
	/* Decline on entry, before anything is checked. */
	PPCVIRT_FAULT_ENTRY = 0,
	/* Decline after validation, before anything is written. */
	PPCVIRT_FAULT_BEFORE_COMMIT = 1,
};

struct ppcvirt_fault {
	uint32_t tiers; /* bit (1 << PPCVIRT_TIER_FAST/SLOW) where it fires */
	uint32_t point; /* enum ppcvirt_fault_point */
	uint64_t count; /* fire this many times, then disarm; 0 = always */
};

/**
 * ppcvirt_vm_inject_fault() - arm (or with NULL, disarm) a fault.
 *
 * Context: control plane.
 * Return: 0; -EINVAL (unknown point or tier bits).
 */
PPCVIRT_API int ppcvirt_vm_inject_fault(struct ppcvirt_vm *vm,
					const struct ppcvirt_fault *f);

#ifdef __cplusplus
}
#endif

#endif
