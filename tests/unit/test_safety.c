/* SPDX-License-Identifier: MIT */
/*
 * What an embedder can do wrong, and a co-process can do on purpose,
 * without crashing or confusing the VMM (docs/threading.md, the API
 * contract in include/ppcvirt/ppcvirt.h):
 *   - a holder of a table or guest-RAM fd cannot resize it (sealed memfds);
 *   - control-plane calls from a library callback, or from inside an RCU
 *     read-side section, fail with -EDEADLK instead of hanging with the
 *     signals blocked;
 *   - two threads on one vCPU never swap each other's INDIRECT lists;
 *   - RLIMIT_FSIZE gives -EFBIG, not SIGXFSZ;
 *   - NULL handles get -EINVAL (or nothing, for destroy), and a handle
 *     destroyed twice, or with its VM, is left alone.
 * Each scenario that could hang or kill runs in a forked child, which the
 * parent kills (SIGKILL cannot be blocked) if it does not finish.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <urcu-bp.h>

#include <ppcvirt/ppcvirt.h>

#include "iommu_model.h"
#include "support.h"
#include "test.h"

#define RW  (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define L   0x80000000ull
#define RAM (4ull << 20)

/*
 * Run @fn in a child; true when it exited with status 0 within @secs.
 * A child that hangs (even with every signal blocked) is SIGKILLed.
 */
static bool in_child(int (*fn)(void), unsigned secs, int *how)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	pid_t pid = fork();
	int st = 0;

	if (pid == 0)
		_exit(fn());
	if (!CHECK(pid > 0))
		return false;
	for (unsigned i = 0; i < secs * 100; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (how)
				*how = st;
			return WIFEXITED(st) && WEXITSTATUS(st) == 0;
		}
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (how)
		*how = -1;
	printf("#   child did not finish in %u s: killed\n", secs);
	return false;
}

/* ---- 1. sealed memfds -------------------------------------------------- */

static int table_fd, ram_fd;

/* What a hostile co-process holding the fds tries. Exit 0 when every
 * attempt was refused. */
static int resize_attempts(void)
{
	int bad = 0;

	bad += ftruncate(table_fd, 0) == 0;
	bad += ftruncate(table_fd, 1 << 30) == 0;
	bad += ftruncate(ram_fd, 4096) == 0;
	bad += ftruncate(ram_fd, RAM * 2) == 0;
	bad += fcntl(ram_fd, F_ADD_SEALS, F_SEAL_WRITE) == 0;
	bad += fcntl(table_fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE) == 0;
	return bad;
}

static void fds_cannot_be_resized(void)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = L, .page_shift = 12, .size = 1 << 16};
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *vcpu;
	struct ppcvirt_hcall hc = {.nr = PPCVIRT_H_PUT_TCE};
	uint8_t buf[64];
	void *ram;

	CHECK_EQ(ppcvirt_vm_create(&vm), 0);
	CHECK_EQ(ppcvirt_vm_alloc_memory(vm, 0, 0, RAM, &ram, &ram_fd), 0);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(vm, &a, &table_fd), 0);
	CHECK_EQ(ppcvirt_vcpu_create(vm, 0, &vcpu), 0);
	CHECK(in_child(resize_attempts, 20, NULL));
	/* The VMM still works on the whole table and RAM: no SIGBUS. */
	hc.args[0] = L;
	hc.args[1] = 0xfff0ull << 12; /* the table's last page */
	hc.args[2] = (RAM - 4096) | RW;
	CHECK_EQ(ppcvirt_vcpu_hcall(vcpu, &hc), PPCVIRT_HCALL_DONE);
	CHECK_EQ(hc.ret, 0);
	CHECK_EQ(ppcvirt_dma_read(vm, L, 0xfff0ull << 12, buf, sizeof(buf)), 0);
	CHECK_EQ(ppcvirt_dma_write(vm, L, 0xfff0ull << 12, buf, sizeof(buf)),
		 0);
	close(table_fd);
	close(ram_fd);
	ppcvirt_vm_destroy(vm);
}

/* ---- 2. re-entrancy ----------------------------------------------------- */

static struct tvm R;
static int reentry_ret;

static void remove_from_callback(void *opaque)
{
	(void)opaque;
	reentry_ret = ppcvirt_vm_remove_tce(R.vm, L);
}

