/* SPDX-License-Identifier: MIT */
/*
 * A KVM VM whose hypercalls a real vCPU issues (tools/ppcvirt/kvm_runner.c):
 * what `ppcvirt replay --backend kvm` and the KVM rig's programs
 * (tests/rigs/kvm/) run on a POWER host with kvm-hv.
 *
 * The VM has one vCPU running a tiny real-mode stub that loads r3..r10
 * from a mailbox, executes `sc 1` (count times), stores r3/r4 back and
 * reports "done" with a private hypercall that KVM passes to user space.
 * Every other KVM_EXIT_PAPR_HCALL on the way is completed by
 * ppcvirt_vmm_hcall(), or answered by the runner itself in the "bare"
 * mode used to measure ppcvirt's share of an exit.
 *
 * Elsewhere (another architecture, no /dev/kvm, no kvm-hv) opening a
 * runner fails with a message on stderr.
 */
#ifndef PPCVIRT_TOOL_KVM_RUNNER_H
#define PPCVIRT_TOOL_KVM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include <ppcvirt/ppcvirt.h>
#include "replay.h"

struct kvm_runner;

/* Counters of a runner, over all its VMs. */
struct kvm_runner_stats {
	uint64_t hcalls;    /* hypercalls the stub issued */
	uint64_t in_kernel; /* of which the kernel completed */
	uint64_t exits;	    /* exits completed in user space */
};

/*
 * Open /dev/kvm for VMs attached with PPCVIRT_BACKEND_KVM and @vm_flags
 * (PPCVIRT_VM_KVM_*). Return: 0 or -errno, with a message on stderr.
 */
int kvm_runner_open(uint32_t vm_flags, struct kvm_runner **out);
void kvm_runner_close(struct kvm_runner *k);

/* The replay host (tools/lib/replay.h) of the runner. */
const struct ppcvirt_replay_host *kvm_runner_host(struct kvm_runner *k);

/*
 * A new KVM VM (KVM_CREATE_VM, stub memory, one PAPR vCPU) attached to
 * ppcvirt, with H_PUT_TCE_INDIRECT and H_STUFF_TCE enabled as QEMU does.
 * One VM per runner at a time. Return: 0 or -errno (message on stderr).
 */
int kvm_runner_vm_create(struct kvm_runner *k, struct ppcvirt_vm **out);
void kvm_runner_vm_destroy(struct kvm_runner *k, struct ppcvirt_vm *vm);
/* The KVM VM fd of the current VM (borrowed), or -1. */
int kvm_runner_vm_fd(const struct kvm_runner *k);

/*
 * Issue @hc from the vCPU and fill hc->ret and hc->args[0] (r4).
 * Refuses (-EPERM) multi-TCE calls that Linux 6.1 mishandles in the
 * kernel (H_STUFF_TCE with npages >= 2^32, ranges past a window's end)
 * unless the VM keeps them in user space (PPCVIRT_VM_KVM_USER_MULTITCE).
 */
int kvm_runner_hcall(struct kvm_runner *k, struct ppcvirt_vm *vm,
		     struct ppcvirt_hcall *hc);

/* How exits are answered by kvm_runner_repeat(). */
enum kvm_runner_mode {
	KVM_RUNNER_PPCVIRT = 0, /* ppcvirt_vmm_hcall() */
	KVM_RUNNER_BARE = 1,	/* H_SUCCESS by the runner, nothing else */
	/* ppcvirt_vmm_hcall() twice per exit: the second call shows what
	 * ppcvirt costs once the first has warmed what it touches. */
	KVM_RUNNER_PPCVIRT_TWICE = 2,
};

/*
 * Issue @hc @count times in a row from the guest (one KVM_RUN unless
 * calls exit) and time it: *@ns is the wall time from the first KVM_RUN
 * to the "done" exit, *@exits the exits on the way. No multi-TCE guard:
 * the caller chooses safe arguments. Integer nanoseconds on purpose (see
 * kvm_runner.c on FP registers and KVM_RUN).
 */
int kvm_runner_repeat(struct kvm_runner *k, struct ppcvirt_vm *vm,
		      struct ppcvirt_hcall *hc, uint64_t count,
		      enum kvm_runner_mode mode, uint64_t *ns, uint64_t *exits);

/*
 * Issue KVM_RUN as a plain ioctl, without preserving the FP/VMX registers
 * (the rig's control experiment, tests/rigs/kvm/kvm_fpguard.c). Never in
 * the CLI.
 */
void kvm_runner_set_plain_run(struct kvm_runner *k, bool plain);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t kvm_runner_now_ns(void);

void kvm_runner_get_stats(const struct kvm_runner *k,
			  struct kvm_runner_stats *out);

#endif
