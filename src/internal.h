/* SPDX-License-Identifier: MIT */
/*
 * Private declarations shared by the TCE subsystems (core, tce).
 *
 * Concurrency model:
 *   - The VM's set of memory slots and set of tables are immutable arrays
 *     published through atomic pointers (release store, acquire load).
 *     The control plane (serialised by vm->lock) builds a new array,
 *     publishes it, waits for an RCU grace period (liburcu-bp, the
 *     "bulletproof" flavour a library can use without asking the embedder
 *     to register threads), then frees what was removed.
 *   - Data-plane readers (hypercalls, translations) bracket their use of
 *     those arrays and of the tables in pcv_rcu_lock()/pcv_rcu_unlock().
 *   - Table entries are _Atomic uint64_t: release stores, acquire loads.
 *   - TSan cannot see liburcu's membarrier-based ordering, so TSan builds
 *     (PPCVIRT_TSAN) add an explicit happens-before edge from every
 *     read-side unlock to the end of every grace period.
 *   - Sanitizer builds (PPCVIRT_RCU_OUT_OF_LINE) call liburcu's read side
 *     out of line: inlined, it would be instrumented, and UBSan reports a
 *     misaligned access inside liburcu itself (urcu_bp_reader wants
 *     128-byte alignment that liburcu's allocator does not provide).
 */
#ifndef PPCVIRT_INTERNAL_H
#define PPCVIRT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ppcvirt/ppcvirt.h>
#include <ppcvirt/iommu.h>
#include <ppcvirt/testing.h>

#if !defined(PPCVIRT_RCU_OUT_OF_LINE)
#define _LGPL_SOURCE /* inline read-side fast paths */
#endif
#include <urcu-bp.h>

#if defined(PPCVIRT_TSAN)
#include <sanitizer/tsan_interface.h>
extern char pcv_tsan_grace_period;
#endif

#define PCV_INTERNAL	__attribute__((visibility("hidden")))
#define pcv_likely(x)	__builtin_expect(!!(x), 1)
#define pcv_unlikely(x) __builtin_expect(!!(x), 0)

static inline void pcv_rcu_lock(void)
{
	urcu_bp_read_lock();
}

static inline void pcv_rcu_unlock(void)
{
#if defined(PPCVIRT_TSAN)
	__tsan_release(&pcv_tsan_grace_period);
#endif
	urcu_bp_read_unlock();
}

/* Wait until every reader that could see an unpublished object is gone. */
static inline void pcv_rcu_synchronize(void)
{
	urcu_bp_synchronize_rcu();
#if defined(PPCVIRT_TSAN)
	__tsan_acquire(&pcv_tsan_grace_period);
#endif
}

/* ---- guest memory slots (src/core/mem.c) ------------------------------ */

struct pcv_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	uint32_t id;
	int memfd; /* >= 0 when ppcvirt allocated the memory */
};

struct pcv_memslots {
	size_t n;
	struct pcv_slot s[]; /* sorted by gpa, non-overlapping */
};

/*
 * Find the slot holding all of [gpa, gpa + len). Overflow-safe: a range
 * that wraps, is empty, leaves guest memory or straddles slots finds none.
 * Context: inside pcv_rcu_lock().
 */
static inline const struct pcv_slot *
pcv_slot_find(const struct pcv_memslots *ms, uint64_t gpa, uint64_t len)
{
	if (!ms || len == 0)
		return NULL;
	for (size_t i = 0; i < ms->n; i++) {
		const struct pcv_slot *s = &ms->s[i];
		uint64_t off;

		if (gpa < s->gpa)
			return NULL; /* sorted: no later slot can hold it */
		off = gpa - s->gpa;
		if (off >= s->size)
			continue;
		/* off < size, so size - off does not underflow. */
		return len <= s->size - off ? s : NULL;
	}
	return NULL;
}

/*
 * Host address of [gpa, gpa + len) when it lies inside one slot, else
 * NULL (the rules of pcv_slot_find). Context: inside pcv_rcu_lock().
 */
static inline uint8_t *pcv_gpa_hva(const struct pcv_memslots *ms, uint64_t gpa,
				   uint64_t len)
{
	const struct pcv_slot *s = pcv_slot_find(ms, gpa, len);

	return s ? s->hva + (gpa - s->gpa) : NULL;
}

PCV_INTERNAL void pcv_memslots_free(struct pcv_memslots *ms);

