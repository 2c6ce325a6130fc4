/* SPDX-License-Identifier: MIT */
/*
 * BookE e500 TLB: creation, geometry and KVM_ENABLE_CAP(KVM_CAP_SW_TLB).
 *
 * ppcvirt_tlb_config() mirrors kvm_vcpu_ioctl_config_tlb()
 * (docs/booke-architecture.md §2.2): the same checks in the same order with the
 * same -EINVAL/-EFAULT results, plus stricter checks where KVM is loose (TLB0
 * size a multiple of its ways, reserved params zero, TLBnCFG able to describe
 * the geometry, an aligned array, and valid entries). A reconfiguration builds
 * the complete new state aside and swaps it in only when everything passed, so
 * a failed call changes nothing.
 *
 * TLBnCFG follows the geometry (§2.4, §5): N_ENTRY and ASSOC from the
 * sizes and ways, MINSIZE 1 / MAXSIZE 1 (4K) for TLB0, MINSIZE 1 /
 * MAXSIZE 0xC (4K..16G), IPROT and AVAIL for TLB1, as QEMU's e500v2/e500mc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booke.h"
#include "core/common.h"

static bool is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

static uint32_t log2u(uint32_t x)
{
	return 31u - (uint32_t)__builtin_clz(x);
}

/*
 * Check a geometry as KVM does, then our stricter rules. Writes a reason
 * into @err. Return: 0 or -EINVAL.
 */
static int check_params(const struct ppcvirt_book3e_206_tlb_params *p,
			char *err, size_t errlen)
{
	uint32_t sets;

	if (p->tlb_sizes[1] > PCV_TLB1_MAX) {
		snprintf(err, errlen, "tlb_sizes[1] %u > 64", p->tlb_sizes[1]);
		return -EINVAL;
	}
	if (p->tlb_ways[1] != p->tlb_sizes[1]) {
		snprintf(err, errlen,
			 "TLB1 must be fully associative (tlb_ways[1] %u != "
			 "tlb_sizes[1] %u)",
			 p->tlb_ways[1], p->tlb_sizes[1]);
		return -EINVAL;
	}
	if (p->tlb_sizes[2] || p->tlb_sizes[3] || p->tlb_ways[2] ||
	    p->tlb_ways[3]) {
		snprintf(err, errlen, "TLB2/TLB3 sizes and ways must be 0");
		return -EINVAL;
	}
	if (!is_pow2(p->tlb_ways[0])) {
		snprintf(err, errlen, "tlb_ways[0] %u is not a power of two",
			 p->tlb_ways[0]);
		return -EINVAL;
	}
	sets = p->tlb_sizes[0] >> log2u(p->tlb_ways[0]);
	if (!is_pow2(sets)) {
		snprintf(err, errlen,
			 "TLB0 set count %u (%u entries / %u ways) is not a "
			 "power of two",
			 sets, p->tlb_sizes[0], p->tlb_ways[0]);
		return -EINVAL;
	}
	/* Stricter than KVM, which accepts 513 entries of 4 ways. */
	if (p->tlb_sizes[0] % p->tlb_ways[0]) {
		snprintf(err, errlen,
			 "tlb_sizes[0] %u is not a multiple of tlb_ways[0] %u",
			 p->tlb_sizes[0], p->tlb_ways[0]);
		return -EINVAL;
	}
	/* House rule: reserved fields must be 0 (KVM never reads them). */
	for (int i = 0; i < 8; i++) {
		if (p->reserved[i]) {
			snprintf(err, errlen, "reserved[%d] is not 0", i);
			return -EINVAL;
		}
	}
	/* TLB0CFG[N_ENTRY] (KVM writes 0 above 2048) and ASSOC (8 bits). */
	if (p->tlb_sizes[0] > PCV_TLB0_MAX ||
	    p->tlb_ways[0] > PCV_TLB0_WAYS_MAX) {
		snprintf(err, errlen,
			 "TLB0 of %u entries / %u ways cannot be described by "
			 "TLB0CFG (at most 2048 entries, 128 ways)",
			 p->tlb_sizes[0], p->tlb_ways[0]);
		return -EINVAL;
	}
	return 0;
}

