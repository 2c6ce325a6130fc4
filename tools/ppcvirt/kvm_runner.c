/* SPDX-License-Identifier: MIT */
/*
 * A KVM VM whose hypercalls a real vCPU issues (kvm_runner.h).
 *
 * The guest is a few instructions of real-mode code in a 64 KiB slot at
 * STUB_GPA (1 TiB, away from the memory scripts give the guest, which
 * starts at 0), with a mailbox in the same page:
 *
 *   top:   ld   r28, COUNT(r31)
 *   again: ld   r3, NR(r31)  ... ld r10, ARG6(r31)
 *          sc   1
 *          addi r28, r28, -1 ; cmpdi r28, 0 ; bne again
 *          std  r3, RET(r31) ; std r4, R4(r31)
 *          li   r3, 0 ; ori r3, r3, DONE_NR ; sc 1
 *          b    top
 *
 * r31 holds the mailbox address from the start. The count lives in r28,
 * which the hypercall ABI preserves (CTR is volatile there). DONE_NR is no
 * hypercall KVM knows, so it always exits to user space: that exit, not a
 * register read, tells the runner the call is over, and the results are
 * in the mailbox.
 *
 * FP and vector registers: in a nested kvm-hv (a POWER KVM inside a QEMU
 * TCG guest), KVM_RUN has been seen to return with the guest vCPU's
 * values in the caller's non-volatile FP/VMX registers (f14-f31,
 * v20-v31). KVM_RUN is therefore issued from an assembly wrapper that
 * saves and restores those registers, FPSCR and VSCR around the system
 * call, and the timing code uses integer nanoseconds only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ppcvirt/kvm.h>

#include "kvm_runner.h"

#if defined(__powerpc64__) && defined(__linux__)

#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STUB_GPA   (1ULL << 40)
#define STUB_SIZE  0x10000ULL
#define STUB_SLOT  100 /* above ppcvirt's slots (PPCVIRT_MAX_MEMSLOTS) */
#define MBOX_OFF   0x8000
#define DONE_NR	   0xE000 /* "the call is over": unknown to KVM */
#define RUN_SECS   30	  /* watchdog for one KVM_RUN */
#define MSR_REAL64 0x8000000000001001ULL /* SF | ME | LE, MMU off */

/* The mailbox: what the stub loads and stores (guest byte order = ours). */
struct mbox {
	uint64_t nr;
	uint64_t args[7]; /* r4..r10 */
	uint64_t count;
	uint64_t ret; /* r3 after the last call */
	uint64_t r4;
};

struct kvm_runner {
	int sys_fd;
	uint32_t vm_flags;
	int vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *stub;
	struct mbox *mb;
	struct ppcvirt_vm *vm;
	struct kvm_runner_stats st;
	struct ppcvirt_replay_host host;
	bool plain_run; /* kvm_runner_set_plain_run() */
};

_Static_assert(sizeof(struct ppcvirt_hcall) ==
		       sizeof(((struct kvm_run *)0)->papr_hcall),
	       "struct ppcvirt_hcall is laid out like run->papr_hcall");

static volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

/* ---- Power ISA encodings of the few instructions the stub needs ----- */

static uint32_t i_ld(int rt, int ra, int ds)
{
	return 58u << 26 | (uint32_t)rt << 21 | (uint32_t)ra << 16 |
	       ((uint32_t)ds & 0xfffc);
}

static uint32_t i_std(int rs, int ra, int ds)
{
	return 62u << 26 | (uint32_t)rs << 21 | (uint32_t)ra << 16 |
	       ((uint32_t)ds & 0xfffc);
}

static uint32_t i_addi(int rt, int ra, int si)
{
	return 14u << 26 | (uint32_t)rt << 21 | (uint32_t)ra << 16 |
	       ((uint32_t)si & 0xffff);
}

