/* SPDX-License-Identifier: MIT */
/*
 * `ppcvirt bench tlb`: the BookE e500 TLB data path on a fully populated
 * e500mc TLB (all 512 TLB0 entries and all 64 TLB1 entries valid).
 *
 *   - translate (ppcvirt_tlb_xlate) hit and miss: the median over batches
 *     of the mean time per lookup in a batch of 4096 pre-generated EAs
 *     (a clock read per lookup would cost more than the lookup). Hits are
 *     half TLB0, half TLB1; misses are half in populated TLB0 sets (all
 *     ways compared), half in unmapped space. TLB1 holds 1 MiB pages, and
 *     a second figure uses 64 pages of 4 KiB packed into one MiB, which
 *     the 16 KiB-granule part of the TLB1 index has to separate.
 *   - dirty sync (KVM_DIRTY_TLB) of 1 marked entry against a full re-read
 *     of all 576 (bitmap 0), and their ratio, measured in the same run.
 *   - single-entry write (ppcvirt_tlb_write_entry) on e500mc and on a
 *     2048 + 64 entry geometry: equal costs show it is O(1) in TLB size.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#include "bench.h"

#define BATCH	     4096
#define ROUNDS	     201 /* at most; --quick runs QUICK_ROUNDS */
#define QUICK_ROUNDS 11
#define NENTRY	     (512 + 64)
#define SYNC_IT	     64

struct tres {
	double hit_ns, miss_ns, hit_dense_ns, miss_dense_ns;
	double dirty1_ns, full_ns, ratio;
	double write576_ns, write2112_ns;
};

static struct ppcvirt_book3e_206_tlb_entry array[2048 + 64];
static int nrounds = ROUNDS;

/* TLB0 page p = way * 128 + set lands in its set; base 0x10000000. */
static uint32_t tlb0_ea(uint32_t set, uint32_t way)
{
	return 0x10000000u + ((way * 128u + set) << 12);
}

