/* SPDX-License-Identifier: MIT */
/*
 * kvm_checks: what the KVM back end promises (include/ppcvirt/kvm.h,
 * docs/kvm.md) checked against a real kvm-hv, for what .hcs scripts
 * cannot say: capabilities from the VM fd, the kernel's table seen
 * through its mapping (tce_get/put, DMA, an fd handed out), slots that
 * reach KVM, refusals with their reasons, the user-space fallback under a
 * locked-memory limit, an mmap failure, the USER_MULTITCE attach, and the
 * VFIO linkage refusal. Expected values are the kernel's documented
 * behaviour (docs/semantics.md §5, §10). Prints "@@CHECK name pass|fail
 * detail" lines for make kvm-check. Integer arithmetic only (see
 * tools/ppcvirt/kvm_runner.c on FP registers and KVM_RUN).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>

#include "kvm_runner.h"

#define LIOBN 0x1234ULL

static void check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(const char *name, bool ok, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("@@CHECK %s %s %s\n", name, ok ? "pass" : "fail", detail);
	fflush(stdout);
}

static bool error_says(const char *what)
{
	return strstr(ppcvirt_last_error(), what) != NULL;
}

static int table(struct ppcvirt_vm *vm, uint64_t liobn, uint64_t entries,
		 int *fd_out)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = liobn, .page_shift = 12, .size = entries};

	return ppcvirt_vm_create_spapr_tce_64(vm, &a, fd_out);
}

/* Issue one hcall from the guest; returns r3, r4 in *r4. */
static long guest(struct kvm_runner *k, struct ppcvirt_vm *vm, uint64_t nr,
		  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		  uint64_t *r4)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};

	if (kvm_runner_hcall(k, vm, &hc))
		return 0x7fffffff;
	if (r4)
		*r4 = hc.args[0];
	return (long)hc.ret;
}

static uint64_t exits_of(const struct kvm_runner *k)
{
	struct kvm_runner_stats st;

	kvm_runner_get_stats(k, &st);
	return st.exits;
}

static void attach_refusals(int vm_fd)
{
	struct ppcvirt_vm_config c = {.size = sizeof(c),
				      .backend = PPCVIRT_BACKEND_KVM};
	struct ppcvirt_vm *vm;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vcpu = ioctl(vm_fd, KVM_CREATE_VCPU, 7);
	int ret;

	c.kvm_vm_fd = vcpu;
	ret = ppcvirt_vm_create_with(&c, &vm);
	check("attach-vcpu-fd", ret == -EINVAL && error_says("kvm-vcpu"),
	      "a vCPU fd: %d (%s)", ret, ppcvirt_last_error());
	c.kvm_vm_fd = kvm;
	ret = ppcvirt_vm_create_with(&c, &vm);
	check("attach-dev-kvm", ret == -EINVAL && error_says("/dev/kvm"),
	      "/dev/kvm itself: %d (%s)", ret, ppcvirt_last_error());
	close(vcpu);
	c.kvm_vm_fd = vcpu; /* closed now */
	ret = ppcvirt_vm_create_with(&c, &vm);
	check("attach-closed-fd", ret == -EBADF, "a closed fd: %d (%s)", ret,
	      ppcvirt_last_error());
	close(kvm);
}

static void caps(struct ppcvirt_vm *vm, int vm_fd)
{
	static const long list[] = {63, 94, 104, 125, 142};
	bool same = true;

	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		same &= ppcvirt_check_extension(vm, list[i]) ==
			ioctl(vm_fd, KVM_CHECK_EXTENSION, list[i]);
	check("caps-from-vm-fd",
	      same &&
		      ppcvirt_check_extension(vm, PPCVIRT_CAP_SPAPR_TCE_64) ==
			      1 &&
		      ppcvirt_check_extension(vm, PPCVIRT_CAP_SPAPR_TCE_VFIO) ==
			      0,
	      "SPAPR_TCE_64 %d, MULTITCE %d, ENABLE_HCALL %d, TCE_VFIO %d",
	      ppcvirt_check_extension(vm, PPCVIRT_CAP_SPAPR_TCE_64),
	      ppcvirt_check_extension(vm, PPCVIRT_CAP_SPAPR_MULTITCE),
	      ppcvirt_check_extension(vm, PPCVIRT_CAP_PPC_ENABLE_HCALL),
	      ppcvirt_check_extension(vm, PPCVIRT_CAP_SPAPR_TCE_VFIO));
}

