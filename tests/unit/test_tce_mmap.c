/* SPDX-License-Identifier: MIT */
/*
 * The table fd is shared memory (KVM's mmap of the TCE table fd):
 *   - a forked child maps it and sees the parent's H_PUT_TCE writes;
 *   - the parent's hypercalls and translations see the child's direct
 *     writes, also into table pages the parent never touched;
 *   - memory follows the entries touched, not the window: a 2^40-byte
 *     window of 4K pages with 1000 scattered entries stays far below
 *     64 MiB resident.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"
#include "test.h"

#define RW (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define L  0x80000000ull

static void xwrite(int fd, char c)
{
	CHECK(write(fd, &c, 1) == 1);
}

static char xread(int fd)
{
	char c = 0;

	CHECK(read(fd, &c, 1) == 1);
	return c;
}

static void cross_process(void)
{
	struct tvm t;
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = L, .page_shift = 12, .size = 8192};
	int fd = -1, to_child[2], to_parent[2];
	uint64_t r4 = 0;
	pid_t pid;
	int status = 0;

	tvm_init(&t, 1 << 20, PPCVIRT_PROFILE_STRICT);
	CHECK_EQ(ppcvirt_vm_create_spapr_tce_64(t.vm, &a, &fd), 0);
	CHECK(fd >= 0);
	CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, L, 5 * 4096, 0x7000 | RW, 0, NULL,
		     NULL),
		 0);
	pid = fork();
	if (pid == 0) {
		/* Child: no harness output; the exit code carries the result.
		 */
		volatile uint64_t *tab =
			mmap(NULL, 8192 * 8, PROT_READ | PROT_WRITE, MAP_SHARED,
			     fd, 0);
		int bad = 0;
		char c;

		if (tab == MAP_FAILED)
			_exit(10);
		bad |= tab[5] != (0x7000 | RW);
		if (read(to_child[0], &c, 1) != 1)
			_exit(11);
		/* The parent wrote entry 6 after the fork. */
		bad |= tab[6] != (0x8000 | PPCVIRT_TCE_READ);
		/* Write into a known page and into one never touched
		 * (entries 4096.. are in the 9th table page). */
		tab[7] = 0x9000 | RW;
		tab[5000] = 0xa000 | PPCVIRT_TCE_WRITE;
		if (write(to_parent[1], "x", 1) != 1)
			_exit(12);
		_exit(bad ? 13 : 0);
	}
	CHECK(pid > 0);
	CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, L, 6 * 4096,
		     0x8000 | PPCVIRT_TCE_READ, 0, NULL, NULL),
		 0);
	xwrite(to_child[1], 'g');
	CHECK(xread(to_parent[0]) == 'x');
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The child's writes, through the guest's H_GET_TCE ... */
	CHECK_EQ(thc(&t, PPCVIRT_H_GET_TCE, L, 7 * 4096, 0, 0, &r4, NULL), 0);
	CHECK_EQ_U64(r4, 0x9000 | RW);
	CHECK_EQ(thc(&t, PPCVIRT_H_GET_TCE, L, 5000 * 4096, 0, 0, &r4, NULL),
		 0);
	CHECK_EQ_U64(r4, 0xa000 | PPCVIRT_TCE_WRITE);
	/* ... and the device-side translation. */
	{
		struct ppcvirt_dma_seg s;
		size_t n = 1;

		CHECK_EQ(ppcvirt_dma_map(t.vm, L, 5000 * 4096, 8,
					 PPCVIRT_DMA_FROM_DEVICE, &s, &n),
			 0);
		CHECK(s.hva == t.ram + 0xa000);
	}
	/* Clearing a page the child populated must really clear it. */
	CHECK_EQ(thc(&t, PPCVIRT_H_STUFF_TCE, L, 4096 * 4096, 0, 4096, NULL,
		     NULL),
		 0);
	CHECK_EQ_U64(tvm_entry(&t, L, 5000), 0);
	close(fd);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	tvm_fini(&t);
}

static uint64_t rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void sparse_memory(void)
{
	struct tvm t;
	struct ppcvirt_tce_info info;
	const uint64_t entries = (1ull << 40) >> 12; /* 2^28 entries */
	uint64_t before, after, x = 88172645463325252ull;

	tvm_init(&t, 1 << 20, PPCVIRT_PROFILE_STRICT);
	before = rss_bytes();
	CHECK_EQ(tvm_table(&t, L, 12, 0, entries), 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t slot;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		slot = x % entries;
		CHECK_EQ(thc(&t, PPCVIRT_H_PUT_TCE, L, slot << 12,
			     ((uint64_t)(i % 256) << 12) | RW, 0, NULL, NULL),
			 0);
		CHECK_EQ_U64(tvm_entry(&t, L, slot),
			     ((uint64_t)(i % 256) << 12) | RW);
	}
	/* Reads and clears of untouched pages must not allocate either. */
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(thc(&t, PPCVIRT_H_STUFF_TCE, L,
			     (entries - 512 * (uint64_t)(i + 1)) << 12, 0, 512,
			     NULL, NULL),
			 0);
	after = rss_bytes();
	CHECK_EQ(ppcvirt_vm_tce_info(t.vm, L, &info), 0);
	printf("# table pages resident: %llu KiB, process RSS growth: %llu "
	       "KiB\n",
	       (unsigned long long)info.resident_bytes >> 10,
	       (unsigned long long)(after - before) >> 10);
	CHECK(info.resident_bytes <= 1000ull * 4096);
	CHECK(after - before < (16ull << 20));
	tvm_fini(&t);
}

static const struct test_case tests[] = {
	TEST(cross_process),
	TEST(sparse_memory),
};

TEST_MAIN(tests)
