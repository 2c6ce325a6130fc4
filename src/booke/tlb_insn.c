/* SPDX-License-Identifier: MIT */
/*
 * BookE e500 TLB: the guest's MMU instructions on the per-vCPU MAS register
 * file (tlbwe, tlbre, tlbsx, tlbivax, tlbilx, MMUCSR0 flash invalidate).
 *
 * Semantics are the e500mc architecture as QEMU 7.2 implements it
 * (docs/booke-architecture.md §4.6-§4.11, confirmed in §9.1), not KVM's
 * simplified e500 emulation (§4.12). Deliberate departures from QEMU, where
 * QEMU models something the MAV 1.0 architecture does not have (§9.2): MAS0's
 * MAV 2.0 WQ/ATSEL/HES bits are ignored, a tlbsx miss builds MAS1 from the SPID
 * and SAS fields rather than copying MAS6's upper half, and the TID compare
 * uses the core's PID width. Multi-hit is reported, never resolved.
 *
 * Every instruction either completes or, when the architecture rejects it,
 * returns PPCVIRT_TLB_PROGRAM having changed nothing (a program interrupt
 * with ESR[PIL] in the guest).
 *
 * The victim counter is QEMU's last_way: one TLB0 round-robin counter that
 * a tlbsx miss or a delivered DTLB/ITLB miss advances modulo the TLB0 ways
 * (whatever MAS4[TLBSELD] says); tlbre and tlbsx hits report it in
 * MAS0[NV]; tlbwe neither uses nor loads it.
 */
#include <errno.h>
#include <string.h>

#include "booke.h"

/* Find the array index tlbwe/tlbre address: -1 if the entry does not exist. */
static int64_t mas_target(const struct ppcvirt_tlb *tlb, uint32_t *way)
{
	uint32_t mas0 = tlb->mas.mas0;
	uint32_t tlbsel = (mas0 & PPCVIRT_MAS0_TLBSEL_MASK) >> 28;
	uint32_t esel = (mas0 & PPCVIRT_MAS0_ESEL_MASK) >> 16;

	if (tlbsel == 0) {
		uint32_t set = ((uint32_t)tlb->mas.mas2 >> 12) & tlb->set_mask0;

		*way = esel & (tlb->ways0 - 1);
		return (int64_t)set * tlb->ways0 + *way;
	}
	if (tlbsel == 1) {
		*way = esel & tlb->esel_mask1;
		if (*way >= tlb->size1)
			return -1;
		return (int64_t)tlb->size0 + *way;
	}
	return -1; /* TLB2/TLB3 do not exist on e500 */
}

static void load_mas(struct ppcvirt_tlb *tlb, uint32_t idx, uint32_t way)
{
	const struct ppcvirt_book3e_206_tlb_entry *e = &tlb->array[idx];
	uint32_t tlbsel = idx >= tlb->size0;

	tlb->mas.mas0 = PPCVIRT_MAS0_TLBSEL(tlbsel) | PPCVIRT_MAS0_ESEL(way) |
			(tlb->last_way & PPCVIRT_MAS0_NV_MASK);
	tlb->mas.mas1 = e->mas1;
	tlb->mas.mas2 = e->mas2;
	tlb->mas.mas3 = (uint32_t)e->mas7_3;
	tlb->mas.mas7 = (uint32_t)(e->mas7_3 >> 32);
}