/* A back end whose map callback removes the table it is updating. */
static int callback_reenters(void)
{
	struct iommu_model_config cfg = {.host_len = RAM};
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m;
	int fail = 0;

	if (!tvm_init(&R, RAM, PPCVIRT_PROFILE_STRICT) ||
	    tvm_table(&R, L, 12, 0, 64) ||
	    ppcvirt_vm_register_iommu_memory(R.vm, 0, RAM))
		return 10;
	cfg.host_base = R.ram;
	if (iommu_model_create(&cfg, &m, &g) ||
	    ppcvirt_vm_link_iommu_group(R.vm, L, g, 0))
		return 11;
	iommu_model_on_map(m, remove_from_callback, NULL);
	reentry_ret = 1;
	/* The hcall's map calls back; the removal must be refused. */
	fail += thc(&R, PPCVIRT_H_PUT_TCE, L, 0, 0x3000 | RW, 0, NULL, NULL) !=
		0;
	fail += reentry_ret != -EDEADLK;
	/* The table is still there and consistent. */
	fail += !tvm_agree(&R, L, m);
	iommu_model_on_map(m, NULL, NULL);
	ppcvirt_iommu_group_put(g);
	tvm_fini(&R);
	return fail;
}

/* The embedder's own urcu-bp read-side section (liburcu-bp is one per
 * process): waiting for a grace period inside it would wait for itself. */
static int inside_read_side(void)
{
	struct ppcvirt_vm *vm;
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = L, .page_shift = 12, .size = 16};
	int fail = 0;

	if (ppcvirt_vm_create(&vm))
		return 10;
	urcu_bp_read_lock();
	fail += ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL) != -EDEADLK;
	urcu_bp_read_unlock();
	fail += ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL) != 0;
	urcu_bp_read_lock();
	fail += ppcvirt_vm_remove_tce(vm, L) != -EDEADLK;
	ppcvirt_vm_destroy(vm); /* refused too: the VM stays */
	urcu_bp_read_unlock();
	fail += ppcvirt_vm_remove_tce(vm, L) != 0;
	ppcvirt_vm_destroy(vm);
	return fail;
}

static int log_ret = 1, log_calls;

static void log_reenters(void *opaque, int level, const char *msg)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = 7, .page_shift = 12, .size = 16};
	struct ppcvirt_stats st;

	(void)opaque;
	(void)level;
	(void)msg;
	log_calls++;
	/* Reading counters is allowed (it does not wait)... */
	if (ppcvirt_vm_get_stats(R.vm, &st) != 0)
		log_ret = 2;
	/* ...the control plane is not. */
	else
		log_ret = ppcvirt_vm_create_spapr_tce_64(R.vm, &a, NULL);
}

/* A log callback that calls the control plane: -EDEADLK, no hang. The
 * notice: a mapping the host IOMMU would not put back (fail closed). */
static int log_callback_reenters(void)
{
	struct iommu_model_config cfg = {.host_len = RAM};
	struct ppcvirt_iommu_group *g;
	struct iommu_model *m;
	int fail = 0;

	if (!tvm_init(&R, RAM, PPCVIRT_PROFILE_STRICT) ||
	    tvm_table(&R, L, 12, 0, 64) ||
	    ppcvirt_vm_register_iommu_memory(R.vm, 0, RAM) ||
	    ppcvirt_vm_set_log(R.vm, log_reenters, NULL))
		return 10;
	cfg.host_base = R.ram;
	if (iommu_model_create(&cfg, &m, &g) ||
	    ppcvirt_vm_link_iommu_group(R.vm, L, g, 0))
		return 11;
	fail += thc(&R, PPCVIRT_H_PUT_TCE, L, 0, 0x3000 | RW, 0, NULL, NULL) !=
		0;
	iommu_model_fail(m, 1, -ENOMEM, 0);
	fail += thc(&R, PPCVIRT_H_PUT_TCE, L, 0, 0x4000 | RW, 0, NULL, NULL) !=
		PPCVIRT_H_HARDWARE;
	iommu_model_fail(m, 0, 0, 0);
	fail += log_calls < 1;
	fail += log_ret != -EDEADLK;
	fail += !tvm_agree(&R, L, m);
	ppcvirt_iommu_group_put(g);
	tvm_fini(&R);
	return fail;
}

static void reentry_fails_cleanly(void)
{
	CHECK(in_child(callback_reenters, 20, NULL));
	CHECK(in_child(inside_read_side, 20, NULL));
	CHECK(in_child(log_callback_reenters, 20, NULL));
}

/* ---- 3. one vCPU, two threads ------------------------------------------ */

#define ITERS 20000
static struct tvm V;
static atomic_uint wrong, busy, done;

