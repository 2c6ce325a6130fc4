/* SPDX-License-Identifier: MIT */
/*
 * Device-side DMA translation: what an emulated device model calls to turn
 * an IOBA range on a LIOBN into host memory (QEMU's IOMMU translate plus
 * address_space_rw, in one checked step).
 *
 * Each entry is read once with an acquire load, so a device thread sees
 * either the old or the new value of an entry that a vCPU is updating.
 * The table and slot arrays are held under an RCU read-side section; the
 * host pointers handed out stay valid while their memory slot exists (the
 * embedder's memory, as with KVM).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace.h"
#include "core/vm.h"
#include "state/state.h"
#include "tce/table.h"

#define XLATE_STACK_SEGS 32

/*
 * Translate [ioba, ioba + len) into @segs (capacity *nsegs). Caller holds
 * pcv_rcu_lock(). @need is the permission (TCE bits) the access needs;
 * with @mark the pages are marked dirty (a DMA write).
 */
static int xlate_range(struct ppcvirt_vm *vm, uint64_t liobn, uint64_t ioba,
		       uint64_t len, unsigned need, bool mark,
		       struct ppcvirt_dma_seg *segs, size_t *nsegs)
{
	const struct pcv_memslots *ms;
	struct pcv_table *t;
	uint64_t end, first, last, psize;
	size_t cap = *nsegs, used = 0;
	bool tracing = pcv_tracing(vm);

	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_acquire), liobn);
	if (!t)
		return -ENOENT;
	ms = atomic_load_explicit(&vm->slots, memory_order_acquire);
	psize = 1ULL << t->page_shift;
	if (__builtin_add_overflow(ioba, len - 1, &end) || ioba < t->bus_offset)
		return -ERANGE;
	first = (ioba - t->bus_offset) >> t->page_shift;
	last = (end - t->bus_offset) >> t->page_shift;
	if (last >= t->size)
		return -ERANGE;

	for (uint64_t idx = first; idx <= last; idx++) {
		uint64_t tce, gpa, off, chunk, pstart;
		const struct pcv_slot *s;
		uint8_t *hva;

		pcv_entry_load(t, idx, false, &tce);
		/* Offset inside this IOMMU page, and bytes used from it. */
		pstart = t->bus_offset + (idx << t->page_shift);
		off = idx == first ? ioba - pstart : 0;
		if (pcv_unlikely(tracing))
			pcv_trace_emit(vm, PPCVIRT_TRACE_XLATE, liobn,
				       pstart + off - t->bus_offset,
				       tce & ~(psize - 1), tce & 3, psize - 1,
				       0);
		if (!(tce & (PPCVIRT_TCE_READ | PPCVIRT_TCE_WRITE)))
			return -EFAULT;
		if ((tce & need) != need)
			return -EACCES;
		chunk = (idx == last ? end - pstart + 1 : psize) - off;
		gpa = (tce & ~(psize - 1)) + off;
		s = pcv_slot_find(ms, gpa, chunk);
		if (!s)
			return -EFAULT;
		hva = s->hva + (gpa - s->gpa);
		if (mark)
			pcv_slot_mark(s, gpa, chunk);
		if (used &&
		    (uint8_t *)segs[used - 1].hva + segs[used - 1].len == hva &&
		    segs[used - 1].gpa + segs[used - 1].len == gpa) {
			segs[used - 1].len += chunk;
			continue;
		}
		if (used == cap)
			return -ENOSPC;
		segs[used++] = (struct ppcvirt_dma_seg){
			.hva = hva,
			.len = chunk,
			.gpa = gpa,
			.flags = (need & PPCVIRT_TCE_WRITE)
					 ? PPCVIRT_DMA_SEG_WRITABLE
					 : 0,
		};
	}
	*nsegs = used;
	return 0;
}

static bool dir_ok(enum ppcvirt_dma_dir dir)
{
	return dir == PPCVIRT_DMA_TO_DEVICE || dir == PPCVIRT_DMA_FROM_DEVICE ||
	       dir == PPCVIRT_DMA_BIDIRECTIONAL;
}

PPCVIRT_API int ppcvirt_dma_map(struct ppcvirt_vm *vm, uint64_t liobn,
				uint64_t ioba, uint64_t len,
				enum ppcvirt_dma_dir dir,
				struct ppcvirt_dma_seg *segs, size_t *nsegs)
{
	int ret;

	if (!vm || !segs || !nsegs || len == 0 || !dir_ok(dir))
		return -EINVAL;
	pcv_rcu_lock();
	/* TO_DEVICE (1) needs READ (1), FROM_DEVICE (2) needs WRITE (2). */
	ret = xlate_range(vm, liobn, ioba, len, (unsigned)dir, false, segs,
			  nsegs);
	pcv_rcu_unlock();
	return ret;
}

