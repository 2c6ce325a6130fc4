/* SPDX-License-Identifier: MIT */
/*
 * ppcvirt: the POWER virtualization acceleration of KVM, in user space.
 *
 * This umbrella header declares the VM object, its back ends, guest memory
 * slots and the capability interface, and includes every other public
 * header:
 *   <ppcvirt/hcall.h>  PAPR return codes, the per-vCPU hypercall entry point
 *                      and the KVM_EXIT_PAPR_HCALL-shaped exit record;
 *   <ppcvirt/tce.h>    sPAPR TCE tables (KVM_CREATE_SPAPR_TCE[_64]) and the
 *                      device-side DMA translation;
 *   <ppcvirt/iommu.h>  pass-through: tables linked to host IOMMUs;
 *   <ppcvirt/vfio.h>   the VFIO host IOMMU back ends (type1v2, iommufd);
 *   <ppcvirt/ddw.h>    PCI host bridges and dynamic DMA windows (RTAS);
 *   <ppcvirt/kvm.h>    the KVM back end;
 *   <ppcvirt/booke.h>  the BookE e500 software-managed TLB (KVM_CAP_SW_TLB);
 *   <ppcvirt/state.h>  checkpoint, restore, live migration, dirty logging;
 *   <ppcvirt/trace.h>  trace events shaped like QEMU's spapr_iommu_*.
 *
 * Conventions (docs/design.md, "Conventions", has the long form):
 *   - Host/API calls return 0 (or a non-negative value) on success and
 *     -errno on failure; ppcvirt_last_error() may say more. Hypercalls
 *     return PAPR codes (PPCVIRT_H_*).
 *   - Guest addresses are integers, never pointers.
 *   - A NULL object or out-pointer gives -EINVAL; destroying NULL does
 *     nothing. Destroying a handle twice, or one its VM already destroyed
 *     (vCPUs, PHBs), does nothing either. Any other use of a destroyed
 *     handle is undefined, as with free().
 *   - Every function states its threading contract in a "Context:" line
 *     (docs/threading.md defines them):
 *       control plane: creates, changes or destroys objects; calls on
 *         one VM are serialised by the library (no caller lock needed);
 *       vCPU thread: the thread that owns a vCPU, one at a time;
 *       any thread: callable concurrently from anywhere (device threads
 *         included);
 *       caller serialises: the caller makes sure calls on that object do
 *         not overlap.
 *     No control-plane call may be made from a library callback (back-end
 *     ops, log, trace) or inside an RCU read-side section of liburcu-bp:
 *     it fails with -EDEADLK rather than wait for itself.
 *   - The library never prints, never aborts on guest or caller input.
 */
#ifndef PPCVIRT_PPCVIRT_H
#define PPCVIRT_PPCVIRT_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PPCVIRT_VERSION_MAJOR 0
#define PPCVIRT_VERSION_MINOR 1
#define PPCVIRT_VERSION_PATCH 0

/** ppcvirt_version() - the library's version string ("0.1.0"). */
PPCVIRT_API const char *ppcvirt_version(void);

/* Guest-physical address (never a host pointer). */
typedef uint64_t ppcvirt_gpa_t;

/*
 * Capabilities, with KVM's numbers (KVM_CHECK_EXTENSION).
 */
#define PPCVIRT_CAP_SPAPR_TCE	     63
#define PPCVIRT_CAP_SW_TLB	     69
#define PPCVIRT_CAP_SPAPR_MULTITCE   94
#define PPCVIRT_CAP_PPC_ENABLE_HCALL 104
#define PPCVIRT_CAP_SPAPR_TCE_64     125
#define PPCVIRT_CAP_SPAPR_TCE_VFIO   142

struct ppcvirt_vm;

/**
 * ppcvirt_check_extension() - like KVM_CHECK_EXTENSION.
 * @vm:  the VM, or NULL for what the library supports in general.
 * @cap: a PPCVIRT_CAP_* number.
 *
 * Context: any thread.
 * Return: 0 if the capability is absent (unknown numbers included), a
 * positive value if present (1 unless documented otherwise).
 */
