/* SPDX-License-Identifier: MIT */
/*
 * kvm_perf: the exit path against the kernel, in the KVM rig.
 *
 *  1. H_PUT_TCE and H_PUT_TCE_INDIRECT(512) on one kernel table, handled
 *     in the kernel, then with the hcall disabled in the kernel
 *     (KVM_CAP_PPC_ENABLE_HCALL, 0) so that each call takes the exit path
 *     KVM_RUN -> KVM_EXIT_PAPR_HCALL -> ppcvirt_vmm_hcall() -> KVM_RUN on
 *     the same table through its mapping. Per call, and the ratio.
 *  2. ppcvirt's share of an exit round trip: the same exiting H_PUT_TCE
 *     answered by a bare loop that only sets the return code, and by
 *     ppcvirt, in alternating rounds so that drift in the emulator hits
 *     both alike (target: at most 5 % more), and ppcvirt_vmm_hcall()
 *     alone, back to back, for scale.
 *
 * Under QEMU TCG the absolute times are the emulator's, not POWER
 * hardware's: only the ratios of one run mean something. Integer
 * nanoseconds only (see tools/ppcvirt/kvm_runner.c on FP registers and
 * KVM_RUN). Prints "@@PERF" lines, which make kvm-check reports, and
 * "@@CHECK" lines for what must hold whatever the emulator's speed: each
 * measured call took the path it was meant to.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "kvm_runner.h"

#define LIOBN	 0x1234ULL
#define LIST_GPA 0x100000ULL

static int set_in_kernel(struct ppcvirt_vm *vm, uint64_t nr, bool on)
{
	struct ppcvirt_enable_cap cap = {
		.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
		.args = {nr, on},
	};

	return ppcvirt_vm_enable_cap(vm, &cap);
}

/* ns per call of @count calls of @hc; *exits_out the exits seen. */
static uint64_t per_call(struct kvm_runner *k, struct ppcvirt_vm *vm,
			 const struct ppcvirt_hcall *tmpl, uint64_t count,
			 enum kvm_runner_mode mode, uint64_t *exits_out)
{
	struct ppcvirt_hcall hc = *tmpl;
	uint64_t ns = 0, exits = 0;

	if (kvm_runner_repeat(k, vm, &hc, count, mode, &ns, &exits) ||
	    hc.ret != 0) {
		printf("@@CHECK perf-run fail hcall 0x%llx returned %lld\n",
		       (unsigned long long)tmpl->nr, (long long)hc.ret);
		return 0;
	}
	if (exits_out)
		*exits_out = exits;
	return ns / count;
}

