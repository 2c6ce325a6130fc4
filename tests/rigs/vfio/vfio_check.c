/* SPDX-License-Identifier: MIT */
/*
 * vfio_check: ppcvirt's VFIO back ends against a real IOMMU and a real
 * device's DMA. Runs inside the rig's guest (run.sh): x86-64 Linux on
 * QEMU's q35 with an emulated VT-d, and QEMU's NVMe controller bound to
 * vfio-pci, its disk filled with run.sh's pattern.
 *
 *   vfio_check type1|iommufd <PCI address> <pattern seed>
 *
 * A ppcvirt VM (the "test VM", with RAM from ppcvirt_vm_alloc_memory)
 * gets a PHB whose default window is linked to the NVMe's IOMMU group
 * (ppcvirt_vfio_open + ppcvirt_vm_link_iommu_group). Every mapping below
 * is made by a guest hypercall (ppcvirt_vcpu_hcall, exits completed by
 * ppcvirt_vmm_hcall); the program then drives the controller through its
 * BAR0 (ppcvirt_vfio_device_fd) and looks where the DMA landed.
 *
 * Output, for the host's check-trace.py:
 *   @@CHECK <name> PASS|FAIL <detail>
 *   @@DMA iova=0x.. gpa=0x..   a DMA that landed, in the order the device
 *                              made them (gpa: this guest's physical page
 *                              behind the test VM's page, /proc/self/pagemap)
 *   @@BLOCKED iova=0x..        a DMA that must not have landed
 *   @@PERF <name> key=value..
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/vfio.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <endian.h>
#include <time.h>
#include <unistd.h>

#include <ppcvirt/ddw.h>
#include <ppcvirt/ppcvirt.h>
#include <ppcvirt/vfio.h>

#include "iommu/vfio_uapi.h"

#define PAGE 4096ull
#define RW   (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)

/* The test VM: 64 MiB of RAM at gpa 0, all registered for pass-through. */
#define RAM_SIZE (64ull << 20)
/* Its pages for the NVMe (gpa; mapped at IOBA == gpa in the default
 * window unless said otherwise). */
#define G_ASQ	  0x10000ull  /* admin submission queue */
#define G_ACQ	  0x11000ull  /* admin completion queue */
#define G_IOSQ	  0x12000ull  /* I/O submission queue 1 */
#define G_IOCQ	  0x13000ull  /* I/O completion queue 1 */
#define G_PRPL	  0x14000ull  /* PRP list of the multi-page read */
#define G_DATA	  0x20000ull  /* Identify data, page A */
#define G_ALT	  0x21000ull  /* page B: the remap target */
#define G_SPARE	  0x22000ull  /* an IOBA left unmapped for the memlock test */
#define G_KEEP	  0x23000ull  /* mapped; a bigger update fails over it */
#define G_NEW	  0x30000ull  /* the 8 pages that update would map */
#define G_BUF	  0x100000ull /* 16 pages read from the disk */
#define BUF_PAGES 16
#define G_BULK	  0x400000ull /* 512 pages for the INDIRECT measurement */
#define G_LIST	  0x3f000ull  /* INDIRECT lists */
#define QDEPTH	  8
#define READ_LBA  64 /* 512-byte blocks */

static struct ppcvirt_vm *vm;
static struct ppcvirt_vcpu *vcpu;
static uint8_t *ram;
static uint64_t liobn;
static const char *iommu_name, *bdf;
static uint64_t seed;
static int npass, nfail;

/* ---- output -------------------------------------------------------------- */

static void check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(const char *name, bool ok, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("@@CHECK %s %s %s\n", name, ok ? "PASS" : "FAIL", detail);
	fflush(stdout);
	if (ok)
		npass++;
	else
		nfail++;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* This guest's physical address of a (pinned) host page. */
static uint64_t phys_of(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / PAGE * 8)) !=
	    (ssize_t)sizeof(e))
		e = 0;
	close(fd);
	if (!(e >> 63))
		return 0;
	return (e & ((1ull << 55) - 1)) * PAGE;
}

static void dma_landed(uint64_t iova, uint64_t gpa)
{
	say("@@DMA iova=0x%" PRIx64 " gpa=0x%" PRIx64 "\n", iova,
	    phys_of(ram + gpa));
}

static void dma_blocked(uint64_t iova)
{
	say("@@BLOCKED iova=0x%" PRIx64 "\n", iova);
}

/* VmLck and VmPin of /proc/self/status, in kB. */
static void locked_kb(long *lck, long *pin)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	*lck = *pin = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmLck:", 6))
			*lck = strtol(line + 6, NULL, 10);
		else if (!strncmp(line, "VmPin:", 6))
			*pin = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* ---- the disk pattern (run.sh writes the same) -----------------------------
 */

static uint64_t pattern_word(uint64_t i)
{
	uint64_t z = ((seed << 32) ^ i) + 0x9E3779B97F4A7C15ull;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* ---- hypercalls -----------------------------------------------------------
 */

static long hcall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
		  uint64_t a3)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};
	int r = ppcvirt_vcpu_hcall(vcpu, &hc);

	if (r == PPCVIRT_HCALL_EXIT)
		r = ppcvirt_vmm_hcall(vm, &hc);
	if (r < 0)
		return r;
	return (long)hc.ret;
}

static long put_tce(uint64_t ioba, uint64_t gpa, uint64_t perm)
{
	return hcall(PPCVIRT_H_PUT_TCE, liobn, ioba, perm ? gpa | perm : 0, 0);
}

static uint64_t get_tce(uint64_t l, uint64_t ioba)
{
	struct ppcvirt_hcall hc = {.nr = PPCVIRT_H_GET_TCE, .args = {l, ioba}};

	if (ppcvirt_vcpu_hcall(vcpu, &hc) == PPCVIRT_HCALL_EXIT)
		ppcvirt_vmm_hcall(vm, &hc);
	return hc.ret == PPCVIRT_H_SUCCESS ? hc.args[0] : ~0ull;
}

/* H_PUT_TCE_INDIRECT of @n pages from @gpa on: the list at G_LIST
 * (big-endian entries, as PAPR guests write them). */
static long put_indirect(uint64_t l, uint64_t ioba, uint64_t gpa, unsigned n,
			 uint64_t perm)
{
	uint64_t *list = (uint64_t *)(void *)(ram + G_LIST);

	for (unsigned i = 0; i < n; i++)
		list[i] = htobe64((gpa + i * PAGE) | perm);
	return hcall(PPCVIRT_H_PUT_TCE_INDIRECT, l, ioba, G_LIST, n);
}

static struct ppcvirt_iommu_stats gstats(struct ppcvirt_iommu_group *g)
{
	struct ppcvirt_iommu_stats st;

	memset(&st, 0, sizeof(st));
	ppcvirt_iommu_group_stats(g, &st);
	return st;
}

/* ---- NVMe through BAR0 ----------------------------------------------------
 */

