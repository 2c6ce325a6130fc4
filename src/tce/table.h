/* SPDX-License-Identifier: MIT */
/*
 * TCE tables (KVM_CREATE_SPAPR_TCE[_64]): geometry, entry storage, the
 * "present" bitmap that keeps the fast tier syscall-free, and the VM's
 * set of tables (src/tce/table.c).
 *
 * Storage is an interface (struct pcv_store_ops) because the entries live
 * where the VM's back end puts them: a sparse memfd of ppcvirt's own
 * (src/tce/store_memfd.c), or the kernel's table mapped from the fd of
 * KVM_CREATE_SPAPR_TCE_64 (src/backend/kvm.c). Either way the entries are
 * host-endian u64 in shared memory, entry i <-> IOBA (offset + i) <<
 * page_shift, mapped at t->entries.
 */
#ifndef PPCVIRT_SRC_TCE_TABLE_H
#define PPCVIRT_SRC_TCE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <ppcvirt/tce.h>

#include "core/common.h"
#include "core/stats.h"

struct pcv_table;
struct pcv_links;

struct pcv_store_ops {
	/* Is table page @page backed by memory? Slow path only (may make a
	 * system call); a page that is not reads as zeros. */
	bool (*probe)(struct pcv_table *t, uint64_t page);
	/* The first page >= @page that may be backed, or UINT64_MAX: lets a
	 * walk of a huge sparse table cost what is in it, not its size. */
	uint64_t (*next_data)(struct pcv_table *t, uint64_t page);
	/* Bytes of table memory in use. */
	uint64_t (*resident)(struct pcv_table *t);
	/* Unmap and close the storage. */
	void (*release)(struct pcv_table *t);
};

struct pcv_table {
	uint64_t liobn;
	uint32_t page_shift;
	uint32_t flags;	 /* PPCVIRT_TCE_VMM_ONLY, PCV_TABLE_* */
	uint64_t offset; /* first IOMMU page of the window */
	uint64_t size;	 /* entries */
	uint64_t bus_offset;
	/* Storage: map_bytes of entries at @entries, shared through @fd. */
	_Atomic uint64_t *entries;
	size_t map_bytes;
	int fd;
	const struct pcv_store_ops *store;
	/*
	 * One bit per table page (tpage_shift entries each): set once the
	 * page is known to be backed by memory, so that touching it cannot
	 * allocate. Monotonic: bits are never cleared.
	 */
	_Atomic uint64_t *present;
	size_t present_words;
	unsigned tpage_shift; /* log2(entries per host page) */
	/* Linked host IOMMU groups (src/iommu/link.h): NULL until the first
	 * link, then read under upd_lock, which keeps each update of a
	 * linked table atomic across table and groups. */
	_Atomic(struct pcv_links *) links;
	_Atomic uint32_t upd_lock;
	/* Dirty tracking (src/state/): while @track is set, every write marks
	 * its entries in the dirty log, one bit per entry, a memfd that other
	 * processes writing through the mmap set bits in too. */
	_Atomic uint32_t track;
	_Atomic uint64_t *dirty; /* NULL until first needed */
	int dirty_fd;
	size_t dirty_bytes;
	uint64_t serial; /* creation order in the process: a re-created
			    table is a new one */
	struct pcv_stats stats;
};

/* t->flags bits beyond the public PPCVIRT_TCE_VMM_ONLY. */
#define PCV_TABLE_USER 0x100u /* back end could not take it: user space */

/* Why a table access cannot complete in the current tier. */
#define PCV_TOO_HARD PPCVIRT_H_TOO_HARD

static inline bool pcv_tpage_known(const struct pcv_table *t, uint64_t page)
{
	return atomic_load_explicit(&t->present[page >> 6],
				    memory_order_acquire) &
	       (1ULL << (page & 63));
}

/* KVM_CREATE_SPAPR_TCE_64's argument checks plus ppcvirt's limits. */
PCV_INTERNAL int pcv_table_check(const struct ppcvirt_create_spapr_tce_64 *a);
/* A table of @a without storage (the back end adds it), or -ENOMEM. */
PCV_INTERNAL int pcv_table_alloc(const struct ppcvirt_create_spapr_tce_64 *a,
				 unsigned flags, struct pcv_table **out);
PCV_INTERNAL void pcv_table_free(struct pcv_table *t);
/* Storage in a sparse memfd of ppcvirt's own (src/tce/store_memfd.c). */
PCV_INTERNAL int pcv_store_memfd_init(struct pcv_table *t);
/* Slow path: is table page @page backed? Marks it if so. */
PCV_INTERNAL bool pcv_tpage_probe(struct pcv_table *t, uint64_t page);
PCV_INTERNAL void pcv_tpage_mark(struct pcv_table *t, uint64_t page);
/*
 * Read entry @idx (< size). Fast tier: PCV_TOO_HARD if its page is not
 * known present (reading a hole of a shared memfd would allocate).
 */
PCV_INTERNAL long pcv_entry_load(struct pcv_table *t, uint64_t idx, bool fast,
				 uint64_t *val);
/*
 * Store vals[i] (or @val everywhere when @vals is NULL) into entries
 * [first, first + n), skipping zeros that would land in a hole (a hole
 * reads as zero). The pages must have been probed (or be known present)
 * first, so that nothing here allocates in the fast tier.
 */
PCV_INTERNAL void pcv_range_commit(struct pcv_table *t, uint64_t first,
				   uint64_t n, const uint64_t *vals,
				   uint64_t val);
/* Create the dirty log of @t if it has none: 0 or -errno. Control plane. */
PCV_INTERNAL int pcv_dirty_init(struct pcv_table *t);
/* Mark entries [first, first + n) dirty (when tracked). */
PCV_INTERNAL void pcv_dirty_mark_slow(struct pcv_table *t, uint64_t first,
				      uint64_t n);
static inline void pcv_dirty_mark(struct pcv_table *t, uint64_t first,
				  uint64_t n)
{
	/* Acquire: pairs with the release that turned tracking on after
	 * the log was made (a plain load on x86, as relaxed would be). */
	if (pcv_unlikely(atomic_load_explicit(&t->track, memory_order_acquire)))
		pcv_dirty_mark_slow(t, first, n);
}

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

#endif
