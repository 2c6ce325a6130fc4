/* SPDX-License-Identifier: MIT */
/*
 * The KVM back end: the same ppcvirt API on a POWER host's KVM.
 *
 * The VMM keeps what it owns: it creates the VM with KVM_CREATE_VM, its
 * vCPUs, and runs KVM_RUN itself. It attaches ppcvirt to the VM fd with
 * ppcvirt_vm_create_with() (backend PPCVIRT_BACKEND_KVM, kvm_vm_fd); from
 * then on:
 *   - ppcvirt_check_extension(vm, cap) is KVM_CHECK_EXTENSION on the VM fd
 *     (not /dev/kvm: a loaded kvm.ko without kvm-hv reports the TCE caps
 *     and then cannot create a VM);
 *   - memory slots set with ppcvirt_vm_set_memory_region() or
 *     ppcvirt_vm_alloc_memory() are also set in KVM
 *     (KVM_SET_USER_MEMORY_REGION, same slot numbers): let ppcvirt own the
 *     slot numbers it is given;
 *   - tables are the kernel's: KVM_CREATE_SPAPR_TCE_64 (or the legacy
 *     KVM_CREATE_SPAPR_TCE), mapped shared, so the kernel handles
 *     H_PUT_TCE, H_GET_TCE and, once enabled, H_PUT_TCE_INDIRECT and
 *     H_STUFF_TCE for them. When the kernel cannot create a table (QEMU
 *     users meet this as "KVM: Failed to create TCE64 table"), the table
 *     lives in ppcvirt's memory instead and every hypercall for it exits:
 *     counted (struct ppcvirt_kvm_stats.user_tables) and reported once
 *     through the VM's log callback, not an error;
 *   - PPCVIRT_CAP_PPC_ENABLE_HCALL goes to KVM_ENABLE_CAP on the VM fd;
 *   - on KVM_EXIT_PAPR_HCALL the VMM passes the exit to ppcvirt_vmm_hcall()
 *     (struct ppcvirt_hcall has the layout of kvm_run's papr_hcall: nr,
 *     ret, args[9]), which completes it on the same tables through their
 *     mapping, with the VM's profile;
 *   - translation (ppcvirt_dma_map/read/write), ppcvirt_tce_get/put, DDW
 *     (include/ppcvirt/ddw.h) and the state streams read and write the
 *     kernel's tables through the mapping.
 * Calls that only mean something for ppcvirt's own engine fail with
 * -EOPNOTSUPP: ppcvirt_vcpu_hcall() (the kernel runs the tiers),
 * ppcvirt_vm_set_tiers(). Linking a host IOMMU group
 * (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE) is attempted only when the VM fd
 * reports KVM_CAP_SPAPR_TCE_VFIO, else -EOPNOTSUPP.
 *
 * Attaching (ppcvirt_vm_create_with()) fails with -EBADF when kvm_vm_fd
 * is not open, -EINVAL when it is not a KVM VM fd (a vCPU fd, /dev/kvm,
 * anything else: ppcvirt_last_error() says what it is), -EOPNOTSUPP for
 * PPCVIRT_VM_KVM_USER_MULTITCE on a kernel without
 * KVM_CAP_PPC_ENABLE_HCALL; a failed attach leaves nothing behind.
 * ppcvirt works on its own duplicate of the fd. Destroying the VM removes
 * ppcvirt's tables and memory slots from the KVM VM, which stays the
 * VMM's. docs/kvm.md has the details (slot numbers, host page alignment,
 * an fd handed out keeping a removed table alive in the kernel).
 *
 * PPCVIRT_VM_KVM_USER_MULTITCE: Linux 6.1's in-kernel H_STUFF_TCE with
 * npages of 2^32 or 2^64 - 1 crashes the host, and its INDIRECT/STUFF
 * write past a window's end when the range runs over it
 * (docs/semantics.md §10.1). With this flag ppcvirt never enables those
 * two hcalls in the kernel, whatever the VMM asks, so they exit and get
 * the VM's profile (strict: the whole range checked first). Use it on
 * kernels without the fix, with guests you do not trust.
 */
#ifndef PPCVIRT_KVM_H
#define PPCVIRT_KVM_H

#include <stdint.h>

#include <ppcvirt/ppcvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the KVM back end did (ppcvirt_kvm_get_stats()). */
struct ppcvirt_kvm_stats {
	uint64_t kernel_tables;	   /* tables the kernel holds now */
	uint64_t user_tables;	   /* tables the kernel refused, now in user
				      space (every hcall for them exits) */
	uint64_t exits;		   /* exits completed by ppcvirt_vmm_hcall() */
	uint64_t user_table_exits; /* of which for user-space tables */
};

/**
 * ppcvirt_kvm_get_stats() - counters of a VM on the KVM back end.
 *
 * Context: any thread.
 * Return: 0; -EINVAL (NULL); -EOPNOTSUPP (not a KVM VM).
 */
PPCVIRT_API int ppcvirt_kvm_get_stats(struct ppcvirt_vm *vm,
				      struct ppcvirt_kvm_stats *out);

#ifdef __cplusplus
}
#endif

#endif
