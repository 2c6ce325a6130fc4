/* SPDX-License-Identifier: MIT */
/*
 * Private state of the BookE e500 software TLB (KVM_CAP_SW_TLB model).
 *
 * Two views of the same TLB are kept in step:
 *   - the entry array (struct ppcvirt_book3e_206_tlb_entry), either the
 *     VMM's borrowed array (after ppcvirt_tlb_config()) or our own. It is
 *     the architectural state: tlbwe, tlbre and the invalidations read and
 *     write it, and it is what the VMM sees.
 *   - a decoded copy per entry (struct pcv_tlbe) for the lookup fast path,
 *     plus a two-part index of TLB1: for pages of 1 MiB and more, a mask
 *     per 1 MiB of EA space of the entries overlapping it (t1_bucket); for
 *     smaller pages, a mask per 16 KiB granule, direct-mapped into 4096
 *     slots (t1_small, so granules 64 MiB apart share a slot and only add
 *     candidates, never lose one). KVM keeps analogous hidden state (the
 *     TLB1 EA range, the shadow TLB) and refreshes it on KVM_DIRTY_TLB.
 *
 * Invariants:
 *   - every decoded entry with PCV_TLBE_V set passed pcv_tlb_check_entry():
 *     legal page size, EPN aligned to it, below 4 GiB, TLB0 entries in the
 *     set their EPN selects;
 *   - bit i of t1_bucket[b] is set iff TLB1 entry i is decoded valid, at
 *     least 1 MiB, and its page overlaps [b << 20, (b + 1) << 20); bit i of
 *     t1_small[s] is set iff entry i is decoded valid, smaller than 1 MiB,
 *     and overlaps a 16 KiB granule g with g % 4096 == s. So the candidates
 *     for an EA are t1_bucket[ea >> 20] | t1_small[(ea >> 14) % 4096];
 *   - after any library call returns, array and decoded copy agree, except
 *     for entries the VMM changed and has not yet synced (KVM_DIRTY_TLB
 *     contract) or that a failed sync rejected.
 */
#ifndef PPCVIRT_SRC_BOOKE_BOOKE_H
#define PPCVIRT_SRC_BOOKE_BOOKE_H

#include <stdbool.h>
#include <stdint.h>

#include <ppcvirt/ppcvirt.h>

#define PCV_INTERNAL_BOOKE __attribute__((visibility("hidden")))

#define PCV_TLB1_MAX	    64
#define PCV_TLB0_MAX	    2048
#define PCV_TLB0_WAYS_MAX   128
#define PCV_T1_BUCKET_SHIFT 20
#define PCV_T1_BUCKETS	    (1u << (32 - PCV_T1_BUCKET_SHIFT))
#define PCV_T1_SMALL_SHIFT  14
#define PCV_T1_SMALL	    4096u

/* TSIZE codes TLB1CFG allows (MINSIZE 1, MAXSIZE 0xC in 4^n KiB): 4K-16G. */
#define PCV_TLB1_TSIZE_MIN 2
#define PCV_TLB1_TSIZE_MAX 24
#define PCV_TSIZE_4K	   2

/* MAV 2.0 bits a MAV 1.0 core stores raw (docs/booke-architecture.md §4.1). */
#define PCV_MAS1_IND  0x00002000u
#define PCV_MAS6_SIND 0x00000002u

/* pcv_tlbe.key: V in bit 0, TS in bit 1, so one compare checks both. */
#define PCV_TLBE_V  1u
#define PCV_TLBE_TS 2u

/* Decoded entry, 24 bytes. */
struct pcv_tlbe {
	uint32_t epn;  /* EPN, aligned to the page (0 for pages >= 4G) */
	uint32_t mask; /* 32-bit page mask ~(size - 1); 0 for >= 4G */
	uint64_t rpn;  /* MAS7:MAS3 & ~(size - 1) (64-bit) */
	uint16_t tid;  /* MAS1[TID] & pid_mask */
	uint8_t key;   /* PCV_TLBE_V | PCV_TLBE_TS */
	uint8_t perms; /* MAS3 permission bits */
	uint8_t attrs; /* MAS2 attribute bits */
	uint8_t tsize;
	uint8_t iprot;
	uint8_t pad;
};

