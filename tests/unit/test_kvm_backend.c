/* SPDX-License-Identifier: MIT */
/*
 * The KVM back end (include/ppcvirt/kvm.h) where no POWER KVM is at hand:
 * every fd that is not a KVM VM is refused with the documented -errno and
 * a reason, no refusal leaks an fd, config fields are checked, an engine
 * VM keeps its meaning, and the replay's host seam is used as documented.
 * On a host with /dev/kvm (of any architecture) the attach itself is
 * exercised: no sPAPR table ioctl there, so every table falls back to user
 * space, which must be counted and reported once. The real kvm-hv runs
 * are in tests/rigs/kvm (make kvm-check).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <ppcvirt/kvm.h>
#include <ppcvirt/ppcvirt.h>
#include "replay.h"

#include "test.h"

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static struct ppcvirt_vm_config kvm_cfg(int fd)
{
	return (struct ppcvirt_vm_config){
		.size = sizeof(struct ppcvirt_vm_config),
		.backend = PPCVIRT_BACKEND_KVM,
		.kvm_vm_fd = fd,
	};
}

static void test_config_checked(void)
{
	struct ppcvirt_vm_config c = kvm_cfg(0);
	struct ppcvirt_vm *vm = NULL;

	CHECK_EQ(ppcvirt_vm_create_with(NULL, &vm), -EINVAL);
	CHECK_EQ(ppcvirt_vm_create_with(&c, NULL), -EINVAL);
	c.size = sizeof(c) - 1;
	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), -EINVAL);
	c = kvm_cfg(0);
	c.reserved[5] = 1;
	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), -EINVAL);
	c = kvm_cfg(0);
	c.backend = 7;
	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), -EINVAL);
	/* Flags: only PPCVIRT_VM_KVM_USER_MULTITCE, and only for KVM. */
	c = kvm_cfg(0);
	c.flags = 0x2;
	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), -EINVAL);
	c.backend = PPCVIRT_BACKEND_ENGINE;
	c.flags = PPCVIRT_VM_KVM_USER_MULTITCE;
	c.kvm_vm_fd = -1;
	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), -EINVAL);
	CHECK(vm == NULL);
}

/* @fd is refused with @err and a reason naming @what; nothing leaks. */
static void expect_refused(int fd, int err, const char *what)
{
	struct ppcvirt_vm_config c = kvm_cfg(fd);
	struct ppcvirt_vm *vm = NULL;
	int before = open_fds();

	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), err);
	CHECK(vm == NULL);
	CHECK(strstr(ppcvirt_last_error(), what) != NULL);
	c.flags = PPCVIRT_VM_KVM_USER_MULTITCE;
	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), err);
	CHECK_EQ(open_fds(), before);
}

static void test_not_a_vm_fd(void)
{
	int p[2], null;

	CHECK_EQ(pipe(p), 0);
	expect_refused(p[0], -EINVAL, "pipe:");
	expect_refused(p[1], -EINVAL, "not a KVM VM");
	close(p[0]);
	close(p[1]);
	null = open("/dev/null", O_RDWR);
	CHECK(null >= 0);
	expect_refused(null, -EINVAL, "/dev/null");
	close(null);
}

static void test_closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	CHECK(fd >= 0);
	close(fd);
	expect_refused(fd, -EBADF, "not open");
	expect_refused(-1, -EBADF, "not open");
	expect_refused(1 << 20, -EBADF, "not open");
}