static uint32_t i_ori(int ra, int rs, unsigned ui)
{
	return 24u << 26 | (uint32_t)rs << 21 | (uint32_t)ra << 16 |
	       (ui & 0xffff);
}

static uint32_t i_cmpdi(int ra, int si) /* cr0, L = 1 */
{
	return 11u << 26 | 1u << 21 | (uint32_t)ra << 16 |
	       ((uint32_t)si & 0xffff);
}

static uint32_t i_bne(int off) /* bc 4, cr0.eq, off */
{
	return 16u << 26 | 4u << 21 | 2u << 16 | ((uint32_t)off & 0xfffc);
}

static uint32_t i_b(int off)
{
	return 18u << 26 | ((uint32_t)off & 0x3fffffc);
}

#define I_SC1 0x44000022u

static void stub_write(uint32_t *code)
{
	int n = 0, top, again;

	top = n;
	code[n++] = i_ld(28, 31, offsetof(struct mbox, count));
	again = n;
	code[n++] = i_ld(3, 31, offsetof(struct mbox, nr));
	for (int i = 0; i < 7; i++)
		code[n++] = i_ld(4 + i, 31,
				 (int)(offsetof(struct mbox, args) + 8 * i));
	code[n++] = I_SC1;
	code[n++] = i_addi(28, 28, -1);
	code[n++] = i_cmpdi(28, 0);
	code[n] = i_bne((again - n) * 4);
	n++;
	code[n++] = i_std(3, 31, offsetof(struct mbox, ret));
	code[n++] = i_std(4, 31, offsetof(struct mbox, r4));
	code[n++] = i_addi(3, 0, 0);
	code[n++] = i_ori(3, 3, DONE_NR);
	code[n++] = I_SC1;
	code[n] = i_b((top - n) * 4);
}

/*
 * KVM_RUN through a raw system call with f14-f31, v20-v31, FPSCR and VSCR
 * saved before and restored after (see the top of this file). The
 * volatile FP/VMX registers are declared clobbered. Return: 0 or -errno.
 */