int ppcvirt_tlb_tlbwe(struct ppcvirt_tlb *tlb)
{
	struct ppcvirt_book3e_206_tlb_entry e;
	uint32_t way, mas1, tsize;
	uint64_t size;
	int64_t idx;

	if (!tlb)
		return -EINVAL;
	idx = mas_target(tlb, &way);
	if (idx < 0)
		return PPCVIRT_TLB_PROGRAM;
	mas1 = tlb->mas.mas1;
	if (idx >= tlb->size0) {
		tsize = pcv_mas1_tsize(mas1);
		/*
		 * TLB1CFG[AVAIL]: a valid entry needs a size in
		 * MINSIZE..MAXSIZE (4^n KiB, so an even TSIZE 2..24). An
		 * invalid one is stored raw (§9.1).
		 */
		if ((mas1 & PPCVIRT_MAS1_V) &&
		    ((tsize & 1) || tsize < PCV_TLB1_TSIZE_MIN ||
		     tsize > PCV_TLB1_TSIZE_MAX))
			return PPCVIRT_TLB_PROGRAM;
	} else {
		/* TLB0 has no AVAIL (fixed 4K) and no IPROT. */
		tsize = PCV_TSIZE_4K;
		mas1 = (mas1 &
			~(PPCVIRT_MAS1_TSIZE_MASK | PPCVIRT_MAS1_IPROT)) |
		       PPCVIRT_MAS1_TSIZE(PCV_TSIZE_4K);
	}
	size = pcv_tsize_bytes(tsize);
	e.mas8 = tlb->array[idx].mas8; /* tlbwe does not write MAS8 on e500 */
	e.mas1 = mas1;
	/*
	 * 32-bit mode (e500 has no 64-bit mode): EA bits 0..31 only; the EPN
	 * is aligned to the page, the attribute bits X0 X1 W I M G E kept.
	 */
	e.mas2 = (tlb->mas.mas2 & 0xffffffffull) &
		 (~(size - 1) | PPCVIRT_MAS2_ATTR_MASK);
	e.mas7_3 = (uint64_t)tlb->mas.mas7 << 32 | tlb->mas.mas3;
	tlb->array[idx] = e;
	pcv_tlb_decode(tlb, (uint32_t)idx, &e);
	return PPCVIRT_TLB_OK;
}

int ppcvirt_tlb_tlbre(struct ppcvirt_tlb *tlb)
{
	uint32_t way;
	int64_t idx;

	if (!tlb)
		return -EINVAL;
	idx = mas_target(tlb, &way);
	if (idx < 0) {
		/* No such entry: MAS1 reads 0, the rest is left alone. */
		tlb->mas.mas1 = 0;
		return PPCVIRT_TLB_OK;
	}
	load_mas(tlb, (uint32_t)idx, way);
	return PPCVIRT_TLB_OK;
}

int ppcvirt_tlb_tlbsx(struct ppcvirt_tlb *tlb, uint64_t ea)
{
	uint32_t mas4, spid, sas, idx = 0, pids[3] = {0, 0, 0};
	int n;

	if (!tlb)
		return -EINVAL;
	spid = ((tlb->mas.mas6 & PPCVIRT_MAS6_SPID_MASK) >> 16) & tlb->pid_mask;
	sas = tlb->mas.mas6 & PPCVIRT_MAS6_SAS;
	pids[0] = spid;
	n = pcv_tlb_lookup(tlb, (uint32_t)ea, sas, pids, &idx);
	if (n > 1)
		return PPCVIRT_TLB_MULTIHIT;
	if (n == 1) {
		uint32_t way =
			idx < tlb->size0 ? idx % tlb->ways0 : idx - tlb->size0;

		load_mas(tlb, idx, way);
		return PPCVIRT_TLB_OK;
	}
	/* Miss: default fill from MAS4, victim from the round robin. */
	mas4 = tlb->mas.mas4;
	tlb->mas.mas0 = (mas4 & PPCVIRT_MAS4_TLBSELD_MASK) |
			PPCVIRT_MAS0_ESEL(tlb->last_way);
	tlb->last_way = (tlb->last_way + 1) & (tlb->ways0 - 1);
	tlb->mas.mas0 |= tlb->last_way & PPCVIRT_MAS0_NV_MASK;
	tlb->mas.mas1 = PPCVIRT_MAS1_TID(spid) | (sas ? PPCVIRT_MAS1_TS : 0) |
			(mas4 & PPCVIRT_MAS4_TSIZED_MASK);
	tlb->mas.mas2 = mas4 & PPCVIRT_MAS4_WIMGED_MASK;
	tlb->mas.mas3 = 0;
	tlb->mas.mas7 = 0;
	return PPCVIRT_TLB_OK;
}