static void *same_vcpu(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t list_gpa = 0x100000 + id * 0x1000ull;
	uint64_t ioba = id * (8ull << 12);

	for (unsigned i = 0; i < ITERS; i++) {
		struct ppcvirt_hcall hc = {.nr = PPCVIRT_H_PUT_TCE_INDIRECT,
					   .args = {L, ioba, list_gpa, 8}};
		uint64_t list[8], be[8];
		int rc;

		for (unsigned k = 0; k < 8; k++) {
			list[k] =
				((0x200ull + id * 0x100 + (i + k) % 64) << 12) |
				RW;
			be[k] = __builtin_bswap64(list[k]);
		}
		ppcvirt_vm_write_guest(V.vm, list_gpa, be, sizeof(be));
		rc = ppcvirt_vcpu_hcall(V.vcpu, &hc);
		if (rc == -EBUSY) {
			atomic_fetch_add(&busy, 1);
			continue;
		}
		if (rc == PPCVIRT_HCALL_EXIT)
			ppcvirt_vmm_hcall(V.vm, &hc);
		if (hc.ret != 0) {
			atomic_fetch_add(&wrong, 1);
			continue;
		}
		/* Only this thread writes this range: it holds this list. */
		for (unsigned k = 0; k < 8; k++) {
			uint64_t v = 0;

			ppcvirt_tce_get(V.vm, L, ioba / 4096 + k, &v);
			if (v != list[k])
				atomic_fetch_add(&wrong, 1);
		}
		atomic_fetch_add(&done, 1);
	}
	return NULL;
}

static void one_vcpu_two_threads(void)
{
	pthread_t t[2];

	tvm_init(&V, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(tvm_table(&V, L, 12, 0, 64), 0);
	atomic_store(&wrong, 0);
	atomic_store(&busy, 0);
	atomic_store(&done, 0);
	for (unsigned i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, same_vcpu,
				     (void *)(uintptr_t)i) == 0);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(atomic_load(&wrong), 0);
	CHECK(atomic_load(&done) > 0);
	printf("#   %u calls done, %u refused with -EBUSY\n",
	       atomic_load(&done), atomic_load(&busy));
	tvm_fini(&V);
}

/* ---- 4. RLIMIT_FSIZE ---------------------------------------------------- */

static int under_fsize_limit(void)
{
	struct rlimit rl = {1 << 20, 1 << 20};
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = L, .page_shift = 12, .size = 1 << 18}; /* 2 MiB */
	struct ppcvirt_vm *vm;
	int fail = 0;

	if (setrlimit(RLIMIT_FSIZE, &rl) || ppcvirt_vm_create(&vm))
		return 10;
	fail += ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL) != -EFBIG;
	fail += strstr(ppcvirt_last_error(), "RLIMIT_FSIZE") == NULL;
	fail += ppcvirt_vm_alloc_memory(vm, 0, 0, 2 << 20, NULL, NULL) !=
		-EFBIG;
	/* Within the limit both still work. */
	a.size = 1 << 16;
	fail += ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL) != 0;
	fail += ppcvirt_vm_alloc_memory(vm, 0, 0, 1 << 20, NULL, NULL) != 0;
	ppcvirt_vm_destroy(vm);
	return fail;
}

static void fsize_limit_is_an_error(void)
{
	int how = 0;

	/* Not killed by SIGXFSZ: exits, and with 0. */
	CHECK(in_child(under_fsize_limit, 20, &how));
	CHECK(how >= 0 && !WIFSIGNALED(how));
}

/* ---- 5. NULL and destroyed handles --------------------------------------- */

