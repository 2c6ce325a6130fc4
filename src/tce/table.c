/* SPDX-License-Identifier: MIT */
/*
 * TCE tables (KVM_CREATE_SPAPR_TCE[_64]): geometry checks, the present
 * bitmap, entry access, and the VM's set of tables.
 *
 * The "present" bitmap records table pages known to be backed by memory.
 * It is what lets the fast tier stay allocation- and syscall-free: it only
 * touches known pages and declines otherwise. The slow tier asks the
 * storage (src/tce/table.h, struct pcv_store_ops) whether an unknown page
 * is backed: a hole reads as zero, so writing zero into it is skipped and
 * reading it returns 0 without faulting a page in. Writes by another
 * process through its mapping are found the same way.
 *
 * Lifetime: tables are published in the VM's table set (an immutable
 * array swapped under vm->lock) and freed only after an RCU grace period,
 * so a hypercall or translation that found the table finishes with it.
 */
#define _GNU_SOURCE /* F_DUPFD_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "core/trace.h"
#include "core/vm.h"
#include "iommu/link.h"
#include "state/state.h"
#include "tce/table.h"
#include "tce/tce.h"

int pcv_table_check(const struct ppcvirt_create_spapr_tce_64 *a)
{
	uint64_t end;

	/* KVM's checks, in KVM's order (docs/semantics.md §5.2), except that
	 * ppcvirt defines one flag. */
	if (a->flags & ~PPCVIRT_TCE_VMM_ONLY)
		return -EINVAL;
	if (a->size == 0 || a->page_shift < PPCVIRT_TCE_PAGE_SHIFT_MIN ||
	    a->page_shift > PPCVIRT_TCE_PAGE_SHIFT_MAX)
		return -EINVAL;
	if (__builtin_add_overflow(a->offset, a->size, &end) ||
	    end > (UINT64_MAX >> a->page_shift))
		return -EINVAL;
	if (a->liobn > UINT32_MAX)
		return -EINVAL;
	/* size <= 2^52, so size * 8 cannot overflow. */
	if (a->size * 8 > PPCVIRT_TCE_TABLE_MAX_BYTES)
		return -ENOMEM;
	return 0;
}

/* Creation order of tables in the process (struct pcv_table.serial). */
static _Atomic uint64_t serials;

int pcv_table_alloc(const struct ppcvirt_create_spapr_tce_64 *a, unsigned flags,
		    struct pcv_table **out)
{
	struct pcv_table *t;
	uint64_t bytes, pages;
	long hpage = sysconf(_SC_PAGESIZE);