/* Fill the geometry fields of @t and allocate its decoded state. */
static int shape(struct ppcvirt_tlb *t,
		 const struct ppcvirt_book3e_206_tlb_params *p)
{
	uint32_t m = 1;

	t->size0 = p->tlb_sizes[0];
	t->ways0 = p->tlb_ways[0];
	t->sets0 = t->size0 / t->ways0;
	t->set_mask0 = t->sets0 - 1;
	t->size1 = p->tlb_sizes[1];
	while (m < t->size1)
		m <<= 1;
	t->esel_mask1 = m - 1;
	t->nentries = t->size0 + t->size1;
	t->dec = calloc(t->nentries, sizeof(*t->dec));
	t->t1_bucket =
		calloc(PCV_T1_BUCKETS + PCV_T1_SMALL, sizeof(*t->t1_bucket));
	t->t1_small = t->t1_bucket ? t->t1_bucket + PCV_T1_BUCKETS : NULL;
	if (!t->dec || !t->t1_bucket) {
		free(t->dec);
		free(t->t1_bucket);
		return -ENOMEM;
	}
	return 0;
}

static void release(struct ppcvirt_tlb *t)
{
	free(t->own);
	free(t->dec);
	free(t->t1_bucket);
}

/*
 * Install geometry @p with entries at @array (borrowed), or a fresh zeroed
 * array of our own when @array is NULL. All or nothing.
 */
static int install(struct ppcvirt_tlb *tlb,
		   const struct ppcvirt_book3e_206_tlb_params *p,
		   struct ppcvirt_book3e_206_tlb_entry *array)
{
	struct ppcvirt_tlb t = *tlb;
	int r;

	r = check_params(p, tlb->err, sizeof(tlb->err));
	if (r)
		return r;
	r = shape(&t, p);
	if (r)
		return r;
	t.own = NULL;
	if (!array) {
		t.own = calloc(t.nentries ? t.nentries : 1, sizeof(*t.own));
		if (!t.own) {
			release(&t);
			return -ENOMEM;
		}
		array = t.own;
	}
	t.array = array;
	for (uint32_t i = 0; i < t.nentries; i++) {
		r = pcv_tlb_check_entry(&t, i, &array[i]);
		if (r) {
			memcpy(tlb->err, t.err, sizeof(tlb->err));
			release(&t);
			return r;
		}
	}
	pcv_tlb_decode_all(&t);
	release(tlb);
	*tlb = t;
	return 0;
}

int ppcvirt_tlb_create(enum ppcvirt_booke_core core, struct ppcvirt_tlb **out)
{
	struct ppcvirt_book3e_206_tlb_params p = {
		.tlb_sizes = {512, 0, 0, 0},
		.tlb_ways = {4, 0, 0, 0},
	};
	struct ppcvirt_tlb *tlb;
	int r;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (core != PPCVIRT_BOOKE_E500V2 && core != PPCVIRT_BOOKE_E500MC)
		return -EINVAL;
	tlb = calloc(1, sizeof(*tlb));
	if (!tlb)
		return -ENOMEM;
	tlb->core = core;
	if (core == PPCVIRT_BOOKE_E500V2) {
		tlb->npids = 3;
		tlb->pid_mask = 0xff;
		p.tlb_sizes[1] = p.tlb_ways[1] = 16;
	} else {
		tlb->npids = 1;
		tlb->pid_mask = 0x3fff;
		p.tlb_sizes[1] = p.tlb_ways[1] = 64;
	}
	r = install(tlb, &p, NULL);
	if (r == 0) {
		r = pcv_handle_add(tlb, PCV_H_TLB);
		if (r)
			release(tlb);
	}
	if (r) {
		free(tlb);
		return r;
	}
	tlb->err[0] = '\0';
	*out = tlb;
	return 0;
}

