/* SPDX-License-Identifier: MIT */
/*
 * Hypercall counters (struct ppcvirt_stats), kept per vCPU, per table and
 * for the VMM tier.
 *
 * Counters are relaxed atomics bumped with a load and a store, not a
 * read-modify-write: per-vCPU blocks have one writer (a vCPU is used by
 * one thread at a time, which ppcvirt_vcpu_hcall() enforces); per-table
 * blocks may undercount when several vCPUs finish calls on one table at
 * the same instant (documented), which keeps a locked instruction off the
 * hot path.
 */
#ifndef PPCVIRT_SRC_CORE_STATS_H
#define PPCVIRT_SRC_CORE_STATS_H

#include <ppcvirt/hcall.h>

#include "core/common.h"

struct pcv_stats {
	_Atomic uint64_t completed[PPCVIRT_TIER_COUNT];
	_Atomic uint64_t declines[PPCVIRT_TIER_COUNT][PPCVIRT_DECLINE_COUNT];
	_Atomic uint64_t exits;
};

static inline void pcv_stat_inc(_Atomic uint64_t *c)
{
	/* Single writer per counter block: no read-modify-write needed. */
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* @dst += @src, field by field. */
PCV_INTERNAL void pcv_stats_add(struct ppcvirt_stats *dst,
				const struct pcv_stats *src);

#endif