PPCVIRT_API int ppcvirt_check_extension(const struct ppcvirt_vm *vm, long cap);

/* Semantics profiles (docs/design.md, "Guest-visible semantics"). */
enum ppcvirt_profile {
	/* KVM's modern rules, range bug fixed, all-or-nothing multi-TCE. */
	PPCVIRT_PROFILE_STRICT = 0,
	/* QEMU 7.2's exact guest-visible results. */
	PPCVIRT_PROFILE_QEMU = 1,
};

/**
 * ppcvirt_vm_create() - create a VM (like KVM_CREATE_VM).
 * @out: receives the VM.
 *
 * The VM starts with no memory, no tables, the strict profile, and
 * in-engine handling enabled for H_PUT_TCE and H_GET_TCE only (KVM's
 * default; H_PUT_TCE_INDIRECT and H_STUFF_TCE must be enabled with
 * PPCVIRT_CAP_PPC_ENABLE_HCALL, as QEMU does at machine init).
 *
 * Context: control plane.
 * Return: 0, -EINVAL (out is NULL), -ENOMEM.
 */
PPCVIRT_API int ppcvirt_vm_create(struct ppcvirt_vm **out);

/* Where a VM's hypercalls are handled (struct ppcvirt_vm_config.backend). */
enum ppcvirt_backend {
	/* ppcvirt's own engine: tables in ppcvirt's memory, hypercalls through
	 * ppcvirt_vcpu_hcall()'s fast and slow tiers. The default. */
	PPCVIRT_BACKEND_ENGINE = 0,
	/* A KVM VM the embedder owns (include/ppcvirt/kvm.h): the kernel's
	 * tables and in-kernel hypercalls; ppcvirt completes the exits. */
	PPCVIRT_BACKEND_KVM = 1,
};

/* struct ppcvirt_vm_config.flags */
/* KVM: keep H_PUT_TCE_INDIRECT and H_STUFF_TCE out of the kernel even when
 * they are enabled, so every such call exits to ppcvirt_vmm_hcall() and
 * gets the VM's profile (include/ppcvirt/kvm.h says when to want this). */
#define PPCVIRT_VM_KVM_USER_MULTITCE 0x1u

/**
 * struct ppcvirt_vm_config - how to create a VM.
 * @size:      sizeof(struct ppcvirt_vm_config), so the struct can grow.
 * @backend:   enum ppcvirt_backend.
 * @flags:     PPCVIRT_VM_* for the back end; 0 for the engine.
 * @kvm_vm_fd: PPCVIRT_BACKEND_KVM: the embedder's VM fd (from
 *             KVM_CREATE_VM); borrowed, never closed by ppcvirt. Else -1.
 * @reserved:  must be 0.
 */
struct ppcvirt_vm_config {
	uint32_t size;
	uint32_t backend;
	uint32_t flags;
	int32_t kvm_vm_fd;
	uint64_t reserved[6];
};

/**
 * ppcvirt_vm_create_with() - create a VM on a chosen back end.
 * @cfg: the configuration; @cfg->size must be at least the size of the
 *       version of the struct the caller was built with.
 * @out: receives the VM.
 *
 * The engine back end gives what ppcvirt_vm_create() gives. The KVM back
 * end attaches to the embedder's KVM VM (include/ppcvirt/kvm.h).
 *
 * Context: control plane.
 * Return: 0; -EINVAL (NULL, unknown back end, size, flags or reserved
 * fields, an fd that is not a KVM VM); -ENOMEM; the back end's errors.
 */
PPCVIRT_API int ppcvirt_vm_create_with(const struct ppcvirt_vm_config *cfg,
				       struct ppcvirt_vm **out);

/**
 * ppcvirt_vm_backend() - the back end of @vm (enum ppcvirt_backend).
 *
 * Context: any thread.
 * Return: the back end, or -EINVAL for NULL.
 */