struct sqe {
	uint8_t opc, flags;
	uint16_t cid;
	uint32_t nsid, cdw2, cdw3;
	uint64_t mptr, prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct cqe {
	uint32_t dw0, dw1;
	uint16_t sqhd, sqid, cid, status;
};

struct nvq {
	uint64_t sq_gpa, cq_gpa;
	unsigned qid, tail, head, phase;
	uint16_t cid;
};

static volatile uint8_t *bar0;
static size_t bar0_size;
static unsigned dstrd;
static struct nvq adminq = {G_ASQ, G_ACQ, 0, 0, 0, 1, 0};
static struct nvq ioq = {G_IOSQ, G_IOCQ, 1, 0, 0, 1, 0};

static uint32_t rd32(unsigned off)
{
	return *(volatile uint32_t *)(bar0 + off);
}

static void wr32(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(bar0 + off) = v;
}

static void wr64(unsigned off, uint64_t v)
{
	wr32(off, (uint32_t)v);
	wr32(off + 4, (uint32_t)(v >> 32));
}

/* Submit @c on @q and wait for its completion. Returns the status field
 * (0: success), or -1 on timeout. */
static int nvme_cmd(struct nvq *q, struct sqe c)
{
	struct sqe *sq = (struct sqe *)(void *)(ram + q->sq_gpa);
	volatile struct cqe *cq =
		(volatile struct cqe *)(void *)(ram + q->cq_gpa);
	double t0 = now();

	c.cid = ++q->cid;
	sq[q->tail] = c;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->tail = (q->tail + 1) % QDEPTH;
	wr32(0x1000 + (2 * q->qid) * (4u << dstrd), q->tail);
	while (now() - t0 < 5.0) {
		if ((cq[q->head].status & 1) == q->phase) {
			int st = cq[q->head].status >> 1;

			q->head = (q->head + 1) % QDEPTH;
			if (q->head == 0)
				q->phase ^= 1;
			wr32(0x1000 + (2 * q->qid + 1) * (4u << dstrd),
			     q->head);
			return st;
		}
		usleep(50);
	}
	return -1;
}

static int nvme_identify(uint64_t prp)
{
	struct sqe c = {.opc = 0x06, .prp1 = prp, .cdw10 = 1 /* controller */};

	return nvme_cmd(&adminq, c);
}

static int bar0_open(int devfd)
{
	struct vfio_region_info cfg = {.argsz = sizeof(cfg),
				       .index = VFIO_PCI_CONFIG_REGION_INDEX};
	struct vfio_region_info r = {.argsz = sizeof(r),
				     .index = VFIO_PCI_BAR0_REGION_INDEX};
	uint16_t cmd = 0;
	void *p;

	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
	    pread(devfd, &cmd, 2, (off_t)cfg.offset + 4) != 2)
		return -errno;
	cmd |= 0x6; /* memory space, bus master */
	if (pwrite(devfd, &cmd, 2, (off_t)cfg.offset + 4) != 2)
		return -errno;
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &r))
		return -errno;
	p = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd,
		 (off_t)r.offset);
	if (p == MAP_FAILED)
		return -errno;
	bar0 = p;
	bar0_size = r.size;
	return 0;
}