struct ppcvirt_tlb {
	enum ppcvirt_booke_core core;
	uint32_t npids;	   /* PID registers the core has (1 or 3) */
	uint32_t pid_mask; /* 0xff or 0x3fff */
	uint32_t pid[3];

	/* Geometry. */
	uint32_t size0, ways0, sets0, size1;
	uint32_t set_mask0;  /* sets0 - 1 */
	uint32_t esel_mask1; /* next power of two of size1, minus 1 */
	uint32_t nentries;   /* size0 + size1 */

	struct ppcvirt_book3e_206_tlb_entry *array; /* borrowed or own */
	struct ppcvirt_book3e_206_tlb_entry *own;   /* non-NULL if ours */
	struct pcv_tlbe *dec;			    /* nentries */
	uint64_t *t1_bucket; /* PCV_T1_BUCKETS, then t1_small */
	uint64_t *t1_small;  /* PCV_T1_SMALL, same allocation */
	uint32_t t1_nsmall;  /* valid TLB1 entries indexed in t1_small */

	struct ppcvirt_booke_mas mas;
	uint32_t last_way; /* TLB0 round-robin victim (QEMU last_way) */

	char err[160];
};

/* tlb.c */
PCV_INTERNAL_BOOKE int
pcv_tlb_check_entry(struct ppcvirt_tlb *tlb, uint32_t idx,
		    const struct ppcvirt_book3e_206_tlb_entry *e);
PCV_INTERNAL_BOOKE void
pcv_tlb_decode(struct ppcvirt_tlb *tlb, uint32_t idx,
	       const struct ppcvirt_book3e_206_tlb_entry *e);
PCV_INTERNAL_BOOKE void pcv_tlb_decode_all(struct ppcvirt_tlb *tlb);
PCV_INTERNAL_BOOKE int pcv_tlb_lookup(const struct ppcvirt_tlb *tlb,
				      uint32_t ea, unsigned as,
				      const uint32_t *pids, uint32_t *idx_out);
PCV_INTERNAL_BOOKE void pcv_tlb_inval(struct ppcvirt_tlb *tlb, uint32_t idx);

/* State streams (tlb_config.c, docs/migration.md "tlb"). */
PCV_INTERNAL_BOOKE size_t pcv_tlb_state_size(const struct ppcvirt_tlb *tlb);
PCV_INTERNAL_BOOKE void pcv_tlb_state_encode(const struct ppcvirt_tlb *tlb,
					     uint8_t *p);
/* A new TLB (a live handle; the caller destroys it) holding a validated
 * saved state, or -errno with the reason in @err. */
PCV_INTERNAL_BOOKE int pcv_tlb_state_decode(const uint8_t *p, size_t len,
					    struct ppcvirt_tlb **out, char *err,
					    size_t errlen);
/* Make @dst hold @src's state (same core); cannot fail. */
PCV_INTERNAL_BOOKE void pcv_tlb_state_commit(struct ppcvirt_tlb *dst,
					     struct ppcvirt_tlb *src);

/* TLB1 entries that may map @ea (a superset; each must still be compared). */
static inline uint64_t pcv_t1_candidates(const struct ppcvirt_tlb *tlb,
					 uint32_t ea)
{
	uint64_t c = tlb->t1_bucket[ea >> PCV_T1_BUCKET_SHIFT];

	/* Most guests map TLB1 with large pages only: skip a cache line. */
	if (tlb->t1_nsmall)
		c |= tlb->t1_small[(ea >> PCV_T1_SMALL_SHIFT) &
				   (PCV_T1_SMALL - 1)];
	return c;
}

static inline uint64_t pcv_tsize_bytes(uint32_t tsize)
{
	return 1024ull << (tsize & 0x1f);
}

static inline uint32_t pcv_mas1_tsize(uint32_t mas1)
{
	return (mas1 & PPCVIRT_MAS1_TSIZE_MASK) >> 7;
}

#endif
