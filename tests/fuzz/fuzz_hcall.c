/* SPDX-License-Identifier: MIT */
/*
 * Model-based fuzzer for the four TCE hypercalls (house style §6.10).
 *
 * Input bytes decode to a profile and a sequence of operations (hcalls
 * with hostile arguments, list writes into guest memory, direct table
 * writes). Each runs against the real engine (ppcvirt_vcpu_hcall, exits
 * completed by ppcvirt_vmm_hcall) and against a deliberately naive model
 * below, written entry by entry from docs/semantics.md §3 / docs/design.md: a
 * QEMU-style loop for the qemu profile, validate-everything-then-write for
 * strict. Return codes, H_GET_TCE outputs and every table entry must
 * agree; a difference aborts (a crash for libFuzzer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ppcvirt/ppcvirt.h>

#define RAM   (1ull << 20)
#define NWIN  3
#define LISTS 0x80000ull /* list pages live in [LISTS, LISTS + 64K) */
#define P     PPCVIRT_H_PARAMETER

struct win {
	uint64_t liobn, bus, n;
	unsigned shift;
	uint64_t *e; /* model entries */
};

static struct win W[NWIN] = {
	{0x71000002, 0, 64, 12, NULL},
	{0x80000001, 1ull << 59, 32, 16, NULL},
	{0x80000000, 0x3000000, 8, 24, NULL}, /* 16M pages, offset 3 */
};
static uint8_t model_ram[RAM];
static int qemu;

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

/* A hostile but often meaningful value. */
static uint64_t pick(struct in *in, const struct win *w)
{
	uint64_t ps = 1ull << w->shift;

	switch (take(in, 1) % 10) {
	case 0:
		return take(in, 8);
	case 1:
		return w->bus + (take(in, 1) % (w->n + 3)) * ps; /* aligned */
	case 2:
		return w->bus + (take(in, 1) % (w->n + 2)) * ps + take(in, 2);
	case 3:
		return w->bus - ps * (take(in, 1) % 3);
	case 4:
		return UINT64_MAX - take(in, 2);
	case 5:
		return (take(in, 2) % (RAM >> 12)) << 12 | (take(in, 1) & 3);
	case 6:
		return take(in, 1) & 3;
	default:
		return take(in, 1) % (w->n + 4);
	}
}

static struct win *model_find(uint64_t liobn)
{
	for (int i = 0; i < NWIN; i++)
		if (W[i].liobn == liobn)
			return &W[i];
	return NULL;
}

static uint64_t model_list(uint64_t gpa, uint64_t i, int *in_ram)
{
	uint64_t a = gpa + 8 * i, v = 0;

	*in_ram = a >= gpa && a < RAM && RAM - a >= 8;
	if (*in_ram)
		for (int b = 0; b < 8; b++)
			v = v << 8 | model_ram[a + b];
	return v;
}

static int tce_ok_strict(const struct win *w, uint64_t tce)
{
	uint64_t ps = 1ull << w->shift, gpa = tce & ~3ull;

	if (!(tce & 3))
		return 1;
	return !(gpa & (ps - 1)) && gpa < RAM && RAM - gpa >= ps;
}

/* qemu: index of entry k of a range starting at @ioba, or -1. */
static int64_t qidx(const struct win *w, uint64_t ioba, uint64_t k)
{
	uint64_t ps = 1ull << w->shift;
	uint64_t a = (ioba & ~(ps - 1)) + k * ps; /* wraps like QEMU */
	uint64_t idx = (a - w->bus) >> w->shift;

	return idx < w->n ? (int64_t)idx : -1;
}

/* strict: index of @ioba if aligned and [ioba, +npages) fits, or -1. */
static int64_t sidx(const struct win *w, uint64_t ioba, uint64_t npages)
{
	uint64_t ps = 1ull << w->shift, idx;

	if (ioba & (ps - 1) || ioba < w->bus)
		return -1;
	idx = (ioba - w->bus) >> w->shift;
	if (idx >= w->n)
		return -1;
	for (uint64_t k = 0; k < npages; k++) /* naive, bounded by n */
		if (idx + k >= w->n)
			return -1;
	return (int64_t)idx;
}

static long model(uint64_t nr, uint64_t *a)
{
	struct win *w = model_find(a[0]);
	int64_t i0;
	int in_ram;

	if (!w)
		return P;
	switch (nr) {
	case PPCVIRT_H_PUT_TCE:
		if (qemu) {
			if ((i0 = qidx(w, a[1], 0)) < 0)
				return P;
		} else if ((i0 = sidx(w, a[1], 1)) < 0 ||
			   !tce_ok_strict(w, a[2])) {
			return P;
		}
		w->e[i0] = a[2];
		return 0;
	case PPCVIRT_H_GET_TCE:
		i0 = qemu ? qidx(w, a[1], 0) : sidx(w, a[1], 1);
		if (i0 < 0)
			return P;
		a[0] = w->e[i0];
		return 0;
	case PPCVIRT_H_STUFF_TCE:
		if (qemu) {
			if (a[3] == 0 || a[3] > w->n)
				return P;
			for (uint64_t k = 0; k < a[3]; k++) {
				int64_t i = qidx(w, a[1], k);

				if (i < 0)
					return P;
				w->e[i] = a[2];
			}
			return 0;
		}
		if (a[3] > w->n + 1)
			return P; /* sidx below would say so too */
		if ((i0 = sidx(w, a[1], a[3])) < 0 || (a[2] & 3))
			return P;
		for (uint64_t k = 0; k < a[3]; k++)
			w->e[i0 + (int64_t)k] = a[2];
		return 0;
	case PPCVIRT_H_PUT_TCE_INDIRECT:
		if (a[3] > 512 || (a[2] & 0xfff))
			return P;
		if (qemu) {
			if (a[3] == 0)
				return P;
			for (uint64_t k = 0; k < a[3]; k++) {
				int64_t i = qidx(w, a[1], k);
				uint64_t v = model_list(a[2], k, &in_ram);

				if (i < 0)
					return P;
				w->e[i] = in_ram ? v : 0;
			}
			return 0;
		}
		if ((i0 = sidx(w, a[1], a[3])) < 0)
			return P;
		model_list(a[2], 0, &in_ram); /* the list must be RAM */
		if (!in_ram)
			return P;
		if (a[3] == 0)
			return 0;
		for (uint64_t k = 0; k < a[3]; k++)
			if (!tce_ok_strict(w, model_list(a[2], k, &in_ram)) ||
			    !in_ram)
				return P;
		for (uint64_t k = 0; k < a[3]; k++)
			w->e[i0 + (int64_t)k] = model_list(a[2], k, &in_ram);
		return 0;
	}
	return PPCVIRT_H_FUNCTION;
}