void ppcvirt_tlb_destroy(struct ppcvirt_tlb *tlb)
{
	if (!tlb || !pcv_handle_drop(tlb, PCV_H_TLB))
		return; /* NULL, or destroyed already */
	release(tlb);
	free(tlb);
}

int ppcvirt_tlb_config(struct ppcvirt_tlb *tlb,
		       const struct ppcvirt_config_tlb *cfg)
{
	struct ppcvirt_book3e_206_tlb_params p;
	uint64_t need;

	if (!tlb || !cfg)
		return -EINVAL;
	tlb->err[0] = '\0';
	/* KVM checks mmu_type before reading params (§2.2 step 3). */
	if (cfg->mmu_type != PPCVIRT_MMU_FSL_BOOKE_NOHV) {
		snprintf(tlb->err, sizeof(tlb->err),
			 "mmu_type %u is not KVM_MMU_FSL_BOOKE_NOHV (0)",
			 cfg->mmu_type);
		return -EINVAL;
	}
	if (!cfg->params) {
		snprintf(tlb->err, sizeof(tlb->err), "params is NULL");
		return -EFAULT;
	}
	/* A copy, as copy_from_user: params need not be aligned. */
	memcpy(&p, (const void *)(uintptr_t)cfg->params, sizeof(p));
	if (check_params(&p, tlb->err, sizeof(tlb->err)))
		return -EINVAL;
	need = ((uint64_t)p.tlb_sizes[0] + p.tlb_sizes[1]) *
	       sizeof(struct ppcvirt_book3e_206_tlb_entry);
	if (cfg->array_len < need) {
		snprintf(tlb->err, sizeof(tlb->err),
			 "array_len %u < %llu bytes needed", cfg->array_len,
			 (unsigned long long)need);
		return -EINVAL;
	}
	if (!cfg->array) {
		snprintf(tlb->err, sizeof(tlb->err), "array is NULL");
		return -EFAULT;
	}
	if (cfg->array % _Alignof(struct ppcvirt_book3e_206_tlb_entry)) {
		snprintf(tlb->err, sizeof(tlb->err),
			 "array 0x%llx is not 8-byte aligned",
			 (unsigned long long)cfg->array);
		return -EINVAL;
	}
	return install(
		tlb, &p,
		(struct ppcvirt_book3e_206_tlb_entry *)(uintptr_t)cfg->array);
}

int ppcvirt_tlb_enable_cap(struct ppcvirt_tlb *tlb,
			   const struct ppcvirt_enable_cap *cap)
{
	struct ppcvirt_config_tlb cfg;

	if (!tlb || !cap || cap->cap != PPCVIRT_CAP_SW_TLB || cap->flags)
		return -EINVAL;
	if (!cap->args[0])
		return -EFAULT;
	memcpy(&cfg, (const void *)(uintptr_t)cap->args[0], sizeof(cfg));
	return ppcvirt_tlb_config(tlb, &cfg);
}

int ppcvirt_tlb_set_geometry(struct ppcvirt_tlb *tlb,
			     const struct ppcvirt_book3e_206_tlb_params *params)
{
	if (!tlb || !params)
		return -EINVAL;
	tlb->err[0] = '\0';
	return install(tlb, params, NULL);
}

int ppcvirt_tlb_geometry(const struct ppcvirt_tlb *tlb,
			 struct ppcvirt_book3e_206_tlb_params *params)
{
	if (!tlb || !params)
		return -EINVAL;
	memset(params, 0, sizeof(*params));
	params->tlb_sizes[0] = tlb->size0;
	params->tlb_ways[0] = tlb->ways0;
	params->tlb_sizes[1] = tlb->size1;
	params->tlb_ways[1] = tlb->size1;
	return 0;
}

int ppcvirt_tlb_core(const struct ppcvirt_tlb *tlb)
{
	return tlb ? (int)tlb->core : -EINVAL;
}

