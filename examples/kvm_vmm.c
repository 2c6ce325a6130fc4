/* SPDX-License-Identifier: MIT */
/*
 * kvm_vmm: what a kvmtool-sized VMM on a POWER host needs for a guest
 * IOMMU, with ppcvirt on KVM (docs/kvm.md).
 *
 *   1. KVM: create the VM and one PAPR vCPU, as any VMM does.
 *   2. ppcvirt: attach to the VM fd, give the guest RAM (ppcvirt forwards
 *      the slot to KVM), create a PCI host bridge with its default DMA
 *      window and a 64-bit DDW (both become kernel tables).
 *   3. Run the guest: it maps DMA with H_PUT_TCE and H_PUT_TCE_INDIRECT,
 *      which the kernel handles, and asks about a LIOBN the kernel does
 *      not know, which exits; the exit goes to ppcvirt_vmm_hcall().
 *   4. Be the device: DMA into guest memory through the kernel's table
 *      with ppcvirt_dma_write(), and check it landed.
 *
 * The guest is a handful of hand-assembled real-mode instructions. It
 * ends with hypercall 0xE000, which no hypervisor implements, so KVM
 * hands it to us: our signal that the guest is done.
 *
 * Only integer arithmetic here: in a nested kvm-hv (the test rig, a POWER
 * KVM inside QEMU) KVM_RUN can return with the guest's FP/vector values
 * in our non-volatile FP/vector registers.
 *
 * Prints what happens and a final "@@CHECK example pass|fail" line for
 * make kvm-check. Exit status 0 on success.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>

#define RAM_SIZE  (64ULL << 20)
#define CODE_GPA  0x10000ULL  /* above the interrupt vectors */
#define LIST_GPA  0x20000ULL  /* H_PUT_TCE_INDIRECT list, 4K aligned */
#define BUF_GPA	  0x400000ULL /* the device's DMA buffer */
#define DONE_NR	  0xE000
#define NO_LIOBN  0x71000002ULL		/* a LIOBN no table has */
#define MSR_GUEST 0x8000000000001001ULL /* SF | ME | LE, MMU off */

/* ---- a tiny assembler: the instructions the guest needs -------------- */

struct as {
	uint32_t *p;
	unsigned n;
};

static void emit(struct as *a, uint32_t insn)
{
	a->p[a->n++] = insn;
}

/* rD = 64-bit immediate: lis; ori; sldi 32; oris; ori. */
static void li64(struct as *a, unsigned r, uint64_t v)
{
	emit(a, 15u << 26 | r << 21 | (uint32_t)(v >> 48));	       /* lis */
	emit(a, 24u << 26 | r << 21 | r << 16 | ((v >> 32) & 0xffff)); /* ori */
	emit(a, 30u << 26 | r << 21 | r << 16 | 62u << 5 | 1u << 2 |
			1u << 1); /* sldi 32 */
	emit(a,
	     25u << 26 | r << 21 | r << 16 | ((v >> 16) & 0xffff)); /* oris */
	emit(a, 24u << 26 | r << 21 | r << 16 | (v & 0xffff));	    /* ori */
}

static void mr(struct as *a, unsigned dst, unsigned src)
{
	emit(a, 31u << 26 | src << 21 | dst << 16 | src << 11 | 444u << 1);
}

/* An hcall: r3 = nr, r4.. = args; r3 (and r4) saved into @save.. */
static void hcall(struct as *a, uint64_t nr, const uint64_t *args,
		  unsigned nargs, unsigned save, int save_r4)
{
	li64(a, 3, nr);
	for (unsigned i = 0; i < nargs; i++)
		li64(a, 4 + i, args[i]);
	emit(a, 0x44000022); /* sc 1 */
	mr(a, save, 3);
	if (save_r4)
		mr(a, save + 1, 4);
}

/* ---- the VMM --------------------------------------------------------- */

