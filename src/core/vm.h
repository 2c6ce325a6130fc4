/* SPDX-License-Identifier: MIT */
/*
 * The VM and vCPU objects (src/core/vm.c).
 *
 * A VM is the common state every back end shares (memory slots, tables,
 * profile, enabled hcalls, counters) plus a pointer to its back end
 * (src/backend/backend.h), which decides where tables live and what the
 * kernel, if any, handles. Control-plane calls are serialised by vm->lock;
 * data-plane state that hypercalls read (profile, tier mask, enable bits,
 * the published arrays) is atomic.
 */
#ifndef PPCVIRT_SRC_CORE_VM_H
#define PPCVIRT_SRC_CORE_VM_H

#include <ppcvirt/ppcvirt.h>

#include "core/common.h"
#include "core/mem.h"
#include "core/stats.h"

struct pcv_backend;
struct pcv_regions;
struct pcv_tableset;
struct pcv_tracer;
struct ppcvirt_migration;

/* Bits of vm->hcall_enabled: the TCE hcalls by index. */
enum pcv_hcall_idx {
	PCV_HC_GET = 0,
	PCV_HC_PUT,
	PCV_HC_STUFF,
	PCV_HC_INDIRECT,
	PCV_HC_COUNT
};

/* enum pcv_hcall_idx of a TCE hcall opcode, or -1. */
static inline int pcv_hcall_index(uint64_t nr)
{
	switch (nr) {
	case PPCVIRT_H_GET_TCE:
		return PCV_HC_GET;
	case PPCVIRT_H_PUT_TCE:
		return PCV_HC_PUT;
	case PPCVIRT_H_STUFF_TCE:
		return PCV_HC_STUFF;
	case PPCVIRT_H_PUT_TCE_INDIRECT:
		return PCV_HC_INDIRECT;
	default:
		return -1;
	}
}

struct ppcvirt_vcpu {
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *next;
	uint32_t id;
	/* Set while a thread is inside ppcvirt_vcpu_hcall() on this vCPU: a
	 * second thread gets -EBUSY (src/hcall/dispatch.c says how exact). */
	_Atomic uint32_t busy;
	struct pcv_stats stats;
};

/* An object that lives in a VM and dies with it (a PHB). */
struct pcv_child {
	void *obj;
	void (*destroy)(void *obj);
	unsigned type; /* enum pcv_handle_type */
	struct pcv_child *next;
};

struct ppcvirt_vm {
	_Atomic(struct pcv_memslots *) slots;
	_Atomic(struct pcv_regions *) regions;
	_Atomic(struct pcv_tableset *) tables;
	_Atomic unsigned profile;
	_Atomic unsigned tiers;		/* bit per in-engine tier */
	_Atomic unsigned hcall_enabled; /* bit per enum pcv_hcall_idx */
#if defined(PPCVIRT_TESTING)
	/* Fault injection (src/testing/fault.h): armed flag first. */
	_Atomic uint32_t fault_armed;
	_Atomic uint64_t fault_left; /* firings left; UINT64_MAX = always */
	struct pcv_fault {
		uint32_t tiers, point;
	} fault; /* written before arming (release) */
#endif
	const struct pcv_backend *be;
	void *be_priv;		    /* the back end's own state */
	bool engine_tiers;	    /* be->features & PCV_BE_ENGINE_TIERS */
	pthread_mutex_t lock;	    /* control plane (error-checking) */
	pthread_mutex_t stats_lock; /* VMM-tier counters, vCPU list */
	struct ppcvirt_vcpu *vcpus;
	struct pcv_stats vmm_stats;  /* updated under stats_lock */
	struct pcv_stats gone_stats; /* of destroyed vCPUs */
	ppcvirt_log_fn log_fn;	     /* under stats_lock */
	void *log_opaque;
	struct pcv_child *children; /* under stats_lock */
	/* Migration (src/state/), under vm->lock: the source side's running
	 * migration (new tables are dirty-tracked from birth), and the last
	 * pass a destination loaded. */
	struct ppcvirt_migration *migration;
	uint64_t loaded_migration;
	uint32_t loaded_pass;
	/* Dirty logging of guest memory written by device DMA is on: each
	 * slot has a bitmap (struct pcv_slot.dirty, src/state/dirty.c). */
	_Atomic bool dma_logging;
	_Atomic(struct pcv_tracer *) tracer; /* src/core/trace.c */
};

/* Make @obj die with @vm (its @destroy is called by ppcvirt_vm_destroy()
 * unless pcv_vm_drop_child() was called first): 0 or -ENOMEM. */
PCV_INTERNAL int pcv_vm_add_child(struct ppcvirt_vm *vm, void *obj,
				  unsigned type, void (*destroy)(void *obj));
PCV_INTERNAL void pcv_vm_drop_child(struct ppcvirt_vm *vm, void *obj);
/* pcv_vm_add_child() with a node allocated (and filled) by the caller. */
PCV_INTERNAL void pcv_vm_link_child(struct ppcvirt_vm *vm, struct pcv_child *c);

/* Report a notice through the VM's log callback (src/core/log.c). */
PCV_INTERNAL void pcv_log(struct ppcvirt_vm *vm, int level, const char *fmt,
			  ...) __attribute__((format(printf, 3, 4)));

#endif