static int nvme_wait_ready(bool want, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		uint32_t csts = rd32(0x1c);

		if (csts & 2)
			return -EIO; /* CSTS.CFS */
		if (!!(csts & 1) == want)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static int nvme_enable(void)
{
	uint64_t cap = rd32(0) | (uint64_t)rd32(4) << 32;
	unsigned to = (unsigned)((cap >> 24) & 0xff) * 500 + 1000;
	int ret;

	dstrd = (unsigned)(cap >> 32) & 0xf;
	wr32(0x14, 0);
	ret = nvme_wait_ready(false, to);
	if (ret)
		return ret;
	memset(ram + G_ASQ, 0, 4 * PAGE);
	adminq.tail = adminq.head = 0;
	adminq.phase = 1;
	wr32(0x24, (QDEPTH - 1) << 16 | (QDEPTH - 1)); /* AQA */
	wr64(0x28, G_ASQ);			       /* ASQ (an IOBA) */
	wr64(0x30, G_ACQ);			       /* ACQ (an IOBA) */
	wr32(0x14, 4u << 20 | 6u << 16 | 1u);	       /* CQES 16, SQES 64 */
	return nvme_wait_ready(true, to);
}

static int nvme_create_io_queues(void)
{
	struct sqe cq = {.opc = 0x05,
			 .prp1 = G_IOCQ,
			 .cdw10 = (QDEPTH - 1) << 16 | 1,
			 .cdw11 = 1 /* contiguous, no interrupts */};
	struct sqe sq = {.opc = 0x01,
			 .prp1 = G_IOSQ,
			 .cdw10 = (QDEPTH - 1) << 16 | 1,
			 .cdw11 = 1u << 16 | 1 /* CQ 1, contiguous */};
	int st = nvme_cmd(&adminq, cq);

	return st ? st : nvme_cmd(&adminq, sq);
}

static void nvme_disable(void)
{
	if (!bar0)
		return;
	wr32(0x14, 0);
	nvme_wait_ready(false, 2000);
	munmap((void *)(uintptr_t)bar0, bar0_size);
	bar0 = NULL;
}

/* ---- the kernel log ------------------------------------------------------ */

/* Wait up to 2 s for the guest kernel's DMAR fault report on @iova. */
static bool dmesg_fault(uint64_t iova, char *line, size_t n)
{
	char want[64];
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return false;
	snprintf(want, sizeof(want), "fault addr 0x%" PRIx64 " ", iova);
	for (int i = 0; i < 40; i++) {
		int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
		char *hit, *start, *end;

		if (len > 0) {
			buf[len] = '\0';
			hit = strstr(buf, want);
			if (hit) {
				start = hit;
				while (start > buf && start[-1] != '\n')
					start--;
				end = strchr(hit, '\n');
				snprintf(line, n, "%.*s",
					 (int)(end ? end - start
						   : (long)strlen(start)),
					 start);
				free(buf);
				return true;
			}
		}
		usleep(50000);
	}
	free(buf);
	return false;
}

/* ---- the checks ------------------------------------------------------------
 */

static bool page_is(uint64_t gpa, uint8_t byte)
{
	for (uint64_t i = 0; i < PAGE; i++)
		if (ram[gpa + i] != byte)
			return false;
	return true;
}

/* Identify data in the page at @gpa: vendor 0x1b36, serial "ppcvirt0". */
static bool identify_data(uint64_t gpa, char *what, size_t n)
{
	char sn[21] = {0}, mn[41] = {0};
	uint16_t vid;

	memcpy(&vid, ram + gpa, 2);
	memcpy(sn, ram + gpa + 4, 20);
	memcpy(mn, ram + gpa + 24, 40);
	for (int i = 19; i >= 0 && sn[i] == ' '; i--)
		sn[i] = '\0';
	for (int i = 39; i >= 0 && mn[i] == ' '; i--)
		mn[i] = '\0';
	snprintf(what, n, "vid=0x%04x sn='%s' mn='%s'", vid, sn, mn);
	return vid == 0x1b36 && !strcmp(sn, "ppcvirt0") &&
	       strstr(mn, "QEMU NVMe") != NULL;
}

static void check_identify(void)
{
	char what[128];
	int st;
	bool ok;

	memset(ram + G_DATA, 0xa5, PAGE);
	ok = put_tce(G_ASQ, G_ASQ, RW) == PPCVIRT_H_SUCCESS &&
	     put_tce(G_ACQ, G_ACQ, RW) == PPCVIRT_H_SUCCESS &&
	     put_tce(G_IOSQ, G_IOSQ, RW) == PPCVIRT_H_SUCCESS &&
	     put_tce(G_IOCQ, G_IOCQ, RW) == PPCVIRT_H_SUCCESS &&
	     put_tce(G_PRPL, G_PRPL, PPCVIRT_TCE_READ) == PPCVIRT_H_SUCCESS &&
	     put_tce(G_DATA, G_DATA, PPCVIRT_TCE_WRITE) == PPCVIRT_H_SUCCESS;
	if (!ok) {
		check("identify", false,
		      "H_PUT_TCE of the queue/data pages failed");
		return;
	}
	st = nvme_enable();
	if (st) {
		check("identify", false, "controller enable: %s",
		      strerror(-st));
		return;
	}
	st = nvme_identify(G_DATA);
	ok = identify_data(G_DATA, what, sizeof(what));
	if (st == 0 && ok) {
		dma_landed(G_ASQ, G_ASQ);
		dma_landed(G_DATA, G_DATA);
		dma_landed(G_ACQ, G_ACQ);
	}
	check("identify", st == 0 && ok,
	      "H_PUT_TCE iova 0x%llx -> gpa 0x%llx, status %d, data at the "
	      "page the TCE names: %s",
	      (unsigned long long)G_DATA, (unsigned long long)G_DATA, st, what);
}

static void check_indirect_read(struct ppcvirt_iommu_group *g)
{
	uint64_t *prpl = (uint64_t *)(void *)(ram + G_PRPL);
	struct ppcvirt_iommu_stats s0 = gstats(g), s1;
	unsigned bad = 0, first_bad = 0;
	long ret;
	int st;

	st = nvme_create_io_queues();
	if (st) {
		check("indirect-read", false, "create I/O queues: status %d",
		      st);
		return;
	}
	memset(ram + G_BUF, 0xee, BUF_PAGES * PAGE);
	ret = put_indirect(liobn, G_BUF, G_BUF, BUF_PAGES, PPCVIRT_TCE_WRITE);
	s1 = gstats(g);
	if (ret != PPCVIRT_H_SUCCESS) {
		check("indirect-read", false, "H_PUT_TCE_INDIRECT(%d): %ld",
		      BUF_PAGES, ret);
		return;
	}
	for (unsigned i = 1; i < BUF_PAGES; i++)
		prpl[i - 1] = G_BUF + i * PAGE;
	{
		struct sqe c = {.opc = 0x02,
				.nsid = 1,
				.prp1 = G_BUF,
				.prp2 = G_PRPL,
				.cdw10 = READ_LBA,
				.cdw12 = BUF_PAGES * 8 - 1};

		st = nvme_cmd(&ioq, c);
	}
	for (unsigned p = 0; p < BUF_PAGES; p++) {
		const uint64_t *w =
			(const uint64_t *)(void *)(ram + G_BUF + p * PAGE);
		uint64_t base = (READ_LBA * 512 + p * PAGE) / 8;

		for (unsigned i = 0; i < PAGE / 8; i++) {
			if (w[i] != pattern_word(base + i)) {
				if (!bad++)
					first_bad = p;
				break;
			}
		}
	}
	if (st == 0 && bad == 0) {
		dma_landed(G_IOSQ, G_IOSQ);
		dma_landed(G_PRPL, G_PRPL);
		for (unsigned p = 0; p < BUF_PAGES; p++)
			dma_landed(G_BUF + p * PAGE, G_BUF + p * PAGE);
		dma_landed(G_IOCQ, G_IOCQ);
	}
	check("indirect-read", st == 0 && bad == 0,
	      "one H_PUT_TCE_INDIRECT of %d pages (%llu map call), NVMe Read "
	      "of LBA %d+%d with a PRP list: status %d, %u of %d pages wrong%s",
	      BUF_PAGES, (unsigned long long)(s1.map_calls - s0.map_calls),
	      READ_LBA, BUF_PAGES * 8, st, bad, BUF_PAGES,
	      bad ? (first_bad ? " (not the first)" : " (the first)") : "");
}

static void check_remap(void)
{
	char what[128];
	long ret;
	int st;

	memset(ram + G_DATA, 0x11, PAGE);
	memset(ram + G_ALT, 0x22, PAGE);
	ret = put_tce(G_DATA, G_ALT, PPCVIRT_TCE_WRITE);
	if (ret != PPCVIRT_H_SUCCESS) {
		check("remap", false,
		      "H_PUT_TCE iova 0x%llx -> gpa 0x%llx: %ld",
		      (unsigned long long)G_DATA, (unsigned long long)G_ALT,
		      ret);
		return;
	}
	st = nvme_identify(G_DATA);
	bool new_ok = identify_data(G_ALT, what, sizeof(what));
	bool old_untouched = page_is(G_DATA, 0x11);

	if (st == 0 && new_ok)
		dma_landed(G_DATA, G_ALT);
	check("remap", st == 0 && new_ok && old_untouched,
	      "iova 0x%llx moved from gpa 0x%llx to 0x%llx: new page %s, old "
	      "page %s",
	      (unsigned long long)G_DATA, (unsigned long long)G_DATA,
	      (unsigned long long)G_ALT, what,
	      old_untouched ? "untouched" : "WRITTEN");
}

static void check_stuff_blocked(void)
{
	char kline[256] = "";
	long ret;
	bool untouched, logged;

	memset(ram + G_ALT, 0x33, PAGE);
	ret = hcall(PPCVIRT_H_STUFF_TCE, liobn, G_DATA, 0, 1);
	if (ret != PPCVIRT_H_SUCCESS || get_tce(liobn, G_DATA) != 0) {
		check("stuff-blocked", false, "H_STUFF_TCE: %ld", ret);
		return;
	}
	(void)nvme_identify(G_DATA); /* QEMU 7.2 completes it with status 0 */
	untouched = page_is(G_ALT, 0x33) && page_is(G_DATA, 0x11);
	logged = dmesg_fault(G_DATA, kline, sizeof(kline));
	if (untouched)
		dma_blocked(G_DATA);
	check("stuff-blocked", untouched && logged,
	      "after H_STUFF_TCE(0) the DMA to iova 0x%llx: pages %s; kernel: "
	      "%s",
	      (unsigned long long)G_DATA, untouched ? "untouched" : "WRITTEN",
	      logged ? kline : "no DMAR fault logged");
}

/* Drop CAP_IPC_LOCK (effective and permitted) in this process. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	d[CAP_IPC_LOCK / 32].permitted &= ~(1u << (CAP_IPC_LOCK % 32));
	d[CAP_IPC_LOCK / 32].inheritable &= ~(1u << (CAP_IPC_LOCK % 32));
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return 0;
}

/*
 * In a child without CAP_IPC_LOCK and with RLIMIT_MEMLOCK 0, guest maps of
 * unmapped IOBAs must fail with H_HARDWARE and leave the entries as they
 * were (0), in the table the parent shares, and nothing mapped.
 */
static void check_memlock(struct ppcvirt_iommu_group *g)
{
	struct ppcvirt_iommu_stats s0 = gstats(g);
	char msg[400] = "";
	int pfd[2];
	pid_t pid;
	int status = 0;
	uint64_t tce;

	if (pipe2(pfd, O_CLOEXEC)) {
		check("memlock", false, "pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {0, 0};
		long r1, r2;
		uint64_t t1, t2;
		int ok, n;

		close(pfd[0]);
		if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &rl)) {
			n = snprintf(msg, sizeof(msg), "capset/setrlimit: %s",
				     strerror(errno));
			(void)!write(pfd[1], msg, (size_t)n);
			_exit(1);
		}
		r1 = put_tce(G_SPARE, G_SPARE, RW);
		t1 = get_tce(liobn, G_SPARE);
		r2 = put_indirect(liobn, G_BUF + BUF_PAGES * PAGE,
				  G_BUF + BUF_PAGES * PAGE, 8, RW);
		t2 = get_tce(liobn, G_BUF + BUF_PAGES * PAGE);
		ok = r1 == PPCVIRT_H_HARDWARE && t1 == 0 &&
		     r2 == PPCVIRT_H_HARDWARE && t2 == 0;
		n = snprintf(
			msg, sizeof(msg),
			"without CAP_IPC_LOCK, RLIMIT_MEMLOCK 0: H_PUT_TCE "
			"-> %s, entry reads 0x%llx; INDIRECT(8) -> %s, "
			"entry reads 0x%llx; last error: %s",
			ppcvirt_hret_name(r1), (unsigned long long)t1,
			ppcvirt_hret_name(r2), (unsigned long long)t2,
			ppcvirt_last_error());
		(void)!write(pfd[1], msg, (size_t)n);
		_exit(ok ? 0 : 1);
	}
	close(pfd[1]);
	if (pid > 0) {
		ssize_t n = read(pfd[0], msg, sizeof(msg) - 1);

		msg[n > 0 ? n : 0] = '\0';
		waitpid(pid, &status, 0);
	}
	close(pfd[0]);
	tce = get_tce(liobn, G_SPARE);
	/* What the table says (0) must be what the IOMMU does: blocked. */
	memset(ram + G_SPARE, 0x44, PAGE);
	(void)nvme_identify(G_SPARE);
	bool untouched = page_is(G_SPARE, 0x44);

	if (untouched)
		dma_blocked(G_SPARE);
	check("memlock",
	      pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		      tce == 0 && untouched && gstats(g).extents == s0.extents,
	      "%s; parent: entry 0x%llx, DMA to it %s, extents %llu -> %llu",
	      msg, (unsigned long long)tce, untouched ? "blocked" : "LANDED",
	      (unsigned long long)s0.extents,
	      (unsigned long long)gstats(g).extents);
}