static __attribute__((noinline)) long kvm_run_preserving_fp(int fd)
{
	uint8_t save[368] __attribute__((aligned(16)));
	register long r0 __asm__("r0") = __NR_ioctl;
	register long r3 __asm__("r3") = fd;
	register long r4 __asm__("r4") = KVM_RUN;
	register long r5 __asm__("r5") = 0;
	long cr;

	__asm__ volatile(
		"stfd 14,0(%[s])\n stfd 15,8(%[s])\n stfd 16,16(%[s])\n"
		"stfd 17,24(%[s])\n stfd 18,32(%[s])\n stfd 19,40(%[s])\n"
		"stfd 20,48(%[s])\n stfd 21,56(%[s])\n stfd 22,64(%[s])\n"
		"stfd 23,72(%[s])\n stfd 24,80(%[s])\n stfd 25,88(%[s])\n"
		"stfd 26,96(%[s])\n stfd 27,104(%[s])\n stfd 28,112(%[s])\n"
		"stfd 29,120(%[s])\n stfd 30,128(%[s])\n stfd 31,136(%[s])\n"
		"mffs 0\n stfd 0,144(%[s])\n"
		"li 6,160\n stvx 20,%[s],6\n li 6,176\n stvx 21,%[s],6\n"
		"li 6,192\n stvx 22,%[s],6\n li 6,208\n stvx 23,%[s],6\n"
		"li 6,224\n stvx 24,%[s],6\n li 6,240\n stvx 25,%[s],6\n"
		"li 6,256\n stvx 26,%[s],6\n li 6,272\n stvx 27,%[s],6\n"
		"li 6,288\n stvx 28,%[s],6\n li 6,304\n stvx 29,%[s],6\n"
		"li 6,320\n stvx 30,%[s],6\n li 6,336\n stvx 31,%[s],6\n"
		"mfvscr 0\n li 6,352\n stvx 0,%[s],6\n"
		"sc\n"
		"mfcr %[cr]\n"
		"lfd 14,0(%[s])\n lfd 15,8(%[s])\n lfd 16,16(%[s])\n"
		"lfd 17,24(%[s])\n lfd 18,32(%[s])\n lfd 19,40(%[s])\n"
		"lfd 20,48(%[s])\n lfd 21,56(%[s])\n lfd 22,64(%[s])\n"
		"lfd 23,72(%[s])\n lfd 24,80(%[s])\n lfd 25,88(%[s])\n"
		"lfd 26,96(%[s])\n lfd 27,104(%[s])\n lfd 28,112(%[s])\n"
		"lfd 29,120(%[s])\n lfd 30,128(%[s])\n lfd 31,136(%[s])\n"
		"lfd 0,144(%[s])\n mtfsf 0xff,0\n"
		"li 6,352\n lvx 0,%[s],6\n mtvscr 0\n"
		"li 6,160\n lvx 20,%[s],6\n li 6,176\n lvx 21,%[s],6\n"
		"li 6,192\n lvx 22,%[s],6\n li 6,208\n lvx 23,%[s],6\n"
		"li 6,224\n lvx 24,%[s],6\n li 6,240\n lvx 25,%[s],6\n"
		"li 6,256\n lvx 26,%[s],6\n li 6,272\n lvx 27,%[s],6\n"
		"li 6,288\n lvx 28,%[s],6\n li 6,304\n lvx 29,%[s],6\n"
		"li 6,320\n lvx 30,%[s],6\n li 6,336\n lvx 31,%[s],6\n"
		: "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5), [cr] "=&r"(cr)
		: [s] "b"(save)
		: "memory", "cr0", "r6", "r7", "r8", "r9", "r10", "r11", "r12",
		  "ctr", "xer", "fr0", "fr1", "fr2", "fr3", "fr4", "fr5", "fr6",
		  "fr7", "fr8", "fr9", "fr10", "fr11", "fr12", "fr13", "v0",
		  "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",
		  "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18",
		  "v19");
	if (cr & 0x10000000) /* cr0.SO: r3 holds the errno */
		return -r3;
	return 0;
}

static int fail(int err, const char *what)
{
	fprintf(stderr, "ppcvirt: kvm: %s: %s\n", what, strerror(-err));
	return err;
}

/* The VM's notices (a table the kernel would not hold), on stderr. */
static void log_notice(void *opaque, int level, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "ppcvirt: %s: %s\n",
		level <= PPCVIRT_LOG_ERR ? "error" : "notice", msg);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int kvm_runner_open(uint32_t vm_flags, struct kvm_runner **out)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
	struct kvm_runner *k;
	int fd, ret;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr,
			"ppcvirt: --backend kvm: cannot open /dev/kvm: %s "
			"(load kvm and kvm_hv)\n",
			strerror(errno));
		return ret;
	}
	ret = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		fprintf(stderr,
			"ppcvirt: --backend kvm: KVM API version %d, "
			"expected %d\n",
			ret, KVM_API_VERSION);
		close(fd);
		return -ENODEV;
	}
	/* /dev/kvm answers even when no HV module is loaded; only a VM
	 * proves there is a KVM to run on. */
	ret = ioctl(fd, KVM_CREATE_VM, 0);
	if (ret < 0) {
		ret = -errno;
		fprintf(stderr,
			"ppcvirt: --backend kvm: /dev/kvm cannot create a VM: "
			"%s (is kvm_hv loaded?)\n",
			strerror(errno));
		close(fd);
		return ret;
	}
	close(ret);
	k = calloc(1, sizeof(*k));
	if (!k) {
		close(fd);
		return -ENOMEM;
	}
	sigaction(SIGALRM, &sa, NULL);
	k->sys_fd = fd;
	k->vm_flags = vm_flags;
	k->vm_fd = k->vcpu_fd = -1;
	*out = k;
	return 0;
}