static int die(const char *what, int err)
{
	fprintf(stderr, "kvm_vmm: %s: %s%s%s\n", what,
		strerror(err < 0 ? -err : err),
		*ppcvirt_last_error() ? " - " : "", ppcvirt_last_error());
	printf("@@CHECK example fail %s\n", what);
	return 1;
}

static void on_log(void *opaque, int level, const char *msg)
{
	(void)opaque;
	(void)level;
	printf("kvm_vmm: ppcvirt says: %s\n", msg);
}

int main(void)
{
	static const char msg[] = "hello through the kernel's TCE table";
	struct ppcvirt_vm_config cfg = {
		.size = sizeof(cfg),
		.backend = PPCVIRT_BACKEND_KVM,
	};
	struct kvm_enable_cap papr = {.cap = KVM_CAP_PPC_PAPR};
	struct ppcvirt_enable_cap on = {.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL};
	struct ppcvirt_phb_config pc;
	struct ppcvirt_kvm_stats ks;
	struct ppcvirt_phb *phb;
	struct ppcvirt_vm *vm;
	struct kvm_regs regs;
	struct kvm_run *run;
	uint64_t ddw, ddw_start, list[16], exits = 0;
	uint8_t *ram;
	char back[sizeof(msg)];
	struct as a;
	int kvm, vmfd, vcpu, ret;

	/* 1. KVM, as any VMM sets it up. */
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return die("open /dev/kvm", errno);
	vmfd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vmfd < 0)
		return die("KVM_CREATE_VM", errno);

	/* 2. ppcvirt on that VM; memory and windows through ppcvirt. */
	cfg.kvm_vm_fd = vmfd;
	ret = ppcvirt_vm_create_with(&cfg, &vm);
	if (ret)
		return die("ppcvirt_vm_create_with", ret);
	ppcvirt_vm_set_log(vm, on_log, NULL);
	ret = ppcvirt_vm_alloc_memory(vm, 0, 0, RAM_SIZE, (void **)&ram, NULL);
	if (ret)
		return die("guest RAM", ret);
	/* Multi-TCE in the kernel, as QEMU enables it. */
	on.args[0] = PPCVIRT_H_PUT_TCE_INDIRECT;
	on.args[1] = 1;
	ret = ppcvirt_vm_enable_cap(vm, &on);
	on.args[0] = PPCVIRT_H_STUFF_TCE;
	if (!ret)
		ret = ppcvirt_vm_enable_cap(vm, &on);
	if (ret)
		return die("enable multi-TCE", ret);
	ppcvirt_phb_config_default(&pc, 0);
	ret = ppcvirt_phb_create(vm, &pc, &phb);
	if (ret)
		return die("PHB with its default window", ret);
	/* A DDW of 64K pages covering 1 GiB (what ibm,create-pe-dma-window
	 * asks for). */
	ret = ppcvirt_phb_create_window(phb, 16, 30, &ddw, &ddw_start);
	if (ret)
		return die("DDW", ret);
	ret = ppcvirt_kvm_get_stats(vm, &ks);
	printf("kvm_vmm: default window 0x%llx and DDW 0x%llx at 0x%llx; "
	       "%llu tables in the kernel\n",
	       (unsigned long long)PPCVIRT_PHB_LIOBN(0, 0),
	       (unsigned long long)ddw, (unsigned long long)ddw_start,
	       (unsigned long long)ks.kernel_tables);

	/* The guest: map BUF_GPA in both windows, read it back, then ask
	 * about a LIOBN nobody has. */
	for (unsigned i = 0; i < 16; i++) /* big-endian, as PAPR wants */
		list[i] =
			__builtin_bswap64((BUF_GPA + i * 0x10000) |
					  PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE);
	memcpy(ram + LIST_GPA, list, sizeof(list));
	a = (struct as){(uint32_t *)(ram + CODE_GPA), 0};
	hcall(&a, PPCVIRT_H_PUT_TCE,
	      (uint64_t[]){PPCVIRT_PHB_LIOBN(0, 0), 0x1000, BUF_GPA | 3}, 3, 20,
	      0);
	hcall(&a, PPCVIRT_H_PUT_TCE_INDIRECT,
	      (uint64_t[]){ddw, ddw_start, LIST_GPA, 16}, 4, 21, 0);
	hcall(&a, PPCVIRT_H_GET_TCE, (uint64_t[]){ddw, ddw_start + 0x10000}, 2,
	      22, 1);
	hcall(&a, PPCVIRT_H_GET_TCE, (uint64_t[]){NO_LIOBN, 0}, 2, 24, 0);
	li64(&a, 3, DONE_NR);
	emit(&a, 0x44000022);

	/* One vCPU in PAPR mode, real mode at the code. */
	vcpu = ioctl(vmfd, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return die("KVM_CREATE_VCPU", errno);
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return die("mmap kvm_run", errno);
	if (ioctl(vcpu, KVM_ENABLE_CAP, &papr) < 0)
		return die("KVM_CAP_PPC_PAPR", errno);
	ioctl(vcpu, KVM_GET_REGS, &regs);
	regs.pc = CODE_GPA;
	regs.msr = MSR_GUEST;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return die("KVM_SET_REGS", errno);

	/* 3. The run loop: hypercall exits go to ppcvirt. */
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return die("KVM_RUN", errno);
		}
		if (run->exit_reason != KVM_EXIT_PAPR_HCALL)
			return die("unexpected exit", EIO);
		if (run->papr_hcall.nr == DONE_NR)
			break;
		/* struct ppcvirt_hcall has papr_hcall's layout. */
		ret = ppcvirt_vmm_hcall(
			vm, (struct ppcvirt_hcall *)&run->papr_hcall);
		if (ret)
			return die("ppcvirt_vmm_hcall", ret);
		exits++;
	}
	ioctl(vcpu, KVM_GET_REGS, &regs);
	printf("kvm_vmm: guest: H_PUT_TCE %lld, H_PUT_TCE_INDIRECT %lld, "
	       "H_GET_TCE %lld -> 0x%llx, unknown LIOBN %lld; %llu exit(s)\n",
	       (long long)regs.gpr[20], (long long)regs.gpr[21],
	       (long long)regs.gpr[22], (unsigned long long)regs.gpr[23],
	       (long long)regs.gpr[24], (unsigned long long)exits);

	/* 4. The device: DMA through the DDW, read through the default
	 * window, both translated by the kernel's tables. */
	ret = ppcvirt_dma_write(vm, ddw, ddw_start + 0x10, msg, sizeof(msg));
	if (ret)
		return die("ppcvirt_dma_write", ret);
	ret = ppcvirt_dma_read(vm, PPCVIRT_PHB_LIOBN(0, 0), 0x1010, back,
			       sizeof(back));
	if (ret)
		return die("ppcvirt_dma_read", ret);
	printf("kvm_vmm: DMA wrote at 0x%llx, guest RAM 0x%llx holds \"%s\"\n",
	       (unsigned long long)(ddw_start + 0x10),
	       (unsigned long long)BUF_GPA + 0x10,
	       (char *)ram + BUF_GPA + 0x10);

	ret = regs.gpr[20] == 0 && regs.gpr[21] == 0 && regs.gpr[22] == 0 &&
	      regs.gpr[23] == ((BUF_GPA + 0x10000) | 3) &&
	      (int64_t)regs.gpr[24] == PPCVIRT_H_PARAMETER && exits == 1 &&
	      !memcmp(ram + BUF_GPA + 0x10, msg, sizeof(msg)) &&
	      !memcmp(back, msg, sizeof(msg)) && ks.kernel_tables == 2;
	printf("@@CHECK example %s kernel tables, in-kernel hcalls, one exit "
	       "through ppcvirt, DMA through the kernel's table\n",
	       ret ? "pass" : "fail");
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
	close(vcpu);
	close(vmfd);
	close(kvm);
	return ret ? 0 : 1;
}