static void engine_only(struct ppcvirt_vm *vm)
{
	struct ppcvirt_hcall hc = {.nr = PPCVIRT_H_GET_TCE, .args = {LIOBN}};
	struct ppcvirt_vcpu *v;
	int a = -1, b;

	if (ppcvirt_vcpu_create(vm, 9, &v) == 0) {
		a = ppcvirt_vcpu_hcall(v, &hc);
		ppcvirt_vcpu_destroy(v);
	}
	b = ppcvirt_vm_set_tiers(vm, 1u << PPCVIRT_TIER_SLOW);
	check("engine-only-calls", a == -EOPNOTSUPP && b == -EOPNOTSUPP,
	      "ppcvirt_vcpu_hcall %d, ppcvirt_vm_set_tiers %d", a, b);
}

/* The kernel's table, through ppcvirt and through an fd handed out. */
static void kernel_table(struct kvm_runner *k, struct ppcvirt_vm *vm)
{
	struct ppcvirt_kvm_stats ks;
	uint64_t e = 0, r4 = 0, x0 = exits_of(k);
	long put, get;
	int fd = -1, ret;
	uint64_t *map;

	ret = table(vm, LIOBN, 0x1000, &fd);
	ppcvirt_kvm_get_stats(vm, &ks);
	check("kernel-table",
	      ret == 0 && ks.kernel_tables == 1 && ks.user_tables == 0,
	      "create %d, kernel tables %llu, user tables %llu", ret,
	      (unsigned long long)ks.kernel_tables,
	      (unsigned long long)ks.user_tables);
	put = guest(k, vm, PPCVIRT_H_PUT_TCE, LIOBN, 0x2000, 0x10003, 0, NULL);
	ppcvirt_tce_get(vm, LIOBN, 2, &e);
	check("kernel-put-seen-by-ppcvirt",
	      put == 0 && e == 0x10003 && exits_of(k) == x0,
	      "guest H_PUT_TCE %ld in the kernel (%llu exits), "
	      "ppcvirt_tce_get 0x%llx",
	      put, (unsigned long long)(exits_of(k) - x0),
	      (unsigned long long)e);
	ret = ppcvirt_tce_put(vm, LIOBN, 6, 0x66003);
	get = guest(k, vm, PPCVIRT_H_GET_TCE, LIOBN, 0x6000, 0, 0, &r4);
	check("ppcvirt-put-seen-by-kernel",
	      ret == 0 && get == 0 && r4 == 0x66003 && exits_of(k) == x0,
	      "ppcvirt_tce_put %d, guest H_GET_TCE %ld -> 0x%llx", ret, get,
	      (unsigned long long)r4);
	map = fd >= 0 ? mmap(NULL, 0x1000 * 8, PROT_READ, MAP_SHARED, fd, 0)
		      : MAP_FAILED;
	check("handed-out-fd-maps-kernel-table",
	      map != MAP_FAILED && map[2] == 0x10003 && map[6] == 0x66003,
	      "entries 2 and 6 through the fd: 0x%llx 0x%llx",
	      map != MAP_FAILED ? (unsigned long long)map[2] : 0ULL,
	      map != MAP_FAILED ? (unsigned long long)map[6] : 0ULL);
	ret = table(vm, LIOBN, 0x1000, NULL);
	check("duplicate-liobn", ret == -EBUSY, "second create: %d", ret);

	/* A DMA the guest mapped read-only cannot be written. */
	put = guest(k, vm, PPCVIRT_H_PUT_TCE, LIOBN, 0x3000, 0x20001, 0, NULL);
	ret = ppcvirt_dma_write(vm, LIOBN, 0x3000, "x", 1);
	check("dma-permission", put == 0 && ret == -EACCES,
	      "guest maps 0x3000 read-only (%ld); device write: %d", put, ret);

	/* Remove: the fd handed out keeps the kernel's table, so the guest
	 * still reaches it and the LIOBN stays busy. */
	ret = ppcvirt_vm_remove_tce(vm, LIOBN);
	put = guest(k, vm, PPCVIRT_H_PUT_TCE, LIOBN, 0x2000, 0x10003, 0, NULL);
	get = table(vm, LIOBN, 0x1000, NULL);
	check("handed-out-fd-keeps-table",
	      ret == 0 && put == 0 && exits_of(k) == x0 && get == -EBUSY,
	      "removed (%d) while the VMM holds its fd: guest H_PUT_TCE %ld "
	      "in the kernel, re-create %ld",
	      ret, put, get);
	if (map != MAP_FAILED)
		munmap(map, 0x1000 * 8);
	close(fd);
	put = guest(k, vm, PPCVIRT_H_PUT_TCE, LIOBN, 0x2000, 0x10003, 0, NULL);
	check("removed-table-exits",
	      put == PPCVIRT_H_PARAMETER && exits_of(k) == x0 + 1,
	      "fd closed: guest H_PUT_TCE %ld after %llu exit", put,
	      (unsigned long long)(exits_of(k) - x0));
	ret = table(vm, LIOBN, 0x1000, NULL);
	e = 1;
	ppcvirt_tce_get(vm, LIOBN, 2, &e);
	check("re-create-after-close", ret == 0 && e == 0,
	      "re-create once the fd is closed: %d, entry 2 = 0x%llx", ret,
	      (unsigned long long)e);
}

