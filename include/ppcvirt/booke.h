/* SPDX-License-Identifier: MIT */
/*
 * BookE e500 software-managed TLB, in the shape of KVM_CAP_SW_TLB.
 *
 * What it models: the guest TLB of one Freescale e500v2 or e500mc vCPU
 * (MMU architecture version 1.0): a set-associative TLB0 of fixed 4 KiB
 * pages and a fully associative TLB1 of variable pages, the MAS register
 * file the guest uses to read and write them, and the lookup that turns an
 * effective address into a real address.
 *
 * Interfaces mirrored:
 *   - KVM_ENABLE_CAP(KVM_CAP_SW_TLB) with struct kvm_config_tlb and
 *     struct kvm_book3e_206_tlb_params: ppcvirt_tlb_config(). The entry
 *     array is shared with (borrowed from) the VMM, exactly as KVM pins
 *     QEMU's env->tlb.tlbm: every TLB0 entry (set-major, then way), then
 *     every TLB1 entry, host-native endianness.
 *   - KVM_DIRTY_TLB: ppcvirt_tlb_dirty(). Unlike KVM, which ignores the
 *     bitmap and flushes everything, only the marked entries are re-read.
 *   - KVM_TRANSLATE: ppcvirt_tlb_translate(); ppcvirt_tlb_xlate() is the
 *     richer form (entry, page size, permissions, WIMGE, permission check).
 *   - The 2011 "vcpu mmu access" RFC's single-entry get/set and invalidate
 *     operations: ppcvirt_tlb_read_entry() and friends.
 *   - Guest instructions tlbwe, tlbre, tlbsx, tlbivax, tlbilx and the
 *     MMUCSR0 flash invalidate, on the per-vCPU MAS register file.
 *
 * Semantics follow the e500mc architecture as QEMU 7.2 implements it, not
 * KVM's simplifications. Where the two differ:
 *   - PIDs: an entry matches TID 0 or any PID register the core has (e500v2:
 *     PID0..PID2; e500mc: PID0 only). KVM matches PID0 only. The TID/PID
 *     compare uses the core's PID width (8 bits e500v2, 14 bits e500mc);
 *     QEMU compares the whole 32-bit PID register.
 *   - tlbwe: a V=1 TLB1 write with a page size TLB1CFG does not allow, or a
 *     TLBSEL of 2/3, or an ESEL naming no entry, is a program interrupt and
 *     changes nothing (KVM stores anything). TLB0 always stores 4 KiB and
 *     clears IPROT; the EPN is aligned to the page size (KVM stores it raw).
 *   - tlbivax without IA invalidates every entry of the selected TLB whose
 *     page contains the EA, whatever its TID and TS (KVM: first match with
 *     PID0 only). tlbilx T=3 invalidates every match (KVM: the first).
 *     IPROT entries always survive; invalidation clears only MAS1[V].
 *   - Several entries matching one lookup is reported as an error
 *     (PPCVIRT_TLB_MULTIHIT from an instruction, PPCVIRT_TLB_MULTIPLE from a
 *     lookup); KVM and QEMU silently take the first.
 *   - Reserved MAS0 bits (MAV 2.0 WQ, ATSEL, HES) are ignored: QEMU honours
 *     them on this MAV 1.0 core. A tlbsx miss builds MAS1 from MAS6[SPID]
 *     and MAS6[SAS] only (QEMU copies the upper half of MAS6 raw).
 *   - The TLB0 next-victim counter is QEMU's single round-robin counter: a
 *     tlbsx miss or a delivered TLB miss advances it, tlbwe does not load
 *     it from MAS0[NV].
 *
 * Concurrency: a struct ppcvirt_tlb is per-vCPU state and single-threaded by
 * contract, like KVM's vCPU ioctls: the caller serialises every call on one
 * TLB. Different TLBs are independent.
 */
#ifndef PPCVIRT_BOOKE_H
#define PPCVIRT_BOOKE_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* struct ppcvirt_config_tlb.mmu_type (KVM_MMU_FSL_BOOKE_*). */
#define PPCVIRT_MMU_FSL_BOOKE_NOHV 0
#define PPCVIRT_MMU_FSL_BOOKE_HV   1

