/* SPDX-License-Identifier: MIT */
/*
 * Test-only fault injection: make the fast or slow tier decline at a
 * chosen point, so tests can drive every fall-through path (fast -> slow
 * -> VMM) and show that re-running a call in the next tier is harmless.
 * Not for production use: it costs one relaxed load per hypercall.
 */
#ifndef PPCVIRT_TESTING_H
#define PPCVIRT_TESTING_H

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
	/* Decline in the middle of writing: after @entry entries of the
	 * call's range are written (INDIRECT/STUFF/PUT), like a real-mode
	 * handler failing half way. */
	PPCVIRT_FAULT_MID_COMMIT = 2,
};

struct ppcvirt_fault {
	uint32_t tiers; /* bit (1 << PPCVIRT_TIER_FAST/SLOW) where it fires */
	uint32_t point; /* enum ppcvirt_fault_point */
	uint64_t entry; /* PPCVIRT_FAULT_MID_COMMIT: entries written first */
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