PPCVIRT_API int ppcvirt_vm_backend(const struct ppcvirt_vm *vm);

/**
 * ppcvirt_vm_destroy() - free a VM with its vCPUs, PHBs, tables and the
 * memory ppcvirt allocated for it. NULL, or a VM destroyed already, is a
 * no-op; so is a call from a library callback or inside an RCU read-side
 * section (ppcvirt_last_error() says so).
 *
 * Context: control plane. No other thread may be using the VM or any
 * object of it (vCPU, table, translation) during or after the call.
 * Memory the embedder registered is borrowed and left alone.
 */
PPCVIRT_API void ppcvirt_vm_destroy(struct ppcvirt_vm *vm);

/* Log levels (syslog's numbers). */
#define PPCVIRT_LOG_ERR	    3
#define PPCVIRT_LOG_WARNING 4
#define PPCVIRT_LOG_NOTICE  5
#define PPCVIRT_LOG_INFO    6
#define PPCVIRT_LOG_DEBUG   7

/* A log callback: @msg is one line without a newline. */
typedef void (*ppcvirt_log_fn)(void *opaque, int level, const char *msg);

/**
 * ppcvirt_vm_set_log() - where the VM's notices go (none by default: the
 * library never prints). Notices are things a VMM author wants to know
 * once (a table the kernel would not hold), never one per hypercall.
 * @fn: NULL to stop logging.
 *
 * Context: control plane. @fn is called on whatever thread the notice
 * happens, possibly inside the library's locks: it must not call back
 * into ppcvirt (such calls fail with -EDEADLK).
 * Return: 0; -EINVAL (NULL @vm).
 */
PPCVIRT_API int ppcvirt_vm_set_log(struct ppcvirt_vm *vm, ppcvirt_log_fn fn,
				   void *opaque);

/**
 * ppcvirt_last_error() - a one-line description of why the last failing
 * call on this thread failed, when the library has more to say than the
 * -errno (which step, which value, which ranges). "" when it has not.
 * Each failing call that sets it overwrites it; successful calls leave it.
 *
 * Context: any thread (the text is per thread).
 * Return: a string owned by the library, valid until the next library
 * call on this thread.
 */
PPCVIRT_API const char *ppcvirt_last_error(void);

/**
 * ppcvirt_vm_set_profile() - choose the guest-visible semantics.
 *
 * Context: control plane; takes effect for hypercalls that start after it.
 * Return: 0, -EINVAL for an unknown profile.
 */
PPCVIRT_API int ppcvirt_vm_set_profile(struct ppcvirt_vm *vm,
				       enum ppcvirt_profile profile);
/**
 * ppcvirt_vm_get_profile() - the VM's profile.
 *
 * Context: any thread.
 * Return: an enum ppcvirt_profile value; -EINVAL for NULL.
 */
PPCVIRT_API int ppcvirt_vm_get_profile(const struct ppcvirt_vm *vm);

/* Like struct kvm_enable_cap. */
struct ppcvirt_enable_cap {
	uint32_t cap;
	uint32_t flags;
	uint64_t args[4];
	uint8_t pad[64];
};

/**
 * ppcvirt_vm_enable_cap() - like KVM_ENABLE_CAP on a VM.
 *
 * PPCVIRT_CAP_PPC_ENABLE_HCALL: args[0] = hcall number, args[1] = 1 to
 * handle it in the engine, 0 to send every such call to the VMM as an
 * exit. Only the four TCE hcalls can be enabled.
 *
 * Context: control plane; takes effect for hypercalls that start after it.
 * Return: 0; -EINVAL for unknown caps, non-zero flags, args[1] > 1, or an
 * hcall the engine does not implement.
 */
PPCVIRT_API int ppcvirt_vm_enable_cap(struct ppcvirt_vm *vm,
				      const struct ppcvirt_enable_cap *cap);