/* Like struct kvm_book3e_206_tlb_entry (24 bytes, host endianness). */
struct ppcvirt_book3e_206_tlb_entry {
	uint32_t mas8;
	uint32_t mas1;
	uint64_t mas2;
	uint64_t mas7_3; /* MAS7 << 32 | MAS3 */
};

/* Like struct kvm_book3e_206_tlb_params (64 bytes). */
struct ppcvirt_book3e_206_tlb_params {
	uint32_t tlb_sizes[4];
	uint32_t tlb_ways[4];
	uint32_t reserved[8];
};

/* Like struct kvm_config_tlb (24 bytes). Pointers travel as integers. */
struct ppcvirt_config_tlb {
	uint64_t params; /* (uintptr_t) const struct ..._tlb_params * */
	uint64_t array;	 /* (uintptr_t) struct ..._tlb_entry * */
	uint32_t mmu_type;
	uint32_t array_len; /* bytes available at array */
};

/* Like struct kvm_dirty_tlb (16 bytes). */
struct ppcvirt_dirty_tlb {
	uint64_t bitmap; /* (uintptr_t) const uint8_t *, or 0 = everything */
	uint32_t num_dirty;
	uint32_t pad;
};

/* Like struct kvm_translation (24 bytes). */
struct ppcvirt_translation {
	uint64_t linear_address;   /* in: EA | PID << 32 | AS << 40 */
	uint64_t physical_address; /* out, on a hit */
	uint8_t valid;		   /* out */
	uint8_t writeable;	   /* left unchanged, as in KVM */
	uint8_t usermode;	   /* left unchanged, as in KVM */
	uint8_t pad[5];
};

/* The core a TLB models (PID registers, PID width, TLBnCFG constants). */
enum ppcvirt_booke_core {
	PPCVIRT_BOOKE_E500V2 = 0, /* 512/4 + 16, PID0..2, 8-bit PIDs */
	PPCVIRT_BOOKE_E500MC = 1, /* 512/4 + 64, PID0 only, 14-bit PIDs */
};

/* MAS register field masks (EREF; docs/booke-architecture.md §4.1). */
#define PPCVIRT_MAS0_TLBSEL_MASK  0x30000000u
#define PPCVIRT_MAS0_TLBSEL(x)	  (((uint32_t)(x)&3u) << 28)
#define PPCVIRT_MAS0_ESEL_MASK	  0x0fff0000u
#define PPCVIRT_MAS0_ESEL(x)	  (((uint32_t)(x)&0xfffu) << 16)
#define PPCVIRT_MAS0_NV_MASK	  0x00000fffu
#define PPCVIRT_MAS1_V		  0x80000000u
#define PPCVIRT_MAS1_IPROT	  0x40000000u
#define PPCVIRT_MAS1_TID_MASK	  0x3fff0000u
#define PPCVIRT_MAS1_TID(x)	  (((uint32_t)(x)&0x3fffu) << 16)
#define PPCVIRT_MAS1_TS		  0x00001000u
#define PPCVIRT_MAS1_TSIZE_MASK	  0x00000f80u
#define PPCVIRT_MAS1_TSIZE(x)	  (((uint32_t)(x)&0x1fu) << 7)
#define PPCVIRT_MAS2_EPN_MASK	  0xfffff000u
#define PPCVIRT_MAS2_ATTR_MASK	  0x0000007fu /* X0 X1 W I M G E */
#define PPCVIRT_MAS3_RPN_MASK	  0xfffff000u
#define PPCVIRT_MAS3_UX		  0x20u
#define PPCVIRT_MAS3_SX		  0x10u
#define PPCVIRT_MAS3_UW		  0x08u
#define PPCVIRT_MAS3_SW		  0x04u
#define PPCVIRT_MAS3_UR		  0x02u
#define PPCVIRT_MAS3_SR		  0x01u
#define PPCVIRT_MAS4_TLBSELD_MASK 0x30000000u
#define PPCVIRT_MAS4_TIDSELD_MASK 0x00030000u
#define PPCVIRT_MAS4_TSIZED_MASK  0x00000f80u
#define PPCVIRT_MAS4_WIMGED_MASK  0x0000001fu
#define PPCVIRT_MAS6_SPID_MASK	  0x3fff0000u
#define PPCVIRT_MAS6_SAS	  0x00000001u
#define PPCVIRT_MMUCSR0_TLB0FI	  0x4u
#define PPCVIRT_MMUCSR0_TLB1FI	  0x2u
/* tlbivax EA bits. */
#define PPCVIRT_TLBIVAX_IA     0x4u
#define PPCVIRT_TLBIVAX_TLBSEL 0x8u