static int iommu_kind(void)
{
	return strcmp(iommu_name, "iommufd") ? PPCVIRT_VFIO_TYPE1V2
					     : PPCVIRT_VFIO_IOMMUFD;
}

/*
 * Fail closed, replacing a mapping: with CAP_IPC_LOCK out of the
 * effective set and RLIMIT_MEMLOCK 4 pages above what is charged now, an
 * INDIRECT of 8 pages over a mapped entry must fail (its old 1-page
 * mapping is unmapped, the 8-page one refused, the old one put back):
 * H_HARDWARE, the entry reads back as before, and a DMA to it still
 * lands on the old page. In this process, so the pins stay accounted to
 * it. What is charged: type1 counts every pin in VmLck, with or without
 * the capability; iommufd charges the user only for pins made without
 * it (none so far), though VmPin shows them all.
 */
static void check_fail_closed(struct ppcvirt_iommu_group *g)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2], lowered[2];
	struct ppcvirt_iommu_stats s0;
	struct rlimit old, low;
	char what[128] = "";
	long lck, pin, r;
	uint64_t t0, t1;
	bool lands, fresh;
	int st;

	memset(ram + G_NEW, 0x55, 8 * PAGE);
	memset(ram + G_KEEP, 0x66, PAGE);
	if (put_tce(G_KEEP, G_KEEP, PPCVIRT_TCE_WRITE) != PPCVIRT_H_SUCCESS ||
	    syscall(SYS_capget, &h, caps) || getrlimit(RLIMIT_MEMLOCK, &old)) {
		check("fail-closed", false, "setup: %s", strerror(errno));
		return;
	}
	s0 = gstats(g);
	locked_kb(&lck, &pin);
	memcpy(lowered, caps, sizeof(caps));
	lowered[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	low = old;
	low.rlim_cur =
		(rlim_t)((iommu_kind() == PPCVIRT_VFIO_TYPE1V2 ? lck : 0) +
			 16) *
		1024;
	if (syscall(SYS_capset, &h, lowered) ||
	    setrlimit(RLIMIT_MEMLOCK, &low)) {
		check("fail-closed", false, "capset/setrlimit: %s",
		      strerror(errno));
		syscall(SYS_capset, &h, caps);
		return;
	}
	r = put_indirect(liobn, G_KEEP, G_NEW, 8, PPCVIRT_TCE_WRITE);
	setrlimit(RLIMIT_MEMLOCK, &old);
	syscall(SYS_capset, &h, caps);
	t0 = get_tce(liobn, G_KEEP);
	t1 = get_tce(liobn, G_KEEP + PAGE);
	st = nvme_identify(G_KEEP);
	lands = st == 0 && identify_data(G_KEEP, what, sizeof(what));
	fresh = page_is(G_NEW, 0x55);
	if (lands)
		dma_landed(G_KEEP, G_KEEP);
	check("fail-closed",
	      r == PPCVIRT_H_HARDWARE && t0 == (G_KEEP | PPCVIRT_TCE_WRITE) &&
		      t1 == 0 && lands && fresh && gstats(g).lost == s0.lost,
	      "RLIMIT_MEMLOCK %llu kB, no CAP_IPC_LOCK: INDIRECT(8) over a "
	      "mapped entry -> %s; entries read 0x%llx, 0x%llx; the next DMA "
	      "%s the old page (%s), new pages %s; lost %llu -> %llu",
	      (unsigned long long)low.rlim_cur / 1024, ppcvirt_hret_name(r),
	      (unsigned long long)t0, (unsigned long long)t1,
	      lands ? "lands on" : "MISSES", what,
	      fresh ? "untouched" : "WRITTEN", (unsigned long long)s0.lost,
	      (unsigned long long)gstats(g).lost);
	put_tce(G_KEEP, 0, 0);
}

/* ---- the device leaves ------------------------------------------------------
 */

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* Unbind the device from vfio-pci in a child (the write blocks while the
 * device is open); returns the child's pid. */
static pid_t unbind_in_child(void)
{
	char path[128];
	pid_t pid;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	pid = fork();
	if (pid == 0) {
		/* Not with a copy of the parent's device fd: the unbind would
		 * wait for the child itself. */
		syscall(SYS_close_range, 3u, ~0u, 0u);
		_exit(sysfs_write(path, bdf) ? 1 : 0);
	}
	return pid;
}

/* Wait up to @ms for @pid; true when it exited with status 0. */
static bool reaped(pid_t pid, unsigned ms)
{
	int status;

	for (unsigned i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		usleep(10000);
	}
	return false;
}

static bool rebind(void)
{
	char path[128];

	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	for (int i = 0; i < 100; i++) {
		char link[256];
		ssize_t n = readlink(path, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			return strstr(link, "vfio-pci") != NULL;
		}
		usleep(10000);
	}
	return false;
}

