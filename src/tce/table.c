/* SPDX-License-Identifier: MIT */
/*
 * TCE table storage and lifetime (KVM_CREATE_SPAPR_TCE[_64]).
 *
 * Storage is a memfd of ceil(size * 8 / page) host pages, mapped shared
 * and never populated up front: a page costs memory only once an entry in
 * it is written non-zero (by us, or by another process through its own
 * mapping). That is KVM's lazily allocated table pages (v5.2+), with the
 * memfd as the page array so that other processes can mmap it.
 *
 * The "present" bitmap records pages known to be backed. It is what lets
 * the fast tier stay allocation- and syscall-free: it only touches known
 * pages and declines otherwise. The slow tier asks the kernel
 * (lseek SEEK_DATA, which also counts swapped-out shmem pages as data)
 * whether an unknown page is backed: a hole reads as zero, so writing zero
 * into it is skipped and reading it returns 0 without faulting a page in.
 * Writes by another process through its mapping are found the same way.
 *
 * Lifetime: tables are published in the VM's table set (an immutable
 * array swapped under vm->lock) and freed only after an RCU grace period,
 * so a hypercall or translation that found the table finishes with it.
 */
#define _GNU_SOURCE /* memfd_create, SEEK_DATA */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int pcv_table_new(const struct ppcvirt_create_spapr_tce_64 *a, unsigned flags,
		  struct pcv_table **out)
{
	struct pcv_table *t;
	uint64_t end, bytes, pages;
	long hpage = sysconf(_SC_PAGESIZE);
	int ret;

	/* KVM's checks, in KVM's order (tce-semantics.md §5.2). */
	if (a->flags)
		return -EINVAL;
	if (a->size == 0 || a->page_shift < PPCVIRT_TCE_PAGE_SHIFT_MIN ||
	    a->page_shift > PPCVIRT_TCE_PAGE_SHIFT_MAX)
		return -EINVAL;
	if (__builtin_add_overflow(a->offset, a->size, &end) ||
	    end > (UINT64_MAX >> a->page_shift))
		return -EINVAL;
	if (a->liobn > UINT32_MAX)
		return -EINVAL;
	if (hpage <= 0 || (hpage & (hpage - 1)))
		hpage = 4096;
	/* size <= 2^52, so size * 8 cannot overflow. */
	bytes = a->size * 8;
	if (bytes > PPCVIRT_TCE_TABLE_MAX_BYTES)
		return -ENOMEM;
	bytes = (bytes + (uint64_t)hpage - 1) & ~((uint64_t)hpage - 1);
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
	t->memfd = -1;
	t->entries = MAP_FAILED;
	t->present_words = (pages + 63) / 64;
	/* Lazily zeroed by the kernel for large tables: cost follows use. */
	t->present = calloc(t->present_words, sizeof(t->present[0]));
	if (!t->present) {
		ret = -ENOMEM;
		goto fail;
	}
	t->memfd = memfd_create("ppcvirt-tce", MFD_CLOEXEC);
	if (t->memfd < 0) {
		ret = -errno;
		goto fail;
	}
	if (ftruncate(t->memfd, (off_t)bytes) != 0) {
		ret = errno == EFBIG ? -ENOMEM : -errno;
		goto fail;
	}
	t->entries = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_NORESERVE, t->memfd, 0);
	if (t->entries == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	*out = t;
	return 0;
fail:
	pcv_table_free(t);
	return ret;
}