static void null_handles(void)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = 1, .page_shift = 12, .size = 1};
	struct ppcvirt_hcall hc = {0};
	struct ppcvirt_stats st;
	struct ppcvirt_tce_info info;
	struct ppcvirt_tce_xlate x;
	struct ppcvirt_dma_seg seg;
	struct ppcvirt_enable_cap cap = {0};
	struct ppcvirt_memory_region mr = {0};
	size_t n = 1;
	uint64_t v;
	uint8_t b[8];

	CHECK_EQ(ppcvirt_vm_create(NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_create_with(NULL, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_backend(NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_get_profile(NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_set_profile(NULL, PPCVIRT_PROFILE_QEMU), -EINVAL);
	CHECK_EQ(ppcvirt_vm_set_log(NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_set_tiers(NULL, 0), -EINVAL);
	CHECK_EQ(ppcvirt_vm_enable_cap(NULL, &cap), -EINVAL);
	CHECK_EQ(ppcvirt_vm_set_memory_region(NULL, &mr), -EINVAL);
	CHECK_EQ(ppcvirt_vm_alloc_memory(NULL, 0, 0, 4096, NULL, NULL),
		 -EINVAL);
	CHECK(ppcvirt_vm_gpa_to_hva(NULL, 0, 1) == NULL);
	CHECK_EQ(ppcvirt_vm_write_guest(NULL, 0, b, 1), -EINVAL);
	CHECK_EQ(ppcvirt_vm_read_guest(NULL, 0, b, 1), -EINVAL);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(NULL, &a, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce(NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_remove_tce(NULL, 1), -EINVAL);
	CHECK_EQ(ppcvirt_vm_tce_info(NULL, 1, &info), -EINVAL);
	CHECK_EQ(ppcvirt_vm_tce_stats(NULL, 1, &st), -EINVAL);
	CHECK_EQ(ppcvirt_vm_get_stats(NULL, &st), -EINVAL);
	CHECK_EQ(ppcvirt_tce_get(NULL, 1, 0, &v), -EINVAL);
	CHECK_EQ(ppcvirt_tce_put(NULL, 1, 0, 0), -EINVAL);
	CHECK_EQ(ppcvirt_tce_translate(NULL, 1, 0, &x), -EINVAL);
	CHECK_EQ(
		ppcvirt_dma_map(NULL, 1, 0, 1, PPCVIRT_DMA_TO_DEVICE, &seg, &n),
		-EINVAL);
	CHECK_EQ(ppcvirt_dma_read(NULL, 1, 0, b, 1), -EINVAL);
	CHECK_EQ(ppcvirt_dma_write(NULL, 1, 0, b, 1), -EINVAL);
	CHECK_EQ(ppcvirt_vcpu_create(NULL, 0, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vcpu_hcall(NULL, &hc), -EINVAL);
	CHECK_EQ(ppcvirt_vmm_hcall(NULL, &hc), -EINVAL);
	CHECK_EQ(ppcvirt_vm_link_iommu_group(NULL, 1, NULL, 0), -EINVAL);
	CHECK_EQ(ppcvirt_vm_unlink_iommu_group(NULL, 1, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_vm_register_iommu_memory(NULL, 0, 4096), -EINVAL);
	CHECK_EQ(ppcvirt_vm_unregister_iommu_memory(NULL, 0, 4096), -EINVAL);
	CHECK_EQ(ppcvirt_iommu_group_stats(NULL, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_iommu_group_create(NULL, NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_phb_create(NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_phb_reset(NULL), -EINVAL);
	CHECK(ppcvirt_phb_get_config(NULL) == NULL);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, NULL), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_tlbwe(NULL), -EINVAL);
	CHECK_EQ(ppcvirt_tlb_core(NULL), -EINVAL);
	/* Destroying NULL does nothing. */
	ppcvirt_vm_destroy(NULL);
	ppcvirt_vcpu_destroy(NULL);
	ppcvirt_tlb_destroy(NULL);
	ppcvirt_phb_destroy(NULL);
	ppcvirt_iommu_group_put(NULL);
}

/* Destroying twice, or a child after its VM, touches nothing: under
 * ASan a second free would be reported. */
static void destroyed_handles(void)
{
	struct ppcvirt_phb_config cfg;
	struct ppcvirt_vm *vm, *vm2;
	struct ppcvirt_vcpu *vcpu;
	struct ppcvirt_phb *phb, *phb2;
	struct ppcvirt_tlb *tlb;

	CHECK_EQ(ppcvirt_vm_create(&vm), 0);
	CHECK_EQ(ppcvirt_vcpu_create(vm, 0, &vcpu), 0);
	ppcvirt_phb_config_default(&cfg, 0);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb), 0);
	ppcvirt_vcpu_destroy(vcpu);
	ppcvirt_vcpu_destroy(vcpu);
	ppcvirt_phb_destroy(phb);
	ppcvirt_phb_destroy(phb);
	CHECK_EQ(ppcvirt_phb_create(vm, &cfg, &phb2), 0);
	CHECK_EQ(ppcvirt_vcpu_create(vm, 1, &vcpu), 0);
	ppcvirt_vm_destroy(vm); /* takes its PHB and vCPU with it */
	ppcvirt_vm_destroy(vm);
	ppcvirt_phb_destroy(phb2);
	ppcvirt_vcpu_destroy(vcpu);
	CHECK_EQ(ppcvirt_tlb_create(PPCVIRT_BOOKE_E500V2, &tlb), 0);
	ppcvirt_tlb_destroy(tlb);
	ppcvirt_tlb_destroy(tlb);
	/* The library keeps working. */
	CHECK_EQ(ppcvirt_vm_create(&vm2), 0);
	ppcvirt_vm_destroy(vm2);
}

static const struct test_case tests[] = {
	TEST(fds_cannot_be_resized), TEST(reentry_fails_cleanly),
	TEST(one_vcpu_two_threads),  TEST(fsize_limit_is_an_error),
	TEST(null_handles),	     TEST(destroyed_handles),
};

TEST_MAIN(tests)