/*
 * Guest memory, like KVM_SET_USER_MEMORY_REGION. Slots map a guest-physical
 * range to host memory. Slots may not overlap; a slot of size 0 deletes it.
 */
struct ppcvirt_memory_region {
	uint32_t slot;
	uint32_t flags; /* must be 0 */
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr; /* host address of the first byte */
};

#define PPCVIRT_MAX_MEMSLOTS 64

/**
 * ppcvirt_vm_set_memory_region() - add, replace or delete a slot.
 *
 * The host memory is borrowed: the embedder keeps it mapped until the slot
 * is deleted or the VM destroyed. guest_phys_addr, memory_size and
 * userspace_addr must be 4 KiB aligned, and the range must not wrap.
 *
 * Context: control plane. Hypercalls and translations running concurrently
 * see either the old or the new set of slots.
 * Return: 0; -EINVAL (bad alignment, wrap, flags, slot number), -EEXIST
 * (overlaps another slot), -ENOENT (deleting an absent slot), -ENOMEM.
 */
PPCVIRT_API int
ppcvirt_vm_set_memory_region(struct ppcvirt_vm *vm,
			     const struct ppcvirt_memory_region *region);

/**
 * ppcvirt_vm_alloc_memory() - give the VM guest RAM that ppcvirt allocates
 * from a memfd, so another process (a device back end) can map it too.
 * @slot, @gpa, @size: as in struct ppcvirt_memory_region.
 * @hva_out: optional; receives the host address of the first byte.
 * @fd_out:  optional; receives a new fd (O_CLOEXEC, caller closes it) of
 *           the memfd, offset 0 = @gpa.
 *
 * The memory is freed when the slot is deleted or the VM destroyed. The
 * memfd is sealed (F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_SEAL): a process
 * holding the fd cannot resize it under the VMM.
 *
 * Context: control plane.
 * Return: as ppcvirt_vm_set_memory_region(), plus -EFBIG (above
 * RLIMIT_FSIZE, where the kernel would send SIGXFSZ), -ENOMEM/-EMFILE from
 * the system.
 */
PPCVIRT_API int ppcvirt_vm_alloc_memory(struct ppcvirt_vm *vm, uint32_t slot,
					ppcvirt_gpa_t gpa, uint64_t size,
					void **hva_out, int *fd_out);

/**
 * ppcvirt_vm_gpa_to_hva() - checked guest-physical to host translation.
 * @len: the range [gpa, gpa + len) must lie entirely inside one slot.
 *
 * Context: any thread. The pointer stays valid while the slot exists.
 * Return: the host address, or NULL when the range wraps, is empty, leaves
 * guest memory or straddles two slots.
 */
PPCVIRT_API void *ppcvirt_vm_gpa_to_hva(struct ppcvirt_vm *vm,
					ppcvirt_gpa_t gpa, uint64_t len);

/**
 * ppcvirt_vm_write_guest() / ppcvirt_vm_read_guest() - copy to or from
 * guest memory, with the same range rules as ppcvirt_vm_gpa_to_hva().
 *
 * Context: any thread.
 * Return: 0, -EFAULT when the range is not entirely guest memory of one
 * slot.
 */
PPCVIRT_API int ppcvirt_vm_write_guest(struct ppcvirt_vm *vm, ppcvirt_gpa_t gpa,
				       const void *src, uint64_t len);
PPCVIRT_API int ppcvirt_vm_read_guest(struct ppcvirt_vm *vm, ppcvirt_gpa_t gpa,
				      void *dst, uint64_t len);

#ifdef __cplusplus
}
#endif

#include <ppcvirt/hcall.h>
#include <ppcvirt/tce.h>
#include <ppcvirt/iommu.h>
#include <ppcvirt/vfio.h>
#include <ppcvirt/ddw.h>
#include <ppcvirt/kvm.h>
#include <ppcvirt/booke.h>
#include <ppcvirt/state.h>
#include <ppcvirt/trace.h>

#endif