/* The median of @n values (sorted in place). */
static int64_t median(int64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* Hundredths, for printing a ratio without floating point. */
static void ratio(char *buf, size_t n, uint64_t num, uint64_t den)
{
	uint64_t h = den ? num * 100 / den : 0;

	snprintf(buf, n, "%llu.%02llu", (unsigned long long)(h / 100),
		 (unsigned long long)(h % 100));
}

/* In-kernel against exit path, in alternating rounds. */
static void compare(struct kvm_runner *k, struct ppcvirt_vm *vm,
		    const char *name, const struct ppcvirt_hcall *hc,
		    uint64_t n_kernel, uint64_t n_exit)
{
	const uint64_t rounds = 5;
	uint64_t kx = 0, ux = 0, kern = 0, exit = 0, x;
	char r[32];

	for (uint64_t i = 0; i <= rounds; i++) {
		/* Round 0 warms up and is not counted. */
		set_in_kernel(vm, hc->nr, true);
		x = per_call(k, vm, hc, n_kernel / rounds, KVM_RUNNER_PPCVIRT,
			     &kx);
		kern += i ? x : 0;
		set_in_kernel(vm, hc->nr, false);
		x = per_call(k, vm, hc, n_exit / rounds, KVM_RUNNER_PPCVIRT,
			     &ux);
		exit += i ? x : 0;
		if (kx != 0 || ux != n_exit / rounds)
			break;
	}
	set_in_kernel(vm, hc->nr, true);
	kern /= rounds;
	exit /= rounds;
	ratio(r, sizeof(r), exit, kern);
	printf("@@PERF %s in-kernel %llu ns/call (%llu calls), exit path "
	       "%llu ns/call (%llu calls): exit/in-kernel = %s\n",
	       name, (unsigned long long)kern, (unsigned long long)n_kernel,
	       (unsigned long long)exit, (unsigned long long)n_exit, r);
	printf("@@CHECK perf/%s-paths %s per round: %llu in-kernel calls with "
	       "%llu exits, %llu exit-path calls with %llu exits\n",
	       name,
	       kern && exit && kx == 0 && ux == n_exit / rounds ? "pass"
								: "fail",
	       (unsigned long long)n_kernel / rounds, (unsigned long long)kx,
	       (unsigned long long)n_exit / rounds, (unsigned long long)ux);
}

/* ppcvirt_vmm_hcall() alone, called back to back (caches and TLB warm). */
static uint64_t warm_vmm_hcall(struct ppcvirt_vm *vm,
			       const struct ppcvirt_hcall *tmpl, uint64_t n)
{
	struct ppcvirt_hcall hc;
	uint64_t t0 = kvm_runner_now_ns();

	for (uint64_t i = 0; i < n; i++) {
		hc = *tmpl;
		ppcvirt_vmm_hcall(vm, &hc);
	}
	return (kvm_runner_now_ns() - t0) / n;
}

int main(void)
{
	struct ppcvirt_create_spapr_tce_64 t = {
		.liobn = LIOBN, .page_shift = 12, .size = 0x10000};
	struct ppcvirt_hcall put = {.nr = PPCVIRT_H_PUT_TCE,
				    .args = {LIOBN, 0x2000, 0x10003}};
	struct ppcvirt_hcall ind = {
		.nr = PPCVIRT_H_PUT_TCE_INDIRECT,
		.args = {LIOBN, 0x1000000, LIST_GPA, PPCVIRT_TCE_LIST_MAX}};
	uint64_t list[PPCVIRT_TCE_LIST_MAX], ns[3], x;
	enum {
		ROUNDS = 31,
		N = 60
	};
	int64_t once[ROUNDS], twice[ROUNDS], bare[ROUNDS];
	struct kvm_runner *k;
	struct ppcvirt_vm *vm;
	char r[32];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (kvm_runner_open(0, &k) || kvm_runner_vm_create(k, &vm) ||
	    ppcvirt_vm_alloc_memory(vm, 0, 0, 64 << 20, NULL, NULL) ||
	    ppcvirt_vm_create_spapr_tce_64(vm, &t, NULL)) {
		printf("@@CHECK perf-setup fail no VM, memory or table\n");
		return 1;
	}
	for (unsigned i = 0; i < PPCVIRT_TCE_LIST_MAX; i++)
		list[i] = __builtin_bswap64((0x200000ULL + i * 0x1000) | 3);
	ppcvirt_vm_write_guest(vm, LIST_GPA, list, sizeof(list));

	compare(k, vm, "H_PUT_TCE", &put, 20000, 1000);
	compare(k, vm, "H_PUT_TCE_INDIRECT(512)", &ind, 1000, 500);

	/* ppcvirt's share of an exit: the same hcall answered three ways,
	 * in rounds whose order rotates; per-round differences, median. */
	set_in_kernel(vm, PPCVIRT_H_PUT_TCE, false);
	per_call(k, vm, &put, N, KVM_RUNNER_BARE, NULL);
	per_call(k, vm, &put, N, KVM_RUNNER_PPCVIRT_TWICE, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		for (int j = 0; j < 3; j++) {
			int m = (i + j) % 3;

			ns[m] = per_call(k, vm, &put, N,
					 m == 0	  ? KVM_RUNNER_BARE
					 : m == 1 ? KVM_RUNNER_PPCVIRT
						  : KVM_RUNNER_PPCVIRT_TWICE,
					 &x);
		}
		bare[i] = (int64_t)ns[0];
		once[i] = (int64_t)ns[1] - (int64_t)ns[0];
		twice[i] = (int64_t)ns[2] - (int64_t)ns[1];
	}
	x = (uint64_t)median(bare, ROUNDS);
	ratio(r, sizeof(r),
	      (uint64_t)(median(once, ROUNDS) > 0 ? median(once, ROUNDS) : 0) *
		      100,
	      x);
	printf("@@PERF exit round trip: bare KVM_RUN loop %llu ns; "
	       "ppcvirt_vmm_hcall() adds %lld ns, %s %% (target <= 5 %%; "
	       "medians of %d rounds of %d calls)\n",
	       (unsigned long long)x, (long long)median(once, ROUNDS), r,
	       ROUNDS, N);
	ratio(r, sizeof(r),
	      (uint64_t)(median(twice, ROUNDS) > 0 ? median(twice, ROUNDS)
						   : 0) *
		      100,
	      x);
	printf("@@PERF a second ppcvirt_vmm_hcall() in the same exit adds "
	       "%lld ns, %s %%\n",
	       (long long)median(twice, ROUNDS), r);
	bare[0] = (int64_t)x;
	x = warm_vmm_hcall(vm, &put, 20000);
	ratio(r, sizeof(r), x * 100, (uint64_t)bare[0]);
	printf("@@PERF ppcvirt_vmm_hcall(H_PUT_TCE) alone, back to back: %llu "
	       "ns, %s %% of a bare exit round trip\n",
	       (unsigned long long)x, r);
	kvm_runner_close(k);
	return 0;
}