void pcv_table_free(struct pcv_table *t)
{
	if (!t)
		return;
	if (t->entries != MAP_FAILED && t->entries)
		munmap((void *)(uintptr_t)t->entries, t->map_bytes);
	if (t->memfd >= 0)
		close(t->memfd);
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

void pcv_table_destroy(struct ppcvirt_vm *vm, struct pcv_table *t)
{
	struct pcv_links *l;

	if (!t)
		return;
	l = atomic_load_explicit(&t->links, memory_order_relaxed);
	for (size_t i = 0; l && i < l->n; i++) {
		pcv_links_clear(vm, t, l->g[i]);
		pcv_group_unref(l->g[i]);
	}
	free(l);
	pcv_table_free(t);
}

bool pcv_tpage_probe(struct pcv_table *t, uint64_t page)
{
	off_t at = (off_t)(page << (t->tpage_shift + 3));
	off_t data;

	if (pcv_tpage_known(t, page))
		return true;
	data = lseek(t->memfd, at, SEEK_DATA);
	/* ENXIO: no data at or after @at. Other errors: assume backed. */
	if (data == at || (data < 0 && errno != ENXIO)) {
		pcv_tpage_mark(t, page);
		return true;
	}
	return false;
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

/* ---- public control plane ------------------------------------------- */

PPCVIRT_API int
ppcvirt_vm_create_tce(struct ppcvirt_vm *vm,
		      const struct ppcvirt_create_spapr_tce_64 *args,
		      unsigned flags, int *fd_out)
{
	struct pcv_tableset *old, *nw;
	struct pcv_table *t;
	int ret, fd = -1;

	if (!vm || !args || (flags & ~PPCVIRT_TCE_VMM_ONLY))
		return -EINVAL;
	ret = pcv_table_new(args, flags, &t);
	if (ret)
		return ret;
	if (fd_out) {
		fd = fcntl(t->memfd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			pcv_table_free(t);
			return ret;
		}
	}
	pthread_mutex_lock(&vm->lock);
	old = atomic_load_explicit(&vm->tables, memory_order_relaxed);
	if (pcv_table_find(old, t->liobn)) {
		ret = -EBUSY;
		goto fail_unlock;
	}
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
	pthread_mutex_unlock(&vm->lock);
	free(old);
	if (fd_out)
		*fd_out = fd;
	return 0;
fail_unlock:
	pthread_mutex_unlock(&vm->lock);
	if (fd >= 0)
		close(fd);
	pcv_table_free(t);
	return ret;
}

PPCVIRT_API int
ppcvirt_vm_create_spapr_tce_64(struct ppcvirt_vm *vm,
			       const struct ppcvirt_create_spapr_tce_64 *args,
			       int *fd_out)
{
	return ppcvirt_vm_create_tce(vm, args, 0, fd_out);
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
	return ppcvirt_vm_create_tce(vm, &a64, 0, fd_out);
}

PPCVIRT_API int ppcvirt_vm_remove_tce(struct ppcvirt_vm *vm, uint64_t liobn)
{
	struct pcv_tableset *old, *nw;
	struct pcv_table *gone = NULL;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	old = atomic_load_explicit(&vm->tables, memory_order_relaxed);
	if (!pcv_table_find(old, liobn)) {
		pthread_mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	nw = malloc(sizeof(*nw) + old->n * sizeof(nw->t[0]));
	if (!nw) {
		pthread_mutex_unlock(&vm->lock);
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
	pthread_mutex_unlock(&vm->lock);
	free(old);
	pcv_table_destroy(vm, gone);
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
	struct stat st;

	if (!vm || !out)
		return -EINVAL;
	pcv_rcu_lock();
	t = table_lookup(vm, liobn);
	if (t) {
		*out = (struct ppcvirt_tce_info){
			.liobn = t->liobn,
			.page_shift = t->page_shift,
			.flags = t->flags,
			.offset = t->offset,
			.size = t->size,
			.bus_offset = t->bus_offset,
		};
		/* st_blocks counts the memfd's allocated pages (512 B units).
		 */
		if (fstat(t->memfd, &st) == 0)
			out->resident_bytes = (uint64_t)st.st_blocks * 512;
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
	struct pcv_table *t;
	int ret;

	if (!vm)
		return -EINVAL;
	pcv_rcu_lock();
	ret = table_at(vm, liobn, index, &t);
	if (ret == 0) {
		uint64_t page = index >> t->tpage_shift;

		if (tce != 0 || pcv_tpage_probe(t, page)) {
			atomic_store_explicit(&t->entries[index], tce,
					      memory_order_release);
			pcv_tpage_mark(t, page);
		}
	}
	pcv_rcu_unlock();
	return ret;
}