/*
 * type1: ppcvirt holds the group, not the device, so the host can unbind
 * the device while the table stays linked: the table keeps working, the
 * device fd cannot be had any more (an error with a message, no crash).
 * iommufd: ppcvirt holds the bound cdev, so the unbind waits until the
 * last put (the kernel's rule: a device leaves only when no fd holds it).
 * Returns with the group put (iommufd) or still held (type1: *gp).
 */
static struct ppcvirt_iommu_stats unlinked; /* stats after the unlink */

static void check_device_gone(struct ppcvirt_iommu_group **gp)
{
	struct ppcvirt_iommu_group *g = *gp;
	pid_t pid = unbind_in_child();
	bool done, rebound;

	if (pid < 0) {
		check("device-gone", false, "fork: %s", strerror(errno));
		return;
	}
	if (iommu_kind() == PPCVIRT_VFIO_TYPE1V2) {
		long h;
		uint64_t tce;
		int fd;

		done = reaped(pid, 5000);
		h = put_tce(G_SPARE, G_SPARE, RW);
		tce = get_tce(liobn, G_SPARE);
		fd = ppcvirt_vfio_device_fd(g);
		check("device-gone",
		      done && fd < 0 && ppcvirt_last_error()[0] &&
			      (h == PPCVIRT_H_SUCCESS ? tce == (G_SPARE | RW)
						      : tce == 0),
		      "unbound while linked (%s); then H_PUT_TCE %s (entry "
		      "0x%llx), ppcvirt_vfio_device_fd %d: %s",
		      done ? "done" : "NOT DONE", ppcvirt_hret_name(h),
		      (unsigned long long)tce, fd, ppcvirt_last_error());
		if (fd >= 0)
			close(fd);
		put_tce(G_SPARE, 0, 0);
	} else {
		bool early = reaped(pid, 1000);

		ppcvirt_vm_unlink_iommu_group(vm, liobn, g);
		unlinked = gstats(g);
		ppcvirt_iommu_group_put(g);
		*gp = NULL;
		done = reaped(pid, 10000);
		check("device-gone", !early && done,
		      "unbind while ppcvirt holds the device cdev: %s before "
		      "the put, %s after it",
		      early ? "DONE" : "waits", done ? "done" : "NOT DONE");
	}
	if (!done) {
		/* An unbind waiting for the device cannot be killed: leave
		 * it, rather than wait for ever. */
		kill(pid, SIGKILL);
		reaped(pid, 1000);
	}
	rebound = rebind();
	check("rebind", rebound, "%s bound to vfio-pci again: %s", bdf,
	      rebound ? "yes" : "no");
}

/* ---- phase 1: ppcvirt opens everything ------------------------------------
 */

static void geometry_line(struct ppcvirt_iommu_group *g, char *out, size_t n)
{
	struct ppcvirt_iova_range r[8];
	struct ppcvirt_iommu_geometry geo;
	size_t at;

	memset(&geo, 0, sizeof(geo));
	geo.size = sizeof(geo);
	if (ppcvirt_iommu_group_geometry(g, &geo, r, 8)) {
		snprintf(out, n, "no geometry");
		return;
	}
	at = (size_t)snprintf(out, n, "pgsizes 0x%llx max_mappings %llu ranges",
			      (unsigned long long)geo.pgsize_bitmap,
			      (unsigned long long)geo.max_mappings);
	for (uint32_t i = 0; i < geo.nranges && i < 8 && at < n; i++)
		at += (size_t)snprintf(out + at, n - at, " [0x%llx,0x%llx]",
				       (unsigned long long)r[i].start,
				       (unsigned long long)r[i].last);
}

static struct ppcvirt_iommu_group *open_group(void)
{
	struct ppcvirt_vfio_config cfg;
	struct ppcvirt_iommu_group *g = NULL;
	char geo[400];
	int ret;

	ppcvirt_vfio_config_init(&cfg, bdf);
	cfg.iommu = (uint32_t)iommu_kind();
	ret = ppcvirt_vfio_open(&cfg, &g);
	if (ret) {
		check("open", false, "ppcvirt_vfio_open(%s, %s): %s: %s", bdf,
		      iommu_name, strerror(-ret), ppcvirt_last_error());
		return NULL;
	}
	geometry_line(g, geo, sizeof(geo));
	check("open", ppcvirt_vfio_iommu(g) == iommu_kind(),
	      "ppcvirt_vfio_open(%s, %s): interface %d, %s", bdf, iommu_name,
	      ppcvirt_vfio_iommu(g), geo);
	return g;
}

static void check_busy(void)
{
	struct ppcvirt_vfio_config cfg;
	struct ppcvirt_iommu_group *g2 = NULL;
	int fds = count_fds(), ret;

	ppcvirt_vfio_config_init(&cfg, bdf);
	cfg.iommu = (uint32_t)iommu_kind();
	ret = ppcvirt_vfio_open(&cfg, &g2);
	check("open-busy",
	      ret < 0 && ppcvirt_last_error()[0] && count_fds() == fds,
	      "a second open of %s: %d (%s): %s; fds %d -> %d", bdf, ret,
	      ret < 0 ? strerror(-ret) : "opened", ppcvirt_last_error(), fds,
	      count_fds());
	if (!ret)
		ppcvirt_iommu_group_put(g2);
}

static void check_range_refused(struct ppcvirt_iommu_group *g)
{
	struct ppcvirt_phb_config pc;
	struct ppcvirt_phb *phb = NULL;
	uint64_t l = 0, start = 0;
	int ret;

	/* QEMU's own placement of 64-bit windows: 1 << 59. */
	ppcvirt_phb_config_default(&pc, 1);
	ret = ppcvirt_phb_create(vm, &pc, &phb);
	if (!ret)
		ret = ppcvirt_phb_create_window(phb, 16, 30, &l, &start);
	if (ret) {
		check("link-range", false, "PHB 1 window: %s", strerror(-ret));
		ppcvirt_phb_destroy(phb);
		return;
	}
	ret = ppcvirt_vm_link_iommu_group(vm, l, g, 0);
	const char *err = ppcvirt_last_error();
	struct ppcvirt_iova_range r[1] = {{0, 0}};
	struct ppcvirt_iommu_geometry geo = {.size = sizeof(geo)};
	char first_last[24];

	/* The message must name the group's ranges: look for the end of
	 * the first one, in hex. */
	ppcvirt_iommu_group_geometry(g, &geo, r, 1);
	snprintf(first_last, sizeof(first_last), "%llx",
		 (unsigned long long)r[0].last);
	bool names = strstr(err, first_last) != NULL;

	check("link-range", ret == -ERANGE && names && gstats(g).extents == 0,
	      "a window at 0x%llx: %d (%s): %s", (unsigned long long)start, ret,
	      ret < 0 ? strerror(-ret) : "linked", err);
	if (!ret)
		ppcvirt_vm_unlink_iommu_group(vm, l, g);
	ppcvirt_phb_destroy(phb);
}

/* ---- performance ------------------------------------------------------------
 */

struct direct {
	int kind;
	int container;
	int iommufd;
	uint32_t ioas;
};

static int direct_map(const struct direct *d, uint64_t iova, void *hva,
		      uint64_t len)
{
	if (d->kind == PPCVIRT_VFIO_TYPE1V2) {
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m),
			.flags = VFIO_DMA_MAP_FLAG_READ |
				 VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)hva,
			.iova = iova,
			.size = len,
		};

		return ioctl(d->container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
	} else {
		struct iommu_ioas_map m = {
			.size = sizeof(m),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
				 IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = d->ioas,
			.user_va = (uintptr_t)hva,
			.length = len,
			.iova = iova,
		};

		return ioctl(d->iommufd, IOMMU_IOAS_MAP, &m) ? -errno : 0;
	}
}

