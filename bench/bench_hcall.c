/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt bench hcall`: the cost of one TCE hypercall through the engine,
 * as a guest vCPU sees it (ppcvirt_vcpu_hcall, strict profile, the calls a
 * Linux guest makes: H_PUT_TCE of a valid TCE, H_PUT_TCE_INDIRECT of 512
 * consecutive TCEs, H_STUFF_TCE(512, 0) to unmap, H_GET_TCE).
 *
 * Each figure is the median over batches of the mean time per call in a
 * batch (a clock read per call would cost more than the call). The table
 * pages are touched first, so the calls stay in the fast tier, and the
 * tier counters printed at the end show that they did. For scale, the run
 * also times a plain 8-byte store loop over the same number of entries.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "bench.h"

#define LIOBN	0x80000000ull
#define ENTRIES (1ull << 18) /* 1 GiB window of 4K pages */
#define RAM	(64ull << 20)
#define LIST	0x10000ull
#define RW	(PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)

struct hres {
	double put_ns, get_ns, indirect_ns, stuff_ns, store_ns;
	struct ppcvirt_stats st;
};

static int setup(struct ppcvirt_vm **vmp, struct ppcvirt_vcpu **vp)
{
	static const uint64_t hcalls[] = {PPCVIRT_H_STUFF_TCE,
					  PPCVIRT_H_PUT_TCE_INDIRECT};
	struct ppcvirt_create_spapr_tce_64 a = {
		.liobn = LIOBN, .page_shift = 12, .size = ENTRIES};
	uint64_t list[512];
	int ret;

	if ((ret = ppcvirt_vm_create(vmp)) ||
	    (ret = ppcvirt_vm_alloc_memory(*vmp, 0, 0, RAM, NULL, NULL)) ||
	    (ret = ppcvirt_vm_create_spapr_tce_64(*vmp, &a, NULL)) ||
	    (ret = ppcvirt_vcpu_create(*vmp, 0, vp)))
		return ret;
	for (int i = 0; i < 2; i++) {
		struct ppcvirt_enable_cap cap = {
			.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
			.args = {hcalls[i], 1}};

		if ((ret = ppcvirt_vm_enable_cap(*vmp, &cap)))
			return ret;
	}
	/* Linux's list: consecutive pages of one buffer, big-endian. */
	for (int i = 0; i < 512; i++)
		list[i] =
			__builtin_bswap64(((0x100000ull >> 12) + i) << 12 | RW);
	return ppcvirt_vm_write_guest(*vmp, LIST, list, sizeof(list));
}

static long hcall(struct ppcvirt_vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1,
		  uint64_t a2, uint64_t a3)
{
	struct ppcvirt_hcall hc = {.nr = nr, .args = {a0, a1, a2, a3}};

	if (ppcvirt_vcpu_hcall(v, &hc) != PPCVIRT_HCALL_DONE)
		return -9999;
	return (long)hc.ret;
}

/* Median over @batches of ns per call, running @fn @per times a batch. */
#define TIME_BATCHES(batches, per, body)                                       \
	({                                                                     \
		double *v_ = calloc((size_t)(batches), sizeof(double));        \
		double m_;                                                     \
		for (int b_ = 0; b_ < (batches); b_++) {                       \
			uint64_t t0_ = bench_now_ns();                         \
			for (int i = 0; i < (per); i++) {                      \
				body;                                          \
			}                                                      \
			v_[b_] = (double)(bench_now_ns() - t0_) / (per);       \
		}                                                              \
		m_ = bench_median(v_, (batches));                              \
		free(v_);                                                      \
		m_;                                                            \
	})

static int run(struct hres *r, int quick)
{
	struct ppcvirt_vm *vm = NULL;
	struct ppcvirt_vcpu *v = NULL;
	/* The region the benchmark cycles through: 64 MiB of IOBA. */
	const uint64_t span = 16384;
	/* --quick (CI smoke run): 1/100 of the work, figures are noise. */
	const int scale = quick ? 1 : 100;
	volatile long sink = 0;
	int ret = setup(&vm, &v);

	if (ret) {
		cli_error("ppcvirt bench hcall", 0, "setup failed: %s",
			  strerror(-ret));
		ppcvirt_vm_destroy(vm);
		return CLI_FAIL;
	}
	/* Touch the table pages once (the first write allocates them: the
	 * slow tier's job), as a running guest's table would be. */
	for (uint64_t s = 0; s < span; s += 512)
		sink += hcall(v, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN, s << 12,
			      LIST, 512);

	/* Untimed warm-up (~200 ms, less with --quick): a CPU coming out
	 * of idle runs slower for longer than the first measurement lasts. */
	for (uint64_t t0 = bench_now_ns(), i = 0;
	     bench_now_ns() - t0 < (quick ? 10 : 200) * 1000000ull; i++)
		for (int k = 0; k < 1000; k++)
			sink += hcall(v, PPCVIRT_H_PUT_TCE, LIOBN,
				      ((i * 1000 + (uint64_t)k) % span) << 12,
				      ((0x100000ull >> 12) + (k & 255)) << 12 |
					      RW,
				      0);
	cli_progress("bench hcall: H_PUT_TCE");
	r->put_ns = TIME_BATCHES(
		31, 200 * scale,
		sink +=
		hcall(v, PPCVIRT_H_PUT_TCE, LIOBN, ((uint64_t)i % span) << 12,
		      ((0x100000ull >> 12) + (i & 255)) << 12 | RW, 0));
	cli_progress("bench hcall: H_GET_TCE");
	r->get_ns =
		TIME_BATCHES(31, 200 * scale,
			     sink += hcall(v, PPCVIRT_H_GET_TCE, LIOBN,
					   ((uint64_t)i % span) << 12, 0, 0));
	cli_progress("bench hcall: H_PUT_TCE_INDIRECT");
	r->indirect_ns = TIME_BATCHES(
		31, 2 * scale,
		sink += hcall(v, PPCVIRT_H_PUT_TCE_INDIRECT, LIOBN,
			      (((uint64_t)i * 512) % span) << 12, LIST, 512));
	cli_progress("bench hcall: H_STUFF_TCE");
	r->stuff_ns = TIME_BATCHES(
		31, 4 * scale,
		sink += hcall(v, PPCVIRT_H_STUFF_TCE, LIOBN,
			      (((uint64_t)i * 512) % span) << 12, 0, 512));
	{
		/* Reference: one plain 8-byte store per entry. */
		volatile uint64_t *a = calloc(span, sizeof(uint64_t));

		r->store_ns = TIME_BATCHES(31, 1000 * scale,
					   a[(uint64_t)i % span] = (uint64_t)i);
		free((void *)(uintptr_t)a);
	}
	cli_progress_clear();
	if (sink != 0)
		cli_error("ppcvirt bench hcall", 0,
			  "a call failed (sum of returns %ld)", (long)sink);
	ppcvirt_vm_get_stats(vm, &r->st);
	ppcvirt_vm_destroy(vm);
	return sink != 0 ? CLI_FAIL : CLI_OK;
}

static void usage(void)
{
	fputs("usage: ppcvirt bench hcall [OPTION...]\n"
	      "\n"
	      "Median ns per H_PUT_TCE, H_GET_TCE, H_PUT_TCE_INDIRECT(512) "
	      "and\n"
	      "H_STUFF_TCE(512, 0) through the engine (strict profile, fast "
	      "tier).\n"
	      "\n"
	      "  -j, --json        one JSON document (keys end in their unit: "
	      "_ns_per_call)\n"
	      "      --json-lines  the same object on one line\n"
	      "      --quick       1/100 of the work: a smoke run, figures are "
	      "noise\n"
	      "  -q, --quiet       no progress line\n"
	      "  -h, --help        this help\n",
	      stdout);
}

int bench_hcall(int argc, char **argv)
{
	static const struct option lopts[] = {
		BENCH_COMMON_LOPTS,
		{NULL, 0, NULL, 0},
	};
	struct bench_opts o;
	struct hres r = {0};
	int c, ret;

	bench_opts_init(&o);
	optind = 0;
	while ((c = cli_getopt("bench hcall", argc, argv,
			       ":" BENCH_COMMON_SHORT, lopts)) != -1) {
		int k = bench_common_opt("bench hcall", c, &o);

		if (k < 0)
			return CLI_ERROR;
		if (k)
			continue;
		if (c == 'h') {
			usage();
			return CLI_OK;
		}
		return CLI_ERROR;
	}
	if (optind < argc)
		return cli_usage_error("bench hcall",
				       "unexpected argument '%s'",
				       cli_esc(argv[optind]));
	cli_progress_init(o.quiet);
	ret = run(&r, o.quick);
	if (o.json) {
		json_object *j = json_object_new_object();

		cli_json_add(j, "bench", json_object_new_string("hcall"));
		cli_json_add(j, "profile", json_object_new_string("strict"));
		cli_json_add(j, "quick", json_object_new_boolean(o.quick));
		cli_json_add(j, "batches", json_object_new_int(31));
		cli_json_add(j, "put_tce_ns_per_call",
			     cli_json_num(r.put_ns, 2));
		cli_json_add(j, "get_tce_ns_per_call",
			     cli_json_num(r.get_ns, 2));
		cli_json_add(j, "indirect512_ns_per_call",
			     cli_json_num(r.indirect_ns, 1));
		cli_json_add(j, "indirect512_ns_per_entry",
			     cli_json_num(r.indirect_ns / 512, 3));
		cli_json_add(j, "stuff512_ns_per_call",
			     cli_json_num(r.stuff_ns, 1));
		cli_json_add(j, "stuff512_ns_per_entry",
			     cli_json_num(r.stuff_ns / 512, 3));
		cli_json_add(j, "store_ns_per_store",
			     cli_json_num(r.store_ns, 3));
		cli_json_add(j, "fast_tier_calls",
			     json_object_new_uint64(
				     r.st.completed[PPCVIRT_TIER_FAST]));
		cli_json_add(j, "slow_tier_calls",
			     json_object_new_uint64(
				     r.st.completed[PPCVIRT_TIER_SLOW]));
		cli_json_add(j, "exits", json_object_new_uint64(r.st.exits));
		cli_json_print(j, o.json);
		return ret;
	}
	printf("hcall benchmark (strict profile, median of 31 batches%s)\n",
	       o.quick ? ", --quick: figures are noise" : "");
	printf("  H_PUT_TCE               %8.2f ns/call\n", r.put_ns);
	printf("  H_GET_TCE               %8.2f ns/call\n", r.get_ns);
	printf("  H_PUT_TCE_INDIRECT(512) %8.1f ns/call  %6.3f ns/entry\n",
	       r.indirect_ns, r.indirect_ns / 512);
	printf("  H_STUFF_TCE(512, 0)     %8.1f ns/call  %6.3f ns/entry\n",
	       r.stuff_ns, r.stuff_ns / 512);
	printf("  plain 8-byte store      %8.3f ns (reference)\n", r.store_ns);
	printf("stats: fast tier %llu calls, slow tier %llu, exits %llu\n",
	       (unsigned long long)r.st.completed[PPCVIRT_TIER_FAST],
	       (unsigned long long)r.st.completed[PPCVIRT_TIER_SLOW],
	       (unsigned long long)r.st.exits);
	return ret;
}
