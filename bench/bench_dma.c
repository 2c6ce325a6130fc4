/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt bench dma`: the seeds' measurement, reproduced. A network
 * device under load: for every packet of S bytes the guest maps its
 * buffer (H_PUT_TCE per page, or one H_PUT_TCE_INDIRECT when multi-TCE is
 * on, as Linux does), the device model copies the packet into guest
 * memory through the device-side translation (ppcvirt_dma_write), and the
 * guest unmaps (H_STUFF_TCE with multi-TCE, H_PUT_TCE(0) per page
 * without).
 *
 * Configurations:
 *   memcpy       the same copies with no IOMMU at all (the reference)
 *   fast, slow   the engine's fast tier (real mode) / slow tier only
 *   exit         every hcall exits to a VMM thread, which completes it
 *                with the user-space tables (ppcvirt_vmm_hcall). The
 *                hand-off is real: the vCPU thread sleeps in futex_wait
 *                until the VMM thread has answered, and the VMM thread
 *                sleeps in futex_wait until an exit arrives. No spinning,
 *                no artificial delay.
 *   *-multitce   with H_PUT_TCE_INDIRECT / H_STUFF_TCE
 *   *-passthrough  the table linked to the in-process host IOMMU model
 *   fast-multitce-2vcpu  two vCPU threads on separate tables and buffers
 *
 * All figures come from the same run, so the ratios compare like with
 * like on a shared, noisy machine.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ppcvirt/iommu.h>

#include "iommu_model.h"
#include <ppcvirt/ppcvirt.h>

#include "bench.h"

#define RW  (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)
#define RAM (128ull << 20)
/* Packet buffers in each vCPU's ring: 4 x 64 KiB stays in a core's L2
 * (512 KiB here), like a NIC's hot receive buffers; the memcpy reference
 * uses the same ring. */
#define NBUF	4
#define WINDOW	(1ull << 18) /* 1 GiB of 4K pages */
#define LIST	0x10000ull   /* per-vCPU list page: LIST + id * 4096 */
#define BUFBASE (16ull << 20)
#define ROUNDS	5

enum cfg_flags {
	F_MEMCPY = 1,
	F_SLOW = 2,
	F_EXIT = 4,
	F_MULTI = 8,
	F_PT = 16,
	F_2VCPU = 32,
};

static const struct {
	const char *name;
	unsigned flags;
} configs[] = {
	{"memcpy", F_MEMCPY},
	{"fast", 0},
	{"fast-multitce", F_MULTI},
	{"slow", F_SLOW},
	{"slow-multitce", F_SLOW | F_MULTI},
	{"exit", F_EXIT},
	{"exit-multitce", F_EXIT | F_MULTI},
	{"fast-multitce-passthrough", F_MULTI | F_PT},
	{"exit-multitce-passthrough", F_EXIT | F_MULTI | F_PT},
	{"fast-multitce-2vcpu", F_MULTI | F_2VCPU},
};
#define NCFG (sizeof(configs) / sizeof(configs[0]))

/* ---- the exit hand-off: one request slot, two futex waits ------------- */

enum {
	SLOT_IDLE,
	SLOT_REQ,
	SLOT_DONE,
	SLOT_QUIT
};

struct vmm {
	struct ppcvirt_vm *vm;
	_Atomic uint32_t state;
	struct ppcvirt_hcall *hc;
	pthread_t thread;
	uint64_t exits, rtt_ns;
};

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, (uint32_t *)(uintptr_t)w, FUTEX_WAIT_PRIVATE, val,
		NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, (uint32_t *)(uintptr_t)w, FUTEX_WAKE_PRIVATE, 1,
		NULL, NULL, 0);
}

static void *vmm_thread(void *arg)
{
	struct vmm *v = arg;

	for (;;) {
		uint32_t s = atomic_load(&v->state);

		if (s == SLOT_QUIT)
			return NULL;
		if (s != SLOT_REQ) {
			futex_wait(&v->state, s); /* sleeps until an exit */
			continue;
		}
		ppcvirt_vmm_hcall(v->vm, v->hc);
		atomic_store(&v->state, SLOT_DONE);
		futex_wake(&v->state);
	}
}

/* The vCPU side of an exit: post it, sleep until the VMM answered. */
static void vmm_call(struct vmm *v, struct ppcvirt_hcall *hc)
{
	uint64_t t0 = bench_now_ns();
	uint32_t s;

	v->hc = hc;
	atomic_store(&v->state, SLOT_REQ);
	futex_wake(&v->state);
	while ((s = atomic_load(&v->state)) != SLOT_DONE)
		futex_wait(&v->state, s);
	atomic_store(&v->state, SLOT_IDLE);
	v->rtt_ns += bench_now_ns() - t0;
	v->exits++;
}

/* ---- one guest vCPU with its table, buffers and device ----------------- */

/* Cache-line aligned: two vCPU threads must not share counters' lines. */
struct guest {
	_Alignas(64) struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *vcpu;
	struct vmm *vmm; /* NULL: engine only */
	uint64_t liobn, list_gpa, buf_gpa;
	uint8_t *ram;
	uint8_t *pkt; /* what the "network" delivers */
	unsigned flags;
	uint64_t hcalls, bad;
	uint64_t bytes;
	double seconds;
};

static void hcall(struct guest *g, uint64_t nr, uint64_t a0, uint64_t a1,
		  uint64_t a2, uint64_t a3)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};

	if (ppcvirt_vcpu_hcall(g->vcpu, &hc) == PPCVIRT_HCALL_EXIT) {
		if (g->vmm)
			vmm_call(g->vmm, &hc);
		else
			ppcvirt_vmm_hcall(g->vm, &hc);
	}
	g->hcalls++;
	g->bad += hc.ret != 0;
}

/* One packet: map, device DMA, unmap. */
static void packet(struct guest *g, uint64_t p, uint64_t size)
{
	uint64_t pages = (size + 4095) >> 12, slot = p % NBUF;
	uint64_t gpa = g->buf_gpa + slot * (pages << 12);
	uint64_t ioba = slot * (pages << 12);

	if (g->flags & F_MEMCPY) {
		memcpy(g->ram + gpa, g->pkt, size);
		return;
	}
	if ((g->flags & F_MULTI) && pages > 1) {
		/* Linux fills a per-CPU page with big-endian TCEs. */
		uint64_t *list = (uint64_t *)(void *)(g->ram + g->list_gpa);

		for (uint64_t i = 0; i < pages; i++)
			list[i] = __builtin_bswap64((gpa + (i << 12)) | RW);
		hcall(g, PPCVIRT_H_PUT_TCE_INDIRECT, g->liobn, ioba,
		      g->list_gpa, pages);
	} else {
		for (uint64_t i = 0; i < pages; i++)
			hcall(g, PPCVIRT_H_PUT_TCE, g->liobn, ioba + (i << 12),
			      (gpa + (i << 12)) | RW, 0);
	}
	if (ppcvirt_dma_write(g->vm, g->liobn, ioba, g->pkt, size) != 0)
		g->bad++;
	if (g->flags & F_MULTI) {
		hcall(g, PPCVIRT_H_STUFF_TCE, g->liobn, ioba, 0, pages);
	} else {
		for (uint64_t i = 0; i < pages; i++)
			hcall(g, PPCVIRT_H_PUT_TCE, g->liobn, ioba + (i << 12),
			      0, 0);
	}
}

struct run_arg {
	struct guest *g;
	uint64_t size;
	double min_seconds;
};

static void *run_guest(void *arg)
{
	struct run_arg *r = arg;
	struct guest *g = r->g;
	uint64_t t0, p = 0, batch = 16;

	/* Warm-up: touch every buffer and table page once. */
	for (p = 0; p < 2 * NBUF; p++)
		packet(g, p, r->size);
	g->hcalls = 0;
	t0 = bench_now_ns();
	for (;;) {
		for (uint64_t i = 0; i < batch; i++)
			packet(g, p++, r->size);
		g->bytes += batch * r->size;
		g->seconds = (double)(bench_now_ns() - t0) / 1e9;
		if (g->seconds >= r->min_seconds)
			break;
	}
	return NULL;
}

struct result {
	const char *config;
	uint64_t size;
	double mbps, hcalls_per_s, seconds, exit_rtt_ns;
	uint64_t packets, bad;
	struct ppcvirt_stats st;
};

static int setup_guest(struct guest *g, struct ppcvirt_vm *vm, unsigned id,
		       unsigned flags, uint8_t *ram, uint8_t *pkt)
{
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = 0x80000000ull + id, .page_shift = 12, .size = WINDOW};
	int ret;

	memset(g, 0, sizeof(*g));
	g->vm = vm;
	g->flags = flags;
	g->liobn = a.liobn;
	g->ram = ram;
	g->pkt = pkt;
	g->list_gpa = LIST + id * 4096ull;
	g->buf_gpa = BUFBASE + id * (48ull << 20);
	if ((ret = ppcvirt_vcpu_create(vm, id, &g->vcpu)) ||
	    (ret = ppcvirt_vm_create_spapr_tce_64(vm, &a, NULL)))
		return ret;
	return 0;
}

static int run_config(unsigned flags, const char *name, uint64_t size,
		      double min_seconds, struct result *res)
{
	static const uint64_t multi[] = {PPCVIRT_H_STUFF_TCE,
					 PPCVIRT_H_PUT_TCE_INDIRECT};
	struct ppcvirt_vm *vm = NULL;
	struct ppcvirt_iommu_group *grp = NULL;
	struct iommu_model *model = NULL;
	struct guest g[2];
	struct run_arg ra[2];
	struct vmm vmm = {0};
	unsigned nv = (flags & F_2VCPU) ? 2 : 1;
	uint8_t *ram = NULL, *pkt;
	int ret;

	memset(res, 0, sizeof(*res));
	res->config = name;
	res->size = size;
	pkt = malloc(size);
	if (!pkt)
		return -ENOMEM;
	for (uint64_t i = 0; i < size; i++)
		pkt[i] = (uint8_t)(i * 31 + 7);
	if ((ret = ppcvirt_vm_create(&vm)) ||
	    (ret = ppcvirt_vm_alloc_memory(vm, 0, 0, RAM, (void **)&ram, NULL)))
		goto out;
	for (int i = 0; i < 2; i++) {
		struct ppcvirt_enable_cap cap = {
			.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
			.args = {multi[i], 1}};

		ppcvirt_vm_enable_cap(vm, &cap);
	}
	ppcvirt_vm_set_tiers(vm, (flags & F_EXIT) ? 0
				 : (flags & F_SLOW)
					 ? 1u << PPCVIRT_TIER_SLOW
					 : (1u << PPCVIRT_TIER_FAST) |
						   (1u << PPCVIRT_TIER_SLOW));
	for (unsigned i = 0; i < nv; i++)
		if ((ret = setup_guest(&g[i], vm, i, flags, ram, pkt)))
			goto out;
	if (flags & F_PT) {
		struct iommu_model_config mc = {.host_base = ram,
						.host_len = RAM};

		if ((ret = ppcvirt_vm_register_iommu_memory(vm, 0, RAM)) ||
		    (ret = iommu_model_create(&mc, &model, &grp)) ||
		    (ret = ppcvirt_vm_link_iommu_group(vm, g[0].liobn, grp, 0)))
			goto out;
	}
	if (flags & F_EXIT) {
		vmm.vm = vm;
		atomic_init(&vmm.state, SLOT_IDLE);
		if (pthread_create(&vmm.thread, NULL, vmm_thread, &vmm)) {
			ret = -EAGAIN;
			goto out;
		}
		g[0].vmm = &vmm;
	}
	for (unsigned i = 0; i < nv; i++)
		ra[i] = (struct run_arg){&g[i], size, min_seconds};
	if (nv == 2) {
		pthread_t t;

		pthread_create(&t, NULL, run_guest, &ra[1]);
		run_guest(&ra[0]);
		pthread_join(t, NULL);
	} else {
		run_guest(&ra[0]);
	}
	if (flags & F_EXIT) {
		atomic_store(&vmm.state, SLOT_QUIT);
		futex_wake(&vmm.state);
		pthread_join(vmm.thread, NULL);
		res->exit_rtt_ns =
			vmm.exits ? (double)vmm.rtt_ns / (double)vmm.exits : 0;
	}
	for (unsigned i = 0; i < nv; i++) {
		/* Aggregate throughput of concurrent vCPUs. */
		res->mbps += (double)g[i].bytes / g[i].seconds / 1e6;
		res->hcalls_per_s += (double)g[i].hcalls / g[i].seconds;
		res->packets += g[i].bytes / size;
		res->bad += g[i].bad;
		res->seconds = g[i].seconds > res->seconds ? g[i].seconds
							   : res->seconds;
	}
	ppcvirt_vm_get_stats(vm, &res->st);
	if (model) {
		/* Everything unmapped again: the model must hold nothing. */
		struct iommu_model_stats ms;

		iommu_model_get_stats(model, &ms);
		res->bad += ms.mappings + ms.pins + ms.rejected;
	}
out:
	ppcvirt_vm_destroy(vm);
	ppcvirt_iommu_group_put(grp);
	free(pkt);
	return ret;
}

static void print_json(const struct result *r, int n, double exit_mbps,
		       double memcpy_mbps)
{
	printf("[\n");
	for (int i = 0; i < n; i++) {
		printf("  {\"config\": \"%s\", \"packet_bytes\": %llu, "
		       "\"mbps\": %.1f, \"hcalls_per_s\": %.0f, "
		       "\"packets\": %llu, \"seconds\": %.3f, "
		       "\"ratio_to_exit\": %.2f, \"fraction_of_memcpy\": %.3f, "
		       "\"fast_calls\": %llu, \"slow_calls\": %llu, "
		       "\"exits\": %llu, \"errors\": %llu",
		       r[i].config, (unsigned long long)r[i].size, r[i].mbps,
		       r[i].hcalls_per_s, (unsigned long long)r[i].packets,
		       r[i].seconds, exit_mbps ? r[i].mbps / exit_mbps : 0,
		       memcpy_mbps ? r[i].mbps / memcpy_mbps : 0,
		       (unsigned long long)r[i].st.completed[PPCVIRT_TIER_FAST],
		       (unsigned long long)r[i].st.completed[PPCVIRT_TIER_SLOW],
		       (unsigned long long)r[i].st.exits,
		       (unsigned long long)r[i].bad);
		if (r[i].exit_rtt_ns > 0)
			printf(", \"exit_rtt_ns\": %.0f", r[i].exit_rtt_ns);
		printf("}%s\n", i + 1 < n ? "," : "");
	}
	printf("]\n");
}

int bench_dma(int argc, char **argv)
{
	uint64_t sizes[8] = {65536};
	int nsizes = 1, json = 0, status = 0;
	double secs = 1.0; /* per configuration, over all rounds */

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--quick")) {
			secs = 0.05;
		} else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
			char *s = argv[++i], *end;

			nsizes = 0;
			do {
				unsigned long long v = strtoull(s, &end, 0);

				if (end == s || v == 0 || v > (1u << 21) ||
				    nsizes == 8) {
					fprintf(stderr,
						"bench dma: bad --size '%s' "
						"(1..2097152, comma list)\n",
						argv[i]);
					return 2;
				}
				sizes[nsizes++] = v;
				s = end + (*end == ',');
			} while (*end == ',');
			if (*end) {
				fprintf(stderr, "bench dma: bad --size '%s'\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--help")) {
			printf("usage: ppcvirt bench dma [--json] "
			       "[--size BYTES[,BYTES...]] [--quick]\n"
			       "Guest DMA workload (map, device copy, unmap) "
			       "per tier; default 65536-byte packets.\n");
			return 0;
		} else {
			fprintf(stderr, "bench dma: unknown option %s\n",
				argv[i]);
			return 2;
		}
	}
	for (int s = 0; s < nsizes; s++) {
		/* Rounds interleave the configurations, so a burst of load
		 * from elsewhere hits them alike; each reports its median. */
		struct result r[NCFG], rounds[ROUNDS][NCFG];
		double exit_mbps = 0, memcpy_mbps = 0, base1 = 0;

		for (int k = 0; k < ROUNDS; k++) {
			for (unsigned c = 0; c < NCFG; c++) {
				int ret = run_config(
					configs[c].flags, configs[c].name,
					sizes[s], secs / ROUNDS, &rounds[k][c]);

				if (ret) {
					fprintf(stderr,
						"bench dma: %s: setup failed "
						"(%d)\n",
						configs[c].name, ret);
					return 1;
				}
			}
		}
		for (unsigned c = 0; c < NCFG; c++) {
			double v[ROUNDS];
			int med = 0;

			for (int k = 0; k < ROUNDS; k++)
				v[k] = rounds[k][c].mbps;
			bench_median(v, ROUNDS);
			for (int k = 0; k < ROUNDS; k++)
				if (rounds[k][c].mbps == v[ROUNDS / 2])
					med = k;
			r[c] = rounds[med][c];
			for (int k = 0; k < ROUNDS; k++)
				r[c].bad += k == med ? 0 : rounds[k][c].bad;
			if (r[c].bad) {
				fprintf(stderr,
					"bench dma: %s: %llu failed calls or "
					"leftover mappings\n",
					configs[c].name,
					(unsigned long long)r[c].bad);
				status = 1;
			}
			if (!strcmp(configs[c].name, "exit-multitce"))
				exit_mbps = r[c].mbps;
			if (!strcmp(configs[c].name, "memcpy"))
				memcpy_mbps = r[c].mbps;
			if (!strcmp(configs[c].name, "fast-multitce"))
				base1 = r[c].mbps;
		}
		if (json) {
			print_json(r, (int)NCFG, exit_mbps, memcpy_mbps);
			continue;
		}
		printf("DMA workload, %llu-byte packets (same run; ratios to "
		       "exit-multitce and to memcpy)\n",
		       (unsigned long long)sizes[s]);
		printf("  %-26s %10s %12s %8s %8s  %s\n", "config", "MB/s",
		       "hcalls/s", "x exit", "memcpy",
		       "tiers (fast/slow/exit)");
		for (unsigned c = 0; c < NCFG; c++) {
			printf("  %-26s %10.1f %12.0f %8.2f %7.1f%%  "
			       "%llu/%llu/%llu",
			       r[c].config, r[c].mbps, r[c].hcalls_per_s,
			       exit_mbps ? r[c].mbps / exit_mbps : 0,
			       memcpy_mbps ? 100 * r[c].mbps / memcpy_mbps : 0,
			       (unsigned long long)r[c].st.completed[0],
			       (unsigned long long)r[c].st.completed[1],
			       (unsigned long long)r[c].st.exits);
			if (r[c].exit_rtt_ns > 0)
				printf("  exit round trip %.0f ns",
				       r[c].exit_rtt_ns);
			printf("\n");
		}
		if (base1 > 0)
			printf("  2 vCPUs / 1 vCPU (fast-multitce): %.2fx\n",
			       r[NCFG - 1].mbps / base1);
	}
	return status;
}
