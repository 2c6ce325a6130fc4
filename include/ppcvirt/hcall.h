/* SPDX-License-Identifier: MIT */
/*
 * PAPR hypercalls: return codes, opcodes, vCPUs and the hypercall entry.
 *
 * A guest hypercall enters through ppcvirt_vcpu_hcall(), which tries the
 * engine's fast tier (KVM's real mode: lock-free, allocation-free, no
 * system calls), then its slow tier (KVM's virtual mode: may allocate),
 * and hands whatever the engine declines to the VMM as an exit record
 * shaped like KVM_EXIT_PAPR_HCALL. The VMM completes the exit, with its
 * own code or with ppcvirt_vmm_hcall() (the user-space tables, QEMU's role
 * under KVM), and returns the result to the guest. H_TOO_HARD is internal
 * and never reaches a guest.
 */
#ifndef PPCVIRT_HCALL_H
#define PPCVIRT_HCALL_H

#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* PAPR return codes (r3). Never bare H_*: QEMU and kvmtool define those. */
#define PPCVIRT_H_SUCCESS	       0
#define PPCVIRT_H_BUSY		       1
#define PPCVIRT_H_CLOSED	       2
#define PPCVIRT_H_HARDWARE	       (-1)
#define PPCVIRT_H_FUNCTION	       (-2)
#define PPCVIRT_H_PRIVILEGE	       (-3)
#define PPCVIRT_H_PARAMETER	       (-4)
#define PPCVIRT_H_NOT_FOUND	       (-7)
#define PPCVIRT_H_NOT_ENOUGH_RESOURCES (-44)
#define PPCVIRT_H_RESCINDED	       (-46)
#define PPCVIRT_H_TOO_HARD	       9999 /* internal, never to a guest */

/* Hypercall opcodes (r3 on entry). */
#define PPCVIRT_H_GET_TCE	   0x1C
#define PPCVIRT_H_PUT_TCE	   0x20
#define PPCVIRT_H_STUFF_TCE	   0x138
#define PPCVIRT_H_PUT_TCE_INDIRECT 0x13C
#define PPCVIRT_H_RTAS		   0xF000

/* TCE permission bits (bits 0 and 1 of an entry). */
#define PPCVIRT_TCE_READ  0x1ULL
#define PPCVIRT_TCE_WRITE 0x2ULL

/* Most entries an H_PUT_TCE_INDIRECT list may hold (one 4 KiB page). */
#define PPCVIRT_TCE_LIST_MAX 512

/**
 * struct ppcvirt_hcall - one hypercall, laid out like KVM's
 * run->papr_hcall (KVM_EXIT_PAPR_HCALL).
 * @nr:   the opcode (r3 on entry).
 * @ret:  the PAPR return code (r3 on exit).
 * @args: r4..r12 on entry; outputs are written back in place (H_GET_TCE
 *        puts the TCE in args[0], i.e. r4). Left untouched on failure.
 */
struct ppcvirt_hcall {
	uint64_t nr;
	uint64_t ret;
	uint64_t args[9];
};

/**
 * ppcvirt_hret_name() - "H_PARAMETER" and so on, for logs; "H_?" for
 * codes this header does not name.
 *
 * Context: any thread.
 */
PPCVIRT_API const char *ppcvirt_hret_name(long hret);

struct ppcvirt_vm;
struct ppcvirt_vcpu;

/**
 * ppcvirt_vcpu_create() - create a vCPU of @vm (like KVM_CREATE_VCPU): the
 * per-vCPU counters, and the guard that keeps one thread at a time in it.
 *
 * Context: control plane.
 * Return: 0; -EEXIST (id taken), -EINVAL, -ENOMEM.
 */
PPCVIRT_API int ppcvirt_vcpu_create(struct ppcvirt_vm *vm, uint32_t id,
				    struct ppcvirt_vcpu **out);

/**
 * ppcvirt_vcpu_destroy() - free a vCPU; NULL is a no-op. Also done by
 * ppcvirt_vm_destroy().
 *
 * Context: control plane; the vCPU must not be inside a call.
 */
PPCVIRT_API void ppcvirt_vcpu_destroy(struct ppcvirt_vcpu *vcpu);

/* Results of ppcvirt_vcpu_hcall(). */
#define PPCVIRT_HCALL_DONE 0 /* hc->ret (and outputs) are the guest's */
#define PPCVIRT_HCALL_EXIT 1 /* the VMM must complete hc (an exit record) */

/**
 * ppcvirt_vcpu_hcall() - run one guest hypercall through the engine.
 * @vcpu: the calling vCPU; one thread at a time per vCPU.
 * @hc:   nr and args[] in; ret and outputs out.
 *
 * Return: PPCVIRT_HCALL_DONE when the engine completed the call (the PAPR
 * code is in hc->ret); PPCVIRT_HCALL_EXIT when it declined (LIOBN not
 * registered with the engine, hcall not enabled, unknown opcode, or a
 * back end the engine could not complete) and @hc is the exit record for
 * the VMM; hc->ret is then undefined until the VMM sets it. -EINVAL for
 * NULL arguments; -EBUSY when another thread is inside a call on this
 * vCPU (nothing was done: like KVM, one thread at a time per vCPU; the
 * check is not a lock, see docs/threading.md, but concurrent calls never
 * mix their data); -EOPNOTSUPP on a VM whose back end runs the tiers in
 * the kernel (include/ppcvirt/kvm.h).
 *
 * Context: vCPU thread; vCPUs run concurrently with each other, with
 * translations and with table creation and removal.
 */