void kvm_runner_close(struct kvm_runner *k)
{
	if (!k)
		return;
	if (k->vm)
		kvm_runner_vm_destroy(k, k->vm);
	close(k->sys_fd);
	free(k);
}

int kvm_runner_vm_fd(const struct kvm_runner *k)
{
	return k->vm_fd;
}

static void teardown(struct kvm_runner *k)
{
	if (k->run)
		munmap(k->run, k->run_size);
	if (k->vcpu_fd >= 0)
		close(k->vcpu_fd);
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->stub)
		munmap(k->stub, STUB_SIZE);
	k->run = NULL;
	k->stub = NULL;
	k->mb = NULL;
	k->vcpu_fd = k->vm_fd = -1;
	k->vm = NULL;
}

static int enable_hcall(struct ppcvirt_vm *vm, uint64_t nr)
{
	struct ppcvirt_enable_cap cap = {
		.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
		.args = {nr, 1},
	};

	return ppcvirt_vm_enable_cap(vm, &cap);
}

/* KVM_CREATE_VM, stub slot, PAPR vCPU at the stub. */
static int kvm_setup(struct kvm_runner *k)
{
	struct kvm_userspace_memory_region slot = {
		.slot = STUB_SLOT,
		.guest_phys_addr = STUB_GPA,
		.memory_size = STUB_SIZE,
	};
	struct kvm_enable_cap papr = {.cap = KVM_CAP_PPC_PAPR};
	struct kvm_regs regs;
	int ret;

	k->vm_fd = xioctl(k->sys_fd, KVM_CREATE_VM, NULL);
	if (k->vm_fd < 0)
		return fail(k->vm_fd, "KVM_CREATE_VM (is kvm_hv loaded?)");
	k->stub = mmap(NULL, STUB_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->stub == MAP_FAILED) {
		k->stub = NULL;
		return fail(-errno, "stub memory");
	}
	stub_write((uint32_t *)k->stub);
	k->mb = (struct mbox *)(k->stub + MBOX_OFF);
	slot.userspace_addr = (uint64_t)(uintptr_t)k->stub;
	ret = xioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot);
	if (ret < 0)
		return fail(ret, "KVM_SET_USER_MEMORY_REGION (stub)");
	k->vcpu_fd = xioctl(k->vm_fd, KVM_CREATE_VCPU, NULL);
	if (k->vcpu_fd < 0)
		return fail(k->vcpu_fd, "KVM_CREATE_VCPU");
	ret = xioctl(k->sys_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (ret < 0)
		return fail(ret, "KVM_GET_VCPU_MMAP_SIZE");
	k->run_size = (size_t)ret;
	k->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      k->vcpu_fd, 0);
	if (k->run == MAP_FAILED) {
		k->run = NULL;
		return fail(-errno, "mmap of the vCPU's kvm_run");
	}
	/* kvm-hv refuses to run a vCPU that is not in PAPR mode. */
	ret = xioctl(k->vcpu_fd, KVM_ENABLE_CAP, &papr);
	if (ret < 0)
		return fail(ret, "KVM_ENABLE_CAP(KVM_CAP_PPC_PAPR)");
	ret = xioctl(k->vcpu_fd, KVM_GET_REGS, &regs);
	if (ret < 0)
		return fail(ret, "KVM_GET_REGS");
	regs.pc = STUB_GPA;
	regs.msr = MSR_REAL64;
	regs.gpr[31] = STUB_GPA + MBOX_OFF;
	ret = xioctl(k->vcpu_fd, KVM_SET_REGS, &regs);
	if (ret < 0)
		return fail(ret, "KVM_SET_REGS");
	return 0;
}