static int direct_unmap(const struct direct *d, uint64_t iova, uint64_t len)
{
	if (d->kind == PPCVIRT_VFIO_TYPE1V2) {
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = iova, .size = len};

		return ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &u) ? -errno
								     : 0;
	} else {
		struct iommu_ioas_unmap u = {.size = sizeof(u),
					     .ioas_id = d->ioas,
					     .iova = iova,
					     .length = len};

		return ioctl(d->iommufd, IOMMU_IOAS_UNMAP, &u) ? -errno : 0;
	}
}

#define PERF_N	    128
#define PERF_ROUNDS 9
#define PERF_IOBA   0x800000ull /* in the default window */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One round: PERF_N map+unmap pairs, through ppcvirt (guest H_PUT_TCE
 * map, then clear) or as the same ioctls issued directly. Seconds per
 * pair. */
static double round_ppcvirt(int *errors)
{
	double t0 = now();

	for (unsigned i = 0; i < PERF_N; i++) {
		uint64_t ioba = PERF_IOBA + i * PAGE;

		*errors += put_tce(ioba, G_BULK + i * PAGE, RW) != 0;
		*errors += put_tce(ioba, 0, 0) != 0;
	}
	return (now() - t0) / PERF_N;
}

static double round_direct(const struct direct *d, int *errors)
{
	double t0 = now();

	for (unsigned i = 0; i < PERF_N; i++) {
		uint64_t ioba = PERF_IOBA + i * PAGE;

		*errors +=
			direct_map(d, ioba, ram + G_BULK + i * PAGE, PAGE) != 0;
		*errors += direct_unmap(d, ioba, PAGE) != 0;
	}
	return (now() - t0) / PERF_N;
}

static void perf_map_unmap(struct ppcvirt_iommu_group *g,
			   const struct direct *d)
{
	double tp[PERF_ROUNDS], td[PERF_ROUNDS];
	struct ppcvirt_iommu_stats s0 = gstats(g), s1;
	int errors = 0;

	/* Alternate which goes first, so that neither always runs right
	 * after the other's IOTLB invalidations; medians and minimums
	 * over the rounds damp a loaded host. */
	for (int r = 0; r < PERF_ROUNDS; r++) {
		if (r & 1) {
			td[r] = round_direct(d, &errors);
			tp[r] = round_ppcvirt(&errors);
		} else {
			tp[r] = round_ppcvirt(&errors);
			td[r] = round_direct(d, &errors);
		}
	}
	s1 = gstats(g);
	qsort(tp, PERF_ROUNDS, sizeof(double), cmp_double);
	qsort(td, PERF_ROUNDS, sizeof(double), cmp_double);
	say("@@PERF map_unmap ppcvirt_us=%.1f direct_us=%.1f ratio=%.3f "
	    "ratio_of_minimums=%.3f map_calls_per_entry=%.2f "
	    "unmap_calls_per_entry=%.2f errors=%d target_ratio<=1.2\n",
	    tp[PERF_ROUNDS / 2] * 1e6, td[PERF_ROUNDS / 2] * 1e6,
	    tp[PERF_ROUNDS / 2] / td[PERF_ROUNDS / 2], tp[0] / td[0],
	    (double)(s1.map_calls - s0.map_calls) / (PERF_N * PERF_ROUNDS),
	    (double)(s1.unmap_calls - s0.unmap_calls) / (PERF_N * PERF_ROUNDS),
	    errors);
	check("perf-map-unmap",
	      errors == 0 && s1.extents == s0.extents &&
		      s1.map_calls - s0.map_calls == PERF_N * PERF_ROUNDS,
	      "%d H_PUT_TCE map+clear pairs (one map and one unmap call "
	      "each) and as many direct ioctl pairs, %d errors (times in "
	      "@@PERF)",
	      PERF_N * PERF_ROUNDS, errors);
}

static void perf_indirect(struct ppcvirt_iommu_group *g)
{
	struct ppcvirt_iommu_stats s0 = gstats(g), s1, s2;
	double t0 = now(), tmap, tclr;
	long r1, r2;

	r1 = put_indirect(liobn, PERF_IOBA, G_BULK, 512, RW);
	tmap = now() - t0;
	s1 = gstats(g);
	t0 = now();
	r2 = hcall(PPCVIRT_H_STUFF_TCE, liobn, PERF_IOBA, 0, 512);
	tclr = now() - t0;
	s2 = gstats(g);
	say("@@PERF indirect512 map_calls=%llu map_calls_per_entry=%.4f "
	    "map_us=%.1f stuff_unmap_calls=%llu stuff_us=%.1f "
	    "target=1_map_per_contiguous_run\n",
	    (unsigned long long)(s1.map_calls - s0.map_calls),
	    (double)(s1.map_calls - s0.map_calls) / 512, tmap * 1e6,
	    (unsigned long long)(s2.unmap_calls - s1.unmap_calls), tclr * 1e6);
	check("indirect-one-map",
	      r1 == 0 && r2 == 0 && s1.map_calls - s0.map_calls == 1 &&
		      s2.extents == s0.extents,
	      "H_PUT_TCE_INDIRECT(512) of contiguous pages: %s, %llu map "
	      "call(s); H_STUFF_TCE(512): %s, %llu unmap call(s)",
	      ppcvirt_hret_name(r1),
	      (unsigned long long)(s1.map_calls - s0.map_calls),
	      ppcvirt_hret_name(r2),
	      (unsigned long long)(s2.unmap_calls - s1.unmap_calls));
}

/* A DDW window of 64 KiB pages mapping all of the test VM's RAM. */
static void perf_ddw(struct ppcvirt_phb *phb, struct ppcvirt_iommu_group *g)
{
	struct ppcvirt_iommu_geometry geo;
	struct ppcvirt_iova_range r[1];
	struct ppcvirt_iommu_stats s0, s1;
	uint64_t l = 0, start = 0, entries = RAM_SIZE >> 16;
	uint64_t *list = (uint64_t *)(void *)(ram + G_LIST);
	int ret;
	long h = 0;
	double t0;

	memset(&geo, 0, sizeof(geo));
	geo.size = sizeof(geo);
	ppcvirt_iommu_group_geometry(g, &geo, r, 1);
	ret = ppcvirt_phb_create_window(phb, 16, 26, &l, &start);
	if (!ret)
		ret = ppcvirt_vm_link_iommu_group(vm, l, g, 0);
	if (ret) {
		check("ddw-direct", false, "DDW window: %s: %s", strerror(-ret),
		      ppcvirt_last_error());
		return;
	}
	s0 = gstats(g);
	t0 = now();
	for (uint64_t i = 0; i < entries && h == 0; i += 512) {
		for (unsigned k = 0; k < 512; k++)
			list[k] = htobe64(((i + k) << 16) | RW);
		h = hcall(PPCVIRT_H_PUT_TCE_INDIRECT, l, start + (i << 16),
			  G_LIST, 512);
	}
	s1 = gstats(g);
	say("@@PERF ddw_direct ram_mib=%llu page=64K entries=%llu "
	    "mappings=%llu map_calls=%llu dma_entry_limit=%llu ms=%.1f\n",
	    (unsigned long long)(RAM_SIZE >> 20), (unsigned long long)entries,
	    (unsigned long long)(s1.extents - s0.extents),
	    (unsigned long long)(s1.map_calls - s0.map_calls),
	    (unsigned long long)geo.max_mappings, (now() - t0) * 1e3);
	check("ddw-direct",
	      h == 0 && s1.extents > s0.extents &&
		      (geo.max_mappings == 0 ||
		       s1.extents - s0.extents <= geo.max_mappings),
	      "window at 0x%llx, all %llu MiB of RAM in %llu mappings "
	      "(limit %llu): %s",
	      (unsigned long long)start, (unsigned long long)(RAM_SIZE >> 20),
	      (unsigned long long)(s1.extents - s0.extents),
	      (unsigned long long)geo.max_mappings, ppcvirt_hret_name(h));
	ret = ppcvirt_phb_remove_window(phb, l);
	if (ret)
		check("ddw-remove", false, "remove window: %s", strerror(-ret));
}