/* Memory slots reach KVM; refused ones change nothing. */
static void slots(struct kvm_runner *k, struct ppcvirt_vm *vm)
{
	struct ppcvirt_memory_region r = {
		.slot = 5, .guest_phys_addr = 0x8000000, .memory_size = 0x1000};
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t be[2], tce = 0, x0 = exits_of(k);
	uint8_t *p = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t b;
	long ind;
	int ret;

	r.userspace_addr = (uint64_t)(uintptr_t)p;
	ret = ppcvirt_vm_set_memory_region(vm, &r);
	if (pg > 4096)
		check("slot-alignment",
		      ret == -EINVAL && error_says("host page size") &&
			      ppcvirt_vm_read_guest(vm, 0x8000000, &b, 1) ==
				      -EFAULT,
		      "4 KiB slot on %ld-byte pages: %d (%s)", pg, ret,
		      ppcvirt_last_error());
	/* Replace slot 1 by a larger one: KVM must see the new size. */
	ret = ppcvirt_vm_alloc_memory(vm, 1, 0x4000000, 0x100000, NULL, NULL);
	if (!ret)
		ret = ppcvirt_vm_alloc_memory(vm, 1, 0x4000000, 0x200000, NULL,
					      NULL);
	be[0] = __builtin_bswap64(0x4180003);
	be[1] = __builtin_bswap64(0x4190003);
	if (!ret)
		ret = ppcvirt_vm_write_guest(vm, 0x4180000, be, sizeof(be));
	ind = guest(k, vm, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, 0x40000,
		    0x4180000, 2, NULL);
	ppcvirt_tce_get(vm, LIOBN, 0x41, &tce);
	check("slot-replaced-in-kvm",
	      ret == 0 && ind == 0 && tce == 0x4190003 && exits_of(k) == x0,
	      "list and pages in the grown slot: INDIRECT %ld in the kernel, "
	      "entry 0x41 = 0x%llx",
	      ind, (unsigned long long)tce);
	munmap(p, (size_t)pg);
}

/* PPCVIRT_VM_KVM_USER_MULTITCE takes INDIRECT/STUFF out of the kernel
 * even when the VMM had enabled them before attaching. */
static void user_multitce_attach(struct kvm_runner *k, struct ppcvirt_vm *vm)
{
	struct ppcvirt_vm_config c = {
		.size = sizeof(c),
		.backend = PPCVIRT_BACKEND_KVM,
		.flags = PPCVIRT_VM_KVM_USER_MULTITCE,
		.kvm_vm_fd = kvm_runner_vm_fd(k),
	};
	struct ppcvirt_vm *second;
	uint64_t x0 = exits_of(k);
	long s1, s2;
	int ret;

	s1 = guest(k, vm, PPCVIRT_H_STUFF_TCE, LIOBN, 0, 0, 1, NULL);
	ret = ppcvirt_vm_create_with(&c, &second);
	s2 = guest(k, vm, PPCVIRT_H_STUFF_TCE, LIOBN, 0, 0, 1, NULL);
	check("user-multitce-attach",
	      ret == 0 && s1 == 0 && s2 == 0 && exits_of(k) == x0 + 1,
	      "STUFF in the kernel before the attach, exits after it (%llu "
	      "exit)",
	      (unsigned long long)(exits_of(k) - x0));
	if (!ret)
		ppcvirt_vm_destroy(second);
}