static int dma_copy(struct ppcvirt_vm *vm, uint64_t liobn, uint64_t ioba,
		    uint8_t *rd, const uint8_t *wr, uint64_t len)
{
	struct ppcvirt_dma_seg stack[XLATE_STACK_SEGS], *segs = stack;
	size_t n = XLATE_STACK_SEGS;
	int ret;

	if (!vm || len == 0)
		return -EINVAL;
	pcv_rcu_lock();
	ret = xlate_range(vm, liobn, ioba, len,
			  rd ? PPCVIRT_TCE_READ : PPCVIRT_TCE_WRITE, !rd, segs,
			  &n);
	if (ret == -ENOSPC) {
		/* At most one segment per IOMMU page (4 KiB at least). */
		n = (size_t)(len >> 12) + 2;
		segs = malloc(n * sizeof(*segs));
		ret = segs ? xlate_range(vm, liobn, ioba, len,
					 rd ? PPCVIRT_TCE_READ
					    : PPCVIRT_TCE_WRITE,
					 !rd, segs, &n)
			   : -ENOMEM;
	}
	/* Copy only once the whole range translated. */
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (rd) {
			memcpy(rd, segs[i].hva, segs[i].len);
			rd += segs[i].len;
		} else {
			memcpy(segs[i].hva, wr, segs[i].len);
			wr += segs[i].len;
		}
	}
	pcv_rcu_unlock();
	if (segs != stack)
		free(segs);
	return ret;
}

PPCVIRT_API int ppcvirt_dma_release(struct ppcvirt_vm *vm,
				    const struct ppcvirt_dma_seg *segs,
				    size_t n)
{
	const struct pcv_memslots *ms;

	if (!vm || (n && !segs))
		return -EINVAL;
	if (!atomic_load_explicit(&vm->dma_logging, memory_order_relaxed))
		return 0;
	pcv_rcu_lock();
	ms = atomic_load_explicit(&vm->slots, memory_order_acquire);
	for (size_t i = 0; i < n; i++) {
		const struct pcv_slot *s;

		if (!(segs[i].flags & PPCVIRT_DMA_SEG_WRITABLE) || !segs[i].len)
			continue;
		s = pcv_slot_find(ms, segs[i].gpa, segs[i].len);
		if (s)
			pcv_slot_mark(s, segs[i].gpa, segs[i].len);
	}
	pcv_rcu_unlock();
	return 0;
}

PPCVIRT_API int ppcvirt_dma_read(struct ppcvirt_vm *vm, uint64_t liobn,
				 uint64_t ioba, void *buf, uint64_t len)
{
	if (!buf)
		return -EINVAL;
	return dma_copy(vm, liobn, ioba, buf, NULL, len);
}

PPCVIRT_API int ppcvirt_dma_write(struct ppcvirt_vm *vm, uint64_t liobn,
				  uint64_t ioba, const void *buf, uint64_t len)
{
	if (!buf)
		return -EINVAL;
	return dma_copy(vm, liobn, ioba, NULL, buf, len);
}

PPCVIRT_API int ppcvirt_tce_translate(struct ppcvirt_vm *vm, uint64_t liobn,
				      uint64_t ioba,
				      struct ppcvirt_tce_xlate *out)
{
	struct pcv_table *t;
	uint64_t idx, tce, mask;
	int ret = 0;

	if (!vm || !out)
		return -EINVAL;
	pcv_rcu_lock();
	t = pcv_table_find(
		atomic_load_explicit(&vm->tables, memory_order_acquire), liobn);
	if (!t) {
		ret = -ENOENT;
		goto out;
	}
	mask = (1ULL << t->page_shift) - 1;
	idx = (ioba - t->bus_offset) >> t->page_shift;
	if (ioba < t->bus_offset || idx >= t->size) {
		/* QEMU: no translation, permission none, mask all ones. */
		if (pcv_tracing(vm))
			pcv_trace_emit(vm, PPCVIRT_TRACE_XLATE, liobn,
				       ioba - t->bus_offset, 0, 0, UINT64_MAX,
				       0);
		ret = -ERANGE;
		goto out;
	}
	pcv_entry_load(t, idx, false, &tce);
	if (pcv_tracing(vm))
		pcv_trace_emit(vm, PPCVIRT_TRACE_XLATE, liobn,
			       ioba - t->bus_offset, tce & ~mask, tce & 3, mask,
			       0);
	*out = (struct ppcvirt_tce_xlate){
		.iova = ioba & ~mask,
		.addr = tce & ~mask,
		.addr_mask = mask,
		.perm = (uint32_t)(tce & 3),
	};
out:
	pcv_rcu_unlock();
	return ret;
}