/* The MAS register file of one vCPU (MAS5 does not exist on MAV 1.0). */
struct ppcvirt_booke_mas {
	uint32_t mas0;
	uint32_t mas1;
	uint64_t mas2;
	uint32_t mas3;
	uint32_t mas4;
	uint32_t mas6;
	uint32_t mas7;
	uint32_t mas8;
	uint32_t pad;
};

/*
 * Guest-visible outcome of an emulated instruction (non-negative returns of
 * ppcvirt_tlb_tlbwe() and friends). Host/API errors are -errno as usual.
 */
enum ppcvirt_tlb_outcome {
	PPCVIRT_TLB_OK = 0,	  /* executed */
	PPCVIRT_TLB_PROGRAM = 1,  /* program interrupt (ESR[PIL]); no change */
	PPCVIRT_TLB_MULTIHIT = 2, /* several entries match; no change */
};

/*
 * Outcome of a lookup (struct ppcvirt_tlb_xlate.status, and the return of
 * ppcvirt_tlb_xlate()). Distinct from the instruction outcomes above, so
 * that a value cannot be read as the other kind.
 */
enum ppcvirt_tlb_status {
	PPCVIRT_TLB_HIT = 0x10,
	PPCVIRT_TLB_MISS = 0x11,
	PPCVIRT_TLB_DENIED = 0x12,   /* matched, permission fault (DSI/ISI) */
	PPCVIRT_TLB_MULTIPLE = 0x13, /* several entries match */
};

/* Access kinds for ppcvirt_tlb_xlate(). */
#define PPCVIRT_TLB_ACCESS_R 0
#define PPCVIRT_TLB_ACCESS_W 1
#define PPCVIRT_TLB_ACCESS_X 2

/* Result of ppcvirt_tlb_xlate(). */
struct ppcvirt_tlb_xlate {
	uint32_t status;    /* enum ppcvirt_tlb_status */
	uint32_t tlbsel;    /* matching entry (hit or denied) */
	uint32_t index;	    /* within its TLB: set * ways + way, or ESEL */
	uint32_t perms;	    /* MAS3 UX SX UW SW UR SR bits */
	uint32_t attrs;	    /* MAS2 X0 X1 W I M G E bits */
	uint32_t tid;	    /* MAS1[TID] */
	uint64_t page_size; /* bytes */
	uint64_t real_addr; /* on a hit (also filled when denied) */
};

struct ppcvirt_tlb;

/**
 * ppcvirt_tlb_create() - create the MMU state of one BookE vCPU.
 * @core: PPCVIRT_BOOKE_E500V2 or PPCVIRT_BOOKE_E500MC.
 * @out:  receives the TLB.
 *
 * The TLB starts with the core's own geometry (e500v2: 512/4 + 16;
 * e500mc: 512/4 + 64) in an internal, zeroed array, all MAS registers and
 * PIDs 0. (KVM's unconfigured default is 256/2 + 16 with undefined
 * contents.)
 *
 * Context: control plane.
 * Return: 0, -EINVAL (@out NULL or unknown @core), -ENOMEM.
 */
PPCVIRT_API int ppcvirt_tlb_create(enum ppcvirt_booke_core core,
				   struct ppcvirt_tlb **out);

/**
 * ppcvirt_tlb_destroy() - free a TLB. NULL is a no-op. A configured VMM
 * array is borrowed and left alone.
 *
 * Context: control plane; no other call on @tlb may be running.
 */
PPCVIRT_API void ppcvirt_tlb_destroy(struct ppcvirt_tlb *tlb);