/* ---- counters --------------------------------------------------------- */

/*
 * Counters are relaxed atomics bumped with a load and a store, not a
 * read-modify-write: per-vCPU blocks have one writer; per-table blocks may
 * undercount when several vCPUs finish calls on one table at the same
 * instant (documented), which keeps a locked instruction off the hot path.
 */
/* Counters written by one thread, read racily by others: relaxed. */
struct pcv_stats {
	_Atomic uint64_t completed[PPCVIRT_TIER_COUNT];
	_Atomic uint64_t declines[PPCVIRT_TIER_COUNT][PPCVIRT_DECLINE_COUNT];
	_Atomic uint64_t exits;
};

static inline void pcv_stat_inc(_Atomic uint64_t *c)
{
	/* Single writer per counter block: no read-modify-write needed. */
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* ---- pass-through linkage (src/iommu/link.c) --------------------------- */

struct ppcvirt_iommu_group {
	const struct ppcvirt_iommu_ops *ops;
	void *opaque;
	struct ppcvirt_iommu_geometry geo;
	_Atomic unsigned refs;
};

struct pcv_links {
	size_t n;
	struct ppcvirt_iommu_group *g[];
};

/* Guest memory registered for pass-through, and its host address. */
struct pcv_region {
	uint64_t gpa, size;
	uint8_t *hva;
};

struct pcv_regions {
	size_t n;
	struct pcv_region r[];
};

/* ---- TCE tables (src/tce/table.c) ------------------------------------- */

struct pcv_table {
	uint64_t liobn;
	uint32_t page_shift;
	uint32_t flags;	 /* PPCVIRT_TCE_VMM_ONLY */
	uint64_t offset; /* first IOMMU page of the window */
	uint64_t size;	 /* entries */
	uint64_t bus_offset;
	_Atomic uint64_t *entries; /* memfd mapping, map_bytes long */
	size_t map_bytes;
	int memfd;
	/*
	 * One bit per table page (tpage_shift entries each): set once the
	 * page is known to be backed by memory, so that touching it cannot
	 * allocate. Monotonic: bits are never cleared.
	 */
	_Atomic uint64_t *present;
	size_t present_words;
	unsigned tpage_shift; /* log2(entries per host page) */
	/* Linked host IOMMU groups (RCU-published), and the lock that keeps
	 * each update of a linked table atomic across table and groups. */
	_Atomic(struct pcv_links *) links;
	_Atomic uint32_t upd_lock;
	struct pcv_stats stats;
};

/* Why a table access cannot complete in the current tier. */
#define PCV_TOO_HARD PPCVIRT_H_TOO_HARD

static inline bool pcv_tpage_known(const struct pcv_table *t, uint64_t page)
{
	return atomic_load_explicit(&t->present[page >> 6],
				    memory_order_acquire) &
	       (1ULL << (page & 63));
}

PCV_INTERNAL int pcv_table_new(const struct ppcvirt_create_spapr_tce_64 *a,
			       unsigned flags, struct pcv_table **out);
PCV_INTERNAL void pcv_table_free(struct pcv_table *t);
/* Unlink every group (unmapping what the table mapped in it), then free.
 * The table must be unpublished and past a grace period. */
PCV_INTERNAL void pcv_table_destroy(struct ppcvirt_vm *vm, struct pcv_table *t);
/* Slow path: is table page @page backed (SEEK_DATA)? Marks it if so. */
PCV_INTERNAL bool pcv_tpage_probe(struct pcv_table *t, uint64_t page);
PCV_INTERNAL void pcv_tpage_mark(struct pcv_table *t, uint64_t page);
/*
 * Read entry @idx (< size). Fast tier: PCV_TOO_HARD if its page is not
 * known present (reading a hole of a shared memfd would allocate).
 */
PCV_INTERNAL long pcv_entry_load(struct pcv_table *t, uint64_t idx, bool fast,
				 uint64_t *val);

struct pcv_tableset {
	size_t n;
	struct pcv_table *t[];
};

static inline struct pcv_table *pcv_table_find(const struct pcv_tableset *ts,
					       uint64_t liobn)
{
	if (!ts)
		return NULL;
	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i]->liobn == liobn)
			return ts->t[i];
	return NULL;
}

/* ---- the VM (src/core/vm.c) ------------------------------------------- */