static void test_engine_unchanged(void)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = 1, .page_shift = 12, .size = 16};
	struct ppcvirt_hcall hc = {.nr = PPCVIRT_H_PUT_TCE, .args = {1, 0, 0}};
	struct ppcvirt_kvm_stats ks;
	struct ppcvirt_vcpu *vcpu;
	struct ppcvirt_vm *vm;

	CHECK_EQ(ppcvirt_vm_create(&vm), 0);
	CHECK_EQ(ppcvirt_vm_backend(vm), PPCVIRT_BACKEND_ENGINE);
	CHECK_EQ(ppcvirt_check_extension(vm, PPCVIRT_CAP_SPAPR_TCE_64), 1);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL), 0);
	CHECK_EQ(ppcvirt_vcpu_create(vm, 0, &vcpu), 0);
	/* The tiers run: H_PUT_TCE completes in the engine. */
	CHECK_EQ(ppcvirt_vcpu_hcall(vcpu, &hc), PPCVIRT_HCALL_DONE);
	CHECK_EQ((int64_t)hc.ret, PPCVIRT_H_SUCCESS);
	CHECK_EQ(ppcvirt_vm_set_tiers(vm, 0), 0);
	CHECK_EQ(ppcvirt_vcpu_hcall(vcpu, &hc), PPCVIRT_HCALL_EXIT);
	CHECK_EQ(ppcvirt_vm_set_tiers(vm, 1u << PPCVIRT_TIER_SLOW), 0);
	CHECK_EQ(ppcvirt_vcpu_hcall(vcpu, &hc), PPCVIRT_HCALL_DONE);
	CHECK_EQ(ppcvirt_kvm_get_stats(vm, &ks), -EOPNOTSUPP);
	CHECK_EQ(ppcvirt_kvm_get_stats(NULL, &ks), -EINVAL);
	CHECK_EQ(ppcvirt_kvm_get_stats(vm, NULL), -EINVAL);
	ppcvirt_vm_destroy(vm);
}

/* ---- a real KVM VM fd, when this host has KVM ------------------------- */

struct notes {
	int n;
	char last[256];
};

static void on_log(void *opaque, int level, const char *msg)
{
	struct notes *s = opaque;

	CHECK_EQ(level, PPCVIRT_LOG_NOTICE);
	s->n++;
	strncpy(s->last, msg, sizeof(s->last) - 1);
}

static void test_host_kvm(void)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = 0x1234, .page_shift = 12, .size = 512};
	struct ppcvirt_hcall hc = {.nr = PPCVIRT_H_PUT_TCE,
				   .args = {0x1234, 0x2000, 0x10003}};
	struct ppcvirt_vm_config c;
	struct ppcvirt_kvm_stats ks;
	struct ppcvirt_vcpu *vcpu;
	struct ppcvirt_vm *vm;
	struct notes notes = {0};
	uint64_t tce = 0;
	int kvm, vmfd, vcpufd, before;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		test_skip("no /dev/kvm on this host");
		return;
	}
	vmfd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vmfd < 0) {
		close(kvm);
		test_skip("KVM_CREATE_VM refused on this host");
		return;
	}
	/* A vCPU fd is not a VM fd. */
	vcpufd = ioctl(vmfd, KVM_CREATE_VCPU, 0);
	if (vcpufd >= 0) {
		expect_refused(vcpufd, -EINVAL, "kvm-vcpu");
		close(vcpufd);
	}
	expect_refused(kvm, -EINVAL, "/dev/kvm");

	before = open_fds();
	c = kvm_cfg(vmfd);
	CHECK_EQ(ppcvirt_vm_create_with(&c, &vm), 0);
	CHECK_EQ(ppcvirt_vm_backend(vm), PPCVIRT_BACKEND_KVM);
	CHECK_EQ(ppcvirt_vm_set_log(vm, on_log, &notes), 0);
	/* Capabilities are the VM fd's. */
	CHECK_EQ(ppcvirt_check_extension(vm, PPCVIRT_CAP_SPAPR_TCE_64),
		 ioctl(vmfd, KVM_CHECK_EXTENSION, PPCVIRT_CAP_SPAPR_TCE_64));
	CHECK_EQ(ppcvirt_check_extension(vm, PPCVIRT_CAP_SW_TLB),
		 ioctl(vmfd, KVM_CHECK_EXTENSION, PPCVIRT_CAP_SW_TLB));
	/* Engine-only calls. */
	CHECK_EQ(ppcvirt_vcpu_create(vm, 0, &vcpu), 0);
	CHECK_EQ(ppcvirt_vcpu_hcall(vcpu, &hc), -EOPNOTSUPP);
	CHECK_EQ(ppcvirt_vm_set_tiers(vm, 1u << PPCVIRT_TIER_FAST),
		 -EOPNOTSUPP);
	/* Memory is forwarded to KVM under the same slot number: KVM then
	 * refuses an overlapping slot of its own. */
	CHECK_EQ(ppcvirt_vm_alloc_memory(vm, 0, 0, 1 << 20, NULL, NULL), 0);
	/* No sPAPR TCE ioctl on this KVM: both tables live in user space,
	 * reported once. */
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL), 0);
	a.liobn = 0x1235;
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL), 0);
	CHECK_EQ(notes.n, 1);
	CHECK(strstr(notes.last, "0x1234") != NULL);
	CHECK_EQ(ppcvirt_vmm_hcall(vm, &hc), 0);
	CHECK_EQ((int64_t)hc.ret, PPCVIRT_H_SUCCESS);
	CHECK_EQ(ppcvirt_tce_get(vm, 0x1234, 2, &tce), 0);
	CHECK_EQ_U64(tce, 0x10003);
	CHECK_EQ(ppcvirt_kvm_get_stats(vm, &ks), 0);
	CHECK_EQ(ks.kernel_tables, 0);
	CHECK_EQ(ks.user_tables, 2);
	CHECK_EQ(ks.exits, 1);
	CHECK_EQ(ks.user_table_exits, 1);
	/* Removed tables keep their exits in the totals. */
	CHECK_EQ(ppcvirt_vm_remove_tce(vm, 0x1234), 0);
	CHECK_EQ(ppcvirt_kvm_get_stats(vm, &ks), 0);
	CHECK_EQ(ks.user_tables, 1);
	CHECK_EQ(ks.user_table_exits, 1);
	ppcvirt_vm_destroy(vm);
	CHECK_EQ(open_fds(), before);
	close(vmfd);
	close(kvm);
}