int kvm_runner_vm_create(struct kvm_runner *k, struct ppcvirt_vm **out)
{
	struct ppcvirt_vm_config cfg = {
		.size = sizeof(cfg),
		.backend = PPCVIRT_BACKEND_KVM,
		.flags = k->vm_flags,
	};
	int ret;

	if (k->vm)
		return fail(-EBUSY, "one VM at a time");
	memset(&k->st, 0, sizeof(k->st));
	ret = kvm_setup(k);
	if (ret) {
		teardown(k);
		return ret;
	}
	cfg.kvm_vm_fd = k->vm_fd;
	ret = ppcvirt_vm_create_with(&cfg, &k->vm);
	if (ret) {
		fprintf(stderr,
			"ppcvirt: kvm: attaching ppcvirt to the VM: %s%s%s\n",
			strerror(-ret), *ppcvirt_last_error() ? ": " : "",
			ppcvirt_last_error());
		teardown(k);
		return ret;
	}
	ppcvirt_vm_set_log(k->vm, log_notice, NULL);
	/* What QEMU enables at machine init. */
	ret = enable_hcall(k->vm, PPCVIRT_H_PUT_TCE_INDIRECT);
	if (!ret)
		ret = enable_hcall(k->vm, PPCVIRT_H_STUFF_TCE);
	if (ret) {
		fprintf(stderr, "ppcvirt: kvm: %s\n", ppcvirt_last_error());
		ppcvirt_vm_destroy(k->vm);
		teardown(k);
		return ret;
	}
	*out = k->vm;
	return 0;
}

void kvm_runner_vm_destroy(struct kvm_runner *k, struct ppcvirt_vm *vm)
{
	if (!vm || vm != k->vm)
		return;
	/* ppcvirt's table mappings and fds first, then the VM. */
	ppcvirt_vm_destroy(vm);
	teardown(k);
}