uint32_t ppcvirt_tlb_cfg_reg(const struct ppcvirt_tlb *tlb, unsigned n)
{
	if (!tlb)
		return 0;
	switch (n) {
	case 0:
		/* ASSOC | MINSIZE 1 | MAXSIZE 1 (4K only) | N_ENTRY */
		return tlb->ways0 << 24 | 1u << 20 | 1u << 16 | tlb->size0;
	case 1:
		/* ASSOC | MINSIZE 1 | MAXSIZE 0xC | IPROT | AVAIL | N_ENTRY */
		return tlb->size1 << 24 | 1u << 20 | 0xcu << 16 | 0x8000u |
		       0x4000u | tlb->size1;
	default:
		return 0;
	}
}

const char *ppcvirt_tlb_last_error(const struct ppcvirt_tlb *tlb)
{
	return tlb ? tlb->err : "";
}

uint32_t ppcvirt_tlb_entry_count(const struct ppcvirt_tlb *tlb)
{
	return tlb ? tlb->nentries : 0;
}

/* ---- state streams (src/state/) ------------------------------------------ */

/*
 * The TLB section, version 1 (docs/migration.md): core, entry count,
 * geometry (kvm_book3e_206_tlb_params), the MAS register file, PID0..2,
 * the TLB0 next-victim counter, then every entry in array order. All of
 * it is guest-visible: tlbre reads entries, tlbsx and misses read the
 * victim counter, mfspr reads MAS and PIDs.
 */
#define STATE_FIXED (4 * 2 + 4 * 8 + 4 * 2 + 8 + 4 * 5 + 4 * 3 + 4 * 2)

size_t pcv_tlb_state_size(const struct ppcvirt_tlb *tlb)
{
	return STATE_FIXED + (size_t)tlb->nentries * 24;
}

static void put32(uint8_t **p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t **p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t **p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | (*p)[i];
	*p += 4;
	return v;
}

static uint64_t get64(const uint8_t **p)
{
	uint64_t lo = get32(p);

	return lo | (uint64_t)get32(p) << 32;
}

void pcv_tlb_state_encode(const struct ppcvirt_tlb *tlb, uint8_t *p)
{
	const struct ppcvirt_booke_mas *m = &tlb->mas;

	put32(&p, (uint32_t)tlb->core);
	put32(&p, tlb->nentries);
	put32(&p, tlb->size0);
	put32(&p, tlb->size1);
	put32(&p, 0);
	put32(&p, 0);
	put32(&p, tlb->ways0);
	put32(&p, tlb->size1);
	put32(&p, 0);
	put32(&p, 0);
	put32(&p, m->mas0);
	put32(&p, m->mas1);
	put64(&p, m->mas2);
	put32(&p, m->mas3);
	put32(&p, m->mas4);
	put32(&p, m->mas6);
	put32(&p, m->mas7);
	put32(&p, m->mas8);
	for (int i = 0; i < 3; i++)
		put32(&p, tlb->pid[i]);
	put32(&p, tlb->last_way);
	put32(&p, 0);
	for (uint32_t i = 0; i < tlb->nentries; i++) {
		const struct ppcvirt_book3e_206_tlb_entry *e = &tlb->array[i];

		put32(&p, e->mas8);
		put32(&p, e->mas1);
		put64(&p, e->mas2);
		put64(&p, e->mas7_3);
	}
}

