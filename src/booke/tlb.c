/* SPDX-License-Identifier: MIT */
/*
 * BookE e500 TLB: entry validation, the decoded lookup state, single-entry
 * and bulk access, dirty sync (KVM_DIRTY_TLB) and translation
 * (KVM_TRANSLATE and the richer ppcvirt_tlb_xlate()).
 *
 * Lookup cost: TLB0 is searched only in the set the EA selects
 * ((EA >> 12) & (sets - 1), docs/booke-architecture.md §4.3), TLB1 only among
 * the entries the index names for the EA (a 64-bit mask per MiB for large
 * pages, per 16 KiB granule for small ones; see booke.h). A lookup therefore
 * costs O(ways + TLB1 candidates), never a scan of the whole TLB, and all
 * matches are counted so that a multi-hit, which the architecture leaves
 * undefined, is reported instead of silently resolved.
 *
 * The decoded copy is refreshed entry by entry (pcv_tlb_decode()), so a
 * single-entry write or a one-entry dirty sync costs O(1) (a TLB1 entry of
 * page size S >= 1 MiB also touches S / 1 MiB index words, at most 4096; a
 * smaller one at most 16).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "booke.h"

static bool is_tlb1(const struct ppcvirt_tlb *tlb, uint32_t idx)
{
	return idx >= tlb->size0;
}

/*
 * Record why entry @idx is invalid: "TLB0 entry 37 (set 9, way 1): ..." or
 * "TLB1 entry 5 (array index 517): ...". Only called on the error path, so
 * validation of good entries costs no formatting. Return: -EINVAL.
 */