/**
 * ppcvirt_tlb_config() - KVM_ENABLE_CAP(KVM_CAP_SW_TLB): install a geometry
 * and a VMM-owned entry array.
 * @tlb: the vCPU's TLB.
 * @cfg: params and array are host addresses carried as integers.
 *
 * Checks, in KVM's order: mmu_type must be NOHV (HV is rejected, as KVM
 * does); params readable; tlb_sizes[1] <= 64; tlb_ways[1] == tlb_sizes[1];
 * TLB2/TLB3 sizes and ways 0; tlb_ways[0] a power of two; the set count a
 * power of two; array_len >= (tlb_sizes[0] + tlb_sizes[1]) * 24. Stricter
 * than KVM: tlb_sizes[0] must be a multiple of tlb_ways[0], reserved[]
 * must be 0 (KVM ignores it), TLB0 at most 2048 entries and 128 ways (so
 * TLB0CFG[N_ENTRY, ASSOC] describe it), and the array 8-byte aligned. Then
 * every entry of the array is validated as by ppcvirt_tlb_dirty(); the new
 * contents are the array's. The array is borrowed until the next config or
 * ppcvirt_tlb_destroy(): tlbwe and the invalidations write to it, and the VMM
 * writes to it only between calls, followed by ppcvirt_tlb_dirty().
 *
 * On any error nothing changes. MAS registers, PIDs and the victim counter
 * are not reset (as in KVM).
 *
 * Context: control plane; caller serialises with every call on @tlb.
 * Return: 0; -EINVAL (@tlb or @cfg NULL, bad mmu_type or geometry, short
 * array_len, misaligned array, an invalid entry: see
 * ppcvirt_tlb_last_error()); -EFAULT (params or array is 0); -ENOMEM.
 */
PPCVIRT_API int ppcvirt_tlb_config(struct ppcvirt_tlb *tlb,
				   const struct ppcvirt_config_tlb *cfg);

/**
 * ppcvirt_tlb_set_geometry() - like ppcvirt_tlb_config(), but the entries
 * live in a fresh zeroed array that the TLB owns (tools, tests, reset to a
 * different geometry). The geometry rules are those of ppcvirt_tlb_config().
 *
 * Context: as ppcvirt_tlb_config().
 * Return: 0; -EINVAL (NULL, bad geometry: see ppcvirt_tlb_last_error());
 * -ENOMEM.
 */
PPCVIRT_API int
ppcvirt_tlb_set_geometry(struct ppcvirt_tlb *tlb,
			 const struct ppcvirt_book3e_206_tlb_params *params);

struct ppcvirt_enable_cap;

/**
 * ppcvirt_tlb_enable_cap() - the KVM_ENABLE_CAP vCPU ioctl shape:
 * cap == PPCVIRT_CAP_SW_TLB (69), flags == 0, args[0] = (uintptr_t) a
 * struct ppcvirt_config_tlb. Other args are ignored, as in KVM.
 *
 * Context: as ppcvirt_tlb_config().
 * Return: as ppcvirt_tlb_config(); -EINVAL for another cap or non-zero
 * flags; -EFAULT when args[0] is 0.
 */
PPCVIRT_API int ppcvirt_tlb_enable_cap(struct ppcvirt_tlb *tlb,
				       const struct ppcvirt_enable_cap *cap);

/**
 * ppcvirt_tlb_geometry() - the current geometry.
 * @params: receives tlb_sizes/tlb_ways (TLB2/3 and reserved zero).
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0, -EINVAL (NULL argument).
 */
PPCVIRT_API int
ppcvirt_tlb_geometry(const struct ppcvirt_tlb *tlb,
		     struct ppcvirt_book3e_206_tlb_params *params);

/**
 * ppcvirt_tlb_core() - the core given to ppcvirt_tlb_create().
 *
 * Context: any thread.
 * Return: the core, or -EINVAL for NULL.
 */
PPCVIRT_API int ppcvirt_tlb_core(const struct ppcvirt_tlb *tlb);

/**
 * ppcvirt_tlb_cfg_reg() - TLBnCFG as the guest reads it, derived from the
 * geometry (e500mc 512/4 + 64: 0x04110200 and 0x401CC040).
 * @n: 0..3 (TLB2CFG and TLB3CFG read 0).
 *
 * Context: caller serialises with every call on @tlb.
 * Return: the register value, or 0 for a NULL @tlb or @n > 3.
 */