int ppcvirt_tlb_deliver_miss(struct ppcvirt_tlb *tlb, uint64_t ea, unsigned as,
			     uint32_t pid0)
{
	uint32_t mas4, tidseld, tid;

	if (!tlb || as > 1)
		return -EINVAL;
	mas4 = tlb->mas.mas4;
	tidseld = (mas4 & PPCVIRT_MAS4_TIDSELD_MASK) >> 16;
	pid0 &= tlb->pid_mask;
	/* TIDSELD 3 = TID 0; a PID register the core lacks reads 0. */
	tid = tidseld == 0 ? pid0 : tidseld == 3 ? 0 : tlb->pid[tidseld];
	tlb->mas.mas0 = (mas4 & PPCVIRT_MAS4_TLBSELD_MASK) |
			PPCVIRT_MAS0_ESEL(tlb->last_way);
	tlb->last_way = (tlb->last_way + 1) & (tlb->ways0 - 1);
	tlb->mas.mas0 |= tlb->last_way & PPCVIRT_MAS0_NV_MASK;
	tlb->mas.mas1 = PPCVIRT_MAS1_V | PPCVIRT_MAS1_TID(tid) |
			(as ? PPCVIRT_MAS1_TS : 0) |
			(mas4 & PPCVIRT_MAS4_TSIZED_MASK);
	tlb->mas.mas2 = ((uint32_t)ea & PPCVIRT_MAS2_EPN_MASK) |
			(mas4 & PPCVIRT_MAS4_WIMGED_MASK);
	tlb->mas.mas3 = 0;
	tlb->mas.mas7 = 0;
	/* SPID is PID0 whatever TIDSELD chose (docs/booke-architecture.md
	 * §9.1). */
	tlb->mas.mas6 = PPCVIRT_MAS1_TID(pid0) | (as ? PPCVIRT_MAS6_SAS : 0);
	return 0;
}

/* Invalidate every non-IPROT entry in [from, to). */
static void inval_range(struct ppcvirt_tlb *tlb, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		uint32_t mas1 = tlb->array[i].mas1;

		if ((mas1 & PPCVIRT_MAS1_V) && !(mas1 & PPCVIRT_MAS1_IPROT))
			pcv_tlb_inval(tlb, i);
	}
}

/*
 * Does invalidation by EA take entry @i? Non-IPROT, valid, page contains
 * @ea; for tlbilx T=3 (@by_pid) also TID 0 or @pid, and MAS1[IND] equal to
 * MAS6[SIND] (QEMU's tlbilx checks it, docs/booke-architecture.md §9.1; IND is
 * a reserved MAS1 bit on this MAV 1.0 core, but tlbwe stores it raw).
 */
static bool ea_victim(const struct ppcvirt_tlb *tlb, uint32_t i, uint32_t ea,
		      bool by_pid, uint32_t pid)
{
	const struct pcv_tlbe *d = &tlb->dec[i];

	if (!(d->key & PCV_TLBE_V) || d->iprot || (ea & d->mask) != d->epn)
		return false;
	if (!by_pid)
		return true;
	if (!!(tlb->array[i].mas1 & PCV_MAS1_IND) !=
	    !!(tlb->mas.mas6 & PCV_MAS6_SIND))
		return false;
	return d->tid == 0 || d->tid == pid;
}

/*
 * Invalidate the entries of TLB @tlbsel ea_victim() picks; TS is ignored.
 */
static void inval_ea(struct ppcvirt_tlb *tlb, unsigned tlbsel, uint32_t ea,
		     bool by_pid, uint32_t pid)
{
	if (tlbsel == 0) {
		uint32_t base = ((ea >> 12) & tlb->set_mask0) * tlb->ways0;

		for (uint32_t w = 0; w < tlb->ways0; w++)
			if (ea_victim(tlb, base + w, ea, by_pid, pid))
				pcv_tlb_inval(tlb, base + w);
		return;
	}
	for (uint64_t bits = pcv_t1_candidates(tlb, ea); bits;
	     bits &= bits - 1) {
		uint32_t i = tlb->size0 + (uint32_t)__builtin_ctzll(bits);

		if (ea_victim(tlb, i, ea, by_pid, pid))
			pcv_tlb_inval(tlb, i);
	}
}

