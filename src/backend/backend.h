/* SPDX-License-Identifier: MIT */
/*
 * The VM back-end seam: what differs between ppcvirt's own engine and a
 * VM whose hypercalls a kernel handles.
 *
 * Every public call works on the common VM state (src/core/vm.h) and asks
 * the VM's back end only the questions below; a back end is one file
 * implementing them:
 *   - src/backend/engine.c: ppcvirt's own engine (the default). Tables are
 *     sparse memfds, hypercalls run through the fast and slow tiers of
 *     ppcvirt_vcpu_hcall().
 *   - src/backend/kvm.c: a KVM VM the embedder owns (it keeps its VM and
 *     vCPU fds and runs KVM_RUN). Capabilities come from the VM fd, tables
 *     are the kernel's (KVM_CREATE_SPAPR_TCE_64, mapped shared), memory
 *     slots are forwarded to KVM, and what the kernel passes up as
 *     KVM_EXIT_PAPR_HCALL is completed by ppcvirt_vmm_hcall() on the same
 *     tables through their mapping.
 * A next back end (another hypervisor, a remote process) is one more
 * struct pcv_backend.
 */
#ifndef PPCVIRT_SRC_BACKEND_BACKEND_H
#define PPCVIRT_SRC_BACKEND_BACKEND_H

#include <ppcvirt/ppcvirt.h>

#include "core/common.h"
#include "core/mem.h"

struct pcv_table;
struct ppcvirt_iommu_group;

/* struct pcv_backend.features */
#define PCV_BE_ENGINE_TIERS 0x1u /* ppcvirt_vcpu_hcall() runs the tiers */

struct pcv_backend {
	const char *name;
	enum ppcvirt_backend id;
	unsigned features;
	/* Attach to what @cfg names (vm->be_priv). Optional. */
	int (*init)(struct ppcvirt_vm *vm, const struct ppcvirt_vm_config *cfg);
	void (*fini)(struct ppcvirt_vm *vm);
	/* KVM_CHECK_EXTENSION for this VM. */
	int (*check_extension)(const struct ppcvirt_vm *vm, long cap);
	/* KVM_CAP_PPC_ENABLE_HCALL of hcall @nr (0 or -errno). Called
	 * before the engine's own bit changes. Optional. */
	int (*enable_hcall)(struct ppcvirt_vm *vm, uint64_t nr, bool on);
	/* Memory slot @old (NULL: none) becomes @nw (NULL: deleted); called
	 * under vm->lock before ppcvirt publishes the change. Optional. */
	int (*set_memory)(struct ppcvirt_vm *vm, const struct pcv_slot *old,
			  const struct pcv_slot *nw);
	/* Give table @t (geometry set, no storage yet) its storage. */
	int (*table_create)(struct ppcvirt_vm *vm, struct pcv_table *t);
	/* Kernel-side linkage of a host IOMMU group to @t, besides ppcvirt's
	 * own link layer (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE). Optional. */
	int (*link_group)(struct ppcvirt_vm *vm, struct pcv_table *t,
			  struct ppcvirt_iommu_group *g);
};

PCV_INTERNAL extern const struct pcv_backend pcv_backend_engine;
PCV_INTERNAL extern const struct pcv_backend pcv_backend_kvm;

/* The capabilities ppcvirt's engine has (engine back end, and the base
 * answer for the others). */
PCV_INTERNAL int pcv_engine_check_extension(long cap);

#endif
