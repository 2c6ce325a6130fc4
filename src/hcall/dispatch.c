/* SPDX-License-Identifier: MIT */
/*
 * Hypercall entry: the tier ladder of KVM (real mode, virtual mode, exit to
 * user space) and the VMM tier's user-space implementation.
 *
 * ppcvirt_vcpu_hcall() tries the fast tier, then the slow tier, each a
 * complete re-execution from the arguments (KVM's modern contract: no
 * state carried between tiers, writes idempotent). What neither completes
 * goes back to the caller as a KVM_EXIT_PAPR_HCALL-shaped record.
 * ppcvirt_vmm_hcall() is what a VMM calls to complete such an exit with
 * ppcvirt's user-space tables; it never answers H_TOO_HARD.
 */
#include <errno.h>

#include "core/trace.h"
#include "tce/tce.h"
#include "testing/fault.h"

/* Look up what a call needs. Caller holds pcv_rcu_lock(). */
static inline __attribute__((always_inline)) void
hctx_begin(struct pcv_hctx *c, struct ppcvirt_vm *vm, uint64_t liobn,
	   uint64_t *scratch)
{
	c->vm = vm;
	c->slots = atomic_load_explicit(&vm->slots, memory_order_acquire);
	c->table = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_acquire), liobn);
	c->scratch = scratch;
	c->qemu = atomic_load_explicit(&vm->profile, memory_order_relaxed) ==
		  PPCVIRT_PROFILE_QEMU;
	c->why = PPCVIRT_DECLINE_COUNT;
	c->deadlock = false;
}

static int vcpu_exit(struct ppcvirt_vcpu *v, enum ppcvirt_decline why)
{
	pcv_stat_inc(&v->stats.declines[PPCVIRT_TIER_FAST][why]);
	pcv_stat_inc(&v->stats.exits);
	return PPCVIRT_HCALL_EXIT;
}

static inline __attribute__((always_inline)) int
vcpu_hcall(struct ppcvirt_vcpu *vcpu, struct ppcvirt_vm *vm,
	   struct ppcvirt_hcall *hc)
{
	/* Snapshot of an H_PUT_TCE_INDIRECT list: this call's own. */
	uint64_t scratch[PPCVIRT_TCE_LIST_MAX];
	struct pcv_hctx c;
	unsigned tiers;
	int idx;
	long ret;

	idx = pcv_hcall_index(hc->nr);
	if (idx < 0 ||
	    !(atomic_load_explicit(&vm->hcall_enabled, memory_order_relaxed) &
	      (1u << idx)))
		return vcpu_exit(vcpu, PPCVIRT_DECLINE_DISABLED);
	tiers = atomic_load_explicit(&vm->tiers, memory_order_relaxed);
	if (!tiers)
		return vcpu_exit(vcpu, PPCVIRT_DECLINE_DISABLED);

	pcv_rcu_lock();
	hctx_begin(&c, vm, hc->args[0], scratch);
	if (!c.table || (c.table->flags & PPCVIRT_TCE_VMM_ONLY)) {
		pcv_rcu_unlock();
		return vcpu_exit(vcpu, PPCVIRT_DECLINE_NO_TABLE);
	}
	for (int tier = PPCVIRT_TIER_FAST; tier <= PPCVIRT_TIER_SLOW; tier++) {
		if (!(tiers & (1u << tier)))
			continue;
		c.fast = tier == PPCVIRT_TIER_FAST;
		c.tier = tier;
		c.why = PPCVIRT_DECLINE_COUNT;
		if (pcv_fault_fires(&c, vm, PCV_FAULT_ENTRY))
			ret = PCV_TOO_HARD;
		else
			ret = pcv_tce_hcall(&c, idx, hc);
		if (pcv_likely(ret != PCV_TOO_HARD)) {
			pcv_stat_inc(&c.table->stats.completed[tier]);
			if (pcv_tracing(vm))
				pcv_trace_hcall(&c, idx, hc, ret);
			pcv_rcu_unlock();
			hc->ret = (uint64_t)ret;
			pcv_stat_inc(&vcpu->stats.completed[tier]);
			return PPCVIRT_HCALL_DONE;
		}
		pcv_stat_inc(&vcpu->stats.declines[tier][c.why]);
		pcv_stat_inc(&c.table->stats.declines[tier][c.why]);
	}
	pcv_stat_inc(&c.table->stats.exits);
	pcv_rcu_unlock();
	pcv_stat_inc(&vcpu->stats.exits);
	return PPCVIRT_HCALL_EXIT;
}

PPCVIRT_API int ppcvirt_vcpu_hcall(struct ppcvirt_vcpu *vcpu,
				   struct ppcvirt_hcall *hc)
{
	struct ppcvirt_vm *vm;
	int ret;

	if (pcv_unlikely(!vcpu || !hc))
		return -EINVAL;
	vm = vcpu->vm;
	if (pcv_unlikely(!vm->engine_tiers))
		return -EOPNOTSUPP; /* the kernel runs the tiers */
	/*
	 * One thread at a time per vCPU, as KVM serialises vCPU ioctls. The
	 * check is a plain load and store, not an atomic exchange: a locked
	 * instruction costs 7-8 ns on the machines this was measured on,
	 * most of an H_PUT_TCE. Two threads entering at the very same instant
	 * may therefore both pass; that is still safe, because a call keeps
	 * all its state (the INDIRECT snapshot included) on its own stack,
	 * so concurrent calls cannot mix their lists. Only the vCPU's
	 * counters, one writer by contract, may then miss a count.
	 */
	if (pcv_unlikely(
		    atomic_load_explicit(&vcpu->busy, memory_order_relaxed)))
		return -EBUSY;
	atomic_store_explicit(&vcpu->busy, 1, memory_order_relaxed);
	ret = vcpu_hcall(vcpu, vm, hc);
	atomic_store_explicit(&vcpu->busy, 0, memory_order_release);
	return ret;
}

PPCVIRT_API int ppcvirt_vmm_hcall(struct ppcvirt_vm *vm,
				  struct ppcvirt_hcall *hc)
{
	uint64_t scratch[PPCVIRT_TCE_LIST_MAX];
	struct pcv_hctx c;
	int idx;
	long ret;

	if (!vm || !hc)
		return -EINVAL;
	idx = pcv_hcall_index(hc->nr);
	if (idx < 0) {
		hc->ret = (uint64_t)PPCVIRT_H_FUNCTION;
		return 0;
	}
	pcv_rcu_lock();
	hctx_begin(&c, vm, hc->args[0], scratch);
	c.fast = false;
	c.tier = PPCVIRT_TIER_VMM;
	ret = pcv_tce_hcall(&c, idx, hc);
	if (c.table)
		pcv_stat_inc(&c.table->stats.completed[PPCVIRT_TIER_VMM]);
	/* The slow path cannot decline; never let H_TOO_HARD out. */
	if (ret == PCV_TOO_HARD)
		ret = PPCVIRT_H_HARDWARE;
	if (pcv_tracing(vm))
		pcv_trace_hcall(&c, idx, hc, ret);
	pcv_rcu_unlock();
	hc->ret = (uint64_t)ret;
	if (c.deadlock)
		return -EDEADLK;
	atomic_fetch_add_explicit(&vm->vmm_stats.completed[PPCVIRT_TIER_VMM], 1,
				  memory_order_relaxed);
	return 0;
}
