/* SPDX-License-Identifier: MIT */
/*
 * Live migration under concurrency (TSan in CI): two vCPU threads issue
 * H_PUT_TCE, H_PUT_TCE_INDIRECT and H_STUFF_TCE, a device thread
 * translates and writes DMA, and a writer thread rewrites entries through
 * the table's mmap, announcing each in the dirty log as documented
 * (store the entry, then set its bit). Meanwhile the source sends
 * pre-copy passes that the destination loads. Then everything stops, the
 * stop-and-copy pass goes, and the destination must equal the source
 * entry by entry.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ppcvirt/ppcvirt.h>

#include "support.h"
#include "test.h"

#define RW     (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define RAM    (8ull << 20)
#define L      0x80000000ull
#define NENT   (1ull << 16)
#define PASSES 6

static struct tvm S, D;
static struct ppcvirt_vcpu *vcpu2;
static atomic_bool stop;
static atomic_uint bad;

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void *vcpu_thread(void *arg)
{
	struct ppcvirt_vcpu *v = arg;
	uint64_t x = (uintptr_t)arg * 0x9e3779b97f4a7c15ull | 1;
	uint64_t list_gpa = v == S.vcpu ? 0x700000 : 0x701000;

	while (!atomic_load(&stop)) {
		uint64_t r = next(&x), slot = r % (NENT - 16), n = 1 + r % 16;
		struct ppcvirt_hcall hc = {.args = {L, slot << 12}};
		uint64_t be[16];

		switch ((r >> 20) % 3) {
		case 0:
			hc.nr = PPCVIRT_H_PUT_TCE;
			hc.args[2] = ((r >> 24) % 1024 << 12) | RW;
			break;
		case 1:
			for (unsigned k = 0; k < n; k++)
				be[k] = __builtin_bswap64(
					(((r >> 24) + k) % 1024 << 12) | RW);
			ppcvirt_vm_write_guest(S.vm, list_gpa, be, n * 8);
			hc.nr = PPCVIRT_H_PUT_TCE_INDIRECT;
			hc.args[2] = list_gpa;
			hc.args[3] = n;
			break;
		default:
			hc.nr = PPCVIRT_H_STUFF_TCE;
			hc.args[3] = n;
		}
		if (ppcvirt_vcpu_hcall(v, &hc) == PPCVIRT_HCALL_EXIT)
			ppcvirt_vmm_hcall(S.vm, &hc);
		if (hc.ret != 0)
			atomic_fetch_add(&bad, 1);
	}
	return NULL;
}

static void *device_thread(void *arg)
{
	uint8_t buf[512];
	uint64_t x = 12345;

	(void)arg;
	while (!atomic_load(&stop)) {
		uint64_t ioba = (next(&x) % NENT) << 12;
		int r = (x >> 40) & 1 ? ppcvirt_dma_read(S.vm, L, ioba, buf,
							 sizeof(buf))
				      : ppcvirt_dma_write(S.vm, L, ioba, buf,
							  sizeof(buf));

		/* Unmapped (-EFAULT) or read-only (-EACCES) entries are the
		 * guest's business; anything else is not. */
		if (r != 0 && r != -EFAULT && r != -EACCES)
			atomic_fetch_add(&bad, 1);
	}
	return NULL;
}

/* Another process's writer, through the mmaps, with the announcement. */
static void *mmap_writer(void *arg)
{
	_Atomic uint64_t *tab, *dirty;
	int tfd = ppcvirt_vm_tce_fd(S.vm, L);
	int dfd = ppcvirt_vm_tce_dirty_fd(S.vm, L);
	uint64_t x = 777;

	(void)arg;
	if (tfd < 0 || dfd < 0) {
		atomic_fetch_add(&bad, 1);
		return NULL;
	}
	tab = mmap(NULL, NENT * 8, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	dirty = mmap(NULL, NENT / 8, PROT_READ | PROT_WRITE, MAP_SHARED, dfd,
		     0);
	close(tfd);
	close(dfd);
	if (tab == MAP_FAILED || dirty == MAP_FAILED) {
		atomic_fetch_add(&bad, 1);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		uint64_t i = next(&x) % NENT;

		atomic_store_explicit(&tab[i], ((x >> 30) % 1024 << 12) | 1,
				      memory_order_release);
		atomic_fetch_or_explicit(&dirty[i / 64], 1ull << (i % 64),
					 memory_order_release);
	}
	munmap((void *)(uintptr_t)tab, NENT * 8);
	munmap((void *)(uintptr_t)dirty, NENT / 8);
	return NULL;
}

static int load(const struct test_buf *b)
{
	struct ppcvirt_state_load a = {.size = sizeof(a), .vm = D.vm};
	int ret = ppcvirt_state_load(&a, b->p, b->len);

	if (ret)
		printf("#   load: %d %s\n", ret, ppcvirt_last_error());
	return ret;
}

static void migrate_while_running(void)
{
	struct ppcvirt_state_objects o = {.size = sizeof(o)};
	struct ppcvirt_migration *m;
	struct ppcvirt_migration_pass st;
	struct test_buf b = {0};
	struct ppcvirt_state_sink sk = {test_buf_write, &b};
	pthread_t th[4];
	uint64_t sent = 0;

	tvm_init(&S, RAM, PPCVIRT_PROFILE_STRICT);
	tvm_init(&D, RAM, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vcpu_create(S.vm, 1, &vcpu2), 0);
	CHECK_EQ(tvm_table(&S, L, 12, 0, NENT), 0);
	CHECK_EQ(ppcvirt_vm_dirty_log_start(S.vm), 0);
	atomic_store(&stop, false);
	atomic_store(&bad, 0);
	CHECK(pthread_create(&th[0], NULL, vcpu_thread, S.vcpu) == 0);
	CHECK(pthread_create(&th[1], NULL, vcpu_thread, vcpu2) == 0);
	CHECK(pthread_create(&th[2], NULL, device_thread, NULL) == 0);
	CHECK(pthread_create(&th[3], NULL, mmap_writer, NULL) == 0);
	usleep(20000);
	o.vm = S.vm;
	CHECK_EQ(ppcvirt_migration_start(&o, &m), 0);
	for (int i = 0; i < PASSES; i++) {
		b.len = 0;
		CHECK_EQ(ppcvirt_migration_pass(m, &sk, &st), 0);
		CHECK_EQ(load(&b), 0);
		sent += st.entries;
		usleep(5000);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	b.len = 0;
	CHECK_EQ(ppcvirt_migration_finish(m, &sk, &st), 0);
	CHECK_EQ(load(&b), 0);
	printf("#   %d pre-copy passes sent %llu entries, the last %llu\n",
	       PASSES, (unsigned long long)sent,
	       (unsigned long long)st.entries);
	CHECK_EQ(atomic_load(&bad), 0);
	/* Entry by entry. */
	for (uint64_t i = 0; i < NENT; i++) {
		uint64_t a = tvm_entry(&S, L, i), d = tvm_entry(&D, L, i);

		if (a != d) {
			CHECK_EQ_U64(d, a);
			printf("#   entry %llu\n", (unsigned long long)i);
			break;
		}
	}
	free(b.p);
	tvm_fini(&S);
	tvm_fini(&D);
}

static const struct test_case tests[] = {
	TEST(migrate_while_running),
};

TEST_MAIN(tests)
