/* SPDX-License-Identifier: MIT */
/*
 * kvm_fpguard: does the replay runner's KVM_RUN keep the caller's FP
 * registers? In a nested kvm-hv, KVM_RUN has been seen to return with
 * the guest vCPU's values in the caller's non-volatile FP/VMX registers,
 * most often when a context switch happens inside KVM_RUN
 * (docs/kvm.md). The runner issues KVM_RUN through a wrapper that saves
 * and restores them (tools/ppcvirt/kvm_runner.c).
 *
 * A double stays live across each of ROUNDS calls (the compiler keeps it
 * in a non-volatile FP register), each a KVM_RUN of CALLS in-kernel
 * H_PUT_TCE, beside a CPU hog that forces context switches. With the
 * wrapper the double must survive every call (a check); with a plain
 * ioctl(KVM_RUN), the control, the number of calls that lost it is only
 * reported, since whether the kernel misbehaves is not ours to assert.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>

#include "kvm_runner.h"

#define ROUNDS 40
#define CALLS  500

/* Calls whose KVM_RUN changed a double the caller held across it. */
static __attribute__((noinline)) int lost(struct kvm_runner *k,
					  struct ppcvirt_vm *vm,
					  const struct ppcvirt_hcall *hc)
{
	struct ppcvirt_hcall h;
	uint64_t ns, exits;
	double x = 0.5;
	int bad = 0;

	for (int i = 0; i < ROUNDS; i++) {
		h = *hc;
		if (kvm_runner_repeat(k, vm, &h, CALLS, KVM_RUNNER_PPCVIRT, &ns,
				      &exits))
			return -1;
		x += 1.0;
		if (x != (double)i + 1.5) {
			bad++;
			x = (double)i + 1.5;
		}
	}
	return bad;
}

int main(void)
{
	struct ppcvirt_create_spapr_tce_64 t = {
		.liobn = 0x1234, .page_shift = 12, .size = 0x1000};
	const struct ppcvirt_hcall put = {.nr = PPCVIRT_H_PUT_TCE,
					  .args = {0x1234, 0x1000, 0x10003}};
	struct kvm_runner *k;
	struct ppcvirt_vm *vm;
	int wrapped, plain;
	pid_t hog;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (kvm_runner_open(0, &k) || kvm_runner_vm_create(k, &vm) ||
	    ppcvirt_vm_alloc_memory(vm, 0, 0, 16 << 20, NULL, NULL) ||
	    ppcvirt_vm_create_spapr_tce_64(vm, &t, NULL)) {
		printf("@@CHECK fp/preserved fail no VM, memory or table\n");
		return 1;
	}
	hog = fork();
	if (hog == 0)
		for (;;)
			;
	wrapped = lost(k, vm, &put);
	kvm_runner_set_plain_run(k, true);
	plain = lost(k, vm, &put);
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	printf("@@CHECK fp/preserved %s a double live across %d KVM_RUNs of "
	       "%d in-kernel H_PUT_TCE, beside a CPU hog, was lost %d "
	       "time(s)\n",
	       wrapped == 0 ? "pass" : "fail", ROUNDS, CALLS, wrapped);
	printf("@@PERF FP control: with a plain ioctl(KVM_RUN) the live "
	       "double was lost in %d of %d KVM_RUNs\n",
	       plain, ROUNDS);
	kvm_runner_close(k);
	return 0;
}