PPCVIRT_API uint32_t ppcvirt_tlb_cfg_reg(const struct ppcvirt_tlb *tlb,
					 unsigned n);

/**
 * ppcvirt_tlb_last_error() - why the last -EINVAL from ppcvirt_tlb_config(),
 * ppcvirt_tlb_dirty(), ppcvirt_tlb_write_entry() or ppcvirt_tlb_write_all()
 * was returned, e.g. "TLB1 entry 5 (array index 517): TSIZE 13 (8M) is not a
 * TLB1 page size". Empty when there is nothing to report.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: a string owned by @tlb, valid until the next call on it.
 */
PPCVIRT_API const char *ppcvirt_tlb_last_error(const struct ppcvirt_tlb *tlb);

/**
 * ppcvirt_tlb_dirty() - KVM_DIRTY_TLB: re-read the entries the VMM changed.
 * @dirty: bitmap = (uintptr_t) one bit per entry in array order, bit i in
 *         byte i / 8 at bit i % 8 (little-endian bit order), at least
 *         (entries + 7) / 8 bytes; 0 re-reads every entry. num_dirty is a
 *         hint and is not trusted.
 *
 * Cost is proportional to the dirty entries (plus one 64-bit word per 64
 * entries of bitmap). Every marked entry is validated first (a valid entry
 * must have a page size legal for its TLB, an EPN aligned to it and below
 * 4 GiB, and, in TLB0, lie in the set its EPN selects and have no IPROT);
 * if one fails, nothing is re-read and the lookup state keeps the previous
 * contents of all entries until a later successful sync.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0; -EINVAL (NULL @tlb/@dirty, or an invalid entry: see
 * ppcvirt_tlb_last_error()).
 */
PPCVIRT_API int ppcvirt_tlb_dirty(struct ppcvirt_tlb *tlb,
				  const struct ppcvirt_dirty_tlb *dirty);

/**
 * ppcvirt_tlb_entry_index() - index of (set, way) in @tlbsel.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: set * ways + way (TLB1: set 0, way = ESEL); -EINVAL when the TLB,
 * set or way does not exist.
 */
PPCVIRT_API int ppcvirt_tlb_entry_index(const struct ppcvirt_tlb *tlb,
					unsigned tlbsel, uint32_t set,
					uint32_t way);

/**
 * ppcvirt_tlb_read_entry() - copy one entry, touching nothing else.
 * @index: within @tlbsel (see ppcvirt_tlb_entry_index()).
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0; -EINVAL (NULL pointer, no such TLB or index).
 */
PPCVIRT_API int ppcvirt_tlb_read_entry(const struct ppcvirt_tlb *tlb,
				       unsigned tlbsel, uint32_t index,
				       struct ppcvirt_book3e_206_tlb_entry *e);

/**
 * ppcvirt_tlb_write_entry() - validate and store one entry in O(1).
 *
 * The entry is stored as given (no tlbwe normalisation); it must pass the
 * checks of ppcvirt_tlb_dirty().
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0; -EINVAL (NULL pointer, no such TLB or index, invalid entry:
 * see ppcvirt_tlb_last_error()).
 */
PPCVIRT_API int
ppcvirt_tlb_write_entry(struct ppcvirt_tlb *tlb, unsigned tlbsel,
			uint32_t index,
			const struct ppcvirt_book3e_206_tlb_entry *e);

/**
 * ppcvirt_tlb_entry_count() - entries in the array (TLB0 + TLB1).
 *
 * Context: caller serialises with every call on @tlb.
 * Return: the count, or 0 for NULL.
 */
PPCVIRT_API uint32_t ppcvirt_tlb_entry_count(const struct ppcvirt_tlb *tlb);

/**
 * ppcvirt_tlb_read_all() - copy the whole array (migration, dumps).
 * @n: entries room at @out; must be >= ppcvirt_tlb_entry_count().
 *
 * Context: caller serialises with every call on @tlb.
 * Return: the number of entries copied; -EINVAL (NULL), -ENOSPC (@n short).
 */
PPCVIRT_API int ppcvirt_tlb_read_all(const struct ppcvirt_tlb *tlb,
				     struct ppcvirt_book3e_206_tlb_entry *out,
				     uint32_t n);