	if (hpage <= 0 || (hpage & (hpage - 1)))
		hpage = 4096;
	bytes = (a->size * 8 + (uint64_t)hpage - 1) & ~((uint64_t)hpage - 1);
	pages = bytes / (uint64_t)hpage;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->liobn = a->liobn;
	t->page_shift = a->page_shift;
	t->flags = flags;
	t->offset = a->offset;
	t->size = a->size;
	t->bus_offset = a->offset << a->page_shift;
	t->map_bytes = bytes;
	t->tpage_shift = (unsigned)__builtin_ctzl((unsigned long)hpage) - 3;
	t->fd = -1;
	t->dirty_fd = -1;
	t->serial = atomic_fetch_add(&serials, 1) + 1;
	t->present_words = (pages + 63) / 64;
	/* Lazily zeroed by the kernel for large tables: cost follows use. */
	t->present = calloc(t->present_words, sizeof(t->present[0]));
	if (!t->present) {
		free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void pcv_table_free(struct pcv_table *t)
{
	if (!t)
		return;
	if (t->store)
		t->store->release(t);
	if (t->dirty)
		munmap((void *)(uintptr_t)t->dirty, t->dirty_bytes);
	if (t->dirty_fd >= 0)
		close(t->dirty_fd);
	free(t->present);
	free(t);
}

void pcv_tpage_mark(struct pcv_table *t, uint64_t page)
{
	uint64_t bit = 1ULL << (page & 63);

	if (!(atomic_load_explicit(&t->present[page >> 6],
				   memory_order_relaxed) &
	      bit))
		atomic_fetch_or_explicit(&t->present[page >> 6], bit,
					 memory_order_release);
}

bool pcv_tpage_probe(struct pcv_table *t, uint64_t page)
{
	if (pcv_tpage_known(t, page))
		return true;
	if (!t->store->probe(t, page))
		return false;
	pcv_tpage_mark(t, page);
	return true;
}

long pcv_entry_load(struct pcv_table *t, uint64_t idx, bool fast, uint64_t *val)
{
	uint64_t page = idx >> t->tpage_shift;

	if (!pcv_tpage_known(t, page)) {
		if (fast)
			return PCV_TOO_HARD;
		if (!pcv_tpage_probe(t, page)) {
			*val = 0; /* a hole reads as zero */
			return PPCVIRT_H_SUCCESS;
		}
	}
	*val = atomic_load_explicit(&t->entries[idx], memory_order_acquire);
	return PPCVIRT_H_SUCCESS;
}

void pcv_range_commit(struct pcv_table *t, uint64_t first, uint64_t n,
		      const uint64_t *vals, uint64_t val)
{
	uint64_t i = 0;

	while (i < n) {
		uint64_t idx = first + i;
		uint64_t page = idx >> t->tpage_shift;
		uint64_t m = ((page + 1) << t->tpage_shift) - idx;
		_Atomic uint64_t *e = &t->entries[idx];

		if (m > n - i)
			m = n - i;
		if (pcv_likely(pcv_tpage_known(t, page))) {
			if (vals) {
				for (uint64_t k = 0; k < m; k++)
					atomic_store_explicit(
						&e[k], vals[i + k],
						memory_order_release);
			} else {
				for (uint64_t k = 0; k < m; k++)
					atomic_store_explicit(
						&e[k], val,
						memory_order_release);
			}
		} else {
			bool wrote = false;

			for (uint64_t k = 0; k < m; k++) {
				uint64_t v = vals ? vals[i + k] : val;

				if (v) {
					atomic_store_explicit(
						&e[k], v, memory_order_release);
					wrote = true;
				}
			}
			if (wrote)
				pcv_tpage_mark(t, page);
		}
		i += m;
	}
	pcv_dirty_mark(t, first, n);
}

/* ---- public control plane ------------------------------------------- */

PPCVIRT_API int
ppcvirt_vm_create_spapr_tce_64(struct ppcvirt_vm *vm,
			       const struct ppcvirt_create_spapr_tce_64 *args,
			       int *fd_out)
{
	struct pcv_tableset *old, *nw;
	struct pcv_table *t;
	int ret, fd = -1;

	if (!vm || !args)
		return -EINVAL;
	ret = pcv_table_check(args);
	if (ret)
		return ret;
	ret = pcv_table_alloc(args, args->flags, &t);
	if (ret)
		return ret;
	ret = vm->be->table_create(vm, t);
	if (ret) {
		pcv_table_free(t);
		return ret;
	}
	if (fd_out) {
		fd = fcntl(t->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			pcv_table_free(t);
			return ret;
		}
	}
	ret = pcv_ctl_lock(&vm->lock);
	if (ret) {
		if (fd >= 0)
			close(fd);
		pcv_table_free(t);
		return ret;
	}
	old = atomic_load_explicit(&vm->tables, memory_order_relaxed);
	if (pcv_table_find(old, t->liobn)) {
		ret = -EBUSY;
		goto fail_unlock;
	}
	/* Born tracked while a migration runs: its writes are logged. */
	ret = pcv_migration_track_new(vm, t);
	if (ret)
		goto fail_unlock;
	nw = malloc(sizeof(*nw) + ((old ? old->n : 0) + 1) * sizeof(nw->t[0]));
	if (!nw) {
		ret = -ENOMEM;
		goto fail_unlock;
	}
	nw->n = 0;
	for (size_t i = 0; old && i < old->n; i++)
		nw->t[nw->n++] = old->t[i];
	nw->t[nw->n++] = t;
	atomic_store_explicit(&vm->tables, nw, memory_order_release);
	pcv_rcu_synchronize();
	pcv_ctl_unlock(&vm->lock);
	free(old);
	pcv_trace_emit(vm, PPCVIRT_TRACE_NEW_TABLE, t->liobn, 0,
		       (uint64_t)(int64_t)(fd_out ? fd : -1), 0, 0, 0);
	if (fd_out)
		*fd_out = fd;
	return 0;
fail_unlock:
	pcv_ctl_unlock(&vm->lock);
	if (fd >= 0)
		close(fd);
	pcv_table_free(t);
	return ret;
}

PPCVIRT_API int
ppcvirt_vm_create_spapr_tce(struct ppcvirt_vm *vm,
			    const struct ppcvirt_create_spapr_tce *args,
			    int *fd_out)
{
	struct ppcvirt_create_spapr_tce_64 a64;

	if (!args)
		return -EINVAL;
	/* KVM converts the legacy ioctl exactly like this. */
	a64 = (struct ppcvirt_create_spapr_tce_64){
		.liobn = args->liobn,
		.page_shift = 12,
		.flags = 0,
		.offset = 0,
		.size = args->window_size >> 12,
	};
	return ppcvirt_vm_create_spapr_tce_64(vm, &a64, fd_out);
}

PPCVIRT_API int ppcvirt_vm_remove_tce(struct ppcvirt_vm *vm, uint64_t liobn)
{
	struct pcv_tableset *old, *nw;
	struct pcv_table *gone = NULL;
	int ret;

	if (!vm)
		return -EINVAL;
	ret = pcv_ctl_lock(&vm->lock);
	if (ret)
		return ret;
	old = atomic_load_explicit(&vm->tables, memory_order_relaxed);
	if (!pcv_table_find(old, liobn)) {
		pcv_ctl_unlock(&vm->lock);
		return -ENOENT;
	}
	nw = malloc(sizeof(*nw) + old->n * sizeof(nw->t[0]));
	if (!nw) {
		pcv_ctl_unlock(&vm->lock);
		return -ENOMEM;
	}
	nw->n = 0;
	for (size_t i = 0; i < old->n; i++) {
		if (old->t[i]->liobn == liobn)
			gone = old->t[i];
		else
			nw->t[nw->n++] = old->t[i];
	}
	atomic_store_explicit(&vm->tables, nw, memory_order_release);
	/* Readers that found @gone finish before it is freed. */
	pcv_rcu_synchronize();
	pcv_table_destroy(vm, gone);
	pcv_ctl_unlock(&vm->lock);
	free(old);
	return 0;
}

/* The table of @liobn, engine-registered or not. Caller holds the RCU lock. */
static struct pcv_table *table_lookup(struct ppcvirt_vm *vm, uint64_t liobn)
{
	return pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_acquire), liobn);
}