static void fail(const char *what, uint64_t got, uint64_t want)
{
	fprintf(stderr, "fuzz_hcall: %s: got 0x%llx want 0x%llx\n", what,
		(unsigned long long)got, (unsigned long long)want);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t ops[] = {PPCVIRT_H_PUT_TCE, PPCVIRT_H_GET_TCE,
				       PPCVIRT_H_STUFF_TCE,
				       PPCVIRT_H_PUT_TCE_INDIRECT};
	struct in in = {data, size};
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *v;
	uint8_t *ram;
	int steps = 0;

	qemu = (int)(take(&in, 1) & 1);
	if (ppcvirt_vm_create(&vm) ||
	    ppcvirt_vm_alloc_memory(vm, 0, 0, RAM, (void **)&ram, NULL) ||
	    ppcvirt_vcpu_create(vm, 0, &v))
		abort();
	ppcvirt_vm_set_profile(vm, qemu ? PPCVIRT_PROFILE_QEMU
					: PPCVIRT_PROFILE_STRICT);
	/* Engine handling of INDIRECT/STUFF on or off: either way the
	 * results must be the same. */
	for (int i = 2; i < 4; i++) {
		struct ppcvirt_enable_cap cap = {
			.cap = PPCVIRT_CAP_PPC_ENABLE_HCALL,
			.args = {ops[i], take(&in, 1) & 1}};

		ppcvirt_vm_enable_cap(vm, &cap);
	}
	ppcvirt_vm_set_tiers(vm, (unsigned)(take(&in, 1) % 4));
	memset(model_ram, 0, sizeof(model_ram));
	for (int i = 0; i < NWIN; i++) {
		struct ppcvirt_create_spapr_tce_64 c = {
			.liobn = W[i].liobn,
			.page_shift = W[i].shift,
			.offset = W[i].bus >> W[i].shift,
			.size = W[i].n};

		W[i].e = calloc(W[i].n, 8);
		/* The third window is user-space only half the time. */
		if (i == 2 && (take(&in, 1) & 1))
			c.flags = PPCVIRT_TCE_VMM_ONLY;
		if (!W[i].e || ppcvirt_vm_create_spapr_tce_64(vm, &c, NULL))
			abort();
	}
	while (in.n && steps++ < 256) {
		unsigned op = (unsigned)take(&in, 1);
		struct win *w = &W[take(&in, 1) % NWIN];
		struct ppcvirt_hcall hc = {0};
		uint64_t a[4];
		long want;

		if (op % 8 == 7) { /* write a list entry into guest memory */
			uint64_t at = LISTS + (take(&in, 2) % 8192) * 8;
			uint64_t val = pick(&in, w);

			for (int b = 0; b < 8; b++)
				model_ram[at + b] = ram[at + b] =
					(uint8_t)(val >> (56 - 8 * b));
			continue;
		}
		a[0] = (take(&in, 1) % 16) ? w->liobn : take(&in, 8);
		a[1] = pick(&in, w);
		a[2] = (op & 8) ? LISTS + (take(&in, 1) % 16) * 0x1000
				: pick(&in, w);
		if (op & 16)
			a[2] = take(&in, 8); /* any list address at all */
		a[3] = pick(&in, w);
		hc.nr = ops[op % 4];
		memcpy(hc.args, a, sizeof(a));
		if (ppcvirt_vcpu_hcall(v, &hc) == PPCVIRT_HCALL_EXIT &&
		    ppcvirt_vmm_hcall(vm, &hc) != 0)
			abort();
		want = model(ops[op % 4], a);
		if ((long)hc.ret != want)
			fail("return code", hc.ret, (uint64_t)want);
		if (hc.nr == PPCVIRT_H_GET_TCE && want == 0 &&
		    hc.args[0] != a[0])
			fail("H_GET_TCE value", hc.args[0], a[0]);
	}
	for (int i = 0; i < NWIN; i++) {
		for (uint64_t k = 0; k < W[i].n; k++) {
			uint64_t got = 1;

			if (ppcvirt_tce_get(vm, W[i].liobn, k, &got))
				abort();
			if (got != W[i].e[k])
				fail("table entry", got, W[i].e[k]);
		}
		free(W[i].e);
		W[i].e = NULL;
	}
	ppcvirt_vm_destroy(vm);
	return 0;
}