/* ppcvirt_vm_destroy() takes ppcvirt's slots out of the KVM VM it leaves
 * behind: KVM lets a slot number move only once it is deleted. */
static void destroy_removes_slots(struct kvm_runner *k)
{
	struct ppcvirt_vm_config c = {
		.size = sizeof(c),
		.backend = PPCVIRT_BACKEND_KVM,
		.kvm_vm_fd = kvm_runner_vm_fd(k),
	};
	struct kvm_userspace_memory_region r = {.slot = 7,
						.guest_phys_addr = 0x30000000,
						.memory_size = 0x10000};
	struct ppcvirt_vm *third;
	void *p = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int a, b = -1, d;

	a = ppcvirt_vm_create_with(&c, &third);
	if (!a) {
		b = ppcvirt_vm_alloc_memory(third, 7, 0x20000000, 0x10000, NULL,
					    NULL);
		ppcvirt_vm_destroy(third);
	}
	r.userspace_addr = (uint64_t)(uintptr_t)p;
	d = ioctl(kvm_runner_vm_fd(k), KVM_SET_USER_MEMORY_REGION, &r);
	check("destroy-removes-slots", a == 0 && b == 0 && d == 0,
	      "attach %d, slot 7 via ppcvirt %d; after destroy KVM takes "
	      "slot 7 elsewhere: %d",
	      a, b, d);
	r.memory_size = 0;
	ioctl(kvm_runner_vm_fd(k), KVM_SET_USER_MEMORY_REGION, &r);
	munmap(p, 0x10000);
}

static int fake_map(void *be, uint64_t iova, uint64_t len, void *hva,
		    uint32_t perm, unsigned flags)
{
	(void)be, (void)iova, (void)len, (void)hva, (void)perm, (void)flags;
	return 0;
}

static int fake_unmap(void *be, uint64_t iova, uint64_t len, unsigned flags)
{
	(void)be, (void)iova, (void)len, (void)flags;
	return 0;
}

static void vfio_link(struct ppcvirt_vm *vm)
{
	static const struct ppcvirt_iommu_ops ops = {
		.version = PPCVIRT_IOMMU_OPS_VERSION,
		.map = fake_map,
		.unmap = fake_unmap,
	};
	static const struct ppcvirt_iova_range all = {0, UINT64_MAX};
	struct ppcvirt_iommu_geometry geo = {
		.size = sizeof(geo),
		.nranges = 1,
		.pgsize_bitmap = 1ULL << 12,
		.ranges = &all,
	};
	struct ppcvirt_iommu_group *g;
	int ret = ppcvirt_iommu_group_create(&ops, NULL, &geo, &g);

	if (ret == 0) {
		ret = ppcvirt_vm_link_iommu_group(vm, LIOBN, g, 0);
		ppcvirt_iommu_group_put(g);
	}
	check("vfio-link-refused",
	      ret == -EOPNOTSUPP && error_says("KVM_CAP_SPAPR_TCE_VFIO"),
	      "link without KVM_CAP_SPAPR_TCE_VFIO: %d (%s)", ret,
	      ppcvirt_last_error());
}

/* ---- in children: process-wide limits --------------------------------- */

static int notices;

static void count_notice(void *opaque, int level, const char *msg)
{
	(void)opaque;
	notices++;
	printf("notice (level %d): %s\n", level, msg);
}

static void drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &h, d);
	d[0].effective &= ~(1u << CAP_IPC_LOCK);
	d[0].permitted &= ~(1u << CAP_IPC_LOCK);
	d[0].inheritable &= ~(1u << CAP_IPC_LOCK);
	syscall(SYS_capset, &h, d);
}