PPCVIRT_API int ppcvirt_vm_tce_info(struct ppcvirt_vm *vm, uint64_t liobn,
				    struct ppcvirt_tce_info *out)
{
	struct pcv_table *t;

	if (!vm || !out)
		return -EINVAL;
	pcv_rcu_lock();
	t = table_lookup(vm, liobn);
	if (t) {
		*out = (struct ppcvirt_tce_info){
			.liobn = t->liobn,
			.page_shift = t->page_shift,
			.flags = t->flags & PPCVIRT_TCE_VMM_ONLY,
			.offset = t->offset,
			.size = t->size,
			.bus_offset = t->bus_offset,
		};
		out->resident_bytes = t->store->resident(t);
	}
	pcv_rcu_unlock();
	return t ? 0 : -ENOENT;
}

/* The table of @liobn if @index is inside it; caller holds the RCU lock. */
static int table_at(struct ppcvirt_vm *vm, uint64_t liobn, uint64_t index,
		    struct pcv_table **out)
{
	*out = table_lookup(vm, liobn);
	if (!*out)
		return -ENOENT;
	return index < (*out)->size ? 0 : -ERANGE;
}

PPCVIRT_API int ppcvirt_tce_get(struct ppcvirt_vm *vm, uint64_t liobn,
				uint64_t index, uint64_t *tce_out)
{
	struct pcv_table *t;
	int ret;

	if (!vm || !tce_out)
		return -EINVAL;
	pcv_rcu_lock();
	ret = table_at(vm, liobn, index, &t);
	if (ret == 0)
		pcv_entry_load(t, index, false, tce_out);
	pcv_rcu_unlock();
	return ret;
}