/**
 * ppcvirt_tlb_write_all() - replace the whole array in one call, all or
 * nothing (migration restore).
 * @n: must equal ppcvirt_tlb_entry_count().
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0; -EINVAL (NULL, wrong @n, an invalid entry: see
 * ppcvirt_tlb_last_error()).
 */
PPCVIRT_API int
ppcvirt_tlb_write_all(struct ppcvirt_tlb *tlb,
		      const struct ppcvirt_book3e_206_tlb_entry *in,
		      uint32_t n);

/**
 * ppcvirt_tlb_invalidate_all() - reset: zero every entry of both TLBs,
 * IPROT entries included, and the next-victim counter.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0, -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_invalidate_all(struct ppcvirt_tlb *tlb);

/**
 * ppcvirt_tlb_get_mas() / ppcvirt_tlb_set_mas() - the MAS register file.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0, -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_get_mas(const struct ppcvirt_tlb *tlb,
				    struct ppcvirt_booke_mas *mas);
PPCVIRT_API int ppcvirt_tlb_set_mas(struct ppcvirt_tlb *tlb,
				    const struct ppcvirt_booke_mas *mas);

/**
 * ppcvirt_tlb_set_pid() / ppcvirt_tlb_get_pid() - PID0..PID2 (mtspr/mfspr).
 * The value is masked to the core's PID width.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0 (get: the value); -EINVAL (NULL); -ENOENT (@n names a PID
 * register the core does not have: e500mc has PID0 only).
 */
PPCVIRT_API int ppcvirt_tlb_set_pid(struct ppcvirt_tlb *tlb, unsigned n,
				    uint32_t pid);
PPCVIRT_API long ppcvirt_tlb_get_pid(const struct ppcvirt_tlb *tlb, unsigned n);

/**
 * ppcvirt_tlb_tlbwe() - emulate tlbwe from MAS0..MAS3, MAS7.
 *
 * TLBSEL picks the TLB; TLB0's set comes from MAS2[EPN] and its way from
 * ESEL & (ways - 1); TLB1's entry is ESEL (masked to the next power of two
 * of its size, as QEMU masks with ways - 1). MAS0[NV] is not used.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: PPCVIRT_TLB_OK; PPCVIRT_TLB_PROGRAM (TLBSEL 2/3, no such entry,
 * V=1 TLB1 write with an illegal TSIZE: nothing changed); -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_tlbwe(struct ppcvirt_tlb *tlb);

/**
 * ppcvirt_tlb_tlbre() - emulate tlbre: MAS0 = TLBSEL | ESEL | NV, MAS1,
 * MAS2, MAS3, MAS7 from the entry MAS0 (and MAS2[EPN] for TLB0) selects.
 * A nonexistent entry sets MAS1 to 0 and leaves the rest.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: PPCVIRT_TLB_OK; -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_tlbre(struct ppcvirt_tlb *tlb);

/**
 * ppcvirt_tlb_tlbsx() - emulate tlbsx @ea with MAS6[SPID] and MAS6[SAS].
 *
 * Hit: MAS0/1/2/3/7 from the entry (NV = next victim). Miss: MAS0 =
 * MAS4[TLBSELD] | ESEL(victim) | NV(next), the victim counter advances;
 * MAS1 = TID(SPID) | TS(SAS) | MAS4[TSIZED] with V = 0; MAS2 = MAS4[WIMGED];
 * MAS3 = MAS7 = 0. Permissions play no part.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: PPCVIRT_TLB_OK; PPCVIRT_TLB_MULTIHIT (MAS unchanged);
 * -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_tlbsx(struct ppcvirt_tlb *tlb, uint64_t ea);

/**
 * ppcvirt_tlb_tlbivax() - emulate tlbivax. @ea bit 0x8 selects TLB1, bit
 * 0x4 (IA) invalidates the whole selected TLB; otherwise every entry of the
 * selected TLB whose page contains @ea goes, whatever its TID and TS.
 * IPROT entries survive.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: PPCVIRT_TLB_OK; -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_tlbivax(struct ppcvirt_tlb *tlb, uint64_t ea);

/**
 * ppcvirt_tlb_tlbilx() - emulate tlbilx @t, @ea with MAS6[SPID].
 * T=0: all; T=1: TID == SPID; T=3: entries mapping @ea with TID 0 or SPID
 * (any TS) and MAS1[IND] == MAS6[SIND] (QEMU; IND is stored raw), in both
 * TLBs. IPROT entries survive.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: PPCVIRT_TLB_OK; PPCVIRT_TLB_PROGRAM (T=2 or T>3); -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_tlbilx(struct ppcvirt_tlb *tlb, unsigned t,
				   uint64_t ea);

/**
 * ppcvirt_tlb_mmucsr0_write() - mtspr MMUCSR0: TLB0FI (0x4) and TLB1FI
 * (0x2) flash-invalidate the non-IPROT entries of TLB0/TLB1. Other bits do
 * nothing; MMUCSR0 reads back 0.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: PPCVIRT_TLB_OK; -EINVAL (NULL).
 */