/* The kernel charges tables to RLIMIT_MEMLOCK: past it, user space. */
static void fallback(void)
{
	struct rlimit lim = {256 << 10, 256 << 10};
	struct ppcvirt_kvm_stats ks;
	struct kvm_runner *k;
	struct ppcvirt_vm *vm;
	uint64_t r4 = 0;
	long put, get, kput;
	int a, b, c;

	setrlimit(RLIMIT_MEMLOCK, &lim);
	drop_ipc_lock();
	if (kvm_runner_open(0, &k) || kvm_runner_vm_create(k, &vm)) {
		check("fallback", false, "no VM");
		return;
	}
	ppcvirt_vm_set_log(vm, count_notice, NULL);
	ppcvirt_vm_alloc_memory(vm, 0, 0, 16 << 20, NULL, NULL);
	a = table(vm, 0x10, 0x1000, NULL);   /* 32 KiB: one page, fits */
	b = table(vm, 0x20, 0x100000, NULL); /* 8 MiB: over the limit */
	c = table(vm, 0x30, 0x100000, NULL);
	put = guest(k, vm, PPCVIRT_H_PUT_TCE, 0x20, 0x5000, 0x10003, 0, NULL);
	get = guest(k, vm, PPCVIRT_H_GET_TCE, 0x20, 0x5000, 0, 0, &r4);
	kput = guest(k, vm, PPCVIRT_H_PUT_TCE, 0x10, 0x5000, 0x10003, 0, NULL);
	ppcvirt_kvm_get_stats(vm, &ks);
	check("fallback-user-tables",
	      !a && !b && !c && ks.kernel_tables == 1 && ks.user_tables == 2,
	      "under a 256 KiB memlock limit: %d %d %d; %llu kernel, %llu "
	      "user-space tables",
	      a, b, c, (unsigned long long)ks.kernel_tables,
	      (unsigned long long)ks.user_tables);
	check("fallback-hcalls-exit",
	      put == 0 && get == 0 && r4 == 0x10003 && kput == 0 &&
		      ks.user_table_exits == 2 && exits_of(k) == 2,
	      "user-space table: put %ld, get %ld -> 0x%llx, %llu exits "
	      "counted; kernel table put %ld",
	      put, get, (unsigned long long)r4,
	      (unsigned long long)ks.user_table_exits, kput);
	check("fallback-reported-once", notices == 1, "%d notice(s)", notices);
	kvm_runner_close(k);
}

static long vm_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* mmap of the kernel's table fails: -errno, the kernel's table freed. */
static void mmap_failure(void)
{
	struct ppcvirt_kvm_stats ks;
	struct kvm_runner *k;
	struct ppcvirt_vm *vm;
	struct rlimit old, lim;
	int a, b;

	if (kvm_runner_open(0, &k) || kvm_runner_vm_create(k, &vm)) {
		check("mmap-failure", false, "no VM");
		return;
	}
	getrlimit(RLIMIT_AS, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)(vm_kib() + 4096) << 10;
	setrlimit(RLIMIT_AS, &lim);
	a = table(vm, 0x40, 0x4000000, NULL); /* 512 MiB to map */
	setrlimit(RLIMIT_AS, &old);
	check("mmap-failure",
	      a == -ENOMEM && error_says("mmap of the kernel's TCE table"),
	      "%d (%s)", a, ppcvirt_last_error());
	b = table(vm, 0x40, 0x4000000, NULL);
	ppcvirt_kvm_get_stats(vm, &ks);
	check("mmap-failure-leaves-nothing", b == 0 && ks.kernel_tables == 1,
	      "the same LIOBN afterwards: %d, %llu kernel table(s)", b,
	      (unsigned long long)ks.kernel_tables);
	kvm_runner_close(k);
}

static void in_child(void (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

int main(void)
{
	struct kvm_runner *k;
	struct ppcvirt_vm *vm;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (kvm_runner_open(0, &k) || kvm_runner_vm_create(k, &vm)) {
		check("kvm-vm", false, "cannot make a KVM VM");
		return 1;
	}
	if (ppcvirt_vm_alloc_memory(vm, 0, 0, 16 << 20, NULL, NULL))
		check("guest-ram", false, "%s", ppcvirt_last_error());
	attach_refusals(kvm_runner_vm_fd(k));
	caps(vm, kvm_runner_vm_fd(k));
	engine_only(vm);
	kernel_table(k, vm);
	slots(k, vm);
	user_multitce_attach(k, vm);
	vfio_link(vm);
	destroy_removes_slots(k);
	kvm_runner_close(k);
	in_child(fallback);
	in_child(mmap_failure);
	return 0;
}