PPCVIRT_API int ppcvirt_tce_put(struct ppcvirt_vm *vm, uint64_t liobn,
				uint64_t index, uint64_t tce)
{
	const struct pcv_links *links;
	struct pcv_table *t;
	int ret;

	if (!vm)
		return -EINVAL;
	pcv_rcu_lock();
	ret = table_at(vm, liobn, index, &t);
	if (ret)
		goto out;
	pcv_tpage_probe(t, index >> t->tpage_shift);
	if (!atomic_load_explicit(&t->links, memory_order_acquire)) {
		pcv_range_commit(t, index, 1, NULL, tce);
		goto out;
	}
	/* A linked table: the host IOMMUs follow, as for a hypercall from
	 * the VMM tier (any guest memory may be mapped). */
	if (!pcv_upd_lock(t, false)) {
		ret = -EDEADLK;
		goto out;
	}
	links = atomic_load_explicit(&t->links, memory_order_acquire);
	if (links->n) {
		struct pcv_hctx c = {
			.vm = vm,
			.slots = atomic_load_explicit(&vm->slots,
						      memory_order_acquire),
			.table = t,
			.tier = PPCVIRT_TIER_VMM,
		};
		long h = pcv_host_update(&c, t, links, index, 1, NULL, tce);

		if (h == PPCVIRT_H_PARAMETER)
			ret = -EFAULT; /* maps something that is not RAM */
		else if (h != PPCVIRT_H_SUCCESS)
			ret = -EIO; /* the host IOMMU refused */
	}
	if (ret == 0)
		pcv_range_commit(t, index, 1, NULL, tce);
	pcv_upd_unlock(t);
out:
	pcv_rcu_unlock();
	return ret;
}

/* ---- dirty log (src/state/ reads it) ------------------------------------ */

int pcv_dirty_init(struct pcv_table *t)
{
	size_t bytes = (size_t)(((t->size + 63) / 64) * 8);
	void *p;
	int fd;

	if (t->dirty)
		return 0;
	bytes = (bytes + 4095) & ~(size_t)4095;
	fd = pcv_memfd_create("ppcvirt-tce-dirty", bytes);
	if (fd < 0)
		return fd;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	t->dirty_fd = fd;
	t->dirty_bytes = bytes;
	/* Read only where t->track is set, which happens after this (under
	 * vm->lock, with a grace period), so a plain store will do. */
	t->dirty = p;
	return 0;
}

void pcv_dirty_mark_slow(struct pcv_table *t, uint64_t first, uint64_t n)
{
	_Atomic uint64_t *d = t->dirty;
	uint64_t end = first + n;

	if (!d || n == 0)
		return;
	while (first < end) {
		uint64_t w = first >> 6, lo = first & 63;
		uint64_t hi = end - (first & ~63ull) < 64 ? end & 63 : 64;
		uint64_t bits = (hi == 64 ? ~0ull : (1ull << hi) - 1) &
				~((1ull << lo) - 1);

		/* Entries are stored before their bit is set: whoever clears
		 * the bit and then reads the entry sees the new value. */
		atomic_fetch_or_explicit(&d[w], bits, memory_order_release);
		first = (w + 1) << 6;
	}
}

/* ---- enumeration -------------------------------------------------------- */

PPCVIRT_API int ppcvirt_vm_list_tces(struct ppcvirt_vm *vm, uint64_t *liobns,
				     size_t n)
{
	const struct pcv_tableset *ts;
	int count;

	if (!vm || (n && !liobns))
		return -EINVAL;
	pcv_rcu_lock();
	ts = atomic_load_explicit(&vm->tables, memory_order_acquire);
	count = ts ? (int)ts->n : 0;
	for (size_t i = 0; ts && i < ts->n && i < n; i++)
		liobns[i] = ts->t[i]->liobn;
	pcv_rcu_unlock();
	return count;
}

PPCVIRT_API int ppcvirt_vm_tce_fd(struct ppcvirt_vm *vm, uint64_t liobn)
{
	struct pcv_table *t;
	int fd = -ENOENT;

	if (!vm)
		return -EINVAL;
	/* Under the control-plane lock: the table (and its fd) cannot be
	 * removed while it is duplicated. */
	fd = pcv_ctl_lock(&vm->lock);
	if (fd)
		return fd;
	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_relaxed), liobn);
	if (!t) {
		fd = -ENOENT;
	} else {
		fd = fcntl(t->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			fd = -errno;
	}
	pcv_ctl_unlock(&vm->lock);
	return fd;
}