int ppcvirt_tlb_tlbivax(struct ppcvirt_tlb *tlb, uint64_t ea)
{
	unsigned tlbsel;

	if (!tlb)
		return -EINVAL;
	tlbsel = (ea & PPCVIRT_TLBIVAX_TLBSEL) ? 1 : 0;
	if (ea & PPCVIRT_TLBIVAX_IA) {
		if (tlbsel)
			inval_range(tlb, tlb->size0, tlb->nentries);
		else
			inval_range(tlb, 0, tlb->size0);
		return PPCVIRT_TLB_OK;
	}
	inval_ea(tlb, tlbsel, (uint32_t)ea & 0xfffff000u, false, 0);
	return PPCVIRT_TLB_OK;
}

int ppcvirt_tlb_tlbilx(struct ppcvirt_tlb *tlb, unsigned t, uint64_t ea)
{
	uint32_t spid;

	if (!tlb)
		return -EINVAL;
	spid = ((tlb->mas.mas6 & PPCVIRT_MAS6_SPID_MASK) >> 16) & tlb->pid_mask;
	switch (t) {
	case 0:
		inval_range(tlb, 0, tlb->nentries);
		return PPCVIRT_TLB_OK;
	case 1:
		/* TID == SPID exactly: TID 0 entries go only for SPID 0. */
		for (uint32_t i = 0; i < tlb->nentries; i++) {
			uint32_t mas1 = tlb->array[i].mas1;
			uint32_t tid = ((mas1 & PPCVIRT_MAS1_TID_MASK) >> 16) &
				       tlb->pid_mask;

			if ((mas1 & PPCVIRT_MAS1_V) &&
			    !(mas1 & PPCVIRT_MAS1_IPROT) && tid == spid)
				pcv_tlb_inval(tlb, i);
		}
		return PPCVIRT_TLB_OK;
	case 3:
		/* "e500mc doesn't match SAS": any TS, every match. */
		inval_ea(tlb, 0, (uint32_t)ea, true, spid);
		inval_ea(tlb, 1, (uint32_t)ea, true, spid);
		return PPCVIRT_TLB_OK;
	default:
		/* T=2 is reserved on e500mc (QEMU: program interrupt). */
		return PPCVIRT_TLB_PROGRAM;
	}
}

int ppcvirt_tlb_mmucsr0_write(struct ppcvirt_tlb *tlb, uint32_t val)
{
	if (!tlb)
		return -EINVAL;
	if (val & PPCVIRT_MMUCSR0_TLB0FI)
		inval_range(tlb, 0, tlb->size0);
	if (val & PPCVIRT_MMUCSR0_TLB1FI)
		inval_range(tlb, tlb->size0, tlb->nentries);
	return PPCVIRT_TLB_OK;
}

int ppcvirt_tlb_get_mas(const struct ppcvirt_tlb *tlb,
			struct ppcvirt_booke_mas *mas)
{
	if (!tlb || !mas)
		return -EINVAL;
	*mas = tlb->mas;
	return 0;
}

int ppcvirt_tlb_set_mas(struct ppcvirt_tlb *tlb,
			const struct ppcvirt_booke_mas *mas)
{
	if (!tlb || !mas)
		return -EINVAL;
	tlb->mas = *mas;
	tlb->mas.pad = 0;
	return 0;
}

int ppcvirt_tlb_set_pid(struct ppcvirt_tlb *tlb, unsigned n, uint32_t pid)
{
	if (!tlb || n > 2)
		return -EINVAL;
	if (n >= tlb->npids)
		return -ENOENT;
	tlb->pid[n] = pid & tlb->pid_mask;
	return 0;
}

long ppcvirt_tlb_get_pid(const struct ppcvirt_tlb *tlb, unsigned n)
{
	if (!tlb || n > 2)
		return -EINVAL;
	if (n >= tlb->npids)
		return -ENOENT;
	return (long)tlb->pid[n];
}