/* ---- phase 2: the VMM owns the fds, ppcvirt adopts them ---------------------
 */

/* ppcvirt_vfio_open(@cfg) must fail with @want, a message, and leave
 * the VMM's fds open. */
static void adopt_refused(const struct ppcvirt_vfio_config *cfg, int want,
			  const char *what)
{
	struct ppcvirt_iommu_group *g = NULL;
	int fds = count_fds();
	int ret = ppcvirt_vfio_open(cfg, &g);
	bool open_still =
		fcntl(cfg->container_fd >= 0 ? cfg->container_fd : cfg->iommufd,
		      F_GETFD) >= 0 ||
		(cfg->container_fd < 0 && cfg->iommufd < 0);

	check("adopt-refused",
	      ret == want && !g && count_fds() == fds && open_still &&
		      ppcvirt_last_error()[0],
	      "%s: %d (%s): %s; fds %d -> %d", what, ret,
	      ret < 0 ? strerror(-ret) : "opened", ppcvirt_last_error(), fds,
	      count_fds());
	if (g)
		ppcvirt_iommu_group_put(g);
}

static int vmm_open(struct direct *d, struct ppcvirt_vfio_config *cfg,
		    int *extra_fd)
{
	char path[128], link[256];
	ssize_t n;

	ppcvirt_vfio_config_init(cfg, bdf);
	d->kind = iommu_kind();
	d->container = d->iommufd = *extra_fd = -1;
	if (d->kind == PPCVIRT_VFIO_TYPE1V2) {
		int grp;

		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/iommu_group", bdf);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		snprintf(path, sizeof(path), "/dev/vfio/%s",
			 strrchr(link, '/') + 1);
		d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		grp = open(path, O_RDWR | O_CLOEXEC);
		*extra_fd = grp;
		if (d->container < 0 || grp < 0 ||
		    ioctl(grp, VFIO_GROUP_SET_CONTAINER, &d->container))
			return -errno;
		cfg->iommu = PPCVIRT_VFIO_TYPE1V2;
		cfg->container_fd = d->container;
		cfg->group_fd = grp;
		/* Before VFIO_SET_IOMMU, and a group in a container ppcvirt
		 * is not told about: both refused, the VMM's fds left open. */
		adopt_refused(cfg, -EINVAL, "container without an IOMMU");
		cfg->container_fd = -1;
		adopt_refused(cfg, -EBUSY, "group already in a container");
		cfg->container_fd = d->container;
		if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
			return -errno;
	} else {
		struct iommu_ioas_alloc a = {.size = sizeof(a)};
		struct vfio_device_bind_iommufd b = {.argsz = sizeof(b)};
		struct vfio_device_attach_iommufd_pt at = {.argsz = sizeof(at)};
		DIR *dir;
		struct dirent *e;
		int dev = -1;

		d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (d->iommufd < 0 || ioctl(d->iommufd, IOMMU_IOAS_ALLOC, &a))
			return -errno;
		d->ioas = a.out_ioas_id;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev",
			 bdf);
		dir = opendir(path);
		if (!dir)
			return -errno;
		while ((e = readdir(dir)))
			if (!strncmp(e->d_name, "vfio", 4))
				snprintf(link, sizeof(link),
					 "/dev/vfio/devices/%.200s", e->d_name);
		closedir(dir);
		dev = open(link, O_RDWR | O_CLOEXEC);
		*extra_fd = dev;
		b.iommufd = d->iommufd;
		at.pt_id = d->ioas;
		if (dev < 0 || ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b) ||
		    ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
			return -errno;
		cfg->iommu = PPCVIRT_VFIO_IOMMUFD;
		cfg->iommufd = d->iommufd;
		cfg->ioas_id = d->ioas + 1000; /* no such IOAS */
		cfg->device_fd = dev;
		adopt_refused(cfg, -EINVAL,
			      "an IOAS the iommufd does not have");
		cfg->ioas_id = d->ioas;
	}
	return 0;
}

/* PPCVIRT_VFIO_AUTO picks iommufd where the kernel has /dev/iommu (the
 * rig's own kernel), type1v2 elsewhere (Debian 12's). */
static void check_auto(void)
{
	struct ppcvirt_vfio_config cfg;
	struct ppcvirt_iommu_group *g = NULL;
	int want = access("/dev/iommu", F_OK) == 0 ? PPCVIRT_VFIO_IOMMUFD
						   : PPCVIRT_VFIO_TYPE1V2;
	int ret, got = -1;

	ppcvirt_vfio_config_init(&cfg, bdf);
	ret = ppcvirt_vfio_open(&cfg, &g);
	if (!ret)
		got = ppcvirt_vfio_iommu(g);
	check("open-auto", ret == 0 && got == want && want == iommu_kind(),
	      "PPCVIRT_VFIO_AUTO: %d, interface %d (/dev/iommu %s) %s", ret,
	      got, want == PPCVIRT_VFIO_IOMMUFD ? "present" : "absent",
	      ret ? ppcvirt_last_error() : "");
	ppcvirt_iommu_group_put(g);
}

/* A device bound to vfio-pci whose IOMMU group also holds a device a
 * host driver owns: the open must fail, and leave nothing open. */
static void check_not_viable(const char *other)
{
	struct ppcvirt_vfio_config cfg;
	struct ppcvirt_iommu_group *g = NULL;
	int fds = count_fds(), ret;

	ppcvirt_vfio_config_init(&cfg, other);
	cfg.iommu = (uint32_t)iommu_kind();
	ret = ppcvirt_vfio_open(&cfg, &g);
	check("not-viable", ret == -EBUSY && !g && count_fds() == fds,
	      "%s (its group holds a serial card the kernel drives): %d (%s): "
	      "%s; fds %d -> %d",
	      other, ret, ret < 0 ? strerror(-ret) : "opened",
	      ppcvirt_last_error(), fds, count_fds());
	if (g)
		ppcvirt_iommu_group_put(g);
}

/* ---- main ------------------------------------------------------------------
 */