static int populate(struct ppcvirt_tlb *tlb, uint32_t ways0, uint32_t sets0,
		    bool dense)
{
	struct ppcvirt_book3e_206_tlb_entry e;
	int r;

	for (uint32_t s = 0; s < sets0; s++) {
		for (uint32_t w = 0; w < ways0; w++) {
			uint32_t ea = 0x10000000u + ((w * sets0 + s) << 12);

			e.mas8 = 0;
			e.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(2);
			e.mas2 = ea;
			e.mas7_3 = (uint64_t)(ea - 0x10000000u) | 0x3f;
			r = ppcvirt_tlb_write_entry(tlb, 0, s * ways0 + w, &e);
			if (r)
				return r;
		}
	}
	for (uint32_t i = 0; i < 64; i++) {
		e.mas8 = 0;
		if (dense) {
			e.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(2);
			e.mas2 = 0x80000000u + (i << 12);
		} else {
			e.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(10);
			e.mas2 = 0x80000000u + (i << 20);
		}
		e.mas7_3 = (0x40000000ull + i * (1ull << 20)) | 0x3f;
		r = ppcvirt_tlb_write_entry(tlb, 1, i, &e);
		if (r)
			return r;
	}
	return 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void gen_eas(uint32_t *hit, uint32_t *miss, bool dense)
{
	for (int i = 0; i < BATCH; i++) {
		uint32_t off = rnd() & 0xfff;

		if (i & 1)
			hit[i] = tlb0_ea(rnd() & 127, rnd() & 3) | off;
		else if (dense)
			hit[i] = 0x80000000u + ((rnd() & 63) << 12) +
				 (rnd() & 0xfff);
		else
			hit[i] = 0x80000000u + ((rnd() & 63) << 20) +
				 (rnd() & 0xfffff);
		/* Misses: same TLB0 sets beyond the populated ways, or the
		 * tail of the dense TLB1 MiB, or unmapped space. */
		if (i & 1)
			miss[i] = tlb0_ea(rnd() & 127, 4 + (rnd() & 3)) | off;
		else if (dense)
			miss[i] = 0x80000000u + (64u << 12) +
				  (rnd() % ((1u << 20) - (64u << 12)));
		else
			miss[i] = 0xc0000000u + (rnd() & 0x0fffffff);
	}
}

static double time_lookups(const struct ppcvirt_tlb *tlb, const uint32_t *ea,
			   int want, int *bad)
{
	double v[ROUNDS];
	struct ppcvirt_tlb_xlate x;

	for (int r = 0; r < nrounds; r++) {
		uint64_t t0 = bench_now_ns();

		for (int i = 0; i < BATCH; i++)
			if (ppcvirt_tlb_xlate(tlb, ea[i], 0, 0, 0,
					      PPCVIRT_TLB_ACCESS_R, &x) != want)
				(*bad)++;
		v[r] = (double)(bench_now_ns() - t0) / BATCH;
	}
	return bench_median(v, nrounds);
}

static int setup(struct ppcvirt_tlb **tlb, uint32_t size0, bool dense)
{
	struct ppcvirt_book3e_206_tlb_params p = {
		.tlb_sizes = {size0, 64, 0, 0},
		.tlb_ways = {4, 64, 0, 0},
	};
	struct ppcvirt_config_tlb c = {
		.params = (uintptr_t)&p,
		.array = (uintptr_t)array,
		.mmu_type = PPCVIRT_MMU_FSL_BOOKE_NOHV,
		.array_len = sizeof(array),
	};
	int r;

	memset(array, 0, sizeof(array));
	r = ppcvirt_tlb_create(PPCVIRT_BOOKE_E500MC, tlb);
	if (!r)
		r = ppcvirt_tlb_config(*tlb, &c);
	if (!r)
		r = populate(*tlb, 4, size0 / 4, dense);
	return r;
}

static double time_write(struct ppcvirt_tlb *tlb, uint32_t size0)
{
	struct ppcvirt_book3e_206_tlb_entry e;
	double v[ROUNDS];
	uint32_t sets = size0 / 4;

	for (int r = 0; r < nrounds; r++) {
		uint64_t t0 = bench_now_ns();

		for (uint32_t i = 0; i < SYNC_IT; i++) {
			uint32_t s = (i * 37u) & (sets - 1), w = i & 3;

			e.mas8 = 0;
			e.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TSIZE(2);
			e.mas2 = 0x10000000u + ((w * sets + s) << 12);
			e.mas7_3 = ((uint64_t)r << 12) | 0x3f;
			ppcvirt_tlb_write_entry(tlb, 0, s * 4 + w, &e);
		}
		v[r] = (double)(bench_now_ns() - t0) / SYNC_IT;
	}
	return bench_median(v, nrounds);
}

static int run(struct tres *o, int *bad)
{
	static uint32_t hit[BATCH], miss[BATCH];
	uint8_t bitmap[(NENTRY + 63) / 64 * 8];
	struct ppcvirt_dirty_tlb d = {0};
	struct ppcvirt_tlb *tlb = NULL;
	double v1[ROUNDS], vf[ROUNDS];
	int r;

	/* Translate, 1 MiB TLB1 pages. */
	cli_progress("bench tlb: translate");
	r = setup(&tlb, 512, false);
	if (r)
		goto out;
	gen_eas(hit, miss, false);
	o->hit_ns = time_lookups(tlb, hit, PPCVIRT_TLB_HIT, bad);
	o->miss_ns = time_lookups(tlb, miss, PPCVIRT_TLB_MISS, bad);

	/* Dirty sync: 1 marked entry (the VMM changed it) vs everything. */
	cli_progress("bench tlb: dirty sync");
	memset(bitmap, 0, sizeof(bitmap));
	for (int k = 0; k < nrounds; k++) {
		uint64_t t0;
		uint32_t idx = (uint32_t)(k * 7) % 512;

		array[idx].mas7_3 ^= 0x1000;
		bitmap[idx / 8] = (uint8_t)(1u << (idx % 8));
		d.bitmap = (uintptr_t)bitmap;
		d.num_dirty = 1;
		t0 = bench_now_ns();
		for (int i = 0; i < SYNC_IT; i++)
			if (ppcvirt_tlb_dirty(tlb, &d))
				(*bad)++;
		v1[k] = (double)(bench_now_ns() - t0) / SYNC_IT;
		bitmap[idx / 8] = 0;
		d.bitmap = 0;
		d.num_dirty = NENTRY;
		t0 = bench_now_ns();
		for (int i = 0; i < SYNC_IT; i++)
			if (ppcvirt_tlb_dirty(tlb, &d))
				(*bad)++;
		vf[k] = (double)(bench_now_ns() - t0) / SYNC_IT;
	}
	o->dirty1_ns = bench_median(v1, nrounds);
	o->full_ns = bench_median(vf, nrounds);
	o->ratio = o->dirty1_ns > 0 ? o->full_ns / o->dirty1_ns : 0;
	o->write576_ns = time_write(tlb, 512);
	ppcvirt_tlb_destroy(tlb);
	tlb = NULL;

	/* Translate, worst case for the TLB1 index. */
	cli_progress("bench tlb: translate, dense TLB1");
	r = setup(&tlb, 512, true);
	if (r)
		goto out;
	gen_eas(hit, miss, true);
	o->hit_dense_ns = time_lookups(tlb, hit, PPCVIRT_TLB_HIT, bad);
	o->miss_dense_ns = time_lookups(tlb, miss, PPCVIRT_TLB_MISS, bad);
	ppcvirt_tlb_destroy(tlb);
	tlb = NULL;

	/* Single-entry write on a 4x larger TLB0. */
	cli_progress("bench tlb: write_entry");
	r = setup(&tlb, 2048, false);
	if (r)
		goto out;
	o->write2112_ns = time_write(tlb, 2048);
out:
	ppcvirt_tlb_destroy(tlb);
	return r;
}

static void usage(void)
{
	fputs("usage: ppcvirt bench tlb [OPTION...]\n"
	      "\n"
	      "Translate hit/miss on a full e500mc TLB, dirty sync of 1 entry "
	      "vs a full\n"
	      "re-read, single-entry writes on two TLB sizes.\n"
	      "\n"
	      "  -j, --json        one JSON document (keys end in their unit: "
	      "_ns_per_lookup)\n"
	      "      --json-lines  the same object on one line\n"
	      "      --quick       11 rounds instead of 201: a smoke run\n"
	      "  -q, --quiet       no progress line\n"
	      "  -h, --help        this help\n",
	      stdout);
}

int bench_tlb(int argc, char **argv)
{
	static const struct option lopts[] = {
		BENCH_COMMON_LOPTS,
		{NULL, 0, NULL, 0},
	};
	struct bench_opts opt;
	struct tres o = {0};
	int bad = 0, r, c;

	bench_opts_init(&opt);
	optind = 0;
	while ((c = cli_getopt("bench tlb", argc, argv, ":" BENCH_COMMON_SHORT,
			       lopts)) != -1) {
		int k = bench_common_opt("bench tlb", c, &opt);

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
		return cli_usage_error("bench tlb", "unexpected argument '%s'",
				       cli_esc(argv[optind]));
	nrounds = opt.quick ? QUICK_ROUNDS : ROUNDS;
	cli_progress_init(opt.quiet);
	r = run(&o, &bad);
	cli_progress_clear();
	if (r) {
		cli_error("ppcvirt bench tlb", 0, "setup failed: %s",
			  strerror(-r));
		return CLI_FAIL;
	}
	if (opt.json) {
		json_object *j = json_object_new_object();

		cli_json_add(j, "bench", json_object_new_string("tlb"));
		cli_json_add(j, "quick", json_object_new_boolean(opt.quick));
		cli_json_add(j, "rounds", json_object_new_int(nrounds));
		cli_json_add(j, "entries", json_object_new_int(NENTRY));
		cli_json_add(j, "translate_hit_ns_per_lookup",
			     cli_json_num(o.hit_ns, 2));
		cli_json_add(j, "translate_miss_ns_per_lookup",
			     cli_json_num(o.miss_ns, 2));
		cli_json_add(j, "translate_hit_dense_tlb1_ns_per_lookup",
			     cli_json_num(o.hit_dense_ns, 2));
		cli_json_add(j, "translate_miss_dense_tlb1_ns_per_lookup",
			     cli_json_num(o.miss_dense_ns, 2));
		cli_json_add(j, "dirty_sync_1_ns_per_sync",
			     cli_json_num(o.dirty1_ns, 1));
		cli_json_add(j, "dirty_sync_all_ns_per_sync",
			     cli_json_num(o.full_ns, 1));
		cli_json_add(j, "dirty_sync_ratio", cli_json_num(o.ratio, 1));
		cli_json_add(j, "write_entry_576_ns_per_write",
			     cli_json_num(o.write576_ns, 2));
		cli_json_add(j, "write_entry_2112_ns_per_write",
			     cli_json_num(o.write2112_ns, 2));
		cli_json_add(j, "wrong_results", json_object_new_int(bad));
		cli_json_print(j, opt.json);
	} else {
		printf("BookE e500mc TLB, 512 + 64 entries all valid%s\n",
		       opt.quick ? " (--quick: figures are noise)" : "");
		printf("translate hit    %8.2f ns  (median per lookup)\n",
		       o.hit_ns);
		printf("translate miss   %8.2f ns\n", o.miss_ns);
		printf("  64 x 4K TLB1 pages in one MiB (dense TLB1 index): "
		       "hit %.2f ns, miss %.2f ns\n",
		       o.hit_dense_ns, o.miss_dense_ns);
		printf("dirty sync 1     %8.1f ns\n", o.dirty1_ns);
		printf("full re-read 576 %8.1f ns  (ratio %.1fx)\n", o.full_ns,
		       o.ratio);
		printf("write_entry      %8.2f ns on 576 entries, %.2f ns on "
		       "2112 (O(1))\n",
		       o.write576_ns, o.write2112_ns);
	}
	if (bad)
		cli_error("ppcvirt bench tlb", 0,
			  "%d lookups gave unexpected results", bad);
	return bad ? CLI_FAIL : CLI_OK;
}
