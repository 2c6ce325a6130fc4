/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt bench dma`: the measurement ppcvirt was built to improve. A network
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
#include <fcntl.h>
#include <getopt.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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
#define NBUF	 4
#define WINDOW	 (1ull << 18) /* 1 GiB of 4K pages */
#define LIST	 0x10000ull   /* per-vCPU list page: LIST + id * 4096 */
#define BUFBASE	 (16ull << 20)
#define ROUNDS	 5
#define MAXSIZES 8
#define MAXPKT	 (1u << 21)

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
	double mb_per_s, hcalls_per_s, seconds, exit_rtt_ns;
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
		res->mb_per_s += (double)g[i].bytes / g[i].seconds / 1e6;
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

/* ---- results: JSON, table, plot ---------------------------------------- */

struct size_results {
	uint64_t size;
	struct result r[NCFG];
	double exit_mb_per_s, memcpy_mb_per_s, fast_multi_mb_per_s;
};

static json_object *result_json(const struct size_results *sr, unsigned c,
				bool typed)
{
	const struct result *r = &sr->r[c];
	json_object *o = json_object_new_object();

	if (typed)
		cli_json_add(o, "type", json_object_new_string("result"));
	cli_json_add(o, "config", json_object_new_string(r->config));
	cli_json_add(o, "packet_bytes", json_object_new_uint64(r->size));
	cli_json_add(o, "mb_per_s", cli_json_num(r->mb_per_s, 1));
	cli_json_add(o, "hcalls_per_s", cli_json_num(r->hcalls_per_s, 0));
	cli_json_add(o, "packets", json_object_new_uint64(r->packets));
	cli_json_add(o, "seconds", cli_json_num(r->seconds, 3));
	cli_json_add(o, "ratio_to_exit",
		     cli_json_num(sr->exit_mb_per_s
					  ? r->mb_per_s / sr->exit_mb_per_s
					  : 0,
				  2));
	cli_json_add(o, "fraction_of_memcpy",
		     cli_json_num(sr->memcpy_mb_per_s
					  ? r->mb_per_s / sr->memcpy_mb_per_s
					  : 0,
				  3));
	cli_json_add(
		o, "fast_tier_calls",
		json_object_new_uint64(r->st.completed[PPCVIRT_TIER_FAST]));
	cli_json_add(
		o, "slow_tier_calls",
		json_object_new_uint64(r->st.completed[PPCVIRT_TIER_SLOW]));
	cli_json_add(o, "exits", json_object_new_uint64(r->st.exits));
	cli_json_add(o, "errors", json_object_new_uint64(r->bad));
	cli_json_add(o, "exit_rtt_ns_per_exit",
		     r->exit_rtt_ns > 0 ? cli_json_num(r->exit_rtt_ns, 0)
					: NULL);
	return o;
}

/* One size: every configuration with its ratios and tier counts. */
static void print_detail(const struct size_results *sr)
{
	printf("DMA workload, %llu-byte packets (same run; ratios to "
	       "exit-multitce and to memcpy)\n",
	       (unsigned long long)sr->size);
	printf("  %-26s %10s %12s %8s %8s  %s\n", "config", "MB/s", "hcalls/s",
	       "x exit", "memcpy", "tiers (fast/slow/exit)");
	for (unsigned c = 0; c < NCFG; c++) {
		const struct result *r = &sr->r[c];

		printf("  %-26s %10.1f %12.0f %8.2f %7.1f%%  %llu/%llu/%llu",
		       r->config, r->mb_per_s, r->hcalls_per_s,
		       sr->exit_mb_per_s ? r->mb_per_s / sr->exit_mb_per_s : 0,
		       sr->memcpy_mb_per_s
			       ? 100 * r->mb_per_s / sr->memcpy_mb_per_s
			       : 0,
		       (unsigned long long)r->st.completed[0],
		       (unsigned long long)r->st.completed[1],
		       (unsigned long long)r->st.exits);
		if (r->exit_rtt_ns > 0)
			printf("  exit round trip %.0f ns", r->exit_rtt_ns);
		printf("\n");
	}
	if (sr->fast_multi_mb_per_s > 0)
		printf("  2 vCPUs / 1 vCPU (fast-multitce): %.2fx\n",
		       sr->r[NCFG - 1].mb_per_s / sr->fast_multi_mb_per_s);
}

/* Several sizes: one table, configurations x packet sizes, in MB/s. */
static void print_table(const struct size_results *sr, int n)
{
	printf("DMA workload, MB/s per configuration and packet size (same "
	       "run)\n");
	printf("  %-26s", "config");
	for (int s = 0; s < n; s++) {
		char h[32];

		snprintf(h, sizeof(h), "%llu B",
			 (unsigned long long)sr[s].size);
		printf(" %11s", h);
	}
	printf("\n");
	for (unsigned c = 0; c < NCFG; c++) {
		printf("  %-26s", configs[c].name);
		for (int s = 0; s < n; s++)
			printf(" %11.1f", sr[s].r[c].mb_per_s);
		printf("\n");
	}
	printf("  %-26s", "fast-multitce / exit-mtce");
	for (int s = 0; s < n; s++)
		printf(" %10.2fx",
		       sr[s].exit_mb_per_s
			       ? sr[s].fast_multi_mb_per_s / sr[s].exit_mb_per_s
			       : 0);
	printf("\n  %-26s", "2 vCPUs / 1 vCPU");
	for (int s = 0; s < n; s++)
		printf(" %10.2fx", sr[s].fast_multi_mb_per_s
					   ? sr[s].r[NCFG - 1].mb_per_s /
						     sr[s].fast_multi_mb_per_s
					   : 0);
	printf("\n");
}

/* gnuplot in $PATH? */
static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)n, path);
		if (n && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

static void write_plot_script(FILE *f, bool svg, const struct size_results *sr,
			      int n)
{
	if (svg)
		fputs("set terminal svg size 1100,650 dynamic "
		      "background rgb 'white'\n",
		      f);
	else
		fputs("if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {\n"
		      "  set terminal pngcairo size 1100,650\n"
		      "} else {\n"
		      "  set terminal png size 1100,650\n"
		      "}\n",
		      f);
	/* The output is gnuplot's stdout, which the CLI opened. */
	fputs("set title 'ppcvirt bench dma: guest DMA throughput (map, "
	      "device copy, unmap)' noenhanced\n"
	      "set ylabel 'MB/s (log scale)'\n"
	      "set logscale y\n"
	      "set grid ytics\n"
	      "set style data histograms\n"
	      "set style histogram clustered gap 1\n"
	      "set style fill solid 0.85 border -1\n"
	      "set boxwidth 0.9\n"
	      "set xtics rotate by -35 noenhanced\n"
	      "set key outside right top title 'packet size' noenhanced\n"
	      "set bmargin 9\n"
	      "$data << EOD\n",
	      f);
	for (unsigned c = 0; c < NCFG; c++) {
		fprintf(f, "%s", configs[c].name);
		for (int s = 0; s < n; s++)
			fprintf(f, " %.3f",
				sr[s].r[c].mb_per_s > 0 ? sr[s].r[c].mb_per_s
							: 1e-3);
		fputc('\n', f);
	}
	fputs("EOD\nplot ", f);
	for (int s = 0; s < n; s++)
		fprintf(f, "%s$data using %d%s title '%llu bytes'",
			s ? ", " : "", s + 2, s ? "" : ":xtic(1)",
			(unsigned long long)sr[s].size);
	fputc('\n', f);
}

/* Run gnuplot on a script written here; its stdout is @out. */
static int plot(const char *out, const struct size_results *sr, int n)
{
	char name[] = "gnuplot";
	char *const argv[] = {name, NULL};
	extern char **environ;
	posix_spawn_file_actions_t fa;
	void (*old_pipe)(int);
	int pfd[2], ofd, st = 0, ret;
	pid_t pid;
	FILE *f;

	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (ofd < 0) {
		cli_error(out, 0, "cannot create: %s", strerror(errno));
		return CLI_ERROR;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		cli_error(out, 0, "pipe: %s", strerror(errno));
		close(ofd);
		return CLI_ERROR;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, ofd, STDOUT_FILENO);
	ret = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[0]);
	close(ofd);
	if (ret) {
		close(pfd[1]);
		cli_error(out, 0, "cannot run gnuplot: %s", strerror(ret));
		return CLI_ERROR;
	}
	/* A gnuplot that dies early must not take the CLI with it. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	f = fdopen(pfd[1], "w");
	if (f) {
		write_plot_script(f, ends_with_ci(out, ".svg"), sr, n);
		fclose(f);
	} else {
		close(pfd[1]);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	signal(SIGPIPE, old_pipe);
	if (!f || !WIFEXITED(st) || WEXITSTATUS(st)) {
		cli_error(out, 0, "gnuplot failed (status %d)",
			  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return CLI_ERROR;
	}
	return CLI_OK;
}

/* ---- the command ---------------------------------------------------------*/

static void usage(void)
{
	fputs("usage: ppcvirt bench dma [OPTION...]\n"
	      "\n"
	      "Guest DMA workload (map, device copy, unmap) per configuration: "
	      "memcpy\n"
	      "reference, fast and slow tiers, exits to a VMM thread, "
	      "multi-TCE,\n"
	      "pass-through, two vCPUs. Prints MB/s; asserts nothing about "
	      "speed.\n"
	      "\n"
	      "  -s, --size=BYTES[,BYTES...]  packet sizes, 1..2097152, at "
	      "most "
	      "8\n"
	      "                               (default 65536)\n"
	      "  -t, --seconds=S              time per configuration and size "
	      "(default 1,\n"
	      "                               0.05 with --quick)\n"
	      "  -p, --plot=FILE.svg|FILE.png draw MB/s per configuration and "
	      "size with gnuplot\n"
	      "  -j, --json                   one JSON document (keys end in "
	      "their unit)\n"
	      "      --json-lines             one JSON object per result as "
	      "each size ends\n"
	      "      --quick                  a smoke run: figures are noise\n"
	      "  -q, --quiet                  no progress line\n"
	      "  -h, --help                   this help\n"
	      "\n"
	      "Exit status: 0, 1 when a call failed or a mapping was left "
	      "behind, 2 for\n"
	      "usage errors and when the plot cannot be made.\n",
	      stdout);
}

static int parse_sizes(const char *arg, uint64_t *sizes, int *n)
{
	const char *s = arg;

	*n = 0;
	for (;;) {
		char num[24];
		size_t len = strcspn(s, ",");
		uint64_t v;

		if (*n == MAXSIZES || len == 0 || len >= sizeof(num))
			return -1;
		memcpy(num, s, len);
		num[len] = '\0';
		if (!cli_parse_u64(num, MAXPKT, &v) || v == 0)
			return -1;
		sizes[(*n)++] = v;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* All rounds of one packet size; the median round per configuration. */
static int run_size(struct size_results *sr, uint64_t size, int si, int ns,
		    double secs)
{
	static struct result rounds[ROUNDS][NCFG];
	int status = CLI_OK;

	memset(sr, 0, sizeof(*sr));
	sr->size = size;
	/* Rounds interleave the configurations, so a burst of load from
	 * elsewhere hits them alike; each reports its median. */
	for (int k = 0; k < ROUNDS; k++) {
		for (unsigned c = 0; c < NCFG; c++) {
			int ret;

			cli_progress("bench dma: %llu bytes (%d/%d), round "
				     "%d/%d, %s",
				     (unsigned long long)size, si + 1, ns,
				     k + 1, ROUNDS, configs[c].name);
			ret = run_config(configs[c].flags, configs[c].name,
					 size, secs / ROUNDS, &rounds[k][c]);
			if (ret) {
				cli_error("ppcvirt bench dma", 0,
					  "%s: setup failed: %s",
					  configs[c].name, strerror(-ret));
				return -1;
			}
		}
	}
	for (unsigned c = 0; c < NCFG; c++) {
		struct result *r = &sr->r[c];
		double v[ROUNDS];
		int med = 0;

		for (int k = 0; k < ROUNDS; k++)
			v[k] = rounds[k][c].mb_per_s;
		bench_median(v, ROUNDS);
		for (int k = 0; k < ROUNDS; k++)
			if (rounds[k][c].mb_per_s == v[ROUNDS / 2])
				med = k;
		*r = rounds[med][c];
		for (int k = 0; k < ROUNDS; k++)
			r->bad += k == med ? 0 : rounds[k][c].bad;
		if (r->bad) {
			cli_error("ppcvirt bench dma", 0,
				  "%s, %llu bytes: %llu failed calls or "
				  "leftover mappings",
				  configs[c].name, (unsigned long long)size,
				  (unsigned long long)r->bad);
			status = CLI_FAIL;
		}
		if (!strcmp(configs[c].name, "exit-multitce"))
			sr->exit_mb_per_s = r->mb_per_s;
		if (!strcmp(configs[c].name, "memcpy"))
			sr->memcpy_mb_per_s = r->mb_per_s;
		if (!strcmp(configs[c].name, "fast-multitce"))
			sr->fast_multi_mb_per_s = r->mb_per_s;
	}
	return status;
}

int bench_dma(int argc, char **argv)
{
	static const struct option lopts[] = {
		BENCH_COMMON_LOPTS,
		{"size", required_argument, NULL, 's'},
		{"seconds", required_argument, NULL, 't'},
		{"plot", required_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	static struct size_results sr[MAXSIZES];
	uint64_t sizes[MAXSIZES] = {65536};
	int nsizes = 1, status = CLI_OK, c;
	double secs = -1; /* per configuration and size, over all rounds */
	const char *plot_file = NULL;
	struct bench_opts o;
	json_object *results = NULL;

	bench_opts_init(&o);
	optind = 0;
	while ((c = cli_getopt("bench dma", argc, argv,
			       ":s:t:p:" BENCH_COMMON_SHORT, lopts)) != -1) {
		int k = bench_common_opt("bench dma", c, &o);
		char *end;

		if (k < 0)
			return CLI_ERROR;
		if (k)
			continue;
		switch (c) {
		case 's':
			if (parse_sizes(optarg, sizes, &nsizes))
				return cli_usage_error(
					"bench dma",
					"--size: '%s' is not a comma list of "
					"at most %d sizes from 1 to %u",
					cli_esc(optarg), MAXSIZES, MAXPKT);
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (end == optarg || *end || !(secs > 0) || secs > 3600)
				return cli_usage_error(
					"bench dma",
					"--seconds: '%s' is not a duration "
					"above 0 and up to 3600",
					cli_esc(optarg));
			break;
		case 'p':
			if (!ends_with_ci(optarg, ".svg") &&
			    !ends_with_ci(optarg, ".png"))
				return cli_usage_error(
					"bench dma",
					"--plot: '%s' must end in .svg or "
					".png",
					cli_esc(optarg));
			plot_file = optarg;
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return CLI_ERROR;
		}
	}
	if (optind < argc)
		return cli_usage_error("bench dma", "unexpected argument '%s'",
				       cli_esc(argv[optind]));
	/* Before the run, not after minutes of it. */
	if (plot_file && !have_gnuplot()) {
		cli_error("ppcvirt bench dma", 0,
			  "--plot needs gnuplot, which is not in PATH "
			  "(Debian: apt-get install gnuplot-nox)");
		return CLI_ERROR;
	}
	if (secs < 0)
		secs = o.quick ? 0.05 : 1.0;
	cli_progress_init(o.quiet);
	if (o.json == CLI_JSON_DOC)
		results = json_object_new_array();
	for (int s = 0; s < nsizes; s++) {
		int st = run_size(&sr[s], sizes[s], s, nsizes, secs);

		if (st < 0) {
			cli_progress_clear();
			json_object_put(results);
			return CLI_FAIL;
		}
		if (st > status)
			status = st;
		for (unsigned k = 0; k < NCFG && o.json; k++) {
			json_object *r = result_json(&sr[s], k,
						     o.json == CLI_JSON_LINES);

			if (o.json == CLI_JSON_LINES) {
				cli_progress_clear();
				cli_json_print(r, o.json);
			} else {
				json_object_array_add(results, r);
			}
		}
	}
	cli_progress_clear();
	if (o.json == CLI_JSON_DOC) {
		json_object *d = json_object_new_object(), *sz, *cf;

		sz = json_object_new_array();
		cf = json_object_new_array();
		for (int s = 0; s < nsizes; s++)
			json_object_array_add(sz,
					      json_object_new_uint64(sizes[s]));
		for (unsigned k = 0; k < NCFG; k++)
			json_object_array_add(
				cf, json_object_new_string(configs[k].name));
		cli_json_add(d, "bench", json_object_new_string("dma"));
		cli_json_add(d, "quick", json_object_new_boolean(o.quick));
		cli_json_add(d, "seconds_per_config", cli_json_num(secs, 3));
		cli_json_add(d, "rounds", json_object_new_int(ROUNDS));
		cli_json_add(d, "packet_sizes_bytes", sz);
		cli_json_add(d, "configs", cf);
		cli_json_add(d, "results", results);
		cli_json_print(d, o.json);
	} else if (!o.json) {
		if (nsizes == 1)
			print_detail(&sr[0]);
		else
			print_table(sr, nsizes);
	}
	if (plot_file && plot(plot_file, sr, nsizes) != CLI_OK)
		return CLI_ERROR;
	return status;
}