static long kvm_run(struct kvm_runner *k)
{
	if (k->plain_run)
		return ioctl(k->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
	return kvm_run_preserving_fp(k->vcpu_fd);
}

void kvm_runner_set_plain_run(struct kvm_runner *k, bool plain)
{
	k->plain_run = plain;
}

/* One KVM_RUN under the watchdog. */
static long run_once(struct kvm_runner *k, unsigned secs)
{
	long ret;

	watchdog_fired = 0;
	alarm(secs);
	ret = kvm_run(k);
	alarm(0);
	if (ret == -EINTR && watchdog_fired)
		return -ETIMEDOUT;
	return ret;
}

/*
 * Run until the stub's "done" exit, completing other hypercall exits as
 * @mode says. @secs bounds each KVM_RUN (0: one alarm over all of it).
 */
static int run_to_done(struct kvm_runner *k, struct ppcvirt_vm *vm,
		       enum kvm_runner_mode mode, unsigned secs,
		       uint64_t *exits)
{
	struct kvm_run *run = k->run;
	struct ppcvirt_hcall x;
	long ret;

	if (!secs) {
		watchdog_fired = 0;
		alarm(RUN_SECS * 10);
	}
	for (;;) {
		if (secs)
			ret = run_once(k, secs);
		else
			ret = kvm_run(k);
		if (ret == -EINTR && !secs && watchdog_fired)
			ret = -ETIMEDOUT;
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			break;
		if (run->exit_reason != KVM_EXIT_PAPR_HCALL) {
			fprintf(stderr,
				"ppcvirt: kvm: unexpected exit reason %u from "
				"the guest stub\n",
				run->exit_reason);
			ret = -EIO;
			break;
		}
		if (run->papr_hcall.nr == DONE_NR) {
			run->papr_hcall.ret = 0;
			ret = 0;
			break;
		}
		(*exits)++;
		if (mode == KVM_RUNNER_BARE) {
			run->papr_hcall.ret = PPCVIRT_H_SUCCESS;
			continue;
		}
		memcpy(&x, &run->papr_hcall, sizeof(x));
		if (mode == KVM_RUNNER_PPCVIRT_TWICE) {
			struct ppcvirt_hcall y = x;

			ppcvirt_vmm_hcall(vm, &y);
		}
		ret = ppcvirt_vmm_hcall(vm, &x);
		if (ret < 0 && ret != -ENOMEM) {
			fprintf(stderr, "ppcvirt: kvm: ppcvirt_vmm_hcall: %s\n",
				strerror((int)-ret));
			ret = -EIO;
			break;
		}
		memcpy(&run->papr_hcall, &x, sizeof(x));
	}
	if (!secs)
		alarm(0);
	if (ret == -ETIMEDOUT)
		fprintf(stderr, "ppcvirt: kvm: the guest did not finish "
				"within the watchdog's time\n");
	else if (ret < 0 && ret != -EIO)
		fprintf(stderr, "ppcvirt: kvm: KVM_RUN: %s\n", strerror(-ret));
	return (int)ret;
}

static void mbox_load(struct mbox *mb, const struct ppcvirt_hcall *hc,
		      uint64_t count)
{
	mb->nr = hc->nr;
	for (int i = 0; i < 7; i++)
		mb->args[i] = hc->args[i];
	mb->count = count;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Would Linux 6.1's in-kernel multi-TCE code mishandle @hc? */
static bool kernel_unsafe(struct kvm_runner *k, struct ppcvirt_vm *vm,
			  const struct ppcvirt_hcall *hc)
{
	struct ppcvirt_tce_info ti;
	uint64_t first, npages = hc->args[3];

	if (k->vm_flags & PPCVIRT_VM_KVM_USER_MULTITCE)
		return false;
	if (hc->nr != PPCVIRT_H_STUFF_TCE &&
	    hc->nr != PPCVIRT_H_PUT_TCE_INDIRECT)
		return false;
	if (hc->nr == PPCVIRT_H_STUFF_TCE && npages >> 32)
		return true; /* oopses the host */
	if (hc->nr == PPCVIRT_H_PUT_TCE_INDIRECT &&
	    npages > PPCVIRT_TCE_LIST_MAX)
		return false; /* refused before anything is written */
	if (ppcvirt_vm_tce_info(vm, hc->args[0], &ti))
		return false; /* unknown LIOBN: exits */
	first = hc->args[1] >> ti.page_shift;
	if (first < ti.offset || first - ti.offset >= ti.size)
		return false; /* the first entry is checked */
	/* Only the first entry is range-checked: the rest may run past. */
	return npages > ti.size - (first - ti.offset);
}

int kvm_runner_hcall(struct kvm_runner *k, struct ppcvirt_vm *vm,
		     struct ppcvirt_hcall *hc)
{
	uint64_t exits = 0;
	int ret;

	if (!k->vm || vm != k->vm)
		return -EINVAL;
	if (kernel_unsafe(k, vm, hc)) {
		fprintf(stderr,
			"ppcvirt: kvm: refusing hcall 0x%llx (npages 0x%llx): "
			"Linux 6.1 handles it in the kernel with a range past "
			"the window (or crashes); replay with "
			"--kvm-user-multitce\n",
			(unsigned long long)hc->nr,
			(unsigned long long)hc->args[3]);
		return -EPERM;
	}
	mbox_load(k->mb, hc, 1);
	ret = run_to_done(k, vm, KVM_RUNNER_PPCVIRT, RUN_SECS, &exits);
	if (ret)
		return ret;
	k->st.hcalls++;
	k->st.exits += exits;
	if (!exits)
		k->st.in_kernel++;
	hc->ret = k->mb->ret;
	hc->args[0] = k->mb->r4;
	return 0;
}

int kvm_runner_repeat(struct kvm_runner *k, struct ppcvirt_vm *vm,
		      struct ppcvirt_hcall *hc, uint64_t count,
		      enum kvm_runner_mode mode, uint64_t *ns, uint64_t *exits)
{
	uint64_t t0;
	int ret;

	if (!k->vm || vm != k->vm || !count)
		return -EINVAL;
	*exits = 0;
	mbox_load(k->mb, hc, count);
	t0 = kvm_runner_now_ns();
	ret = run_to_done(k, vm, mode, 0, exits);
	*ns = kvm_runner_now_ns() - t0;
	if (ret)
		return ret;
	k->st.hcalls += count;
	k->st.exits += *exits;
	k->st.in_kernel += count - (*exits < count ? *exits : count);
	hc->ret = k->mb->ret;
	hc->args[0] = k->mb->r4;
	return 0;
}

#else /* not a POWER Linux host */

struct kvm_runner {
	struct kvm_runner_stats st;
	struct ppcvirt_replay_host host;
};

int kvm_runner_open(uint32_t vm_flags, struct kvm_runner **out)
{
	(void)vm_flags;
	(void)out;
	fprintf(stderr, "ppcvirt: --backend kvm needs a POWER (ppc64) Linux "
			"host with KVM (kvm_hv); this ppcvirt was built for "
			"another architecture\n");
	return -ENODEV;
}

void kvm_runner_close(struct kvm_runner *k)
{
	free(k);
}

int kvm_runner_vm_fd(const struct kvm_runner *k)
{
	(void)k;
	return -1;
}

void kvm_runner_set_plain_run(struct kvm_runner *k, bool plain)
{
	(void)k;
	(void)plain;
}

int kvm_runner_vm_create(struct kvm_runner *k, struct ppcvirt_vm **out)
{
	(void)k;
	(void)out;
	return -ENODEV;
}

void kvm_runner_vm_destroy(struct kvm_runner *k, struct ppcvirt_vm *vm)
{
	(void)k;
	(void)vm;
}

int kvm_runner_hcall(struct kvm_runner *k, struct ppcvirt_vm *vm,
		     struct ppcvirt_hcall *hc)
{
	(void)k;
	(void)vm;
	(void)hc;
	return -ENODEV;
}

int kvm_runner_repeat(struct kvm_runner *k, struct ppcvirt_vm *vm,
		      struct ppcvirt_hcall *hc, uint64_t count,
		      enum kvm_runner_mode mode, uint64_t *ns, uint64_t *exits)
{
	(void)k;
	(void)vm;
	(void)hc;
	(void)count;
	(void)mode;
	(void)ns;
	(void)exits;
	return -ENODEV;
}

#endif

uint64_t kvm_runner_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void kvm_runner_get_stats(const struct kvm_runner *k,
			  struct kvm_runner_stats *out)
{
	*out = k->st;
}

/* ---- the replay host -------------------------------------------------- */

static int host_vm_create(void *opaque, struct ppcvirt_vm **out)
{
	return kvm_runner_vm_create(opaque, out);
}

/* Before the VM goes: one line of what the kernel and ppcvirt did. */
static void host_vm_destroy(void *opaque, struct ppcvirt_vm *vm)
{
	struct kvm_runner *k = opaque;
	struct ppcvirt_kvm_stats ks;

	if (ppcvirt_kvm_get_stats(vm, &ks) == 0)
		fprintf(stderr,
			"kvm: %llu hcalls, %llu in the kernel, %llu exits "
			"(%llu for user-space tables); tables at the end: "
			"%llu in the kernel, %llu in user space\n",
			(unsigned long long)k->st.hcalls,
			(unsigned long long)k->st.in_kernel,
			(unsigned long long)ks.exits,
			(unsigned long long)ks.user_table_exits,
			(unsigned long long)ks.kernel_tables,
			(unsigned long long)ks.user_tables);
	kvm_runner_vm_destroy(k, vm);
}

static int host_hcall(void *opaque, struct ppcvirt_vm *vm,
		      struct ppcvirt_hcall *hc)
{
	return kvm_runner_hcall(opaque, vm, hc);
}

const struct ppcvirt_replay_host *kvm_runner_host(struct kvm_runner *k)
{
	k->host = (struct ppcvirt_replay_host){
		.vm_create = host_vm_create,
		.vm_destroy = host_vm_destroy,
		.hcall = host_hcall,
		.opaque = k,
	};
	return &k->host;
}