PPCVIRT_API int ppcvirt_tlb_mmucsr0_write(struct ppcvirt_tlb *tlb,
					  uint32_t val);

/**
 * ppcvirt_tlb_deliver_miss() - the MAS load of a DTLB/ITLB error interrupt
 * for an access to @ea in address space @as that missed (EREF;
 * docs/booke-architecture.md §4.5, §9.1), for a VMM delivering the interrupt:
 * MAS0 = MAS4[TLBSELD] | ESEL(victim) | NV(next), the victim counter
 * advances (the same counter as tlbsx misses); MAS1 = V | TID(the PID
 * MAS4[TIDSELD] names, 3 = TID 0) | TS(@as) | MAS4[TSIZED]; MAS2 =
 * EPN(@ea) | MAS4[WIMGED]; MAS3 = MAS7 = 0; MAS6 = SPID(PID0) | SAS(@as).
 * @pid0: the PID0 value to use (the vCPU's PID0 normally).
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0; -EINVAL (NULL, @as > 1).
 */
PPCVIRT_API int ppcvirt_tlb_deliver_miss(struct ppcvirt_tlb *tlb, uint64_t ea,
					 unsigned as, uint32_t pid0);

/**
 * ppcvirt_tlb_xlate() - look an access up.
 * @ea:     effective address (truncated to 32 bits: e500 is a 32-bit core).
 * @as:     address space (MSR[IS] for fetches, MSR[DS] for data), 0 or 1.
 * @pid:    used as PID0; PID1/PID2 come from the TLB (e500v2 only).
 * @pr:     MSR[PR]: 1 = user mode.
 * @access: PPCVIRT_TLB_ACCESS_R / _W / _X.
 * @out:    receives the outcome.
 *
 * An entry matches when V = 1, TS == @as, TID is 0 or one of the PIDs and
 * the page contains @ea. TLB0 is searched in the set @ea selects, TLB1
 * through a small index (per MiB for large pages, per 16 KiB granule for
 * small ones): O(ways + candidates), never a scan of the TLB.
 * Exactly one match gives HIT or DENIED (permission UR/UW/UX or SR/SW/SX
 * missing); none gives MISS; several give MULTIPLE.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: @out->status (>= 0); -EINVAL (NULL, @as or @pr > 1, bad @access).
 */
PPCVIRT_API int ppcvirt_tlb_xlate(const struct ppcvirt_tlb *tlb, uint64_t ea,
				  unsigned as, uint32_t pid, unsigned pr,
				  unsigned access,
				  struct ppcvirt_tlb_xlate *out);

/**
 * ppcvirt_tlb_translate() - KVM_TRANSLATE on Book-E: EA = low 32 bits of
 * linear_address, PID = bits 32..39 (8 bits, as KVM), AS = bit 40.
 * Permissions play no part. Hit: valid = 1, physical_address set; miss:
 * valid = 0, other fields unchanged. writeable/usermode are never written.
 *
 * Context: caller serialises with every call on @tlb.
 * Return: 0; -EINVAL (NULL); -EEXIST when several entries match (KVM
 * silently takes the first; valid is then 0).
 */
PPCVIRT_API int ppcvirt_tlb_translate(const struct ppcvirt_tlb *tlb,
				      struct ppcvirt_translation *tr);

#ifdef __cplusplus
}
#endif

#endif