/* ---- the replay host seam --------------------------------------------- */

struct fake_host {
	struct ppcvirt_vm *vm;
	int created, destroyed, hcalls;
	int fail_with;
};

static int fake_create(void *opaque, struct ppcvirt_vm **out)
{
	struct fake_host *h = opaque;
	int ret = ppcvirt_vm_create(out);

	h->created++;
	h->vm = *out;
	return ret;
}

static void fake_destroy(void *opaque, struct ppcvirt_vm *vm)
{
	struct fake_host *h = opaque;

	CHECK(vm == h->vm);
	h->destroyed++;
	ppcvirt_vm_destroy(vm);
}

/* Answers every call with H_PARAMETER and r4 = 0x77, whatever it is. */
static int fake_hcall(void *opaque, struct ppcvirt_vm *vm,
		      struct ppcvirt_hcall *hc)
{
	struct fake_host *h = opaque;

	CHECK(vm == h->vm);
	h->hcalls++;
	if (h->fail_with)
		return h->fail_with;
	hc->ret = (uint64_t)PPCVIRT_H_PARAMETER;
	hc->args[0] = 0x77;
	return 0;
}

static void test_replay_host(void)
{
	static const char script[] = "mem 0 0x100000\n"
				     "window 0x1 0 12 16\n"
				     "put 0x1 0 0x3 -> -4\n"
				     "get 0x1 0 -> -4 0x77\n";
	struct fake_host fh = {0};
	const struct ppcvirt_replay_host host = {
		.vm_create = fake_create,
		.vm_destroy = fake_destroy,
		.hcall = fake_hcall,
		.opaque = &fh,
	};
	struct ppcvirt_replay_config cfg = {
		.kind = PPCVIRT_REPLAY_SCRIPT,
		.profile = PPCVIRT_REPLAY_PROFILE_AUTO,
		.host = &host,
	};
	struct ppcvirt_replay_result res;

	CHECK_EQ(ppcvirt_replay_buffer(&cfg, script, strlen(script), &res), 0);
	CHECK_EQ(res.mismatches, 0);
	CHECK_EQ(res.hcalls, 2);
	CHECK_EQ(fh.hcalls, 2);
	CHECK_EQ(fh.created, 1);
	CHECK_EQ(fh.destroyed, 1);
	/* A host error stops the replay on that line. */
	memset(&fh, 0, sizeof(fh));
	fh.fail_with = -EIO;
	CHECK_EQ(ppcvirt_replay_buffer(&cfg, script, strlen(script), &res),
		 -EIO);
	CHECK_EQ(res.error_line, 3);
	CHECK_EQ(fh.destroyed, 1);
	/* Without a host: the engine (the put succeeds there). */
	cfg.host = NULL;
	CHECK_EQ(ppcvirt_replay_buffer(&cfg, script, strlen(script), &res), 0);
	CHECK_EQ(res.mismatches, 3); /* put ret, get ret, get value */
}

static const struct test_case tests[] = {
	TEST(test_config_checked), TEST(test_not_a_vm_fd),
	TEST(test_closed_fd),	   TEST(test_engine_unchanged),
	TEST(test_host_kvm),	   TEST(test_replay_host),
};

TEST_MAIN(tests)