int pcv_tlb_state_decode(const uint8_t *p, size_t len, struct ppcvirt_tlb **out,
			 char *err, size_t errlen)
{
	struct ppcvirt_book3e_206_tlb_params params = {0};
	struct ppcvirt_booke_mas mas = {0};
	struct ppcvirt_tlb *tlb;
	uint32_t core, n, pid[3], last_way;
	int r;

	if (len < STATE_FIXED) {
		snprintf(err, errlen, "truncated (%zu bytes)", len);
		return -EBADMSG;
	}
	core = get32(&p);
	n = get32(&p);
	for (int i = 0; i < 4; i++)
		params.tlb_sizes[i] = get32(&p);
	for (int i = 0; i < 4; i++)
		params.tlb_ways[i] = get32(&p);
	mas.mas0 = get32(&p);
	mas.mas1 = get32(&p);
	mas.mas2 = get64(&p);
	mas.mas3 = get32(&p);
	mas.mas4 = get32(&p);
	mas.mas6 = get32(&p);
	mas.mas7 = get32(&p);
	mas.mas8 = get32(&p);
	for (int i = 0; i < 3; i++)
		pid[i] = get32(&p);
	last_way = get32(&p);
	if (get32(&p) != 0) {
		snprintf(err, errlen, "reserved field is not 0");
		return -EINVAL;
	}
	if (core != PPCVIRT_BOOKE_E500V2 && core != PPCVIRT_BOOKE_E500MC) {
		snprintf(err, errlen, "unknown core %u", core);
		return -EINVAL;
	}
	if ((uint64_t)n !=
		    (uint64_t)params.tlb_sizes[0] + params.tlb_sizes[1] ||
	    len - STATE_FIXED != (size_t)n * 24) {
		snprintf(err, errlen,
			 "%u entries do not fit the geometry or the %zu bytes",
			 n, len);
		return -EBADMSG;
	}
	r = ppcvirt_tlb_create((enum ppcvirt_booke_core)core, &tlb);
	if (r)
		return r;
	r = install(tlb, &params, NULL);
	if (r) {
		snprintf(err, errlen, "geometry: %s", tlb->err);
		ppcvirt_tlb_destroy(tlb);
		return r;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct ppcvirt_book3e_206_tlb_entry *e = &tlb->array[i];

		e->mas8 = get32(&p);
		e->mas1 = get32(&p);
		e->mas2 = get64(&p);
		e->mas7_3 = get64(&p);
		r = pcv_tlb_check_entry(tlb, i, e);
		if (r) {
			snprintf(err, errlen, "%s", tlb->err);
			ppcvirt_tlb_destroy(tlb);
			return r;
		}
	}
	/* The registers hold what the guest wrote: any value the core's
	 * fields can hold (mtspr masks them the same way). */
	for (unsigned i = 0; i < 3; i++) {
		if (pid[i] & ~tlb->pid_mask || (i >= tlb->npids && pid[i])) {
			snprintf(err, errlen,
				 "PID%u 0x%x is not a PID of the core", i,
				 pid[i]);
			ppcvirt_tlb_destroy(tlb);
			return -EINVAL;
		}
		tlb->pid[i] = pid[i];
	}
	if (last_way >= tlb->ways0) {
		snprintf(err, errlen, "next victim %u is not a TLB0 way",
			 last_way);
		ppcvirt_tlb_destroy(tlb);
		return -EINVAL;
	}
	tlb->last_way = last_way;
	tlb->mas = mas;
	pcv_tlb_decode_all(tlb);
	*out = tlb;
	return 0;
}

void pcv_tlb_state_commit(struct ppcvirt_tlb *dst, struct ppcvirt_tlb *src)
{
	struct ppcvirt_tlb old;

	if (dst->size0 == src->size0 && dst->ways0 == src->ways0 &&
	    dst->size1 == src->size1) {
		/* Same geometry: into the array the VMM may have lent. */
		memcpy(dst->array, src->array,
		       (size_t)src->nentries * sizeof(*src->array));
		pcv_tlb_decode_all(dst);
		dst->mas = src->mas;
		memcpy(dst->pid, src->pid, sizeof(dst->pid));
		dst->last_way = src->last_way;
		return;
	}
	/* Another geometry: take the new state whole, own array included;
	 * @src, destroyed by the caller, takes the old one with it. */
	old = *dst;
	*dst = *src;
	memcpy(dst->err, old.err, sizeof(old.err));
	*src = old;
}