static int setup_vm(struct ppcvirt_phb **phb)
{
	struct ppcvirt_enable_cap cap = {.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL};
	struct ppcvirt_phb_config pc;
	void *hva = NULL;
	int ret;

	ret = ppcvirt_vm_create(&vm);
	if (!ret)
		ret = ppcvirt_vm_alloc_memory(vm, 0, 0, RAM_SIZE, &hva, NULL);
	if (ret)
		return ret;
	ram = hva;
	ret = ppcvirt_vcpu_create(vm, 0, &vcpu);
	cap.args[0] = PPCVIRT_H_PUT_TCE_INDIRECT;
	cap.args[1] = 1;
	if (!ret)
		ret = ppcvirt_vm_enable_cap(vm, &cap);
	cap.args[0] = PPCVIRT_H_STUFF_TCE;
	if (!ret)
		ret = ppcvirt_vm_enable_cap(vm, &cap);
	if (!ret)
		ret = ppcvirt_vm_register_iommu_memory(vm, 0, RAM_SIZE);
	if (ret)
		return ret;
	/* The default window (1 GiB of 4 KiB pages at 0) is inside the x86
	 * IOVA ranges; 64-bit windows go to 64 GiB, not QEMU's 1 << 59. */
	ppcvirt_phb_config_default(&pc, 0);
	pc.dma64_win_addr = 1ull << 36;
	ret = ppcvirt_phb_create(vm, &pc, phb);
	liobn = PPCVIRT_PHB_LIOBN(0, 0);
	return ret;
}

static void phase1(void)
{
	struct ppcvirt_iommu_group *g;
	struct ppcvirt_iommu_stats st;
	long lck0, pin0, lckm = -1, pinm = -1, lck1, pin1;
	int fds0 = count_fds(), devfd, ret;

	locked_kb(&lck0, &pin0);
	g = open_group();
	if (!g)
		return;
	check_busy();
	check_range_refused(g);
	ret = ppcvirt_vm_link_iommu_group(vm, liobn, g, 0);
	check("link", ret == 0, "default window (LIOBN 0x%llx): %d %s",
	      (unsigned long long)liobn, ret, ret ? ppcvirt_last_error() : "");
	devfd = ppcvirt_vfio_device_fd(g);
	ret = devfd < 0 ? devfd : bar0_open(devfd);
	check("device-fd", ret == 0, "ppcvirt_vfio_device_fd: %d, BAR0 %s",
	      devfd, ret ? strerror(-ret) : "mapped");
	if (!ret) {
		check_identify();
		check_indirect_read(g);
		locked_kb(&lckm, &pinm); /* 16 + a few pages mapped */
		check_remap();
		check_stuff_blocked();
		check_memlock(g);
		check_fail_closed(g);
		perf_indirect(g);
		nvme_disable();
	}
	if (devfd >= 0)
		close(devfd);
	/* Nothing mapped, nothing locked after the unlink. */
	ppcvirt_vm_unlink_iommu_group(vm, liobn, g);
	st = gstats(g);
	locked_kb(&lck1, &pin1);
	check("end-clean",
	      st.extents == 0 && st.mapped_bytes == 0 && lck1 == lck0 &&
		      pin1 == pin0 && lckm + pinm > lck0 + pin0,
	      "after unlink: extents %llu, mapped %llu bytes; VmLck %ld -> "
	      "%ld (while mapped) -> %ld kB, VmPin %ld -> %ld -> %ld kB (map "
	      "calls %llu, unmap calls %llu, lost %llu)",
	      (unsigned long long)st.extents,
	      (unsigned long long)st.mapped_bytes, lck0, lckm, lck1, pin0, pinm,
	      pin1, (unsigned long long)st.map_calls,
	      (unsigned long long)st.unmap_calls, (unsigned long long)st.lost);
	/* Linked again, and the device leaves. */
	ret = ppcvirt_vm_link_iommu_group(vm, liobn, g, 0);
	if (ret)
		check("relink", false, "%s", ppcvirt_last_error());
	check_device_gone(&g);
	if (g) {
		ppcvirt_vm_unlink_iommu_group(vm, liobn, g);
		st = gstats(g);
	} else {
		st = unlinked; /* put already, after the unlink */
	}
	check("gone-unlink", st.extents == 0,
	      "unlink after the device left: extents %llu",
	      (unsigned long long)st.extents);
	ppcvirt_iommu_group_put(g);
	check("release-fds", count_fds() == fds0,
	      "open fds before ppcvirt_vfio_open %d, after the last put %d",
	      fds0, count_fds());
}

static void phase2(struct ppcvirt_phb *phb)
{
	struct ppcvirt_vfio_config cfg;
	struct ppcvirt_iommu_group *g = NULL;
	struct direct d;
	int extra = -1, ret, devfd;

	ret = vmm_open(&d, &cfg, &extra);
	if (!ret)
		ret = ppcvirt_vfio_open(&cfg, &g);
	check("adopt", ret == 0,
	      "the VMM's %s fds handed to ppcvirt_vfio_open: "
	      "%d %s",
	      iommu_name, ret, ret ? ppcvirt_last_error() : "");
	if (ret)
		goto out;
	devfd = ppcvirt_vfio_device_fd(g);
	check("adopt-device-fd", devfd >= 0, "ppcvirt_vfio_device_fd: %d %s",
	      devfd, devfd < 0 ? ppcvirt_last_error() : "");
	if (devfd >= 0)
		close(devfd);
	ret = ppcvirt_vm_link_iommu_group(vm, liobn, g, 0);
	if (ret) {
		check("adopt-link", false, "%s", ppcvirt_last_error());
	} else {
		perf_map_unmap(g, &d);
		perf_ddw(phb, g);
		ppcvirt_vm_unlink_iommu_group(vm, liobn, g);
	}
	ppcvirt_iommu_group_put(g);
	/* ppcvirt closed nothing of the VMM's: its fds still map. */
	ret = direct_map(&d, PERF_IOBA, ram + G_BULK, PAGE);
	if (!ret)
		ret = direct_unmap(&d, PERF_IOBA, PAGE);
	check("adopt-release", ret == 0,
	      "after the last put the VMM's fds still work: map+unmap %d", ret);
out:
	if (extra >= 0)
		close(extra);
	if (d.container >= 0)
		close(d.container);
	if (d.iommufd >= 0)
		close(d.iommufd);
}

int main(int argc, char **argv)
{
	struct ppcvirt_phb *phb = NULL;
	int ret;

	if (argc < 4 || argc > 5 ||
	    (strcmp(argv[1], "type1") && strcmp(argv[1], "iommufd"))) {
		fprintf(stderr,
			"usage: %s type1|iommufd <PCI address> <seed> "
			"[<PCI address in a group not viable>]\n",
			argv[0]);
		return 2;
	}
	iommu_name = argv[1];
	bdf = argv[2];
	seed = strtoull(argv[3], NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	say("@@START iommu=%s device=%s ppcvirt %s\n", iommu_name, bdf,
	    ppcvirt_version());
	ret = setup_vm(&phb);
	check("vm", ret == 0, "test VM: %llu MiB of RAM, PHB 0: %s",
	      (unsigned long long)(RAM_SIZE >> 20),
	      ret ? strerror(-ret) : "ok");
	if (ret)
		return 1;
	phase1();
	check_auto();
	if (argc == 5)
		check_not_viable(argv[4]);
	phase2(phb);
	ppcvirt_phb_destroy(phb);
	ppcvirt_vm_destroy(vm);
	say("@@END %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