/* Bits of vm->hcall_enabled: the TCE hcalls by index. */
enum pcv_hcall_idx {
	PCV_HC_GET = 0,
	PCV_HC_PUT,
	PCV_HC_STUFF,
	PCV_HC_INDIRECT,
	PCV_HC_COUNT
};

struct ppcvirt_vcpu {
	struct ppcvirt_vm *vm;
	struct ppcvirt_vcpu *next;
	uint32_t id;
	struct pcv_stats stats;
	/* Snapshot of an H_PUT_TCE_INDIRECT list, host order. */
	uint64_t scratch[PPCVIRT_TCE_LIST_MAX];
};

struct ppcvirt_vm {
	_Atomic(struct pcv_memslots *) slots;
	_Atomic(struct pcv_regions *) regions;
	/* Fault injection (include/ppcvirt/testing.h): armed flag first, so
	 * the hot path pays one relaxed load. */
	_Atomic uint32_t fault_armed;
	_Atomic uint64_t
		fault_left;	    /* remaining firings; UINT64_MAX = always */
	struct ppcvirt_fault fault; /* written before arming (release) */
	_Atomic(struct pcv_tableset *) tables;
	_Atomic unsigned profile;
	_Atomic unsigned tiers;		/* bit per in-engine tier */
	_Atomic unsigned hcall_enabled; /* bit per enum pcv_hcall_idx */
	pthread_mutex_t lock;		/* control plane */
	pthread_mutex_t stats_lock;	/* VMM-tier counters, vCPU list */
	struct ppcvirt_vcpu *vcpus;
	struct pcv_stats vmm_stats;  /* updated under stats_lock */
	struct pcv_stats gone_stats; /* of destroyed vCPUs */
};

/* ---- the hypercall semantics (src/tce/hcall_tce.c) -------------------- */

/* Everything one execution of a TCE hcall needs. */
struct pcv_hctx {
	struct ppcvirt_vm *vm;
	const struct pcv_memslots *slots;
	struct pcv_table *table;  /* NULL: unknown LIOBN */
	uint64_t *scratch;	  /* PPCVIRT_TCE_LIST_MAX entries */
	bool qemu;		  /* profile */
	bool fast;		  /* fast tier: decline instead of blocking */
	int tier;		  /* enum ppcvirt_tier */
	enum ppcvirt_decline why; /* set when PCV_TOO_HARD is returned */
};

/* Fault injection: does the armed fault fire at @point in this tier? */
PCV_INTERNAL bool pcv_fault_fires(struct pcv_hctx *c, uint32_t point,
				  uint64_t *entry);

/*
 * Program every group linked to @t for entries [first, first + n) getting
 * vals[i] (or @val), with roll-back on failure. Caller holds t->upd_lock.
 * Returns H_SUCCESS, PCV_TOO_HARD (c->why set) or, in the VMM tier,
 * H_HARDWARE / H_PARAMETER.
 */
PCV_INTERNAL long pcv_host_update(struct pcv_hctx *c, struct pcv_table *t,
				  const struct pcv_links *links, uint64_t first,
				  uint64_t n, const uint64_t *vals,
				  uint64_t val);
/* Take / release t->upd_lock: the fast tier only tries. */
PCV_INTERNAL bool pcv_upd_lock(struct pcv_table *t, bool try_only);
PCV_INTERNAL void pcv_upd_unlock(struct pcv_table *t);
/* Unmap everything @t maps in group @g (unlink, table destroy). */
PCV_INTERNAL void pcv_links_clear(struct ppcvirt_vm *vm, struct pcv_table *t,
				  struct ppcvirt_iommu_group *g);
PCV_INTERNAL void pcv_group_unref(struct ppcvirt_iommu_group *g);

/* enum pcv_hcall_idx of a TCE hcall opcode, or -1. */
static inline int pcv_hcall_index(uint64_t nr)
{
	switch (nr) {
	case PPCVIRT_H_GET_TCE:
		return PCV_HC_GET;
	case PPCVIRT_H_PUT_TCE:
		return PCV_HC_PUT;
	case PPCVIRT_H_STUFF_TCE:
		return PCV_HC_STUFF;
	case PPCVIRT_H_PUT_TCE_INDIRECT:
		return PCV_HC_INDIRECT;
	default:
		return -1;
	}
}
/* Run TCE hcall @idx; returns a PAPR code or PCV_TOO_HARD. */
PCV_INTERNAL long pcv_tce_hcall(struct pcv_hctx *c, int idx,
				struct ppcvirt_hcall *hc);

#endif