static int bad_entry(struct ppcvirt_tlb *tlb, uint32_t idx, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

static int bad_entry(struct ppcvirt_tlb *tlb, uint32_t idx, const char *fmt,
		     ...)
{
	va_list ap;
	int n;

	if (!is_tlb1(tlb, idx))
		n = snprintf(tlb->err, sizeof(tlb->err),
			     "TLB0 entry %u (set %u, way %u): ", idx,
			     idx / tlb->ways0, idx % tlb->ways0);
	else
		n = snprintf(tlb->err, sizeof(tlb->err),
			     "TLB1 entry %u (array index %u): ",
			     idx - tlb->size0, idx);
	if (n > 0 && (size_t)n < sizeof(tlb->err)) {
		va_start(ap, fmt);
		vsnprintf(tlb->err + n, sizeof(tlb->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Is @e acceptable in slot @idx? Invalid entries (V = 0) always are: they
 * never match, and tlbwe stores them raw too. A valid one must be something
 * tlbwe could have produced: TLB0 4K without IPROT in the set its EPN
 * selects; TLB1 an even TSIZE in TLB1CFG's 4K..16G range; in both an EPN
 * below 4 GiB (32-bit core) and aligned to the page size (§9.1).
 */
int pcv_tlb_check_entry(struct ppcvirt_tlb *tlb, uint32_t idx,
			const struct ppcvirt_book3e_206_tlb_entry *e)
{
	uint32_t tsize = pcv_mas1_tsize(e->mas1);
	uint64_t size;

	if (!(e->mas1 & PPCVIRT_MAS1_V))
		return 0;
	if (e->mas2 >> 32)
		return bad_entry(tlb, idx,
				 "EPN 0x%llx is beyond the 32-bit effective "
				 "address space",
				 (unsigned long long)(e->mas2 & ~0xfffull));
	if (!is_tlb1(tlb, idx)) {
		uint32_t set = ((uint32_t)e->mas2 >> 12) & tlb->set_mask0;

		if (tsize != PCV_TSIZE_4K)
			return bad_entry(tlb, idx,
					 "TSIZE %u is not 4K (TLB0 holds 4K "
					 "pages only)",
					 tsize);
		if (e->mas1 & PPCVIRT_MAS1_IPROT)
			return bad_entry(tlb, idx,
					 "IPROT set (TLB0 has no IPROT)");
		if (set != idx / tlb->ways0)
			return bad_entry(tlb, idx, "EPN 0x%x selects set %u",
					 (uint32_t)e->mas2 & 0xfffff000u, set);
		return 0;
	}
	if ((tsize & 1) || tsize < PCV_TLB1_TSIZE_MIN ||
	    tsize > PCV_TLB1_TSIZE_MAX)
		return bad_entry(tlb, idx,
				 "TSIZE %u is not a TLB1 page size (even "
				 "2..24, 4K..16G)",
				 tsize);
	size = pcv_tsize_bytes(tsize);
	if ((e->mas2 & ~0xfffull) & (size - 1))
		return bad_entry(tlb, idx,
				 "EPN 0x%llx is not aligned to its page size "
				 "0x%llx",
				 (unsigned long long)(e->mas2 & ~0xfffull),
				 (unsigned long long)size);
	return 0;
}

static void t1_index(struct ppcvirt_tlb *tlb, const struct pcv_tlbe *d,
		     uint32_t bit, bool set)
{
	uint32_t last_ea = d->epn | ~d->mask;
	uint64_t m = 1ull << bit;
	uint64_t *tab;
	uint32_t first, last, wrap;

	if (~d->mask >= (1u << PCV_T1_BUCKET_SHIFT) - 1) {
		tab = tlb->t1_bucket;
		first = d->epn >> PCV_T1_BUCKET_SHIFT;
		last = last_ea >> PCV_T1_BUCKET_SHIFT;
		wrap = PCV_T1_BUCKETS - 1;
	} else {
		/* At most 256K: 16 granules, no wrap-around in the loop. */
		tab = tlb->t1_small;
		if (set)
			tlb->t1_nsmall++;
		else
			tlb->t1_nsmall--;
		first = d->epn >> PCV_T1_SMALL_SHIFT;
		last = last_ea >> PCV_T1_SMALL_SHIFT;
		wrap = PCV_T1_SMALL - 1;
	}
	for (uint32_t g = first; g <= last; g++) {
		if (set)
			tab[g & wrap] |= m;
		else
			tab[g & wrap] &= ~m;
	}
}

/*
 * Refresh the decoded copy of entry @idx from @e, a stable copy that passed
 * pcv_tlb_check_entry(), or NULL for "invalid". Never decoding straight
 * from the shared array means a VMM writing it during a call can at worst
 * leave the decoded copy stale, never holding an unchecked entry.
 */
void pcv_tlb_decode(struct ppcvirt_tlb *tlb, uint32_t idx,
		    const struct ppcvirt_book3e_206_tlb_entry *e)
{
	struct pcv_tlbe *d = &tlb->dec[idx];
	bool t1 = is_tlb1(tlb, idx);
	uint32_t tsize;
	uint64_t size;

	if (t1 && (d->key & PCV_TLBE_V))
		t1_index(tlb, d, idx - tlb->size0, false);
	memset(d, 0, sizeof(*d));
	if (!e || !(e->mas1 & PPCVIRT_MAS1_V))
		return;
	tsize = t1 ? pcv_mas1_tsize(e->mas1) : PCV_TSIZE_4K;
	size = pcv_tsize_bytes(tsize);
	/* Pages of 4G and more cover the whole 32-bit EA space. */
	d->mask = size >= (1ull << 32) ? 0 : (uint32_t) ~(size - 1);
	d->epn = (uint32_t)e->mas2 & d->mask;
	d->rpn = e->mas7_3 & ~(size - 1);
	d->tid = (uint16_t)(((e->mas1 & PPCVIRT_MAS1_TID_MASK) >> 16) &
			    tlb->pid_mask);
	d->key = PCV_TLBE_V | ((e->mas1 & PPCVIRT_MAS1_TS) ? PCV_TLBE_TS : 0);
	d->perms = (uint8_t)(e->mas7_3 & 0x3f);
	d->attrs = (uint8_t)(e->mas2 & PPCVIRT_MAS2_ATTR_MASK);
	d->tsize = (uint8_t)tsize;
	d->iprot = !!(e->mas1 & PPCVIRT_MAS1_IPROT);
	if (t1)
		t1_index(tlb, d, idx - tlb->size0, true);
}

/* Decode every entry, each from a checked copy (see pcv_tlb_decode()). */
void pcv_tlb_decode_all(struct ppcvirt_tlb *tlb)
{
	memset(tlb->dec, 0, sizeof(*tlb->dec) * tlb->nentries);
	memset(tlb->t1_bucket, 0,
	       sizeof(*tlb->t1_bucket) * (PCV_T1_BUCKETS + PCV_T1_SMALL));
	tlb->t1_nsmall = 0;
	for (uint32_t i = 0; i < tlb->nentries; i++) {
		struct ppcvirt_book3e_206_tlb_entry e = tlb->array[i];

		pcv_tlb_decode(tlb, i,
			       pcv_tlb_check_entry(tlb, i, &e) ? NULL : &e);
	}
}

/* Invalidate one entry: clear MAS1[V] only (QEMU; KVM zeroes MAS1). */
void pcv_tlb_inval(struct ppcvirt_tlb *tlb, uint32_t idx)
{
	tlb->array[idx].mas1 &= ~PPCVIRT_MAS1_V;
	pcv_tlb_decode(tlb, idx, NULL);
}

/*
 * Does decoded entry @d match? The cheap key compare (V and TS) goes first
 * and short-circuits most non-matching ways. PIDs a core lacks are 0 in
 * @pids, which can only "match" TID 0, global anyway. (A branch-free
 * version measured slower: misses compare every way either way, and the
 * short-circuit saves the loads.)
 */
static inline bool entry_match(const struct pcv_tlbe *d, uint32_t key,
			       uint32_t ea, const uint32_t *pids)
{
	return d->key == key && (ea & d->mask) == d->epn &&
	       (d->tid == 0 || d->tid == pids[0] || d->tid == pids[1] ||
		d->tid == pids[2]);
}

/*
 * Count the entries matching (@ea, @as, @pids[3]). Returns 0, 1 or 2 (for
 * "two or more") and the array index of the first match in TLB0-then-TLB1
 * order.
 */
int pcv_tlb_lookup(const struct ppcvirt_tlb *tlb, uint32_t ea, unsigned as,
		   const uint32_t *pids, uint32_t *idx_out)
{
	uint32_t key = PCV_TLBE_V | (as ? PCV_TLBE_TS : 0);
	uint32_t base = ((ea >> 12) & tlb->set_mask0) * tlb->ways0;
	const struct pcv_tlbe *d = &tlb->dec[base];
	uint64_t bits;
	int n = 0;

	for (uint32_t w = 0; w < tlb->ways0; w++) {
		if (entry_match(&d[w], key, ea, pids)) {
			if (n++)
				return 2;
			*idx_out = base + w;
		}
	}
	bits = pcv_t1_candidates(tlb, ea);
	while (bits) {
		uint32_t i = tlb->size0 + (uint32_t)__builtin_ctzll(bits);

		bits &= bits - 1;
		if (entry_match(&tlb->dec[i], key, ea, pids)) {
			if (n++)
				return 2;
			*idx_out = i;
		}
	}
	return n;
}

static int check_index(const struct ppcvirt_tlb *tlb, unsigned tlbsel,
		       uint32_t index, uint32_t *idx)
{
	if (tlbsel == 0 && index < tlb->size0)
		*idx = index;
	else if (tlbsel == 1 && index < tlb->size1)
		*idx = tlb->size0 + index;
	else
		return -EINVAL;
	return 0;
}

int ppcvirt_tlb_entry_index(const struct ppcvirt_tlb *tlb, unsigned tlbsel,
			    uint32_t set, uint32_t way)
{
	if (!tlb)
		return -EINVAL;
	if (tlbsel == 0) {
		if (set >= tlb->sets0 || way >= tlb->ways0)
			return -EINVAL;
		return (int)(set * tlb->ways0 + way);
	}
	if (tlbsel == 1 && set == 0 && way < tlb->size1)
		return (int)way;
	return -EINVAL;
}

int ppcvirt_tlb_read_entry(const struct ppcvirt_tlb *tlb, unsigned tlbsel,
			   uint32_t index,
			   struct ppcvirt_book3e_206_tlb_entry *e)
{
	uint32_t idx;

	if (!tlb || !e || check_index(tlb, tlbsel, index, &idx))
		return -EINVAL;
	*e = tlb->array[idx];
	return 0;
}

int ppcvirt_tlb_write_entry(struct ppcvirt_tlb *tlb, unsigned tlbsel,
			    uint32_t index,
			    const struct ppcvirt_book3e_206_tlb_entry *e)
{
	struct ppcvirt_book3e_206_tlb_entry copy;
	uint32_t idx;
	int r;

	if (!tlb || !e)
		return -EINVAL;
	tlb->err[0] = '\0';
	if (check_index(tlb, tlbsel, index, &idx)) {
		snprintf(tlb->err, sizeof(tlb->err), "TLB%u has no entry %u",
			 tlbsel, index);
		return -EINVAL;
	}
	copy = *e; /* @e may alias the shared array */
	r = pcv_tlb_check_entry(tlb, idx, &copy);
	if (r)
		return r;
	tlb->array[idx] = copy;
	pcv_tlb_decode(tlb, idx, &copy);
	return 0;
}

int ppcvirt_tlb_read_all(const struct ppcvirt_tlb *tlb,
			 struct ppcvirt_book3e_206_tlb_entry *out, uint32_t n)
{
	if (!tlb || !out)
		return -EINVAL;
	if (n < tlb->nentries)
		return -ENOSPC;
	memmove(out, tlb->array, sizeof(*out) * tlb->nentries);
	return (int)tlb->nentries;
}

int ppcvirt_tlb_write_all(struct ppcvirt_tlb *tlb,
			  const struct ppcvirt_book3e_206_tlb_entry *in,
			  uint32_t n)
{
	if (!tlb || !in)
		return -EINVAL;
	tlb->err[0] = '\0';
	if (n != tlb->nentries) {
		snprintf(tlb->err, sizeof(tlb->err),
			 "%u entries given, the TLB has %u", n, tlb->nentries);
		return -EINVAL;
	}
	/* Validate everything first: all or nothing. */
	for (uint32_t i = 0; i < n; i++) {
		int r = pcv_tlb_check_entry(tlb, i, &in[i]);

		if (r)
			return r;
	}
	memmove(tlb->array, in, sizeof(*in) * n);
	pcv_tlb_decode_all(tlb);
	return 0;
}

int ppcvirt_tlb_invalidate_all(struct ppcvirt_tlb *tlb)
{
	if (!tlb)
		return -EINVAL;
	memset(tlb->array, 0, sizeof(*tlb->array) * tlb->nentries);
	pcv_tlb_decode_all(tlb);
	tlb->last_way = 0;
	return 0;
}

/* Load 8 bitmap bytes as a little-endian word (bit i = byte i/8, bit i%8). */
static uint64_t bitmap_word(const uint8_t *bm, uint32_t nbytes, uint32_t w)
{
	uint64_t v = 0;
	uint32_t off = w * 8;

	if (nbytes - off >= 8) {
		memcpy(&v, bm + off, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		return v;
	}
	for (uint32_t i = 0; i < nbytes - off; i++)
		v |= (uint64_t)bm[off + i] << (8 * i);
	return v;
}

/* Re-read every entry (dirty bitmap 0). */
static int dirty_all(struct ppcvirt_tlb *tlb)
{
	for (uint32_t i = 0; i < tlb->nentries; i++) {
		int r = pcv_tlb_check_entry(tlb, i, &tlb->array[i]);

		if (r)
			return r;
	}
	pcv_tlb_decode_all(tlb);
	return 0;
}

#define DIRTY_LIST 64

int ppcvirt_tlb_dirty(struct ppcvirt_tlb *tlb,
		      const struct ppcvirt_dirty_tlb *dirty)
{
	struct ppcvirt_book3e_206_tlb_entry snap[DIRTY_LIST];
	uint32_t list[DIRTY_LIST], nlist = 0, nbytes, nwords;
	const uint8_t *bm;
	bool overflow = false;

	if (!tlb || !dirty)
		return -EINVAL;
	tlb->err[0] = '\0';
	if (!dirty->bitmap)
		return dirty_all(tlb);
	bm = (const uint8_t *)(uintptr_t)dirty->bitmap;
	nbytes = (tlb->nentries + 7) / 8;
	nwords = (nbytes + 7) / 8;
	/*
	 * Pass 1 validates a snapshot of every marked entry and keeps up to
	 * 64 snapshots; pass 2 commits them (the common small sync reads the
	 * bitmap and the array once). Beyond 64, pass 2 re-reads and
	 * re-checks each entry; only a VMM breaking the contract by writing
	 * during the call can make that fail, leaving a partial sync.
	 * Bits past the last entry are ignored.
	 */
	for (uint32_t w = 0; w < nwords; w++) {
		for (uint64_t bits = bitmap_word(bm, nbytes, w); bits;
		     bits &= bits - 1) {
			uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(bits);
			struct ppcvirt_book3e_206_tlb_entry e;
			int r;

			if (i >= tlb->nentries)
				break;
			e = tlb->array[i];
			r = pcv_tlb_check_entry(tlb, i, &e);
			if (r)
				return r;
			if (nlist < DIRTY_LIST) {
				snap[nlist] = e;
				list[nlist++] = i;
			} else {
				overflow = true;
			}
		}
	}
	if (!overflow) {
		for (uint32_t k = 0; k < nlist; k++)
			pcv_tlb_decode(tlb, list[k], &snap[k]);
		return 0;
	}
	for (uint32_t w = 0; w < nwords; w++) {
		for (uint64_t bits = bitmap_word(bm, nbytes, w); bits;
		     bits &= bits - 1) {
			uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(bits);
			struct ppcvirt_book3e_206_tlb_entry e;
			int r;

			if (i >= tlb->nentries)
				break;
			e = tlb->array[i];
			r = pcv_tlb_check_entry(tlb, i, &e);
			if (r)
				return r;
			pcv_tlb_decode(tlb, i, &e);
		}
	}
	return 0;
}

static const uint8_t perm_bit[2][3] = {
	/* supervisor: R W X */
	{PPCVIRT_MAS3_SR, PPCVIRT_MAS3_SW, PPCVIRT_MAS3_SX},
	/* user */
	{PPCVIRT_MAS3_UR, PPCVIRT_MAS3_UW, PPCVIRT_MAS3_UX},
};

int ppcvirt_tlb_xlate(const struct ppcvirt_tlb *tlb, uint64_t ea, unsigned as,
		      uint32_t pid, unsigned pr, unsigned access,
		      struct ppcvirt_tlb_xlate *out)
{
	uint32_t pids[3], idx = 0, ea32 = (uint32_t)ea;
	const struct pcv_tlbe *d;
	int n;

	if (!tlb || !out || as > 1 || pr > 1 || access > PPCVIRT_TLB_ACCESS_X)
		return -EINVAL;
	pids[0] = pid & tlb->pid_mask;
	pids[1] = tlb->pid[1];
	pids[2] = tlb->pid[2];
	memset(out, 0, sizeof(*out));
	n = pcv_tlb_lookup(tlb, ea32, as, pids, &idx);
	if (n == 0) {
		out->status = PPCVIRT_TLB_MISS;
		return (int)out->status;
	}
	if (n > 1) {
		out->status = PPCVIRT_TLB_MULTIPLE;
		return (int)out->status;
	}
	d = &tlb->dec[idx];
	out->tlbsel = is_tlb1(tlb, idx);
	out->index = out->tlbsel ? idx - tlb->size0 : idx;
	out->perms = d->perms;
	out->attrs = d->attrs;
	out->tid = d->tid;
	out->page_size = pcv_tsize_bytes(d->tsize);
	out->real_addr = d->rpn | (ea32 & ~d->mask);
	out->status = (d->perms & perm_bit[pr][access]) ? PPCVIRT_TLB_HIT
							: PPCVIRT_TLB_DENIED;
	return (int)out->status;
}

int ppcvirt_tlb_translate(const struct ppcvirt_tlb *tlb,
			  struct ppcvirt_translation *tr)
{
	uint32_t pids[3] = {0, 0, 0}, idx = 0, ea32;
	unsigned as;
	int n;

	if (!tlb || !tr)
		return -EINVAL;
	ea32 = (uint32_t)tr->linear_address;
	pids[0] = (uint32_t)(tr->linear_address >> 32) & 0xff & tlb->pid_mask;
	as = (unsigned)(tr->linear_address >> 40) & 1;
	n = pcv_tlb_lookup(tlb, ea32, as, pids, &idx);
	tr->valid = 0;
	if (n > 1)
		return -EEXIST;
	if (n == 1) {
		const struct pcv_tlbe *d = &tlb->dec[idx];

		tr->physical_address = d->rpn | (ea32 & ~d->mask);
		tr->valid = 1;
	}
	return 0;
}