PPCVIRT_API int ppcvirt_vcpu_hcall(struct ppcvirt_vcpu *vcpu,
				   struct ppcvirt_hcall *hc);

/**
 * ppcvirt_vmm_hcall() - complete an exit with ppcvirt's user-space
 * implementation of the four TCE hcalls (the VMM tier: QEMU's role when
 * KVM punts). It sees every table of the VM, engine-registered or created
 * with PPCVIRT_TCE_VMM_ONLY, and applies the VM's profile. A LIOBN unknown
 * here too gets H_PARAMETER; an opcode that is not a TCE hcall gets
 * H_FUNCTION. Never returns H_TOO_HARD.
 *
 * Return: 0 with hc->ret set; -EINVAL for NULL arguments; -ENOMEM when a
 * table page could not be allocated (hc->ret is H_HARDWARE then);
 * -EDEADLK when called from a library callback for a table whose update
 * that callback is part of (hc->ret is H_HARDWARE, nothing changed).
 *
 * Context: any thread (the VMM's, or the vCPU's own), concurrently.
 */
PPCVIRT_API int ppcvirt_vmm_hcall(struct ppcvirt_vm *vm,
				  struct ppcvirt_hcall *hc);

/* Which in-engine tier completes a call. */
enum ppcvirt_tier {
	PPCVIRT_TIER_FAST = 0, /* KVM real mode */
	PPCVIRT_TIER_SLOW = 1, /* KVM virtual mode */
	PPCVIRT_TIER_VMM = 2,  /* exit to user space */
	PPCVIRT_TIER_COUNT
};

/*
 * ppcvirt_vm_set_tiers() - restrict which in-engine tiers run (benchmarks,
 * tests). @mask has bit (1 << PPCVIRT_TIER_FAST) and/or
 * (1 << PPCVIRT_TIER_SLOW); 0 sends every hcall to the VMM.
 *
 * Context: control plane.
 * Return: 0, -EINVAL for other bits.
 */
PPCVIRT_API int ppcvirt_vm_set_tiers(struct ppcvirt_vm *vm, unsigned mask);

/* Why a tier declined a call (index of ppcvirt_stats.declines). */
enum ppcvirt_decline {
	PPCVIRT_DECLINE_NO_TABLE = 0, /* LIOBN not registered in the engine */
	PPCVIRT_DECLINE_DISABLED,     /* hcall not enabled / tier off */
	PPCVIRT_DECLINE_TABLE_PAGE,   /* table page not known present */
	PPCVIRT_DECLINE_BACKEND,      /* pass-through back end */
	PPCVIRT_DECLINE_UNREGISTERED, /* TCE maps unregistered memory */
	PPCVIRT_DECLINE_INJECTED,     /* test fault injection */
	PPCVIRT_DECLINE_COUNT
};

/**
 * ppcvirt_tier_name() / ppcvirt_decline_name() - names of the indexes of
 * struct ppcvirt_stats, for logs, JSON keys and tools: "fast", "slow",
 * "vmm"; "no_table", "disabled", "table_page", "backend", "unregistered",
 * "injected". NULL for values out of range.
 *
 * Context: any thread.
 */
PPCVIRT_API const char *ppcvirt_tier_name(int tier);
PPCVIRT_API const char *ppcvirt_decline_name(int why);

/* Counters, summed over the VM's vCPUs. */
struct ppcvirt_stats {
	uint64_t completed[PPCVIRT_TIER_COUNT]; /* calls finished per tier */
	uint64_t declines[PPCVIRT_TIER_COUNT][PPCVIRT_DECLINE_COUNT];
	uint64_t exits; /* calls handed to the VMM */
};

/**
 * ppcvirt_vm_get_stats() - read the per-tier counters of a VM.
 *
 * Context: any thread; the counts are a racy but monotonic snapshot.
 * Return: 0, -EINVAL.
 */
PPCVIRT_API int ppcvirt_vm_get_stats(struct ppcvirt_vm *vm,
				     struct ppcvirt_stats *out);

/**
 * ppcvirt_vm_tce_stats() - the same counters for one table (calls that
 * reached it). They may undercount slightly when several vCPUs finish
 * calls on the same table at the same instant; per-VM counts are exact.
 *
 * Context: any thread.
 * Return: 0, -ENOENT, -EINVAL.
 */
PPCVIRT_API int ppcvirt_vm_tce_stats(struct ppcvirt_vm *vm, uint64_t liobn,
				     struct ppcvirt_stats *out);

#ifdef __cplusplus
}
#endif

#endif
